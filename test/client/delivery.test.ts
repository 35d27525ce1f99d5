// The client's delivery guarantees, each checked against what the server actually received:
// the three command states (an unwritten command goes out after a reconnect exactly once; a
// written one is rejected as outcome-unknown and never resent unless retryWritten allows),
// timeouts and aborts before and after the write, the retry table row by row, and INCR under
// repeated real connection kills (counter == acknowledged + k, k <= outcome-unknown rejections).
//
// Mock faults run over the in-memory pair, so their timing is the event loop's, not the
// machine's: a reply delayed by the mock and a client timeout race on timer expiry order.

import assert from 'node:assert/strict'
import { after, before, describe, test } from '../support/runtime.ts'
import { ProtocolError, ReplyError } from '../../src/resp/index.ts'
import { MAX_RESENDS } from '../../src/client/retry-policy.ts'
import { closeConnection, delayed, hang, raw } from '../../src/testing/index.ts'
import { CommandAbortedError, CommandTimeoutError, OutcomeUnknownError, createClient } from '../../src/client/index.ts'
import { rawConnect, type RawConnection } from '../support/raw-connection.ts'
import { startRedis, type RedisServer } from '../support/redis.ts'
import { isPending, nextEvent, outcome, serverSide, statefulMock, within, connected } from './fault-support.ts'

describe('client delivery: the three command states', () => {
  test('a command not yet written when the connection breaks is sent after the reconnect, exactly once', async () => {
    // A 1-byte high-water mark and a stalled link keep the first write "buffered": the client
    // waits for drain, so a command issued next stays in its queue, unwritten.
    const mock = statefulMock(undefined, { highWaterMark: 1 })
    const { client } = await connected(mock)
    serverSide(mock).faults!.stall('toServer')
    const written = outcome(client.sendCommand(['INCR', 'written']))
    await new Promise((resolve) => setTimeout(resolve, 0)) // the flush ran: INCR written is written
    const queued = client.sendCommand(['INCR', 'queued'])
    assert.equal(await isPending(queued), true)
    const reconnected = nextEvent(client, 'ready')
    serverSide(mock).faults!.reset()
    const w = await within(written, 'the written INCR')
    assert.equal(w.ok, false)
    assert.ok(!w.ok && w.error instanceof OutcomeUnknownError, `written command: ${String(!w.ok && w.error)}`)
    assert.equal((w as { error: OutcomeUnknownError }).error.command, 'INCR')
    assert.equal(await within(queued, 'the queued INCR'), 1)
    await reconnected
    assert.equal(await client.sendCommand(['PING']), 'PONG')
    // Sent once, on the second connection; the written one never reached the server (stalled) and was not resent.
    assert.deepEqual(mock.log.filter((l) => l.name === 'INCR').map((l) => l.args[0]), ['queued'])
    assert.equal(mock.attempts, 2)
    client.destroy()
  })

  test('a command issued in the tick the connection dies (before the client hears of it) is not lost, not doubled, and crashes nothing', async () => {
    const mock = statefulMock()
    const { client } = await connected(mock)
    for (let i = 0; i < 20; i++) {
      const ready = nextEvent(client, 'ready')
      serverSide(mock).faults!.reset()
      // The flush runs before the close is reported: the write throws, nothing went out.
      assert.equal(await within(client.sendCommand(['INCR', `k${i}`]), `INCR k${i}`), 1)
      await ready
    }
    assert.equal(mock.count('INCR'), 20)
    client.destroy()
  })

  test('a written command whose connection breaks is rejected with OutcomeUnknownError and not resent', async () => {
    const mock = statefulMock()
    // The server runs the INCR, then the connection dies before the reply: the classic lost reply.
    mock.script('INCR', (command, _c, nth) => {
      if (nth > 1) return undefined
      mock.data.set(command.args[0], String(Number(mock.data.get(command.args[0]) ?? 0) + 1))
      return closeConnection({ abort: true })
    })
    const { client, errors } = await connected(mock)
    const ready = nextEvent(client, 'ready')
    const r = await within(outcome(client.sendCommand(['INCR', 'n'])), 'INCR')
    assert.ok(!r.ok && r.error instanceof OutcomeUnknownError, String(!r.ok && r.error))
    assert.ok((r as { error: Error }).error.cause instanceof Error, 'the connection error is the cause')
    await ready
    // PING goes after anything the client would resend; by its reply, a resent INCR would be logged.
    assert.equal(await client.sendCommand(['PING']), 'PONG')
    assert.equal(mock.count('INCR'), 1)
    assert.equal(await client.sendCommand(['GET', 'n']), '1')
    assert.ok(errors.length >= 1, 'the broken connection is reported on error')
    client.destroy()
  })

  test("retryWritten 'read-only' resends a written GET but not a written INCR", async () => {
    const mock = statefulMock()
    mock.data.set('k', 'v')
    mock.script('GET', (_cmd, _c, nth) => (nth === 1 ? closeConnection({ abort: true }) : undefined))
    const { client } = await connected(mock, { retryWritten: 'read-only' })
    // Same tick: one write, GET first. The server closes on the GET; the INCR behind it is never answered.
    const get = outcome(client.sendCommand(['GET', 'k']))
    const incr = outcome(client.sendCommand(['INCR', 'c']))
    const g = await within(get, 'GET')
    const i = await within(incr, 'INCR')
    assert.deepEqual(g, { ok: true, value: 'v' })
    assert.ok(!i.ok && i.error instanceof OutcomeUnknownError, String(!i.ok && i.error))
    assert.equal(await client.sendCommand(['PING']), 'PONG')
    assert.equal(mock.count('GET'), 2, 'GET sent twice: once per connection')
    assert.deepEqual(mock.connectionsOf('GET').length, 2)
    assert.equal(mock.count('INCR'), 0, 'INCR never resent')
    client.destroy()
  })

  test('retryWritten resends a command a bounded number of times: a GET whose reply breaks the connection every time fails', async () => {
    const mock = statefulMock()
    // Over maxBulkLength: a ProtocolError, every time.
    mock.script('GET', () => raw('$99999999999\r\n'))
    const { client } = await connected(mock, { retryWritten: 'read-only' })
    const r = await within(outcome(client.sendCommand(['GET', 'poison'])), 'GET poison')
    assert.ok(!r.ok && r.error instanceof OutcomeUnknownError, String(!r.ok && r.error))
    assert.ok((r as { error: Error }).error.cause instanceof ProtocolError)
    assert.equal(mock.count('GET'), 1 + MAX_RESENDS)
    assert.equal(await within(client.sendCommand(['PING']), 'PING'), 'PONG')
    client.destroy()
  })

  test('retryWritten off (the default) resends nothing, not even a GET', async () => {
    const mock = statefulMock()
    mock.script('GET', (_cmd, _c, nth) => (nth === 1 ? closeConnection({ abort: true }) : undefined))
    const { client } = await connected(mock)
    const g = await within(outcome(client.sendCommand(['GET', 'k'])), 'GET')
    assert.ok(!g.ok && g.error instanceof OutcomeUnknownError)
    assert.equal(await client.sendCommand(['PING']), 'PONG')
    assert.equal(mock.count('GET'), 1)
    client.destroy()
  })

  test('a retryWritten predicate decides per command; a predicate that throws means no', async () => {
    const mock = statefulMock()
    mock.script('ECHO', (_cmd, _c, nth) => (nth === 1 ? closeConnection({ abort: true }) : undefined))
    const seen: string[] = []
    const { client } = await connected(mock, {
      retryWritten: (args) => {
        seen.push(String(args[1]))
        if (args[1] === 'boom') throw new Error('predicate bug')
        return args[0] === 'INCR' && args[1] === 'safe'
      },
    })
    const echo = outcome(client.sendCommand(['ECHO', 'x']))
    const safe = outcome(client.sendCommand(['INCR', 'safe']))
    const unsafe = outcome(client.sendCommand(['INCR', 'unsafe']))
    const boom = outcome(client.sendCommand(['INCR', 'boom']))
    assert.deepEqual(await within(safe, 'INCR safe'), { ok: true, value: 1 })
    for (const [name, p] of [['ECHO', echo], ['INCR unsafe', unsafe], ['INCR boom', boom]] as const) {
      const r = await within(p, name)
      assert.ok(!r.ok && r.error instanceof OutcomeUnknownError, `${name}: ${String(!r.ok && r.error)}`)
    }
    assert.equal(await client.sendCommand(['PING']), 'PONG')
    assert.deepEqual(mock.log.filter((l) => l.name === 'INCR').map((l) => l.args[0]), ['safe'])
    assert.deepEqual(seen.sort(), ['boom', 'safe', 'unsafe', 'x'])
    client.destroy()
  })
})

describe('client delivery: timeouts and aborts', () => {
  test('a timeout before the write: CommandTimeoutError written=false, never sent', async () => {
    const mock = statefulMock()
    const { client } = await connected(mock, { socket: { reconnectStrategy: 20 } })
    mock.down = true
    const reconnecting = nextEvent(client, 'reconnecting')
    mock.server.close()
    await reconnecting
    const r = await within(outcome(client.sendCommand(['INCR', 'never'], { timeout: 20 })), 'INCR')
    assert.ok(!r.ok && r.error instanceof CommandTimeoutError, String(!r.ok && r.error))
    assert.equal((r as { error: CommandTimeoutError }).error.written, false)
    assert.equal((r as { error: CommandTimeoutError }).error.command, 'INCR')
    const ready = nextEvent(client, 'ready')
    mock.down = false
    await ready
    assert.equal(await client.sendCommand(['PING']), 'PONG')
    assert.equal(mock.count('INCR'), 0)
    client.destroy()
  })

  test('an abort before the write: CommandAbortedError written=false with the reason as cause, never sent', async () => {
    const mock = statefulMock()
    const { client } = await connected(mock, { socket: { reconnectStrategy: 20 } })
    const already = new AbortController()
    const reason = new Error('caller gave up')
    already.abort(reason)
    const a = await outcome(client.sendCommand(['INCR', 'x'], { abortSignal: already.signal }))
    assert.ok(!a.ok && a.error instanceof CommandAbortedError && a.error.written === false && a.error.cause === reason)
    // Aborted while waiting offline.
    mock.down = true
    const reconnecting = nextEvent(client, 'reconnecting')
    mock.server.close()
    await reconnecting
    const later = new AbortController()
    const p = outcome(client.sendCommand(['INCR', 'y'], { abortSignal: later.signal }))
    assert.equal(await isPending(p.then(() => undefined)), true)
    later.abort(reason)
    const b = await p
    assert.ok(!b.ok && b.error instanceof CommandAbortedError && b.error.written === false, String(!b.ok && b.error))
    const ready = nextEvent(client, 'ready')
    mock.down = false
    await ready
    assert.equal(await client.sendCommand(['PING']), 'PONG')
    assert.equal(mock.count('INCR'), 0)
    client.destroy()
  })

  test('a timeout after the write: written=true, and the late reply reaches no other caller', async () => {
    const mock = statefulMock()
    mock.data.set('fast', 'fast-value')
    // The reply comes 150 ms after the command: after the 100 ms timeout, before one more timeout.
    mock.script('GET', (cmd) => (cmd.args[0] === 'slow' ? delayed(150, 'late') : undefined))
    const { client } = await connected(mock)
    const slow = outcome(client.sendCommand(['GET', 'slow'], { timeout: 100 }))
    const s = await within(slow, 'GET slow')
    assert.ok(!s.ok && s.error instanceof CommandTimeoutError, String(!s.ok && s.error))
    assert.equal((s as { error: CommandTimeoutError }).error.written, true)
    // Sent after the timeout: held until the late reply has come (and been dropped), then written on the same connection.
    assert.equal(await within(client.sendCommand(['GET', 'fast']), 'GET fast'), 'fast-value')
    assert.equal(await client.sendCommand(['ECHO', 'mine']), 'mine')
    assert.equal(mock.attempts, 1, 'the late reply came in time: the connection was kept')
    client.destroy()
  })

  test('a timeout after the write whose reply never comes: the connection is replaced; commands written behind it are outcome-unknown', async () => {
    const mock = statefulMock()
    mock.data.set('fast', 'fast-value')
    mock.script('GET', (cmd) => (cmd.args[0] === 'slow' ? hang() : undefined))
    const { client } = await connected(mock)
    const reconnecting = nextEvent(client, 'reconnecting')
    const slow = outcome(client.sendCommand(['GET', 'slow'], { timeout: 50 }))
    const behind = outcome(client.sendCommand(['INCR', 'behind']))
    const s = await within(slow, 'GET slow')
    assert.ok(!s.ok && s.error instanceof CommandTimeoutError && s.error.written === true, String(!s.ok && s.error))
    // Issued after the timeout, while the connection still waits for the late reply: held
    // back (drained before reuse), so it goes out on the next connection, once, not as outcome-unknown.
    const afterwards = client.sendCommand(['INCR', 'afterwards'])
    await reconnecting
    const b = await within(behind, 'INCR behind')
    assert.ok(!b.ok && b.error instanceof OutcomeUnknownError, String(!b.ok && b.error))
    assert.equal(await within(afterwards, 'INCR afterwards'), 1)
    assert.equal(await within(client.sendCommand(['GET', 'fast']), 'GET fast'), 'fast-value')
    assert.equal(mock.attempts, 2)
    assert.deepEqual(mock.log.filter((l) => l.name === 'INCR').map((l) => [l.args[0], l.conn]), [['afterwards', mock.connectionsOf('GET').at(-1)]],
      'INCR behind was written to the hung connection and never resent; INCR afterwards went to the new one')
    client.destroy()
  })

  test('a timeout after the write on a command behind a slow one (no timeout): only it fails; the slow one still gets its reply', async () => {
    const mock = statefulMock()
    mock.script('ECHO', (cmd) => (cmd.args[0] === 'slow' ? delayed(120, 'slow') : undefined))
    const { client } = await connected(mock)
    const slow = client.sendCommand(['ECHO', 'slow'])
    const quick = outcome(client.sendCommand(['ECHO', 'quick'], { timeout: 100 }))
    const q = await within(quick, 'ECHO quick')
    assert.ok(!q.ok && q.error instanceof CommandTimeoutError && q.error.written === true)
    assert.equal(await within(slow, 'ECHO slow'), 'slow')
    assert.equal(await client.sendCommand(['ECHO', 'next']), 'next')
    client.destroy()
  })

  test('an abort after the write: written=true, the connection is replaced, the next command gets its own reply', async () => {
    const mock = statefulMock()
    mock.script('GET', (cmd) => (cmd.args[0] === 'slow' ? hang() : undefined))
    const { client } = await connected(mock)
    const controller = new AbortController()
    const p = outcome(client.sendCommand(['GET', 'slow'], { abortSignal: controller.signal }))
    await within(mock.seen('GET'), 'GET reached the server')
    const reconnecting = nextEvent(client, 'reconnecting')
    controller.abort(new Error('stop'))
    const r = await p
    assert.ok(!r.ok && r.error instanceof CommandAbortedError && r.error.written === true, String(!r.ok && r.error))
    assert.equal((r as { error: Error }).error.cause instanceof Error && ((r as { error: Error }).error.cause as Error).message, 'stop')
    await reconnecting
    assert.equal(await client.sendCommand(['ECHO', 'own']), 'own')
    assert.equal(mock.attempts, 2)
    client.destroy()
  })

  test('per-client default timeout applies, and a per-call timeout overrides it', async () => {
    const mock = statefulMock()
    mock.script('ECHO', (cmd) => (cmd.args[0] === 'slow' ? delayed(80, 'slow') : undefined))
    const { client } = await connected(mock, { commandOptions: { timeout: 30 } })
    const replaced = nextEvent(client, 'ready')
    const r = await within(outcome(client.sendCommand(['ECHO', 'slow'])), 'default timeout')
    assert.ok(!r.ok && r.error instanceof CommandTimeoutError && r.error.timeout === 30)
    await replaced // the reply (80 ms) comes after one more timeout (60 ms): the connection was replaced
    assert.equal(await within(client.sendCommand(['ECHO', 'slow'], { timeout: 2_000 }), 'override'), 'slow')
    client.destroy()
  })
})

describe('client delivery: the retry table, one row each', () => {
  const backoffRows = [
    ['LOADING', 'LOADING Redis is loading the dataset in memory'],
    ['BUSY', 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSCRIPT.'],
    ['MASTERDOWN', 'MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to \'no\'.'],
  ] as const
  for (const [code, message] of backoffRows) {
    test(`${code}: retried after a backoff on the same connection until it succeeds`, async () => {
      const mock = statefulMock()
      mock.script('SET', (_cmd, _c, nth) => (nth <= 2 ? new ReplyError(message) : undefined))
      const { client } = await connected(mock)
      assert.equal(await within(client.sendCommand(['SET', 'k', 'v']), `SET under ${code}`), 'OK')
      assert.equal(mock.count('SET'), 3)
      assert.equal(mock.connectionsOf('SET').length, 1, 'no reconnect')
      assert.equal(mock.data.get('k'), 'v')
      client.destroy()
    })
  }

  test('LOADING that does not end: the command fails with its timeout, not later', async () => {
    const mock = statefulMock()
    mock.script('GET', () => new ReplyError('LOADING Redis is loading the dataset in memory'))
    const { client } = await connected(mock)
    const r = await within(outcome(client.sendCommand(['GET', 'k'], { timeout: 300 })), 'GET under endless LOADING')
    assert.ok(!r.ok && r.error instanceof CommandTimeoutError, String(!r.ok && r.error))
    assert.ok(mock.count('GET') >= 2, 'retried at least once before the timeout')
    client.destroy()
  })

  for (const [code, message] of [
    ['READONLY', 'READONLY You can\'t write against a read only replica.'],
    ['NOAUTH', 'NOAUTH Authentication required.'],
  ] as const) {
    test(`${code}: the connection is replaced (handshake replayed), then the command is retried`, async () => {
      const mock = statefulMock()
      mock.script('SET', (_cmd, _c, nth) => (nth === 1 ? new ReplyError(message) : undefined))
      const { client } = await connected(mock)
      assert.equal(await within(client.sendCommand(['SET', 'k', 'v']), `SET under ${code}`), 'OK')
      assert.equal(mock.count('SET'), 2)
      assert.equal(mock.connectionsOf('SET').length, 2, 'retried on a new connection')
      assert.equal(mock.attempts, 2)
      assert.equal(mock.data.get('k'), 'v')
      client.destroy()
    })
  }

  for (const [code, message] of [
    ['ERR', 'ERR wrong number of arguments for \'get\' command'],
    ['MOVED', 'MOVED 3999 127.0.0.1:6381'],
    ['ASK', 'ASK 3999 127.0.0.1:6381'],
    ['WRONGTYPE', 'WRONGTYPE Operation against a key holding the wrong kind of value'],
    ['NOPERM', 'NOPERM this user has no permissions to run the \'get\' command'],
    ['OOM', 'OOM command not allowed when used memory > \'maxmemory\'.'],
    ['TRYAGAIN', 'TRYAGAIN Multiple keys request during rehashing of slot'],
    ['CLUSTERDOWN', 'CLUSTERDOWN The cluster is down'],
  ] as const) {
    test(`${code}: fails once with the server's ReplyError, not retried (standalone)`, async () => {
      const mock = statefulMock()
      mock.script('GET', () => new ReplyError(message))
      const { client } = await connected(mock)
      const r = await within(outcome(client.sendCommand(['GET', 'k'])), 'GET')
      assert.ok(!r.ok && r.error instanceof ReplyError, String(!r.ok && r.error))
      assert.equal((r as { error: ReplyError }).error.code, code)
      assert.equal((r as { error: ReplyError }).error.message, message)
      assert.equal(await client.sendCommand(['PING']), 'PONG')
      assert.equal(mock.count('GET'), 1)
      assert.equal(mock.attempts, 1)
      client.destroy()
    })
  }
})

describe('client delivery: INCR under random faults (mock, seeded)', () => {
  test('every promise settles, and counter == acknowledged + k with k <= the calls that may have run', async () => {
    let seed = 12345
    const rand = (): number => {
      seed = (seed * 1664525 + 1013904223) >>> 0
      return seed / 2 ** 32
    }
    const mock = statefulMock()
    let counter = 0
    mock.script('INCR', () => {
      const r = rand()
      if (r < 0.03) return closeConnection({ abort: true }) // not run, connection gone
      if (r < 0.06) {
        counter++ // ran, reply lost
        return closeConnection({ abort: true })
      }
      if (r < 0.09) return new ReplyError('LOADING Redis is loading the dataset in memory') // not run, retried
      counter++
      if (r < 0.15) return delayed(Math.floor(rand() * 30), counter)
      return counter
    })
    const { client } = await connected(mock)
    let acknowledged = 0
    let mayHaveRun = 0
    const unexpected: unknown[] = []
    for (let round = 0; round < 60; round++) {
      const calls: Promise<void>[] = []
      for (let i = 0; i < 20; i++) {
        const r = rand()
        const options = r < 0.1 ? { timeout: 1 + Math.floor(rand() * 20) } : r < 0.15 ? { abortSignal: AbortSignal.timeout(1 + Math.floor(rand() * 20)) } : undefined
        calls.push(client.sendCommand(['INCR', 'n'], options).then(
          () => { acknowledged++ },
          (e) => {
            if (e instanceof OutcomeUnknownError) mayHaveRun++
            else if ((e instanceof CommandTimeoutError || e instanceof CommandAbortedError)) mayHaveRun += e.written ? 1 : 0
            else if (!(e instanceof ReplyError && e.code === 'LOADING')) unexpected.push(e)
          },
        ))
      }
      if (rand() < 0.2) {
        const server = [...mock.server.connections].at(-1)
        server?.faults?.reset()
      }
      await within(Promise.all(calls), `round ${round}: every promise settles`)
    }
    assert.deepEqual(unexpected, [])
    const k = counter - acknowledged
    assert.ok(k >= 0, `counter ${counter} < acknowledged ${acknowledged}`)
    assert.ok(k <= mayHaveRun, `counter ${counter} = acknowledged ${acknowledged} + ${k} > ${mayHaveRun} calls that may have run`)
    assert.ok(mayHaveRun > 0 && acknowledged > 0, 'the faults happened')
    client.destroy()
  }, { timeout: 30_000 })
})

describe('client delivery: INCR under repeated CLIENT KILL (real server)', () => {
  let redis: RedisServer
  let killer: RawConnection
  before(async () => {
    redis = await startRedis()
    killer = await rawConnect({ port: redis.port, resp: 2 })
  })
  after(async () => {
    await killer?.close()
    await redis?.stop()
  })

  test('counter == acknowledged + k, with k <= the calls rejected as outcome unknown', async () => {
    const client = createClient({ socket: { port: redis.port, reconnectStrategy: 1 } })
    client.on('error', () => {})
    await client.connect()
    let acknowledged = 0
    let unknown = 0
    let kills = 0
    const other: unknown[] = []
    for (let round = 0; round < 10; round++) {
      const batch: Promise<unknown>[] = []
      for (let i = 0; i < 10_000; i++) batch.push(client.sendCommand(['INCR', 'counter']))
      const settled = Promise.allSettled(batch)
      // Kill while the batch is on its way, after a different number of replies each round:
      // some INCRs ran and were answered, some ran and were not, some never reached the
      // server. Our own killing connection is spared.
      await outcome(batch[(round * 797) % batch.length])
      kills += Number(await killer.send(['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes']))
      for (const r of await settled) {
        if (r.status === 'fulfilled') acknowledged++
        else if (r.reason instanceof OutcomeUnknownError) unknown++
        else other.push(r.reason)
      }
    }
    assert.deepEqual(other, [], 'every rejection is OutcomeUnknownError')
    const counter = Number(await killer.send(['GET', 'counter']))
    const k = counter - acknowledged
    assert.ok(kills > 0, 'the server killed the client at least once')
    assert.ok(unknown > 0, `some INCRs were in flight at a kill (kills ${kills})`)
    assert.ok(k >= 0, `counter ${counter} < acknowledged ${acknowledged}: an acknowledged INCR was lost`)
    if (process.env.RESPKIT_VERBOSE) console.log({ counter, acknowledged, unknown, kills, k })
    assert.ok(k <= unknown, `counter ${counter} = acknowledged ${acknowledged} + ${k}, but only ${unknown} were outcome-unknown: something ran twice`)
    await client.close()
  }, { timeout: 30_000 })

  test('64 KiB APPENDs under backpressure and CLIENT KILL: unwritten ones go out once after the reconnect; length == acknowledged + k', async () => {
    const client = createClient({ socket: { port: redis.port, reconnectStrategy: 1 } })
    client.on('error', () => {})
    await client.connect()
    const chunk = 'x'.repeat(64 * 1024)
    let acknowledged = 0
    let unknown = 0
    const other: unknown[] = []
    for (let round = 0; round < 4; round++) {
      // 6.4 MB at once: far past the transport's high-water mark, so most wait unwritten in the queue.
      const batch = Array.from({ length: 100 }, () => client.sendCommand(['APPEND', 'big', chunk]))
      const settled = Promise.allSettled(batch)
      await outcome(batch[round * 7])
      await killer.send(['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes'])
      for (const r of await within(settled, `round ${round}`, 20_000)) {
        if (r.status === 'fulfilled') acknowledged++
        else if (r.reason instanceof OutcomeUnknownError) unknown++
        else other.push(r.reason)
      }
    }
    assert.deepEqual(other, [])
    const length = Number(await killer.send(['STRLEN', 'big']))
    assert.equal(length % chunk.length, 0)
    const k = length / chunk.length - acknowledged
    if (process.env.RESPKIT_VERBOSE) console.log({ appended: length / chunk.length, acknowledged, unknown, k })
    assert.ok(k >= 0 && k <= unknown, `appended ${length / chunk.length} = acknowledged ${acknowledged} + ${k}, outcome-unknown ${unknown}`)
    assert.ok(acknowledged > 100, 'commands unwritten at a kill were sent after the reconnect')
    await client.close()
  }, { timeout: 30_000 })
})

