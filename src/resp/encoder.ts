// Commands and values to bytes. Commands (what clients send) are arrays of bulk strings;
// values (what servers, proxies and mock servers send) are any RESP2/RESP3 value, natural or a
// lossless RespNode tree.

import { ByteWriter, bytesLength } from './writer.ts'
import { RespNode } from './types.ts'
import { RespkitError, brand } from './errors.ts'
import { concatBytes } from './bytes.ts'

/**
 * What a command argument may be. Numbers and bigints are sent as their decimal text: integers
 * as plain digits whatever their size, other finite numbers in their shortest round-trip form
 * (`0.1`, `1e-7`), which Redis's float parser reads; NaN and ±Infinity are refused.
 */
export type CommandArgument = string | Uint8Array | number | bigint

export interface CommandEncoderOptions {
  /** Initial buffer size in bytes. Default 16 KiB; it grows up to 1 MiB for busy writers. */
  initialSize?: number
  /** Byte arrays at least this long are passed through by reference, not copied. Default 64 KiB. */
  passThroughBytes?: number
}

/** `encode` could not write a value: a cycle, or nesting deeper than `maxDepth`. */
export class EncodeError extends RespkitError {
  /** `cycle` or `too-deep`. */
  readonly reason: 'cycle' | 'too-deep'
  constructor(reason: 'cycle' | 'too-deep', message: string) {
    super(message)
    this.reason = reason
  }
}
brand(EncodeError, 'EncodeError')

/**
 * Encodes many commands into one reusable, growing buffer: a client writes every command of a
 * tick, then sends `take()` in one write.
 *
 * A command that throws half-way (a bad argument, a getter that throws) is rolled back: what
 * `take()` returns holds whole commands only. The chunks `take()` returns are copies of their
 * own (or the caller's large arrays, passed through), never views into a shared buffer, and the
 * scratch bytes behind them are zeroed: a chunk keeps no other command's bytes (credentials
 * included) reachable, and no bytes linger once the caller drops it.
 */
export class CommandEncoder {
  private readonly w: ByteWriter
  /** Inside write(): an argument's getter must not write or take half a command. */
  private writing = false
  constructor(options?: CommandEncoderOptions) {
    const initialSize = options?.initialSize
    const passThrough = options?.passThroughBytes
    if (initialSize !== undefined) checkSize('initialSize', initialSize)
    if (passThrough !== undefined) checkSize('passThroughBytes', passThrough)
    this.w = new ByteWriter(initialSize, passThrough)
  }

  /** Append one command. Throws a TypeError naming the first bad argument, writing nothing. */
  write(args: readonly CommandArgument[]): void {
    if (!Array.isArray(args)) throw new TypeError(`a command is an array of arguments, got ${describe(args)}`)
    const n = args.length
    if (n === 0) throw new TypeError('a command needs at least one argument, its name')
    // Only a Proxy can lie like this; a header with a bad count would desynchronise the stream.
    if (!Number.isSafeInteger(n) || n < 0) throw new TypeError(`a command's length must be a whole number, got ${String(n)}`)
    if (this.writing) throw new Error('CommandEncoder.write() called while a command is being written (from a getter of one of its arguments?)')
    const w = this.w
    w.mark()
    this.writing = true
    let i = 0
    try {
      w.writeHeader(42, n)
      // Each argument is read once: a getter cannot hand the check one value and the write another.
      for (; i < n; i++) {
        const arg = args[i] as unknown
        if (typeof arg === 'string') w.writeBulkString(arg)
        else if (typeof arg === 'number') {
          if (Number.isSafeInteger(arg)) w.writeBulkInteger(arg)
          else w.writeBulkString(numberArgument(arg, i))
        } else if (arg instanceof Uint8Array) w.writeBulkBytes(arg)
        else if (typeof arg === 'bigint') w.writeBulkString(arg.toString())
        else throw new TypeError(`command argument ${i} is ${describe(arg)}: expected a string, Uint8Array, number or bigint`)
      }
    } catch (error) {
      w.rollback()
      if (error instanceof TypeError && error.message.startsWith('command argument ')) throw error
      throw new TypeError(`command argument ${i} could not be encoded: ${(error as Error)?.message ?? String(error)}`, { cause: error })
    } finally {
      this.writing = false
    }
  }

  /** Bytes written and not yet taken. */
  get byteLength(): number {
    return this.w.byteLength
  }

  /**
   * The bytes of every command written since the last call: one chunk, or more around large
   * arguments. Each chunk is the caller's from then on (see the class comment).
   */
  take(): Uint8Array[] {
    if (this.writing) throw new Error('CommandEncoder.take() called while a command is being written (from a getter of one of its arguments?)')
    return this.w.take()
  }
}

/** A non-integral or unsafe number as text Redis parses: no `1e+21`, no `NaN`, no `Infinity`. */
function numberArgument(n: number, index: number): string {
  if (!Number.isFinite(n)) throw new TypeError(`command argument ${index} is ${n}: only finite numbers can be sent`)
  // Integers past 2^53: their exact value in plain digits (String gives `1e+21` from 10^21 on).
  if (Number.isInteger(n)) return BigInt(n).toString()
  // Non-integers are below 2^53: String gives the shortest round trip, with an exponent only
  // for tiny ones (`1e-7`), which strtod/strtold (ZADD, INCRBYFLOAT...) accept.
  return String(n)
}

function checkSize(name: string, n: number): void {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) {
    throw new RangeError(`CommandEncoder option ${name} must be a positive integer, got ${typeof n === 'number' ? n : typeof n}`)
  }
}

function describe(x: unknown): string {
  if (x === null) return 'null'
  if (Array.isArray(x)) return 'an array'
  if (typeof x === 'object') return `an object (${(x as object).constructor?.name ?? 'no prototype'})`
  if (typeof x === 'number') return String(x)
  return typeof x === 'undefined' ? 'undefined' : `a ${typeof x}`
}

const shared = new CommandEncoder()

/**
 * One command as bytes, in an array of its own of exact size: nothing else (an earlier AUTH
 * password, say) is reachable through its `.buffer`, and the scratch bytes are zeroed.
 */
export function encodeCommand(args: readonly CommandArgument[]): Uint8Array {
  // Called again from inside (an argument's getter encoding something): a fresh encoder.
  const encoder = sharedBusy ? new CommandEncoder({ initialSize: 256 }) : shared
  const outer = !sharedBusy
  sharedBusy = true
  try {
    encoder.write(args)
    const chunks = encoder.take()
    return chunks.length === 1 ? chunks[0] : concatBytes(chunks)
  } finally {
    if (outer) sharedBusy = false
  }
}
let sharedBusy = false

export interface EncodeOptions {
  /**
   * 3 (default) writes RESP3 types; 2 writes what a RESP2 peer reads, as Redis does for a RESP2
   * connection: sets, pushes and maps as arrays (maps flattened), doubles, big numbers and
   * verbatim strings (without their format) as bulk strings, booleans as `:1` and `:0`, null
   * as `$-1` (a lossless `*-1` stays), bulk errors as simple errors (CR and LF becoming spaces,
   * as Redis does for its own errors), streamed strings and aggregates in counted form, and
   * attributes dropped. This applies to RespNode trees too.
   */
  protocol?: 2 | 3
  /** Deepest nesting written; deeper throws an EncodeError. Default 2048. */
  maxDepth?: number
}

/** The deepest value `encode` walks by default; deeper is almost surely a cycle. */
const MAX_ENCODE_DEPTH = 2048
const valueWriter = new ByteWriter()

/**
 * Any value as RESP bytes: a natural value (see RespValue), a RespNode tree (reproduced byte for
 * byte), or a mix: a node's children may be natural values. The walk uses a stack of its own,
 * not the JavaScript stack: a cyclic or too deep value is an EncodeError, whatever the depth.
 * A value that throws half-way (a getter, a bad leaf) leaves nothing behind.
 */
export function encode(value: unknown, options?: EncodeOptions): Uint8Array {
  const v3 = options?.protocol !== 2
  if (options?.protocol !== undefined && options.protocol !== 2 && options.protocol !== 3) {
    throw new RangeError(`encode option protocol must be 2 or 3, got ${String(options.protocol)}`)
  }
  const maxDepth = options?.maxDepth ?? MAX_ENCODE_DEPTH
  if (typeof maxDepth !== 'number' || !Number.isSafeInteger(maxDepth) || maxDepth < 0) {
    throw new RangeError(`encode option maxDepth must be a non-negative integer, got ${String(maxDepth)}`)
  }
  // Called again from inside (a getter of the value encoding something): a fresh writer.
  const outer = !valueBusy
  const w = outer ? valueWriter : new ByteWriter(256)
  valueBusy = true
  try {
    new ValueWalk(w, v3, maxDepth).run(value)
    return w.takeOne()
  } catch (error) {
    w.reset() // drop the half-written value
    throw error
  } finally {
    if (outer) valueBusy = false
  }
}
let valueBusy = false

/** Children still to write in one aggregate, and what closes it. */
interface Frame {
  readonly source: unknown
  readonly items: readonly unknown[]
  i: number
  /** RESP3 streamed aggregates end with `.` */
  readonly streamed: boolean
}

/** "Write this node without its attributes": they were queued before it. */
class NodeBody {
  readonly node: RespNode
  constructor(node: RespNode) {
    this.node = node
  }
}

class ValueWalk {
  private readonly w: ByteWriter
  private readonly v3: boolean
  private readonly maxDepth: number
  private readonly stack: Frame[] = []

  constructor(w: ByteWriter, v3: boolean, maxDepth: number) {
    this.w = w
    this.v3 = v3
    this.maxDepth = maxDepth
  }

  run(value: unknown): void {
    this.one(value)
    const stack = this.stack
    while (stack.length > 0) {
      const top = stack[stack.length - 1]
      if (top.i < top.items.length) {
        this.one(top.items[top.i++])
      } else {
        stack.pop()
        if (top.streamed) line(this.w, '.', '')
      }
    }
  }

  /** Children of an aggregate whose header is written. */
  private open(source: unknown, items: readonly unknown[], streamed = false): void {
    if (items.length === 0 && !streamed) return
    if (this.stack.length >= this.maxDepth) {
      const cycle = this.stack.some((f) => f.source === source)
      throw cycle
        ? new EncodeError('cycle', `cannot encode a cyclic value: an aggregate contains itself (${this.stack.length} levels down)`)
        : new EncodeError('too-deep', `value nested deeper than ${this.maxDepth} levels (a cycle?); raise maxDepth if it is meant`)
    }
    this.stack.push({ source, items, i: 0, streamed })
  }

  private one(v: unknown): void {
    const w = this.w
    const v3 = this.v3
    switch (typeof v) {
      case 'string':
        return w.writeBulkString(v)
      case 'number':
        if (Number.isSafeInteger(v) && !Object.is(v, -0)) return line(w, ':', String(v))
        return v3 ? line(w, ',', doubleText(v)) : w.writeBulkString(doubleText(v))
      case 'bigint':
        if (v >= INT64_MIN && v <= INT64_MAX) return line(w, ':', v.toString())
        return v3 ? line(w, '(', v.toString()) : w.writeBulkString(v.toString())
      case 'boolean':
        return v3 ? line(w, '#', v ? 't' : 'f') : line(w, ':', v ? '1' : '0')
    }
    if (v === null) return v3 ? line(w, '_', '') : line(w, '$', '-1')
    if (v instanceof Uint8Array) return w.writeBulkBytes(v)
    if (v instanceof RespNode) return this.node(v, true)
    if (v instanceof NodeBody) return this.node(v.node, false)
    if (Array.isArray(v)) {
      w.writeHeader(42, v.length)
      return this.open(v, v)
    }
    if (v instanceof Set) {
      const items = [...v]
      w.writeHeader(v3 ? 126 : 42, items.length)
      return this.open(v, items)
    }
    if (v instanceof Map) {
      const items: unknown[] = []
      for (const [key, item] of v) items.push(key, item)
      w.writeHeader(v3 ? 37 : 42, v3 ? items.length / 2 : items.length)
      return this.open(v, items)
    }
    if (v instanceof Error) return simpleLine(w, 45, v.message, 'error')
    if (typeof v === 'object') {
      const proto = Object.getPrototypeOf(v)
      if (proto === Object.prototype || proto === null) {
        const items: unknown[] = []
        for (const key of Object.keys(v)) items.push(key, (v as Record<string, unknown>)[key])
        w.writeHeader(v3 ? 37 : 42, v3 ? items.length / 2 : items.length)
        return this.open(v, items)
      }
    }
    throw new TypeError(`cannot encode ${describe(v)} as RESP`)
  }

  private node(node: RespNode, withAttributes: boolean): void {
    const w = this.w
    const v3 = this.v3
    const attributes = node.attributes
    if (withAttributes && attributes !== undefined && attributes.length > 0) {
      if (!Array.isArray(attributes)) throw new TypeError('RespNode attributes must be an array of nodes')
      // RESP2 has no attributes: a RESP2 peer is never sent any (Redis does the same).
      if (!v3) return this.node(node, false)
      return this.open(node, [...attributes, new NodeBody(node)])
    }
    const type = node.type
    const code = typeof type === 'string' ? type.charCodeAt(0) : 0
    const value = node.value
    switch (type) {
      case '+':
        return simpleLine(w, code, value, 'simple string')
      case '-':
        return simpleLine(w, code, value, 'error')
      case ':':
        return line(w, type, numberText(value, type))
      case ',':
      case '(':
        return v3 ? line(w, type, numberText(value, type)) : w.writeBulkString(numberText(value, type))
      case '_':
        return v3 ? line(w, '_', '') : line(w, '$', '-1')
      case '#':
        return v3 ? line(w, '#', value === true ? 't' : 'f') : line(w, ':', value === true ? '1' : '0')
      case '$':
        if (value === null) return line(w, '$', '-1')
        if (node.streamed) {
          if (!Array.isArray(value)) throw new TypeError("RespNode '$' streamed needs an array of Uint8Array chunks")
          for (const chunk of value) if (!(chunk instanceof Uint8Array)) throw new TypeError("RespNode '$' streamed needs an array of Uint8Array chunks")
          if (!v3) {
            let total = 0
            for (const chunk of value as Uint8Array[]) total += bytesLength(chunk)
            w.writeHeader(36, total)
            for (const chunk of value as Uint8Array[]) w.writeBytes(chunk)
            return w.writeCrlf()
          }
          line(w, '$', '?')
          for (const chunk of value as Uint8Array[]) {
            w.writeHeader(59, bytesLength(chunk))
            w.writeBytes(chunk)
            w.writeCrlf()
          }
          return line(w, ';', '0')
        }
        return writeBulk(w, code, value)
      case '!':
        return v3 ? writeBulk(w, code, value) : errorLine(w, value)
      case '=':
        return v3 ? writeBulk(w, code, value) : writeBulk(w, 36, verbatimText(value))
      case '*':
      case '~':
      case '>':
      case '%':
      case '|': {
        if (value === null && type === '*') return line(w, '*', '-1')
        if (!Array.isArray(value)) throw new TypeError(`RespNode '${type}' needs an array value`)
        const pairs = type === '%' || type === '|'
        if (pairs && value.length % 2 !== 0) throw new TypeError(`RespNode '${type}' needs keys and values in pairs`)
        if (!v3) {
          if (type === '|') throw new TypeError('an attribute (|) has no RESP2 form; attach it to a node as `attributes`, which RESP2 drops')
          // Sets, pushes and maps (flattened) as arrays; streamed ones counted.
          w.writeHeader(42, value.length)
          return this.open(node, value)
        }
        if (node.streamed) line(w, type, '?')
        else w.writeHeader(code, pairs ? value.length / 2 : value.length)
        return this.open(node, value, node.streamed)
      }
    }
    throw new TypeError(`unknown RespNode type ${JSON.stringify(type)}`)
  }
}

const INT64_MAX = 2n ** 63n - 1n
const INT64_MIN = -(2n ** 63n)
const textEncoder = new TextEncoder()

function line(w: ByteWriter, type: string, text: string): void {
  w.writeAscii(type)
  w.writeAscii(text)
  w.writeCrlf()
}

function writeBulk(w: ByteWriter, code: number, value: unknown): void {
  const bytes = typeof value === 'string' ? textEncoder.encode(value) : value
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`RespNode '${String.fromCharCode(code)}' needs a string or Uint8Array value`)
  w.writeHeader(code, bytesLength(bytes))
  w.writeBytes(bytes)
  w.writeCrlf()
}

/** A verbatim string's text without its `fmt:` prefix: what Redis sends a RESP2 client. */
function verbatimText(value: unknown): Uint8Array {
  const bytes = typeof value === 'string' ? textEncoder.encode(value) : value
  if (!(bytes instanceof Uint8Array)) throw new TypeError("RespNode '=' needs a string or Uint8Array value")
  return bytesLength(bytes) >= 4 && bytes[3] === 58 ? bytes.subarray(4) : bytes
}

/** A bulk error for a RESP2 peer: one `-` line, CR and LF as spaces (what Redis does to its own errors). */
function errorLine(w: ByteWriter, value: unknown): void {
  const bytes = typeof value === 'string' ? textEncoder.encode(value) : value
  if (!(bytes instanceof Uint8Array)) throw new TypeError("RespNode '!' needs a string or Uint8Array value")
  const flat = bytes.map((c) => (c === 13 || c === 10 ? 32 : c))
  w.writeByte(45)
  w.writeBytes(flat)
  w.writeCrlf()
}

/** A simple string or error line; CR or LF inside would end the line early: protocol injection. */
function simpleLine(w: ByteWriter, code: number, value: unknown, what: string): void {
  const bytes = typeof value === 'string' ? textEncoder.encode(value) : value
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`a ${what} needs a string or Uint8Array value`)
  if (bytes.includes(13) || bytes.includes(10)) {
    throw new TypeError(`a ${what} cannot contain CR or LF (use a bulk string or bulk error instead)`)
  }
  w.writeByte(code)
  w.writeBytes(bytes)
  w.writeCrlf()
}

function numberText(value: unknown, type: string): string {
  const text = typeof value === 'string' ? value : typeof value === 'number' && type === ',' ? doubleText(value) : String(value)
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 13 || c === 10 || c > 127) throw new TypeError(`RespNode '${type}' text must be ASCII with no CR or LF`)
  }
  if (text.length === 0) throw new TypeError(`RespNode '${type}' needs a number`)
  return text
}

/** A double as RESP3 spells it. */
export function doubleText(n: number): string {
  if (Number.isNaN(n)) return 'nan'
  if (n === Infinity) return 'inf'
  if (n === -Infinity) return '-inf'
  return Object.is(n, -0) ? '-0' : String(n)
}
