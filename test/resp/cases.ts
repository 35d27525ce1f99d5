// Shared tables for the RESP decoder and encoder tests and the fuzz corpus: wire bytes with the
// natural value they decode to, malformed inputs with the reason they must fail with, and the
// small harness that feeds bytes in different chunkings and records what the decoder emits.
//
// Expected values are written with plain JS values; `err(message)` stands for a ReplyError.
// Comparison goes through `canon`, which turns any value into a JSON-like tagged tree so that
// NaN, -0, bigint, bytes, Map/Set order and error codes all compare exactly.

import { Decoder, ProtocolError, ReplyError, RespNode } from '../../src/resp/index.ts'
import type { DecoderOptions } from '../../src/resp/index.ts'

const utf8 = new TextEncoder()
const utf8Lossy = new TextDecoder()

/** Wire bytes: strings are UTF-8 encoded, number arrays are raw bytes. */
export function b(...parts: Array<string | number[] | Uint8Array>): Uint8Array {
  const chunks = parts.map((p) => (typeof p === 'string' ? utf8.encode(p) : Uint8Array.from(p)))
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.length
  }
  return out
}

/** `$<len>\r\n<payload>\r\n` with the UTF-8 byte length. */
export function bulk(text: string | number[], type = '$'): Uint8Array {
  const payload = b(text)
  return b(`${type}${payload.length}\r\n`, payload, '\r\n')
}

export function concat(parts: Uint8Array[]): Uint8Array {
  return b(...parts)
}

/** An expected ReplyError. Its expected code is the first word, computed independently. */
export class ExpectedError {
  message: string
  constructor(message: string) {
    this.message = message
  }
}
export function err(message: string): ExpectedError {
  return new ExpectedError(message)
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (x) => x.toString(16).padStart(2, '0')).join('')
}

/** Printable form of wire bytes for messages. */
export function show(bytes: Uint8Array): string {
  return JSON.stringify(Array.from(bytes, (x) => String.fromCharCode(x)).join(''))
}

function codeOf(message: string): string {
  const space = message.indexOf(' ')
  return space === -1 ? message : message.slice(0, space)
}

/** Tagged, exactly comparable form of a natural value, an expected value or a RespNode. */
export function canon(v: unknown): unknown {
  if (v === null) return null
  if (v === undefined) return ['undefined']
  if (typeof v === 'string' || typeof v === 'boolean') return v
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return ['NaN']
    if (Object.is(v, -0)) return ['-0']
    if (!Number.isFinite(v)) return [v > 0 ? '+Infinity' : '-Infinity']
    return v
  }
  if (typeof v === 'bigint') return ['bigint', v.toString()]
  if (v instanceof ExpectedError) return ['error', v.message, codeOf(v.message)]
  if (v instanceof ReplyError) return ['error', v.message, v.code]
  if (v instanceof Uint8Array) return ['bytes', hex(v)]
  if (v instanceof RespNode) {
    return ['node', v.type, canon(v.value), v.streamed, v.attributes === undefined ? null : v.attributes.map(canon)]
  }
  if (Array.isArray(v)) return ['array', v.map(canon)]
  if (v instanceof Map) return ['map', Array.from(v, ([k, x]) => [canon(k), canon(x)])]
  if (v instanceof Set) return ['set', Array.from(v, canon)]
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v)
    // Either prototype is fine for a map-as-object; anything else means a key reached it.
    const protoTag = proto === null || proto === Object.prototype ? 'plain' : 'ALTERED-PROTOTYPE'
    const entries = Reflect.ownKeys(v).map((k) => [String(k), canon((v as Record<string | symbol, unknown>)[k])])
    return ['object', protoTag, entries]
  }
  return ['other', String(v)]
}

/** Expected value in binary mode: every string becomes its UTF-8 bytes (errors stay text). */
export function toBinary(v: unknown): unknown {
  if (typeof v === 'string') return utf8.encode(v)
  if (Array.isArray(v)) return v.map(toBinary)
  if (v instanceof Map) return new Map(Array.from(v, ([k, x]) => [toBinary(k), toBinary(x)]))
  if (v instanceof Set) return new Set(Array.from(v, toBinary))
  return v
}

/** Expected value with mapAs 'object' and/or setAs 'array'; undefined if a map key is not a string. */
export function toModes(v: unknown, mapAs: 'map' | 'object', setAs: 'set' | 'array'): unknown {
  const go = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(go)
    if (x instanceof Set) return setAs === 'array' ? Array.from(x, go) : new Set(Array.from(x, go))
    if (x instanceof Map) {
      if (mapAs === 'map') return new Map(Array.from(x, ([k, y]) => [go(k), go(y)]))
      const o: Record<string, unknown> = {}
      for (const [k, y] of x) {
        if (typeof k !== 'string') throw new NotApplicable()
        Object.defineProperty(o, k, { value: go(y), enumerable: true, writable: true, configurable: true })
      }
      return o
    }
    return x
  }
  try {
    return go(v)
  } catch (e) {
    if (e instanceof NotApplicable) return undefined
    throw e
  }
}
class NotApplicable extends Error {}

// ---------------------------------------------------------------------------------------------
// Valid cases
// ---------------------------------------------------------------------------------------------

export interface ValidCase {
  name: string
  wire: Uint8Array
  /** Natural value (text mode, maps as Map, sets as Set). */
  value: unknown
  /** Delivered through onPush rather than onReply. */
  push?: boolean
  /** onAttribute calls, in order: [attribute, annotated value]. */
  attrs?: Array<[unknown, unknown]>
  /** Expected value in binary mode when not derivable with toBinary (invalid UTF-8). */
  binary?: unknown
  /** Type byte of the top-level lossless node. Default: first byte of the wire. */
  nodeType?: string
  /** Number of attribute frames attached to the top-level lossless node. */
  nodeAttributes?: number
  /** Top-level node is streamed. */
  streamed?: boolean
  /** Only produced by RESP2 servers (or by both). */
  resp2?: boolean
}

const bad = (...x: number[]) => x

function invalidUtf8(name: string, bytes: number[]): ValidCase {
  return {
    name: `bulk string with invalid UTF-8 (${name})`,
    wire: bulk(bytes),
    value: utf8Lossy.decode(Uint8Array.from(bytes)),
    binary: Uint8Array.from(bytes),
  }
}

const longText = 'x'.repeat(300) + '\r\n' + 'é'.repeat(50)
const twoPow53 = 2n ** 53n

/** `value` wrapped in `levels` one-element arrays. */
function nest(levels: number, value: unknown): unknown {
  let v = value
  for (let i = 0; i < levels; i++) v = [v]
  return v
}

export const validCases: ValidCase[] = [
  // Simple strings
  { name: 'simple string OK', wire: b('+OK\r\n'), value: 'OK', resp2: true },
  { name: 'simple string that starts like OK', wire: b('+OKAY\r\n'), value: 'OKAY', resp2: true },
  { name: 'simple string ON (two letters, not OK)', wire: b('+ON\r\n'), value: 'ON', resp2: true },
  { name: 'empty simple string', wire: b('+\r\n'), value: '', resp2: true },
  { name: 'simple string with spaces and symbols', wire: b('+hello world: $1 *2 :3\t\r\n'), value: 'hello world: $1 *2 :3\t', resp2: true },
  { name: 'simple string UTF-8', wire: b('+héllo € 😀\r\n'), value: 'héllo € 😀', resp2: true },
  // Simple errors
  { name: 'simple error', wire: b('-ERR unknown command\r\n'), value: err('ERR unknown command'), resp2: true },
  { name: 'simple error WRONGTYPE', wire: b('-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'), value: err('WRONGTYPE Operation against a key holding the wrong kind of value'), resp2: true },
  { name: 'simple error code only', wire: b('-ERR\r\n'), value: err('ERR'), resp2: true },
  { name: 'empty simple error', wire: b('-\r\n'), value: err(''), resp2: true },
  { name: 'simple error MOVED', wire: b('-MOVED 3999 127.0.0.1:6381\r\n'), value: err('MOVED 3999 127.0.0.1:6381'), resp2: true },
  // Integers
  { name: 'integer 0', wire: b(':0\r\n'), value: 0, resp2: true },
  { name: 'integer 1000', wire: b(':1000\r\n'), value: 1000, resp2: true },
  { name: 'integer -1', wire: b(':-1\r\n'), value: -1, resp2: true },
  { name: 'integer with leading +', wire: b(':+5\r\n'), value: 5, resp2: true },
  { name: 'integer -0 is 0', wire: b(':-0\r\n'), value: 0, resp2: true },
  { name: 'integer 2^53-1 stays a number', wire: b(':9007199254740991\r\n'), value: 9007199254740991, resp2: true },
  { name: 'integer -(2^53-1) stays a number', wire: b(':-9007199254740991\r\n'), value: -9007199254740991, resp2: true },
  { name: 'integer 2^53 (not safe) is a bigint', wire: b(':9007199254740992\r\n'), value: twoPow53, resp2: true },
  { name: 'integer 2^53+1 is a bigint', wire: b(':9007199254740993\r\n'), value: twoPow53 + 1n, resp2: true },
  { name: 'integer -(2^53+1) is a bigint', wire: b(':-9007199254740993\r\n'), value: -twoPow53 - 1n, resp2: true },
  { name: 'integer int64 max', wire: b(':9223372036854775807\r\n'), value: 9223372036854775807n, resp2: true },
  { name: 'integer int64 min', wire: b(':-9223372036854775808\r\n'), value: -9223372036854775808n, resp2: true },
  { name: 'integer +int64 max', wire: b(':+9223372036854775807\r\n'), value: 9223372036854775807n, resp2: true },
  { name: 'integer int64 max with leading zeros', wire: b(':0009223372036854775807\r\n'), value: 9223372036854775807n, resp2: true },
  { name: 'integer 0 with leading zeros', wire: b(':-0000000000000000000000000\r\n'), value: 0, resp2: true },
  // Bulk strings
  { name: 'bulk string', wire: b('$5\r\nhello\r\n'), value: 'hello', resp2: true },
  { name: 'empty bulk string', wire: b('$0\r\n\r\n'), value: '', resp2: true },
  { name: 'bulk string with CRLF inside', wire: bulk('ab\r\ncd'), value: 'ab\r\ncd', resp2: true },
  { name: 'bulk string UTF-8 (multi-byte, emoji)', wire: bulk('héllo € 😀 𝄞'), value: 'héllo € 😀 𝄞', resp2: true },
  { name: 'bulk string binary bytes', wire: bulk(bad(0, 255, 13, 10, 1, 128)), value: utf8Lossy.decode(Uint8Array.from([0, 255, 13, 10, 1, 128])), binary: Uint8Array.from([0, 255, 13, 10, 1, 128]), resp2: true },
  { name: 'bulk string long with CRLF', wire: bulk(longText), value: longText, resp2: true },
  invalidUtf8('truncated 3-byte sequence', [0x61, 0xe2, 0x82, 0x28]),
  invalidUtf8('overlong', [0xc0, 0x80, 0x41]),
  invalidUtf8('encoded surrogate', [0xed, 0xa0, 0x80]),
  invalidUtf8('beyond U+10FFFF', [0xf4, 0x90, 0x80, 0x80]),
  invalidUtf8('lone continuation bytes', [0x80, 0xbf, 0x7a]),
  invalidUtf8('truncated at end', [0x7a, 0xf0, 0x9f, 0x98]),
  { name: 'RESP2 null bulk $-1', wire: b('$-1\r\n'), value: null, resp2: true },
  // Arrays
  { name: 'empty array', wire: b('*0\r\n'), value: [], resp2: true },
  { name: 'RESP2 null array *-1', wire: b('*-1\r\n'), value: null, resp2: true },
  { name: 'array of integers', wire: b('*3\r\n:1\r\n:2\r\n:3\r\n'), value: [1, 2, 3], resp2: true },
  { name: 'mixed array', wire: b('*5\r\n:1\r\n:2\r\n:3\r\n:4\r\n$5\r\nhello\r\n'), value: [1, 2, 3, 4, 'hello'], resp2: true },
  { name: 'nested arrays', wire: b('*2\r\n*3\r\n:1\r\n:2\r\n:3\r\n*2\r\n+Hello\r\n-World\r\n'), value: [[1, 2, 3], ['Hello', err('World')]], resp2: true },
  { name: 'array with null bulk elements', wire: b('*3\r\n$5\r\nhello\r\n$-1\r\n$5\r\nworld\r\n'), value: ['hello', null, 'world'], resp2: true },
  { name: 'array with null array and empty array', wire: b('*2\r\n*-1\r\n*0\r\n'), value: [null, []], resp2: true },
  // Arrays whose elements are whole in the chunk are read in one loop (decoder.ts, fastElements);
  // these stop that loop at each kind of element it leaves to the general path, at each depth.
  { name: 'array of bulks, integers and nulls', wire: b('*7\r\n$3\r\nfoo\r\n$0\r\n\r\n:-12\r\n:0\r\n$-1\r\n*-1\r\n*0\r\n'), value: ['foo', '', -12, 0, null, null, []], resp2: true },
  { name: 'array with a 15- and a 16-digit integer', wire: b('*2\r\n:999999999999999\r\n:9007199254740993\r\n'), value: [999999999999999, twoPow53 + 1n], resp2: true },
  { name: 'array with a simple string after bulks', wire: b('*3\r\n$1\r\na\r\n+OK\r\n$1\r\nb\r\n'), value: ['a', 'OK', 'b'], resp2: true },
  { name: 'array with an integer with a leading +', wire: b('*2\r\n:+5\r\n:6\r\n'), value: [5, 6], resp2: true },
  { name: 'XRANGE-like entries', wire: b('*2\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\ng\r\n$-1\r\n'), value: [['1-0', ['f', 'v']], ['1-1', ['g', null]]], resp2: true },
  { name: 'arrays nested 12 deep', wire: b('*1\r\n'.repeat(11), '*2\r\n:1\r\n$1\r\nx\r\n'), value: nest(11, [1, 'x']), resp2: true },
  { name: 'RESP3 nulls inside nested arrays', wire: b('*3\r\n_\r\n*2\r\n$1\r\na\r\n_\r\n:4\r\n'), value: [null, ['a', null], 4] },
  { name: 'RESP3 values inside a nested array', wire: b('*2\r\n*3\r\n:1\r\n_\r\n#t\r\n*2\r\n,1.5\r\n%1\r\n$1\r\nk\r\n:2\r\n'), value: [[1, null, true], [1.5, new Map([['k', 2]])]] },
  { name: 'errors nested in an array are values', wire: b('*3\r\n-ERR bad thing\r\n', bulk('WRONGTYPE wrong kind', '!'), ':7\r\n'), value: [err('ERR bad thing'), err('WRONGTYPE wrong kind'), 7] },
  // Null, boolean
  { name: 'null', wire: b('_\r\n'), value: null },
  { name: 'boolean true', wire: b('#t\r\n'), value: true },
  { name: 'boolean false', wire: b('#f\r\n'), value: false },
  // Doubles
  { name: 'double 1.23', wire: b(',1.23\r\n'), value: 1.23 },
  { name: 'double integral 10', wire: b(',10\r\n'), value: 10 },
  { name: 'double 0', wire: b(',0\r\n'), value: 0 },
  { name: 'double -0 keeps its sign', wire: b(',-0\r\n'), value: -0 },
  { name: 'double -0.0', wire: b(',-0.0\r\n'), value: -0 },
  { name: 'double +1.5', wire: b(',+1.5\r\n'), value: 1.5 },
  { name: 'double exponent 1.5e10', wire: b(',1.5e10\r\n'), value: 1.5e10 },
  { name: 'double exponent 1E-3', wire: b(',1E-3\r\n'), value: 1e-3 },
  { name: 'double exponent -2.5e+3', wire: b(',-2.5e+3\r\n'), value: -2.5e3 },
  { name: 'double pi', wire: b(',3.141592653589793\r\n'), value: 3.141592653589793 },
  { name: 'double max', wire: b(',1.7976931348623157e308\r\n'), value: 1.7976931348623157e308 },
  { name: 'double min subnormal', wire: b(',5e-324\r\n'), value: 5e-324 },
  { name: 'double 17 significant digits', wire: b(',0.10000000000000001\r\n'), value: 0.1 },
  { name: 'double inf', wire: b(',inf\r\n'), value: Infinity },
  { name: 'double -inf', wire: b(',-inf\r\n'), value: -Infinity },
  { name: 'double INF in capitals (hiredis reads it so)', wire: b(',INF\r\n'), value: Infinity },
  { name: 'double nan', wire: b(',nan\r\n'), value: NaN },
  { name: 'double -nan (Redis 6 printed it)', wire: b(',-nan\r\n'), value: NaN },
  { name: 'double exponent without fraction 1e5', wire: b(',1e5\r\n'), value: 1e5 },
  { name: 'double leading zeros 007.5', wire: b(',007.5\r\n'), value: 7.5 },
  // Big numbers
  { name: 'big number', wire: b('(3492890328409238509324850943850943825024385\r\n'), value: 3492890328409238509324850943850943825024385n },
  { name: 'negative big number', wire: b('(-3492890328409238509324850943850943825024385\r\n'), value: -3492890328409238509324850943850943825024385n },
  { name: 'small big number is still a bigint', wire: b('(0\r\n'), value: 0n },
  { name: 'big number with +', wire: b('(+12\r\n'), value: 12n },
  // Bulk errors
  { name: 'bulk error', wire: b('!21\r\nSYNTAX invalid syntax\r\n'), value: err('SYNTAX invalid syntax') },
  { name: 'empty bulk error', wire: b('!0\r\n\r\n'), value: err('') },
  { name: 'bulk error with CRLF inside', wire: bulk('ERR a\r\nb c', '!'), value: err('ERR a\r\nb c') },
  // Verbatim strings
  { name: 'verbatim string', wire: b('=15\r\ntxt:Some string\r\n'), value: 'Some string' },
  { name: 'empty verbatim string', wire: b('=4\r\nmkd:\r\n'), value: '' },
  { name: 'verbatim string with CRLF and UTF-8', wire: bulk('txt:a\r\nb é', '='), value: 'a\r\nb é' },
  // Maps
  { name: 'map', wire: b('%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n'), value: new Map<unknown, unknown>([['first', 1], ['second', 2]]) },
  { name: 'empty map', wire: b('%0\r\n'), value: new Map() },
  { name: 'map with non-string keys', wire: b('%3\r\n:1\r\n+a\r\n#t\r\n+b\r\n_\r\n+c\r\n'), value: new Map<unknown, unknown>([[1, 'a'], [true, 'b'], [null, 'c']]) },
  { name: 'map with aggregate key and nested values', wire: b('%2\r\n*2\r\n:1\r\n:2\r\n+v\r\n$1\r\nk\r\n%1\r\n+x\r\n~1\r\n:9\r\n'), value: new Map<unknown, unknown>([[[1, 2], 'v'], ['k', new Map([['x', new Set([9])]])]]) },
  { name: 'map with prototype-ish keys', wire: b('%3\r\n+__proto__\r\n:1\r\n+constructor\r\n:2\r\n+prototype\r\n:3\r\n'), value: new Map<unknown, unknown>([['__proto__', 1], ['constructor', 2], ['prototype', 3]]) },
  { name: 'map with __proto__ holding a map', wire: b('%1\r\n$9\r\n__proto__\r\n%1\r\n+polluted\r\n#t\r\n'), value: new Map<unknown, unknown>([['__proto__', new Map([['polluted', true]])]]) },
  // Sets
  { name: 'set', wire: b('~3\r\n+a\r\n+b\r\n:1\r\n'), value: new Set(['a', 'b', 1]) },
  { name: 'empty set', wire: b('~0\r\n'), value: new Set() },
  { name: 'set of aggregates', wire: b('~2\r\n*1\r\n:1\r\n%0\r\n'), value: new Set<unknown>([[1], new Map()]) },
  // Attributes
  {
    name: 'attribute before a reply (spec example)',
    wire: b('|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n'),
    value: [2039123, 9543892],
    attrs: [[new Map([['key-popularity', new Map([['a', 0.1923], ['b', 0.0012]])]]), [2039123, 9543892]]],
    nodeType: '*',
    nodeAttributes: 1,
  },
  {
    name: 'attribute before a bulk string reply',
    wire: b('|1\r\n+ttl\r\n:3600\r\n$5\r\nhello\r\n'),
    value: 'hello',
    attrs: [[new Map([['ttl', 3600]]), 'hello']],
    nodeType: '$',
    nodeAttributes: 1,
  },
  {
    name: 'attribute inside an array is not an element',
    wire: b('*3\r\n:1\r\n|1\r\n+ttl\r\n:3600\r\n+v\r\n:2\r\n'),
    value: [1, 'v', 2],
    attrs: [[new Map([['ttl', 3600]]), 'v']],
  },
  {
    name: 'two attributes on one value',
    wire: b('|1\r\n+a\r\n:1\r\n|1\r\n+b\r\n:2\r\n+x\r\n'),
    value: 'x',
    attrs: [[new Map([['a', 1]]), 'x'], [new Map([['b', 2]]), 'x']],
    nodeType: '+',
    nodeAttributes: 2,
  },
  {
    name: 'attribute on a nested aggregate',
    wire: b('*1\r\n|1\r\n+k\r\n+v\r\n*1\r\n:7\r\n'),
    value: [[7]],
    attrs: [[new Map([['k', 'v']]), [7]]],
  },
  {
    name: 'attribute on a map key',
    wire: b('%1\r\n|1\r\n+meta\r\n#t\r\n+key\r\n:1\r\n'),
    value: new Map([['key', 1]]),
    attrs: [[new Map([['meta', true]]), 'key']],
  },
  { name: 'empty attribute', wire: b('|0\r\n:1\r\n'), value: 1, attrs: [[new Map(), 1]], nodeType: ':', nodeAttributes: 1 },
  // Pushes
  { name: 'push message', wire: b('>3\r\n+message\r\n+chan\r\n+hi\r\n'), value: ['message', 'chan', 'hi'], push: true },
  { name: 'push invalidate', wire: b('>2\r\n$10\r\ninvalidate\r\n*1\r\n$3\r\nkey\r\n'), value: ['invalidate', ['key']], push: true },
  { name: 'push with a map', wire: b('>2\r\n+x\r\n%1\r\n+a\r\n:1\r\n'), value: ['x', new Map([['a', 1]])], push: true },
  // Streamed strings
  { name: 'streamed string', wire: b('$?\r\n;4\r\nHell\r\n;5\r\no wor\r\n;1\r\nd\r\n;0\r\n'), value: 'Hello word', streamed: true },
  { name: 'empty streamed string', wire: b('$?\r\n;0\r\n'), value: '', streamed: true },
  { name: 'streamed string with a character split across chunks', wire: b('$?\r\n;2\r\n', [0x61, 0xe2], '\r\n;2\r\n', [0x82, 0xac], '\r\n;0\r\n'), value: 'a€', streamed: true },
  { name: 'streamed string with CRLF in a chunk', wire: b('$?\r\n;3\r\na\r\n\r\n;0\r\n'), value: 'a\r\n', streamed: true },
  // Streamed aggregates
  { name: 'streamed array', wire: b('*?\r\n:1\r\n:2\r\n:3\r\n.\r\n'), value: [1, 2, 3], streamed: true },
  { name: 'empty streamed array', wire: b('*?\r\n.\r\n'), value: [], streamed: true },
  { name: 'streamed set', wire: b('~?\r\n+a\r\n+b\r\n.\r\n'), value: new Set(['a', 'b']), streamed: true },
  { name: 'streamed map', wire: b('%?\r\n+a\r\n:1\r\n+b\r\n:2\r\n.\r\n'), value: new Map<unknown, unknown>([['a', 1], ['b', 2]]), streamed: true },
  { name: 'nested streamed aggregates and string', wire: b('*?\r\n*?\r\n:1\r\n.\r\n$?\r\n;1\r\nx\r\n;0\r\n.\r\n'), value: [[1], 'x'], streamed: true },
  { name: 'streamed array inside a sized array', wire: b('*2\r\n*?\r\n.\r\n:5\r\n'), value: [[], 5] },
  { name: 'streamed array with an attribute inside', wire: b('*?\r\n|1\r\n+a\r\n:1\r\n:5\r\n.\r\n'), value: [5], attrs: [[new Map([['a', 1]]), 5]], streamed: true },
]

// ---------------------------------------------------------------------------------------------
// Malformed cases
// ---------------------------------------------------------------------------------------------

export interface ErrorCase {
  name: string
  wire: Uint8Array
  /** Acceptable reasons (the first is the one we would pick). */
  reasons: string[]
  /** Plausible offset range, inclusive: from the start of the offending frame to its end. */
  offset: [number, number]
  /** Replies completed before the bad frame, delivered before the throw. */
  before?: unknown[]
}

function e(name: string, wire: Uint8Array, reasons: string | string[], offset: [number, number], before?: unknown[]): ErrorCase {
  return { name, wire, reasons: typeof reasons === 'string' ? [reasons] : reasons, offset, before }
}

const line = ['bad-line', 'missing-crlf']
const lengthish = ['bad-length', 'bad-integer']

export const errorCases: ErrorCase[] = [
  // Unknown type byte
  e('unknown type x', b('x\r\n'), 'unknown-type', [0, 0]),
  e('unknown type @', b('@foo\r\n'), 'unknown-type', [0, 0]),
  e('unknown type NUL', b([0], '\r\n'), 'unknown-type', [0, 0]),
  e('CRLF where a type byte belongs', b('\r\n'), 'unknown-type', [0, 0]),
  e('space before type', b(' +OK\r\n'), 'unknown-type', [0, 0]),
  e('unknown type inside an array', b('*1\r\n?\r\n'), 'unknown-type', [4, 4]),
  e('unknown type after a good reply', b('+OK\r\nX\r\n'), 'unknown-type', [5, 5], ['OK']),
  // Lengths
  e('bulk length -2', b('$-2\r\n'), 'bad-length', [0, 5]),
  e('array length -2', b('*-2\r\n'), 'bad-length', [0, 5]),
  e('map length -1', b('%-1\r\n'), 'bad-length', [0, 5]),
  e('set length -1', b('~-1\r\n'), 'bad-length', [0, 5]),
  e('push length -1', b('>-1\r\n'), 'bad-length', [0, 5]),
  e('attribute length -1', b('|-1\r\n'), 'bad-length', [0, 5]),
  e('bulk error length -1', b('!-1\r\n'), 'bad-length', [0, 5]),
  e('verbatim length -1', b('=-1\r\n'), 'bad-length', [0, 5]),
  e('bulk length not digits', b('$abc\r\n'), lengthish, [0, 6]),
  e('bulk length with trailing junk', b('$1a\r\na\r\n'), lengthish, [0, 5]),
  e('bulk length with a space', b('$ 1\r\na\r\n'), lengthish, [0, 5]),
  e('empty bulk length', b('$\r\n'), lengthish, [0, 3]),
  e('empty array length', b('*\r\n'), lengthish, [0, 3]),
  e('fractional array length', b('*1.5\r\n'), lengthish, [0, 6]),
  e('bulk length --1', b('$--1\r\n'), lengthish, [0, 6]),
  e('streamed verbatim is not a thing', b('=?\r\n;1\r\na\r\n;0\r\n'), lengthish, [0, 4]),
  e('streamed bulk error is not a thing', b('!?\r\n;1\r\na\r\n;0\r\n'), lengthish, [0, 4]),
  e('bad chunk length in a streamed string', b('$?\r\n;abc\r\n'), lengthish, [4, 10]),
  e('negative chunk length in a streamed string', b('$?\r\n;-1\r\n'), lengthish, [4, 9]),
  // Integers
  e('integer not digits', b(':abc\r\n'), 'bad-integer', [0, 6]),
  e('empty integer', b(':\r\n'), 'bad-integer', [0, 3]),
  e('integer with trailing junk', b(':1a\r\n'), 'bad-integer', [0, 5]),
  e('integer sign only +', b(':+\r\n'), 'bad-integer', [0, 4]),
  e('integer sign only -', b(':-\r\n'), 'bad-integer', [0, 4]),
  e('integer with a fraction', b(':1.5\r\n'), 'bad-integer', [0, 6]),
  e('integer with a leading space', b(': 1\r\n'), 'bad-integer', [0, 5]),
  e('integer with a trailing space', b(':1 \r\n'), 'bad-integer', [0, 5]),
  e('integer in hex', b(':0x10\r\n'), 'bad-integer', [0, 7]),
  e('integer inside an array', b('*2\r\n:1\r\n:x\r\n'), 'bad-integer', [8, 12], []),
  // Inside arrays, where whole elements are read in one loop: the same verdicts as elsewhere.
  e('bulk length with a leading zero inside an array', b('*2\r\n$1\r\na\r\n$01\r\nx\r\n'), 'bad-length', [11, 16], []),
  e('array length with a leading zero inside an array', b('*1\r\n*01\r\n:1\r\n'), 'bad-length', [4, 9], []),
  e('bulk payload longer than declared inside nested arrays', b('*1\r\n*1\r\n$1\r\nab\r\n'), 'missing-crlf', [12, 14], []),
  e('integer past int64 inside an array', b('*2\r\n:1\r\n:99999999999999999999\r\n'), 'bad-integer', [8, 31], []),
  // Signed 64-bit, as hiredis: past it is an error, not a bigint.
  e('integer int64 max + 1', b(':9223372036854775808\r\n'), 'bad-integer', [0, 22]),
  e('integer int64 min - 1', b(':-9223372036854775809\r\n'), 'bad-integer', [0, 23]),
  e('integer of 20 digits', b(':10000000000000000000\r\n'), 'bad-integer', [0, 23]),
  e('integer of 100 digits', b(`:${'7'.repeat(100)}\r\n`), 'bad-integer', [0, 103]),
  // Lines
  e('CR not followed by LF in a simple string', b('+OK\rX\r\n'), line, [0, 7]),
  e('LF alone inside a simple string', b('+O\nK\r\n'), line, [0, 6]),
  e('CR inside a simple error', b('-ERR\rx\r\n'), line, [0, 8]),
  e('LF alone inside a simple error', b('-ERR\nx\r\n'), line, [0, 8]),
  e('CR not followed by LF after an integer', b(':12\rx'), line, [0, 5]),
  e('bulk longer than declared', b('$2\r\nabc\r\n'), 'missing-crlf', [4, 7]),
  e('bulk not followed by CRLF', b('$3\r\nabcXY'), 'missing-crlf', [7, 8]),
  e('bulk followed by CR and junk', b('$3\r\nabc\rX'), 'missing-crlf', [7, 8]),
  e('bulk followed by LF only', b('$3\r\nabc\nX'), 'missing-crlf', [7, 8]),
  e('empty bulk not followed by CRLF', b('$0\r\nX\r\n'), 'missing-crlf', [4, 5]),
  e('bulk error not followed by CRLF', b('!3\r\nERRxx'), 'missing-crlf', [7, 8]),
  e('streamed chunk not followed by CRLF', b('$?\r\n;1\r\nab'), 'missing-crlf', [8, 9]),
  // Booleans, nulls
  e('boolean x', b('#x\r\n'), 'bad-boolean', [0, 4]),
  e('empty boolean', b('#\r\n'), 'bad-boolean', [0, 3]),
  e('boolean tt', b('#tt\r\n'), 'bad-boolean', [0, 5]),
  e('boolean T', b('#T\r\n'), 'bad-boolean', [0, 4]),
  e('boolean 1', b('#1\r\n'), 'bad-boolean', [0, 4]),
  e('null with payload', b('_x\r\n'), 'bad-null', [0, 4]),
  e('null with a space', b('_ \r\n'), 'bad-null', [0, 4]),
  // Doubles
  e('double not a number', b(',abc\r\n'), 'bad-double', [0, 6]),
  e('empty double', b(',\r\n'), 'bad-double', [0, 3]),
  e('double 1.2.3', b(',1.2.3\r\n'), 'bad-double', [0, 8]),
  e('double with empty exponent', b(',1e\r\n'), 'bad-double', [0, 5]),
  e('double --1', b(',--1\r\n'), 'bad-double', [0, 6]),
  e('double with a comma', b(',1,5\r\n'), 'bad-double', [0, 6]),
  e('double in hex (Number() would accept it)', b(',0x10\r\n'), 'bad-double', [0, 7]),
  e('double with a leading space (Number() would accept it)', b(', 1\r\n'), 'bad-double', [0, 5]),
  e('double infinit', b(',infinit\r\n'), 'bad-double', [0, 10]),
  e('double with junk after the exponent', b(',1e5x\r\n'), 'bad-double', [0, 7]),
  e('double with underscores', b(',1_000\r\n'), 'bad-double', [0, 8]),
  // The RESP3 grammar: an integral part, a fractional part after a dot, and only inf, -inf, nan.
  e('double .5 without integral part', b(',.5\r\n'), 'bad-double', [0, 5]),
  e('double 1. without fractional part', b(',1.\r\n'), 'bad-double', [0, 5]),
  e('double -.5', b(',-.5\r\n'), 'bad-double', [0, 6]),
  e('double 1.e5', b(',1.e5\r\n'), 'bad-double', [0, 7]),
  e('double +inf is not RESP3', b(',+inf\r\n'), 'bad-double', [0, 6]),
  e('double infinity is not RESP3', b(',infinity\r\n'), 'bad-double', [0, 11]),
  e('double -infinity is not RESP3', b(',-infinity\r\n'), 'bad-double', [0, 12]),
  e('double +nan is not RESP3', b(',+nan\r\n'), 'bad-double', [0, 6]),
  e('double Infinity (what JavaScript prints)', b(',Infinity\r\n'), 'bad-double', [0, 11]),
  // Big numbers
  e('big number not digits', b('(abc\r\n'), 'bad-big-number', [0, 6]),
  e('empty big number', b('(\r\n'), 'bad-big-number', [0, 3]),
  e('big number with a fraction', b('(1.5\r\n'), 'bad-big-number', [0, 6]),
  e('big number in hex (BigInt() would accept it)', b('(0x10\r\n'), 'bad-big-number', [0, 7]),
  e('big number with a leading space (BigInt() would accept it)', b('( 1\r\n'), 'bad-big-number', [0, 5]),
  e('big number sign only', b('(-\r\n'), 'bad-big-number', [0, 4]),
  // Verbatim
  e('verbatim shorter than its format', b('=3\r\nabc\r\n'), 'bad-verbatim', [0, 9]),
  e('verbatim without colon', b('=8\r\ntxtxSome\r\n'), 'bad-verbatim', [0, 14]),
  e('empty verbatim', b('=0\r\n\r\n'), 'bad-verbatim', [0, 6]),
  e('bad verbatim inside an array', b('*1\r\n=3\r\nabc\r\n'), 'bad-verbatim', [4, 13]),
  e('bad verbatim after a good reply', b('+OK\r\n=3\r\nabc\r\n'), 'bad-verbatim', [5, 14], ['OK']),
  // Out of place
  e('end marker at top level', b('.\r\n'), 'misplaced', [0, 3]),
  e('chunk at top level', b(';4\r\nabcd\r\n'), 'misplaced', [0, 4]),
  e('end marker in a sized array', b('*2\r\n:1\r\n.\r\n'), 'misplaced', [8, 11]),
  e('chunk in a sized array', b('*1\r\n;1\r\na\r\n'), 'misplaced', [4, 8]),
  e('end marker in a streamed string', b('$?\r\n.\r\n'), ['misplaced', 'unknown-type'], [4, 7]),
  e('simple string in a streamed string', b('$?\r\n+a\r\n'), ['misplaced', 'unknown-type'], [4, 8]),
  e('chunk in a streamed array', b('*?\r\n;1\r\na\r\n.\r\n'), 'misplaced', [4, 8]),
  e('streamed map ends after a key', b('%?\r\n+a\r\n.\r\n'), ['misplaced', 'bad-length'], [4, 11]),
  e('end marker in a sized map', b('%1\r\n+a\r\n.\r\n'), 'misplaced', [8, 11]),
  e('push nested in an array', b('*1\r\n>1\r\n+a\r\n'), 'misplaced', [4, 8]),
  e('push nested in a map value', b('%1\r\n+k\r\n>1\r\n+a\r\n'), 'misplaced', [8, 12]),
  e('push nested in a push', b('>2\r\n+a\r\n>1\r\n+b\r\n'), 'misplaced', [8, 12]),
  e('push nested in a streamed array', b('*?\r\n>1\r\n+a\r\n.\r\n'), 'misplaced', [4, 8]),
]

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

export type Event = ['reply', unknown] | ['push', unknown] | ['attr', unknown, unknown]

export type FeedOptions = Omit<DecoderOptions, 'onReply' | 'onPush' | 'onAttribute'>

export interface RunResult {
  events: Event[]
  /** Number of reply and push events after each chunk. */
  after: number[]
  error: unknown
}

/**
 * A copy of `bytes` placed in the middle of a larger buffer filled with junk, so a decoder that
 * ignores byteOffset or reads past the view's end sees wrong bytes.
 */
export function embed(bytes: Uint8Array): Uint8Array {
  const buf = new Uint8Array(bytes.length + 16).fill(0x2a)
  buf.set(bytes, 8)
  return buf.subarray(8, 8 + bytes.length)
}

/** Feed chunks to a fresh decoder and record every event; stops at the first throw. */
export function run(chunks: Uint8Array[], options: FeedOptions = {}): RunResult {
  const events: Event[] = []
  const after: number[] = []
  const decoder = new Decoder({
    ...options,
    onReply: (v) => events.push(['reply', v]),
    onPush: (v) => events.push(['push', v]),
    onAttribute: (a, v) => events.push(['attr', a, v]),
  })
  let error: unknown
  for (const chunk of chunks) {
    try {
      decoder.feed(embed(chunk))
    } catch (x) {
      error = x
      break
    }
    after.push(events.filter((ev) => ev[0] !== 'attr').length)
  }
  return { events, after, error }
}

export type Chunking = { name: string; chunks: Uint8Array[] }

/** Whole, byte by byte, and every two-way split. */
export function chunkings(wire: Uint8Array): Chunking[] {
  const out: Chunking[] = [{ name: 'whole', chunks: [wire] }]
  out.push({ name: 'byte by byte', chunks: Array.from(wire, (_, i) => wire.subarray(i, i + 1)) })
  for (let i = 1; i < wire.length; i++) out.push({ name: `split at ${i}`, chunks: [wire.subarray(0, i), wire.subarray(i)] })
  return out
}

/** Expected events of a valid case under the given transform of expected values. */
export function expectedEvents(c: ValidCase, f: (v: unknown) => unknown = (v) => v): Event[] {
  const out: Event[] = []
  for (const [a, v] of c.attrs ?? []) out.push(['attr', f(a), f(v)])
  out.push([c.push ? 'push' : 'reply', f(c.value)])
  return out
}

export function isProtocolError(x: unknown): x is ProtocolError {
  return x instanceof ProtocolError
}
