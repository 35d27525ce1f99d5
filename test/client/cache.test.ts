// Client-side caching (RESP3 CLIENT TRACKING), against a real redis-server: hits and misses
// counted (and checked against the server's own GET count), a value changed by another client
// never served once its invalidation has arrived (a PING on the same connection after the
// other client's write orders it), read-your-writes (plain commands and transactions), a
// reconnect empties the cache, bounded entries and bytes with evictions counted, BCAST with
// prefixes; on the mock: an invalidation for an unknown key, a flush (null), an invalidation
// that overtakes the reply of the read it concerns.

import assert from 'node:assert/strict'
import { before, describe, test } from '../support/runtime.ts'
import { push, simple } from '../../src/resp/index.ts'
import { ClientSideCache, HandshakeError, RESP_TYPES, createClient, type ClientOptions, type RedisClient } from '../../src/client/index.ts'
import { killAndRestartRedis, startRedis } from '../support/redis.ts'
import { nextEvent, outcome, serverSide, statefulMock, within, useRealServer } from './fault-support.ts'

const redis = useRealServer()

const real = (options: ClientOptions = {}): Promise<RedisClient> => redis.client(options)

const cached = (options: ClientOptions['clientSideCache'] = {}): Promise<RedisClient> => real({ clientSideCache: options })

async function getCalls(admin: RedisClient): Promise<number> {
  const stats = await admin.infoParsed('commandstats')
  return (stats.commandstats?.cmdstat_get as Record<string, number> | undefined)?.calls ?? 0
}

let seq = 0
const key = (name: string): string => `csc:${++seq}:${name}`

test('clientSideCache options are checked at construction', () => {
  assert.throws(() => new ClientSideCache({ maxEntries: -1 }), /maxEntries/)
  assert.throws(() => new ClientSideCache({ maxBytes: 1.5 }), /maxBytes/)
  assert.throws(() => new ClientSideCache({ ttl: Number.NaN }), /ttl/)
  assert.throws(() => new ClientSideCache({ mode: 'other' as never }), /mode/)
  assert.throws(() => new ClientSideCache({ prefixes: ['a'] }), /bcast/)
  assert.throws(() => new ClientSideCache({ evictPolicy: 'FIFO' as never }), /evictPolicy/)
})

test('clientSideCache without RESP 3 is refused at construction, naming the option', () => {
  assert.throws(() => createClient({ socket: { port: redis.port }, RESP: 2, clientSideCache: {} }), (e: Error) => e instanceof TypeError && /clientSideCache/.test(e.message))
})

test('a server that only speaks RESP2 (no HELLO): connect rejects with HandshakeError, no retry', async () => {
  const mock = statefulMock({ hello: false })
  const client = createClient({ connector: mock.connector, clientSideCache: {}, socket: { reconnectStrategy: 1 } })
  client.on('error', () => {})
  redis.track(client)
  const r = await within(outcome(client.connect()), 'connect')
  assert.ok(!r.ok && r.error instanceof HandshakeError && /clientSideCache/.test(r.error.message), String(!r.ok && r.error))
  assert.equal(mock.attempts, 1)
})

describe('client-side caching on a real server (RESP3)', () => {
  let admin: RedisClient
  before(async () => {
    admin = await real()
  })

  test('a second read is served from the cache: one GET reaches the server; hits and misses counted', async () => {
    const client = await cached()
    const k = key('a')
    await admin.set(k, 'v1')
    const before = await getCalls(admin)
    assert.equal(await client.get(k), 'v1')
    assert.equal(await client.get(k), 'v1')
    assert.equal(await client.get(k), 'v1')
    assert.equal(await getCalls(admin), before + 1)
    const stats = client.clientSideCache!.stats()
    assert.equal(stats.missCount, 1)
    assert.equal(stats.hitCount, 2)
    assert.equal(stats.size, 1)
    assert.ok(stats.bytes > 0)
  })

  test('a value changed by another client is never served once its invalidation has arrived', async () => {
    const client = await cached()
    const k = key('changed')
    await admin.set(k, '0')
    assert.equal(await client.get(k), '0')
    for (let i = 1; i <= 50; i++) {
      await admin.set(k, String(i))
      // Redis sends the invalidation to our connection while running that SET: a PING on our
      // connection answered afterwards means the invalidation came before it.
      await client.ping()
      assert.equal(await client.get(k), String(i), `round ${i}: a stale value was served`)
      assert.equal(await client.get(k), String(i))
    }
    const stats = client.clientSideCache!.stats()
    assert.ok(stats.invalidationCount >= 50, `invalidations: ${stats.invalidationCount}`)
    assert.equal(stats.hitCount, 50)
  })

  test('hashes, lists and sets too; a caller changing what it got does not change the cache', async () => {
    const client = await cached()
    const [h, l] = [key('h'), key('l')]
    await admin.hSet(h, { a: '1', b: '2' })
    await admin.rPush(l, ['x', 'y'])
    const first = await client.hGetAll(h)
    ;(first as Record<string, string>).a = 'mutated'
    assert.deepEqual(await client.hGetAll(h), { a: '1', b: '2' })
    const list = await client.lRange(l, 0, -1)
    list.push('z')
    assert.deepEqual(await client.lRange(l, 0, -1), ['x', 'y'])
    assert.equal(client.clientSideCache!.stats().hitCount, 2)
    await admin.hSet(h, 'a', 'changed')
    await client.ping()
    assert.deepEqual(await client.hGetAll(h), { a: 'changed', b: '2' })
  })

  test("read-your-writes: the client's own write is seen at once", async () => {
    const client = await cached()
    const k = key('own')
    await client.set(k, 'old')
    assert.equal(await client.get(k), 'old')
    await client.set(k, 'new')
    assert.equal(await client.get(k), 'new')
    await client.del(k)
    assert.equal(await client.get(k), null)
  })

  test("read-your-writes through a transaction and a pipeline: the write is seen by the next read", async () => {
    const client = await cached()
    const k = key('tx')
    await client.set(k, 'old')
    assert.equal(await client.get(k), 'old')
    assert.equal(await client.get(k), 'old')
    await client.multi().set(k, 'from multi').exec()
    assert.equal(await client.get(k), 'from multi')
    assert.equal(await client.get(k), 'from multi')
    await client.pipeline().set(k, 'from pipeline').exec()
    assert.equal(await client.get(k), 'from pipeline')
  })

  test('a reconnect empties the cache: the next read goes to the server', async () => {
    const client = await cached()
    const k = key('reconnect')
    await admin.set(k, 'v')
    await client.get(k)
    await client.get(k)
    assert.equal(client.clientSideCache!.stats().size, 1)
    const flushes = client.clientSideCache!.stats().flushCount
    const id = await client.sendCommand(['CLIENT', 'ID'])
    const ready = nextEvent(client, 'ready')
    await admin.sendCommand(['CLIENT', 'KILL', 'ID', String(id)])
    await ready
    const stats = client.clientSideCache!.stats()
    assert.equal(stats.size, 0)
    assert.equal(stats.bytes, 0)
    assert.ok(stats.flushCount > flushes)
    const calls = await getCalls(admin)
    assert.equal(await client.get(k), 'v')
    assert.equal(await getCalls(admin), calls + 1, 'the read after the reconnect reached the server')
    // And tracking is on again on the new connection: a change is still seen.
    await admin.set(k, 'v2')
    await client.ping()
    assert.equal(await client.get(k), 'v2')
  })

  test('SELECT another database: a key of the same name there is not served from the first one', async () => {
    const client = await cached()
    const k = key('db')
    await admin.set(k, 'in db0')
    assert.equal(await client.get(k), 'in db0')
    assert.equal(await client.get(k), 'in db0')
    const other = await real({ database: 1 })
    await other.set(k, 'in db1')
    await client.select(1)
    assert.equal(await client.get(k), 'in db1')
    await client.select(0)
    assert.equal(await client.get(k), 'in db0')
  })

  test('ttl: an entry older than ttl is not served', async () => {
    const client = await cached({ ttl: 30 })
    const k = key('ttl')
    await admin.set(k, 'v')
    await client.get(k)
    const cachedAt = Date.now()
    await client.get(k)
    assert.equal(client.clientSideCache!.stats().hitCount, 1)
    while (Date.now() - cachedAt < 60) await client.ping() // real round trips until the entry is old
    const calls = await getCalls(admin)
    assert.equal(await client.get(k), 'v')
    assert.equal(await getCalls(admin), calls + 1, 'read from the server')
  })

  test('a binary read is not served a cached string (and the other way round)', async () => {
    const client = await cached()
    const k = key('bin')
    await admin.set(k, 'text')
    assert.equal(await client.get(k), 'text')
    const bytes = await client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Uint8Array }).get(k)
    assert.ok((bytes as unknown) instanceof Uint8Array, String(bytes))
    const again = await client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Uint8Array }).get(k)
    assert.ok((again as unknown) instanceof Uint8Array)
    assert.equal(await client.get(k), 'text')
  })

  test('keys given as bytes that are not UTF-8: one key is never served the reply of another', async () => {
    const client = await cached()
    const [k1, k2] = [new Uint8Array([0x63, 0xff]), new Uint8Array([0x63, 0xfe])]
    await admin.set(k1, 'first')
    await admin.set(k2, 'second')
    assert.equal(await client.get(k1), 'first')
    assert.equal(await client.get(k2), 'second')
    assert.equal(await client.get(k1), 'first')
    assert.equal(await client.get(k2), 'second')
  })

  test('maxEntries: least recently used first out, evictions counted', async () => {
    const client = await cached({ maxEntries: 3 })
    const ks = [key('e1'), key('e2'), key('e3'), key('e4'), key('e5')]
    for (const k of ks) await admin.set(k, k)
    for (const k of ks.slice(0, 3)) await client.get(k)
    await client.get(ks[0]) // e1 is now the most recently used
    await client.get(ks[3]) // evicts e2
    await client.get(ks[4]) // evicts e3
    const stats = client.clientSideCache!.stats()
    assert.equal(stats.size, 3)
    assert.equal(stats.evictionCount, 2)
    const hits = stats.hitCount
    await client.get(ks[0])
    assert.equal(client.clientSideCache!.stats().hitCount, hits + 1, 'e1 survived')
    await client.get(ks[1])
    assert.equal(client.clientSideCache!.stats().hitCount, hits + 1, 'e2 was evicted')
  })

  test('maxBytes: the cache stays under it; a reply larger than it is not kept', async () => {
    const client = await cached({ maxBytes: 2_000 })
    const ks = Array.from({ length: 20 }, (_, i) => key(`b${i}`))
    for (const k of ks) await admin.set(k, 'x'.repeat(200))
    for (const k of ks) await client.get(k)
    const stats = client.clientSideCache!.stats()
    assert.ok(stats.bytes <= 2_000 && stats.bytes > 0, `bytes: ${stats.bytes}`)
    assert.ok(stats.evictionCount > 0)
    assert.ok(stats.size < 20)
    const big = key('big')
    await admin.set(big, 'y'.repeat(5_000))
    await client.get(big)
    const hits = client.clientSideCache!.stats().hitCount
    assert.equal((await client.get(big))?.length, 5_000)
    assert.equal(client.clientSideCache!.stats().hitCount, hits, 'not served from the cache')
    assert.ok(client.clientSideCache!.stats().bytes <= 2_000)
  })

  test("BCAST with prefixes: invalidations for every key under the prefix, even ones never read", async () => {
    const prefix = `${key('bcast')}:`
    const client = await cached({ mode: 'bcast', prefixes: [prefix] })
    const k = `${prefix}x`
    await admin.set(k, '1')
    assert.equal(await client.get(k), '1')
    assert.equal(await client.get(k), '1')
    const invalidations = client.clientSideCache!.stats().invalidationCount
    await admin.set(`${prefix}never-read`, 'z')
    await admin.set(k, '2')
    await client.ping()
    assert.ok(client.clientSideCache!.stats().invalidationCount >= invalidations + 2)
    assert.equal(await client.get(k), '2')
  })
})

test('a real server killed (SIGKILL) and restarted empty: the cached value is not served any more', async () => {
  let server = await startRedis()
  try {
    const client = createClient({ socket: { port: server.port, host: '127.0.0.1', reconnectStrategy: 20 }, RESP: 3, clientSideCache: {} })
    client.on('error', () => {})
    redis.track(client)
    await within(client.connect(), 'connect')
    await client.set('r:k', 'before the restart')
    assert.equal(await client.get('r:k'), 'before the restart')
    assert.equal(await client.get('r:k'), 'before the restart')
    assert.equal(client.clientSideCache!.stats().hitCount, 1)
    const ready = nextEvent(client, 'ready', 15_000)
    server = await killAndRestartRedis(server)
    await ready
    assert.equal(await client.get('r:k'), null, 'the restarted server has no such key')
    client.destroy()
  } finally {
    await server.stop()
  }
}, { timeout: 30_000 })

describe('client-side caching faults, on the mock (RESP3)', () => {
  async function mocked() {
    const mock = statefulMock()
    const client = createClient({ connector: mock.connector, RESP: 3, clientSideCache: {} })
    client.on('error', () => {})
    redis.track(client)
    await within(client.connect(), 'connect')
    assert.ok(mock.log.some((l) => l.name === 'CLIENT' && l.args.join(' ') === 'TRACKING ON'), 'CLIENT TRACKING ON in the handshake')
    mock.data.set('a', '1')
    mock.data.set('b', '2')
    await client.get('a')
    await client.get('b')
    return { mock, client }
  }

  test('an invalidation for an unknown key changes nothing else and breaks nothing', async () => {
    const { mock, client } = await mocked()
    const pushes: unknown[] = []
    client.on('push', (p: unknown) => pushes.push(p))
    serverSide(mock).send(push(['invalidate', ['never-cached', 'other']]))
    assert.equal(await client.ping(), 'PONG')
    const stats = client.clientSideCache!.stats()
    assert.equal(stats.invalidationCount, 1)
    assert.equal(stats.size, 2)
    assert.equal(await client.get('a'), '1')
    assert.equal(client.clientSideCache!.stats().hitCount, 1)
    assert.deepEqual(pushes, [], 'invalidations are the cache\'s, not push events')
    assert.equal(mock.count('GET'), 2)
  })

  test('a malformed invalidation (not a list of keys) drops everything, and the connection goes on', async () => {
    const { mock, client } = await mocked()
    let errors = 0
    client.on('error', () => errors++)
    serverSide(mock).send(push(['invalidate', 5]))
    assert.equal(await client.ping(), 'PONG')
    assert.equal(client.clientSideCache!.stats().size, 0)
    assert.equal(await client.get('a'), '1')
    assert.equal(mock.count('GET'), 3, 'read again from the server')
    assert.equal(errors, 0, 'the connection was not replaced')
  })

  test('an invalidation with null (FLUSHALL) drops everything', async () => {
    const { mock, client } = await mocked()
    serverSide(mock).send(push(['invalidate', null]))
    assert.equal(await client.ping(), 'PONG')
    assert.equal(client.clientSideCache!.stats().size, 0)
    assert.equal(await client.get('a'), '1')
    assert.equal(mock.count('GET'), 3)
  })

  test('an invalidation that overtakes the reply of the read it concerns: that reply is not kept', async () => {
    const { mock, client } = await mocked()
    mock.data.set('c', 'old')
    mock.script('GET', (command, conn, nth) => {
      if (nth === 1 && command.args[0] === 'c') conn.send(push(['invalidate', ['c']]))
      return undefined
    })
    assert.equal(await client.get('c'), 'old')
    mock.data.set('c', 'new')
    assert.equal(await client.get('c'), 'new', 'the first reply was known stale: not cached')
  })

  test('read-your-writes through a transaction and a pipeline without any invalidation from the server (keyPrefix too)', async () => {
    const mock = statefulMock()
    let inMulti = false
    mock.script('MULTI', () => { inMulti = true; return simple('OK') })
    mock.script('EXEC', () => { inMulti = false; return ['OK'] })
    mock.script('SET', (command) => {
      mock.data.set(command.args[0], command.args[1])
      return inMulti ? simple('QUEUED') : simple('OK')
    })
    const client = createClient({ connector: mock.connector, RESP: 3, clientSideCache: {}, keyPrefix: 'p:' })
    client.on('error', () => {})
    redis.track(client)
    await within(client.connect(), 'connect')
    mock.data.set('p:k', 'old')
    assert.equal(await client.get('k'), 'old')
    assert.equal(await client.get('k'), 'old')
    await client.multi().set('k', 'from multi').exec()
    assert.equal(await client.get('k'), 'from multi')
    assert.equal(await client.get('k'), 'from multi')
    await client.pipeline().set('k', 'from pipeline').exec()
    assert.equal(await client.get('k'), 'from pipeline')
  })

  test('a broken connection flushes the cache', async () => {
    const { mock, client } = await mocked()
    const ready = nextEvent(client, 'ready')
    serverSide(mock).faults!.reset()
    await ready
    assert.equal(client.clientSideCache!.stats().size, 0)
    await client.get('a')
    assert.equal(mock.count('GET'), 3)
  })
})
