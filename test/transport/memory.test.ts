// The in-memory pair's fault knobs, each on its own and deterministically: how chunks are cut
// (fixed, seeded random), latency (ordering only), stalls and backpressure, a drop mid-frame,
// injected bytes, pause(), and how each end's `closed` settles. The conformance suite runs the
// pair as a whole against the mock server; this file pins down the knobs tests rely on.
//
// Nothing here waits on the clock: "nothing arrived" is checked when bytes sent the other way
// (or on another pair) written after them have arrived, which they could not overtake if the
// knob did nothing. Every wait is bounded.

import assert from 'node:assert/strict'
import { after, describe, test } from '../support/runtime.ts'
import {
  type MemoryPairOptions, createMemoryPair, memoryConnector,
} from '../../src/transport/memory.ts'
import type { StreamHandlers } from '../../src/transport/types.ts'
import {
  ConnectAbortedError, ConnectionClosedError, ConnectionError, ConnectionRefusedError, ConnectionResetError,
} from '../../src/transport/errors.ts'
import { END_GRACE_MS } from '../../src/transport/options.ts'

const utf8 = new TextEncoder()
const latin1 = new TextDecoder('latin1')
const bytes = (text: string): Uint8Array => utf8.encode(text)
const WAIT = 2_000

// Unhandled rejections anywhere in this file fail it (process event: Node, Deno and Bun).
const unhandled: unknown[] = []
const onRejection = (reason: unknown): void => { unhandled.push(reason) }
process.on('unhandledRejection', onRejection)
after(async () => {
  // One macrotask turn, so that rejections still pending get reported before we look.
  await new Promise((resolve) => setTimeout(resolve, 0))
  process.off('unhandledRejection', onRejection)
  assert.deepEqual(unhandled, [], 'unhandled rejections')
})

/** What one end receives: every chunk, and a bounded wait for a byte count. */
class Sink implements StreamHandlers {
  readonly chunks: Uint8Array[] = []
  total = 0
  /** Called with each chunk after it is recorded. */
  tap: ((chunk: Uint8Array) => void) | undefined
  private waiters: Array<() => void> = []

  onData(chunk: Uint8Array): void {
    this.chunks.push(chunk)
    this.total += chunk.byteLength
    this.tap?.(chunk)
    for (const wake of this.waiters.splice(0)) wake()
  }

  /** Resolves once `count` bytes in all have arrived; fails after WAIT ms. */
  async until(count: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`only ${this.total} of ${count} bytes within ${WAIT} ms`)), WAIT)
    })
    try {
      while (this.total < count) await Promise.race([new Promise<void>((resolve) => this.waiters.push(resolve)), expired])
    } finally {
      clearTimeout(timer)
    }
  }

  text(): string {
    return this.chunks.map((c) => latin1.decode(c)).join('')
  }

  pieces(): string[] {
    return this.chunks.map((c) => latin1.decode(c))
  }
}

/** A pair whose two ends record what they receive. */
function pair(options: Omit<MemoryPairOptions, 'clientHandlers' | 'serverHandlers'> = {}) {
  const atClient = new Sink()
  const atServer = new Sink()
  const p = createMemoryPair({ ...options, clientHandlers: atClient, serverHandlers: atServer })
  return { ...p, atClient, atServer }
}

/** Whether a promise has settled by now, without waiting for it. */
function tracked<T>(promise: Promise<T>): { readonly settled: boolean; readonly promise: Promise<T> } {
  const state = { settled: false, promise }
  promise.then(() => { state.settled = true }, () => { state.settled = true })
  return state
}

describe('memory pair: how chunks are cut', () => {
  test('default: each write arrives as one chunk, in order, and never inside write()', async () => {
    const { server, atClient } = pair()
    server.write(bytes('abc'))
    server.writev([bytes('de'), bytes('f')])
    assert.equal(atClient.total, 0, 'delivered synchronously')
    await atClient.until(6)
    assert.deepEqual(atClient.pieces(), ['abc', 'de', 'f'])
  })

  test('a number: chunks of that size, cut across writes', async () => {
    const { server, atClient } = pair({ split: 4 })
    server.write(bytes('abcdef'))
    server.write(bytes('ghij'))
    await atClient.until(10)
    assert.deepEqual(atClient.pieces(), ['abcd', 'efgh', 'ij'])
  })

  test('random: the seed fixes the cuts, the same on every runtime', async () => {
    const input = Array.from({ length: 4 }, (_, i) => new Uint8Array(100).fill(i))
    const cuts = async (seed: number): Promise<number[]> => {
      const { server, atClient } = pair({ split: 'random', seed })
      for (const chunk of input) server.write(chunk)
      await atClient.until(400)
      const joined = new Uint8Array(400)
      let at = 0
      for (const chunk of atClient.chunks) {
        joined.set(chunk, at)
        at += chunk.byteLength
      }
      for (let i = 0; i < 400; i++) assert.equal(joined[i], Math.floor(i / 100), `byte ${i} (seed ${seed})`)
      return atClient.chunks.map((c) => c.byteLength)
    }
    // mulberry32 from seed 7: written down once, so a runtime that differed would show.
    assert.deepEqual(await cuts(7), [1, 279, 49, 4, 49, 3, 8, 3, 3, 1])
    assert.deepEqual(await cuts(7), [1, 279, 49, 4, 49, 3, 8, 3, 3, 1])
    assert.notDeepEqual(await cuts(8), await cuts(7))
  })

  test('split() with a seed mid-stream restarts the sequence', async () => {
    const { server, atClient, faults } = pair({ split: 'random', seed: 7 })
    server.write(new Uint8Array(400))
    await atClient.until(400)
    const first = atClient.chunks.map((c) => c.byteLength)
    faults.split('random', 7)
    server.write(new Uint8Array(400))
    await atClient.until(800)
    assert.deepEqual(atClient.chunks.slice(first.length).map((c) => c.byteLength), first)
    faults.split(3)
    server.write(bytes('abcdefg'))
    await atClient.until(807)
    assert.deepEqual(atClient.pieces().slice(-3), ['abc', 'def', 'g'])
  })
})

describe('memory pair: latency', () => {
  test('a delayed write arrives after an undelayed one on another pair, and holds back later writes on its own', async () => {
    const log: string[] = []
    const slow = pair({ latency: 5 })
    const fast = pair()
    slow.atClient.tap = (c) => log.push(`slow:${latin1.decode(c)}`)
    fast.atClient.tap = (c) => log.push(`fast:${latin1.decode(c)}`)
    slow.server.write(bytes('a'))
    // From now on no delay on the slow pair: 'b' is there at once, but may not overtake 'a'.
    slow.faults.latency(0)
    slow.server.write(bytes('b'))
    fast.server.write(bytes('x'))
    assert.equal(slow.server.writableLength, 2, 'bytes in flight count at the sender')
    await Promise.all([slow.atClient.until(2), fast.atClient.until(1)])
    assert.deepEqual(log, ['fast:x', 'slow:a', 'slow:b'])
    assert.equal(slow.server.writableLength, 0)
  })
})

describe('memory pair: stall and backpressure', () => {
  test('stall builds writableLength, write returns false past the mark, drain() resolves after unstall', async () => {
    const { client, server, faults, atClient, atServer } = pair({ highWaterMark: 16 })
    faults.stall('toServer')
    assert.equal(client.write(bytes('0123456789')), true)
    assert.equal(client.write(bytes('abcdefghij')), false)
    assert.equal(client.writableLength, 20)
    const drained = tracked(client.drain())
    // The other direction still flows; what it carries was written after the stalled bytes.
    server.write(bytes('pong'))
    await atClient.until(4)
    assert.equal(atServer.total, 0, 'stalled bytes were delivered')
    assert.equal(client.writableLength, 20)
    assert.equal(drained.settled, false, 'drain() resolved while stalled')
    faults.unstall('toServer')
    await drained.promise
    assert.ok(client.writableLength <= 16, `drain() resolved with writableLength ${client.writableLength}`)
    await atServer.until(20)
    assert.equal(atServer.text(), '0123456789abcdefghij')
    assert.equal(client.writableLength, 0)
    assert.equal(faults.delivered('toServer'), 20)
    assert.equal(faults.delivered('toClient'), 4)
  })

  test('stall() without a direction holds both; end() waits for the stalled bytes', async () => {
    const { client, server, faults, atClient, atServer } = pair()
    faults.stall()
    client.write(bytes('last words'))
    server.write(bytes('reply'))
    const ending = tracked(client.end())
    // A third pair as the witness that time has moved on.
    const witness = pair()
    witness.server.write(bytes('w'))
    await witness.atClient.until(1)
    assert.equal(atServer.total + atClient.total, 0)
    assert.equal(ending.settled, false, 'end() resolved before its bytes were sent')
    assert.throws(() => client.write(bytes('more')), ConnectionClosedError, 'write after end()')
    faults.unstall()
    await ending.promise
    assert.equal(atServer.text(), 'last words')
    assert.equal(await client.closed, undefined)
    assert.ok((await server.closed) instanceof ConnectionClosedError)
  })
})

describe('memory pair: dropAfter', () => {
  test('cuts mid-frame: exactly n bytes arrive, then both ends see ConnectionResetError', async () => {
    const { client, server, faults, atClient } = pair({ split: 3 })
    faults.dropAfter(7)
    server.write(bytes('$11\r\nhello world\r\n'))
    const [clientErr, serverErr] = await Promise.all([client.closed, server.closed])
    assert.equal(atClient.text(), '$11\r\nhe')
    assert.deepEqual(atClient.pieces(), ['$11', '\r\nh', 'e'])
    assert.ok(clientErr instanceof ConnectionResetError, `client: ${String(clientErr)}`)
    assert.ok(serverErr instanceof ConnectionResetError, `server: ${String(serverErr)}`)
    assert.equal(faults.delivered('toClient'), 7)
    assert.equal(server.writableLength, 0, 'undelivered bytes are dropped')
    assert.throws(() => server.write(bytes('x')), ConnectionResetError)
    assert.throws(() => client.write(bytes('x')), ConnectionResetError)
    await server.drain() // resolves at once on a closed stream
  })

  test('toServer, counted from now; 0 drops at once', async () => {
    const first = pair()
    first.client.write(bytes('early'))
    await first.atServer.until(5)
    first.faults.dropAfter(2, 'toServer')
    first.client.write(bytes('PING\r\n'))
    assert.ok((await first.server.closed) instanceof ConnectionResetError)
    assert.equal(first.atServer.text(), 'earlyPI')

    const second = pair()
    second.server.write(bytes('never'))
    second.faults.dropAfter(0)
    assert.ok((await second.client.closed) instanceof ConnectionResetError)
    assert.equal(second.atClient.total, 0)
  })
})

describe('memory pair: inject', () => {
  test('injected bytes arrive after those queued before, are not the sender\'s, and are copied', async () => {
    const { client, server, faults, atClient, atServer } = pair()
    server.write(bytes('+OK\r\n'))
    const stray = bytes('+STRAY\r\n')
    faults.inject('toClient', stray)
    stray.fill(0) // the pair took a copy
    server.write(bytes('+LATER\r\n'))
    assert.equal(server.writableLength, 13, 'injected bytes counted as written')
    faults.inject('toServer', bytes('*1\r\n$4\r\nPING\r\n'))
    assert.equal(client.writableLength, 0)
    await Promise.all([atClient.until(21), atServer.until(14)])
    assert.equal(atClient.text(), '+OK\r\n+STRAY\r\n+LATER\r\n')
    assert.equal(atServer.text(), '*1\r\n$4\r\nPING\r\n')
    assert.equal(server.writableLength, 0)
  })
})

describe('memory pair: pause', () => {
  test('a paused receiver gets nothing; the sender holds the bytes; resume() delivers them', async () => {
    const { client, server, atClient, atServer } = pair()
    client.pause()
    server.write(bytes('abc'))
    client.write(bytes('ping')) // written after 'abc': its arrival is our witness
    await atServer.until(4)
    assert.equal(atClient.total, 0, 'delivered while paused')
    assert.equal(server.writableLength, 3)
    client.resume()
    await atClient.until(3)
    assert.equal(atClient.text(), 'abc')
    assert.equal(server.writableLength, 0)
  })

  test('pause() inside onData stops delivery at once', async () => {
    const { client, server, atClient, atServer } = pair({ split: 1 })
    atClient.tap = () => {
      if (atClient.total === 2) client.pause()
    }
    server.write(bytes('abcdef'))
    await atClient.until(2)
    client.write(bytes('x'))
    await atServer.until(1)
    assert.equal(atClient.text(), 'ab')
    assert.equal(server.writableLength, 4)
    client.resume()
    await atClient.until(6)
    assert.equal(atClient.text(), 'abcdef')
  })
})

describe('memory pair: closing', () => {
  const reason = new Error('test reason')
  const ways: Array<{ name: string; close: (p: ReturnType<typeof pair>) => void | Promise<void>; client: (e: unknown) => boolean; server: (e: unknown) => boolean }> = [
    { name: 'client end()', close: (p) => p.client.end(), client: (e) => e === undefined, server: (e) => e instanceof ConnectionClosedError },
    { name: 'server end()', close: (p) => p.server.end(), client: (e) => e instanceof ConnectionClosedError, server: (e) => e === undefined },
    { name: 'client abort()', close: (p) => p.client.abort(), client: (e) => e === undefined, server: (e) => e instanceof ConnectionClosedError },
    { name: 'client abort(reason)', close: (p) => p.client.abort(reason), client: (e) => e === reason, server: (e) => e instanceof ConnectionClosedError },
    { name: 'faults.reset()', close: (p) => p.faults.reset(), client: (e) => e instanceof ConnectionResetError, server: (e) => e instanceof ConnectionResetError },
    {
      name: 'a throw in the client\'s onData',
      close: (p) => {
        p.atClient.tap = () => { throw reason }
        p.server.write(bytes('boom'))
      },
      client: (e) => e === reason,
      server: (e) => e instanceof ConnectionClosedError,
    },
  ]
  for (const way of ways) {
    test(`${way.name}: each end's closed settles once, with its own reason; later closes change nothing`, async () => {
      const p = pair()
      let settledClient = 0
      let settledServer = 0
      void p.client.closed.then(() => settledClient++)
      void p.server.closed.then(() => settledServer++)
      await way.close(p)
      const [clientErr, serverErr] = await Promise.all([p.client.closed, p.server.closed])
      assert.ok(way.client(clientErr), `client closed with ${String(clientErr)}`)
      assert.ok(way.server(serverErr), `server closed with ${String(serverErr)}`)
      // Every later way of closing is a no-op, and throws nothing.
      p.client.abort(new Error('late'))
      p.server.abort(new Error('late'))
      p.faults.reset()
      p.faults.dropAfter(0)
      await Promise.all([p.client.end(), p.server.end()])
      assert.equal(await p.client.closed, clientErr)
      assert.equal(await p.server.closed, serverErr)
      assert.equal(settledClient, 1)
      assert.equal(settledServer, 1)
      assert.throws(() => p.client.write(bytes('x')), (e: unknown) => e === clientErr || e instanceof ConnectionError)
      assert.throws(() => p.server.writev([bytes('x')]), (e: unknown) => e === serverErr || e instanceof ConnectionError)
    })
  }
})

describe('memoryConnector', () => {
  test('connects on a later tick, names the remote like a socket, and passes highWaterMark', async () => {
    const seen: string[] = []
    const connector = memoryConnector((server) => {
      seen.push(server.remote)
      return { onData: (chunk) => { server.write(chunk) } } // echo
    })
    const atClient = new Sink()
    const stream = await connector({ host: '::1', port: 7777, highWaterMark: 4 }, atClient)
    assert.equal(stream.remote, '[::1]:7777')
    assert.deepEqual(seen, ['memory-client'])
    assert.equal(stream.write(bytes('hello')), false, '5 bytes over a mark of 4')
    await atClient.until(5)
    assert.equal(atClient.text(), 'hello')
    assert.equal((await connector({ path: '/tmp/x.sock' }, new Sink())).remote, '/tmp/x.sock')
    assert.equal((await connector({}, new Sink())).remote, '127.0.0.1:6379')
  })

  test('a throw from serve is the connect failure; an aborted signal rejects', async () => {
    const refused = memoryConnector(() => { throw Object.assign(new Error('nope'), { code: 'ECONNREFUSED' }) })
    const err = await refused({ port: 1234 }, new Sink()).then(() => undefined, (e: unknown) => e)
    assert.ok(err instanceof ConnectionRefusedError, `got ${String(err)}`)
    assert.equal(err.address, '127.0.0.1:1234')
    const open = memoryConnector(() => new Sink())
    const aborted = await open({ signal: AbortSignal.abort() }, new Sink()).then(() => undefined, (e: unknown) => e)
    assert.ok(aborted instanceof ConnectAbortedError, `got ${String(aborted)}`)
  })
})

describe('memory pair: hardening (issue 6)', () => {
  test('write and writev of a string, or anything but a Uint8Array, throw a TypeError and deliver nothing', async () => {
    const { client, server, atServer } = pair()
    assert.throws(() => client.write('a string' as unknown as Uint8Array), TypeError)
    assert.throws(() => client.writev([bytes('a'), 'b' as unknown as Uint8Array]), TypeError)
    assert.throws(() => client.writev(bytes('ab') as unknown as Uint8Array[]), TypeError)
    assert.equal(client.writableLength, 0)
    client.write(bytes('ok'))
    await atServer.until(2)
    assert.equal(atServer.text(), 'ok')
    client.abort()
    await server.closed
  })

  test('options that would wedge the pair are refused, naming the option', () => {
    const bad: Array<[keyof MemoryPairOptions, unknown]> = [
      ['highWaterMark', NaN], ['highWaterMark', -1], ['highWaterMark', 0.5], ['latency', -1], ['latency', NaN],
      ['seed', 1.5], ['split', 0], ['split', 2.5], ['split', 'sometimes'],
    ]
    for (const [name, value] of bad) {
      assert.throws(() => createMemoryPair({ [name]: value }), (e: unknown) => e instanceof Error && e.message.includes(name), `${name}: ${String(value)}`)
      assert.throws(() => memoryConnector(() => new Sink(), { [name]: value }), (e: unknown) => e instanceof Error && e.message.includes(name))
    }
    const { faults } = pair()
    assert.throws(() => faults.latency(NaN), /latency/)
    assert.throws(() => faults.dropAfter(NaN), /dropAfter/)
    assert.throws(() => faults.split(-3), /split/)
    assert.throws(() => faults.inject('toClient', 'x' as unknown as Uint8Array), TypeError)
    faults.reset()
  })

  test(`end() with a pipe stalled for good still settles, after the grace (${END_GRACE_MS} ms)`, async () => {
    const { client, server, faults } = pair()
    faults.stall('toServer')
    client.write(bytes('never delivered'))
    await client.end()
    assert.equal(await client.closed, undefined)
    assert.ok((await server.closed) instanceof ConnectionClosedError)
  })

  test('an exception thrown by onData closes that end with it; the peer sees the close', async () => {
    const boom = new Error('consumer failed')
    const { client, server } = createMemoryPair({ clientHandlers: { onData() { throw boom } } })
    server.write(bytes('x'))
    assert.equal(await client.closed, boom)
    assert.ok((await server.closed) instanceof ConnectionClosedError)
    assert.throws(() => client.write(bytes('y')), (e: unknown) => e === boom)
  })
})
