// What the decoder reads from one line or payload with no state of its own: integers, doubles,
// big numbers, lengths, the check of a simple string, and the bytes it hands out in lossless mode.

import { ProtocolError, ProtocolErrorReason as Reason } from './errors.ts'
import { RespNode } from './types.ts'
import { MAX_BIG_NUMBER_DIGITS } from './limits.ts'
import { concatBytes } from './bytes.ts'

// Bytes looked for here; decoder.ts has its own (see there why).
const CR = 13
const LF = 10
const MINUS = 45
const PLUS = 43

export function checkSimple(src: Uint8Array, a: number, end: number, abs: number): void {
  // The line scan stops at the first CR and refuses a bare LF, so only a CR can hide here
  // when the line was stitched from chunks; check anyway, it is cheap and it is injection.
  for (let i = a; i < end; i++) {
    if (src[i] === CR || src[i] === LF) fail(Reason.BadLine, 'CR or LF inside a simple string', abs + i - a + 1)
  }
}

/** A length line: digits, or `-1` where a RESP2 null is allowed. */
export function parseLength(src: Uint8Array, a: number, end: number, abs: number, max: number, nullable: boolean, tooLong: Reason): number {
  if (src[a] === MINUS) {
    if (nullable && end === a + 2 && src[a + 1] === 49) return -1
    fail(Reason.BadLength, 'negative length', abs + 1)
  }
  if (a === end || (src[a] === 48 && end > a + 1)) fail(Reason.BadLength, 'length must be digits with no leading zero', abs + 1)
  let n = 0
  for (let i = a; i < end; i++) {
    const d = src[i] - 48
    if (d < 0 || d > 9) fail(Reason.BadLength, 'length must be digits', abs + i - a + 1)
    n = n * 10 + d
    if (n > max) {
      const what = tooLong === Reason.BulkTooLong ? 'maxBulkLength' : 'maxAggregateLength'
      fail(tooLong, `declared length is over ${what} (${max})`, abs + 1)
    }
  }
  return n
}

/** A signed 64-bit integer, as hiredis reads them: anything outside that range is an error. */
export function parseInteger(src: Uint8Array, a: number, end: number, abs: number, lossless: boolean): unknown {
  let i = a
  const neg = src[i] === MINUS
  if (neg || src[i] === PLUS) i++
  if (i === end) fail(Reason.BadInteger, 'integer without digits', abs + 1)
  let n = 0
  let first = -1 // the first significant digit
  for (let j = i; j < end; j++) {
    const d = src[j] - 48
    if (d < 0 || d > 9) fail(Reason.BadInteger, 'integer must be digits', abs + j - a + 1)
    if (first === -1 && d !== 0) first = j
    n = n * 10 + d
  }
  const digits = first === -1 ? 0 : end - first
  if (digits > 19) fail(Reason.BadInteger, 'integer outside the signed 64-bit range', abs + 1)
  let exact: bigint | undefined
  if (digits > 15) {
    // Past 15 digits a double may have rounded: redo it exactly (19 digits at most here).
    const big = BigInt(latin1(src, first, end))
    exact = neg ? -big : big
    if (exact > INT64_MAX || exact < INT64_MIN) fail(Reason.BadInteger, 'integer outside the signed 64-bit range', abs + 1)
  }
  if (lossless) return new RespNode(':', end - a <= 64 ? latin1(src, a, end) : latin1Long(src, a, end))
  if (exact === undefined) return neg ? 0 - n : n
  return exact >= MIN_SAFE && exact <= MAX_SAFE ? Number(exact) : exact
}

/** The grammar of the RESP3 spec, as hiredis reads it: `1.5`, `-2e10`, `inf`, `-inf`, `nan`. */
export function parseDouble(src: Uint8Array, a: number, end: number, abs: number, lossless: boolean): unknown {
  const text = end - a <= 64 ? latin1(src, a, end) : latin1Long(src, a, end)
  let value: number
  if (DECIMAL.test(text)) value = Number(text)
  else {
    const special = text.length <= 4 ? SPECIAL_DOUBLES.get(text.toLowerCase()) : undefined
    if (special === undefined) fail(Reason.BadDouble, `not a double: ${JSON.stringify(text.slice(0, 40))}`, abs + 1)
    value = special!
  }
  return lossless ? new RespNode(',', text) : value
}

export function parseBigNumber(src: Uint8Array, a: number, end: number, abs: number, lossless: boolean): unknown {
  const sign = src[a] === MINUS || src[a] === PLUS ? 1 : 0
  if (end - a - sign > MAX_BIG_NUMBER_DIGITS) {
    fail(Reason.BadBigNumber, `big number longer than ${MAX_BIG_NUMBER_DIGITS} digits`, abs + 1)
  }
  const text = latin1Long(src, a, end)
  if (!BIG.test(text)) fail(Reason.BadBigNumber, 'big number must be digits with an optional sign', abs + 1)
  return lossless ? new RespNode('(', text) : BigInt(text.charCodeAt(0) === PLUS ? text.slice(1) : text)
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)
const MIN_SAFE = -MAX_SAFE
const INT64_MAX = 2n ** 63n - 1n
const INT64_MIN = -(2n ** 63n)
// The RESP3 spec's grammar: `,[<+|->]<integral>[.<fractional>][<E|e>[sign]<exponent>]`, so
// `.5`, `1.` and `0x10` are refused (Number() would take them).
const DECIMAL = /^[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/
const BIG = /^[+-]?\d+$/
// The special doubles of the spec, in any case as hiredis (strcasecmp), and `-nan`, which
// Redis 6 printed for some NaNs (printf's %.17g) and hiredis accepts. `+inf` and `infinity`
// are not RESP3.
const SPECIAL_DOUBLES = new Map<string, number>([
  ['inf', Infinity], ['-inf', -Infinity], ['nan', NaN], ['-nan', NaN],
])

function latin1(src: Uint8Array, a: number, b: number): string {
  let s = ''
  for (let i = a; i < b; i++) s += String.fromCharCode(src[i])
  return s
}

/** latin1 for a long line, in linear time: 4 KiB at a time, not a rope of single characters. */
function latin1Long(src: Uint8Array, a: number, b: number): string {
  let s = ''
  for (let i = a; i < b; i += 4096) s += String.fromCharCode.apply(null, src.subarray(i, Math.min(b, i + 4096)) as unknown as number[])
  return s
}

/** A streamed string's parts, as sent: views of one joined copy. */
export function partsAsSent(parts: Uint8Array[], lengths: number[]): Uint8Array[] {
  const all = concatBytes(parts)
  const out: Uint8Array[] = new Array(lengths.length)
  let at = 0
  for (let i = 0; i < lengths.length; i++) {
    out[i] = all.subarray(at, at + lengths[i])
    at += lengths[i]
  }
  return out
}

/** Bytes the caller may keep: a copy, unless `src` is already a private array of exactly them. */
export function copy(src: Uint8Array, a: number, b: number, owned: boolean): Uint8Array {
  return owned && a === 0 && b === src.length ? src : src.slice(a, b)
}

function fail(reason: Reason, message: string, offset: number): never {
  throw new ProtocolError(reason, message, offset)
}
