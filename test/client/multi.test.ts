// Transactions (MULTI/EXEC, WATCH) and explicit pipelines: against a real redis-server under
// RESP2 and RESP3 (results in order and shaped, per-command errors in their slot, EXECABORT,
// WatchError from a changed key and from a reconnect after WATCH), and cut by a broken
// connection on the mock (replies received are delivered, the rest rejected, nothing resent:
// the mock's command log says what the server got).

import assert from 'node:assert/strict'
import { describe, test } from '../support/runtime.ts'
import { ReplyError, push, simple } from '../../src/resp/index.ts'
import { closeConnection, hang } from '../../src/testing/index.ts'
import {
  BatchCutError, ExecAbortError, OutcomeUnknownError, RESP_TYPES, WatchError, type ClientOptions, type RedisClient,
} from '../../src/client/index.ts'
import { nextEvent, outcome, serverSide, statefulMock, within, type StatefulMock, useRealServer, connected as connectedWithErrors } from './fault-support.ts'

const redis = useRealServer()

const real = (RESP: 2 | 3, options: ClientOptions = {}): Promise<RedisClient> => redis.client({ RESP, ...options })

let n = 0
const key = (name: string): string => `multi:${++n}:${name}`

for (const RESP of [2, 3] as const) {
  describe(`multi() on a real server, RESP${RESP}`, () => {
    test('results come in order, shaped like the plain methods', async () => {
      const client = await real(RESP)
      const [s, h, c] = [key('s'), key('h'), key('c')]
      const replies = await client.multi()
        .set(s, 'v')
        .get(s)
        .hSet(h, { a: '1', b: '2' })
        .hGetAll(h)
        .incr(c)
        .incrBy(c, 10)
        .addCommand(['EXISTS', s])
        .exec()
      assert.deepEqual(replies, ['OK', 'v', 2, { a: '1', b: '2' }, 1, 11, 1])
      assert.deepEqual(await client.hGetAll(h), { a: '1', b: '2' })
      assert.deepEqual(await client.multi().exec(), [], 'an empty transaction sends nothing and resolves []')
      client.destroy()
    })

    test('a type mapping applies inside the transaction as outside: Map for maps, bytes for strings', async () => {
      const client = await real(RESP)
      const h = key('h')
      await client.hSet(h, { a: '1' })
      const view = client.withTypeMapping({ [RESP_TYPES.MAP]: Map, [RESP_TYPES.BLOB_STRING]: Uint8Array })
      const plain = await view.hGetAll(h)
      const [inMulti] = await view.multi().hGetAll(h).exec()
      const [inPipeline] = await view.pipeline().hGetAll(h).exec()
      assert.ok(plain instanceof Map, `outside: ${String(plain)}`)
      assert.ok(inMulti instanceof Map, `in multi(): ${JSON.stringify(inMulti)}`)
      assert.ok(inPipeline instanceof Map, `in pipeline(): ${JSON.stringify(inPipeline)}`)
      assert.deepEqual(inMulti, plain)
      client.destroy()
    })

    test('a command failing inside EXEC has its ReplyError in its slot; the others ran', async () => {
      const client = await real(RESP)
      const [s, c] = [key('s'), key('c')]
      await client.set(s, 'not a number')
      const replies = await client.multi().incr(s).incr(c).set(s, 'after').exec()
      assert.ok(replies[0] instanceof ReplyError, String(replies[0]))
      assert.match((replies[0] as ReplyError).message, /not an integer/)
      assert.deepEqual(replies.slice(1), [1, 'OK'])
      assert.equal(await client.get(s), 'after')
      client.destroy()
    })

    test('EXECABORT: ExecAbortError says which command was refused, and nothing ran', async () => {
      const client = await real(RESP)
      const s = key('s')
      const r = await outcome(client.multi().set(s, 'x').addCommand(['NO-SUCH-COMMAND', 'a']).incr(s).exec())
      assert.ok(!r.ok && r.error instanceof ExecAbortError, String(!r.ok && r.error))
      const errors = (r as { error: ExecAbortError }).error.errors
      assert.equal(errors.length, 3)
      assert.equal(errors[0], undefined)
      assert.ok(errors[1] instanceof ReplyError && /unknown command/i.test(errors[1].message), String(errors[1]))
      assert.equal(errors[2], undefined)
      assert.equal(await client.get(s), null, 'the transaction did not run')
      // The connection is still usable, in sync.
      assert.equal(await client.ping(), 'PONG')
      client.destroy()
    })

    test('WATCH: a key changed by another client makes exec() throw WatchError and nothing runs', async () => {
      const client = await real(RESP)
      const other = await real(RESP)
      const [w, t] = [key('w'), key('t')]
      await client.watch(w)
      await other.set(w, 'changed')
      const r = await outcome(client.multi().set(t, 'ran').exec())
      assert.ok(!r.ok && r.error instanceof WatchError, String(!r.ok && r.error))
      assert.equal(await client.get(t), null)
      // The next transaction is not watched any more.
      assert.deepEqual(await client.multi().set(t, 'ran').exec(), ['OK'])
      // unwatch() lifts the watch.
      await client.watch(w)
      await other.set(w, 'again')
      await client.unwatch()
      assert.deepEqual(await client.multi().get(w).exec(), ['again'])
      client.destroy()
      other.destroy()
    })

    test('WATCH then a reconnect (CLIENT KILL): exec() throws WatchError without sending the transaction', async () => {
      const client = await real(RESP)
      const admin = await real(RESP)
      const [w, t] = [key('w'), key('t')]
      await client.watch(w)
      const id = await client.sendCommand(['CLIENT', 'ID'])
      const ready = nextEvent(client, 'ready')
      await admin.sendCommand(['CLIENT', 'KILL', 'ID', String(id)])
      await ready
      const r = await outcome(client.multi().set(t, 'ran').exec())
      assert.ok(!r.ok && r.error instanceof WatchError, String(!r.ok && r.error))
      assert.match((r as { error: Error }).error.message, /re-established/)
      assert.equal(await admin.get(t), null)
      // Only that transaction: the next one runs.
      assert.deepEqual(await client.multi().set(t, 'ran').exec(), ['OK'])
      client.destroy()
      admin.destroy()
    })

    test('execAsPipeline() and pipeline(): one reply per slot, an error in its own slot, no MULTI', async () => {
      const client = await real(RESP)
      const [a, b] = [key('a'), key('b')]
      await client.set(b, 'text')
      const replies = await client.multi().set(a, '1').incr(b).get(a).execAsPipeline()
      assert.equal(replies[0], 'OK')
      assert.ok(replies[1] instanceof ReplyError, String(replies[1]))
      assert.equal(replies[2], '1')
      const p = client.pipeline()
      for (let i = 0; i < 1000; i++) p.set(`${a}:${i}`, String(i))
      p.get(`${a}:999`)
      const out = await p.exec()
      assert.equal(out.length, 1001)
      assert.ok(out.slice(0, 1000).every((x) => x === 'OK'))
      assert.equal(out[1000], '999')
      client.destroy()
    })
  })
}

describe('multi() faults, on the mock', () => {
  /** A mock that answers MULTI/EXEC like Redis, queueing SET/INCR/GET per connection. */
  function transactionalMock(connectorOptions?: Parameters<typeof statefulMock>[1]): StatefulMock {
    const mock = statefulMock(undefined, connectorOptions)
    mock.script('MULTI', (_c, conn) => {
      conn.state.set('queued', [])
      return simple('OK')
    })
    for (const name of ['SET', 'INCR', 'GET']) {
      mock.script(name, (command, conn) => {
        const q = conn.state.get('queued') as Array<{ name: string; args: string[] }> | undefined
        if (q === undefined) return undefined
        q.push({ name: command.name, args: command.args })
        return simple('QUEUED')
      })
    }
    return mock
  }

  const connected = async (mock: StatefulMock, options: ClientOptions = {}): Promise<RedisClient> => (await connectedWithErrors(mock, options)).client

  test('cut after EXEC was written: OutcomeUnknownError, and nothing is resent on the new connection', async () => {
    const mock = transactionalMock()
    mock.script('EXEC', (_c, _conn, nth) => (nth === 1 ? closeConnection({ abort: true }) : undefined))
    const client = await connected(mock)
    const ready = nextEvent(client, 'ready')
    const r = await within(outcome(client.multi().set('a', '1').incr('b').exec()), 'exec')
    assert.ok(!r.ok && r.error instanceof OutcomeUnknownError, String(!r.ok && r.error))
    await ready
    assert.equal(await client.ping(), 'PONG')
    const names = mock.log.map((l) => l.name).filter((x) => x !== 'CLIENT' && x !== 'PING')
    assert.deepEqual(names, ['MULTI', 'SET', 'INCR', 'EXEC'], 'each sent once, none resent')
    client.destroy()
  })

  test('cut with EXEC unanswered after the replies to MULTI and the queued commands came: still OutcomeUnknownError', async () => {
    const mock = transactionalMock()
    mock.script('EXEC', () => hang())
    const client = await connected(mock)
    const p = outcome(client.multi().set('a', '1').exec())
    await mock.seen('EXEC')
    serverSide(mock).faults!.reset()
    const r = await within(p, 'exec')
    assert.ok(!r.ok && r.error instanceof OutcomeUnknownError, String(!r.ok && r.error))
    assert.equal((r as { error: OutcomeUnknownError }).error.command, 'EXEC')
    client.destroy()
  })

  // A first slice larger than the 1 MiB write valve, a 1-byte high-water mark and a stalled
  // link: the first part is written, the rest waits for drain when the link is cut.
  const big = 'x'.repeat(1_200_000)

  test('cut before EXEC was written: BatchCutError (never ran), the unwritten part is never sent alone', async () => {
    const mock = transactionalMock({ highWaterMark: 1 })
    const client = await connected(mock)
    serverSide(mock).faults!.stall('toServer')
    const p = outcome(client.multi().set('big', big).set('small', '1').exec())
    // A whole batch queued behind it, not written at all, goes out whole after the reconnect.
    const later = outcome(client.pipeline().set('later', '1').get('later').exec())
    await new Promise((resolve) => setTimeout(resolve, 0)) // the flush ran: the first slice is written
    const ready = nextEvent(client, 'ready')
    serverSide(mock).faults!.reset()
    const r = await within(p, 'exec')
    assert.ok(!r.ok && r.error instanceof BatchCutError, `a transaction whose EXEC was never written never ran: ${String(!r.ok && r.error)}`)
    assert.equal((r as { error: BatchCutError }).error.command, 'EXEC')
    await ready
    assert.deepEqual(await within(later, 'the later pipeline'), { ok: true, value: ['OK', '1'] })
    assert.equal(await client.ping(), 'PONG')
    assert.equal(mock.count('EXEC'), 0)
    assert.equal(mock.count('MULTI'), 0, 'the stalled bytes never reached the server, and nothing was resent')
    assert.equal(mock.log.some((l) => l.args[0] === 'small'), false, 'nothing of the cut transaction went out on the new connection')
    client.destroy()
  })

  test('a pipeline cut before its last members were written: those are BatchCutError and never sent', async () => {
    const mock = statefulMock(undefined, { highWaterMark: 1 })
    const client = await connected(mock)
    serverSide(mock).faults!.stall('toServer')
    const p = client.pipeline().set('big', big).set('small', '1').get('small').exec()
    await new Promise((resolve) => setTimeout(resolve, 0))
    const ready = nextEvent(client, 'ready')
    serverSide(mock).faults!.reset()
    const slots = await within(p, 'pipeline')
    assert.ok(slots[0] instanceof OutcomeUnknownError, String(slots[0]))
    assert.ok(slots[1] instanceof BatchCutError, String(slots[1]))
    assert.ok(slots[2] instanceof BatchCutError, String(slots[2]))
    await ready
    assert.equal(await client.ping(), 'PONG')
    assert.equal(mock.log.some((l) => l.args[0] === 'small'), false)
    client.destroy()
  })

  test('a pipeline cut half-way: replies received are delivered, the rest are OutcomeUnknownError, none resent', async () => {
    const mock = statefulMock()
    mock.script('INCR', (command) => (command.args[0] === 'cut' ? closeConnection({ abort: true }) : undefined))
    const client = await connected(mock)
    const ready = nextEvent(client, 'ready')
    const slots = await within(client.pipeline().set('a', '1').incr('n').incr('cut').get('a').exec(), 'pipeline')
    assert.equal(slots[0], 'OK')
    assert.equal(slots[1], 1)
    assert.ok(slots[2] instanceof OutcomeUnknownError, String(slots[2]))
    assert.ok(slots[3] instanceof OutcomeUnknownError, String(slots[3]))
    await ready
    assert.equal(await client.ping(), 'PONG')
    assert.deepEqual(mock.log.filter((l) => ['SET', 'INCR', 'GET'].includes(l.name)).map((l) => `${l.name} ${l.args[0]}`), ['SET a', 'INCR n', 'INCR cut'])
    client.destroy()
  })

  test('RESP3: a push arriving between the replies of a transaction goes to the push event, the replies stay in order', async () => {
    const mock = transactionalMock()
    mock.script('EXEC', (_c, conn) => {
      const q = conn.state.get('queued') as Array<{ name: string; args: string[] }>
      conn.state.delete('queued')
      conn.send(push(['custom', 'between']))
      return q.map((c) => (c.name === 'GET' ? 'got' : c.name === 'INCR' ? 7 : simple('OK')))
    })
    mock.script('SET', (command, conn) => {
      if (!conn.state.has('queued')) return undefined
      ;(conn.state.get('queued') as unknown[]).push({ name: 'SET', args: command.args })
      conn.send(push(['custom', 'queued']))
      return simple('QUEUED')
    })
    const client = await connected(mock, { RESP: 3 })
    const pushes: unknown[] = []
    client.on('push', (p: unknown) => pushes.push(p))
    const replies = await within(client.multi().set('a', '1').get('a').incr('n').exec(), 'exec')
    assert.deepEqual(replies, ['OK', 'got', 7])
    assert.deepEqual(pushes, [['custom', 'queued'], ['custom', 'between']])
    client.destroy()
  })
})
