// The general path of the decoder: its state, the explicit stack of open aggregates (a Frame
// each), header lines that span chunks, payloads, and the values made from them. Decoder
// (decoder.ts) extends it with the entry points and the fast paths, and documents the whole.

import { ProtocolError, ProtocolErrorReason as Reason, ReplyError } from './errors.ts'
import { RespNode, type DecoderOptions, type RespType } from './types.ts'
import { checkOptions } from './decoder-options.ts'
import { textDecoderUtf8, utf8, utf8Parts, type Utf8Decoder } from './text.ts'
import { ByteParts, concatBytes } from './bytes.ts'
import { checkSimple, copy, parseBigNumber, parseDouble, parseInteger, parseLength, partsAsSent } from './decoder-scalars.ts'

// The constants of the hot paths stay in this module: V8 compiles a module's own `const` to an
// immediate, an imported one to a load from its module cell (decoder.ts and decoder-scalars.ts
// have their own).
const CR = 13
const LF = 10
const QUESTION = 63

// Type bytes.
const SIMPLE = 43 // +
const ERROR = 45 // -
const INTEGER = 58 // :
const BULK = 36 // $
const ARRAY = 42 // *
const NULL = 95 // _
const BOOLEAN = 35 // #
const DOUBLE = 44 // ,
const BIG_NUMBER = 40 // (
const BULK_ERROR = 33 // !
const VERBATIM = 61 // =
const MAP = 37 // %
const SET = 126 // ~
const ATTRIBUTE = 124 // |
const PUSH = 62 // >
const CHUNK = 59 // ; (a part of a streamed string)
const END = 46 // . (the end of a streamed aggregate)

// How a frame stores its children.
const LIST = 0
const MAP_KIND = 1
const OBJECT = 2
const SET_KIND = 3

/** One open aggregate (or streamed string). Frames are pooled per depth and reused. */
class Frame {
  type = 0
  kind = LIST
  /** Elements still expected; -1 for a streamed aggregate, which ends with `.`. */
  left = 0
  items: any = null
  key: unknown = undefined
  hasKey = false
  /** Attributes waiting for the next child of this frame to complete. */
  attrs: unknown[] | null = null
  /** Streamed forms only: elements (or, for a streamed string, bytes on the wire) so far, for the limits. */
  size = 0
  /** A streamed string in lossless mode: the length of each part, to hand them out as sent. */
  lengths: number[] | null = null
  /** Where the aggregate began in the stream, for an error about it once complete. */
  abs = 0
}

/**
 * The general path of `Decoder` (see decoder.ts), which extends it. Not part of the public API:
 * its members are protected only for that subclass and may change in any release.
 */
export abstract class StackDecoder {
  protected readonly onReply: (reply: unknown) => void
  private readonly onPush: ((push: unknown) => void) | undefined
  private readonly onAttribute: ((attribute: unknown, value: unknown) => void) | undefined
  protected readonly lossless: boolean
  protected readonly binary: boolean
  protected readonly binaryForNextReply: ((push: boolean) => boolean) | undefined
  private readonly mapKind: number
  private readonly setKind: number
  protected readonly maxBulk: number
  protected readonly maxAggregate: number
  protected readonly maxDepth: number
  protected readonly maxLine: number
  private readonly maxAttributes: number
  protected readonly decodeUtf8: Utf8Decoder

  protected stack: Frame[] = []
  protected depth = 0
  protected topAttrs: unknown[] | null = null
  /** Whether strings of the reply being parsed come out as bytes. */
  protected bin = false
  /** Stream offset of the first byte of the current chunk. */
  protected base = 0
  protected failure: Error | undefined = undefined
  /** Stream offset of the line being handled, for errors found after it. */
  private at = 0
  /** Where a fast path's header ended. */
  protected next = 0
  /** Array slots the current chunk may still pre-size: one per 3 of its bytes, in all. */
  protected room = 0
  /** Where fastElements stopped: (items, declared length, filled, offset) per array, innermost first. */
  protected readonly stopped: unknown[] = []
  /** The array binary strings were last cut from, its buffer and offset: views made by hand. */
  protected viewSrc: Uint8Array | null = null
  protected viewBuffer: ArrayBufferLike | null = null
  private viewOffset = 0
  /** Inside feed(): a feed() from a callback is queued here, to keep the stream in order. */
  protected feeding = false
  protected queue: Uint8Array[] | null = null

  // A header line that did not end in the chunk it started in.
  protected line: Uint8Array = new Uint8Array(0)
  protected lineLen = 0
  protected lineCR = false
  protected lineAbs = 0

  // A payload (bulk, bulk error, verbatim, chunk of a streamed string) being read.
  protected inPayload = false
  private payType = 0
  private payNeed = 0
  private payCrlf = 0
  /** Whether the payload came in more than one piece, kept in `pay`. */
  private paySplit = false
  protected readonly pay: ByteParts = new ByteParts()
  private payAbs = 0

  /** Throws a TypeError or RangeError naming any option of the wrong type or value. */
  constructor(options: DecoderOptions) {
    const limits = checkOptions(options)
    this.onReply = options.onReply as (reply: unknown) => void
    this.onPush = options.onPush as ((push: unknown) => void) | undefined
    this.onAttribute = options.onAttribute
    this.lossless = options.mode === 'lossless'
    this.binary = options.binary === true
    this.binaryForNextReply = options.binaryForNextReply
    this.mapKind = options.mapAs === 'object' ? OBJECT : MAP_KIND
    this.setKind = options.setAs === 'array' ? LIST : SET_KIND
    this.maxBulk = limits.maxBulkLength
    this.maxAggregate = limits.maxAggregateLength
    this.maxDepth = limits.maxDepth
    this.maxLine = limits.maxLineLength
    this.maxAttributes = limits.maxAttributes
    this.decodeUtf8 = options.decodeUtf8 ?? textDecoderUtf8
  }

  /** Bookkeeping at the start of every value: the reply's string mode, the offset for errors. */
  protected startValue(type: number, abs: number): void {
    if (this.depth === 0 && this.topAttrs === null) {
      // The first line of a top-level value (an attribute counts: it belongs to the reply).
      this.bin = this.binaryForNextReply === undefined ? this.binary : this.binaryForNextReply(type === PUSH)
    }
    this.at = abs
  }

  /**
   * Index of the CR that ends the line, or `buf.length` if the chunk ends first. At most
   * `allowance` bytes may come before the CR: the verdict on a long line is the same however
   * the stream is split.
   */
  protected scanLine(buf: Uint8Array, from: number, allowance: number, lineAbs: number): number {
    const stop = Math.min(buf.length, from + allowance + 1)
    let i = from
    while (i < stop) {
      const c = buf[i]
      if (c === CR) return i
      if (c === LF) this.fail(Reason.MissingCrlf, 'line ends with LF without CR', this.base + i)
      i++
    }
    if (i === from + allowance + 1) this.fail(Reason.LineTooLong, `line longer than maxLineLength (${this.maxLine})`, lineAbs)
    return i
  }

  /** Keep the start of a line that goes on in the next chunk; bounded by scanLine. */
  protected appendLine(src: Uint8Array, from: number, to: number): void {
    const need = this.lineLen + to - from
    if (need > this.line.length) {
      const grown = new Uint8Array(Math.max(need, this.line.length * 2, 64))
      grown.set(this.line.subarray(0, this.lineLen))
      this.line = grown
    }
    this.line.set(src.subarray(from, to), this.lineLen)
    this.lineLen = need
  }

  /** Continue a header line begun in an earlier chunk. */
  protected readLineRest(buf: Uint8Array, pos: number): number {
    const len = buf.length
    if (this.lineCR) {
      if (buf[pos] !== LF) this.fail(Reason.MissingCrlf, 'CR not followed by LF', this.base + pos)
      this.finishStashedLine(this.lineLen - 1)
      return pos + 1
    }
    const i = this.scanLine(buf, pos, this.maxLine - (this.lineLen - 1), this.lineAbs)
    if (i + 1 >= len) {
      this.appendLine(buf, pos, len)
      this.lineCR = i < len
      return len
    }
    if (buf[i + 1] !== LF) this.fail(Reason.MissingCrlf, 'CR not followed by LF', this.base + i + 1)
    this.appendLine(buf, pos, i)
    this.finishStashedLine(this.lineLen)
    return i + 2
  }

  private finishStashedLine(end: number): void {
    const line = this.line
    this.lineLen = 0
    this.lineCR = false
    this.handleLine(line, 0, end, this.lineAbs)
  }

  /** A complete line: `src[start]` is the type byte, `src[end]` where its CR was. */
  protected handleLine(src: Uint8Array, start: number, end: number, abs: number): void {
    const type = src[start]
    const a = start + 1
    if (this.depth > 0 && type !== CHUNK && this.stack[this.depth - 1].type === BULK) {
      this.fail(Reason.Misplaced, 'a streamed string may only hold `;` chunks', abs)
    }
    this.startValue(type, abs)
    switch (type) {
      case SIMPLE:
        checkSimple(src, a, end, abs)
        return this.add(this.lossless ? new RespNode('+', src.slice(a, end)) : this.text(src, a, end), type)
      case ERROR:
        checkSimple(src, a, end, abs)
        return this.add(this.lossless ? new RespNode('-', src.slice(a, end)) : new ReplyError(utf8(src, a, end)), type)
      case INTEGER:
        return this.add(parseInteger(src, a, end, abs, this.lossless), type)
      case BULK:
      case BULK_ERROR:
      case VERBATIM: {
        if (type === BULK && end === a + 1 && src[a] === QUESTION) return this.open(BULK, LIST, -1, abs)
        const n = parseLength(src, a, end, abs, this.maxBulk, type === BULK, Reason.BulkTooLong)
        if (n === -1) return this.add(this.lossless ? new RespNode('$', null) : null, type)
        return this.startPayload(type, n)
      }
      case CHUNK: {
        const top = this.depth > 0 ? this.stack[this.depth - 1] : undefined
        if (top === undefined || top.type !== BULK) this.fail(Reason.Misplaced, '`;` chunk outside a streamed string', abs)
        const n = parseLength(src, a, end, abs, this.maxBulk, false, Reason.BulkTooLong)
        // The bytes on the wire count, framing included: one-byte parts cost 7 bytes each.
        if ((top!.size += end - start + 2 + (n > 0 ? n + 2 : 0)) > this.maxBulk) {
          this.fail(Reason.BulkTooLong, `streamed string is over maxBulkLength (${this.maxBulk})`, abs)
        }
        if (n > 0) {
          if (top!.lengths !== null) top!.lengths.push(n)
          return this.startPayload(CHUNK, n)
        }
        this.depth--
        const parts = (top!.items as ByteParts).take()
        const lengths = top!.lengths
        top!.items = null
        top!.lengths = null
        return this.add(lengths !== null ? new RespNode('$', partsAsSent(parts, lengths), true) : this.joinedText(parts), BULK)
      }
      case ARRAY:
      case SET:
      case PUSH:
      case MAP:
      case ATTRIBUTE: {
        if (type === PUSH && this.depth > 0) this.fail(Reason.Misplaced, 'a push may only come at the top level', abs)
        if (type === ATTRIBUTE) {
          const pending = this.depth === 0 ? this.topAttrs : this.stack[this.depth - 1].attrs
          if ((pending === null ? 0 : pending.length) >= this.maxAttributes) {
            this.fail(Reason.TooManyAttributes, `more than maxAttributes (${this.maxAttributes}) attributes before a value`, abs)
          }
        }
        const kind = this.lossless ? LIST : type === MAP || type === ATTRIBUTE ? this.mapKind : type === SET ? this.setKind : LIST
        if (end === a + 1 && src[a] === QUESTION) return this.open(type, kind, -1, abs)
        const n = parseLength(src, a, end, abs, this.maxAggregate, type === ARRAY, Reason.AggregateTooLong)
        if (n === -1) return this.add(this.lossless ? new RespNode('*', null) : null, type)
        const count = type === MAP || type === ATTRIBUTE ? n * 2 : n
        if (count > 0) return this.open(type, kind, count, abs)
        return this.complete(type, this.container(kind), false)
      }
      case NULL:
        if (end !== a) this.fail(Reason.BadNull, 'null `_` must be empty', abs + 1)
        return this.add(this.lossless ? new RespNode('_', null) : null, type)
      case BOOLEAN: {
        const c = src[a]
        if (end !== a + 1 || (c !== 116 && c !== 102)) this.fail(Reason.BadBoolean, 'boolean must be `#t` or `#f`', abs + 1)
        return this.add(this.lossless ? new RespNode('#', c === 116) : c === 116, type)
      }
      case DOUBLE:
        return this.add(parseDouble(src, a, end, abs, this.lossless), type)
      case BIG_NUMBER:
        return this.add(parseBigNumber(src, a, end, abs, this.lossless), type)
      case END: {
        const top = this.depth > 0 ? this.stack[this.depth - 1] : undefined
        if (top === undefined || top.left !== -1 || top.type === BULK) {
          this.fail(Reason.Misplaced, '`.` outside a streamed aggregate', abs)
        }
        if (end !== a) this.fail(Reason.BadLine, '`.` must be alone on its line', abs + 1)
        const pairs = top!.type === MAP || top!.type === ATTRIBUTE
        if (top!.hasKey || (pairs && this.lossless && top!.items.length % 2 !== 0)) this.fail(Reason.Misplaced, 'streamed map ended after a key without its value', abs)
        if (top!.attrs !== null) this.fail(Reason.Misplaced, 'attribute not followed by the value it annotates', abs)
        this.depth--
        const items = top!.items
        top!.items = null
        return this.complete(top!.type, items, true)
      }
    }
  }

  /** A simple string; in binary mode a view, unless `src` is the line buffer, which is reused. */
  private text(src: Uint8Array, a: number, b: number): string | Uint8Array {
    if (!this.bin) return utf8(src, a, b, this.decodeUtf8)
    return src === this.line ? src.slice(a, b) : this.view(src, a, b)
  }

  /**
   * `src[a..b)` as a view, as Buffer.slice in redis-parser: copying made binary 100-byte bulks
   * 5x slower than redis-parser (a copy over 64 bytes gets an ArrayBuffer of its own). Made
   * with the constructor on a cached buffer, which measured cheaper than subarray().
   */
  protected view(src: Uint8Array, a: number, b: number): Uint8Array {
    if (src !== this.viewSrc) {
      this.viewSrc = src
      this.viewBuffer = src.buffer
      this.viewOffset = src.byteOffset
    }
    return new Uint8Array(this.viewBuffer!, this.viewOffset + a, b - a)
  }

  private joinedText(parts: Uint8Array[]): string | Uint8Array {
    return this.bin ? concatBytes(parts) : utf8Parts(parts, this.decodeUtf8)
  }

  private startPayload(type: number, n: number): void {
    this.payAbs = this.at
    this.inPayload = true
    this.payType = type
    this.payNeed = n
    this.payCrlf = 2
    this.paySplit = false
  }

  /** Read as much of the current payload and its CRLF as `buf` holds. */
  protected readPayload(buf: Uint8Array, pos: number): number {
    const need = this.payNeed
    if (need > 0 && !this.paySplit && this.payCrlf === 2 && buf.length - pos >= need + 2) {
      // Whole payload in this chunk: the common case, no copy before decoding.
      const end = pos + need
      if (buf[end] !== CR || buf[end + 1] !== LF) {
        this.fail(Reason.MissingCrlf, 'bulk payload not followed by CRLF', this.base + (buf[end] !== CR ? end : end + 1))
      }
      this.inPayload = false
      this.finishPayload(buf, pos, end, false)
      return end + 2
    }
    // The rest apart, so that the common case stays a small function.
    return this.readPayloadPiece(buf, pos)
  }

  /** A payload, or its CRLF, that goes on past this chunk or began in an earlier one. */
  private readPayloadPiece(buf: Uint8Array, pos: number): number {
    const len = buf.length
    const need = this.payNeed
    if (need > 0) {
      const take = Math.min(need, len - pos)
      // A streamed string's parts go straight to its frame, joined when it ends.
      const parts = this.payType === CHUNK ? (this.stack[this.depth - 1].items as ByteParts) : this.pay
      parts.push(buf.subarray(pos, pos + take), need - take)
      this.paySplit = true
      this.payNeed = need - take
      pos += take
      if (this.payNeed > 0) return pos
    }
    while (this.payCrlf > 0 && pos < len) {
      const want = this.payCrlf === 2 ? CR : LF
      if (buf[pos] !== want) this.fail(Reason.MissingCrlf, 'bulk payload not followed by CRLF', this.base + pos)
      this.payCrlf--
      pos++
    }
    if (this.payCrlf > 0) return pos
    this.inPayload = false
    if (this.payType === CHUNK) return pos
    if (!this.paySplit) {
      this.finishPayload(new Uint8Array(0), 0, 0, true)
      return pos
    }
    const parts = this.pay.take()
    if (parts.length === 1) this.finishPayload(parts[0], 0, parts[0].length, false)
    else if (this.payType === BULK && !this.bin && !this.lossless) this.add(utf8Parts(parts, this.decodeUtf8), BULK)
    else {
      const joined = concatBytes(parts)
      this.finishPayload(joined, 0, joined.length, true)
    }
    return pos
  }

  /** `owned` says `src` is a fresh copy nobody else holds, so it can be handed out as is. */
  private finishPayload(src: Uint8Array, a: number, b: number, owned: boolean): void {
    const type = this.payType
    if (type === BULK) {
      if (this.lossless) return this.add(new RespNode('$', copy(src, a, b, owned)), type)
      // Binary: a view of the chunk, or of the joined copy.
      return this.add(this.bin ? this.view(src, a, b) : utf8(src, a, b, this.decodeUtf8), type)
    }
    if (type === CHUNK) {
      ;(this.stack[this.depth - 1].items as ByteParts).push(src.subarray(a, b), 0)
      return
    }
    if (type === BULK_ERROR) {
      return this.add(this.lossless ? new RespNode('!', copy(src, a, b, owned)) : new ReplyError(utf8(src, a, b)), type)
    }
    // Verbatim: three bytes of format, a colon, then the text.
    if (b - a < 4 || src[a + 3] !== 58) {
      this.fail(Reason.BadVerbatim, 'verbatim string must start with a 3-letter format and `:`', this.payAbs)
    }
    if (this.lossless) return this.add(new RespNode('=', copy(src, a, b, owned)), type)
    return this.add(this.bin ? this.view(src, a + 4, b) : utf8(src, a + 4, b, this.decodeUtf8), type)
  }

  private container(kind: number): any {
    if (kind === LIST) return []
    if (kind === MAP_KIND) return new Map()
    if (kind === SET_KIND) return new Set()
    return {}
  }

  /** `items`: a container made by the caller (a pre-sized array), else a new empty one. */
  protected open(type: number, kind: number, left: number, abs: number, items?: unknown): void {
    if (this.depth >= this.maxDepth) this.fail(Reason.TooDeep, `nesting deeper than maxDepth (${this.maxDepth})`, abs)
    if (this.mapKind === OBJECT && this.depth > 0 && type !== BULK && type !== ATTRIBUTE) {
      // A plain object has string keys only: refused here, before anything nests inside it.
      const parent = this.stack[this.depth - 1]
      if (parent.kind === OBJECT && !parent.hasKey) this.fail(Reason.BadKey, 'an aggregate as a map key, with mapAs: \'object\'', abs)
    }
    let f = this.stack[this.depth]
    if (f === undefined) f = this.stack[this.depth] = new Frame()
    f.type = type
    f.kind = kind
    f.left = left
    f.items = items !== undefined ? items : type === BULK ? new ByteParts() : this.container(kind)
    f.key = undefined
    f.hasKey = false
    f.attrs = null
    f.size = 0
    f.lengths = type === BULK && this.lossless ? [] : null
    f.abs = abs
    this.depth++
  }

  /** An aggregate is complete: wrap it (lossless), then hand it to its parent. */
  private complete(type: number, items: unknown, streamed: boolean): void {
    const value = this.lossless ? new RespNode(String.fromCharCode(type) as RespType, items, streamed) : items
    if (type === ATTRIBUTE) this.attach(value)
    else this.add(value, type)
  }

  private attach(attribute: unknown): void {
    if (this.depth === 0) (this.topAttrs ??= []).push(attribute)
    else (this.stack[this.depth - 1].attrs ??= []).push(attribute)
  }

  private annotate(attrs: unknown[], value: unknown): void {
    if (this.lossless) (value as RespNode).attributes = attrs as RespNode[]
    else if (this.onAttribute !== undefined) for (const attr of attrs) this.onAttribute(attr, value)
  }

  /** A value is complete: put it in its parent, closing every aggregate it completes. */
  protected add(value: unknown, type: number): void {
    for (;;) {
      const d = this.depth
      if (d === 0) {
        if (this.topAttrs !== null) {
          this.annotate(this.topAttrs, value)
          this.topAttrs = null
        }
        if (type === PUSH) this.onPush?.(value)
        else this.onReply(value)
        return
      }
      const f = this.stack[d - 1]
      if (f.attrs !== null) {
        this.annotate(f.attrs, value)
        f.attrs = null
      }
      const kind = f.kind
      if (kind === LIST) f.items[f.size++] = value
      else if (kind === SET_KIND) f.items.add(value)
      else if (!f.hasKey) {
        f.key = value
        f.hasKey = true
      } else {
        if (kind === MAP_KIND) f.items.set(f.key, value)
        else this.setProperty(f.items, f.key, value)
        f.key = undefined
        f.hasKey = false
      }
      if (f.left === -1) {
        const max = f.type === MAP || f.type === ATTRIBUTE ? this.maxAggregate * 2 : this.maxAggregate
        if ((kind === LIST ? f.size : ++f.size) > max) this.fail(Reason.AggregateTooLong, `streamed aggregate is over maxAggregateLength (${this.maxAggregate})`, this.at)
      } else if (--f.left === 0) {
        this.depth = d - 1
        const items = f.items
        f.items = null
        type = f.type
        // An error about the aggregate as a whole (a streamed parent over its limit) points at it.
        this.at = f.abs
        if (this.lossless) value = new RespNode(String.fromCharCode(type) as RespType, items)
        else value = items
        if (type === ATTRIBUTE) return this.attach(value)
        continue
      }
      return
    }
  }

  /** Set a key on a plain object so that no key, `__proto__` included, can reach a prototype. */
  private setProperty(target: Record<string, unknown>, key: unknown, value: unknown): void {
    let name: string
    if (typeof key === 'string') name = key
    else if (key instanceof Uint8Array) name = utf8(key, 0, key.length, this.decodeUtf8)
    else if (typeof key === 'object' && key !== null) {
      // An error reply (aggregates were refused when they opened): no stringification of an
      // object built from peer bytes, whose toString the peer may have set.
      return this.fail(Reason.BadKey, 'an error as a map key, with mapAs: \'object\'', this.at)
    } else name = String(key)
    if (name === '__proto__') Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true })
    else target[name] = value
  }

  protected fail(reason: Reason, message: string, offset: number): never {
    throw new ProtocolError(reason, message, offset)
  }
}
