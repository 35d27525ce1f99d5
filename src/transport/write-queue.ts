// The outgoing side of a transport whose socket takes bytes on its own schedule (Deno's
// promise-based writes, Bun's partial writes): what was written and not yet sent, counted
// against the high-water mark, with waiters for drain and for empty.

import { concatBytes } from '../resp/bytes.ts'

/** The most bytes copied into one write. */
const BATCH = 64 * 1024

export class WriteQueue {
  readonly highWaterMark: number
  /** Chunks smaller than this are copied together into one write (of at most BATCH bytes). */
  private readonly small: number
  private chunks: Uint8Array[] = []
  /** Bytes queued or taken and not yet reported sent. */
  private pending = 0
  private drainWaiters: Array<() => void> = []
  private emptyWaiters: Array<() => void> = []

  /**
   * `small` is the runtime's trade between one more copy and one more write call, measured
   * with bench/transport.ts: on Bun batching pays even for 16 KiB chunks, on Deno only for
   * small ones.
   */
  constructor(highWaterMark: number, small: number) {
    this.highWaterMark = highWaterMark
    this.small = small
  }

  get bytes(): number {
    return this.pending
  }

  /** Whether chunks are waiting to be taken. */
  get waiting(): boolean {
    return this.chunks.length > 0
  }

  /** Queue a chunk; false once past the high-water mark. */
  push(chunk: Uint8Array): boolean {
    if (chunk.byteLength > 0) {
      this.chunks.push(chunk)
      this.pending += chunk.byteLength
    }
    return this.pending <= this.highWaterMark
  }

  /** The next bytes to send: a large chunk as is, or small ones copied together. */
  take(): Uint8Array | undefined {
    const chunks = this.chunks
    if (chunks.length === 0) return undefined
    let count = 1
    let size = chunks[0].byteLength
    if (size >= this.small) return chunks.shift()
    while (count < chunks.length && chunks[count].byteLength < this.small && size + chunks[count].byteLength <= BATCH) {
      size += chunks[count].byteLength
      count++
    }
    return count === 1 ? chunks.shift() : concatBytes(chunks.splice(0, count))
  }

  /** Put back what a partial write did not take, first in line. */
  putBack(rest: Uint8Array): void {
    this.chunks.unshift(rest)
  }

  /** `n` bytes went out. */
  sent(n: number): void {
    this.pending -= n
    if (this.pending <= this.highWaterMark) wake(this.drainWaiters)
    if (this.pending === 0) wake(this.emptyWaiters)
  }

  /** Resolves once at or below the high-water mark (or cleared). */
  drained(): Promise<void> {
    if (this.pending <= this.highWaterMark) return Promise.resolve()
    return new Promise((resolve) => this.drainWaiters.push(resolve))
  }

  /** Resolves once everything queued was sent (or cleared). */
  emptied(): Promise<void> {
    if (this.pending === 0) return Promise.resolve()
    return new Promise((resolve) => this.emptyWaiters.push(resolve))
  }

  /** Drop everything (the stream closed) and release every waiter. */
  clear(): void {
    this.chunks = []
    this.pending = 0
    wake(this.drainWaiters)
    wake(this.emptyWaiters)
  }
}

function wake(waiters: Array<() => void>): void {
  for (const resolve of waiters.splice(0)) resolve()
}
