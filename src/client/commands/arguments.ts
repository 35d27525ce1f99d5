// Parameter checks shared by the typed commands. Each check either returns what goes on the
// wire or throws a TypeError that names the command and the parameter, so a wrong call fails
// before anything is queued (a check that only failed inside the encoder would name an index,
// not the parameter the user wrote). Checks are plain functions on the hot path: no closure,
// no allocation unless the value needs converting.

import type { CommandArgument } from '../../resp/index.ts'

/** A string or bytes: keys, members, field names, values. */
export type RedisArgument = string | Uint8Array
/** `RedisArgument` or a list of them, for variadic parameters. */
export type RedisVariadicArgument = RedisArgument | readonly RedisArgument[]

function describe(x: unknown): string {
  if (x === null) return 'null'
  if (x === undefined) return 'undefined'
  if (Array.isArray(x)) return 'an array'
  if (typeof x === 'number') return Number.isNaN(x) ? 'NaN' : `the number ${x}`
  if (typeof x === 'object') return `an object (${(x as object).constructor?.name ?? 'no prototype'})`
  return `a ${typeof x}`
}

/** The TypeError every check throws: `HSET: parameter "field" is undefined, expected ...`. */
export function argumentError(command: string, name: string, value: unknown, expected: string): TypeError {
  return new TypeError(`${command}: parameter "${name}" is ${describe(value)}, expected ${expected}`)
}

/** A key, member, field or other string parameter. */
export function str(command: string, name: string, value: unknown): RedisArgument {
  if (typeof value === 'string' || value instanceof Uint8Array) return value
  throw argumentError(command, name, value, 'a string or Uint8Array')
}

/** A value that may also be a finite number (sent as its decimal text), as node-redis allows for values. */
export function val(command: string, name: string, value: unknown): CommandArgument {
  if (typeof value === 'string' || value instanceof Uint8Array) return value
  if (typeof value === 'number' && Number.isFinite(value)) return value
  if (typeof value === 'bigint') return value
  throw argumentError(command, name, value, 'a string, Uint8Array or finite number')
}

/** An integer (count, seconds, index, cursor offset). */
export function int(command: string, name: string, value: unknown): number | bigint {
  if (typeof value === 'number' && Number.isInteger(value)) return value
  if (typeof value === 'bigint') return value
  throw argumentError(command, name, value, 'an integer')
}

/** A finite number (increments, timeouts in seconds, coordinates, radii). */
export function num(command: string, name: string, value: unknown): number | bigint {
  if (typeof value === 'number' && Number.isFinite(value)) return value
  if (typeof value === 'bigint') return value
  throw argumentError(command, name, value, 'a finite number')
}

/** A score or range bound: a number (±Infinity as `+inf`/`-inf`) or a string such as `(1.5` or `-`. */
export function score(command: string, name: string, value: unknown): CommandArgument {
  if (typeof value === 'number') {
    if (value === Infinity) return '+inf'
    if (value === -Infinity) return '-inf'
    if (!Number.isNaN(value)) return value
  } else if (typeof value === 'string' || value instanceof Uint8Array) {
    return value
  }
  throw argumentError(command, name, value, 'a number or a string')
}

/** A string or an integer (cursors, stream thresholds, `EXAT`-style times given as text). */
export function strOrInt(command: string, name: string, value: unknown): CommandArgument {
  if (typeof value === 'string' || value instanceof Uint8Array) return value
  if (typeof value === 'number' && Number.isInteger(value)) return value
  if (typeof value === 'bigint') return value
  throw argumentError(command, name, value, 'a string, Uint8Array or integer')
}

/** A Unix time as a number or a `Date`, in seconds (`unit` 1000) or milliseconds (`unit` 1). */
export function time(command: string, name: string, value: unknown, unit: 1 | 1000): number | bigint {
  if (value instanceof Date) {
    const ms = value.getTime()
    if (Number.isNaN(ms)) throw argumentError(command, name, value, 'a valid Date')
    return Math.floor(ms / unit)
  }
  return int(command, name, value)
}

/** One of a fixed set of keywords (`NX`, `BEFORE`, `LEFT`...). */
export function oneOf<T extends string>(command: string, name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T
  throw argumentError(command, name, value, `one of ${allowed.join(', ')}`)
}

/** An optional options object: undefined, or a plain object (not an array). */
export function opts<T extends object>(command: string, name: string, value: T | undefined): T | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value
  throw argumentError(command, name, value, 'an options object or undefined')
}

/** An optional boolean flag inside an options object. */
export function flag(command: string, name: string, value: unknown): boolean {
  if (value === undefined || typeof value === 'boolean') return value === true
  throw argumentError(command, name, value, 'a boolean')
}

/** Appends a variadic parameter: one string, or a non-empty list of them. */
export function pushVariadic(out: CommandArgument[], command: string, name: string, value: unknown): CommandArgument[] {
  if (Array.isArray(value)) {
    if (value.length === 0) throw argumentError(command, name, value, 'a string or a non-empty array (an empty one was given)')
    for (let i = 0; i < value.length; i++) out.push(str(command, `${name}[${i}]`, value[i]))
  } else {
    out.push(str(command, name, value))
  }
  return out
}

/** Appends a variadic parameter preceded by its count (`numkeys` style). */
export function pushCounted(out: CommandArgument[], command: string, name: string, value: unknown): CommandArgument[] {
  const at = out.length
  out.push(0)
  pushVariadic(out, command, name, value)
  out[at] = out.length - at - 1
  return out
}

/** Appends each value of a variadic value parameter (numbers allowed). */
export function pushValues(out: CommandArgument[], command: string, name: string, value: unknown): CommandArgument[] {
  if (Array.isArray(value)) {
    if (value.length === 0) throw argumentError(command, name, value, 'a value or a non-empty array (an empty one was given)')
    for (let i = 0; i < value.length; i++) out.push(val(command, `${name}[${i}]`, value[i]))
  } else {
    out.push(val(command, name, value))
  }
  return out
}

/** `{ MATCH, COUNT }` (and `TYPE` when allowed) of the SCAN family. */
export function pushScanOptions(out: CommandArgument[], command: string, options: ScanOptions | undefined, withType: boolean): CommandArgument[] {
  const o = opts(command, 'options', options)
  if (o === undefined) return out
  if (o.MATCH !== undefined) out.push('MATCH', str(command, 'options.MATCH', o.MATCH))
  if (o.COUNT !== undefined) out.push('COUNT', int(command, 'options.COUNT', o.COUNT))
  if (withType && o.TYPE !== undefined) out.push('TYPE', str(command, 'options.TYPE', o.TYPE))
  return out
}

export interface ScanOptions {
  MATCH?: string
  COUNT?: number
  TYPE?: RedisArgument
}
