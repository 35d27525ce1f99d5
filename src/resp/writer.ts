// A growing byte buffer for encoding. Bytes handed out by `take()` are never written again, so
// the buffer can be reused without copying what was taken; large byte arrays are not copied in
// at all but passed through by reference, between the buffered segments around them.

import { concatBytes } from './bytes.ts'

const CRLF_1 = 13
const CRLF_2 = 10

export class ByteWriter {
  protected buf: Uint8Array
  protected pos = 0
  /** Start of the bytes written since the last `take()`. */
  private start = 0
  /** Finished chunks waiting for `take()`, in order. */
  private out: Uint8Array[] = []
  private outBytes = 0
  private size: number
  private readonly passThrough: number

  constructor(initialSize = 16 * 1024, passThrough = 64 * 1024) {
    this.size = initialSize
    this.passThrough = passThrough
    this.buf = new Uint8Array(initialSize)
  }

  /** Bytes written and not yet taken. */
  get byteLength(): number {
    return this.outBytes + this.pos - this.start
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

  private cut(): void {
    if (this.pos > this.start) {
      this.out.push(this.buf.subarray(this.start, this.pos))
      this.outBytes += this.pos - this.start
      this.start = this.pos
    }
  }

  /** Make room for `n` more bytes. */
  protected ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return
    this.cut()
    // Grow for the busy writer, but never keep a huge buffer because of one huge value.
    if (this.size < 1024 * 1024) this.size *= 2
    this.buf = new Uint8Array(Math.max(this.size, n))
    this.pos = 0
    this.start = 0
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
    this.ensure(s.length)
    const buf = this.buf
    let p = this.pos
    for (let i = 0; i < s.length; i++) buf[p++] = s.charCodeAt(i)
    this.pos = p
  }

  writeBytes(bytes: Uint8Array): void {
    if (bytes.length >= this.passThrough) {
      this.cut()
      this.out.push(bytes)
      this.outBytes += bytes.length
      return
    }
    this.ensure(bytes.length)
    this.buf.set(bytes, this.pos)
    this.pos += bytes.length
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
    let p = this.pos
    let i = 0
    while (i < n && s.charCodeAt(i) < 0x80) i++
    if (i === n) {
      buf[p++] = 36
      p = writeDigits(buf, p, n)
      buf[p++] = CRLF_1
      buf[p++] = CRLF_2
      for (let j = 0; j < n; j++) buf[p++] = s.charCodeAt(j)
    } else {
      buf[p++] = 36
      p = writeDigits(buf, p, utf8Length(s))
      buf[p++] = CRLF_1
      buf[p++] = CRLF_2
      p = writeUtf8(buf, p, s)
    }
    buf[p++] = CRLF_1
    buf[p++] = CRLF_2
    this.pos = p
  }

  /** `$<len>\r\n<bytes>\r\n` */
  writeBulkBytes(bytes: Uint8Array): void {
    this.writeHeader(36, bytes.length)
    this.writeBytes(bytes)
    this.writeCrlf()
  }
}

const textEncoder = new TextEncoder()

function writeDigits(buf: Uint8Array, p: number, n: number): number {
  if (n < 10) {
    buf[p] = 48 + n
    return p + 1
  }
  let digits = 1
  for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++
  let q = p + digits
  for (let x = n; q > p; x = Math.floor(x / 10)) buf[--q] = 48 + (x % 10)
  return p + digits
}

/** UTF-8 length as TextEncoder counts it: a lone surrogate becomes U+FFFD, three bytes. */
export function utf8Length(s: string): number {
  let bytes = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) bytes += 1
    else if (c < 0x800) bytes += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4
      i++
    } else bytes += 3
  }
  return bytes
}

function writeUtf8(buf: Uint8Array, p: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i)
    if (c < 0x80) buf[p++] = c
    else if (c < 0x800) {
      buf[p++] = 0xc0 | (c >> 6)
      buf[p++] = 0x80 | (c & 0x3f)
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00)
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
