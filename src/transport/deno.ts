// The Deno transport: Deno.connect for TCP and Unix sockets, Deno.startTls / Deno.connectTls for
// TLS. `Deno` is reached through globalThis and typed by the small interfaces below, so this file
// type-checks without Deno's own types and importing it does nothing outside Deno.
//
// What Deno cannot do, and what we do instead:
// - Turn off certificate-chain verification per connection (only the CLI flag
//   --unsafely-ignore-certificate-errors can). `rejectUnauthorized: false` turns off the hostname
//   check only; an untrusted chain still fails, with a message that says why.
// - Set the keep-alive delay: a number for `keepAlive` just turns keep-alive on.
// - Send a client certificate through startTls: mutual TLS goes through connectTls, which checks
//   the certificate against the host itself, so it cannot be combined with a different servername.
// - `caCerts` adds to Deno's root store rather than replacing it, unlike Node's `ca`.

import type { ByteStream, ConnectOptions, Connector, StreamHandlers, TlsOptions } from './types.ts'
import {
  ConnectAbortedError, ConnectTimeoutError, ConnectionClosedError, ConnectionError, TlsError, toConnectionError,
} from './errors.ts'
import {
  DEFAULT_CONNECT_TIMEOUT, DEFAULT_HIGH_WATER_MARK, addressOf, asError, checkChunk, checkChunks, endGrace, pem, pemList, tlsOf,
  validateConnectOptions,
} from './options.ts'
import { WriteQueue } from './write-queue.ts'
import { Buffer } from 'node:buffer'
import type { Utf8Decoder } from '../resp/text.ts'

/** Only chunks under this size are copied together: on Deno, copying larger ones costs more than the write it saves (bench/transport.ts). */
const SMALL_CHUNK = 4 * 1024

interface DenoConn {
  read(p: Uint8Array): Promise<number | null>
  write(p: Uint8Array): Promise<number>
  close(): void
  closeWrite(): Promise<void>
  setNoDelay?(noDelay?: boolean): void
  setKeepAlive?(keepAlive?: boolean): void
  handshake?(): Promise<unknown>
}

interface DenoNet {
  connect(options: { hostname?: string; port: number; transport?: 'tcp'; signal?: AbortSignal }): Promise<DenoConn>
  connect(options: { transport: 'unix'; path: string }): Promise<DenoConn>
  startTls(conn: DenoConn, options: {
    hostname?: string; caCerts?: string[]; unsafelyDisableHostnameVerification?: boolean
  }): Promise<DenoConn>
  connectTls(options: {
    hostname?: string; port: number; caCerts?: string[]; cert?: string; key?: string
    unsafelyDisableHostnameVerification?: boolean
  }): Promise<DenoConn>
}

/** Bytes asked for per read; a read that fills at least half of it is handed over without a copy. */
const READ_SIZE = 64 * 1024

function denoNet(): DenoNet {
  const deno = (globalThis as unknown as { Deno?: DenoNet }).Deno
  if (deno === undefined) throw new Error('denoConnector needs the Deno runtime')
  return deno
}

/**
 * The deadline and the caller's signal for one connection attempt. `step` races each stage
 * against them; whatever a stage yields after we gave up is closed as it arrives.
 */
class Attempt {
  readonly controller = new AbortController()
  gaveUp: ConnectionError | undefined
  #timer: ReturnType<typeof setTimeout> | undefined
  #signal: AbortSignal | undefined
  #onAbort = (): void => this.#giveUp(new ConnectAbortedError(`connecting to ${this.address} was aborted`, this.address, { cause: this.#signal?.reason }))
  #wake: Array<(error: ConnectionError) => void> = []
  #held: DenoConn | undefined
  readonly address: string

  constructor(address: string, timeout: number, what: string, signal: AbortSignal | undefined) {
    this.address = address
    this.#signal = signal
    if (signal?.aborted) {
      this.#onAbort()
      return
    }
    signal?.addEventListener('abort', this.#onAbort, { once: true })
    if (timeout > 0) {
      this.#timer = setTimeout(() => this.#giveUp(new ConnectTimeoutError(
        `${what} to ${address} took longer than ${timeout} ms: is the server up and reachable?`, address)), timeout)
    }
  }

  /** The connection so far, closed if we give up while it is held. */
  hold(conn: DenoConn | undefined): void {
    this.#held = conn
  }

  step<T>(work: Promise<T>, closeLate?: (value: T) => void): Promise<T> {
    if (this.gaveUp !== undefined) {
      work.then((v) => closeLate?.(v), () => {})
      return Promise.reject(this.gaveUp)
    }
    return new Promise<T>((resolve, reject) => {
      this.#wake.push(reject)
      work.then((value) => {
        if (this.gaveUp !== undefined) closeLate?.(value)
        else resolve(value)
      }, reject)
    })
  }

  done(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#signal?.removeEventListener('abort', this.#onAbort)
    this.#wake = []
    this.#held = undefined
  }

  #giveUp(error: ConnectionError): void {
    if (this.gaveUp !== undefined) return
    this.gaveUp = error
    this.controller.abort(error)
    try {
      this.#held?.close()
    } catch { /* already closed */ }
    for (const reject of this.#wake.splice(0)) reject(error)
    this.done()
  }
}

export const denoConnector: Connector = async (options, handlers) => {
  validateConnectOptions(options)
  const deno = denoNet()
  const address = addressOf(options)
  const tlsOptions = tlsOf(options)
  const useTls = tlsOptions !== undefined
  const timeout = options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT
  const attempt = new Attempt(address, timeout, useTls ? 'connect and TLS handshake' : 'connect', options.signal)
  const close = (conn: DenoConn): void => {
    try {
      conn.close()
    } catch { /* already closed */ }
  }
  if (attempt.gaveUp !== undefined) throw attempt.gaveUp
  let conn: DenoConn | undefined
  try {
    if (options.path !== undefined) {
      if (useTls) throw new ConnectionError(`TLS over a Unix socket (${address}) is not supported on Deno`, address)
      conn = await attempt.step(deno.connect({ transport: 'unix', path: options.path }), close)
    } else {
      conn = await connectIp(deno, options, tlsOptions, attempt, address, close)
    }
    attempt.hold(conn)
    // Deno reports a bad certificate only on first I/O unless asked: ask now, so it is a connect failure.
    if (useTls && conn.handshake !== undefined) await attempt.step(conn.handshake())
    attempt.done()
    return new DenoStream(conn, handlers, address, options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK, useTls)
  } catch (err) {
    const error = attempt.gaveUp ?? permission(err, address, options) ?? explain(toConnectionError(err, address, 'connect', useTls), tlsOptions)
    attempt.done()
    if (conn !== undefined) close(conn)
    throw error
  }
}

async function connectIp(
  deno: DenoNet, options: ConnectOptions, tls: TlsOptions | undefined, attempt: Attempt, address: string,
  close: (conn: DenoConn) => void,
): Promise<DenoConn> {
  const hostname = options.host ?? '127.0.0.1'
  const port = options.port ?? 6379
  const caCerts = pemList(tls?.ca)
  const skipHostname = tls?.rejectUnauthorized === false
  if (tls !== undefined && (tls.cert !== undefined || tls.key !== undefined)) {
    if (tls.cert === undefined || tls.key === undefined) throw new ConnectionError(`TLS to ${address}: tls.cert and tls.key go together`, address)
    if (tls.servername !== undefined && tls.servername !== hostname) {
      throw new ConnectionError(`TLS to ${address}: Deno cannot send a client certificate and check a servername other than the host; connect by the name in the certificate instead`, address)
    }
    // connectTls takes no signal; a connection that arrives after we gave up is closed.
    const conn = await attempt.step(deno.connectTls({
      hostname, port, caCerts, cert: pem(tls.cert), key: pem(tls.key), unsafelyDisableHostnameVerification: skipHostname,
    }), close)
    setSocketOptions(conn, options)
    return conn
  }
  const tcp = await attempt.step(deno.connect({ hostname, port, signal: attempt.controller.signal }), close)
  setSocketOptions(tcp, options)
  if (tls === undefined) return tcp
  attempt.hold(tcp)
  // startTls rather than connectTls: it checks the certificate against a name other than the
  // address we dialled (tls.servername), and the TCP connect above could take our signal.
  return attempt.step(deno.startTls(tcp, {
    hostname: tls.servername ?? hostname, caCerts, unsafelyDisableHostnameVerification: skipHostname,
  }), close)
}

function setSocketOptions(conn: DenoConn, options: ConnectOptions): void {
  try {
    conn.setNoDelay?.(options.noDelay !== false)
    // Deno has no keep-alive delay setting: a number turns keep-alive on with the system's delay.
    conn.setKeepAlive?.(options.keepAlive !== false)
  } catch { /* not a TCP connection */ }
}

/** Deno without the permission to connect: say which flag grants it, in our words, not Deno's. */
function permission(err: unknown, address: string, options: ConnectOptions): ConnectionError | undefined {
  const name = (err as { name?: unknown } | null)?.name
  if (name !== 'NotCapable' && name !== 'PermissionDenied') return undefined
  const grant = options.path !== undefined
    ? `--allow-read and --allow-write (or --allow-read=${address} --allow-write=${address} for this socket only)`
    : `--allow-net (or --allow-net=${address} for this address only)`
  return new ConnectionError(`connecting to ${address} needs a permission Deno did not grant: run with ${grant}`, address, { cause: err })
}

/** With verification asked off, an untrusted chain needs a word on what Deno can't do. */
function explain(error: ConnectionError, tls: TlsOptions | undefined): ConnectionError {
  if (!(error instanceof TlsError) || error.failure !== 'certificate' || tls?.rejectUnauthorized !== false) return error
  return new TlsError('certificate',
    `${error.message}. Deno cannot turn off certificate-chain verification per connection (rejectUnauthorized: false only skips the hostname check); run Deno with --unsafely-ignore-certificate-errors to skip it`,
    error.address, { cause: error.cause, code: error.code })
}

class DenoStream implements ByteStream {
  readonly remote: string
  readonly closed: Promise<Error | undefined>
  #conn: DenoConn
  #handlers: StreamHandlers
  #tls: boolean
  #settle!: (error: Error | undefined) => void
  /** Set once closed: what write() throws from then on. */
  #closedError: Error | undefined
  #queue: WriteQueue
  #pumping = false
  #ending: Promise<void> | undefined
  #paused = false
  #wakeReader: (() => void) | undefined

  constructor(conn: DenoConn, handlers: StreamHandlers, remote: string, highWaterMark: number, tls: boolean) {
    this.#conn = conn
    this.#handlers = handlers
    this.remote = remote
    this.#queue = new WriteQueue(highWaterMark, SMALL_CHUNK)
    this.#tls = tls
    this.closed = new Promise((resolve) => (this.#settle = resolve))
    void this.#readLoop()
  }

  get writableLength(): number {
    return this.#queue.bytes
  }

  write(chunk: Uint8Array): boolean {
    checkChunk(chunk, 'write')
    this.#checkWritable()
    const below = this.#queue.push(chunk)
    this.#startPump()
    return below
  }

  writev(chunks: readonly Uint8Array[]): boolean {
    checkChunks(chunks)
    this.#checkWritable()
    for (const chunk of chunks) this.#queue.push(chunk)
    this.#startPump()
    return this.#queue.bytes <= this.#queue.highWaterMark
  }

  drain(): Promise<void> {
    return this.#queue.drained()
  }

  pause(): void {
    this.#paused = true
  }

  resume(): void {
    this.#paused = false
    const wake = this.#wakeReader
    this.#wakeReader = undefined
    wake?.()
  }

  end(): Promise<void> {
    this.#ending ??= this.#end()
    return this.#ending
  }

  abort(reason?: Error): void {
    this.#close(reason)
  }

  #checkWritable(): void {
    if (this.#closedError !== undefined) throw this.#closedError
    if (this.#ending !== undefined) throw new ConnectionClosedError(`connection to ${this.remote} is closing`, this.remote)
  }

  #startPump(): void {
    if (!this.#pumping && this.#queue.waiting) {
      this.#pumping = true
      // Start on a microtask so that everything written in this tick goes out in one write.
      queueMicrotask(() => void this.#pump())
    }
  }

  async #pump(): Promise<void> {
    try {
      for (let batch = this.#queue.take(); batch !== undefined && this.#closedError === undefined; batch = this.#queue.take()) {
        let offset = 0
        // conn.write may take only part of the bytes: loop on the rest.
        while (offset < batch.byteLength) {
          const n = await this.#conn.write(offset === 0 ? batch : batch.subarray(offset))
          if (this.#closedError !== undefined) return
          offset += n
          this.#queue.sent(n)
        }
      }
    } catch (err) {
      this.#close(toConnectionError(err, this.remote, 'open', this.#tls))
    } finally {
      this.#pumping = false
    }
  }

  async #readLoop(): Promise<void> {
    let buffer = new Uint8Array(READ_SIZE)
    while (this.#closedError === undefined) {
      if (this.#paused) {
        await new Promise<void>((resolve) => (this.#wakeReader = resolve))
        continue
      }
      let n: number | null
      try {
        n = await this.#conn.read(buffer)
      } catch (err) {
        if (this.#ending !== undefined) this.#close(undefined)
        else this.#close(toConnectionError(err, this.remote, 'open', this.#tls))
        return
      }
      if (this.#closedError !== undefined) return
      if (n === null) {
        this.#close(this.#ending !== undefined ? undefined : new ConnectionClosedError(`connection to ${this.remote} closed by the server`, this.remote))
        return
      }
      if (n === 0) continue
      // The chunk becomes the receiver's: hand over a well-filled buffer, copy out a small read.
      let chunk: Uint8Array
      if (n >= READ_SIZE / 2) {
        chunk = buffer.subarray(0, n)
        buffer = new Uint8Array(READ_SIZE)
      } else {
        chunk = buffer.slice(0, n)
      }
      // Paused while that read was in flight: hold its bytes until resume().
      while (this.#paused && this.#closedError === undefined) await new Promise<void>((resolve) => (this.#wakeReader = resolve))
      if (this.#closedError !== undefined) return
      try {
        this.#handlers.onData(chunk)
      } catch (err) {
        this.#close(asError(err))
        return
      }
    }
  }

  async #end(): Promise<void> {
    // Closed by force once nothing has gone out for END_GRACE_MS (see options.ts).
    const disarm = endGrace(() => this.#queue.bytes, () => this.#close(undefined))
    try {
      await this.#queue.emptied()
      if (this.#closedError !== undefined) return void (await this.closed)
      // Half-close and let the peer close its side: closing with unread bytes in the socket would
      // send a reset, which can throw away what we just sent.
      try {
        await this.#conn.closeWrite()
      } catch {
        this.#close(undefined)
      }
      if (this.#paused) this.#close(undefined)
      await this.closed
    } finally {
      disarm()
    }
  }

  #close(reason: Error | undefined): void {
    if (this.#closedError !== undefined) return
    this.#closedError = reason ?? new ConnectionClosedError(`connection to ${this.remote} is closed`, this.remote)
    this.#queue.clear()
    try {
      this.#conn.close()
    } catch { /* already closed */ }
    this.#settle(reason)
    this.resume()
  }
}

const utf8Slice = (Buffer.prototype as unknown as { utf8Slice(this: Uint8Array, start: number, end: number): string }).utf8Slice
const textDecoder = new TextDecoder()

/**
 * Strings up to this many bytes go through Deno's node:buffer, which reads straight from the
 * bytes; longer ones through TextDecoder, which Deno's utf8Slice falls 3-5x behind past a few
 * hundred bytes (measured on Deno 2.9: 100 bytes 95 against 150 ns, 4 KiB 1.8 against 0.33 µs).
 */
const SHORT_TEXT = 256

/** Deno's fastest UTF-8 decoding for each size (bench/resp.ts on Deno). The client uses it on Deno without being told. */
export const denoUtf8: Utf8Decoder = (bytes, start, end) =>
  end - start <= SHORT_TEXT ? utf8Slice.call(bytes, start, end) : textDecoder.decode(bytes.subarray(start, end))
