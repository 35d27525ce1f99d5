// Connecting to real redis-server processes: plain TCP, a Unix socket, ::1, requirepass and an
// ACL user (by option and by URL), refused credentials (rejected at once, no retry loop), RESP2
// and RESP3 handshakes, the connection name and database (checked from another connection), the
// handshake replayed after CLIENT KILL, the connection events and isOpen/isReady at each stage,
// and the reconnect strategy's arguments. TLS is in connect-tls.test.ts.

import assert from 'node:assert/strict'
import { after, before, describe, test } from '../support/runtime.ts'
import { rawCommand, startRedis, type RedisServer } from '../support/redis.ts'
import { closedPort } from '../support/ports.ts'
import {
  AuthenticationError, ClientClosedError, HandshakeError, ReconnectGaveUpError, createClient, type ClientOptions, type RedisClient,
} from '../../src/client/index.ts'
import { ConnectionRefusedError } from '../../src/transport/errors.ts'

const PASSWORD = 'req-Pw-31c'
// An ACL user whose password needs percent-encoding in a URL.
const USER = 'app:us@er'
const USER_PASSWORD = 'p@ss:w/rd%x'

let plain: RedisServer
let secured: RedisServer
let admin: RedisClient

/** Everything a client emitted, in order, with isOpen/isReady as they were at that moment. */
interface Recorder {
  readonly events: string[]
  readonly states: Array<{ event: string; isOpen: boolean; isReady: boolean }>
  readonly errors: Error[]
}

function record(client: RedisClient): Recorder {
  const r: Recorder = { events: [], states: [], errors: [] }
  for (const event of ['connect', 'ready', 'end', 'error', 'reconnecting']) {
    client.on(event, (arg: unknown) => {
      r.events.push(event)
      r.states.push({ event, isOpen: client.isOpen, isReady: client.isReady })
      if (event === 'error') r.errors.push(arg as Error)
    })
  }
  return r
}

/** Resolves on the client's next `event`. */
function next(client: RedisClient, event: string): Promise<void> {
  return new Promise((resolve) => client.once(event, () => resolve()))
}

function count(list: readonly string[], item: string): number {
  return list.filter((x) => x === item).length
}

/** The rejection of a promise that must reject. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (err) {
    return err as Error
  }
  assert.fail('expected a rejection')
}

/** The CLIENT LIST line of the connection with this id, seen from the admin connection. */
async function clientLine(id: number): Promise<string> {
  const list = (await admin.sendCommand(['CLIENT', 'LIST', 'ID', String(id)])) as string
  const line = list.split('\n').find((l) => l.startsWith(`id=${id} `))
  assert.ok(line !== undefined, `no CLIENT LIST line for id ${id}: ${list}`)
  return line
}

function field(line: string, name: string): string | undefined {
  return line.split(' ').find((kv) => kv.startsWith(`${name}=`))?.slice(name.length + 1)
}

/** Connects, runs fn, always destroys. */
async function using(options: ClientOptions, fn: (client: RedisClient, r: Recorder) => Promise<void>): Promise<void> {
  const client = createClient(options)
  const r = record(client)
  try {
    await client.connect()
    await fn(client, r)
  } finally {
    client.destroy()
  }
}

before(async () => {
  ;[plain, secured] = await Promise.all([
    startRedis({ unix: true, ipv6: true }),
    startRedis({ password: PASSWORD, users: [{ name: USER, password: USER_PASSWORD }, { name: 'limited', password: 'lim-pw', rules: '~* -@all +ping' }] }),
  ])
  admin = createClient({ socket: { port: plain.port } })
  admin.on('error', () => {})
  await admin.connect()
})

after(async () => {
  admin?.destroy()
  await Promise.all([plain?.stop(), secured?.stop()])
})

describe('connect: where', () => {
  test('127.0.0.1 by host and port: connect() resolves with the client, ready', async () => {
    const client = createClient({ socket: { host: '127.0.0.1', port: plain.port } })
    const r = record(client)
    try {
      assert.equal(await client.connect(), client)
      assert.equal(client.isReady, true)
      assert.equal(await client.sendCommand(['PING']), 'PONG')
      assert.deepEqual(r.events, ['connect', 'ready'])
    } finally {
      client.destroy()
    }
  })

  test('by URL redis://127.0.0.1:port', async () => {
    await using({ url: `redis://127.0.0.1:${plain.port}` }, async (client) => {
      assert.equal(await client.sendCommand(['PING']), 'PONG')
    })
  })

  test('localhost by name', async () => {
    await using({ socket: { host: 'localhost', port: plain.port } }, async (client) => {
      assert.equal(await client.sendCommand(['ECHO', 'by name']), 'by name')
    })
  })

  test('::1, by option and by URL redis://[::1]:port', async () => {
    for (const options of [{ socket: { host: '::1', port: plain.port } }, { url: `redis://[::1]:${plain.port}` }]) {
      await using(options, async (client) => {
        const id = (await client.sendCommand(['CLIENT', 'ID'])) as number
        const addr = field(await clientLine(id), 'addr') ?? ''
        assert.ok(addr.startsWith('[::1]:') || addr.startsWith('::1:'), `the server saw ${addr}`)
      })
    }
  })

  test('a Unix socket', async () => {
    await using({ socket: { path: plain.socketPath! } }, async (client) => {
      const id = (await client.sendCommand(['CLIENT', 'ID'])) as number
      assert.ok((await clientLine(id)).includes(' flags=U '), 'the server sees a Unix socket client')
    })
  })

  test('a refused port with reconnectStrategy false: connect() rejects with ReconnectGaveUpError, cause ConnectionRefusedError', async () => {
    const client = createClient({ socket: { port: await closedPort(), reconnectStrategy: false } })
    const r = record(client)
    const err = await rejection(client.connect())
    assert.ok(err instanceof ReconnectGaveUpError, `got ${String(err)}`)
    assert.ok(err.cause instanceof ConnectionRefusedError, `cause ${String(err.cause)}`)
    assert.equal(count(r.events, 'reconnecting'), 0)
    assert.equal(client.isOpen, false)
    assert.equal(r.events.at(-1), 'end')
  })
})

describe('connect: credentials', () => {
  const secure = (extra: ClientOptions): ClientOptions => ({ ...extra, socket: { port: secured.port, ...extra.socket } })

  test('requirepass by the password option', async () => {
    await using(secure({ password: PASSWORD }), async (client) => {
      assert.equal(await client.sendCommand(['ACL', 'WHOAMI']), 'default')
    })
  })

  test('requirepass in the URL', async () => {
    await using({ url: `redis://:${PASSWORD}@127.0.0.1:${secured.port}` }, async (client) => {
      assert.equal(await client.sendCommand(['ACL', 'WHOAMI']), 'default')
    })
  })

  test('default user named explicitly, in the URL', async () => {
    await using({ url: `redis://default:${PASSWORD}@127.0.0.1:${secured.port}` }, async (client) => {
      assert.equal(await client.sendCommand(['ACL', 'WHOAMI']), 'default')
    })
  })

  for (const RESP of [2, 3] as const) {
    test(`an ACL user by username and password options (RESP${RESP})`, async () => {
      await using(secure({ username: USER, password: USER_PASSWORD, RESP }), async (client) => {
        assert.equal(await client.sendCommand(['ACL', 'WHOAMI']), USER)
        assert.equal(client.RESP, RESP)
      })
    })
  }

  test('an ACL user in the URL, @ : / % percent-encoded', async () => {
    const url = `redis://${encodeURIComponent(USER)}:${encodeURIComponent(USER_PASSWORD)}@127.0.0.1:${secured.port}`
    await using({ url }, async (client) => {
      assert.equal(await client.sendCommand(['ACL', 'WHOAMI']), USER)
    })
  })

  const refused: Array<[string, ClientOptions]> = [
    ['a wrong password (RESP3, HELLO AUTH)', { password: 'wrong-password' }],
    ['a wrong password (RESP2, AUTH)', { password: 'wrong-password', RESP: 2 }],
    ['an unknown user', { username: 'ghost', password: PASSWORD }],
    ['an unknown user (RESP2)', { username: 'ghost', password: PASSWORD, RESP: 2 }],
    ['the right user with the wrong password', { username: USER, password: PASSWORD }],
    ['no password where one is required (RESP3)', {}],
    ['no password where one is required (RESP2, then a command)', { RESP: 2, name: 'needs-auth' }],
  ]
  for (const [what, options] of refused) {
    test(`${what}: connect() rejects at once with AuthenticationError, no retry`, async () => {
      const strategyCalls: number[] = []
      const client = createClient(secure({ ...options, socket: { reconnectStrategy: (retries) => { strategyCalls.push(retries); return 10 } } }))
      const r = record(client)
      const err = await rejection(client.connect())
      assert.ok(err instanceof AuthenticationError, `got ${err?.name}: ${err?.message}`)
      assert.ok(err instanceof HandshakeError)
      assert.equal(err.name, 'AuthenticationError')
      assert.equal(count(r.events, 'reconnecting'), 0, `events: ${r.events.join(', ')}`)
      assert.deepEqual(strategyCalls, [], 'the reconnect strategy is not even asked')
      assert.equal(count(r.events, 'connect'), 1, 'one connection, not a loop')
      assert.equal(client.isOpen, false)
      assert.equal(client.isReady, false)
      // The client is closed: commands are refused, not queued forever.
      assert.ok((await rejection(client.sendCommand(['PING']))) instanceof ClientClosedError)
    })
  }

  test('a password for a server that has none: RESP3 connects (HELLO AUTH of a nopass user), RESP2 AUTH is refused at once', async () => {
    await using({ socket: { port: plain.port }, password: 'not-needed' }, async (client) => {
      assert.equal(await client.sendCommand(['ACL', 'WHOAMI']), 'default')
    })
    const client = createClient({ socket: { port: plain.port }, password: 'not-needed', RESP: 2 })
    const r = record(client)
    const err = await rejection(client.connect())
    assert.ok(err instanceof AuthenticationError, `got ${err?.name}: ${err?.message}`)
    assert.ok(!err.message.includes('not-needed') && !String((err.cause as Error)?.message).includes('not-needed'))
    assert.equal(count(r.events, 'reconnecting'), 0)
  })

  test('a user not allowed to SELECT: HandshakeError (SELECT, NOPERM), no retry', async () => {
    const client = createClient(secure({ username: 'limited', password: 'lim-pw', database: 1 }))
    const r = record(client)
    try {
      const err = await rejection(client.connect())
      assert.ok(err instanceof HandshakeError, `got ${err?.name}: ${err?.message}`)
      assert.equal(err.step, 'SELECT')
      assert.equal((err.cause as { code?: string }).code, 'NOPERM')
      assert.equal(count(r.events, 'reconnecting'), 0)
      assert.equal(client.isOpen, false)
    } finally {
      client.destroy()
    }
  })
})

describe('connect: handshake', () => {
  const at = (extra: ClientOptions = {}): ClientOptions => ({ ...extra, socket: { port: plain.port, ...extra.socket } })

  async function helloCalls(): Promise<number> {
    const info = (await admin.sendCommand(['INFO', 'commandstats'])) as string
    return Number(/cmdstat_hello:calls=(\d+)/.exec(info)?.[1] ?? 0)
  }

  test('RESP 3 (the default) sends HELLO 3 and gets RESP3 replies', async () => {
    const before = await helloCalls()
    await using(at(), async (client) => {
      assert.equal(await helloCalls(), before + 1, 'one HELLO')
      assert.equal(client.RESP, 3)
      assert.equal(client.fellBackToResp2, false)
      const id = (await client.sendCommand(['CLIENT', 'ID'])) as number
      assert.equal(field(await clientLine(id), 'resp'), '3')
      await client.sendCommand(['HSET', 'conn:h', 'f', 'v'])
      assert.deepEqual({ ...(await client.sendCommand(['HGETALL', 'conn:h']) as object) }, { f: 'v' }, 'a RESP3 map')
      assert.equal(await client.sendCommand(['HELLO']).then((h) => (h as Record<string, unknown>).proto), 3)
    })
  })

  test('RESP 2 sends no HELLO and gets RESP2 replies', async () => {
    const before = await helloCalls()
    await using(at({ RESP: 2 }), async (client) => {
      assert.equal(await helloCalls(), before, 'no HELLO')
      assert.equal(client.RESP, 2)
      const id = (await client.sendCommand(['CLIENT', 'ID'])) as number
      assert.equal(field(await clientLine(id), 'resp'), '2')
      await client.sendCommand(['HSET', 'conn:h2', 'f', 'v'])
      assert.deepEqual(await client.sendCommand(['HGETALL', 'conn:h2']), ['f', 'v'], 'a RESP2 flat array')
    })
  })

  for (const RESP of [2, 3] as const) {
    test(`name shows in CLIENT LIST and CLIENT GETNAME (RESP${RESP})`, async () => {
      const name = `respkit-name-${RESP}`
      await using(at({ name, RESP }), async (client) => {
        assert.equal(await client.sendCommand(['CLIENT', 'GETNAME']), name)
        const id = (await client.sendCommand(['CLIENT', 'ID'])) as number
        assert.equal(field(await clientLine(id), 'name'), name, 'seen from another connection')
      })
    })

    test(`database selects it: the key is there, seen from a raw connection (RESP${RESP})`, async () => {
      const key = `conn:db:${RESP}`
      await using(at({ database: 7, RESP }), async (client) => {
        assert.equal(await client.sendCommand(['SET', key, 'x']), 'OK')
        const id = (await client.sendCommand(['CLIENT', 'ID'])) as number
        assert.equal(field(await clientLine(id), 'db'), '7')
      })
      const endpoint = { host: '127.0.0.1', port: plain.port }
      assert.equal(await rawCommand(endpoint, `SELECT 7\r\nEXISTS ${key}\r\n`), '+OK\r\n:1\r\n')
      assert.equal(await rawCommand(endpoint, `EXISTS ${key}\r\n`), ':0\r\n', 'not in database 0')
    })
  }

  test('database from the URL path', async () => {
    await using({ url: `redis://127.0.0.1:${plain.port}/9` }, async (client) => {
      await client.sendCommand(['SET', 'conn:url-db', '1'])
    })
    assert.equal(await rawCommand({ host: '127.0.0.1', port: plain.port }, 'SELECT 9\r\nEXISTS conn:url-db\r\n'), '+OK\r\n:1\r\n')
  })

  test('a database the server does not have: HandshakeError (SELECT) at once, no retry', async () => {
    const client = createClient(at({ database: 40 }))
    const r = record(client)
    const err = await rejection(client.connect())
    assert.ok(err instanceof HandshakeError, `got ${String(err)}`)
    assert.equal(err.step, 'SELECT')
    assert.equal(count(r.events, 'reconnecting'), 0)
    assert.equal(client.isOpen, false)
  })

  for (const RESP of [2, 3] as const) {
    test(`after CLIENT KILL the handshake is replayed: name, database, user (RESP${RESP})`, async () => {
      const name = `replayed-${RESP}`
      const client = createClient({ socket: { port: secured.port, reconnectStrategy: 0 }, username: USER, password: USER_PASSWORD, name, database: 5, RESP })
      const r = record(client)
      try {
        await client.connect()
        const firstId = (await client.sendCommand(['CLIENT', 'ID'])) as number
        const ready = next(client, 'ready')
        const killer = createClient({ socket: { port: secured.port }, password: PASSWORD })
        killer.on('error', () => {})
        await killer.connect()
        try {
          assert.equal(await killer.sendCommand(['CLIENT', 'KILL', 'ID', String(firstId)]), 1)
        } finally {
          killer.destroy()
        }
        await ready
        assert.deepEqual(r.events, ['connect', 'ready', 'error', 'reconnecting', 'connect', 'ready'])
        const secondId = (await client.sendCommand(['CLIENT', 'ID'])) as number
        assert.notEqual(secondId, firstId, 'a new connection')
        assert.equal(await client.sendCommand(['CLIENT', 'GETNAME']), name)
        assert.equal(await client.sendCommand(['ACL', 'WHOAMI']), USER)
        assert.equal(client.RESP, RESP)
        await client.sendCommand(['SET', `conn:replayed:${RESP}`, 'v'])
        const raw = `AUTH ${PASSWORD}\r\nSELECT 5\r\nEXISTS conn:replayed:${RESP}\r\n`
        assert.equal(await rawCommand({ host: '127.0.0.1', port: secured.port }, raw), '+OK\r\n+OK\r\n:1\r\n')
      } finally {
        client.destroy()
      }
    })
  }

  test('a database chosen later with SELECT is kept across a reconnect', async () => {
    const client = createClient(at({ socket: { reconnectStrategy: 0 } }))
    client.on('error', () => {})
    try {
      await client.connect()
      const select = (client as unknown as { select?: (db: number) => Promise<unknown> }).select
      if (select === undefined) {
        // Until the typed methods land, go through the engine's select (what client.select calls).
        await client._core.select(3)
      } else {
        await select.call(client, 3)
      }
      const id = (await client.sendCommand(['CLIENT', 'ID'])) as number
      const ready = next(client, 'ready')
      await admin.sendCommand(['CLIENT', 'KILL', 'ID', String(id)])
      await ready
      const id2 = (await client.sendCommand(['CLIENT', 'ID'])) as number
      assert.equal(field(await clientLine(id2), 'db'), '3')
    } finally {
      client.destroy()
    }
  })
})

describe('connect: events and getters', () => {
  test('isOpen/isReady: before connect, connecting, ready, after close; events connect, ready, end', async () => {
    const client = createClient({ socket: { port: plain.port } })
    const r = record(client)
    assert.equal(client.isOpen, false)
    assert.equal(client.isReady, false)
    const connecting = client.connect()
    assert.equal(client.isOpen, true, 'open while connecting')
    assert.equal(client.isReady, false)
    await connecting
    assert.equal(client.isOpen, true)
    assert.equal(client.isReady, true)
    await client.close()
    assert.equal(client.isOpen, false)
    assert.equal(client.isReady, false)
    assert.deepEqual(r.events, ['connect', 'ready', 'end'])
    assert.deepEqual(r.states, [
      { event: 'connect', isOpen: true, isReady: false },
      { event: 'ready', isOpen: true, isReady: true },
      { event: 'end', isOpen: false, isReady: false },
    ])
  })

  test('destroy(): end, isOpen false; connect() works again afterwards', async () => {
    const client = createClient({ socket: { port: plain.port } })
    const r = record(client)
    await client.connect()
    client.destroy()
    assert.equal(client.isOpen, false)
    assert.deepEqual(r.events, ['connect', 'ready', 'end'])
    await client.connect()
    try {
      assert.equal(await client.sendCommand(['PING']), 'PONG')
    } finally {
      await client.close()
    }
    assert.deepEqual(r.events, ['connect', 'ready', 'end', 'connect', 'ready', 'end'])
  })

  test('reconnecting: error, reconnecting (isOpen true, isReady false), connect, ready', async () => {
    const client = createClient({ socket: { port: plain.port, reconnectStrategy: 0 } })
    const r = record(client)
    try {
      await client.connect()
      const id = (await client.sendCommand(['CLIENT', 'ID'])) as number
      const ready = next(client, 'ready')
      await admin.sendCommand(['CLIENT', 'KILL', 'ID', String(id)])
      await ready
      assert.deepEqual(r.states, [
        { event: 'connect', isOpen: true, isReady: false },
        { event: 'ready', isOpen: true, isReady: true },
        { event: 'error', isOpen: true, isReady: false },
        { event: 'reconnecting', isOpen: true, isReady: false },
        { event: 'connect', isOpen: true, isReady: false },
        { event: 'ready', isOpen: true, isReady: true },
      ])
      assert.equal(r.errors.length, 1)
    } finally {
      client.destroy()
    }
  })

  test('connect() twice while open: the second rejects, the client stays connected', async () => {
    await using({ socket: { port: plain.port } }, async (client) => {
      const err = await rejection(client.connect())
      assert.equal(err.name, 'ClientStateError')
      assert.equal(client.isReady, true)
    })
  })

  test('close() while still connecting to a dead port: connect() rejects with ClientClosedError, end once, isOpen false', async () => {
    const client = createClient({ socket: { port: await closedPort(), reconnectStrategy: 5 } })
    const r = record(client)
    const connecting = rejection(client.connect())
    await next(client, 'reconnecting')
    assert.equal(client.isOpen, true, 'open while reconnecting')
    assert.equal(client.isReady, false)
    await client.close()
    const err = await connecting
    assert.ok(err instanceof ClientClosedError, `got ${String(err)}`)
    assert.equal(client.isOpen, false)
    assert.equal(count(r.events, 'end'), 1)
  })
})

describe('connect: reconnect strategy', () => {
  test('called with retries 0, 1, 2 and the cause; its Error rejects connect()', async () => {
    const calls: Array<[number, Error]> = []
    const stop = new Error('enough')
    const client = createClient({
      socket: {
        port: await closedPort(),
        reconnectStrategy: (retries, cause) => {
          calls.push([retries, cause])
          return retries < 2 ? 0 : stop
        },
      },
    })
    const r = record(client)
    const err = await rejection(client.connect())
    assert.equal(err, stop, 'connect() rejects with the strategy\'s own Error')
    assert.deepEqual(calls.map(([retries]) => retries), [0, 1, 2])
    for (const [, cause] of calls) assert.ok(cause instanceof ConnectionRefusedError, `cause ${String(cause)}`)
    assert.equal(count(r.events, 'reconnecting'), 2)
    assert.equal(count(r.events, 'end'), 1)
    assert.equal(client.isOpen, false)
  })

  test('returning false: connect() rejects with ReconnectGaveUpError, the last error its cause', async () => {
    const calls: number[] = []
    const client = createClient({ socket: { port: await closedPort(), reconnectStrategy: (retries) => (calls.push(retries), retries < 1 ? 0 : false) } })
    client.on('error', () => {})
    const err = await rejection(client.connect())
    assert.ok(err instanceof ReconnectGaveUpError, `got ${String(err)}`)
    assert.ok(err.cause instanceof ConnectionRefusedError)
    assert.deepEqual(calls, [0, 1])
  })

  test('after a lost connection: retries start at 0 with the cause, and go back to 0 after a success', async () => {
    const calls: Array<[number, string]> = []
    const client = createClient({ socket: { port: plain.port, reconnectStrategy: (retries, cause) => (calls.push([retries, cause.name]), 0) } })
    const r = record(client)
    try {
      await client.connect()
      for (let round = 0; round < 2; round++) {
        const id = (await client.sendCommand(['CLIENT', 'ID'])) as number
        const ready = next(client, 'ready')
        await admin.sendCommand(['CLIENT', 'KILL', 'ID', String(id)])
        await ready
      }
      assert.equal(calls.length, 2, `calls ${JSON.stringify(calls)}`)
      assert.deepEqual(calls.map(([retries]) => retries), [0, 0], 'back to 0 after each success')
      for (const [, name] of calls) assert.ok(name.length > 0)
      assert.equal(count(r.events, 'reconnecting'), 2)
    } finally {
      client.destroy()
    }
  })

  test('a strategy that throws gives up with what it threw', async () => {
    const boom = new Error('strategy bug')
    const client = createClient({ socket: { port: await closedPort(), reconnectStrategy: () => { throw boom } } })
    client.on('error', () => {})
    assert.equal(await rejection(client.connect()), boom)
  })
})
