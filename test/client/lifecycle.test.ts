// The client's life: the offline queue (bounded in count and time, memory bounded during an
// outage), close() (waits for replies already due, refuses new commands) and destroy() (rejects
// everything now), and the rule behind both: every promise settles, whatever happens.

import assert from 'node:assert/strict'
import { describe, test } from '../support/runtime.ts'
import { ReplyError } from '../../src/resp/index.ts'
import { delayed, hang } from '../../src/testing/index.ts'
import {
  ClientClosedError, ClientOfflineError, OfflineTimeoutError, OutcomeUnknownError, QueueFullError, createClient,
  type ClientOptions, type RedisClient,
} from '../../src/client/index.ts'
import { isPending, nextEvent, outcome, serverSide, statefulMock, within, type StatefulMock, connected as connectedWithErrors } from './fault-support.ts'

const connected = async (mock: StatefulMock, options: ClientOptions = {}): Promise<RedisClient> => (await connectedWithErrors(mock, options)).client

/** Takes the mock down and breaks the client's connection; resolves once the client knows. */
async function outage(mock: StatefulMock, client: RedisClient): Promise<void> {
  mock.down = true
  const reconnecting = nextEvent(client, 'reconnecting')
  serverSide(mock).faults!.reset()
  await reconnecting
}

/** Commands waiting in the engine's queue (unsent): what an outage costs in memory. */
function queued(client: RedisClient): number {
  return (client as unknown as { _core: { queue: { length: number } } })._core.queue.length
}

describe('client lifecycle: the offline queue', () => {
  test('commandsQueueMaxLength while connected: past the bound a command fails at once and is never sent', async () => {
    const mock = statefulMock()
    mock.script('ECHO', (cmd) => delayed(30, cmd.args[0]))
    const client = await connected(mock, { commandsQueueMaxLength: 2 })
    const a = client.sendCommand(['ECHO', 'a'])
    const b = client.sendCommand(['ECHO', 'b'])
    const c = await outcome(client.sendCommand(['ECHO', 'c']))
    assert.ok(!c.ok && c.error instanceof QueueFullError && c.error.maxLength === 2, String(!c.ok && c.error))
    assert.deepEqual(await within(Promise.all([a, b]), 'a, b'), ['a', 'b'])
    assert.equal(await client.sendCommand(['ECHO', 'd']), 'd', 'room again once replies came')
    assert.deepEqual(mock.log.filter((l) => l.name === 'ECHO').map((l) => l.args[0]), ['a', 'b', 'd'])
    client.destroy()
  })

  test('commandsQueueMaxLength during an outage: the bound holds, the queued ones go out once after the reconnect', async () => {
    const mock = statefulMock()
    const client = await connected(mock, { commandsQueueMaxLength: 3 })
    await outage(mock, client)
    const accepted = [1, 2, 3].map(() => client.sendCommand(['INCR', 'n']))
    const refused = await Promise.all(Array.from({ length: 1_000 }, () => outcome(client.sendCommand(['INCR', 'n']))))
    for (const r of refused) assert.ok(!r.ok && r.error instanceof QueueFullError)
    assert.equal(queued(client), 3)
    const ready = nextEvent(client, 'ready')
    mock.down = false
    await ready
    assert.deepEqual(await within(Promise.all(accepted), 'accepted'), [1, 2, 3])
    assert.equal(mock.count('INCR'), 3)
    client.destroy()
  })

  test('disableOfflineQueue: ClientOfflineError at once while disconnected, never sent', async () => {
    const mock = statefulMock()
    const client = await connected(mock, { disableOfflineQueue: true })
    await outage(mock, client)
    const r = await outcome(client.sendCommand(['INCR', 'n']))
    assert.ok(!r.ok && r.error instanceof ClientOfflineError, String(!r.ok && r.error))
    const ready = nextEvent(client, 'ready')
    mock.down = false
    await ready
    assert.equal(await client.sendCommand(['INCR', 'm']), 1)
    assert.deepEqual(mock.log.filter((l) => l.name === 'INCR').map((l) => l.args[0]), ['m'])
    client.destroy()
  })

  test('offlineQueueTimeout: a command that waits too long fails with OfflineTimeoutError and is never sent; one that makes it is not failed later', async () => {
    const mock = statefulMock()
    const client = await connected(mock, { offlineQueueTimeout: 40 })
    await outage(mock, client)
    const late = await within(outcome(client.sendCommand(['INCR', 'late'])), 'late')
    assert.ok(!late.ok && late.error instanceof OfflineTimeoutError, String(!late.ok && late.error))
    const onTime = outcome(client.sendCommand(['INCR', 'ontime']))
    const ready = nextEvent(client, 'ready')
    mock.down = false
    await ready
    assert.deepEqual(await onTime, { ok: true, value: 1 })
    assert.deepEqual(mock.log.filter((l) => l.name === 'INCR').map((l) => l.args[0]), ['ontime'])
    client.destroy()
  })

  test('offlineQueueTimeout also bounds a command that was queued while connected and left unsent by the break', async () => {
    const mock = statefulMock(undefined, { highWaterMark: 1 })
    const client = await connected(mock, { offlineQueueTimeout: 40 })
    serverSide(mock).faults!.stall('toServer')
    const written = outcome(client.sendCommand(['INCR', 'a']))
    await new Promise((resolve) => setTimeout(resolve, 0)) // flushed: INCR a is written, the client waits for drain
    const unsent = outcome(client.sendCommand(['INCR', 'b']))
    mock.down = true
    serverSide(mock).faults!.reset()
    const w = await within(written, 'written')
    assert.ok(!w.ok && w.error instanceof OutcomeUnknownError, String(!w.ok && w.error))
    const u = await within(unsent, 'unsent')
    assert.ok(!u.ok && u.error instanceof OfflineTimeoutError, String(!u.ok && u.error))
    const ready = nextEvent(client, 'ready')
    mock.down = false
    await ready
    assert.equal(await client.sendCommand(['PING']), 'PONG')
    assert.equal(mock.count('INCR'), 0)
    client.destroy()
  })

  test('commands that expired offline free their place in commandsQueueMaxLength', async () => {
    const mock = statefulMock()
    const client = await connected(mock, { commandsQueueMaxLength: 3, offlineQueueTimeout: 20 })
    await outage(mock, client)
    for (const r of await within(Promise.all([1, 2, 3].map(() => outcome(client.sendCommand(['INCR', 'x'])))), 'first three')) {
      assert.ok(!r.ok && r.error instanceof OfflineTimeoutError)
    }
    const again = [1, 2, 3].map(() => outcome(client.sendCommand(['INCR', 'y'])))
    const fourth = await outcome(client.sendCommand(['INCR', 'y']))
    assert.ok(!fourth.ok && fourth.error instanceof QueueFullError, String(!fourth.ok && fourth.error))
    for (const r of await within(Promise.all(again), 'second three')) {
      assert.ok(!r.ok && r.error instanceof OfflineTimeoutError, `accepted, then expired: ${String(!r.ok && r.error)}`)
    }
    client.destroy()
  })

  test('memory stays bounded during a long outage with offlineQueueTimeout and no count bound', async () => {
    const mock = statefulMock()
    const client = await connected(mock, { offlineQueueTimeout: 5 })
    await outage(mock, client)
    let most = 0
    for (let round = 0; round < 20; round++) {
      const batch = Array.from({ length: 500 }, () => outcome(client.sendCommand(['INCR', 'n'])))
      most = Math.max(most, queued(client))
      for (const r of await within(Promise.all(batch), `round ${round}`)) assert.ok(!r.ok && r.error instanceof OfflineTimeoutError)
    }
    most = Math.max(most, queued(client))
    assert.ok(most <= 1_000, `${most} commands held after 10 000 expired ones: expired commands pile up`)
    client.destroy()
  })
})

describe('client lifecycle: close()', () => {
  test('waits for every reply already due (written or queued), refuses new commands, then ends', async () => {
    const mock = statefulMock()
    mock.script('ECHO', (cmd) => delayed(20, cmd.args[0]))
    const client = await connected(mock)
    const written = client.sendCommand(['ECHO', 'a'])
    await within(mock.seen('ECHO'), 'a reached the server')
    const queuedNow = [client.sendCommand(['ECHO', 'b']), client.sendCommand(['ECHO', 'c'])]
    let ended = false
    client.on('end', () => { ended = true })
    const closing = client.close()
    const refused = await outcome(client.sendCommand(['ECHO', 'd']))
    assert.ok(!refused.ok && refused.error instanceof ClientClosedError, String(!refused.ok && refused.error))
    assert.deepEqual(await within(Promise.all([written, ...queuedNow]), 'replies'), ['a', 'b', 'c'])
    await within(closing, 'close')
    assert.equal(ended, true)
    assert.equal(client.isOpen, false)
    assert.equal(mock.count('ECHO'), 3)
    const after = await outcome(client.sendCommand(['ECHO', 'e']))
    assert.ok(!after.ok && after.error instanceof ClientClosedError)
  })

  test('while reconnecting: queued commands are rejected as never sent, close() resolves, no more attempts', async () => {
    const mock = statefulMock()
    const client = await connected(mock, { socket: { reconnectStrategy: 20 } })
    await outage(mock, client)
    const waiting = outcome(client.sendCommand(['INCR', 'n']))
    await within(client.close(), 'close')
    const r = await waiting
    assert.ok(!r.ok && r.error instanceof ClientClosedError, String(!r.ok && r.error))
    const attempts = mock.attempts
    mock.down = false
    assert.equal(await isPending(new Promise(() => {})), true) // one macrotask: a reconnect would have started by now
    assert.equal(mock.attempts, attempts)
    assert.equal(mock.count('INCR'), 0)
  })

  test('a command in a LOADING backoff when close() is called settles (with the server\'s answer)', async () => {
    const mock = statefulMock()
    mock.script('GET', () => new ReplyError('LOADING Redis is loading the dataset in memory'))
    const client = await connected(mock)
    const p = outcome(client.sendCommand(['GET', 'k']))
    await within(mock.seen('GET'), 'GET refused once')
    await within(client.close(), 'close')
    const r = await within(p, 'GET in backoff')
    assert.ok(!r.ok && r.error instanceof ReplyError && r.error.code === 'LOADING', String(!r.ok && r.error))
  })

  test('the connection breaking while close() waits for drain: the unwritten command is rejected, close() resolves', async () => {
    const mock = statefulMock(undefined, { highWaterMark: 1 })
    const client = await connected(mock)
    serverSide(mock).faults!.stall('toServer')
    const written = outcome(client.sendCommand(['INCR', 'a']))
    await new Promise((resolve) => setTimeout(resolve, 0)) // flushed: INCR a is written, the client waits for drain
    const unwritten = outcome(client.sendCommand(['INCR', 'b']))
    const closing = client.close()
    serverSide(mock).faults!.reset()
    const w = await within(written, 'written')
    const u = await within(unwritten, 'unwritten')
    assert.ok(!w.ok && w.error instanceof OutcomeUnknownError, String(!w.ok && w.error))
    assert.ok(!u.ok && u.error instanceof ClientClosedError, String(!u.ok && u.error))
    await within(closing, 'close')
  })

  test("the connection breaking during close() with retryWritten: the written GET settles (outcome unknown), nothing is resent", async () => {
    const mock = statefulMock()
    mock.script('GET', () => hang())
    const client = await connected(mock, { retryWritten: 'read-only' })
    const get = outcome(client.sendCommand(['GET', 'k']))
    await within(mock.seen('GET'), 'GET reached the server')
    const closing = client.close()
    serverSide(mock).faults!.reset()
    const r = await within(get, 'GET')
    assert.ok(!r.ok && r.error instanceof OutcomeUnknownError, String(!r.ok && r.error))
    await within(closing, 'close')
    assert.equal(mock.attempts, 1)
  })
})

describe('client lifecycle: destroy() and everything else settles', () => {
  test('destroy(): written -> OutcomeUnknownError, unwritten -> ClientClosedError, in backoff -> ClientClosedError; all at once', async () => {
    const mock = statefulMock()
    mock.script('GET', () => hang())
    mock.script('SET', () => new ReplyError('BUSY Redis is busy running a script.'))
    const client = await connected(mock)
    // SET first: refused, it waits out a 50 ms backoff; GET then hangs the connection.
    const backoff = outcome(client.sendCommand(['SET', 'k', 'v']))
    await within(mock.seen('SET'), 'SET refused once')
    const written = outcome(client.sendCommand(['GET', 'k']))
    await within(mock.seen('GET'), 'GET reached the server')
    const unwritten = outcome(client.sendCommand(['INCR', 'n']))
    let ended = 0
    client.on('end', () => ended++)
    client.destroy()
    const [w, b, u] = await within(Promise.all([written, backoff, unwritten]), 'everything settles')
    assert.ok(!w.ok && w.error instanceof OutcomeUnknownError, String(!w.ok && w.error))
    assert.ok(!b.ok && b.error instanceof ClientClosedError, String(!b.ok && b.error))
    assert.ok(!u.ok && u.error instanceof ClientClosedError, String(!u.ok && u.error))
    assert.equal(ended, 1)
    assert.equal(client.isOpen, false)
    client.destroy() // twice is fine
    assert.equal(ended, 1)
  })

  test('destroy() and close() while connecting reject connect() and what was queued', async () => {
    for (const how of ['destroy', 'close'] as const) {
      const mock = statefulMock()
      mock.down = true
      const client = createClient({ connector: mock.connector, socket: { reconnectStrategy: 5 } })
      client.on('error', () => {})
      const connecting = outcome(client.connect())
      const cmd = outcome(client.sendCommand(['PING']))
      if (how === 'destroy') client.destroy()
      else await within(client.close(), 'close')
      const c = await within(connecting, `${how}: connect`)
      const p = await within(cmd, `${how}: command`)
      assert.ok(!c.ok && c.error instanceof ClientClosedError, `${how}: ${String(!c.ok && c.error)}`)
      assert.ok(!p.ok && p.error instanceof ClientClosedError, `${how}: ${String(!p.ok && p.error)}`)
    }
  })

  test('after close(), connect() works again on the same client', async () => {
    const mock = statefulMock()
    const client = await connected(mock)
    await client.close()
    await within(client.connect(), 'connect again')
    assert.equal(await client.sendCommand(['ECHO', 'again']), 'again')
    await client.close()
  })
})
