// The Bun transport: Bun.connect for TCP, TLS and Unix sockets. `Bun` is reached through
// globalThis and typed by the small interfaces below, so this file type-checks without Bun's
// own types and importing it does nothing outside Bun.
//
// Bun specifics this file deals with:
// - socket.write may take only part of the bytes and keeps none of the rest: we keep the rest
//   and write it from the `drain` handler.
// - Without a `handshake` handler a TLS socket that fails verification opens and then closes with
//   no error at all; with one, the handler gets the verification error, which we turn into a
//   TlsError at connect. A server that wants a client certificate we did not send says so only
//   after the handshake (TLS 1.3), so that one surfaces on the open stream.
// - socket.pause()/resume() stop and restart reading; a chunk already read when pause() is called
//   is held (one read's worth at most) and handed over on resume().

import type { ByteStream, ConnectOptions, Connector, StreamHandlers, TlsOptions } from './types.ts'
import {
  ConnectAbortedError, ConnectTimeoutError, ConnectionClosedError, ConnectionError, toConnectionError,
} from './errors.ts'
import {
  DEFAULT_CONNECT_TIMEOUT, DEFAULT_HIGH_WATER_MARK, addressOf, asError, checkChunk, checkChunks, endGrace, pem, pemList, tlsOf,
  validateConnectOptions,
} from './options.ts'
import { WriteQueue } from './write-queue.ts'
import { Buffer } from 'node:buffer'
import type { Utf8Decoder } from '../resp/text.ts'

/** Queued chunks under this size are copied together into one write (bench/transport.ts: it pays on Bun). */
const SMALL_CHUNK = 64 * 1024

interface BunSocket {
  write(data: Uint8Array): number
  end(): void
  shutdown?(halfClose?: boolean): void
  terminate(): void
  pause(): void
  resume(): void
  setNoDelay?(noDelay?: boolean): boolean
  setKeepAlive?(enable?: boolean, initialDelay?: number): boolean
}

interface BunSocketHandlers {
  binaryType: 'uint8array'
  open(socket: BunSocket): void
  handshake?(socket: BunSocket, success: boolean, authorizationError: Error | null): void
  data(socket: BunSocket, data: Uint8Array): void
  drain(socket: BunSocket): void
  end(socket: BunSocket): void
  close(socket: BunSocket, error?: Error): void
  error(socket: BunSocket, error: Error): void
  connectError(socket: BunSocket, error: Error): void
}

interface BunTlsOptions {
  ca?: string[]
  cert?: string
  key?: string
  serverName?: string
  rejectUnauthorized: boolean
}

interface BunNet {
  connect(options: {
    hostname?: string; port?: number; unix?: string; tls?: BunTlsOptions; socket: BunSocketHandlers
  }): Promise<BunSocket>
}


function bunNet(): BunNet {
  const bun = (globalThis as unknown as { Bun?: BunNet }).Bun
  if (bun === undefined) throw new Error('bunConnector needs the Bun runtime')
  return bun
}

function bunTlsOptions(tls: TlsOptions): BunTlsOptions {
  return {
    ca: pemList(tls.ca),
    cert: tls.cert === undefined ? undefined : pem(tls.cert),
    key: tls.key === undefined ? undefined : pem(tls.key),
    serverName: tls.servername,
    // Said explicitly: verification stays on unless turned off in so many words.
    rejectUnauthorized: tls.rejectUnauthorized !== false,
  }
}

export const bunConnector: Connector = (options, handlers) => {
  try {
    validateConnectOptions(options)
  } catch (error) {
    return Promise.reject(error)
  }
  const bun = bunNet()
  const address = addressOf(options)
  const tls = tlsOf(options)
  const signal = options.signal
  if (signal?.aborted) {
    return Promise.reject(new ConnectAbortedError(`connecting to ${address} was aborted`, address, { cause: signal.reason }))
  }
  const stream = new BunStream(handlers, address, options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK, tls, options)
  const onAbort = (): void =>
    stream.giveUp(new ConnectAbortedError(`connecting to ${address} was aborted`, address, { cause: signal?.reason }))
  const timeout = options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT
  const timer = timeout > 0
    ? setTimeout(() => {
      const what = tls !== undefined ? 'connect and TLS handshake' : 'connect'
      stream.giveUp(new ConnectTimeoutError(`${what} to ${address} took longer than ${timeout} ms: is the server up and reachable?`, address))
    }, timeout)
    : undefined
  signal?.addEventListener('abort', onAbort, { once: true })
  const done = (): void => {
    if (timer !== undefined) clearTimeout(timer)
    signal?.removeEventListener('abort', onAbort)
  }
  try {
    const target = options.path !== undefined
      ? { unix: options.path }
      : { hostname: options.host ?? '127.0.0.1', port: options.port ?? 6379 }
    bun.connect({ ...target, tls: tls === undefined ? undefined : bunTlsOptions(tls), socket: stream.socketHandlers() })
      .then((socket) => stream.attach(socket), (err: unknown) => stream.connectFailed(err))
  } catch (err) {
    // Bun throws synchronously for some bad options.
    stream.connectFailed(err)
  }
  return stream.ready.then((s) => {
    done()
    return s
  }, (err: unknown) => {
    done()
    throw err
  })
}

class BunStream implements ByteStream {
  readonly remote: string
  readonly closed: Promise<Error | undefined>
  readonly ready: Promise<ByteStream>
  #handlers: StreamHandlers
  #tls: TlsOptions | undefined
  #options: ConnectOptions
  #socket: BunSocket | undefined
  #resolveReady!: (stream: ByteStream) => void
  #rejectReady!: (error: ConnectionError) => void
  #isReady = false
  /** Why connecting failed, once it did: a socket that shows up later is closed at once. */
  #failed: ConnectionError | undefined
  #settle!: (error: Error | undefined) => void
  /** Set once closed: what write() throws from then on. */
  #closedError: Error | undefined
  #queue: WriteQueue
  #flushScheduled = false
  #ending: Promise<void> | undefined
  #endRequested = false
  #paused = false
  #held: Uint8Array[] = []

  constructor(handlers: StreamHandlers, remote: string, highWaterMark: number, tls: TlsOptions | undefined, options: ConnectOptions) {
    this.#handlers = handlers
    this.remote = remote
    this.#queue = new WriteQueue(highWaterMark, SMALL_CHUNK)
    this.#tls = tls
    this.#options = options
    this.closed = new Promise((resolve) => (this.#settle = resolve))
    this.ready = new Promise((resolve, reject) => {
      this.#resolveReady = resolve
      this.#rejectReady = reject
    })
  }

  // ---- connecting

  socketHandlers(): BunSocketHandlers {
    const handlers: BunSocketHandlers = {
      binaryType: 'uint8array',
      open: (socket) => {
        this.attach(socket)
        // With a handshake handler, open comes before the TLS handshake: wait for it.
        if (this.#tls === undefined) this.#opened()
      },
      data: (socket, data) => this.#onData(data),
      drain: () => this.#flush(),
      end: () => this.#onPeerEnd(),
      close: (socket, error) => this.#onClose(error),
      error: (socket, error) => this.#onError(error),
      connectError: (socket, error) => this.connectFailed(error),
    }
    if (this.#tls !== undefined) {
      handlers.handshake = (socket, success, authorizationError) => {
        this.attach(socket)
        if (authorizationError !== null && this.#tls?.rejectUnauthorized !== false) {
          this.connectFailed(authorizationError)
        } else {
          this.#opened()
        }
      }
    }
    return handlers
  }

  attach(socket: BunSocket): void {
    if (this.#socket !== undefined) return
    this.#socket = socket
    if (this.#failed !== undefined) {
      socket.terminate()
      return
    }
    try {
      socket.setNoDelay?.(this.#options.noDelay !== false)
      const keepAlive = this.#options.keepAlive ?? true
      if (keepAlive !== false) socket.setKeepAlive?.(true, typeof keepAlive === 'number' ? keepAlive : 0)
    } catch { /* not a TCP socket */ }
  }

  connectFailed(err: unknown): void {
    if (this.#isReady) return
    this.giveUp(toConnectionError(err, this.remote, 'connect', this.#tls !== undefined))
  }

  giveUp(error: ConnectionError): void {
    if (this.#isReady || this.#failed !== undefined) return
    this.#failed = error
    this.#closedError = error
    this.#socket?.terminate()
    this.#rejectReady(error)
  }

  #opened(): void {
    if (this.#isReady || this.#failed !== undefined) return
    this.#isReady = true
    this.#resolveReady(this)
  }

  // ---- ByteStream

  get writableLength(): number {
    return this.#queue.bytes
  }

  write(chunk: Uint8Array): boolean {
    checkChunk(chunk, 'write')
    this.#checkWritable()
    const below = this.#queue.push(chunk)
    this.#scheduleFlush()
    return below
  }

  writev(chunks: readonly Uint8Array[]): boolean {
    checkChunks(chunks)
    this.#checkWritable()
    for (const chunk of chunks) this.#queue.push(chunk)
    // A writev is already one tick's batch (the client gathers its commands on a microtask):
    // write it now rather than one more microtask later.
    if (!this.#flushScheduled) this.#flush()
    else this.#scheduleFlush()
    return this.#queue.bytes <= this.#queue.highWaterMark
  }

  drain(): Promise<void> {
    return this.#queue.drained()
  }

  pause(): void {
    if (this.#paused || this.#closedError !== undefined) return
    this.#paused = true
    this.#socket?.pause()
  }

  resume(): void {
    if (!this.#paused) return
    this.#paused = false
    while (this.#held.length > 0 && !this.#paused && this.#closedError === undefined) {
      if (!this.#deliver(this.#held.shift()!)) return
    }
    if (!this.#paused && this.#closedError === undefined) this.#socket?.resume()
  }

  end(): Promise<void> {
    this.#ending ??= this.#end()
    return this.#ending
  }

  abort(reason?: Error): void {
    this.#close(reason)
  }

  // ---- writing

  #checkWritable(): void {
    if (this.#closedError !== undefined) throw this.#closedError
    if (this.#endRequested) throw new ConnectionClosedError(`connection to ${this.remote} is closing`, this.remote)
  }

  #scheduleFlush(): void {
    if (!this.#flushScheduled && this.#queue.waiting) {
      this.#flushScheduled = true
      // On a microtask so that everything written in this tick goes out in one write.
      queueMicrotask(() => {
        this.#flushScheduled = false
        this.#flush()
      })
    }
  }

  /** Write what the socket takes now; the rest waits for the `drain` handler. */
  #flush(): void {
    const socket = this.#socket
    if (socket === undefined || this.#closedError !== undefined) return
    for (let batch = this.#queue.take(); batch !== undefined; batch = this.#queue.take()) {
      const n = Math.max(0, socket.write(batch))
      this.#queue.sent(n)
      if (n < batch.byteLength) {
        this.#queue.putBack(n === 0 ? batch : batch.subarray(n))
        break
      }
    }
  }

  async #end(): Promise<void> {
    this.#endRequested = true
    // Closed by force once nothing has gone out for END_GRACE_MS (see options.ts).
    const disarm = endGrace(() => this.#queue.bytes, () => this.#close(undefined))
    try {
      await this.#queue.emptied()
      if (this.#closedError !== undefined) return void (await this.closed)
      // Half-close (FIN after the last byte) and let the peer close its side; Bun's socket.end()
      // closes at once, dropping the replies still on their way.
      const socket = this.#socket
      if (socket?.shutdown !== undefined) socket.shutdown()
      else socket?.end()
      await this.closed
    } finally {
      disarm()
    }
  }

  // ---- reading and closing

  #onData(data: Uint8Array): void {
    if (this.#closedError !== undefined) return
    // Bun hands each callback a buffer of its own, so the chunk can go to the receiver as is.
    if (this.#paused) this.#held.push(data)
    else this.#deliver(data)
  }

  #deliver(chunk: Uint8Array): boolean {
    try {
      this.#handlers.onData(chunk)
      return true
    } catch (err) {
      this.#close(asError(err))
      return false
    }
  }

  #onPeerEnd(): void {
    if (!this.#isReady) {
      this.connectFailed(new ConnectionClosedError(`connection to ${this.remote} closed by the server while connecting`, this.remote))
      return
    }
    this.#close(this.#endRequested ? undefined : new ConnectionClosedError(`connection to ${this.remote} closed by the server`, this.remote))
  }

  #onError(error: Error): void {
    if (!this.#isReady) {
      this.connectFailed(error)
      return
    }
    this.#close(this.#endRequested ? undefined : toConnectionError(error, this.remote, 'open', this.#tls !== undefined))
  }

  #onClose(error: Error | undefined): void {
    if (!this.#isReady) {
      this.connectFailed(error ?? new ConnectionClosedError(`connection to ${this.remote} closed by the server while connecting`, this.remote))
      return
    }
    if (this.#endRequested) this.#close(undefined)
    else if (error !== undefined) this.#close(toConnectionError(error, this.remote, 'open', this.#tls !== undefined))
    else this.#close(new ConnectionClosedError(`connection to ${this.remote} closed by the server`, this.remote))
  }

  #close(reason: Error | undefined): void {
    if (this.#closedError !== undefined) return
    this.#closedError = reason ?? new ConnectionClosedError(`connection to ${this.remote} is closed`, this.remote)
    this.#queue.clear()
    this.#held = []
    this.#socket?.terminate()
    this.#settle(reason)
  }
}

const utf8Slice = (Buffer.prototype as unknown as { utf8Slice(this: Uint8Array, start: number, end: number): string }).utf8Slice

/**
 * Bun's own UTF-8 decoding (its node:buffer), faster than TextDecoder for the short strings of
 * most replies (bench/client.ts, MGET under Bun). A string of 128 KiB or more that came in parts
 * is joined and decoded once: a rope of parts costs more than the join once it is read
 * (bench/resp.ts on Bun, 4 MiB bulk: 1.19x redis-parser joined; about 1.0x as a rope). The
 * client uses it on Bun without being told.
 */
export const bunUtf8: Utf8Decoder = Object.assign(
  (bytes: Uint8Array, start: number, end: number): string => utf8Slice.call(bytes, start, end),
  { joinAbove: 128 * 1024 },
)
