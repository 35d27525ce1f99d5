// What every connector reads from ConnectOptions the same way.

import type { ConnectOptions, TlsOptions } from './types.ts'

export const DEFAULT_HIGH_WATER_MARK = 64 * 1024
export const DEFAULT_CONNECT_TIMEOUT = 10_000

/**
 * How `end()` finishes, on every transport: it sends what is buffered, half-closes, and waits
 * for the peer to close its side. If the stream is still open END_GRACE_MS after the last
 * progress (a byte sent, or the call to end()), it is closed by force and `closed` settles
 * with `undefined` all the same: a peer that never reads, or reads and never closes, cannot
 * keep `end()` pending.
 */
export const END_GRACE_MS = 2_000

/**
 * Arms the END_GRACE_MS rule for one `end()`: `force` is called once `pending()` (bytes not yet
 * sent) has not gone down for END_GRACE_MS. Returns the function that disarms it.
 */
export function endGrace(pending: () => number, force: () => void): () => void {
  let last = pending()
  let timer: ReturnType<typeof setTimeout>
  const check = (): void => {
    const now = pending()
    if (now > 0 && now < last) {
      last = now
      timer = setTimeout(check, END_GRACE_MS)
    } else {
      force()
    }
  }
  timer = setTimeout(check, END_GRACE_MS)
  return () => clearTimeout(timer)
}

/**
 * Checks the options every connector reads, before any connection attempt: a NaN, negative,
 * fractional or wrongly typed value throws a TypeError (wrong type) or RangeError (bad number)
 * naming the option. Without this, `highWaterMark: NaN` would make `write()` always return
 * false and `drain()` never resolve, and `connectTimeout: NaN` would silently mean "never".
 */
export function validateConnectOptions(options: ConnectOptions): void {
  if (typeof options !== 'object' || options === null) throw new TypeError(`connect options must be an object, got ${options === null ? 'null' : typeof options}`)
  const { host, port, path, tls, connectTimeout, noDelay, keepAlive, highWaterMark, signal } = options
  if (host !== undefined && (typeof host !== 'string' || host === '')) throw new TypeError(`ConnectOptions.host must be a non-empty string, got ${show(host)}`)
  if (path !== undefined && (typeof path !== 'string' || path === '')) throw new TypeError(`ConnectOptions.path must be a non-empty string, got ${show(path)}`)
  if (port !== undefined) checkInteger('port', port, 1, 65535)
  if (connectTimeout !== undefined) checkInteger('connectTimeout', connectTimeout, 0)
  if (highWaterMark !== undefined) checkInteger('highWaterMark', highWaterMark, 0)
  if (keepAlive !== undefined && typeof keepAlive !== 'boolean') checkInteger('keepAlive', keepAlive, 0)
  if (noDelay !== undefined && typeof noDelay !== 'boolean') throw new TypeError(`ConnectOptions.noDelay must be a boolean, got ${show(noDelay)}`)
  if (tls !== undefined && typeof tls !== 'boolean' && (typeof tls !== 'object' || tls === null)) {
    throw new TypeError(`ConnectOptions.tls must be a boolean or an object, got ${show(tls)}`)
  }
  if (signal !== undefined && (typeof signal !== 'object' || signal === null || typeof signal.aborted !== 'boolean')) {
    throw new TypeError(`ConnectOptions.signal must be an AbortSignal, got ${show(signal)}`)
  }
}

/** A safe integer within [min, max], or a TypeError/RangeError naming the option. */
export function checkInteger(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (typeof value !== 'number') throw new TypeError(`option ${name} must be a number, got ${show(value)}`)
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer of at least ${min}` : `an integer from ${min} to ${max}`
    throw new RangeError(`option ${name} must be ${range}, got ${show(value)}`)
  }
}

/**
 * What a receiver threw, as the Error that closes its stream: a thrown non-Error is wrapped
 * (even one whose toString throws), so nothing escapes from the transport's read path.
 */
export function asError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown
  let text: string
  try {
    text = String(thrown)
  } catch {
    text = 'a value that cannot be turned into text'
  }
  return new Error(`the stream's receiver threw ${text}`, { cause: thrown })
}

/** Throws a TypeError unless `chunk` is a Uint8Array (a Buffer is one): no transport sends or drops anything else silently. */
export function checkChunk(chunk: unknown, method: string): void {
  if (!(chunk instanceof Uint8Array)) throw new TypeError(`ByteStream.${method}() takes Uint8Array chunks, got ${show(chunk)}`)
}

/** Checks every chunk of a writev before any is queued: all or nothing. */
export function checkChunks(chunks: readonly Uint8Array[]): void {
  if (!Array.isArray(chunks)) throw new TypeError(`ByteStream.writev() takes an array of Uint8Array chunks, got ${show(chunks)}`)
  for (let i = 0; i < chunks.length; i++) checkChunk(chunks[i], 'writev')
}

function show(x: unknown): string {
  if (typeof x === 'string') return JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}…` : x)
  if (typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint' || x === undefined) return String(x)
  if (x === null) return 'null'
  if (Array.isArray(x)) return 'an array'
  if (typeof x === 'object') return `an object (${(x as object).constructor?.name ?? 'no prototype'})`
  return `a ${typeof x}`
}

/** `host:port`, `[v6]:port`, or the socket path: for messages, never secrets. */
export function addressOf(options: ConnectOptions): string {
  if (options.path !== undefined) return options.path
  const host = options.host ?? '127.0.0.1'
  return `${host.includes(':') ? `[${host}]` : host}:${options.port ?? 6379}`
}

/** The TLS options in force, or undefined for plain TCP. */
export function tlsOf(options: ConnectOptions): TlsOptions | undefined {
  return options.tls === true ? {} : options.tls === false ? undefined : options.tls
}

/** A certificate or key as PEM text. */
export function pem(x: string | Uint8Array): string {
  return typeof x === 'string' ? x : new TextDecoder().decode(x)
}

/** The CA list as PEM texts. */
export function pemList(ca: TlsOptions['ca']): string[] | undefined {
  return ca === undefined ? undefined : (Array.isArray(ca) ? ca : [ca]).map(pem)
}
