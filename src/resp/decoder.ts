// A resumable push parser for RESP2 and RESP3: feed it chunks split anywhere and it calls back
// with each complete reply. Aggregates live on an explicit stack (so nesting depth is bounded by
// `maxDepth`, not by the JavaScript stack); an array whose elements are whole in the chunk is read
// in one loop instead, recursing at most FAST_DEPTH levels, and hands what it could not finish
// to that stack. Bulk payloads that span chunks are kept as references to the received chunks
// and joined once, so no byte is scanned or copied twice.
//
// Memory budget: what the decoder holds for a partial reply stays proportional to the bytes
// received, whatever their shape: at most 4 bytes of heap per byte of a string's payload, and
// 192 per byte of anything else, plus a fixed amount per open aggregate (a frame, under 1 KiB)
// and per payload (a copy buffer, 16 KiB). Nothing is sized from a declared length; arrays are
// pre-sized from the bytes of the chunk at hand, one slot per 3 bytes of it at most, shared by
// all the arrays it opens; payload pieces under 4 KiB are copied together (bytes.ts); a
// streamed string's framing counts toward maxBulkLength; attributes waiting for their value are
// bounded by maxAttributes. The worst shape is a tiny value per 3 bytes that is an object of its
// own: `-\r\n`, an error, is ~25 bytes of heap per byte on Node and ~150 on Deno, whose Error
// objects are larger; in lossless mode, a RespNode and a Uint8Array, ~90 on Node.
// fuzz/properties.ts checks this budget on every shape it knows, in every chunking.

import { ProtocolError, ProtocolErrorReason as Reason, ReplyError } from './errors.ts'
import { RespNode, type DecodeOptions, type DecoderOptions, type RespType } from './types.ts'
import { checkOptions } from './decoder-options.ts'
import { textDecoderUtf8, utf8, utf8Parts, type Utf8Decoder } from './text.ts'
import { ByteParts, concatBytes } from './bytes.ts'
import { checkSimple, copy, parseBigNumber, parseDouble, parseInteger, parseLength, partsAsSent } from './decoder-scalars.ts'

// The constants of the hot paths stay in this module: V8 compiles a module's own `const` to an
// immediate, an imported one to a load from its module cell (decoder-scalars.ts has its own).
const CR = 13
const LF = 10
const MINUS = 45
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

/** Nesting fastElements reads by recursion (deeper goes the general way, on the explicit stack). */
const FAST_DEPTH = 8

const KNOWN_TYPE = new Uint8Array(256)
for (const c of '+-:$*_#,(!=%~|>;.') KNOWN_TYPE[c.charCodeAt(0)] = 1

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

export class Decoder {
  private readonly onReply: (reply: unknown) => void
  private readonly onPush: ((push: unknown) => void) | undefined
  private readonly onAttribute: ((attribute: unknown, value: unknown) => void) | undefined
  private readonly lossless: boolean
  private readonly binary: boolean
  private readonly binaryForNextReply: ((push: boolean) => boolean) | undefined
  private readonly mapKind: number
  private readonly setKind: number
  private readonly maxBulk: number
  private readonly maxAggregate: number
  private readonly maxDepth: number
  private readonly maxLine: number
  private readonly maxAttributes: number
  private readonly decodeUtf8: Utf8Decoder

  private stack: Frame[] = []
  private depth = 0
  private topAttrs: unknown[] | null = null
  /** Whether strings of the reply being parsed come out as bytes. */
  private bin = false
  /** Stream offset of the first byte of the current chunk. */
  private base = 0
  private failure: Error | undefined = undefined
  /** Stream offset of the line being handled, for errors found after it. */
  private at = 0
  /** Where a fast path's header ended. */
  private next = 0
  /** Array slots the current chunk may still pre-size: one per 3 of its bytes, in all. */
  private room = 0
  /** Where fastElements stopped: (items, declared length, filled, offset) per array, innermost first. */
  private readonly stopped: unknown[] = []
  /** The array binary strings were last cut from, its buffer and offset: views made by hand. */
  private viewSrc: Uint8Array | null = null
  private viewBuffer: ArrayBufferLike | null = null
  private viewOffset = 0
  /** Inside feed(): a feed() from a callback is queued here, to keep the stream in order. */
  private feeding = false
  private queue: Uint8Array[] | null = null

  // A header line that did not end in the chunk it started in.
  private line: Uint8Array = new Uint8Array(0)
  private lineLen = 0
  private lineCR = false
  private lineAbs = 0

  // A payload (bulk, bulk error, verbatim, chunk of a streamed string) being read.
  private inPayload = false
  private payType = 0
  private payNeed = 0
  private payCrlf = 0
  /** Whether the payload came in more than one piece, kept in `pay`. */
  private paySplit = false
  private readonly pay = new ByteParts()
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

  /**
   * The error that stopped this decoder, until `reset()`: a ProtocolError, or whatever a
   * callback threw (the rest of that chunk was not parsed, so the stream is lost either way).
   */
  get failed(): Error | undefined {
    return this.failure
  }

  /** True between replies: no partial reply is held. A stream that ends while false was cut short. */
  get idle(): boolean {
    return this.depth === 0 && !this.inPayload && this.lineLen === 0 && !this.lineCR && this.topAttrs === null
  }

  /**
   * Parse the next bytes of the stream. Calls back with every reply they complete. Throws a
   * ProtocolError on invalid input (replies before it were delivered), and again on every
   * later call until `reset()`. The decoder may keep references to `chunk`: do not change it.
   * Called from inside a callback, it queues `chunk` after the rest of the chunk being parsed,
   * so the stream stays in order, and returns.
   */
  feed(chunk: Uint8Array): void {
    if (this.failure !== undefined) throw this.failure
    if (this.feeding) {
      ;(this.queue ??= []).push(chunk)
      return
    }
    this.feeding = true
    try {
      this.parse(chunk)
      this.base += chunk.length
      if (this.queue !== null) this.drainQueue()
    } catch (error) {
      // A throwing callback leaves the rest of the chunk unparsed: the stream is lost either way.
      this.failure = error as Error
      this.queue = null
      throw error
    } finally {
      this.feeding = false
      // Hold no chunk once it is parsed.
      this.viewSrc = null
      this.viewBuffer = null
    }
  }

  /** Chunks fed from inside callbacks, in the order they were fed. */
  private drainQueue(): void {
    const queue = this.queue!
    for (let i = 0; i < queue.length; i++) {
      this.parse(queue[i])
      this.base += queue[i].length
    }
    this.queue = null
  }

  /** Forget everything: partial replies, the failure, the stream offset. */
  reset(): void {
    for (let i = 0; i < this.stack.length; i++) {
      const f = this.stack[i]
      f.items = null
      f.key = undefined
      f.attrs = null
      f.lengths = null
    }
    this.depth = 0
    this.topAttrs = null
    this.base = 0
    this.failure = undefined
    this.line = new Uint8Array(0)
    this.lineLen = 0
    this.lineCR = false
    this.inPayload = false
    this.pay.take()
    this.queue = null
  }

  private parse(buf: Uint8Array): void {
    const len = buf.length
    let pos = 0
    this.room = (len / 3) | 0
    while (pos < len) {
      if (this.inPayload) {
        pos = this.readPayload(buf, pos)
        continue
      }
      if (this.lineLen > 0) {
        pos = this.readLineRest(buf, pos)
        continue
      }
      const type = buf[pos]
      if (!this.lossless && (type === BULK || type === ARRAY || type === INTEGER || type === SIMPLE)) {
        const next = type === INTEGER ? this.fastInteger(buf, pos) : type === SIMPLE ? this.fastSimple(buf, pos) : this.fastHeader(buf, pos, type)
        if (next !== -1) {
          pos = next
          continue
        }
      }
      if (KNOWN_TYPE[type] === 0) {
        this.fail(Reason.UnknownType, `unknown RESP type byte 0x${type.toString(16).padStart(2, '0')}`, this.base + pos)
      }
      const i = this.scanLine(buf, pos + 1, this.maxLine, this.base + pos)
      if (i + 1 >= len) {
        // The line goes on in the next chunk: keep its start (it is short and bounded).
        this.lineAbs = this.base + pos
        this.appendLine(buf, pos, len)
        this.lineCR = i < len
        return
      }
      if (buf[i + 1] !== LF) this.fail(Reason.MissingCrlf, 'CR not followed by LF', this.base + i + 1)
      const start = pos
      pos = i + 2
      this.handleLine(buf, start, i, this.base + start)
    }
  }

  /**
   * One pass over the commonest frames when they are whole in `buf`: an integer, a bulk string
   * with its payload, an array header. Each returns the next position, or -1 to leave the frame
   * to the general path, which also reports every error. Integers have a function of their
   * own: on 64 KiB chunks of `:123456`, they went from 46 to 58 M replies/s once apart from the
   * length headers (and splitting those further cost nested arrays a third).
   */
  private fastHeader(buf: Uint8Array, pos: number, type: number): number {
    if (this.depth > 0 && this.stack[this.depth - 1].type === BULK) return -1
    const n = this.fastLength(buf, pos)
    if (n < 0) {
      // RESP2's null bulk, common inside replies (HMGET, XRANGE): `$-1`.
      if (type === BULK && buf[pos + 1] === MINUS && buf[pos + 2] === 49 && buf[pos + 3] === CR && pos + 4 < buf.length && buf[pos + 4] === LF) {
        this.startValue(BULK, this.base + pos)
        this.add(null, BULK)
        return pos + 5
      }
      return -1
    }
    if (type === ARRAY) {
      if (n > this.maxAggregate) return -1
      const abs = this.base + pos
      this.startValue(ARRAY, abs)
      const items = this.arrayFor(n, buf.length - this.next)
      // Too deep, or an array as a plain object's key: refused by open() before anything inside is read.
      if (this.depth >= this.maxDepth || (this.depth > 0 && this.stack[this.depth - 1].kind === OBJECT && !this.stack[this.depth - 1].hasKey)) {
        this.open(ARRAY, LIST, n, abs, items)
        return this.next
      }
      const end = this.fastElements(buf, this.next, n, items, 0, abs)
      if (end >= 0) {
        this.add(items, ARRAY)
        return end
      }
      // Stopped inside: the arrays it was filling become frames, outermost first, and the
      // general path goes on from the element it stopped at.
      const open = this.stopped
      try {
        for (let k = open.length - 4; k >= 0; k -= 4) {
          const filled = open[k + 2] as number
          this.open(ARRAY, LIST, (open[k + 1] as number) - filled, open[k + 3] as number, open[k])
          this.stack[this.depth - 1].size = filled
        }
      } finally {
        // Emptied whatever happens: no reply of this stream stays reachable from here.
        open.length = 0
      }
      return -end - 1
    }
    const start = this.next
    const end = start + n
    if (n > this.maxBulk || end + 1 >= buf.length || buf[end] !== CR || buf[end + 1] !== LF) return -1
    if (this.depth === 0 && this.topAttrs === null) {
      // A whole reply on its own (GET): straight out, as fastInteger does.
      const bin = this.binaryForNextReply === undefined ? this.binary : this.binaryForNextReply(false)
      this.bin = bin
      this.onReply(bin ? this.view(buf, start, end) : utf8(buf, start, end, this.decodeUtf8))
      return end + 2
    }
    this.startValue(BULK, this.base + pos)
    this.add(this.bin ? this.view(buf, start, end) : utf8(buf, start, end, this.decodeUtf8), BULK)
    return end + 2
  }

  /** A simple string whole in `buf` (`+OK`, the commonest reply of all); -1 leaves it to the general path. */
  private fastSimple(buf: Uint8Array, pos: number): number {
    if (this.depth > 0 && this.stack[this.depth - 1].type === BULK) return -1
    const len = buf.length
    // As scanLine: the CR may come at most maxLine bytes after the type byte, and no bare LF.
    const stop = Math.min(len, pos + 2 + this.maxLine)
    let i = pos + 1
    while (i < stop && buf[i] !== CR && buf[i] !== LF) i++
    if (i === stop || i + 1 >= len || buf[i] !== CR || buf[i + 1] !== LF) return -1
    this.startValue(SIMPLE, this.base + pos)
    // `OK`, the reply to every write, is one string made once (JavaScriptCore builds a
    // two-character string from bytes at ~3x V8's cost).
    const ok = i === pos + 3 && buf[pos + 1] === 79 && buf[pos + 2] === 75
    this.add(this.bin ? this.view(buf, pos + 1, i) : ok ? 'OK' : utf8(buf, pos + 1, i, this.decodeUtf8), SIMPLE)
    return i + 2
  }

  /**
   * Small arrays get their exact size, a fixed cost per open frame. Larger ones get room for
   * the elements this chunk can hold (3 bytes each at least): sized by the bytes received,
   * never by the length the peer declared, and shared by every array of the chunk, so that
   * `*2147483647\r\n` a thousand times does not reserve it a thousand times.
   */
  private arrayFor(n: number, bytesLeft: number): unknown[] {
    if (n <= 8) return new Array(n)
    const room = Math.min(n, (bytesLeft / 3) | 0, this.room)
    if (room <= 8) return []
    this.room -= room
    return new Array(room)
  }

  /**
   * The elements of an array, read in one loop while each is a bulk string, an integer, a null
   * (RESP2's or RESP3's) or a nested array whole in `buf`, what most replies are made of: no
   * frame and no add() per element. Returns the position after the array. At anything else (a
   * chunk's end, another type, a malformed or over-limit element) it stops and returns
   * -(position) - 1, leaving in `stopped` each array it was filling (with `abs`, where it began),
   * innermost first; the general path goes on from there, reads the element it stopped at and
   * reports any error, so verdicts and offsets do not depend on which path read what. Recursion
   * is bounded by FAST_DEPTH and maxDepth.
   */
  private fastElements(buf: Uint8Array, pos: number, n: number, items: unknown[], level: number, abs: number): number {
    const len = buf.length
    for (let i = 0; i < n; i++) {
      const type = pos < len ? buf[pos] : 0
      if (type === BULK || type === ARRAY || type === INTEGER) {
        // The digits are read here, not by fastLength or fastInteger: see fastInteger on why.
        let j = pos + 1
        const neg = type === INTEGER && j < len && buf[j] === MINUS
        if (neg) j++
        const first = j
        let m = 0
        while (j < len) {
          const d = buf[j] - 48
          if (d < 0 || d > 9) break
          m = m * 10 + d
          j++
        }
        const digits = j - first
        if (digits > 0 && digits <= 15 && j + 1 < len && buf[j] === CR && buf[j + 1] === LF && j - pos - 1 <= this.maxLine) {
          if (type === INTEGER) {
            items[i] = neg ? 0 - m : m
            pos = j + 2
            continue
          }
          if (buf[first] !== 48 || digits === 1) {
            if (type === BULK) {
              const start = j + 2
              const end = start + m
              if (m <= this.maxBulk && end + 1 < len && buf[end] === CR && buf[end + 1] === LF) {
                items[i] = this.bin ? this.view(buf, start, end) : utf8(buf, start, end, this.decodeUtf8)
                pos = end + 2
                continue
              }
            } else if (m <= this.maxAggregate && level < FAST_DEPTH && this.depth + level + 1 < this.maxDepth) {
              const inner = this.arrayFor(m, len - j - 2)
              const end = this.fastElements(buf, j + 2, m, inner, level + 1, this.base + pos)
              if (end < 0) {
                this.stopped.push(items, n, i, abs)
                return end
              }
              items[i] = inner
              pos = end
              continue
            }
          }
        } else if (digits === 0 && type !== INTEGER && pos + 4 < len && buf[pos + 1] === MINUS && buf[pos + 2] === 49 && buf[pos + 3] === CR && buf[pos + 4] === LF) {
          // RESP2's nulls, `$-1` and `*-1`.
          items[i] = null
          pos += 5
          continue
        }
      } else if (type === NULL && pos + 2 < len && buf[pos + 1] === CR && buf[pos + 2] === LF) {
        // RESP3's null.
        items[i] = null
        pos += 3
        continue
      }
      this.stopped.push(items, n, i, abs)
      return -pos - 1
    }
    return pos
  }

  /**
   * The length of a `$n` or `*n` header whole in `buf`, plain digits, non-zero, no leading zero;
   * else -1 (`$-1`, `*0`, `$?`, and every malformed header go the general way). Sets `next`.
   */
  private fastLength(buf: Uint8Array, pos: number): number {
    const len = buf.length
    let i = pos + 1
    let n = 0
    while (i < len) {
      const d = buf[i] - 48
      if (d < 0 || d > 9) break
      n = n * 10 + d
      i++
    }
    const digits = i - pos - 1
    if (digits === 0 || digits > 15 || i + 1 >= len || buf[i] !== CR || buf[i + 1] !== LF || digits > this.maxLine || buf[pos + 1] === 48) return -1
    this.next = i + 2
    return n
  }

  /**
   * An integer of up to 15 digits, the commonest reply of all. Its digit loop repeats
   * fastLength's on purpose: sharing one helper measured 3-8% slower on integers and bulks.
   */
  private fastInteger(buf: Uint8Array, pos: number): number {
    const len = buf.length
    let i = pos + 1
    const neg = i < len && buf[i] === MINUS
    if (neg) i++
    const first = i
    let n = 0
    while (i < len) {
      const d = buf[i] - 48
      if (d < 0 || d > 9) break
      n = n * 10 + d
      i++
    }
    if (i === first || i - first > 15 || i + 1 >= len || buf[i] !== CR || buf[i + 1] !== LF || i - pos - 1 > this.maxLine) return -1
    if (this.depth === 0 && this.topAttrs === null) {
      // A whole reply on its own: straight out (the hook is still asked, once per reply).
      if (this.binaryForNextReply !== undefined) this.bin = this.binaryForNextReply(false)
      this.onReply(neg ? 0 - n : n)
    } else {
      if (this.depth > 0 && this.stack[this.depth - 1].type === BULK) return -1
      this.startValue(INTEGER, this.base + pos)
      this.add(neg ? 0 - n : n, INTEGER)
    }
    return i + 2
  }

  /** Bookkeeping at the start of every value: the reply's string mode, the offset for errors. */
  private startValue(type: number, abs: number): void {
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
  private scanLine(buf: Uint8Array, from: number, allowance: number, lineAbs: number): number {
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
  private appendLine(src: Uint8Array, from: number, to: number): void {
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
  private readLineRest(buf: Uint8Array, pos: number): number {
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
  private handleLine(src: Uint8Array, start: number, end: number, abs: number): void {
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
  private view(src: Uint8Array, a: number, b: number): Uint8Array {
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
  private readPayload(buf: Uint8Array, pos: number): number {
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
  private open(type: number, kind: number, left: number, abs: number, items?: unknown): void {
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
  private add(value: unknown, type: number): void {
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

  private fail(reason: Reason, message: string, offset: number): never {
    throw new ProtocolError(reason, message, offset)
  }
}

/** Decode exactly one reply (or push) from `bytes`. Throws a ProtocolError if there is not exactly one. */
export function decode(bytes: Uint8Array, options: DecodeOptions & { mode: 'lossless' }): RespNode
export function decode(bytes: Uint8Array, options?: DecodeOptions): unknown
export function decode(bytes: Uint8Array, options?: DecodeOptions): unknown {
  const values: unknown[] = []
  const decoder = new Decoder({ ...options, onReply: (v: unknown) => values.push(v), onPush: (v: unknown) => values.push(v) } as DecoderOptions)
  decoder.feed(bytes)
  if (!decoder.idle) throw new ProtocolError(Reason.Truncated, 'input ends inside a reply', bytes.length)
  if (values.length !== 1) {
    throw new ProtocolError(Reason.BadLine, `expected exactly one reply, found ${values.length}`, 0)
  }
  return values[0]
}
