// UTF-8 decoding straight from the source bytes.

import { concatBytes } from './bytes.ts'

/**
 * Decodes `bytes[start..end)` as UTF-8, replacing invalid sequences with U+FFFD. `joinAbove`,
 * if set: a string received in parts totalling at least that many bytes is joined and decoded
 * once, rather than part by part (on V8, one large string instead of a rope of 64 KiB pieces
 * that every young-generation GC copies; on JavaScriptCore the parts are cheaper).
 */
export type Utf8Decoder = ((bytes: Uint8Array, start: number, end: number) => string) & { readonly joinAbove?: number }

const decoder = new TextDecoder()

/** The portable decoder. A runtime may have a faster one (see `nodeUtf8` in respkit/node). */
export const textDecoderUtf8: Utf8Decoder = (bytes, start, end) => decoder.decode(bytes.subarray(start, end))

/** Short ASCII strings (`OK`, small keys) built by hand: cheaper than any decoder's fixed cost per call. */
const SHORT = 8

export function utf8(src: Uint8Array, start: number, end: number, slow: Utf8Decoder = textDecoderUtf8): string {
  // Small enough to be inlined where it is called; the short path is a function of its own.
  return end - start > SHORT ? slow(src, start, end) : short(src, start, end, slow)
}

function short(src: Uint8Array, a: number, end: number, slow: Utf8Decoder): string {
  let high = 0
  for (let i = a; i < end; i++) high |= src[i]
  if (high > 127) return slow(src, a, end)
  // One string made at once: a loop of `s += c` makes one per character.
  const f = String.fromCharCode
  switch (end - a) {
    case 0: return ''
    case 1: return f(src[a])
    case 2: return f(src[a], src[a + 1])
    case 3: return f(src[a], src[a + 1], src[a + 2])
    case 4: return f(src[a], src[a + 1], src[a + 2], src[a + 3])
    case 5: return f(src[a], src[a + 1], src[a + 2], src[a + 3], src[a + 4])
    case 6: return f(src[a], src[a + 1], src[a + 2], src[a + 3], src[a + 4], src[a + 5])
    case 7: return f(src[a], src[a + 1], src[a + 2], src[a + 3], src[a + 4], src[a + 5], src[a + 6])
    default: return f(src[a], src[a + 1], src[a + 2], src[a + 3], src[a + 4], src[a + 5], src[a + 6], src[a + 7])
  }
}

/**
 * A string received in several parts (a large bulk), decoded part by part: no join, and each
 * part decoded while it is in cache. (Node's TextDecoder leaves its fast path in stream mode, so
 * that is not used: if a part ends inside a character, the parts are joined and decoded once.)
 */
export function utf8Parts(parts: readonly Uint8Array[], slow: Utf8Decoder = textDecoderUtf8): string {
  const joinAbove = slow.joinAbove
  if (joinAbove !== undefined) {
    let total = 0
    for (let i = 0; i < parts.length; i++) total += parts[i].length
    if (total >= joinAbove) {
      const all = concatBytes(parts)
      return slow(all, 0, all.length)
    }
  }
  for (let i = 0; i < parts.length - 1; i++) {
    if (endsInsideCharacter(parts[i])) {
      const all = concatBytes(parts)
      return slow(all, 0, all.length)
    }
  }
  let s = ''
  for (let i = 0; i < parts.length; i++) s += slow(parts[i], 0, parts[i].length)
  return s
}

/** Whether the last bytes of `p` begin a UTF-8 sequence that the next part would complete. */
function endsInsideCharacter(p: Uint8Array): boolean {
  let j = p.length - 1
  let continuations = 0
  while (j >= 0 && continuations < 3 && (p[j] & 0xc0) === 0x80) {
    j--
    continuations++
  }
  if (j < 0) return continuations > 0
  const lead = p[j]
  const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1
  return continuations + 1 < length
}
