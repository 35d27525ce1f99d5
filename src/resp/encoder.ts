// Commands and values to bytes. Commands (what clients send) are arrays of bulk strings;
// values (what servers, proxies and mock servers send) are any RESP2/RESP3 value, natural or a
// lossless RespNode tree.

import { ByteWriter } from './writer.ts'
import { concatBytes } from './bytes.ts'
import { RespNode } from './types.ts'

/** What a command argument may be. Numbers and bigints are sent as their decimal text. */
export type CommandArgument = string | Uint8Array | number | bigint

export interface CommandEncoderOptions {
  /** Initial buffer size in bytes. Default 16 KiB; it grows up to 1 MiB for busy writers. */
  initialSize?: number
  /** Byte arrays at least this long are passed through by reference, not copied. Default 64 KiB. */
  passThroughBytes?: number
}

/**
 * Encodes many commands into one reusable, growing buffer: a client writes every command of a
 * tick, then sends `take()` in one write.
 */
export class CommandEncoder {
  private readonly w: ByteWriter
  constructor(options?: CommandEncoderOptions) {
    this.w = new ByteWriter(options?.initialSize, options?.passThroughBytes)
  }

  /** Append one command. Throws a TypeError naming the first bad argument, writing nothing. */
  write(args: readonly CommandArgument[]): void {
    checkArguments(args)
    const w = this.w
    w.writeHeader(42, args.length)
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]
      if (typeof arg === 'string') w.writeBulkString(arg)
      else if (typeof arg === 'number') w.writeBulkString(String(arg))
      else if (typeof arg === 'bigint') w.writeBulkString(arg.toString())
      else w.writeBulkBytes(arg)
    }
  }

  /** Bytes written and not yet taken. */
  get byteLength(): number {
    return this.w.byteLength
  }

  /** The bytes of every command written since the last call: one chunk, or more around large arguments. */
  take(): Uint8Array[] {
    return this.w.take()
  }
}

function checkArguments(args: readonly CommandArgument[]): void {
  if (!Array.isArray(args)) throw new TypeError(`a command is an array of arguments, got ${describe(args)}`)
  if (args.length === 0) throw new TypeError('a command needs at least one argument, its name')
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as unknown
    const t = typeof arg
    if (t !== 'string' && t !== 'number' && t !== 'bigint' && !(arg instanceof Uint8Array)) {
      throw new TypeError(`command argument ${i} is ${describe(arg)}: expected a string, Uint8Array, number or bigint`)
    }
  }
}

function describe(x: unknown): string {
  if (x === null) return 'null'
  if (Array.isArray(x)) return 'an array'
  if (typeof x === 'object') return `an object (${(x as object).constructor?.name ?? 'no prototype'})`
  return typeof x === 'undefined' ? 'undefined' : `a ${typeof x}`
}

const shared = new CommandEncoder()

/** One command as bytes. */
export function encodeCommand(args: readonly CommandArgument[]): Uint8Array {
  shared.write(args)
  const chunks = shared.take()
  return chunks.length === 1 ? chunks[0] : concatBytes(chunks)
}

export interface EncodeOptions {
  /**
   * 3 (default) writes RESP3 types; 2 writes what a RESP2 client reads: sets and maps as arrays
   * (maps flattened), doubles and big numbers as bulk strings, booleans as 1 and 0, null as `$-1`.
   */
  protocol?: 2 | 3
}

/** The deepest value `encode` walks; deeper is almost surely a cycle. */
const MAX_ENCODE_DEPTH = 2048
const valueWriter = new ByteWriter()

/**
 * Any value as RESP bytes: a natural value (see RespValue), a RespNode tree (reproduced byte for
 * byte), or a mix: a node's children may be natural values.
 */
export function encode(value: unknown, options?: EncodeOptions): Uint8Array {
  const v3 = options?.protocol !== 2
  try {
    writeValue(valueWriter, value, v3, 0)
  } catch (error) {
    valueWriter.take() // drop the half-written value
    throw error
  }
  return valueWriter.takeOne()
}

function writeValue(w: ByteWriter, v: unknown, v3: boolean, depth: number): void {
  if (depth > MAX_ENCODE_DEPTH) throw new RangeError(`value nested deeper than ${MAX_ENCODE_DEPTH} levels (a cycle?)`)
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
  if (v instanceof RespNode) return writeNode(w, v, v3, depth)
  if (Array.isArray(v)) return writeList(w, 42, v, v3, depth)
  if (v instanceof Set) return writeList(w, v3 ? 126 : 42, v, v3, depth)
  if (v instanceof Map) {
    w.writeHeader(v3 ? 37 : 42, v3 ? v.size : v.size * 2)
    for (const [key, item] of v) {
      writeValue(w, key, v3, depth + 1)
      writeValue(w, item, v3, depth + 1)
    }
    return
  }
  if (v instanceof Error) return simpleLine(w, 45, v.message, 'error')
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v)
    if (proto === Object.prototype || proto === null) {
      const keys = Object.keys(v)
      w.writeHeader(v3 ? 37 : 42, v3 ? keys.length : keys.length * 2)
      for (const key of keys) {
        w.writeBulkString(key)
        writeValue(w, (v as Record<string, unknown>)[key], v3, depth + 1)
      }
      return
    }
  }
  throw new TypeError(`cannot encode ${describe(v)} as RESP`)
}

function writeList(w: ByteWriter, type: number, items: Iterable<unknown> & { length?: number; size?: number }, v3: boolean, depth: number): void {
  w.writeHeader(type, items.length ?? items.size ?? 0)
  for (const item of items) writeValue(w, item, v3, depth + 1)
}

function writeNode(w: ByteWriter, node: RespNode, v3: boolean, depth: number): void {
  if (node.attributes !== undefined) for (const attr of node.attributes) writeNode(w, attr, v3, depth + 1)
  const type = node.type
  const code = type.charCodeAt(0)
  const value = node.value
  switch (type) {
    case '+':
      return simpleLine(w, code, value, 'simple string')
    case '-':
      return simpleLine(w, code, value, 'error')
    case ':':
    case ',':
    case '(':
      return line(w, type, numberText(value, type))
    case '_':
      return line(w, '_', '')
    case '#':
      return line(w, '#', value === true ? 't' : 'f')
    case '$':
      if (value === null) return line(w, '$', '-1')
      if (node.streamed) {
        line(w, '$', '?')
        for (const chunk of value as Uint8Array[]) {
          w.writeHeader(59, chunk.length)
          w.writeBytes(chunk)
          w.writeCrlf()
        }
        return line(w, ';', '0')
      }
      return writeBulk(w, code, value)
    case '!':
    case '=':
      return writeBulk(w, code, value)
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      if (value === null && type === '*') return line(w, '*', '-1')
      if (!Array.isArray(value)) throw new TypeError(`RespNode '${type}' needs an array value`)
      const pairs = type === '%' || type === '|'
      if (pairs && value.length % 2 !== 0) throw new TypeError(`RespNode '${type}' needs keys and values in pairs`)
      if (node.streamed) line(w, type, '?')
      else w.writeHeader(code, pairs ? value.length / 2 : value.length)
      for (const item of value) writeValue(w, item, v3, depth + 1)
      if (node.streamed) line(w, '.', '')
      return
    }
  }
  throw new TypeError(`unknown RespNode type ${JSON.stringify(type)}`)
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
  w.writeHeader(code, bytes.length)
  w.writeBytes(bytes)
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
