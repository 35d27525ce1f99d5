// createClient's options: the URL and the explicit options merged once, every value checked
// (a wrong type, NaN, a negative or out-of-range number throws an error naming the option), and
// the password kept where no error, event, JSON or inspect output can reach it.

import type { DecoderLimits, Utf8Decoder, CommandArgument } from '../resp/index.ts'
import { checkLimits } from '../resp/decoder-options.ts'
import type { ConnectOptions, Connector, TlsOptions } from '../transport/types.ts'
import type { TypeMapping } from './type-mapping.ts'
import type { FunctionConfig, ScriptConfig } from './scripts.ts'
import type { Action } from './retry-policy.ts'
import { ClientSideCache, type ClientSideCacheOptions } from './cache.ts'

/** `(retries, cause)`: ms to wait before the next attempt, `false` to give up, or an Error to give up with. */
export type ReconnectStrategy = false | number | ((retries: number, cause: Error) => number | false | Error)

export interface SocketOptions {
  /** Default `127.0.0.1` (or the URL's host). IPv6 without brackets: `::1`. */
  host?: string
  /** Default 6379 (or the URL's port). */
  port?: number
  /** A Unix socket path instead of host and port. */
  path?: string
  /** TLS (also implied by a `rediss://` URL). The certificate and host name are verified unless rejectUnauthorized is false. */
  tls?: boolean
  ca?: TlsOptions['ca']
  cert?: TlsOptions['cert']
  key?: TlsOptions['key']
  servername?: string
  rejectUnauthorized?: boolean
  /** Give up one connection attempt after this many ms. Default 5000. */
  connectTimeout?: number
  /** Default true. */
  noDelay?: boolean
  /** Default true; a number is the initial delay in ms. */
  keepAlive?: boolean | number
  /** Default: exponential backoff with full jitter, from 50 ms up to 2 s, never giving up. */
  reconnectStrategy?: ReconnectStrategy
  /**
   * While replies are awaited, replace the connection if no byte arrives for this many ms.
   * Default 0: never (a command's own `timeout` covers one command).
   */
  socketTimeout?: number
}

/** Options of one command (node-redis's `commandOptions`), or defaults for all in `commandOptions`. */
export interface CommandOptions {
  /** Reject if no reply comes within this many ms; works before and after the command was written. */
  timeout?: number
  /** Reject when this signal aborts; works before and after the command was written. */
  abortSignal?: AbortSignal
  /** How replies come out: `Uint8Array` strings, `Map` maps... (node-redis's type mapping). */
  typeMapping?: TypeMapping
}

export interface ClientOptions {
  /** `redis[s]://[[username][:password]@][host][:port][/database]`; explicit options win over its parts. */
  url?: string
  socket?: SocketOptions
  username?: string
  password?: string
  /** SELECTed on every connection. Default 0. */
  database?: number
  /** Sent as the connection name (CLIENT SETNAME). */
  name?: string
  /** Protocol: 3 (default) for RESP3 with HELLO, falling back to 2 if the server lacks it; or 2. */
  RESP?: 2 | 3
  /** Opens the byte stream; default: the runtime's own (Node, Deno or Bun). */
  connector?: Connector
  /** Most commands waiting (unsent and awaiting replies together); past it new ones fail at once. Default: no limit. */
  commandsQueueMaxLength?: number
  /** Fail commands at once while not connected, instead of queueing them. Default false. */
  disableOfflineQueue?: boolean
  /** A command queued while offline fails after this many ms without being sent. Default 0: it waits. */
  offlineQueueTimeout?: number
  /** Send PING when idle this long, and replace a connection whose PING goes unanswered. Default 0: off. */
  pingInterval?: number
  /** Defaults for every command's options. */
  commandOptions?: CommandOptions
  /**
   * Resend a command whose connection broke after it was written: never (default), only
   * commands the command table marks read-only, or those a predicate accepts. Writes are never
   * resent unless the predicate says so: an INCR could run twice.
   */
  retryWritten?: false | 'read-only' | ((args: readonly CommandArgument[]) => boolean)
  /** UTF-8 decoder for replies. Default: the runtime's fastest. */
  decodeUtf8?: Utf8Decoder
  /** Limits on replies (see the decoder). */
  replyLimits?: DecoderLimits
  /** Lua scripts as methods: `{ add: defineScript({ SCRIPT, NUMBER_OF_KEYS, ... }) }` gives `client.add(...)`. */
  scripts?: Record<string, ScriptConfig>
  /**
   * Client-side caching over RESP3 CLIENT TRACKING: options (or a ClientSideCache to share
   * its stats). Needs RESP 3.
   */
  clientSideCache?: ClientSideCacheOptions | ClientSideCache
  /**
   * Change rows of the retry table (SERVER_ERROR_ACTIONS): `{ READONLY: 'fail' }`. The cluster
   * client uses it to handle redirects itself.
   */
  serverErrorActions?: Readonly<Record<string, Action>>
  /** Send READONLY on every connection: reads are allowed on a cluster replica. Default false. */
  readonly?: boolean
  /**
   * Put in front of every key (found by the command table's key positions, so also in EVAL,
   * transactions and pipelines). Not applied to pub/sub channels, nor removed from replies
   * that list keys (KEYS, SCAN), as ioredis.
   */
  keyPrefix?: string
  /** Functions (loaded with FUNCTION LOAD) as methods: `{ lib: { fn: { NUMBER_OF_KEYS } } }` gives `client.lib.fn(...)`. */
  functions?: Record<string, Record<string, FunctionConfig>>
}

/** The options after checking: what the client runs on. Holds no password. */
export interface ResolvedOptions {
  readonly connect: ConnectOptions
  readonly username: string | undefined
  readonly database: number
  readonly name: string | undefined
  readonly RESP: 2 | 3
  readonly connector: Connector | undefined
  readonly reconnectStrategy: ReconnectStrategy | undefined
  readonly socketTimeout: number
  readonly commandsQueueMaxLength: number
  readonly disableOfflineQueue: boolean
  readonly offlineQueueTimeout: number
  readonly pingInterval: number
  readonly commandOptions: CommandOptions
  readonly retryWritten: ClientOptions['retryWritten']
  readonly decodeUtf8: Utf8Decoder | undefined
  readonly replyLimits: DecoderLimits | undefined
  readonly clientSideCache: ClientSideCache | undefined
  readonly keyPrefix: string | undefined
  readonly readonly: boolean
  readonly serverErrorActions: Readonly<Record<string, Action>> | undefined
}

/** The password, out of sight: private fields appear in no inspect, JSON or error output. */
export class Secret {
  readonly #value: string | undefined
  constructor(value: string | undefined) {
    this.#value = value
  }
  get value(): string | undefined {
    return this.#value
  }
  get isSet(): boolean {
    return this.#value !== undefined
  }
  toString(): string {
    return this.#value === undefined ? '' : '[redacted]'
  }
  toJSON(): string | undefined {
    return this.#value === undefined ? undefined : '[redacted]'
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString()
  }
}

const KNOWN = new Set([
  'url', 'socket', 'username', 'keyPrefix', 'serverErrorActions', 'password', 'database', 'name', 'RESP', 'connector', 'commandsQueueMaxLength',
  'disableOfflineQueue', 'offlineQueueTimeout', 'pingInterval', 'commandOptions', 'retryWritten', 'decodeUtf8', 'replyLimits',
  // node-redis options we accept and ignore, so its examples run unchanged:
  'readonly', 'legacyMode', 'isolationPoolOptions', 'scripts', 'functions', 'modules', 'clientSideCache', 'clientInfoTag',
])

function fail(option: string, message: string): never {
  throw new TypeError(`createClient: option \`${option}\` ${message}`)
}

function checkMs(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(option, `must be a finite number of ms, 0 or more (got ${show(value)})`)
  return value
}

function checkInt(option: string, value: unknown, min: number, max: number): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) fail(option, `must be an integer from ${min} to ${max} (got ${show(value)})`)
  return value
}

function checkString(option: string, value: unknown): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string') fail(option, `must be a string (got ${show(value, option === 'password')})`)
  return value
}

function checkBool(option: string, value: unknown): boolean | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'boolean') fail(option, `must be true or false (got ${show(value)})`)
  return value
}

function show(value: unknown, secret = false): string {
  if (secret) return `a ${typeof value}`
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '...' : value)
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value)
  return `a ${Array.isArray(value) ? 'array' : typeof value}`
}

function checkActions(value: unknown): Readonly<Record<string, Action>> | undefined {
  if (value === undefined) return undefined
  if (value === null || typeof value !== 'object') fail('serverErrorActions', `must be an object of error prefix -> action (got ${show(value)})`)
  for (const [code, action] of Object.entries(value)) {
    if (action !== 'fail' && action !== 'retry-after-backoff' && action !== 'reconnect-and-retry') fail(`serverErrorActions.${code}`, `must be 'fail', 'retry-after-backoff' or 'reconnect-and-retry' (got ${show(action)})`)
  }
  return Object.freeze({ ...(value as Record<string, Action>) })
}

interface UrlParts {
  tls: boolean
  host?: string
  port?: number
  username?: string
  password?: string
  database?: number
}

const MAX_DATABASE = 2 ** 31 - 1

/** Percent-decodes the URL's user or password; a bad escape is a TypeError that does not repeat the value. */
function decodePart(value: string, what: 'username' | 'password'): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return fail('url', `has a malformed percent-encoding in its ${what}: encode it with encodeURIComponent`)
  }
}

/** PEM as a string or Uint8Array (an array of them for `ca`), as every runtime's TLS takes it. */
function checkPem(option: string, value: unknown, list: boolean): void {
  if (value === undefined || typeof value === 'string' || value instanceof Uint8Array) return
  if (list && Array.isArray(value) && value.every((v) => typeof v === 'string' || v instanceof Uint8Array)) return
  fail(option, `must be PEM as a string or Uint8Array${list ? ', or an array of them' : ''} (got ${show(value, true)})`)
}

/** Parses `redis://` and `rediss://` URLs. The password never reaches an error message. */
export function parseUrl(url: string): UrlParts {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    // The URL may hold a password: say what is wrong without repeating it.
    fail('url', 'is not a valid URL; expected redis://[[username][:password]@][host][:port][/database]')
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') fail('url', `must start with redis:// or rediss:// (got ${u.protocol}//)`)
  const parts: UrlParts = { tls: u.protocol === 'rediss:' }
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname
  if (host !== '') parts.host = host
  if (u.port !== '') parts.port = Number(u.port)
  if (u.username !== '') parts.username = decodePart(u.username, 'username')
  if (u.password !== '') parts.password = decodePart(u.password, 'password')
  const db = u.pathname.replace(/^\//, '')
  if (db !== '') {
    if (!/^\d+$/.test(db)) fail('url', `has ${JSON.stringify(db)} as its database: expected a number, as in redis://host:6379/2`)
    parts.database = Number(db)
    if (parts.database > MAX_DATABASE) fail('url', `has ${db} as its database: the most is ${MAX_DATABASE}`)
  }
  return parts
}

/** Checks everything and merges the URL in. Throws a TypeError naming the option. */
export function resolveOptions(input: ClientOptions | undefined): { options: ResolvedOptions; password: Secret } {
  const o = input ?? {}
  if (typeof o !== 'object' || o === null) fail('options', `must be an object (got ${show(o)})`)
  for (const key of Object.keys(o)) {
    if (!KNOWN.has(key)) fail(key, 'is not an option of createClient: check its spelling')
  }
  const url = o.url === undefined ? undefined : parseUrl(checkString('url', o.url)!)
  // null is a value, not an absent option: refused like any other wrong type.
  const s: SocketOptions = o.socket === undefined ? {} : o.socket
  if (typeof s !== 'object' || s === null) fail('socket', `must be an object (got ${show(s)})`)

  const tlsOption = checkBool('socket.tls', s.tls)
  if (url?.tls === true && tlsOption === false) fail('socket.tls', 'is false but the URL is rediss://, which means TLS: remove one of them')
  const tls = tlsOption ?? url?.tls ?? false
  const path = checkString('socket.path', s.path)
  const host = checkString('socket.host', s.host) ?? url?.host ?? '127.0.0.1'
  if (host === '') fail('socket.host', 'is empty')
  const port = checkInt('socket.port', s.port, 1, 65535) ?? checkInt('url', url?.port, 1, 65535) ?? 6379
  if (path !== undefined && (s.host !== undefined || s.port !== undefined)) fail('socket.path', 'is set together with socket.host or socket.port: a Unix socket has neither')
  const tlsOptions: TlsOptions = {}
  for (const k of ['servername'] as const) {
    const v = checkString(`socket.${k}`, s[k])
    if (v !== undefined) tlsOptions[k] = v
  }
  const reject = checkBool('socket.rejectUnauthorized', s.rejectUnauthorized)
  if (reject !== undefined) tlsOptions.rejectUnauthorized = reject
  checkPem('socket.ca', s.ca, true)
  checkPem('socket.cert', s.cert, false)
  checkPem('socket.key', s.key, false)
  if (s.ca !== undefined) tlsOptions.ca = s.ca
  if (s.cert !== undefined) tlsOptions.cert = s.cert
  if (s.key !== undefined) tlsOptions.key = s.key
  if (!tls && Object.keys(tlsOptions).length > 0) fail('socket.tls', 'is off but TLS options (ca, cert, key, servername, rejectUnauthorized) are set: add tls: true or use rediss://')
  if ((s.cert === undefined) !== (s.key === undefined)) fail(s.cert === undefined ? 'socket.cert' : 'socket.key', 'is missing: a client certificate needs both cert and key')

  const keepAlive = s.keepAlive
  if (keepAlive !== undefined && typeof keepAlive !== 'boolean') checkMs('socket.keepAlive', keepAlive, 0)
  const connect: ConnectOptions = {
    connectTimeout: checkMs('socket.connectTimeout', s.connectTimeout, 5_000),
    noDelay: checkBool('socket.noDelay', s.noDelay) ?? true,
    keepAlive: keepAlive ?? true,
    ...(path !== undefined ? { path } : { host, port }),
    ...(tls ? { tls: tlsOptions } : {}),
  }

  const strategy = s.reconnectStrategy
  if (strategy !== undefined && strategy !== false && typeof strategy !== 'function') checkMs('socket.reconnectStrategy', strategy, 0)
  const RESP = o.RESP === undefined ? 3 : o.RESP
  if (RESP !== 2 && RESP !== 3) fail('RESP', `must be 2 or 3 (got ${show(RESP)})`)
  const name = checkString('name', o.name)
  if (name !== undefined && /[\s]/.test(name)) fail('name', 'cannot hold spaces or newlines (the server refuses them in CLIENT SETNAME)')
  if (o.connector !== undefined && typeof o.connector !== 'function') fail('connector', `must be a function (got ${show(o.connector)})`)
  if (o.decodeUtf8 !== undefined && typeof o.decodeUtf8 !== 'function') fail('decodeUtf8', `must be a function (got ${show(o.decodeUtf8)})`)
  const retry = o.retryWritten
  if (retry !== undefined && retry !== false && retry !== 'read-only' && typeof retry !== 'function') fail('retryWritten', `must be false, 'read-only' or a function (got ${show(retry)})`)
  const co = o.commandOptions === undefined ? {} : o.commandOptions
  if (typeof co !== 'object' || co === null) fail('commandOptions', `must be an object (got ${show(co)})`)
  checkMs('commandOptions.timeout', co.timeout, 0)
  // Checked now: a bad one would only throw later, from inside every command (or, for the
  // limits, from every connection attempt, as an endless reconnect loop).
  const signal = co.abortSignal as { aborted?: unknown; addEventListener?: unknown } | undefined
  if (signal !== undefined && (typeof signal !== 'object' || signal === null || typeof signal.aborted !== 'boolean' || typeof signal.addEventListener !== 'function')) {
    fail('commandOptions.abortSignal', `must be an AbortSignal (got ${show(signal)})`)
  }
  if (co.typeMapping !== undefined && (typeof co.typeMapping !== 'object' || co.typeMapping === null)) fail('commandOptions.typeMapping', `must be an object such as { [RESP_TYPES.BLOB_STRING]: Uint8Array } (got ${show(co.typeMapping)})`)
  if (o.replyLimits !== undefined) {
    if (typeof o.replyLimits !== 'object' || o.replyLimits === null) fail('replyLimits', `must be an object (got ${show(o.replyLimits)})`)
    try {
      checkLimits(o.replyLimits)
    } catch (err) {
      fail('replyLimits', `is invalid: ${(err as Error).message}`)
    }
  }

  let cache: ClientSideCache | undefined
  if (o.clientSideCache !== undefined) {
    if (RESP !== 3) fail('clientSideCache', 'needs RESP: 3 (the server sends invalidations as RESP3 pushes)')
    cache = o.clientSideCache instanceof ClientSideCache ? o.clientSideCache : new ClientSideCache(o.clientSideCache)
  }

  const password = checkString('password', o.password) ?? url?.password
  const username = checkString('username', o.username) ?? url?.username
  if (username !== undefined && password === undefined) fail('username', 'is set without a password: ACL users authenticate with both')
  return {
    password: new Secret(password),
    options: Object.freeze({
      connect,
      username,
      database: checkInt('database', o.database, 0, MAX_DATABASE) ?? url?.database ?? 0,
      name,
      RESP,
      connector: o.connector,
      reconnectStrategy: strategy,
      socketTimeout: checkMs('socket.socketTimeout', s.socketTimeout, 0),
      commandsQueueMaxLength: checkInt('commandsQueueMaxLength', o.commandsQueueMaxLength, 1, Number.MAX_SAFE_INTEGER) ?? Infinity,
      disableOfflineQueue: checkBool('disableOfflineQueue', o.disableOfflineQueue) ?? false,
      offlineQueueTimeout: checkMs('offlineQueueTimeout', o.offlineQueueTimeout, 0),
      pingInterval: checkMs('pingInterval', o.pingInterval, 0),
      commandOptions: co,
      retryWritten: retry ?? false,
      decodeUtf8: o.decodeUtf8,
      replyLimits: o.replyLimits,
      clientSideCache: cache,
      keyPrefix: checkString('keyPrefix', o.keyPrefix) || undefined,
      readonly: checkBool('readonly', o.readonly) ?? false,
      serverErrorActions: checkActions(o.serverErrorActions),
    }),
  }
}

/** The options as a user may see them: the password replaced. */
export function redacted(options: ResolvedOptions, password: Secret): Record<string, unknown> {
  const { connect, connector: _c, decodeUtf8: _d, clientSideCache, ...rest } = options
  const tls = typeof connect.tls === 'object' ? { ...connect.tls, key: connect.tls.key === undefined ? undefined : '[redacted]' } : connect.tls
  const max = rest.commandsQueueMaxLength === Infinity ? undefined : rest.commandsQueueMaxLength
  return { ...rest, clientSideCache: clientSideCache?.options, commandsQueueMaxLength: max, socket: { ...connect, tls }, password: password.isSet ? '[redacted]' : undefined }
}
