// The transport conformance suite, written once and run against every target on every runtime
// (conformance.test.ts binds it): a real redis-server reached with each runtime's connector,
// the mock server over real loopback TCP, and the mock server over the in-memory pair. A few
// cases use loopback listeners of their own (a port that refuses, a listener that accepts and
// stays silent), which each target provides in its own way.
//
// Cases that need what only some targets have (TLS, DNS, server-side output buffers...) name
// the capabilities they need; on a target without them they are still listed, as
// `n/a (needs ...)`, so the test list of every target shows which cases apply to it.
//
// Commands are encoded and replies parsed by hand here, so that a bug in src/resp cannot hide
// or fake a transport bug (the mock server does use src/resp; against it the cases check the
// transport and the mock together, and the real-server target keeps them honest).

import assert from 'node:assert/strict'
import { type TestFn, type TestOptions, after, before, describe, test } from '../support/runtime.ts'
import type { TestCerts } from '../support/certs.ts'
import type { ByteStream, ConnectOptions, Connector } from '../../src/transport/types.ts'
import {
  ConnectAbortedError, ConnectTimeoutError, ConnectionClosedError, ConnectionError, ConnectionRefusedError,
  HostNotFoundError, TlsError,
} from '../../src/transport/errors.ts'
import { END_GRACE_MS } from '../../src/transport/options.ts'
import { ReplyError, simple } from '../../src/resp/index.ts'
import { type MockServer, closeConnection, createMockServer, replies } from '../../src/testing/mock-server.ts'

/**
 * What a target offers beyond the core every target has (plain TCP-like streams to a server
 * answering the commands of `conformanceMock`, refused ports, silent listeners):
 * - `dns`: host names go through the system resolver (a real network stack);
 * - `tls`: the server also speaks TLS and mutual TLS, with the test certificates;
 * - `output-buffers`: the server says how much of a reply it still holds (CLIENT LIST omem),
 *   as only a real redis-server does;
 * - `ipv6`: the server is also reachable at ::1;
 * - `unix`: the server is also reachable at a Unix socket path.
 */
export type Capability = 'dns' | 'tls' | 'output-buffers' | 'ipv6' | 'unix'

/** A server started for one target's cases. Its plain TCP address is 127.0.0.1:port. */
export interface ConformanceServer {
  readonly port: number
  /** With `ipv6`: the port at ::1. */
  readonly ipv6Port?: number
  /** With `unix`. */
  readonly socketPath?: string
  /** With `tls`: a TLS port (at ::1 too, with `ipv6`), and one that requires a client certificate. */
  readonly tls?: { readonly port: number; readonly certs: TestCerts }
  readonly mtls?: { readonly port: number; readonly certs: TestCerts }
  stop(): Promise<void>
}

/** Accepts connections and never sends a byte (nor reads one, with `read: false`). */
export interface SilentServer {
  readonly host: string
  readonly port: number
  /** Connections accepted so far. */
  readonly sockets: readonly unknown[]
  /** Resolves once a connection was accepted. */
  accepted(): Promise<unknown>
  close(): Promise<void>
}

export interface ConformanceTarget {
  /** Shown in the test names: `node`, `deno`, `node:net on bun`, `memory pair`... */
  name: string
  connector: Connector
  capabilities: readonly Capability[]
  /** Starts the server the cases talk to: real Redis, or `conformanceMock()` somewhere. */
  start(): Promise<ConformanceServer>
  /** A port on 127.0.0.1 that refuses connections. */
  closedPort(): Promise<number>
  /** With `keepOpen`, the listener never closes its side, even after our FIN. */
  silentListener(options?: { read?: boolean; keepOpen?: boolean }): Promise<SilentServer>
}

const MiB = 1024 * 1024
const text = new TextEncoder()
const latin1 = new TextDecoder('latin1')

// ---------------------------------------------------------------------------------------------
// RESP by hand: enough for the commands below.

/** A command as a RESP array of bulk strings. */
export function command(...args: Array<string | Uint8Array>): Uint8Array[] {
  const parts: Uint8Array[] = [text.encode(`*${args.length}\r\n`)]
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? text.encode(arg) : arg
    parts.push(text.encode(`$${bytes.byteLength}\r\n`), bytes, text.encode('\r\n'))
  }
  return parts
}

export type Reply = string | number | Uint8Array | null | ReplyErr | Reply[]
export class ReplyErr {
  readonly message: string
  constructor(message: string) {
    this.message = message
  }
}

type Parsed = { value: Reply; end: number } | { need: number }

/** Parses one reply at `pos`, or says how many bytes in total it needs at least. */
export function parseReply(buf: Uint8Array, pos: number): Parsed {
  const lineEnd = buf.indexOf(10, pos)
  if (lineEnd === -1) return { need: buf.byteLength + 1 }
  const line = latin1.decode(buf.subarray(pos + 1, lineEnd - 1))
  const next = lineEnd + 1
  switch (buf[pos]) {
    case 43: return { value: line, end: next } // +
    case 45: return { value: new ReplyErr(line), end: next } // -
    case 58: return { value: Number(line), end: next } // :
    case 36: { // $
      const length = Number(line)
      if (length < 0) return { value: null, end: next }
      if (buf.byteLength < next + length + 2) return { need: next + length + 2 }
      return { value: buf.slice(next, next + length), end: next + length + 2 }
    }
    case 42: { // *
      const count = Number(line)
      if (count < 0) return { value: null, end: next }
      const items: Reply[] = []
      let at = next
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, at)
        if ('need' in item) return item
        items.push(item.value)
        at = item.end
      }
      return { value: items, end: at }
    }
    default:
      throw new Error(`unexpected reply type byte ${buf[pos]} at ${pos}`)
  }
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total)
  let at = 0
  for (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.byteLength
  }
  return out
}

/** A connection with a reply queue: the test side of every case. */
export class Peer {
  readonly stream: ByteStream
  /** Every byte delivered by onData, in order, until `take` consumes them. */
  private chunks: Uint8Array[] = []
  private buffered = 0
  private need = 1
  private readonly parsed: Reply[] = []
  private waiter: (() => void) | undefined
  /** Called with each chunk instead of queueing it, while set. */
  sink: ((chunk: Uint8Array) => void) | undefined

  private constructor(stream: ByteStream) {
    this.stream = stream
  }

  static async open(connector: Connector, options: ConnectOptions): Promise<Peer> {
    let peer: Peer | undefined
    const early: Uint8Array[] = []
    const stream = await connector(options, {
      onData: (chunk) => {
        if (peer) peer.onData(chunk)
        else early.push(chunk)
      },
    })
    peer = new Peer(stream)
    for (const chunk of early) peer.onData(chunk)
    return peer
  }

  private onData(chunk: Uint8Array): void {
    if (this.sink) {
      this.sink(chunk)
      return
    }
    this.chunks.push(chunk)
    this.buffered += chunk.byteLength
    if (this.buffered >= this.need) this.parse()
  }

  private parse(): void {
    // Joined only once enough bytes are there for the next reply: no quadratic copying.
    let buf = this.chunks.length === 1 ? this.chunks[0] : concat(this.chunks, this.buffered)
    let pos = 0
    for (;;) {
      if (pos >= buf.byteLength) {
        this.need = buf.byteLength + 1
        break
      }
      const result = parseReply(buf, pos)
      if ('need' in result) {
        this.need = result.need
        break
      }
      this.parsed.push(result.value)
      pos = result.end
    }
    buf = buf.subarray(pos)
    this.chunks = buf.byteLength > 0 ? [buf] : []
    this.buffered = buf.byteLength
    this.need -= pos
    this.waiter?.()
  }

  /** Sends a command; waits for room first if the stream says so. */
  async send(...args: Array<string | Uint8Array>): Promise<void> {
    if (!this.stream.writev(command(...args))) await this.stream.drain()
  }

  /** The next reply; rejects if the stream closes first. */
  async reply(timeout = 20_000): Promise<Reply> {
    const deadline = Date.now() + timeout
    while (this.parsed.length === 0) {
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`no reply within ${timeout} ms`)
      let timer: ReturnType<typeof setTimeout> | undefined
      const closed = await Promise.race([
        new Promise<false>((resolve) => { this.waiter = () => resolve(false) }),
        this.stream.closed.then((err) => err ?? new Error('stream closed')),
        new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), left) }),
      ])
      clearTimeout(timer)
      this.waiter = undefined
      if (closed && this.parsed.length === 0) throw closed
    }
    return this.parsed.shift() as Reply
  }

  async call(...args: Array<string | Uint8Array>): Promise<Reply> {
    await this.send(...args)
    return this.reply()
  }

  close(): void {
    this.stream.abort()
  }
}

function bulkText(reply: Reply): string {
  assert.ok(reply instanceof Uint8Array, `expected a bulk string, got ${describeReply(reply)}`)
  return new TextDecoder().decode(reply)
}

function describeReply(reply: Reply): string {
  if (reply instanceof Uint8Array) return `bulk(${reply.byteLength})`
  if (reply instanceof ReplyErr) return `error(${reply.message})`
  return JSON.stringify(reply)
}

/** Deterministic pseudo-random bytes (xorshift32), cheap for many MiB. */
function pattern(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size)
  const words = new Uint32Array(out.buffer, 0, size >>> 2)
  let x = seed >>> 0 || 1
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    words[i] = x >>> 0
  }
  for (let i = words.length * 4; i < size; i++) out[i] = i & 0xff
  // Bytes a text-mode bug would mangle.
  out.set([13, 10, 0, 0xff, 0xc3, 0x28], 0)
  return out
}

function sameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  assert.equal(actual.byteLength, expected.byteLength, `${what}: length`)
  for (let i = 0; i < expected.byteLength; i++) {
    if (actual[i] !== expected[i]) assert.fail(`${what}: first difference at byte ${i} of ${expected.byteLength}`)
  }
}

/** Waits for the next macrotask turn, so that pending rejections get reported. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0))
}

/** Collects unhandled rejections while a case runs (process event: Node, Deno and Bun). */
function watchUnhandled(): { stop(): unknown[] } {
  const seen: unknown[] = []
  const onRejection = (reason: unknown) => { seen.push(reason) }
  process.on('unhandledRejection', onRejection)
  return {
    stop: () => {
      process.off('unhandledRejection', onRejection)
      return seen
    },
  }
}

/**
 * The error a connection attempt ends with, whether the connector rejects or (as TLS may, on
 * some runtimes) the failure only shows on first use; undefined if PING is answered.
 */
async function failureOf(connector: Connector, options: ConnectOptions): Promise<unknown> {
  let peer: Peer
  try {
    peer = await Peer.open(connector, options)
  } catch (err) {
    return err
  }
  try {
    const reply = await peer.call('PING')
    peer.close()
    return reply === 'PONG' ? undefined : new Error(`unexpected reply ${describeReply(reply)}`)
  } catch (err) {
    peer.close()
    return err
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (err) {
    return err
  }
  assert.fail('expected a rejection')
}

/** `promise`, or a failure naming `what` if it has not settled within `ms`. */
async function within<T>(what: string, promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms) }),
    ])
  } finally {
    clearTimeout(timer)
  }
}

/** Collects uncaught exceptions while a case runs (process event: Node, Deno and Bun). */
function watchUncaught(): { stop(): unknown[] } {
  const seen: unknown[] = []
  const onError = (error: unknown) => { seen.push(error) }
  process.on('uncaughtException', onError)
  return {
    stop: () => {
      process.off('uncaughtException', onError)
      return seen
    },
  }
}

/** Polls `check` until it returns true; bounded in attempts and time. */
async function eventually(what: string, check: () => Promise<boolean>, timeout = 10_000): Promise<void> {
  const deadline = Date.now() + timeout
  for (let attempt = 0; attempt < 500 && Date.now() < deadline; attempt++) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, Math.min(2 ** attempt, 50)))
  }
  assert.fail(`${what}: not within ${timeout} ms`)
}

// ---------------------------------------------------------------------------------------------
// The Redis the mock targets stand in for: just the commands the cases below send.

/**
 * A mock server answering PING, ECHO, SET, GET, SETRANGE, STRLEN, DEL, QUIT and CLIENT ID /
 * LIST [ID ...] / KILL ID, like Redis 7 (binary-safe values, one keyspace per server). Add a
 * command here when a case starts sending it.
 */
export function conformanceMock(): MockServer {
  const store = new Map<string, Uint8Array>()
  const wrongArity = (name: string) => new ReplyError(`ERR wrong number of arguments for '${name.toLowerCase()}' command`)
  const mock: MockServer = createMockServer((command, connection) => {
    const { name, args, raw } = command
    const [key] = args
    switch (name) {
      case 'PING':
        return args.length === 0 ? simple('PONG') : raw[1]
      case 'ECHO':
        return args.length === 1 ? raw[1] : wrongArity(name)
      case 'SET':
        if (args.length !== 2) return wrongArity(name)
        store.set(key, raw[2])
        return simple('OK')
      case 'GET':
        return args.length === 1 ? store.get(key) ?? null : wrongArity(name)
      case 'STRLEN':
        return args.length === 1 ? store.get(key)?.byteLength ?? 0 : wrongArity(name)
      case 'SETRANGE': {
        if (args.length !== 3) return wrongArity(name)
        const offset = Number(args[1])
        if (!Number.isSafeInteger(offset) || offset < 0) return new ReplyError('ERR offset is out of range')
        const value = raw[3]
        const old = store.get(key) ?? new Uint8Array(0)
        const next = new Uint8Array(Math.max(old.byteLength, offset + value.byteLength))
        next.set(old)
        next.set(value, offset)
        store.set(key, next)
        return next.byteLength
      }
      case 'DEL':
        return args.filter((k) => store.delete(k)).length
      case 'QUIT':
        return replies(simple('OK'), closeConnection())
      case 'CLIENT':
        return client(args, connection.id)
    }
    return undefined // the mock's "unknown command" error
  })
  const client = (args: string[], self: number): unknown => {
    const sub = (args[0] ?? '').toUpperCase()
    if (sub === 'ID') return self
    if (sub === 'LIST') {
      const ids = (args[1] ?? '').toUpperCase() === 'ID' ? new Set(args.slice(2).map(Number)) : undefined
      return [...mock.connections]
        .filter((c) => ids === undefined || ids.has(c.id))
        .map((c) => `id=${c.id} addr=${c.stream.remote} cmd=${c.commands.at(-1)?.name.toLowerCase() ?? 'NULL'}\n`)
        .join('')
    }
    if (sub === 'KILL' && (args[1] ?? '').toUpperCase() === 'ID' && args.length === 3) {
      const victim = [...mock.connections].find((c) => c.id === Number(args[2]))
      // Redis closes the socket; the killed client sees the peer close.
      void victim?.close()
      return victim === undefined ? 0 : 1
    }
    return new ReplyError(`ERR unknown subcommand '${args[0] ?? ''}' of the mock's CLIENT`)
  }
  return mock
}

// ---------------------------------------------------------------------------------------------

export function conformanceSuite(target: ConformanceTarget): void {
  const connector = target.connector
  let server: ConformanceServer
  const tcp = (): ConnectOptions => ({ host: '127.0.0.1', port: server.port })
  const tcpRemote = (): string => `127.0.0.1:${server.port}`
  /**
   * A case that needs `needs`: registered as is when the target has them all, else listed as
   * not applicable, with what it lacks, and not run.
   */
  const needing = (needs: readonly Capability[], name: string, fn: TestFn, options?: TestOptions): void => {
    const missing = needs.filter((need) => !target.capabilities.includes(need))
    if (missing.length === 0) test(name, fn, options)
    else test(`n/a (needs ${missing.join(', ')}): ${name}`, () => {})
  }
  const open = (options: ConnectOptions = tcp()) => Peer.open(connector, options)
  /** A second connection, for looking at the first from the server's side. */
  const withAdmin = async <T>(fn: (admin: Peer) => Promise<T>): Promise<T> => {
    const admin = await open()
    try {
      return await fn(admin)
    } finally {
      admin.close()
    }
  }

  describe(`transport conformance: ${target.name}`, () => {
    before(async () => {
      server = await target.start()
    })
    after(async () => {
      await server?.stop()
    })

    describe('stream', () => {
      test('PING over TCP, remote names the address', async () => {
        const peer = await open()
        try {
          assert.equal(peer.stream.remote, tcpRemote())
          assert.equal(await peer.call('PING'), 'PONG')
        } finally {
          peer.close()
        }
      })

      test('1000 pipelined commands in one writev come back in order', async () => {
        const peer = await open()
        try {
          const chunks: Uint8Array[] = []
          for (let i = 0; i < 1000; i++) chunks.push(...command('ECHO', `m${i}`))
          if (!peer.stream.writev(chunks)) await peer.stream.drain()
          for (let i = 0; i < 1000; i++) assert.equal(bulkText(await peer.reply()), `m${i}`)
        } finally {
          peer.close()
        }
      })

      for (const size of [1 * MiB, 8 * MiB]) {
        test(`SET/GET of ${size / MiB} MiB is byte-exact`, async () => {
          const value = pattern(size, size)
          const peer = await open()
          try {
            assert.equal(await peer.call('SET', `conf:${target.name}:${size}`, value), 'OK')
            const got = await peer.call('GET', `conf:${target.name}:${size}`)
            assert.ok(got instanceof Uint8Array)
            sameBytes(got, value, 'GET reply')
          } finally {
            peer.close()
          }
        }, { timeout: 60_000 })
      }

      needing(['output-buffers'], 'a 64 MiB reply: nothing is delivered while paused, the rest stays at the server', async () => {
        const size = 64 * MiB
        const key = `conf:${target.name}:big`
        await withAdmin(async (admin) => {
          assert.equal(await admin.call('SETRANGE', key, String(size - 1), 'x'), size)
        })
        const peer = await open()
        try {
          const id = await peer.call('CLIENT', 'ID')
          assert.equal(typeof id, 'number')
          const header = text.encode(`$${size}\r\n`)
          const total = header.byteLength + size + 2
          let received = 0
          let whilePaused = 0
          let paused = false
          let pausedOnce = false
          let bad = -1
          let onPaused!: () => void
          let onDone!: () => void
          const pausedNow = new Promise<void>((resolve) => { onPaused = resolve })
          const done = new Promise<void>((resolve) => { onDone = resolve })
          peer.sink = (chunk) => {
            if (paused) whilePaused += chunk.byteLength
            // Check every byte as it passes: header, zeros, the final 'x', CRLF. Keep none.
            for (let i = 0; i < chunk.byteLength && bad < 0; i++) {
              const at = received + i
              const body = at - header.byteLength
              const expected = at < header.byteLength ? header[at]
                : body < size - 1 ? 0 : body === size - 1 ? 120 : body === size ? 13 : 10
              if (chunk[i] !== expected) bad = at
            }
            received += chunk.byteLength
            if (!pausedOnce && received >= MiB && received < total) {
              paused = true
              pausedOnce = true
              peer.stream.pause()
              onPaused()
            }
            if (received >= total) onDone()
          }
          await peer.send('GET', key)
          await pausedNow
          // While paused, ask the server how much of the reply it still holds. Each answer
          // is a round trip on another connection: time for a transport that ignored pause()
          // to go on reading.
          const omems: number[] = []
          await withAdmin(async (admin) => {
            for (let i = 0; i < 10; i++) {
              const info = bulkText(await admin.call('CLIENT', 'LIST', 'ID', String(id)))
              const omem = /\bomem=(\d+)/.exec(info)
              assert.ok(omem, `CLIENT LIST: ${info}`)
              omems.push(Number(omem[1]))
            }
          })
          const pausedAt = received
          assert.equal(whilePaused, 0, 'onData was called while paused')
          // Kernel buffers on loopback hold a few MiB; everything else must still be queued
          // at the server, not in this process.
          const left = omems[omems.length - 1]
          assert.ok(left >= 32 * MiB, `server still holds only ${left} bytes of the reply (polls: ${omems.join(', ')}); received ${pausedAt}`)
          paused = false
          peer.stream.resume()
          await done
          assert.equal(bad, -1, `reply byte ${bad} is wrong`)
          assert.equal(received, total)
        } finally {
          peer.close()
          await withAdmin(async (admin) => { await admin.call('DEL', key) })
        }
      }, { timeout: 90_000 })

      test('write returns false past highWaterMark; drain() resolves when there is room', async () => {
        const highWaterMark = 16 * 1024
        const peer = await open({ ...tcp(), highWaterMark })
        try {
          const size = 32 * MiB
          const piece = 64 * 1024
          const body = pattern(piece, 7)
          // SET and its key as usual; the value's length line, then the value in pieces.
          peer.stream.writev([...command('SET', 'conf:pressure', '').slice(0, 7), text.encode(`$${size}\r\n`)])
          for (let sent = 0; sent < size; sent += piece) {
            if (!peer.stream.write(body)) {
              assert.ok(peer.stream.writableLength > highWaterMark, `write returned false with writableLength ${peer.stream.writableLength}`)
              await peer.stream.drain()
              assert.ok(peer.stream.writableLength <= highWaterMark, `drain() resolved with writableLength ${peer.stream.writableLength}`)
            }
          }
          peer.stream.write(text.encode('\r\n'))
          // Whether write ever says false here depends on how fast the server reads and how much
          // the kernel buffers (node:net on Deno hands data straight to the OS): not asserted.
          // A peer that reads nothing must make it say false: see the abort(reason) test below.
          assert.equal(await peer.reply(), 'OK')
          assert.equal(await peer.call('STRLEN', 'conf:pressure'), size)
          assert.equal(await peer.call('DEL', 'conf:pressure'), 1)
        } finally {
          peer.close()
        }
      }, { timeout: 60_000 })

      test('abort(reason) with writes pending: closed settles with the reason; nothing unhandled', async () => {
        const listener = await target.silentListener({ read: false })
        const unhandled = watchUnhandled()
        try {
          const peer = await open({ host: listener.host, port: listener.port, highWaterMark: 16 * 1024 })
          const piece = new Uint8Array(MiB)
          let full = false
          for (let i = 0; i < 64 && !full; i++) full = !peer.stream.write(piece)
          assert.ok(full, 'a peer that reads nothing never made write return false')
          assert.ok(peer.stream.writableLength > 0)
          const drained = peer.stream.drain()
          const reason = new Error('test abort')
          peer.stream.abort(reason)
          assert.equal(await peer.stream.closed, reason)
          await drained // resolves once closed, never hangs
          assert.throws(() => peer.stream.write(piece), 'write after abort must throw')
          peer.stream.abort(new Error('second abort')) // no effect, no throw
          assert.equal(await peer.stream.closed, reason)
          await nextTurn()
          await nextTurn()
          assert.deepEqual(unhandled.stop(), [])
        } finally {
          unhandled.stop()
          await listener.close()
        }
      })

      test('abort() without reason: closed resolves undefined', async () => {
        const peer = await open()
        assert.equal(await peer.call('PING'), 'PONG')
        peer.stream.abort()
        assert.equal(await peer.stream.closed, undefined)
      })

      test('end() sends what is buffered, then closes', async () => {
        const peer = await open()
        const value = pattern(2 * MiB, 11)
        const id = await peer.call('CLIENT', 'ID')
        peer.stream.writev(command('SET', 'conf:end', value)) // not waiting for drain
        const ending = peer.stream.end()
        assert.throws(() => peer.stream.write(text.encode('PING\r\n')), (e: unknown) => e instanceof ConnectionClosedError,
          'a write after end() throws at once')
        await ending
        assert.equal(await peer.stream.closed, undefined)
        await withAdmin(async (admin) => {
          // Redis drops the client once it has read up to our FIN, commands first.
          await eventually('server dropping the client', async () =>
            bulkText(await admin.call('CLIENT', 'LIST', 'ID', String(id))).trim() === '')
          const got = await admin.call('GET', 'conf:end')
          assert.ok(got instanceof Uint8Array)
          sameBytes(got, value, 'value written before end()')
          await admin.call('DEL', 'conf:end')
        })
      })

      test('server closing (QUIT) settles closed with ConnectionClosedError; write then throws', async () => {
        const peer = await open()
        assert.equal(await peer.call('QUIT'), 'OK')
        const err = await peer.stream.closed
        assert.ok(err instanceof ConnectionClosedError, `closed settled with ${String(err)}`)
        assert.equal((err as ConnectionClosedError).address, tcpRemote())
        assert.throws(() => peer.stream.write(text.encode('PING\r\n')), (e: unknown) => e instanceof ConnectionError)
      })

      test('server killing an idle connection settles closed with ConnectionClosedError', async () => {
        const peer = await open()
        try {
          const id = await peer.call('CLIENT', 'ID')
          await withAdmin(async (admin) => {
            assert.equal(await admin.call('CLIENT', 'KILL', 'ID', String(id)), 1)
          })
          const err = await peer.stream.closed
          assert.ok(err instanceof ConnectionClosedError, `closed settled with ${String(err)}`)
        } finally {
          peer.close()
        }
      })
    })

    describe('hardening (issue 6)', () => {
      test('an exception thrown by onData closes the stream; closed settles with it; nothing escapes', async () => {
        const uncaught = watchUncaught()
        try {
          const hostile = { toString(): string { throw new Error('no text') } }
          for (const thrown of [new Error('consumer failed'), 'a string, not an Error', hostile]) {
            let calls = 0
            const stream = await connector(tcp(), {
              onData() {
                calls++
                throw thrown
              },
            })
            stream.writev(command('PING'))
            const reason = await within('closed', stream.closed, 10_000)
            assert.ok(reason instanceof Error, `closed settled with ${String(reason)}`)
            if (thrown instanceof Error) assert.equal(reason, thrown)
            else if (thrown === hostile) assert.equal(reason.cause, hostile)
            else assert.match(reason.message, /a string, not an Error/)
            assert.equal(calls, 1, 'onData is not called again after it threw')
            assert.throws(() => stream.write(text.encode('PING\r\n')), 'write after the failure throws')
            stream.abort() // no effect, no throw
          }
          await nextTurn()
          assert.deepEqual(uncaught.stop(), [])
        } finally {
          uncaught.stop()
        }
      })

      test('write and writev of anything but Uint8Array throw a TypeError and send nothing', async () => {
        const peer = await open()
        try {
          const ping = command('PING')
          const bad: unknown[] = ['PING\r\n', null, undefined, 42, [1, 2], { length: 1, 0: 1 }, new Uint16Array(2), new ArrayBuffer(4)]
          for (const x of bad) {
            assert.throws(() => peer.stream.write(x as Uint8Array), TypeError, `write(${String(x)})`)
            assert.throws(() => peer.stream.writev([...ping, x as Uint8Array]), TypeError, `writev([..., ${String(x)}])`)
          }
          assert.throws(() => peer.stream.writev('PING' as unknown as Uint8Array[]), TypeError)
          // Nothing of the refused writev calls went out: the next reply is ECHO's.
          assert.equal(bulkText(await peer.call('ECHO', 'after')), 'after')
          assert.equal(peer.stream.writableLength, 0)
        } finally {
          peer.close()
        }
      })

      test('NaN, negative or fractional numeric options are refused, naming the option, before connecting', async () => {
        const bad: Array<[keyof ConnectOptions, unknown]> = [
          ['highWaterMark', NaN], ['highWaterMark', -1], ['highWaterMark', 1.5], ['highWaterMark', '16'],
          ['connectTimeout', NaN], ['connectTimeout', -5], ['connectTimeout', 0.5], ['connectTimeout', Infinity],
          ['port', NaN], ['port', -1], ['port', 70000], ['port', 6379.5], ['port', '6379'],
          ['keepAlive', NaN], ['keepAlive', -1000], ['keepAlive', 1.5],
          ['host', 42], ['noDelay', 'yes'],
        ]
        for (const [name, value] of bad) {
          let opened: ByteStream | undefined
          const err = await rejection(connector({ ...tcp(), [name]: value }, { onData() {} }).then((s) => { opened = s }))
          opened?.abort()
          assert.ok(err instanceof TypeError || err instanceof RangeError, `${name}: ${String(value)} gave ${String(err)}`)
          assert.match((err as Error).message, new RegExp(`\\b${name}\\b`), `${name}: ${String(value)}`)
        }
        // Valid edge values still connect.
        const peer = await open({ ...tcp(), highWaterMark: 0, connectTimeout: 0, keepAlive: 1000 })
        assert.equal(await peer.call('PING'), 'PONG')
        peer.close()
      })

      test(`end() against a peer that reads and never closes its side: closed within the grace (${END_GRACE_MS} ms)`, async () => {
        const listener = await target.silentListener({ keepOpen: true })
        try {
          const peer = await open({ host: listener.host, port: listener.port })
          await listener.accepted()
          peer.stream.writev(command('PING'))
          const started = Date.now()
          await within('end()', peer.stream.end(), END_GRACE_MS + 10_000)
          assert.equal(await peer.stream.closed, undefined)
          assert.ok(Date.now() - started < END_GRACE_MS + 5_000)
        } finally {
          await listener.close()
        }
      })

      test('end() against a peer that reads nothing, writes pending: closed within the grace', async () => {
        const listener = await target.silentListener({ read: false, keepOpen: true })
        try {
          const peer = await open({ host: listener.host, port: listener.port, highWaterMark: 16 * 1024 })
          const piece = new Uint8Array(MiB)
          let full = false
          for (let i = 0; i < 64 && !full; i++) full = !peer.stream.write(piece)
          assert.ok(full, 'a peer that reads nothing never made write return false')
          const drained = peer.stream.drain()
          await within('end()', peer.stream.end(), END_GRACE_MS + 10_000)
          assert.equal(await peer.stream.closed, undefined)
          await within('drain()', drained, 1_000)
        } finally {
          await listener.close()
        }
      })

      test('end() twice, end() after abort(), abort() after end(): each settles, nothing throws', async () => {
        const a = await open()
        assert.equal(await a.call('PING'), 'PONG')
        const first = a.stream.end()
        const second = a.stream.end()
        a.stream.abort() // during the graceful close: no throw
        await within('first end()', first, 10_000)
        await within('second end()', second, 10_000)
        await within('end() once closed', a.stream.end(), 10_000)
        assert.throws(() => a.stream.write(text.encode('x')), ConnectionError)

        const b = await open()
        const reason = new Error('gone')
        b.stream.abort(reason)
        await within('end() after abort()', b.stream.end(), 10_000)
        assert.equal(await b.stream.closed, reason)
        assert.throws(() => b.stream.write(text.encode('x')), (e: unknown) => e === reason, 'write after abort throws its reason')
        assert.throws(() => b.stream.writev([text.encode('x')]), (e: unknown) => e === reason)
        await within('drain() after abort()', b.stream.drain(), 1_000)
      })

      test('pause() and resume() after close are harmless', async () => {
        const peer = await open()
        peer.stream.abort()
        await peer.stream.closed
        peer.stream.pause()
        peer.stream.resume()
        await within('end()', peer.stream.end(), 5_000)
      })
    })

    describe('connect errors', () => {
      test('refused: a port nothing listens on -> ConnectionRefusedError', async () => {
        const port = await target.closedPort()
        const err = await rejection(connector({ host: '127.0.0.1', port }, { onData() {} }))
        assert.ok(err instanceof ConnectionRefusedError, `got ${String(err)}`)
        assert.equal(err.address, `127.0.0.1:${port}`)
      })

      needing(['dns'], 'unknown host under .invalid -> HostNotFoundError', async () => {
        const err = await rejection(connector({ host: 'nosuchhost.invalid', port: 6379, connectTimeout: 10_000 }, { onData() {} }))
        assert.ok(err instanceof HostNotFoundError, `got ${String(err)}`)
        assert.equal(err.address, 'nosuchhost.invalid:6379')
      })

      // These two keep a connect pending with a TLS handshake nobody answers, with the test CA.
      needing(['tls'], 'connect timeout: TLS handshake never answered -> ConnectTimeoutError', async () => {
        const listener = await target.silentListener()
        try {
          const started = Date.now()
          const err = await rejection(connector(
            { host: listener.host, port: listener.port, tls: { ca: server.tls!.certs.ca }, connectTimeout: 300 },
            { onData() {} },
          ))
          const took = Date.now() - started
          assert.ok(err instanceof ConnectTimeoutError, `got ${String(err)}`)
          assert.ok(took >= 250 && took < 5_000, `gave up after ${took} ms`)
          assert.ok(listener.sockets.length >= 1, 'the TCP connection was made')
        } finally {
          await listener.close()
        }
      })

      needing(['tls'], 'AbortSignal while connecting -> ConnectAbortedError', async () => {
        const listener = await target.silentListener()
        try {
          const controller = new AbortController()
          const attempt = rejection(connector(
            { host: listener.host, port: listener.port, tls: { ca: server.tls!.certs.ca }, connectTimeout: 20_000, signal: controller.signal },
            { onData() {} },
          ))
          await listener.accepted()
          controller.abort(new Error('changed my mind'))
          const err = await attempt
          assert.ok(err instanceof ConnectAbortedError, `got ${String(err)}`)
        } finally {
          await listener.close()
        }
      })

      test('an already aborted signal -> ConnectAbortedError', async () => {
        const err = await rejection(connector({ ...tcp(), signal: AbortSignal.abort() }, { onData() {} }))
        assert.ok(err instanceof ConnectAbortedError, `got ${String(err)}`)
      })
    })

    describe('TLS', () => {
      const tlsAt = (host: string, extra: Record<string, unknown> = {}): ConnectOptions => ({
        host, port: server.tls!.port, tls: { ca: server.tls!.certs.ca, ...extra },
      })

      needing(['tls'], 'the right CA: PING over TLS to 127.0.0.1 (IP in the certificate)', async () => {
        assert.equal(await failureOf(connector, tlsAt('127.0.0.1')), undefined)
      })

      needing(['tls'], 'the right CA: PING over TLS to localhost (name in the certificate)', async () => {
        assert.equal(await failureOf(connector, tlsAt('localhost')), undefined)
      })

      needing(['tls'], 'CA given as Uint8Array and in an array', async () => {
        const ca = text.encode(server.tls!.certs.ca)
        assert.equal(await failureOf(connector, { host: '127.0.0.1', port: server.tls!.port, tls: { ca: [server.tls!.certs.otherCa, ca] } }), undefined)
      })

      needing(['tls'], 'a wrong CA -> TlsError certificate', async () => {
        const err = await failureOf(connector, { host: '127.0.0.1', port: server.tls!.port, tls: { ca: server.tls!.certs.otherCa } })
        assert.ok(err instanceof TlsError, `got ${String(err)}`)
        assert.equal(err.failure, 'certificate')
      })

      needing(['tls'], 'servername the certificate does not hold -> TlsError hostname', async () => {
        const err = await failureOf(connector, tlsAt('127.0.0.1', { servername: 'wrong.example' }))
        assert.ok(err instanceof TlsError, `got ${String(err)}`)
        assert.equal(err.failure, 'hostname')
      })

      needing(['tls'], 'mutual TLS: accepted with a client certificate', async () => {
        const certs = server.mtls!.certs
        const options = { host: '127.0.0.1', port: server.mtls!.port, tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey } }
        assert.equal(await failureOf(connector, options), undefined)
      })

      needing(['tls'], 'mutual TLS: refused without a client certificate (at connect or first use)', async () => {
        const err = await failureOf(connector, { host: '127.0.0.1', port: server.mtls!.port, tls: { ca: server.mtls!.certs.ca } })
        assert.ok(err instanceof ConnectionError, `got ${String(err)}`)
      })
    })

    describe('addresses', () => {
      needing(['ipv6'], 'IPv6 ::1', async () => {
        const peer = await open({ host: '::1', port: server.ipv6Port })
        try {
          assert.equal(peer.stream.remote, `[::1]:${server.ipv6Port}`)
          assert.equal(await peer.call('PING'), 'PONG')
        } finally {
          peer.close()
        }
      })

      needing(['unix'], 'Unix socket', async () => {
        const path = server.socketPath!
        const peer = await open({ path })
        try {
          assert.equal(peer.stream.remote, path)
          assert.equal(await peer.call('PING'), 'PONG')
          const value = pattern(MiB, 3)
          assert.equal(await peer.call('SET', 'conf:unix', value), 'OK')
          const got = await peer.call('GET', 'conf:unix')
          assert.ok(got instanceof Uint8Array)
          sameBytes(got, value, 'GET over the Unix socket')
        } finally {
          peer.close()
        }
      })

      needing(['tls', 'ipv6'], 'TLS over IPv6 ::1', async () => {
        assert.equal(await failureOf(connector, { host: '::1', port: server.tls!.port, tls: { ca: server.tls!.certs.ca } }), undefined)
      })
    })
  })
}
