// Client-side caching (RESP3 CLIENT TRACKING): replies of read-only commands on one key are kept
// here and served without a round trip until the server says the key changed (an `invalidate`
// push). Bounded in entries and bytes (least recently used first out). Whenever the connection
// breaks, everything is dropped: invalidations may have been lost with it.

import { ReplyError, type CommandArgument } from '../resp/index.ts'
import type { Command } from './command.ts'
import { isReadOnly, keyIndexes } from './command-keys.ts'
import { applyForm } from './type-mapping.ts'

export interface ClientSideCacheOptions {
  /** Most entries. Default 10 000; 0 = no limit on count (bytes still apply). */
  maxEntries?: number
  /** Most bytes of cached replies (estimated). Default 64 MiB; 0 = no limit. */
  maxBytes?: number
  /** Entries older than this many ms are not served. Default 0: until invalidated. */
  ttl?: number
  /** `default` tracking (keys this client read), or `bcast` with `prefixes` (every key under them). */
  mode?: 'default' | 'bcast'
  prefixes?: string[]
  /** node-redis's spelling; only LRU is offered. */
  evictPolicy?: 'LRU'
}

export interface CacheStats {
  hitCount: number
  missCount: number
  evictionCount: number
  invalidationCount: number
  flushCount: number
  size: number
  bytes: number
}

/**
 * Single-key reads whose replies depend only on the key's value: safe to serve from a cache
 * that the server invalidates per key.
 */
const CACHEABLE = new Set([
  'GET', 'GETRANGE', 'STRLEN', 'GETBIT', 'BITCOUNT', 'BITPOS', 'EXISTS', 'TYPE',
  'HGET', 'HGETALL', 'HMGET', 'HEXISTS', 'HKEYS', 'HVALS', 'HLEN', 'HSTRLEN',
  'LRANGE', 'LLEN', 'LINDEX', 'LPOS',
  'SMEMBERS', 'SISMEMBER', 'SMISMEMBER', 'SCARD',
  'ZRANGE', 'ZRANGEBYSCORE', 'ZRANGEBYLEX', 'ZREVRANGE', 'ZSCORE', 'ZMSCORE', 'ZCARD', 'ZCOUNT', 'ZRANK', 'ZREVRANK', 'ZLEXCOUNT',
  'GEOPOS', 'GEODIST', 'GEOHASH', 'XLEN', 'XRANGE', 'XREVRANGE', 'JSON.GET',
])

const utf8 = new TextDecoder()
const text = (a: CommandArgument): string => (typeof a === 'string' ? a : a instanceof Uint8Array ? utf8.decode(a) : String(a))

/** The cached key (the command's only key, at index 1) if the command may be cached. */
export function cacheableKey(args: readonly CommandArgument[]): string | undefined {
  if (args.length < 2) return undefined
  const first = args[0]
  if (typeof first !== 'string' && !(first instanceof Uint8Array)) return undefined
  const name = text(first).toUpperCase()
  if (!CACHEABLE.has(name)) return undefined
  if (name === 'EXISTS' && args.length !== 2) return undefined // several keys
  // Entries are found by the text of the arguments: bytes that are not UTF-8 would decode to the
  // same text as other bytes (U+FFFD), and one key's reply could be served for another.
  for (let i = 1; i < args.length; i++) {
    const a = args[i]
    if (a instanceof Uint8Array && !isUtf8(a)) return undefined
  }
  return text(args[1])
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

function isUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes)
    return true
  } catch {
    return false
  }
}

function sizeOf(value: unknown): number {
  if (typeof value === 'string') return 16 + value.length * 2
  if (value instanceof Uint8Array) return 64 + value.byteLength
  if (Array.isArray(value)) {
    let n = 16
    for (const v of value) n += sizeOf(v)
    return n
  }
  if (value !== null && typeof value === 'object') {
    let n = 32
    for (const [k, v] of Object.entries(value)) n += sizeOf(k) + sizeOf(v)
    return n
  }
  return 16
}

interface Entry {
  key: string
  value: unknown
  bytes: number
  at: number
}

interface Pending {
  key: string
  /** The key changed while the reply was on its way: do not keep it. */
  stale: boolean
}

export class ClientSideCache {
  readonly options: Readonly<Required<Omit<ClientSideCacheOptions, 'evictPolicy'>>>
  readonly #entries = new Map<string, Entry>()
  readonly #byKey = new Map<string, Set<string>>()
  readonly #pending = new Map<string, Set<Pending>>()
  #bytes = 0
  #stats = { hitCount: 0, missCount: 0, evictionCount: 0, invalidationCount: 0, flushCount: 0 }

  constructor(options: ClientSideCacheOptions = {}) {
    const count = (name: string, v: unknown, d: number): number => {
      if (v === undefined) return d
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new TypeError(`clientSideCache: option \`${name}\` must be an integer, 0 or more (got ${String(v)})`)
      return v
    }
    const mode = options.mode ?? 'default'
    if (mode !== 'default' && mode !== 'bcast') throw new TypeError(`clientSideCache: option \`mode\` must be 'default' or 'bcast'`)
    if (options.evictPolicy !== undefined && options.evictPolicy !== 'LRU') throw new TypeError(`clientSideCache: option \`evictPolicy\` must be 'LRU', the only policy offered`)
    const prefixes = options.prefixes ?? []
    if (!Array.isArray(prefixes) || prefixes.some((p) => typeof p !== 'string')) throw new TypeError('clientSideCache: option `prefixes` must be an array of strings')
    if (prefixes.length > 0 && mode !== 'bcast') throw new TypeError("clientSideCache: option `prefixes` needs mode 'bcast'")
    this.options = Object.freeze({
      maxEntries: count('maxEntries', options.maxEntries, 10_000),
      maxBytes: count('maxBytes', options.maxBytes, 64 * 1024 * 1024),
      ttl: count('ttl', options.ttl, 0),
      mode,
      prefixes,
    })
  }

  /** The CLIENT TRACKING command that makes the server send invalidations. */
  trackingCommand(): CommandArgument[] {
    const args: CommandArgument[] = ['CLIENT', 'TRACKING', 'ON']
    if (this.options.mode === 'bcast') {
      args.push('BCAST')
      for (const p of this.options.prefixes) args.push('PREFIX', p)
    }
    return args
  }

  get size(): number {
    return this.#entries.size
  }

  stats(): CacheStats {
    return { ...this.#stats, size: this.#entries.size, bytes: this.#bytes }
  }

  /** A cached reply (a copy: callers may change what they get), or undefined. */
  get(cacheKey: string): { value: unknown } | undefined {
    const entry = this.#entries.get(cacheKey)
    if (entry === undefined || (this.options.ttl > 0 && Date.now() - entry.at > this.options.ttl)) {
      if (entry !== undefined) this.#delete(cacheKey)
      this.#stats.missCount++
      return undefined
    }
    this.#stats.hitCount++
    // Most recently used last.
    this.#entries.delete(cacheKey)
    this.#entries.set(cacheKey, entry)
    return { value: typeof entry.value === 'object' && entry.value !== null ? structuredClone(entry.value) : entry.value }
  }

  /** A read of `key` was sent; call `fill` with its reply. */
  begin(key: string): Pending {
    const pending: Pending = { key, stale: false }
    let set = this.#pending.get(key)
    if (set === undefined) this.#pending.set(key, (set = new Set()))
    set.add(pending)
    return pending
  }

  fill(pending: Pending, cacheKey: string, value: unknown): void {
    const set = this.#pending.get(pending.key)
    set?.delete(pending)
    if (set?.size === 0) this.#pending.delete(pending.key)
    if (pending.stale) return
    const bytes = sizeOf(value) + cacheKey.length * 2
    const max = this.options.maxBytes
    if (max > 0 && bytes > max) return
    this.#delete(cacheKey)
    const stored = typeof value === 'object' && value !== null ? structuredClone(value) : value
    this.#entries.set(cacheKey, { key: pending.key, value: stored, bytes, at: Date.now() })
    this.#bytes += bytes
    let keys = this.#byKey.get(pending.key)
    if (keys === undefined) this.#byKey.set(pending.key, (keys = new Set()))
    keys.add(cacheKey)
    while ((this.options.maxEntries > 0 && this.#entries.size > this.options.maxEntries) || (max > 0 && this.#bytes > max)) {
      const oldest = this.#entries.keys().next().value as string
      this.#delete(oldest)
      this.#stats.evictionCount++
    }
  }

  /** The read failed: nothing to keep. */
  abandon(pending: Pending): void {
    pending.stale = true
    const set = this.#pending.get(pending.key)
    set?.delete(pending)
    if (set?.size === 0) this.#pending.delete(pending.key)
  }

  /** An `invalidate` push: these keys changed (null: everything, e.g. FLUSHALL). */
  invalidate(keys: readonly unknown[] | null): void {
    this.#stats.invalidationCount++
    if (keys === null) this.flush()
    else this.forget(keys)
  }

  /** Drops what is cached of these keys, and keeps no reply of them now on its way. */
  forget(keys: readonly unknown[]): void {
    for (const k of keys) {
      const key = typeof k === 'string' ? k : k instanceof Uint8Array ? utf8.decode(k) : String(k)
      for (const cacheKey of this.#byKey.get(key) ?? []) this.#delete(cacheKey)
      for (const p of this.#pending.get(key) ?? []) p.stale = true
    }
  }

  /** Drops everything (the connection broke, or the server flushed). */
  flush(): void {
    this.#stats.flushCount++
    this.#entries.clear()
    this.#byKey.clear()
    for (const set of this.#pending.values()) for (const p of set) p.stale = true
    this.#bytes = 0
  }

  #delete(cacheKey: string): void {
    const entry = this.#entries.get(cacheKey)
    if (entry === undefined) return
    this.#entries.delete(cacheKey)
    this.#bytes -= entry.bytes
    const keys = this.#byKey.get(entry.key)
    keys?.delete(cacheKey)
    if (keys?.size === 0) this.#byKey.delete(entry.key)
  }
}

/**
 * Settles a cacheable read from the cache (true), or arranges for its reply to be kept (false).
 * A write forgets what is cached of its keys at once, not when the server's invalidation
 * arrives, so that this client reads its own writes.
 */
export function serveFromCache(cache: ClientSideCache, command: Command, resp: 2 | 3): boolean {
  const args = command.args
  const key = cacheableKey(args)
  if (key === undefined) {
    if (!isReadOnly(args)) cache.forget(keyIndexes(args).map((i) => args[i]))
    return false
  }
  let cacheKey = command.form.binary ? 'b' : 's'
  for (const a of args) {
    const part = typeof a === 'string' ? a : a instanceof Uint8Array ? utf8.decode(a) : String(a)
    cacheKey += `${part.length}:${part}`
  }
  const hit = cache.get(cacheKey)
  if (hit !== undefined) {
    let value = hit.value
    const form = command.form
    try {
      if (form.mapAsMap || form.mapAsArray || form.bytesClass !== undefined) value = applyForm(value, form)
      command.resolve(command.shape === undefined ? value : command.shape(value, { resp, mapAsMap: form.mapAsMap }))
    } catch (err) {
      command.reject(err)
    }
    return true
  }
  const pending = cache.begin(key)
  command.onRaw = (raw) => {
    if (raw instanceof ReplyError) cache.abandon(pending)
    else cache.fill(pending, cacheKey, raw)
  }
  return false
}
