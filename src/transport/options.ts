// What every connector reads from ConnectOptions the same way.

import type { ConnectOptions, TlsOptions } from './types.ts'

export const DEFAULT_HIGH_WATER_MARK = 64 * 1024
export const DEFAULT_CONNECT_TIMEOUT = 10_000

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
