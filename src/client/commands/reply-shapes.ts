// Reply shapers shared by the typed commands. Each one takes the decoded reply as RESP2 or
// RESP3 gives it (flat arrays or maps, doubles as text or as numbers, strings or bytes) and
// returns the one shape node-redis v5 returns by default, so a program sees the same value
// whatever the protocol. They look at the reply's own shape rather than at `ctx.resp`: the
// shape is what they convert, and it cannot disagree with itself.

import type { ReplyContext } from './define.ts'

let utf8: { decode(input?: Uint8Array): string } | undefined

/** A string reply as text, whether it came as `string` or (binary replies) `Uint8Array`. */
export function text(value: unknown): string {
  if (typeof value === 'string') return value
  if (value instanceof Uint8Array) return (utf8 ??= new TextDecoder()).decode(value)
  return String(value)
}

/** A double: RESP3 sends a number, RESP2 its text (`inf`, `-inf`, `nan` included). */
export function toDouble(value: unknown): number {
  if (typeof value === 'number') return value
  if (typeof value === 'bigint') return Number(value)
  const s = text(value)
  switch (s.toLowerCase()) {
    case 'inf': case '+inf': case 'infinity': case '+infinity': return Infinity
    case '-inf': case '-infinity': return -Infinity
    case 'nan': case '-nan': case '+nan': return NaN
    default: return Number(s)
  }
}

export function toNullableDouble(value: unknown): number | null {
  return value === null ? null : toDouble(value)
}

export function toDoubles(value: unknown[]): Array<number | null> {
  const out = new Array<number | null>(value.length)
  for (let i = 0; i < value.length; i++) out[i] = toNullableDouble(value[i])
  return out
}

/** An integer that RESP2 sent as text (XPENDING's counters): a number. */
export function toNumber(value: unknown): number {
  return typeof value === 'number' ? value : Number(text(value))
}

/** Set a property so that no key, `__proto__` included, can reach a prototype (as the decoder does). */
export function setProperty(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}

/** A string-keyed record: a plain object, or a `Map` when the caller asked maps as `Map`. */
export type Dict<V> = { [key: string]: V }

/**
 * A map reply: RESP2's flat `[k0, v0, k1, v1, ...]`, RESP3's object (or `Map`), to a plain
 * object with string keys, or a `Map` with string keys when `ctx.mapAsMap`. `mapValue`, when
 * given, converts each value.
 */
export function toRecord(raw: unknown, ctx: ReplyContext, mapValue?: (value: any, key: string) => unknown): any {
  if (raw === null || raw === undefined) return raw
  if (Array.isArray(raw)) {
    if (ctx.mapAsMap) {
      const out = new Map<string, unknown>()
      for (let i = 0; i + 1 < raw.length; i += 2) {
        const key = text(raw[i])
        out.set(key, mapValue === undefined ? raw[i + 1] : mapValue(raw[i + 1], key))
      }
      return out
    }
    const out: Record<string, unknown> = {}
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const key = text(raw[i])
      setProperty(out, key, mapValue === undefined ? raw[i + 1] : mapValue(raw[i + 1], key))
    }
    return out
  }
  if (raw instanceof Map) {
    // Keys are strings, or bytes in binary mode: a Map keyed by Uint8Array cannot be looked up.
    let plain = mapValue === undefined
    if (plain) for (const key of raw.keys()) if (typeof key !== 'string') { plain = false; break }
    if (plain && ctx.mapAsMap) return raw
    const out: any = ctx.mapAsMap ? new Map<string, unknown>() : {}
    for (const [k, v] of raw) {
      const key = text(k)
      const value = mapValue === undefined ? v : mapValue(v, key)
      if (ctx.mapAsMap) out.set(key, value)
      else setProperty(out, key, value)
    }
    return out
  }
  if (typeof raw === 'object') {
    // RESP3 decoded as an object already has string keys.
    if (!ctx.mapAsMap && mapValue === undefined) return raw
    const out: any = ctx.mapAsMap ? new Map<string, unknown>() : {}
    for (const key of Object.keys(raw)) {
      const v = (raw as Record<string, unknown>)[key]
      const value = mapValue === undefined ? v : mapValue(v, key)
      if (ctx.mapAsMap) out.set(key, value)
      else setProperty(out, key, value)
    }
    return out
  }
  return raw
}

/** Entries of a map reply in any of its forms, as `[key text, value]` pairs. */
export function entries(raw: unknown): Array<[string, any]> {
  const out: Array<[string, any]> = []
  if (Array.isArray(raw)) {
    for (let i = 0; i + 1 < raw.length; i += 2) out.push([text(raw[i]), raw[i + 1]])
  } else if (raw instanceof Map) {
    for (const [k, v] of raw) out.push([text(k), v])
  } else if (raw !== null && typeof raw === 'object') {
    for (const key of Object.keys(raw)) out.push([key, (raw as Record<string, unknown>)[key]])
  }
  return out
}

export interface SortedSetMember<T = string> {
  value: T
  score: number
}

/**
 * Members with scores: RESP2's flat `[m0, s0, m1, s1, ...]` (scores as text), RESP3's
 * `[[m0, s0], ...]` (scores as doubles), to `[{ value, score }]`.
 */
export function toSortedSetMembers(raw: unknown[]): SortedSetMember[] {
  const out: SortedSetMember[] = []
  if (raw.length > 0 && Array.isArray(raw[0])) {
    for (const pair of raw as unknown[][]) out.push({ value: pair[0] as string, score: toDouble(pair[1]) })
  } else {
    for (let i = 0; i + 1 < raw.length; i += 2) out.push({ value: raw[i] as string, score: toDouble(raw[i + 1]) })
  }
  return out
}

/** `[field, value]` pairs (flat or nested) to `[{ field, value }]` (HRANDFIELD ... WITHVALUES, HSCAN). */
export function toFieldValues(raw: unknown[]): Array<{ field: string; value: string }> {
  const out: Array<{ field: string; value: string }> = []
  if (raw.length > 0 && Array.isArray(raw[0])) {
    for (const pair of raw as string[][]) out.push({ field: pair[0], value: pair[1] })
  } else {
    for (let i = 0; i + 1 < raw.length; i += 2) out.push({ field: raw[i] as string, value: raw[i + 1] as string })
  }
  return out
}

export interface StreamMessage {
  id: string
  /** Field -> value; a `Map` when maps were asked for as `Map`. Null for an entry deleted since (XREADGROUP history, XCLAIM). */
  message: Dict<string> | null
}

/** One stream entry `[id, [f0, v0, ...]]` to `{ id, message }`; a null entry stays null. */
export function toStreamMessage(raw: unknown, ctx: ReplyContext): StreamMessage | null {
  if (raw === null) return null
  const entry = raw as [string, unknown]
  return { id: entry[0], message: entry[1] === null ? null : toRecord(entry[1], ctx) }
}

export function toStreamMessages(raw: unknown[], ctx: ReplyContext): StreamMessage[] {
  const out = new Array<StreamMessage>(raw.length)
  for (let i = 0; i < raw.length; i++) out[i] = toStreamMessage(raw[i], ctx) as StreamMessage
  return out
}

/**
 * XREAD/XREADGROUP: RESP2's `[[name, entries], ...]`, RESP3's map name -> entries, to
 * node-redis's `[{ name, messages }]` (names as text), or null when nothing came.
 */
export function toStreamsMessages(raw: unknown, ctx: ReplyContext): Array<{ name: string; messages: StreamMessage[] }> | null {
  if (raw === null) return null
  const out: Array<{ name: string; messages: StreamMessage[] }> = []
  if (Array.isArray(raw)) {
    for (const stream of raw as unknown[][]) out.push({ name: text(stream[0]), messages: toStreamMessages(stream[1] as unknown[], ctx) })
  } else {
    for (const [name, messages] of entries(raw)) out.push({ name, messages: toStreamMessages(messages, ctx) })
  }
  return out
}
