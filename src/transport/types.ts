// One connected byte stream, whatever the runtime, and the connector that opens one.
//
// Why push callbacks and not async iteration: the client parses each chunk as it arrives, and an
// async iterator costs a promise and a microtask or two per chunk. bench/stream-shape.ts, one
// small reply per event-loop turn, parsed: a callback adds 134 ns per chunk to the turn on Node
// (54 on Bun, 89 on Deno), an async iterator 676 ns (377, 578): half a second more per million
// small replies, on a path where a whole PING round trip costs ~60 us.
// Backpressure goes both ways: `write` returns false past the high-water mark and `drain()`
// waits for room; `pause()` makes the transport stop reading from the socket until `resume()`.

import type { ConnectionError } from './errors.ts'

export interface TlsOptions {
  /** Trusted CA certificates (PEM). Default: the runtime's trust store. */
  ca?: string | Uint8Array | Array<string | Uint8Array>
  /** Client certificate and key (PEM), for mutual TLS. */
  cert?: string | Uint8Array
  key?: string | Uint8Array
  /** Name to verify the server's certificate against, and to send as SNI. Default: the host. */
  servername?: string
  /**
   * Verify the server's certificate and hostname. Default true. Turning it off lets anyone on
   * the path read and change the traffic; do it only against a test server.
   */
  rejectUnauthorized?: boolean
}

export interface ConnectOptions {
  /** Host name or address. Default `127.0.0.1`. IPv6 addresses without brackets: `::1`. */
  host?: string
  /** Default 6379. */
  port?: number
  /** Unix domain socket path; when set, host and port are not used. */
  path?: string
  /** TLS: `true` for the defaults, or options. Default: plain TCP. */
  tls?: boolean | TlsOptions
  /** Give up connecting (TLS handshake included) after this many ms. Default 10 000; 0 = never. */
  connectTimeout?: number
  /** Aborts the connection attempt. */
  signal?: AbortSignal
  /** Disable Nagle's algorithm. Default true. */
  noDelay?: boolean
  /** TCP keep-alive: true, false, or the initial delay in ms. Default true (runtime's delay). */
  keepAlive?: boolean | number
  /** Bytes buffered for writing before `write` returns false. Default 64 KiB. */
  highWaterMark?: number
}

/** Where the bytes from the peer go. Set at connect time, so no byte can arrive unheard. */
export interface StreamHandlers {
  /**
   * Bytes from the peer, in order. The chunk belongs to the receiver from then on: the
   * transport never writes to it again, so a parser may keep references to it.
   */
  onData(chunk: Uint8Array): void
}

export interface ByteStream {
  /**
   * Queue bytes for sending. The caller must not change the chunk afterwards. Returns false
   * once more than the high-water mark is buffered: wait for `drain()` before writing more.
   * Writing after the stream closed throws the error that closed it.
   */
  write(chunk: Uint8Array): boolean
  /** Queue several chunks to go out together (one system call where the runtime allows). */
  writev(chunks: readonly Uint8Array[]): boolean
  /** Bytes accepted by `write` and not yet handed to the operating system. */
  readonly writableLength: number
  /** Resolves when `writableLength` is at or below the high-water mark, or the stream closed. */
  drain(): Promise<void>
  /** Stop reading from the socket: `onData` is not called until `resume()`. */
  pause(): void
  resume(): void
  /** Send what is buffered, then close. Resolves when closed. */
  end(): Promise<void>
  /** Close now, dropping whatever is buffered. `closed` settles with `reason` if given. */
  abort(reason?: Error): void
  /**
   * Settles exactly once, when the stream is closed, and never rejects: `undefined` after our
   * own `end()` or `abort()` without reason, otherwise the error that ended it (the peer
   * closing first is a `ConnectionClosedError`).
   */
  readonly closed: Promise<Error | undefined>
  /** `host:port`, `[::1]:port` or the socket path: for messages, never secrets. */
  readonly remote: string
}

/** Opens a byte stream. One is handed to each client; there is no global registry. */
export type Connector = (options: ConnectOptions, handlers: StreamHandlers) => Promise<ByteStream>

/** Errors a connector rejects with. */
export type ConnectFailure = ConnectionError
