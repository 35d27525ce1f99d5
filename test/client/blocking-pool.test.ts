// Blocking commands and the client pool: against a real redis-server under RESP2 and RESP3, a
// BLPOP on the pool never stalls other callers, acquireTimeout bounds the wait for a client,
// a blocking command cut by CLIENT KILL is outcome-unknown and never resent; on the mock, a
// blocking command whose server never answers (hang()) gives up at its own timeout plus the
// margin, or at the caller's timeout, and the connection that may still owe it a reply is
// replaced.

import assert from 'node:assert/strict'
import { after, before, describe, test } from '../support/runtime.ts'
import { hang } from '../../src/testing/index.ts'
import {
  ClientClosedError, CommandTimeoutError, OutcomeUnknownError, PoolTimeoutError, WatchError, createClient, createClientPool,
  type RedisClient, type RedisClientPool,
} from '../../src/client/index.ts'
import { BLOCKING_MARGIN_MS, blockingTimeout } from '../../src/client/blocking.ts'
import { startRedis, type RedisServer } from '../support/redis.ts'
import { isPending, nextEvent, outcome, serverSide, statefulMock, within } from './fault-support.ts'

let redis: RedisServer
const opened: Array<RedisClient | RedisClientPool> = []
before(async () => {
  redis = await startRedis()
})
after(async () => {
  for (const c of opened) c.destroy()
  await redis?.stop()
})

const socket = (): { port: number; host: string; reconnectStrategy: number } => ({ port: redis.port, host: '127.0.0.1', reconnectStrategy: 10 })

async function real(RESP: 2 | 3): Promise<RedisClient> {
  const client = createClient({ socket: socket(), RESP })
  client.on('error', () => {})
  opened.push(client)
  return within(client.connect(), 'connect')
}

async function pool(RESP: 2 | 3, options: Parameters<typeof createClientPool>[1]): Promise<RedisClientPool> {
  const p = createClientPool({ socket: socket(), RESP }, options)
  p.on('error', () => {})
  opened.push(p)
  return within(p.connect(), 'pool connect')
}

/** Polls until `check` says yes (each turn awaits real work): bounded, never a bare sleep. */
async function pollUntil(check: () => Promise<boolean>, what = 'condition'): Promise<void> {
  const deadline = Date.now() + 5_000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not met within 5 s`)
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
}

/** Bounded polling with a real command: INFO until the server counts `n` blocked clients. */
async function untilBlocked(client: RedisClient, n: number): Promise<void> {
  const deadline = Date.now() + 5_000
  for (;;) {
    const info = await client.infoParsed('clients')
    if (Number(info.clients?.blocked_clients ?? 0) >= n) return
    if (Date.now() > deadline) throw new Error(`${n} blocked client(s) not seen within 5 s`)
  }
}

test('blockingTimeout: server timeout + max(1 s, 10%), 0 for forever, none for non-blocking', () => {
  assert.equal(blockingTimeout(['BLPOP', 'k', '2']), 2000 + BLOCKING_MARGIN_MS)
  assert.equal(blockingTimeout(['blmove', 'a', 'b', 'LEFT', 'RIGHT', '0.5']), 500 + BLOCKING_MARGIN_MS)
  assert.equal(blockingTimeout(['BZPOPMIN', 'z', 100]), 100_000 + 10_000)
  assert.equal(blockingTimeout(['BLMPOP', '3', '1', 'k', 'LEFT']), 3000 + BLOCKING_MARGIN_MS)
  assert.equal(blockingTimeout(['XREAD', 'COUNT', '1', 'BLOCK', '250', 'STREAMS', 's', '$']), 250 + BLOCKING_MARGIN_MS)
  assert.equal(blockingTimeout(['XREAD', 'STREAMS', 's', '$']), undefined)
  assert.equal(blockingTimeout(['WAIT', '1', '300']), 300 + BLOCKING_MARGIN_MS)
  assert.equal(blockingTimeout(['BLPOP', 'k', '0']), 0, 'timeout 0 blocks forever: no client timeout')
  assert.equal(blockingTimeout(['GET', 'k']), undefined)
  assert.equal(blockingTimeout(['BITCOUNT', 'k']), undefined)
})

test('createClientPool checks its options', () => {
  assert.throws(() => createClientPool({}, { maximum: 0 }), /maximum/)
  assert.throws(() => createClientPool({}, { minimum: -1 }), /minimum/)
  assert.throws(() => createClientPool({}, { acquireTimeout: Number.NaN }), /acquireTimeout/)
  assert.throws(() => createClientPool({}, { minimum: 3, maximum: 2 }), /minimum/)
  assert.throws(() => createClientPool({ RESP: 4 as never }), /RESP/)
})

for (const RESP of [2, 3] as const) {
  describe(`blocking commands and the pool on a real server, RESP${RESP}`, () => {
    const k = (name: string): string => `bp${RESP}:${name}`

    test('a BLPOP waiting on the pool does not stall other callers; it gets the pushed element', async () => {
      const p = await pool(RESP, { minimum: 1, maximum: 3 })
      const admin = await real(RESP)
      const popped = p.blPop(k('list'), 0)
      await untilBlocked(admin, 1)
      assert.equal(await within(p.ping(), 'PING while BLPOP waits'), 'PONG')
      assert.equal(await within(p.lPush(k('list'), 'value'), 'LPUSH while BLPOP waits'), 1)
      assert.deepEqual(await within(popped, 'BLPOP'), { key: k('list'), element: 'value' })
      assert.ok(p.totalClients >= 2 && p.totalClients <= 3, `clients: ${p.totalClients}`)
    })

    test('acquireTimeout: with every client blocked, a caller fails with PoolTimeoutError (not sent); the pool recovers', async () => {
      const p = await pool(RESP, { minimum: 1, maximum: 1, acquireTimeout: 150 })
      const admin = await real(RESP)
      const popped = p.blPop(k('one'), 0)
      await untilBlocked(admin, 1)
      const started = Date.now()
      const r = await within(outcome(p.set(k('never'), 'x')), 'the waiting SET')
      assert.ok(!r.ok && r.error instanceof PoolTimeoutError, String(!r.ok && r.error))
      assert.ok(Date.now() - started >= 140, 'waited acquireTimeout')
      assert.equal(p.tasksQueueLength, 0)
      await admin.lPush(k('one'), 'v')
      assert.deepEqual(await within(popped, 'BLPOP'), { key: k('one'), element: 'v' })
      assert.equal(await admin.exists(k('never')), 0, 'the timed-out command was never sent')
      assert.equal(await within(p.set(k('after'), 'y'), 'SET after'), 'OK')
    })

    test('pool.execute: WATCH/MULTI on a client of its own; a concurrent change gives WatchError', async () => {
      const p = await pool(RESP, { minimum: 1, maximum: 2 })
      const w = k('watched')
      const r = await outcome(p.execute(async (client) => {
        await client.watch(w)
        await p.set(w, 'changed elsewhere') // another pool client
        return client.multi().set(w, 'from the transaction').exec()
      }))
      assert.ok(!r.ok && r.error instanceof WatchError, String(!r.ok && r.error))
      assert.equal(await p.get(w), 'changed elsewhere')
      await p.close()
      await assert.rejects(p.ping(), ClientClosedError)
    })

    test('a task that WATCHed and gave up does not pass its watch to the next task on the same client', async () => {
      const p = await pool(RESP, { minimum: 1, maximum: 1 })
      const admin = await real(RESP)
      const w = k('stale-watch')
      await assert.rejects(p.execute(async (client) => {
        await client.watch(w)
        throw new Error('the task gave up before EXEC')
      }), /gave up/)
      await admin.set(w, 'changed after the first task')
      assert.deepEqual(await within(p.execute((client) => client.multi().set(k('x'), '1').exec()), 'the next transaction'), ['OK'])
    })

    test('duplicate(): one client blocks in BRPOP while the original keeps working', async () => {
      const client = await real(RESP)
      const blocker = client.duplicate()
      blocker.on('error', () => {})
      opened.push(blocker)
      await blocker.connect()
      const popped = blocker.brPop(k('dup'), 5)
      await untilBlocked(client, 1)
      assert.equal(await client.set(k('x'), '1'), 'OK')
      await client.rPush(k('dup'), 'a')
      assert.deepEqual(await within(popped, 'BRPOP'), { key: k('dup'), element: 'a' })
    })

    test("a client-wide commandOptions.timeout shorter than a blocking command's own does not cut it (a per-call timeout does)", async () => {
      const client = createClient({ socket: socket(), RESP, commandOptions: { timeout: 150 } })
      client.on('error', () => {})
      opened.push(client)
      await client.connect()
      assert.equal(await within(outcome(client.blPop(k('default-timeout'), 0.4)), 'BLPOP 0.4').then((r) => (r.ok ? r.value : String(r.error))), null)
      const r = await outcome(client.withCommandOptions({ timeout: 100 }).blPop(k('default-timeout'), 0.4))
      assert.ok(!r.ok && r.error instanceof CommandTimeoutError, String(!r.ok && r.error))
    })

    test('a server timeout is honoured: BLPOP 0.1 resolves null', async () => {
      const client = await real(RESP)
      assert.equal(await within(client.blPop(k('empty'), 0.1), 'BLPOP 0.1'), null)
    })

    test('XREAD BLOCK and WAIT with a server timeout resolve when it expires', async () => {
      const client = await real(RESP)
      assert.equal(await within(client.sendCommand(['XREAD', 'BLOCK', '100', 'STREAMS', k('stream'), '$']), 'XREAD BLOCK 100'), null)
      assert.equal(await within(client.sendCommand(['WAIT', '1', '100']), 'WAIT 1 100'), 0)
    })

    test('the pool gives a client back when its task throws, and closes idle clients beyond minimum after cleanupDelay', async () => {
      const p = await pool(RESP, { minimum: 1, maximum: 3, cleanupDelay: 50, acquireTimeout: 1_000 })
      await assert.rejects(p.execute(() => { throw new Error('task failed') }), /task failed/)
      await assert.rejects(p.execute(async () => { throw new Error('async task failed') }), /async task failed/)
      // Three tasks at once: three clients.
      let release!: () => void
      const gate = new Promise<void>((resolve) => (release = resolve))
      const tasks = [1, 2, 3].map(() => p.execute(async (client) => { await gate; return client.ping() }))
      await pollUntil(async () => p.totalClients === 3 && p.idleClients === 0)
      release()
      assert.deepEqual(await within(Promise.all(tasks), 'tasks'), ['PONG', 'PONG', 'PONG'])
      assert.equal(p.idleClients, 3)
      await pollUntil(async () => { await p.ping(); return p.totalClients === 1 }, 'back to minimum')
    })

    test('pool.close(): waiting callers fail with ClientClosedError, the busy client finishes its command first', async () => {
      const p = await pool(RESP, { minimum: 1, maximum: 1, acquireTimeout: 5_000 })
      const busy = p.blPop(k('closing'), 0.2)
      const waiting = outcome(p.ping())
      await pollUntil(async () => p.tasksQueueLength === 1)
      const closed = p.close()
      const w = await within(waiting, 'the waiting caller')
      assert.ok(!w.ok && w.error instanceof ClientClosedError, String(!w.ok && w.error))
      assert.equal(await within(busy, 'the busy BLPOP'), null)
      await within(closed, 'close()')
      assert.equal(p.totalClients, 0)
      await assert.rejects(p.ping(), ClientClosedError)
    })

    test('a BLPOP cut by CLIENT KILL is OutcomeUnknownError and is not resent after the reconnect', async () => {
      const client = await real(RESP)
      const admin = await real(RESP)
      const id = await client.sendCommand(['CLIENT', 'ID'])
      const popped = outcome(client.blPop(k('cut'), 0))
      await untilBlocked(admin, 1)
      const ready = nextEvent(client, 'ready')
      await admin.sendCommand(['CLIENT', 'KILL', 'ID', String(id)])
      const r = await within(popped, 'BLPOP')
      assert.ok(!r.ok && r.error instanceof OutcomeUnknownError, String(!r.ok && r.error))
      await ready
      await admin.rPush(k('cut'), 'kept')
      assert.equal(await client.ping(), 'PONG')
      assert.deepEqual(await admin.lRange(k('cut'), 0, -1), ['kept'], 'no resent BLPOP took the element')
    })
  })
}

describe('the pool when clients fail', () => {
  test('a client that dies while busy leaves the pool; a caller waiting for it gets a new client', async () => {
    const mock = statefulMock()
    const p = createClientPool({ connector: mock.connector, socket: { reconnectStrategy: false } }, { minimum: 1, maximum: 1, acquireTimeout: 0 })
    p.on('error', () => {})
    opened.push(p)
    await within(p.connect(), 'connect')
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const holder = p.execute(async (client) => {
      await gate
      client.destroy() // the client is gone for good
    })
    const waiting = p.ping()
    await pollUntil(async () => p.tasksQueueLength === 1)
    release()
    await holder
    assert.equal(await within(waiting, 'the waiting caller (acquireTimeout 0: it would wait forever)'), 'PONG')
    assert.equal(p.totalClients, 1)
  })

  test('acquireTimeout also bounds connecting a new client: a server that is down gives PoolTimeoutError, and destroy() ends the attempt', async () => {
    const mock = statefulMock()
    mock.down = true
    const p = createClientPool({ connector: mock.connector, socket: { reconnectStrategy: 5 } }, { minimum: 0, acquireTimeout: 100 })
    p.on('error', () => {})
    opened.push(p)
    const started = Date.now()
    const r = await within(outcome(p.ping()), 'PING on a pool whose server is down')
    assert.ok(!r.ok && r.error instanceof PoolTimeoutError && /connect/.test(r.error.message), String(!r.ok && r.error))
    assert.ok(Date.now() - started < 2_000)
    assert.equal(p.totalClients, 1, 'still trying in the background')
    // The server comes back: the late client joins the pool and serves the next caller.
    mock.down = false
    await pollUntil(async () => p.idleClients === 1)
    assert.equal(await within(p.ping(), 'PING after'), 'PONG')
    mock.down = true
    const q = createClientPool({ connector: mock.connector, socket: { reconnectStrategy: 5 } }, { minimum: 0, acquireTimeout: 50 })
    q.on('error', () => {})
    await outcome(q.ping())
    assert.equal(q.totalClients, 1)
    // (A connecting client left behind would keep this process alive with its reconnect timers.)
    q.destroy()
    assert.equal(q.totalClients, 0)
  })
})

describe('blocking commands on a server that never answers (mock hang())', () => {
  async function hungClient() {
    const mock = statefulMock()
    for (const name of ['BLPOP', 'XREAD', 'WAIT', 'BZPOPMIN']) mock.script(name, () => hang())
    const client = createClient({ connector: mock.connector, socket: { reconnectStrategy: 1 } })
    client.on('error', () => {})
    opened.push(client)
    await within(client.connect(), 'connect')
    return { mock, client }
  }

  test("BLPOP k 0.2, XREAD BLOCK 200, WAIT 0 200: each rejected at its own timeout + margin, written", async () => {
    const cases: Array<[string, Array<string>]> = [
      ['BLPOP', ['BLPOP', 'k', '0.2']],
      ['XREAD', ['XREAD', 'BLOCK', '200', 'STREAMS', 's', '$']],
      ['WAIT', ['WAIT', '0', '200']],
    ]
    await Promise.all(cases.map(async ([name, args]) => {
      const { client } = await hungClient()
      const started = Date.now()
      const r = await within(outcome(client.sendCommand(args)), name, 5_000)
      const took = Date.now() - started
      assert.ok(!r.ok && r.error instanceof CommandTimeoutError, `${name}: ${String(!r.ok && r.error)}`)
      assert.equal((r as { error: CommandTimeoutError }).error.written, true)
      assert.ok(took >= 200 + BLOCKING_MARGIN_MS - 20 && took < 200 + BLOCKING_MARGIN_MS + 1500, `${name} gave up after ${took} ms`)
    }))
  })

  test("the caller's own timeout wins; the hung connection is replaced and later commands work", async () => {
    const { mock, client } = await hungClient()
    const first = serverSide(mock).id
    const replaced = nextEvent(client, 'ready')
    const started = Date.now()
    const r = await within(outcome(client.withCommandOptions({ timeout: 150 }).blPop('k', 5)), 'BLPOP 5 with timeout 150')
    const took = Date.now() - started
    assert.ok(!r.ok && r.error instanceof CommandTimeoutError, String(!r.ok && r.error))
    assert.equal((r as { error: CommandTimeoutError }).error.written, true)
    assert.ok(took >= 140 && took < 1_000, `gave up after ${took} ms, not at the server's 5 s`)
    // The connection may still owe BLPOP its reply: it is not reused, a new one takes over.
    await replaced
    assert.notEqual(serverSide(mock).id, first)
    assert.equal(await within(client.ping(), 'PING after'), 'PONG')
  })

  test('BLPOP 0 (forever) has no client timeout; a broken connection rejects it as OutcomeUnknownError, once sent', async () => {
    const { mock, client } = await hungClient()
    const popped = outcome(client.sendCommand(['BLPOP', 'k', '0']))
    await mock.seen('BLPOP')
    assert.equal(await isPending(popped), true)
    const ready = nextEvent(client, 'ready')
    serverSide(mock).faults!.reset()
    const r = await within(popped, 'BLPOP')
    assert.ok(!r.ok && r.error instanceof OutcomeUnknownError, String(!r.ok && r.error))
    await ready
    assert.equal(await client.ping(), 'PONG')
    assert.equal(mock.count('BLPOP'), 1)
  })
})
