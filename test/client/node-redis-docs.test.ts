// node-redis's "Connect" documentation (redis.io/docs/latest/develop/clients/nodejs/connect,
// from redis/docs content/develop/clients/nodejs/connect.md) and the connection examples of
// node-redis's README, run as written with only the imports changed:
//
//   import { createClient } from 'redis'    ->  this file's createClient, below
//   import { readFileSync } from 'fs'       ->  this file's readFileSync, below
//
// The examples name servers we must not use (localhost:6379, awesome.redis.server:6380,
// my-redis.cloud.redislabs.com): the replacement createClient is respkit's createClient with a
// `connector` that takes every address to this file's own redis-server (plain, or TLS for TLS
// options), and the replacement readFileSync reads the example's certificate file names from
// the certificates made by openssl for this run. Nothing else in the examples is changed.

import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync as realReadFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { after, before, describe, test } from '../support/runtime.ts'
import { PrintCapture } from '../support/print-capture.ts'
import { startRedis, type RedisServer } from '../support/redis.ts'
import { createClient as respkitCreateClient, type ClientOptions } from '../../src/client/index.ts'
import { autoConnector, type Connector } from '../../src/transport/index.ts'

let plain: RedisServer
let tls: RedisServer
let certDir: string

/** Every address goes to the test servers: TLS connections to the TLS one, as `localhost` (a name its certificate holds). */
const redirect: Connector = (options, handlers) => {
  if (options.tls !== undefined && options.tls !== false) {
    return autoConnector({ ...options, path: undefined, host: 'localhost', port: tls.tlsPort! }, handlers)
  }
  return autoConnector({ ...options, path: undefined, host: '127.0.0.1', port: plain.port }, handlers)
}

// The documentation's `import { createClient } from 'redis'`.
function createClient(options?: ClientOptions) {
  return respkitCreateClient({ connector: redirect, ...options })
}

// The documentation's `import { readFileSync } from 'fs'`: its file names, our certificates.
function readFileSync(path: string): Uint8Array {
  return realReadFileSync(join(certDir, basename(path)))
}

/** What the examples print. */
const printed = new PrintCapture()
const capturing = (fn: () => Promise<void>): Promise<unknown[][]> => printed.capturing(fn)

before(async () => {
  ;[plain, tls] = await Promise.all([
    startRedis({ users: [{ name: 'alice', password: 'foobared' }] }),
    // The TLS example authenticates as `default` with password `secret` and shows a client certificate.
    startRedis({ tls: { authClients: 'yes' }, password: 'secret' }),
  ])
  certDir = mkdtempSync(join(tmpdir(), 'respkit-docs-certs-'))
  writeFileSync(join(certDir, 'redis_user_private.key'), tls.certs!.clientKey)
  writeFileSync(join(certDir, 'redis_user.crt'), tls.certs!.clientCert)
  writeFileSync(join(certDir, 'redis_ca.pem'), tls.certs!.ca)
})

after(async () => {
  if (certDir !== undefined) rmSync(certDir, { recursive: true, force: true })
  await Promise.all([plain?.stop(), tls?.stop()])
})

describe('node-redis docs: Connect', () => {
  test('Basic connection: createClient(), on(error), connect(), set/get, hSet/hGetAll', async () => {
    let value: unknown
    let userSession: unknown
    let client!: ReturnType<typeof createClient>
    const out = await capturing(async () => {
      // ---- from the documentation
      client = createClient();

      client.on('error', err => console.log('Redis Client Error', err));

      await client.connect();

      await client.set('key', 'value');
      value = await client.get('key');

      await client.hSet('user-session:123', {
          name: 'John',
          surname: 'Smith',
          company: 'Redis',
          age: 29
      })

      userSession = await client.hGetAll('user-session:123');
      console.log(JSON.stringify(userSession, null, 2));
      // ---- end
    })
    try {
      assert.equal(value, 'value')
      assert.equal(out.length, 1, `printed: ${JSON.stringify(out)}`)
      // The documentation's output (key order aside: it shows a hashtable's order, small hashes keep insertion order).
      assert.deepEqual(JSON.parse(out[0][0] as string), { surname: 'Smith', name: 'John', company: 'Redis', age: '29' })
      assert.equal(Object.getPrototypeOf(userSession), Object.prototype, 'a plain object, as node-redis returns')
    } finally {
      client.destroy()
    }
  })

  test('URL form: redis://alice:foobared@awesome.redis.server:6380 (parsed, then connected as alice)', async () => {
    // ---- from the documentation
    const client = createClient({
      url: 'redis://alice:foobared@awesome.redis.server:6380'
    });
    // ---- end
    const socket = client.options.socket as Record<string, unknown>
    assert.equal(socket.host, 'awesome.redis.server')
    assert.equal(socket.port, 6380)
    assert.equal(client.options.username, 'alice')
    client.on('error', () => {})
    await client.connect()
    try {
      assert.equal(await client.sendCommand(['ACL', 'WHOAMI']), 'alice')
    } finally {
      client.destroy()
    }
  })

  test('isReady and isOpen', async () => {
    const client = createClient()
    client.on('error', () => {})
    assert.equal(client.isReady, false)
    assert.equal(client.isOpen, false)
    const connecting = client.connect()
    // respkit follows node-redis's code (and issue 8): isOpen is true from connect() on, while
    // connecting or reconnecting; the page's wording ("false ... when the client is still
    // connecting") describes isReady.
    assert.equal(client.isOpen, true)
    assert.equal(client.isReady, false)
    await connecting
    assert.equal(client.isReady, true)
    assert.equal(client.isOpen, true)
    client.destroy()
    assert.equal(client.isReady, false)
    assert.equal(client.isOpen, false)
  })

  test('Connect to your production Redis with TLS (client certificate, key, CA)', async () => {
    let got: unknown
    const out = await capturing(async () => {
      // ---- from the documentation
      const client = createClient({
          username: 'default', // use your Redis user. More info https://redis.io/docs/latest/operate/oss_and_stack/management/security/acl/
          password: 'secret', // use your password here
          socket: {
              host: 'my-redis.cloud.redislabs.com',
              port: 6379,
              tls: true,
              key: readFileSync('./redis_user_private.key'),
              cert: readFileSync('./redis_user.crt'),
              ca: [readFileSync('./redis_ca.pem')]
          }
      });

      client.on('error', (err) => console.log('Redis Client Error', err));

      await client.connect();

      await client.set('foo', 'bar');
      const value = await client.get('foo');
      console.log(value) // returns 'bar'

      await client.destroy();
      // ---- end
      got = value
    })
    assert.equal(got, 'bar')
    assert.deepEqual(out, [['bar']], 'printed bar and no error')
  })

  test('the TLS example without the client certificate is refused by the server (tls-auth-clients yes)', async () => {
    const client = createClient({ username: 'default', password: 'secret', socket: { host: 'my-redis.cloud.redislabs.com', tls: true, ca: [readFileSync('./redis_ca.pem')], reconnectStrategy: false } })
    client.on('error', () => {})
    await assert.rejects(client.connect())
    client.destroy()
  })

  test('Reconnect after disconnection: the custom reconnectStrategy, used after CLIENT KILL', async () => {
    const calls: number[] = []
    const random = Math.random
    // ---- from the documentation
    const client = createClient({
      socket: {
        reconnectStrategy: retries => {
            calls.push(retries) // (not in the documentation: to see it called)
            // Generate a random jitter between 0 – 100 ms:
            const jitter = Math.floor(Math.random() * 100);

            // Delay is an exponential backoff, (2^retries) * 50 ms, with a
            // maximum value of 3000 ms:
            const delay = Math.min(Math.pow(2, retries) * 50, 3000);

            return delay + jitter;
        }
      }
    });
    // ---- end
    client.on('error', () => {})
    try {
      // No jitter, so the test does not wait up to 100 ms more than it must.
      Math.random = () => 0
      await client.connect()
      const id = await client.sendCommand(['CLIENT', 'ID'])
      const ready = new Promise((resolve) => client.once('ready', resolve))
      const killer = createClient()
      killer.on('error', () => {})
      await killer.connect()
      await killer.sendCommand(['CLIENT', 'KILL', 'ID', String(id)])
      killer.destroy()
      await ready
      assert.deepEqual(calls, [0])
      assert.equal(await client.get('key'), 'value')
    } finally {
      Math.random = random
      client.destroy()
    }
  })

  test('Connection events: connect, ready, error (listener from the docs), reconnecting, end', async () => {
    const client = createClient({ socket: { reconnectStrategy: 0 } })
    const events: string[] = []
    for (const event of ['connect', 'ready', 'end', 'reconnecting']) client.on(event, () => events.push(event))
    const out = await capturing(async () => {
      // ---- from the documentation
      client.on('error', error => {
          console.error(`Redis client error:`, error);
      });
      // ---- end
      await client.connect()
      const id = await client.sendCommand(['CLIENT', 'ID'])
      const ready = new Promise((resolve) => client.once('ready', resolve))
      const killer = createClient()
      await killer.connect()
      await killer.sendCommand(['CLIENT', 'KILL', 'ID', String(id)])
      killer.destroy()
      await ready
      // `end`: "The client has been intentionally closed using client.quit()".
      assert.equal(await client.quit(), 'OK')
    })
    assert.deepEqual(events, ['connect', 'ready', 'reconnecting', 'connect', 'ready', 'end'])
    assert.equal(out.length, 1, 'the error listener ran once, for the killed connection')
    assert.equal(out[0][0], 'Redis client error:')
    assert.ok(out[0][1] instanceof Error)
  })
})

describe('node-redis README: Basic Example and Disconnecting', () => {
  test('await createClient().on("error", ...).connect(); set, get, destroy', async () => {
    const out = await capturing(async () => {
      // ---- from the README
      const client = await createClient()
        .on("error", (err) => console.log("Redis Client Error", err))
        .connect();

      await client.set("key", "value");
      const value = await client.get("key");
      console.log(value); // 'value'
      client.destroy();
      // ---- end
    })
    assert.deepEqual(out, [['value']])
  })

  test('raw and friendly command names, sendCommand', async () => {
    const client = await createClient().on('error', () => {}).connect()
    try {
      await client.del('key') // (a fresh key, as the README assumes)
      // ---- from the README
      // raw Redis commands
      await client.HSET("key", "field", "value");
      await client.HGETALL("key");

      // friendly JavaScript commands
      await client.hSet("key", "field", "value");
      await client.hGetAll("key");
      // ---- end
      assert.deepEqual({ ...(await client.HGETALL('key')) }, { field: 'value' })
      await client.del('key')
      // ---- from the README
      const reply = await client.sendCommand(["SET", "key", "value", "NX"]); // 'OK'
      // ---- end
      assert.equal(reply, 'OK')
    } finally {
      client.destroy()
    }
  })
})
