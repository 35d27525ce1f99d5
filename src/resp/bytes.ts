// Byte-array helpers shared by the decoder and the encoder.

/** One array holding `parts` end to end (one copy). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0
  for (const p of parts) total += p.length
  const out = new Uint8Array(total)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** Pieces shorter than this are copied together rather than kept as views of the caller's chunk. */
const SMALL_PIECE = 4096
/** Largest buffer small pieces are copied into. */
const STAGE_MAX = 16384

/**
 * The pieces of a payload that arrives over several chunks. A view costs ~100 bytes of heap
 * whatever its length, so a payload fed one byte per chunk would cost ~100x its size as views:
 * pieces under 4 KiB are copied into buffers of up to 16 KiB instead, and larger ones kept as
 * views. Held memory: the bytes, plus under one view per 4 KiB, plus one buffer's unused tail.
 */
export class ByteParts {
  private parts: Uint8Array[] = []
  private stage: Uint8Array | null = null
  private used = 0
  private lastStage = 0

  /** Keep `piece`; `more`: bytes known to follow it (0 if unknown), to size the copy buffer. */
  push(piece: Uint8Array, more: number): void {
    const n = piece.length
    const stage = this.stage
    if (stage !== null && this.used + n <= stage.length) {
      stage.set(piece, this.used)
      this.used += n
      return
    }
    this.flush()
    if (n >= SMALL_PIECE) {
      this.parts.push(piece)
      return
    }
    // Sized by what is known to come, else doubling from 256: a short value gets a short buffer.
    const size = Math.min(STAGE_MAX, Math.max(n + more, this.lastStage * 2, 256))
    const s = (this.stage = new Uint8Array(size))
    this.lastStage = size
    s.set(piece)
    this.used = n
  }

  /** Everything pushed, in order, and a fresh start. */
  take(): Uint8Array[] {
    this.flush()
    const parts = this.parts
    this.parts = []
    this.lastStage = 0
    return parts
  }

  private flush(): void {
    const s = this.stage
    if (s === null) return
    // A buffer mostly empty is trimmed, so what is held stays within twice what was received.
    this.parts.push(this.used === s.length ? s : this.used * 2 < s.length ? s.slice(0, this.used) : s.subarray(0, this.used))
    this.stage = null
    this.used = 0
  }
}
