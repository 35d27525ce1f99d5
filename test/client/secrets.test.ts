// The password never shows: a canary password is used to connect (option and URL), to fail
// (wrong password, refused port, TLS refusal, a server that echoes it back in an error), and
// everything the client produces along the way is collected as text: errors (message, stack,
// cause chain, own properties, JSON, inspect), event arguments, console output of an error
// with no listener, client.options, toString(), JSON.stringify(client), util.inspect of the
// client, its views and its engine. None of it may contain the canary.

import assert from 'node:assert/strict'
import { after, before, describe, test } from '../support/runtime.ts'
import { startRedis, type RedisServer } from '../support/redis.ts'
import { closedPort } from '../support/ports.ts'
import { createMockServer } from '../../src/testing/index.ts'
import { ReplyError } from '../../src/resp/index.ts'
import { createClient, type ClientOptions, type RedisClient } from '../../src/client/index.ts'

const CANARY = 'canary-Pw-7f3a9'
const SERVER_PASSWORD = 'server-pw-1d2'

type Inspect = (value: unknown, options: { depth: number; showHidden: boolean }) => string
let inspect: Inspect | undefined
let server: RedisServer
let tlsServer: RedisServer

/** Every piece of text the client produced in this file. */
const produced: string[] = []

/** Adds everything a value can turn into as text, following causes and own properties. */
function collect(value: unknown, depth = 0, seen = new Set<unknown>()): void {
  if (value === null || value === undefined || depth > 6) return
  if (typeof value !== 'object' && typeof value !== 'function') {
    produced.push(String(value))
    return
  }
  if (seen.has(value)) return
  seen.add(value)
  try {
    produced.push(String(value))
  } catch {
    // an object without a usable toString
  }
  try {
    produced.push(JSON.stringify(value) ?? '')
  } catch {
    // cyclic: inspect below covers it
  }
  if (inspect !== undefined) produced.push(inspect(value, { depth: 10, showHidden: true }))
  if (value instanceof Error) {
    produced.push(value.message, value.stack ?? '')
    collect((value as { cause?: unknown }).cause, depth + 1, seen)
  }
  for (const key of Object.getOwnPropertyNames(value)) {
    let v: unknown
    try {
      v = (value as Record<string, unknown>)[key]
    } catch {
      continue
    }
    if (typeof v !== 'function') collect(v, depth + 1, seen)
  }
}

/** Records every event of a client, arguments included. */
function listen(client: RedisClient): void {
  for (const event of ['connect', 'ready', 'end', 'error', 'reconnecting', 'resp2-fallback']) {
    client.on(event, (...args: unknown[]) => {
      produced.push(event)
      for (const a of args) collect(a)
    })
  }
}

/** Collects the client's faces: options, toString, JSON, inspect, its engine. */
function collectClient(client: RedisClient): void {
  collect(client.options)
  produced.push(String(client), `${client}`, client.toString(), JSON.stringify(client), JSON.stringify(client.options))
  if (inspect !== undefined) {
    produced.push(inspect(client, { depth: 10, showHidden: true }), inspect(client.options, { depth: 10, showHidden: true }))
    produced.push(inspect(client._core, { depth: 10, showHidden: true }))
  }
  for (const key of Object.keys(client)) collect((client as unknown as Record<string, unknown>)[key])
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (err) {
    collect(err)
    return err
  }
  assert.fail('expected a rejection')
}

/** Connects and fails as expected, collecting everything; the client is destroyed after. */
async function failingConnect(options: ClientOptions): Promise<unknown> {
  const client = createClient(options)
  listen(client)
  try {
    collectClient(client)
    const err = await failure(client.connect())
    collectClient(client)
    await failure(client.sendCommand(['PING']))
    return err
  } finally {
    client.destroy()
  }
}

before(async () => {
  try {
    // node:util exists on Node, Deno and Bun; a runtime without it only loses the inspect checks.
    inspect = (await import('node:util')).inspect as Inspect
  } catch {
    console.log('secrets.test: node:util is not available on this runtime: util.inspect checks are not run')
  }
  ;[server, tlsServer] = await Promise.all([
    startRedis({ password: CANARY, users: [{ name: 'canary-user', password: CANARY }] }),
    startRedis({ tls: true, password: SERVER_PASSWORD }),
  ])
})

after(async () => {
  await Promise.all([server?.stop(), tlsServer?.stop()])
})

describe('secrets: the canary password never shows', () => {
  test('connected with it (option, URL, ACL user; RESP2 and RESP3): options, toString, JSON, inspect, views', async () => {
    const variants: ClientOptions[] = [
      { socket: { port: server.port }, password: CANARY },
      { socket: { port: server.port }, password: CANARY, RESP: 2 },
      { url: `redis://:${CANARY}@127.0.0.1:${server.port}/2` },
      { url: `redis://canary-user:${CANARY}@127.0.0.1:${server.port}`, name: 'canary-client' },
      { socket: { port: server.port }, username: 'canary-user', password: CANARY, RESP: 2 },
    ]
    for (const options of variants) {
      const client = createClient(options)
      listen(client)
      try {
        collectClient(client)
        await client.connect()
        assert.equal(await client.sendCommand(['PING']), 'PONG')
        collectClient(client)
        assert.equal(client.options.password, '[redacted]')
        collectClient(client.withTypeMapping({}))
        collectClient(client.withCommandOptions({ timeout: 1000 }))
        collectClient(client.duplicate())
        // A command that fails, and one that times out on the server's side of things.
        await failure(client.sendCommand(['NOSUCHCOMMAND', 'x']))
        await failure(client.sendCommand(['BLPOP', 'secrets:never', '0'], { timeout: 20 }))
      } finally {
        await client.close()
      }
      collectClient(client)
    }
  })

  test('the wrong password (RESP3 and RESP2), an unknown user: errors, events, later commands', async () => {
    for (const RESP of [2, 3] as const) {
      const err = await failingConnect({ socket: { port: tlsServer.port }, password: CANARY, RESP })
      assert.equal((err as Error).name, 'AuthenticationError')
      await failingConnect({ url: `redis://ghost:${CANARY}@127.0.0.1:${tlsServer.port}`, RESP })
    }
  })

  test('a refused port: every error event, the strategy\'s cause, the final rejection', async () => {
    const port = await closedPort()
    const causes: unknown[] = []
    await failingConnect({ socket: { port, reconnectStrategy: (retries, cause) => (causes.push(cause), retries < 2 ? 0 : false) }, password: CANARY })
    await failingConnect({ url: `redis://someone:${CANARY}@127.0.0.1:${port}/3`, socket: { reconnectStrategy: false } })
    for (const cause of causes) collect(cause)
    assert.equal(causes.length, 3)
  })

  test('a TLS refusal (no CA) with the password set', async () => {
    await failingConnect({ socket: { port: tlsServer.tlsPort!, tls: true }, password: CANARY })
    await failingConnect({ url: `rediss://user:${CANARY}@127.0.0.1:${tlsServer.tlsPort}` })
  })

  test('an error with no listener: what is printed once does not hold it', async () => {
    const original = console.error
    const printed: unknown[] = []
    console.error = (...args: unknown[]) => { printed.push(...args) }
    try {
      const client = createClient({ socket: { port: tlsServer.port }, password: CANARY })
      await failure(client.connect())
      client.destroy()
    } finally {
      console.error = original
    }
    assert.ok(printed.length > 0, 'an error with no listener is printed')
    for (const p of printed) collect(p)
  })

  test('a server that echoes the password back in its error replies (HELLO, AUTH): not in the errors', async () => {
    // Some servers and proxies repeat a refused command's arguments, as Redis does for unknown commands.
    const echo = (name: string, args: string[]) => new ReplyError(`ERR ${name} refused, with args: ${args.map((a) => `'${a}'`).join(' ')}`)
    for (const scenario of ['hello-refused', 'no-hello-auth-refused'] as const) {
      const received: string[] = []
      const mock = createMockServer(({ name, args }) => {
        received.push(...args)
        if (name === 'HELLO') {
          if (scenario === 'hello-refused') return echo(name, args)
          return new ReplyError(`ERR unknown command 'HELLO', with args beginning with: ${args.map((a) => `'${a}'`).join(' ')}`)
        }
        if (name === 'AUTH') return new ReplyError(`WRONGPASS invalid username-password pair, got ${args.join(' ')}`)
        return 'OK'
      }, { hello: false })
      const client = createClient({ connector: mock.connector(), password: CANARY, username: 'u', socket: { reconnectStrategy: false } })
      listen(client)
      try {
        const err = await failure(client.connect())
        assert.equal((err as Error).name, scenario === 'hello-refused' ? 'HandshakeError' : 'AuthenticationError')
        collectClient(client)
        // The mock did receive the password: the test is meaningful only if it was echoed.
        assert.ok(received.includes(CANARY), 'the server got the password')
      } finally {
        client.destroy()
        await mock.close()
      }
    }
  })

  test('createClient refusals with the password among the options', () => {
    const attempts: unknown[] = [
      { password: [CANARY] },
      { password: { value: CANARY } },
      { url: `redis://u:${CANARY}@bad host` },
      { url: `redis://u:${CANARY}@localhost:99999` },
      { url: `redis://u:${CANARY}@localhost/abc` },
      { url: `redis://u:${CANARY}%zz@localhost` },
      { url: `ftp://u:${CANARY}@localhost` },
      { url: `rediss://u:${CANARY}@localhost`, socket: { tls: false } },
      { url: `redis://u:${CANARY}@localhost`, socket: { ca: 'x' } },
      { url: `redis://u:${CANARY}@localhost`, passwd: CANARY },
      { url: `redis://u:${CANARY}@localhost`, RESP: 4 },
      { password: CANARY, socket: { port: -1 } },
    ]
    for (const options of attempts) {
      let thrown: unknown
      try {
        createClient(options as ClientOptions)
      } catch (err) {
        thrown = err
      }
      assert.ok(thrown instanceof TypeError, `expected a TypeError for ${Object.keys(options as object).join(',')}`)
      collect(thrown)
    }
  })

  test('nothing collected holds the canary (and enough was collected to mean something)', () => {
    assert.ok(produced.length > 200, `only ${produced.length} strings collected`)
    const all = produced.join('\n')
    for (const name of ['AuthenticationError', 'ReconnectGaveUpError', 'TlsError', 'HandshakeError', '[redacted]', 'ready', 'error']) {
      assert.ok(all.includes(name), `expected ${name} among what was collected`)
    }
    const leaks = produced.filter((s) => s.includes(CANARY) || s.includes('canary-Pw'))
    assert.deepEqual(leaks.map((s) => s.slice(0, 300)), [], 'the canary password appeared')
  })
})
