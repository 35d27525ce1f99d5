// A growing byte buffer for encoding. What it hands out (`take()`) is a copy of exact size, the
// scratch buffer itself when it is mostly full (it is then replaced, never reused), or a large
// byte array of the caller's passed through by reference. So a result cannot keep other
// commands' bytes (an AUTH password) reachable through its `.buffer`: past its own bytes there
// are only zeros. The scratch is reused from its start after each cut and zeroed behind what was
// copied out. A command that fails half-way is rolled back with `mark()`/`rollback()`.

import { concatBytes } from './bytes.ts'

const CRLF_1 = 13
const CRLF_2 = 10
/** The scratch buffer doubles when full, up to this; past it, it is reused as is. */
const MAX_SCRATCH = 1024 * 1024
/** A cut at least this large (and at least half the scratch) hands the scratch over. */
const HAND_OVER = 8 * 1024
/** Strings up to this many UTF-16 units are copied by a loop; longer ones by TextEncoder.encodeInto (bench/resp.ts). */
const SHORT_STRING = 32

// Called through `.call` on a saved reference, never as `s.charCodeAt(i)`: on V8, once any
// object inherits from String.prototype (node-redis's `class VerbatimString extends String`
// does when it loads), the method lookup on a string is no longer constant-folded and such
// loops run 4-6x slower; the saved intrinsic stays inlined (bench/resp.ts, BENCH_STRING_SUBCLASS=1).
const charCodeAt = String.prototype.charCodeAt
// The real length of a typed array, from its internal slot: an object that only claims to be
// a Uint8Array (its prototype set to Uint8Array.prototype, a `length` of its own) throws here.
const typedArrayLength = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), 'length')!
  .get as (this: Uint8Array) => number

/** The length of a genuine Uint8Array (a Buffer is one); a TypeError for anything else. */
export function bytesLength(bytes: Uint8Array): number {
  return typedArrayLength.call(bytes)
}

export class ByteWriter {
  protected buf: Uint8Array
  /** End of the bytes written since the last cut, which start at 0. */
  protected pos = 0
  /** Finished chunks waiting for `take()`, in order. */
  private out: Uint8Array[] = []
  private outBytes = 0
  private size: number
  private readonly passThrough: number
  // The state at `mark()`.
  private markPos = 0
  private markOut = 0
  private markOutBytes = 0

  constructor(initialSize = 16 * 1024, passThrough = 64 * 1024) {
    this.size = initialSize
    this.passThrough = passThrough
    this.buf = new Uint8Array(initialSize)
  }

  /** Bytes written and not yet taken. */
  get byteLength(): number {
    return this.outBytes + this.pos
  }

  /** Everything written since the last call, as one or more chunks (usually one). */
  take(): Uint8Array[] {
    this.cut()
    const out = this.out
    this.out = []
    this.outBytes = 0
    return out
  }

  /** Everything written since the last call, as one array (copies when there are several chunks). */
  takeOne(): Uint8Array {
    const chunks = this.take()
    return chunks.length === 1 ? chunks[0] : concatBytes(chunks)
  }

  /** Remember this point: `rollback()` forgets everything written after it. */
  mark(): void {
    this.markPos = this.pos
    this.markOut = this.out.length
    this.markOutBytes = this.outBytes
  }

  /** Back to the last `mark()`, as if nothing had been written since. */
  rollback(): void {
    if (this.out.length > this.markOut) {
      // A cut happened since: the bytes held at the mark went out at the head of the first
      // chunk cut after it. Bring them back; drop the rest.
      const keep = this.markPos
      const head = this.out[this.markOut]
      this.out.length = this.markOut
      this.outBytes = this.markOutBytes
      this.buf.fill(0, 0, this.pos)
      if (keep > 0) this.buf.set(head.subarray(0, keep), 0)
      this.pos = keep
    } else {
      this.buf.fill(0, this.markPos, this.pos)
      this.pos = this.markPos
    }
  }

  /** Drop everything not yet taken. */
  reset(): void {
    this.buf.fill(0, 0, this.pos)
    this.pos = 0
    this.out = []
    this.outBytes = 0
    this.markPos = this.markOut = this.markOutBytes = 0
  }

  /** Move out what the scratch holds (a copy, or the scratch itself), leaving it empty and zeroed. */
  private cut(): void {
    const n = this.pos
    if (n === 0) return
    const buf = this.buf
    let chunk: Uint8Array
    if (n >= HAND_OVER && n >= buf.length >> 1) {
      // Mostly full: hand the scratch itself over and start a new one rather than copy it out and
      // zero it (16 KiB SETs, bench/client.ts: 4-8% less CPU per SET). Past `n` it holds zeros.
      chunk = buf.subarray(0, n)
      this.buf = new Uint8Array(this.size)
    } else {
      chunk = new Uint8Array(n)
      if (n <= 64) for (let i = 0; i < n; i++) chunk[i] = buf[i]
      else chunk.set(buf.subarray(0, n))
      buf.fill(0, 0, n)
    }
    this.out.push(chunk)
    this.outBytes += n
    this.pos = 0
  }

  /** Make room for `n` more bytes. */
  protected ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return
    // Grow for the busy writer, but never keep a huge buffer because of one huge value. Grown
    // before the cut, so that a scratch handed over is replaced once, at the new size.
    if (this.size < MAX_SCRATCH) this.size = Math.min(this.size * 2, MAX_SCRATCH)
    this.cut()
    if (n > this.buf.length || this.buf.length < this.size) this.buf = new Uint8Array(Math.max(this.size, n))
  }

  writeByte(b: number): void {
    this.ensure(1)
    this.buf[this.pos++] = b
  }

  writeCrlf(): void {
    this.ensure(2)
    this.buf[this.pos++] = CRLF_1
    this.buf[this.pos++] = CRLF_2
  }

  /** `prefix`, the decimal digits of a non-negative integer, CRLF: a length line. */
  writeHeader(prefix: number, n: number): void {
    this.ensure(24)
    const buf = this.buf
    buf[this.pos++] = prefix
    this.pos = writeDigits(buf, this.pos, n)
    buf[this.pos++] = CRLF_1
    buf[this.pos++] = CRLF_2
  }

  /** Bytes of a string whose characters are all below 0x80 (numbers, type names). */
  writeAscii(s: string): void {
    const n = s.length
    if (n >= this.passThrough) return this.writeBytes(textEncoder.encode(s))
    this.ensure(n)
    const buf = this.buf
    let p = this.pos
    for (let i = 0; i < n; i++) buf[p++] = charCodeAt.call(s, i)
    this.pos = p
  }

  writeBytes(bytes: Uint8Array): void {
    const n = typedArrayLength.call(bytes)
    if (n >= this.passThrough) {
      this.cut()
      this.out.push(bytes)
      this.outBytes += n
      return
    }
    this.ensure(n)
    this.buf.set(bytes, this.pos)
    this.pos += n
  }

  /** `$<digits>\r\n<digits>\r\n` for a safe integer, without making a string. */
  writeBulkInteger(x: number): void {
    this.ensure(48)
    const buf = this.buf
    let p = this.pos
    const negative = x < 0
    const abs = negative ? -x : x
    const digits = digitCount(abs) + (negative ? 1 : 0)
    buf[p++] = 36
    p = writeDigits(buf, p, digits)
    buf[p++] = CRLF_1
    buf[p++] = CRLF_2
    if (negative) buf[p++] = 45
    p = writeDigits(buf, p, abs)
    buf[p++] = CRLF_1
    buf[p++] = CRLF_2
    this.pos = p
  }

  /** `$<bytes>\r\n<UTF-8 of s>\r\n` */
  writeBulkString(s: string): void {
    const n = s.length
    if (n >= this.passThrough / 3) {
      // Long: encode once into its own array and pass it through.
      const bytes = textEncoder.encode(s)
      this.writeHeader(36, bytes.length)
      this.writeBytes(bytes)
      this.writeCrlf()
      return
    }
    this.ensure(n * 3 + 24)
    const buf = this.buf
    const start = this.pos
    let p = start
    buf[p++] = 36
    p = writeDigits(buf, p, n)
    buf[p++] = CRLF_1
    buf[p++] = CRLF_2
    if (n <= SHORT_STRING) {
      // One pass on the bet that it is ASCII; start again as UTF-8 if it is not.
      let i = 0
      for (; i < n; i++) {
        const c = charCodeAt.call(s, i)
        if (c >= 0x80) break
        buf[p++] = c
      }
      if (i < n) {
        p = start
        buf[p++] = 36
        p = writeDigits(buf, p, utf8Length(s))
        buf[p++] = CRLF_1
        buf[p++] = CRLF_2
        p = writeUtf8(buf, p, s)
      }
    } else {
      // Encoded in place after a length line sized for ASCII; moved if the UTF-8 length has more digits.
      const written = textEncoder.encodeInto(s, buf.subarray(p)).written
      if (written !== n) {
        const header = 3 + digitCount(written)
        const body = start + header
        if (body !== p) buf.copyWithin(body, p, p + written)
        p = writeDigits(buf, start + 1, written)
        buf[p++] = CRLF_1
        buf[p++] = CRLF_2
      }
      p += written
    }
    buf[p++] = CRLF_1
    buf[p++] = CRLF_2
    this.pos = p
  }

  /** `$<len>\r\n<bytes>\r\n` */
  writeBulkBytes(bytes: Uint8Array): void {
    this.writeHeader(36, typedArrayLength.call(bytes))
    this.writeBytes(bytes)
    this.writeCrlf()
  }
}

const textEncoder = new TextEncoder()

function digitCount(n: number): number {
  let digits = 1
  for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++
  return digits
}

function writeDigits(buf: Uint8Array, p: number, n: number): number {
  if (n < 10) {
    buf[p] = 48 + n
    return p + 1
  }
  const digits = digitCount(n)
  let q = p + digits
  for (let x = n; q > p; x = Math.floor(x / 10)) buf[--q] = 48 + (x % 10)
  return p + digits
}

/** UTF-8 length as TextEncoder counts it: a lone surrogate becomes U+FFFD, three bytes. */
export function utf8Length(s: string): number {
  let bytes = 0
  for (let i = 0; i < s.length; i++) {
    const c = charCodeAt.call(s, i)
    if (c < 0x80) bytes += 1
    else if (c < 0x800) bytes += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (charCodeAt.call(s, i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4
      i++
    } else bytes += 3
  }
  return bytes
}

function writeUtf8(buf: Uint8Array, p: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    let c = charCodeAt.call(s, i)
    if (c < 0x80) buf[p++] = c
    else if (c < 0x800) {
      buf[p++] = 0xc0 | (c >> 6)
      buf[p++] = 0x80 | (c & 0x3f)
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (charCodeAt.call(s, i + 1) & 0xfc00) === 0xdc00) {
      c = 0x10000 + ((c - 0xd800) << 10) + (charCodeAt.call(s, ++i) - 0xdc00)
      buf[p++] = 0xf0 | (c >> 18)
      buf[p++] = 0x80 | ((c >> 12) & 0x3f)
      buf[p++] = 0x80 | ((c >> 6) & 0x3f)
      buf[p++] = 0x80 | (c & 0x3f)
    } else {
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd
      buf[p++] = 0xe0 | (c >> 12)
      buf[p++] = 0x80 | ((c >> 6) & 0x3f)
      buf[p++] = 0x80 | (c & 0x3f)
    }
  }
  return p
}
