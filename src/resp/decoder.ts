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

import { ProtocolError, ProtocolErrorReason as Reason } from './errors.ts'
import { RespNode, type DecodeOptions, type DecoderOptions } from './types.ts'
import { utf8 } from './text.ts'
import { StackDecoder } from './decoder-stack.ts'

// The constants of the hot paths stay in this module: V8 compiles a module's own `const` to an
// immediate, an imported one to a load from its module cell (decoder-stack.ts and
// decoder-scalars.ts have their own).
const CR = 13
const LF = 10
const MINUS = 45

// Type bytes.
const SIMPLE = 43 // +
const INTEGER = 58 // :
const BULK = 36 // $
const ARRAY = 42 // *
const NULL = 95 // _

/** Nesting fastElements reads by recursion (deeper goes the general way, on the explicit stack). */
const FAST_DEPTH = 8

const KNOWN_TYPE = new Uint8Array(256)
for (const c of '+-:$*_#,(!=%~|>;.') KNOWN_TYPE[c.charCodeAt(0)] = 1

// How a frame stores its children.
const LIST = 0
const OBJECT = 2

export class Decoder extends StackDecoder {
  /** Throws a TypeError or RangeError naming any option of the wrong type or value. */
  constructor(options: DecoderOptions) {
    super(options)
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
