// Faults, from the server's side: malformed bytes, a server without HELLO, wrong passwords (the
// password must appear nowhere), a peer that goes silent (pingInterval, socket.socketTimeout, a
// handshake never answered), and real redis-server faults: DEBUG SLEEP, CLIENT PAUSE, SIGKILL
// and a restart on the same port, a port nobody listens on.

import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { after, before, describe, test } from '../support/runtime.ts'
import { ProtocolError, ReplyError } from '../../src/resp/index.ts'
import { hang, raw } from '../../src/testing/index.ts'
import { autoConnector } from '../../src/transport/auto.ts'
import type { Connector } from '../../src/transport/types.ts'
import {
  AuthenticationError, ClientClosedError, CommandTimeoutError, OutcomeUnknownError, ReconnectGaveUpError, createClient, type RedisClient,
} from '../../src/client/index.ts'
import { rawConnect, type RawConnection } from '../support/raw-connection.ts'
import { closedPort, silentListener } from '../support/ports.ts'
import { killAndRestartRedis, startRedis, type RedisServer } from '../support/redis.ts'
import { errorTexts, isPending, nextEvent, outcome, serverSide, statefulMock, within, connected } from './fault-support.ts'

/** A connector to a real server that counts connection attempts. */
function counting(): { connector: Connector; attempts: () => number } {
  let n = 0
  return { connector: (o, h) => { n++; return autoConnector(o, h) }, attempts: () => n }
}

describe('client faults: malformed bytes from the server', () => {
  test('in-flight commands reject with OutcomeUnknownError caused by a ProtocolError; the client reconnects and works', async () => {
    const mock = statefulMock()
    mock.data.set('k', 'v')
    mock.script('GET', (cmd, _c, nth) => (cmd.args[0] === 'bad' && nth === 1 ? raw('+OK\r\n\x00garbage') : undefined))
    const { client, errors } = await connected(mock)
    const ready = nextEvent(client, 'ready')
    // One write: the +OK answers the first; the garbage breaks the connection under the second.
    const first = outcome(client.sendCommand(['GET', 'bad']))
    const second = outcome(client.sendCommand(['GET', 'k']))
    assert.deepEqual(await within(first, 'first'), { ok: true, value: 'OK' })
    const s = await within(second, 'second')
    assert.ok(!s.ok && s.error instanceof OutcomeUnknownError, String(!s.ok && s.error))
    assert.ok((s as { error: Error }).error.cause instanceof ProtocolError, `cause: ${String((s as { error: Error }).error.cause)}`)
    await ready
    assert.equal(await client.sendCommand(['GET', 'k']), 'v')
    assert.ok(errors.some((e) => e instanceof ProtocolError), 'the ProtocolError is reported on error')
    assert.equal(mock.attempts, 2)
    client.destroy()
  })

  test('a reply nobody asked for breaks only that connection', async () => {
    const mock = statefulMock()
    const { client, errors } = await connected(mock)
    const ready = nextEvent(client, 'ready')
    serverSide(mock).sendRaw(':42\r\n')
    await ready
    assert.equal(await client.sendCommand(['ECHO', 'after']), 'after')
    assert.ok(errors.some((e) => e instanceof ProtocolError), errors.map(String).join('; '))
    client.destroy()
  })

  test('random garbage, 30 seeds: every promise settles, the client works after each', async () => {
    const mock = statefulMock()
    let seed = 1
    const next = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed }
    mock.script('GARBAGE', () => {
      const bytes = new Uint8Array(1 + (next() % 64))
      for (let i = 0; i < bytes.length; i++) bytes[i] = next() & 0xff
      bytes[0] = 0x00 // never a valid type byte: a protocol error, not a reply that waits for more
      return raw(bytes)
    })
    const { client } = await connected(mock)
    for (let i = 0; i < 30; i++) {
      const p = [outcome(client.sendCommand(['GARBAGE'])), outcome(client.sendCommand(['ECHO', 'x'])), outcome(client.sendCommand(['INCR', 'n']))]
      const results = await within(Promise.all(p), `round ${i}`)
      for (const r of results) assert.ok(!r.ok && r.error instanceof OutcomeUnknownError, String(!r.ok && r.error))
      assert.equal(await within(client.sendCommand(['ECHO', `ok${i}`]), `echo ${i}`), `ok${i}`)
    }
    client.destroy()
  })
})

describe('client faults: a server without HELLO', () => {
  test('falls back to RESP2 once, says so once, works, and stays on RESP2 after a reconnect', async () => {
    const mock = statefulMock({ hello: false })
    const client = createClient({ connector: mock.connector, socket: { reconnectStrategy: 1 } })
    client.on('error', () => {})
    let fallbacks = 0
    client.on('resp2-fallback', () => fallbacks++)
    await within(client.connect(), 'connect')
    assert.equal(client.RESP, 2)
    assert.equal(client.fellBackToResp2, true)
    assert.equal(fallbacks, 1)
    assert.equal(await client.sendCommand(['SET', 'k', 'v']), 'OK')
    assert.equal(await client.sendCommand(['GET', 'k']), 'v')
    const ready = nextEvent(client, 'ready')
    serverSide(mock).faults!.reset()
    await ready
    assert.equal(await client.sendCommand(['GET', 'k']), 'v')
    assert.equal(fallbacks, 1, 'the fallback is announced once')
    assert.equal(client.RESP, 2)
    client.destroy()
  })
})

/** Everything a user might print or log about a failed client: the password must be in none. */
function assertNoPassword(password: string, client: RedisClient, error: unknown, events: unknown[]): void {
  const texts: Array<string | undefined> = [
    ...errorTexts(error),
    JSON.stringify(error),
    inspect(error, { depth: 10, showHidden: true }),
    String(error),
    JSON.stringify(client),
    String(client),
    inspect(client, { depth: 10, showHidden: true }),
    JSON.stringify(client.options),
    inspect(client.options, { depth: 10 }),
    ...events.flatMap((e) => [...errorTexts(e), inspect(e, { depth: 10, showHidden: true })]),
  ]
  for (const t of texts) assert.ok(t === undefined || !t.includes(password), `the password appears in: ${String(t).slice(0, 300)}`)
}

describe('client faults: a server still loading at connect time', () => {
  test('HELLO answered with LOADING: the attempt is retried by the strategy, then connect() resolves', async () => {
    const mock = statefulMock({ hello: false })
    mock.script('HELLO', (_c, _conn, nth) => (nth <= 2 ? new ReplyError('LOADING Redis is loading the dataset in memory') : undefined))
    const seen: number[] = []
    const client = createClient({ connector: mock.connector, socket: { reconnectStrategy: (retries) => { seen.push(retries); return 1 } } })
    client.on('error', () => {})
    await within(client.connect(), 'connect')
    assert.deepEqual(seen, [0, 1])
    assert.equal(mock.attempts, 3)
    assert.equal(await client.sendCommand(['ECHO', 'loaded']), 'loaded')
    client.destroy()
  })
})

describe('client faults: a wrong password', () => {
  for (const RESP of [3, 2] as const) {
    test(`mock answering WRONGPASS (RESP${RESP}): connect() rejects at once with AuthenticationError, one attempt, no password anywhere`, async () => {
      const mock = statefulMock({ hello: false })
      const wrongpass = (): ReplyError => new ReplyError('WRONGPASS invalid username-password pair or user is disabled.')
      mock.script('HELLO', wrongpass)
      mock.script('AUTH', wrongpass)
      const password = 'canary-Pw-8d1f2e'
      // Default reconnect strategy: a retry loop would show as more attempts.
      const client = createClient({ connector: mock.connector, password, RESP })
      const events: unknown[] = []
      client.on('error', (e) => events.push(e))
      const r = await within(outcome(client.connect()), 'connect')
      assert.ok(!r.ok && r.error instanceof AuthenticationError, String(!r.ok && r.error))
      assert.equal(mock.attempts, 1)
      assert.equal(client.isOpen, false)
      assert.equal(mock.count(RESP === 3 ? 'HELLO' : 'AUTH'), 1)
      const c = await outcome(client.sendCommand(['PING']))
      assert.ok(!c.ok && c.error instanceof ClientClosedError)
      assert.equal(mock.attempts, 1, 'still one attempt')
      // The password did go to the server (so the canary is a real one)...
      assert.ok(mock.log.some((l) => l.args.includes(password)))
      // ...and nowhere else.
      assertNoPassword(password, client, (r as { error: Error }).error, events)
    })
  }

  describe('real server with requirepass', () => {
    let redis: RedisServer
    const good = 'good-Secret-41a7'
    before(async () => { redis = await startRedis({ password: good }) })
    after(async () => { await redis?.stop() })

    test('a wrong password: AuthenticationError at once, one attempt, the password nowhere', async () => {
      const wrong = 'canary-Wrong-77c3'
      const { connector, attempts } = counting()
      const client = createClient({ connector, socket: { port: redis.port }, password: wrong })
      const events: unknown[] = []
      client.on('error', (e) => events.push(e))
      const r = await within(outcome(client.connect()), 'connect')
      assert.ok(!r.ok && r.error instanceof AuthenticationError, String(!r.ok && r.error))
      assert.equal(attempts(), 1)
      assert.equal(client.isOpen, false)
      assertNoPassword(wrong, client, (r as { error: Error }).error, events)
    })

    test('the same through a URL with a percent-encoded password', async () => {
      const wrong = 'canary:Url/Pw@99'
      const { connector, attempts } = counting()
      const client = createClient({ connector, url: `redis://default:${encodeURIComponent(wrong)}@127.0.0.1:${redis.port}` })
      const events: unknown[] = []
      client.on('error', (e) => events.push(e))
      const r = await within(outcome(client.connect()), 'connect')
      assert.ok(!r.ok && r.error instanceof AuthenticationError, String(!r.ok && r.error))
      assert.equal(attempts(), 1)
      assertNoPassword(wrong, client, (r as { error: Error }).error, events)
      assertNoPassword(encodeURIComponent(wrong), client, (r as { error: Error }).error, events)
    })

    test('no password at all: AuthenticationError at once, one attempt', async () => {
      const { connector, attempts } = counting()
      const client = createClient({ connector, socket: { port: redis.port } })
      client.on('error', () => {})
      const r = await within(outcome(client.connect()), 'connect')
      assert.ok(!r.ok && r.error instanceof AuthenticationError, String(!r.ok && r.error))
      assert.equal(attempts(), 1)
    })

    test('the right password works, and the client never shows it', async () => {
      const client = createClient({ socket: { port: redis.port }, password: good })
      client.on('error', () => {})
      await within(client.connect(), 'connect')
      try {
        assert.equal(await client.sendCommand(['PING']), 'PONG')
        assertNoPassword(good, client, undefined, [])
      } finally {
        await client.close()
      }
    })
  })
})

describe('client faults: a peer that goes silent', () => {
  test('pingInterval: a stalled link (no traffic, no RST) is detected and the connection replaced', async () => {
    const mock = statefulMock()
    const { client, errors } = await connected(mock, { pingInterval: 40 })
    assert.equal(await client.sendCommand(['ECHO', 'before']), 'before')
    const reconnecting = nextEvent(client, 'reconnecting')
    const ready = nextEvent(client, 'ready')
    serverSide(mock).faults!.stall()
    await reconnecting
    await ready
    assert.equal(mock.attempts, 2)
    assert.ok(errors.some((e) => /pingInterval/.test(e.message)), errors.map(String).join('; '))
    assert.equal(await client.sendCommand(['ECHO', 'after']), 'after')
    client.destroy()
  })

  test('pingInterval over real TCP: a server that stops answering (socket open, no RST) is detected the same way', async () => {
    const mock = statefulMock()
    const listener = await mock.server.listen()
    try {
      const client = createClient({ socket: { port: listener.port!, reconnectStrategy: 1 }, pingInterval: 40 })
      client.on('error', () => {})
      await within(client.connect(), 'connect')
      mock.script('PING', (_c, _conn, nth) => (nth === 1 ? hang() : undefined))
      await within(nextEvent(client, 'reconnecting'), 'reconnecting')
      await within(nextEvent(client, 'ready'), 'ready')
      assert.equal(await client.sendCommand(['ECHO', 'after']), 'after')
      await within(mock.seen('PING', 2), 'a health check on the new connection too')
      client.destroy()
    } finally {
      await mock.server.close()
      await listener.close()
    }
  })

  test('socket.socketTimeout: no byte while a reply is awaited replaces the connection; the command is outcome-unknown', async () => {
    const mock = statefulMock()
    mock.script('GET', (cmd) => (cmd.args[0] === 'hang' ? hang() : undefined))
    const { client } = await connected(mock, { socket: { reconnectStrategy: 1, socketTimeout: 60 } })
    const ready = nextEvent(client, 'ready')
    const r = await within(outcome(client.sendCommand(['GET', 'hang'])), 'GET hang')
    assert.ok(!r.ok && r.error instanceof OutcomeUnknownError, String(!r.ok && r.error))
    assert.match(String((r as { error: Error }).error.cause), /socketTimeout/)
    await ready
    assert.equal(await client.sendCommand(['ECHO', 'after']), 'after')
    client.destroy()
  })

  test('socket.socketTimeout counts from the write, not from the end of an idle spell', async () => {
    const mock = statefulMock()
    const { delayed } = await import('../../src/testing/index.ts')
    mock.script('ECHO', (cmd) => (cmd.args[0] === 'slow' ? delayed(50, 'slow') : undefined))
    const { client } = await connected(mock, { socket: { reconnectStrategy: 1, socketTimeout: 120 } })
    // Idle for longer than the socket timeout (the scenario itself, not a synchronisation).
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.equal(await within(client.sendCommand(['ECHO', 'slow']), 'ECHO slow'), 'slow')
    assert.equal(mock.attempts, 1, 'the connection was kept')
    client.destroy()
  })

  test('a server that accepts but never answers the handshake: connect() settles within connectTimeout per attempt', async () => {
    const silent = await silentListener()
    const seen: number[] = []
    const client = createClient({
      socket: { port: silent.port, connectTimeout: 150, reconnectStrategy: (retries) => { seen.push(retries); return retries < 1 ? 1 : false } },
    })
    client.on('error', () => {})
    const r = await within(outcome(client.connect()), 'connect', 3_000)
    assert.ok(!r.ok && r.error instanceof ReconnectGaveUpError, String(!r.ok && r.error))
    assert.ok((r as { error: Error }).error.cause instanceof CommandTimeoutError, String((r as { error: Error }).error.cause))
    assert.deepEqual(seen, [0, 1])
    await silent.close()
  })
})

describe('client faults: the reconnect strategy', () => {
  test('a closed port: retries seen are 0,1,2,3; false gives ReconnectGaveUpError; queued commands are rejected, never sent', async () => {
    const port = await closedPort()
    const seen: number[] = []
    const client = createClient({ socket: { port, reconnectStrategy: (retries) => { seen.push(retries); return retries < 3 ? 1 : false } } })
    const events: string[] = []
    client.on('error', () => events.push('error'))
    client.on('reconnecting', () => events.push('reconnecting'))
    client.on('end', () => events.push('end'))
    const connecting = outcome(client.connect())
    const queued = outcome(client.sendCommand(['INCR', 'x']))
    const r = await within(connecting, 'connect')
    assert.ok(!r.ok && r.error instanceof ReconnectGaveUpError, String(!r.ok && r.error))
    assert.equal((r as { error: ReconnectGaveUpError }).error.attempts, 4)
    assert.deepEqual(seen, [0, 1, 2, 3])
    const q = await within(queued, 'queued')
    assert.ok(!q.ok && q.error instanceof ClientClosedError, String(!q.ok && q.error))
    assert.equal(client.isOpen, false)
    assert.equal(events.filter((e) => e === 'reconnecting').length, 3)
    assert.equal(events.at(-1), 'end')
  })

  test("the strategy's own Error is what connect() rejects with", async () => {
    const port = await closedPort()
    const mine = new Error('enough of this')
    const client = createClient({ socket: { port, reconnectStrategy: (retries) => (retries < 2 ? 1 : mine) } })
    client.on('error', () => {})
    const r = await within(outcome(client.connect()), 'connect')
    assert.ok(!r.ok && r.error === mine, String(!r.ok && r.error))
  })

  test('a strategy that throws, or returns something that is not a delay, ends connect() with that error (no loop)', async () => {
    const port = await closedPort()
    const bug = new Error('strategy bug')
    for (const [strategy, check] of [
      [() => { throw bug }, (e: unknown) => e === bug],
      [() => Number.NaN, (e: unknown) => e instanceof TypeError && /reconnectStrategy/.test(e.message)],
      [() => -1, (e: unknown) => e instanceof TypeError],
    ] as const) {
      const { connector, attempts } = counting()
      const client = createClient({ connector, socket: { port, reconnectStrategy: strategy as () => number } })
      client.on('error', () => {})
      const r = await within(outcome(client.connect()), 'connect')
      assert.ok(!r.ok && check(r.error), String(!r.ok && r.error))
      assert.equal(attempts(), 1)
      assert.equal(client.isOpen, false)
    }
  })

  test('retries go back to 0 after a successful reconnect', async () => {
    const mock = statefulMock()
    const seen: number[] = []
    const client = createClient({
      connector: mock.connector,
      socket: {
        reconnectStrategy: (retries) => {
          seen.push(retries)
          if (retries === 2) mock.down = false
          return 1
        },
      },
    })
    client.on('error', () => {})
    await client.connect()
    for (let outage = 0; outage < 2; outage++) {
      const ready = nextEvent(client, 'ready')
      mock.down = true
      serverSide(mock).faults!.reset()
      await within(ready, `ready after outage ${outage}`)
    }
    assert.deepEqual(seen, [0, 1, 2, 0, 1, 2])
    client.destroy()
  })
})

describe('client faults: a real redis-server misbehaving', () => {
  let redis: RedisServer
  let admin: RawConnection
  const config = { 'enable-debug-command': 'yes' }
  before(async () => {
    redis = await startRedis({ config })
    admin = await rawConnect({ port: redis.port, resp: 2 })
  })
  after(async () => {
    await admin?.close()
    await redis?.stop()
  })

  test('DEBUG SLEEP past a command timeout: typed error with written=true, the connection replaced, the next command gets its own reply', async () => {
    const client = createClient({ socket: { port: redis.port, reconnectStrategy: 1 } })
    client.on('error', () => {})
    await client.connect()
    await client.sendCommand(['SET', 'sleep:k', 'mine'])
    const reconnecting = nextEvent(client, 'reconnecting')
    const r = await within(outcome(client.sendCommand(['DEBUG', 'SLEEP', '1'], { timeout: 100 })), 'DEBUG SLEEP')
    assert.ok(!r.ok && r.error instanceof CommandTimeoutError && r.error.written === true, String(!r.ok && r.error))
    await within(reconnecting, 'reconnecting') // its reply did not come within one more timeout
    // The new connection's handshake waits for the sleep to end; then the GET gets its own reply, not DEBUG's +OK.
    assert.equal(await within(client.sendCommand(['GET', 'sleep:k']), 'GET'), 'mine')
    await client.close()
  })

  test('CLIENT PAUSE WRITE: a write waits and runs exactly once; a timed-out write during PAUSE ALL leaves the client usable', async () => {
    const client = createClient({ socket: { port: redis.port, reconnectStrategy: 1 } })
    client.on('error', () => {})
    await client.connect()
    assert.equal(await admin.send(['CLIENT', 'PAUSE', '200', 'WRITE']), 'OK')
    const incr = client.sendCommand(['INCR', 'pause:n'])
    assert.equal(await isPending(incr), true)
    assert.equal(await within(incr, 'INCR during pause'), 1)
    assert.equal(await admin.send(['GET', 'pause:n']), '1')

    assert.equal(await admin.send(['CLIENT', 'PAUSE', '800', 'ALL']), 'OK')
    const replaced = nextEvent(client, 'ready')
    const t = await within(outcome(client.sendCommand(['INCR', 'pause:m'], { timeout: 80 })), 'INCR with timeout')
    assert.ok(!t.ok && t.error instanceof CommandTimeoutError && t.error.written === true, String(!t.ok && t.error))
    await within(replaced, 'a new connection, ready once the pause ends')
    assert.equal(await within(client.sendCommand(['ECHO', 'after-pause']), 'ECHO after pause'), 'after-pause')
    const m = await admin.send(['GET', 'pause:m'])
    assert.ok(m === null || m === '1', `pause:m = ${String(m)}: at most once`)
    await client.close()
  })

  test('CLIENT KILL: the reconnect lands in the database chosen by select() or by sendCommand SELECT', async () => {
    const client = createClient({ socket: { port: redis.port, reconnectStrategy: 1 } })
    client.on('error', () => {})
    await client.connect()
    const kill = async (): Promise<void> => {
      const ready = nextEvent(client, 'ready')
      assert.ok(Number(await admin.send(['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes'])) >= 1)
      await within(ready, 'ready after the kill')
    }
    await client.select(5)
    await client.sendCommand(['SET', 'db:k', 'in5'])
    await kill()
    assert.equal(await client.sendCommand(['GET', 'db:k']), 'in5')
    assert.equal(await client.sendCommand(['SELECT', '7']), 'OK')
    await client.sendCommand(['SET', 'db:k', 'in7'])
    await kill()
    assert.equal(await client.sendCommand(['GET', 'db:k']), 'in7', 'a SELECT sent by hand is replayed too')
    await client.close()
  })

  test('SIGSTOP of the server (a dead peer: no traffic, no RST): pingInterval replaces the connection, the handshake times out until SIGCONT, a queued INCR runs once after', async () => {
    const client = createClient({ socket: { port: redis.port, reconnectStrategy: 5, connectTimeout: 150 }, pingInterval: 50 })
    const errors: Error[] = []
    client.on('error', (e: Error) => errors.push(e))
    await client.connect()
    const reconnecting = nextEvent(client, 'reconnecting')
    process.kill(redis.pid, 'SIGSTOP')
    let incr: Promise<unknown>
    try {
      await within(reconnecting, 'the dead peer detected')
      incr = client.sendCommand(['INCR', 'stop:n'])
      // Reconnects reach the kernel's backlog, but HELLO gets no answer: each attempt times out.
      while (!errors.some((e) => e instanceof CommandTimeoutError)) await within(nextEvent(client, 'error'), 'a handshake timeout')
    } finally {
      process.kill(redis.pid, 'SIGCONT')
    }
    assert.equal(await within(incr!, 'INCR after SIGCONT'), 1)
    assert.ok(errors.some((e) => /pingInterval/.test(e.message)), errors.map(String).join('; '))
    assert.equal(await admin.send(['GET', 'stop:n']), '1')
    await client.close()
  })

  test('SIGKILL and restart on the same port: commands issued during the outage are delivered after the restart, once each', async () => {
    const client = createClient({ socket: { port: redis.port, reconnectStrategy: 5 } })
    client.on('error', () => {})
    await client.connect()
    assert.equal(await client.sendCommand(['SET', 'before', 'x']), 'OK')
    await admin.close()
    const reconnecting = nextEvent(client, 'reconnecting', 10_000)
    const restarted = killAndRestartRedis(redis, { config })
    await reconnecting
    const during = Array.from({ length: 20 }, () => client.sendCommand(['INCR', 'outage:n']))
    redis = await within(restarted, 'restart', 15_000)
    const values = await within(Promise.all(during), 'commands queued during the outage', 10_000)
    assert.deepEqual(values, Array.from({ length: 20 }, (_, i) => i + 1))
    admin = await rawConnect({ port: redis.port, resp: 2 })
    assert.equal(await admin.send(['GET', 'outage:n']), '20')
    assert.equal(await admin.send(['GET', 'before']), null, 'a fresh server: the dataset went with the old one')
    await client.close()
  }, { timeout: 30_000 })
})
