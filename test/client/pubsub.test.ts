// Pub/sub: subscribe / pSubscribe / sSubscribe with listeners (strings and bytes), unsubscribing
// one listener or all, RESP2's subscribed mode (other commands refused, duplicate() for them),
// RESP3 on the command connection, resubscription after CLIENT KILL with messages published
// after the restore delivered, the messages() iterator (break, each overflow policy, abort),
// against a real redis-server under RESP2 and RESP3; and on the mock: a subscribe reply split
// into 1-byte chunks, a push between the replies of commands, resubscription before any other
// traffic on a new connection.

import assert from 'node:assert/strict'
import { after, before, describe, test } from '../support/runtime.ts'
import { push } from '../../src/resp/index.ts'
import {
  ClientStateError, PubSubOverflowError, createClient, type ClientOptions, type MessageStreamOptions, type RedisClient,
} from '../../src/client/index.ts'
import { replies, type MockConnection } from '../../src/testing/index.ts'
import { killAndRestartRedis, startRedis } from '../support/redis.ts'
import { WAIT, nextEvent, serverSide, statefulMock, within, useRealServer } from './fault-support.ts'

const redis = useRealServer()

const real = (RESP: 2 | 3, options: ClientOptions = {}): Promise<RedisClient> => redis.client({ RESP, ...options })

/** Collects (message, channel) pairs; `until(n)` resolves once n have come (bounded). */
function collector<T = string>() {
  const got: Array<[T, T]> = []
  const waiters: Array<{ n: number; resolve: () => void }> = []
  const listener = (message: T, channel: T): void => {
    got.push([message, channel])
    for (const w of waiters.slice()) if (got.length >= w.n) { waiters.splice(waiters.indexOf(w), 1); w.resolve() }
  }
  const until = (n: number, what = `${n} messages`): Promise<void> =>
    within(got.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve })), what)
  return { got, listener, until }
}

let seq = 0
const chan = (name: string): string => `ps:${++seq}:${name}`
const text = (b: unknown): string => new TextDecoder().decode(b as Uint8Array)

for (const RESP of [2, 3] as const) {
  describe(`pub/sub on a real server, RESP${RESP}`, () => {
    let pub: RedisClient
    before(async () => {
      pub = await real(RESP)
    })
    after(() => pub?.destroy())

    test('subscribe, pSubscribe and sSubscribe deliver (message, channel); bufferMode gives bytes', async () => {
      const sub = await real(RESP)
      const [a, b, s] = [chan('a'), chan('b'), chan('s')]
      const plain = collector()
      const pattern = collector()
      const shard = collector()
      const bytes = collector<Uint8Array>()
      await sub.subscribe([a, b], plain.listener)
      await sub.pSubscribe(`${a.slice(0, -1)}*`, pattern.listener)
      await sub.sSubscribe(s, shard.listener)
      await sub.subscribe(a, bytes.listener, true)
      assert.equal(await pub.publish(a, 'one'), 2, 'a channel and a pattern subscription receive it')
      await pub.publish(b, 'two')
      await pub.sendCommand(['SPUBLISH', s, 'three'])
      await plain.until(2)
      await pattern.until(1)
      await shard.until(1)
      await bytes.until(1)
      assert.deepEqual(plain.got, [['one', a], ['two', b]])
      assert.deepEqual(pattern.got, [['one', a]], 'the pattern listener gets the channel, not the pattern')
      assert.deepEqual(shard.got, [['three', s]])
      assert.ok(bytes.got[0][0] instanceof Uint8Array && bytes.got[0][1] instanceof Uint8Array)
      assert.deepEqual([text(bytes.got[0][0]), text(bytes.got[0][1])], ['one', a])
      sub.destroy()
    })

    test('bufferMode gives the exact bytes of a message that is not UTF-8', async () => {
      const sub = await real(RESP)
      const c = chan('bin')
      const bytes = collector<Uint8Array>()
      await sub.subscribe(c, bytes.listener, true)
      const payload = new Uint8Array([0xff, 0x00, 0xfe, 0x80, 0x41])
      await pub.sendCommand(['PUBLISH', c, payload])
      await bytes.until(1)
      assert.deepEqual([...bytes.got[0][0]], [...payload])
      sub.destroy()
    })

    test('unsubscribe one listener keeps the others; unsubscribe() with no channel ends them all', async () => {
      const sub = await real(RESP)
      const [a, b] = [chan('a'), chan('b')]
      const one = collector()
      const two = collector()
      await sub.subscribe(a, one.listener)
      await sub.subscribe([a, b], two.listener)
      await sub.unsubscribe(a, one.listener)
      await pub.publish(a, 'm1')
      await two.until(1)
      assert.deepEqual(one.got, [], 'the removed listener got nothing')
      assert.deepEqual(await pub.sendCommand(['PUBSUB', 'NUMSUB', a, b]), [a, 1, b, 1])
      await sub.unsubscribe()
      assert.deepEqual(await pub.sendCommand(['PUBSUB', 'NUMSUB', a, b]), [a, 0, b, 0])
      await sub.pSubscribe('ps:none:*', one.listener)
      await sub.pUnsubscribe()
      assert.equal(await pub.sendCommand(['PUBSUB', 'NUMPAT']), 0)
      // Subscribed to nothing: every command works again, on RESP2 too.
      assert.equal(await sub.ping(), 'PONG')
      assert.equal(await sub.get('ps:none'), null)
      sub.destroy()
    })

    if (RESP === 2) {
      test('RESP2: a subscribed client refuses other commands with ClientStateError; duplicate() runs them', async () => {
        const sub = await real(RESP)
        await sub.subscribe(chan('x'), () => {})
        await assert.rejects(sub.get('k'), (e: Error) => e instanceof ClientStateError && /duplicate\(\)/.test(e.message))
        // Redis answers PING in subscribed mode with ['pong', ''] (node-redis resolves 'pong').
        const pong = await sub.ping()
        assert.equal(typeof pong, 'string', `ping() in subscribed mode resolves a string, got ${JSON.stringify(pong)}`)
        assert.match(pong as string, /^pong$/i)
        const other = sub.duplicate()
        redis.track(other)
        other.on('error', () => {})
        await other.connect()
        assert.equal(await other.set('ps:dup', '1'), 'OK')
        other.destroy()
        sub.destroy()
      })
      test('RESP2: a shard subscription alone is subscribed mode too; sUnsubscribe() ends it', async () => {
        const sub = await real(RESP)
        await sub.sSubscribe(chan('shard'), () => {})
        await assert.rejects(sub.get('k'), ClientStateError)
        await sub.sUnsubscribe()
        assert.equal(await sub.get('ps:after-shard'), null)
        sub.destroy()
      })
    } else {
      test('RESP3: commands run on the subscribed connection, messages arrive between their replies', async () => {
        const sub = await real(RESP)
        const c = chan('x')
        const got = collector()
        await sub.subscribe(c, got.listener)
        const replies = await Promise.all([sub.set('ps:r3', 'v'), pub.publish(c, 'between'), sub.get('ps:r3'), sub.incr('ps:n3')])
        assert.deepEqual([replies[0], replies[2]], ['OK', 'v'])
        await got.until(1)
        assert.deepEqual(got.got, [['between', c]])
        sub.destroy()
      })
    }

    test('after CLIENT KILL every channel, pattern and shard channel is subscribed again; messages published after that arrive', async () => {
      const sub = await real(RESP)
      const [a, p, s] = [chan('a'), chan('p'), chan('s')]
      const got = collector()
      await sub.subscribe(a, got.listener)
      await sub.pSubscribe(`${p}*`, got.listener)
      await sub.sSubscribe(s, got.listener)
      const killer = await real(RESP)
      const ready = nextEvent(sub, 'ready')
      // RESP2: the subscribed connection takes no CLIENT ID; find it by its channel.
      const list = String(await killer.sendCommand(['CLIENT', 'LIST']))
      const line = list.split('\n').find((l) => / sub=1 /.test(l) && / psub=1 /.test(l) && / ssub=1 /.test(l))
      assert.ok(line, `the subscriber's connection in CLIENT LIST:\n${list}`)
      const id = /id=(\d+)/.exec(line!)![1]
      await killer.sendCommand(['CLIENT', 'KILL', 'ID', id])
      await ready
      await pub.publish(a, 'after-a')
      await pub.publish(`${p}1`, 'after-p')
      await pub.sendCommand(['SPUBLISH', s, 'after-s'])
      await got.until(3)
      assert.deepEqual(got.got.map((m) => m[0]).sort(), ['after-a', 'after-p', 'after-s'])
      killer.destroy()
      sub.destroy()
    })

    test("a listener that throws does not stop the others; its error goes to the 'error' event", async () => {
      const sub = createClient({ socket: { port: redis.port, host: '127.0.0.1' }, RESP })
      redis.track(sub)
      const errors: unknown[] = []
      sub.on('error', (e: unknown) => errors.push(e))
      await sub.connect()
      const c = chan('throws')
      const good = collector()
      await sub.subscribe(c, () => { throw new Error('listener failed') })
      await sub.subscribe(c, good.listener)
      await sub.subscribe(c, async () => { throw new Error('async listener failed') })
      await pub.publish(c, 'm')
      await good.until(1)
      await pollUntil(async () => errors.length === 2)
      assert.deepEqual(errors.map((e) => (e as Error).message).sort(), ['async listener failed', 'listener failed'])
      await sub.unsubscribe()
      assert.equal(await sub.ping(), 'PONG', 'the connection is still in sync')
      sub.destroy()
    })

    test('two messages() iterators on one channel: ending one leaves the other subscribed', async () => {
      const sub = await real(RESP)
      const c = chan('two')
      const a = sub.messages(c)
      const b = sub.messages(c)
      const [na, nb] = [a.next(), b.next()]
      await pollUntil(async () => (await pub.sendCommand<[string, number]>(['PUBSUB', 'NUMSUB', c]))[1] === 1)
      await pub.publish(c, 'x')
      assert.equal((await within(na, 'a')).value.message, 'x')
      assert.equal((await within(nb, 'b')).value.message, 'x')
      await a.return!()
      assert.deepEqual(await pub.sendCommand(['PUBSUB', 'NUMSUB', c]), [c, 1])
      const next = b.next()
      await pub.publish(c, 'y')
      assert.equal((await within(next, 'b after a ended')).value.message, 'y')
      await b.return!()
      assert.deepEqual(await pub.sendCommand(['PUBSUB', 'NUMSUB', c]), [c, 0])
      sub.destroy()
    })

    test('messages(): several next() calls at once each get the next message, in order', async () => {
      const sub = await real(RESP)
      const c = chan('concurrent')
      const it = sub.messages(c)
      const pending = [it.next(), it.next(), it.next()]
      await pollUntil(async () => (await pub.sendCommand<[string, number]>(['PUBSUB', 'NUMSUB', c]))[1] === 1)
      for (const m of ['1', '2', '3']) await pub.publish(c, m)
      const got = await within(Promise.all(pending), 'three next() at once')
      assert.deepEqual(got.map((r) => r.value.message), ['1', '2', '3'])
      await it.return!()
      sub.destroy()
    })

    test('messages(): for await yields messages; break unsubscribes', async () => {
      const sub = await real(RESP)
      const c = chan('it')
      const seen: string[] = []
      const it = sub.messages(c)
      // The iterator subscribes on its first next(): publish once the server counts it.
      const first = it.next()
      await pollUntil(async () => (await pub.sendCommand<[string, number]>(['PUBSUB', 'NUMSUB', c]))[1] === 1)
      for (const m of ['a', 'b', 'c', 'd']) await pub.publish(c, m)
      seen.push((await within(first, 'first message')).value.message)
      for await (const { message, channel } of it) {
        assert.equal(channel, c)
        seen.push(message)
        if (seen.length === 3) break
      }
      assert.deepEqual(seen, ['a', 'b', 'c'])
      assert.deepEqual(await pub.sendCommand(['PUBSUB', 'NUMSUB', c]), [c, 0], 'break unsubscribed')
      sub.destroy()
    })

    /**
     * A stream whose first message has been read, then `count` more published while nobody
     * reads; a sentinel on another channel of the same connection says all of them arrived.
     */
    async function backlog(sub: RedisClient, options: MessageStreamOptions & { bufferMode?: false }, count: number) {
      const c = chan('slow')
      const sentinel = collector()
      await sub.subscribe(chan('sentinel'), sentinel.listener)
      const it = sub.messages(c, options)
      const firstRead = it.next()
      await pollUntil(async () => (await pub.sendCommand<[string, number]>(['PUBSUB', 'NUMSUB', c]))[1] === 1)
      await pub.publish(c, '0')
      assert.deepEqual((await within(firstRead, 'first message')).value, { channel: c, message: '0' })
      for (let i = 1; i <= count; i++) await pub.publish(c, String(i))
      await pub.publish(`ps:${seq}:sentinel`, 'done')
      await sentinel.until(1)
      return { it, c }
    }

    test("messages() onOverflow 'error' (default): held messages, then PubSubOverflowError, and unsubscribed", async () => {
      const sub = await real(RESP)
      const { it, c } = await backlog(sub, { maxBuffered: 3 }, 6)
      const read: string[] = []
      let error: unknown
      try {
        for (;;) {
          const r = await it.next()
          if (r.done) break
          read.push(r.value.message)
        }
      } catch (err) {
        error = err
      }
      assert.deepEqual(read, ['1', '2', '3'])
      assert.ok(error instanceof PubSubOverflowError, String(error))
      assert.deepEqual(await it.next(), { value: undefined, done: true })
      assert.deepEqual(await pub.sendCommand(['PUBSUB', 'NUMSUB', c]), [c, 0])
      sub.destroy()
    })

    test("messages() onOverflow 'drop-oldest' keeps the newest maxBuffered", async () => {
      const sub = await real(RESP)
      const { it } = await backlog(sub, { maxBuffered: 3, onOverflow: 'drop-oldest' }, 6)
      const read = [(await it.next()).value.message, (await it.next()).value.message, (await it.next()).value.message]
      assert.deepEqual(read, ['4', '5', '6'])
      await it.return!()
      sub.destroy()
    })

    test("messages() onOverflow 'drop-newest' keeps the oldest maxBuffered and goes on afterwards", async () => {
      const sub = await real(RESP)
      const { it, c } = await backlog(sub, { maxBuffered: 3, onOverflow: 'drop-newest' }, 6)
      const read = [(await it.next()).value.message, (await it.next()).value.message, (await it.next()).value.message]
      assert.deepEqual(read, ['1', '2', '3'])
      const next = it.next()
      await pub.publish(c, '7')
      assert.equal((await within(next, 'a message after the drop')).value.message, '7')
      await it.return!()
      sub.destroy()
    })

    test('messages() ends when its signal aborts, and unsubscribes', async () => {
      const sub = await real(RESP)
      const c = chan('abort')
      const ac = new AbortController()
      const it = sub.messages(c, { signal: ac.signal })
      const pending = it.next()
      await pollUntil(async () => (await pub.sendCommand<[string, number]>(['PUBSUB', 'NUMSUB', c]))[1] === 1)
      ac.abort()
      assert.deepEqual(await within(pending, 'next after abort'), { value: undefined, done: true })
      await pollUntil(async () => (await pub.sendCommand<[string, number]>(['PUBSUB', 'NUMSUB', c]))[1] === 0)
      sub.destroy()
    })
  })
}

for (const RESP of [2, 3] as const) {
  test(`RESP${RESP}: a real server killed (SIGKILL) and restarted: subscriptions restored, later messages delivered`, async () => {
    let server = await startRedis()
    try {
      const options = { socket: { port: server.port, host: '127.0.0.1', reconnectStrategy: 20 }, RESP }
      const sub = createClient(options)
      sub.on('error', () => {})
      redis.track(sub)
      await within(sub.connect(), 'connect')
      const got = collector()
      await sub.subscribe('r:chan', got.listener)
      await sub.pSubscribe('r:pat:*', got.listener)
      const ready = nextEvent(sub, 'ready', 15_000)
      server = await killAndRestartRedis(server)
      await ready
      const pub = createClient(options)
      pub.on('error', () => {})
      redis.track(pub)
      await within(pub.connect(), 'publisher connect')
      assert.equal(await pub.publish('r:chan', 'after restart'), 1, 'the channel subscription is back on the new server')
      assert.equal(await pub.publish('r:pat:1', 'pattern after restart'), 1)
      await got.until(2)
      assert.deepEqual(got.got, [['after restart', 'r:chan'], ['pattern after restart', 'r:pat:1']])
      sub.destroy()
      pub.destroy()
    } finally {
      await server.stop()
    }
  }, { timeout: 30_000 })
}

/** Polls until `check` says yes (mostly a real command): bounded, never a bare sleep. */
async function pollUntil(check: () => Promise<boolean>, what = 'condition'): Promise<void> {
  const deadline = Date.now() + WAIT
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not met within ${WAIT} ms`)
    await new Promise((resolve) => setTimeout(resolve, 1)) // let I/O in between two checks
  }
}

test('messages() checks its options', () => {
  const client = createClient()
  assert.throws(() => client.messages('c', { maxBuffered: 0 }), /maxBuffered/)
  assert.throws(() => client.messages('c', { maxBuffered: Number.NaN }), /maxBuffered/)
  assert.throws(() => client.messages('c', { onOverflow: 'grow' as never }), /onOverflow/)
})

describe('pub/sub faults, on the mock', () => {
  /** Answers (P|S)SUBSCRIBE / UNSUBSCRIBE like Redis: one confirmation per channel (push on RESP3). */
  function pubsubMock() {
    const mock = statefulMock()
    for (const [name, kind] of [['SUBSCRIBE', 'subscribe'], ['PSUBSCRIBE', 'psubscribe'], ['SSUBSCRIBE', 'ssubscribe'], ['UNSUBSCRIBE', 'unsubscribe']] as const) {
      mock.script(name, (command, conn) => {
        const subs = (conn.state.get('subs') as Set<string> | undefined) ?? new Set<string>()
        conn.state.set('subs', subs)
        const list: unknown[] = []
        for (const ch of command.args) {
          if (kind === 'unsubscribe') subs.delete(ch)
          else subs.add(ch)
          const confirmation = [kind, ch, subs.size]
          list.push(conn.protocol === 3 ? push(confirmation) : confirmation)
        }
        return replies(...list)
      })
    }
    return mock
  }

  const message = (conn: MockConnection, channel: string, text: string): void => {
    const m = ['message', channel, text]
    conn.send(conn.protocol === 3 ? push(m) : m)
  }

  for (const RESP of [2, 3] as const) {
    test(`RESP${RESP}: a subscribe reply and messages split into 1-byte chunks`, async () => {
      const mock = pubsubMock()
      const client = createClient({ connector: mock.connector, RESP, socket: { reconnectStrategy: 1 } })
      client.on('error', () => {})
      await within(client.connect(), 'connect')
      const got = collector()
      serverSide(mock).faults!.split(1)
      await within(client.subscribe(['one', 'two'], got.listener), 'subscribe')
      const conn = serverSide(mock)
      message(conn, 'two', 'héllo wörld')
      message(conn, 'one', 'x')
      await got.until(2)
      assert.deepEqual(got.got, [['héllo wörld', 'two'], ['x', 'one']])
      client.destroy()
    })
  }

  test('RESP3: a message push between the replies of commands reaches the listener, the replies their callers', async () => {
    const mock = pubsubMock()
    mock.script('GET', (command, conn) => {
      message(conn, 'news', `before ${command.args[0]}`)
      return `value of ${command.args[0]}`
    })
    const client = createClient({ connector: mock.connector, RESP: 3 })
    client.on('error', () => {})
    await within(client.connect(), 'connect')
    const got = collector()
    await client.subscribe('news', got.listener)
    const values = await within(Promise.all([client.get('a'), client.get('b'), client.get('c')]), 'GETs')
    assert.deepEqual(values, ['value of a', 'value of b', 'value of c'])
    await got.until(3)
    assert.deepEqual(got.got.map((m) => m[0]), ['before a', 'before b', 'before c'])
    client.destroy()
  })

  for (const RESP of [2, 3] as const) {
    test(`RESP${RESP}: after a reconnect, SUBSCRIBE/PSUBSCRIBE/SSUBSCRIBE go out before any other queued command`, async () => {
      const mock = pubsubMock()
      const client = createClient({ connector: mock.connector, RESP, socket: { reconnectStrategy: 5 } })
      client.on('error', () => {})
      await within(client.connect(), 'connect')
      await client.subscribe('c1', () => {})
      await client.pSubscribe('p*', () => {})
      await client.sSubscribe('s1', () => {})
      const first = serverSide(mock).id
      mock.down = true
      const reconnecting = nextEvent(client, 'reconnecting')
      serverSide(mock).faults!.reset()
      await reconnecting
      const queued = RESP === 3 ? client.get('k') : client.ping()
      mock.down = false
      await within(queued, 'the queued command')
      const after = mock.log.filter((l) => l.conn !== first && !['HELLO', 'CLIENT', 'AUTH', 'SELECT'].includes(l.name)).map((l) => l.name)
      assert.deepEqual(after, ['SUBSCRIBE', 'PSUBSCRIBE', 'SSUBSCRIBE', RESP === 3 ? 'GET' : 'PING'])
      client.destroy()
    })
  }
})
