// UTF-8 decoding straight from the source bytes. Short ASCII strings (most keys, `OK`, field
// names) are built by hand: TextDecoder's fixed cost per call is larger than the work.

const decoder = new TextDecoder()
const SHORT = 24

export function utf8(src: Uint8Array, start: number, end: number): string {
  if (end - start <= SHORT) {
    let s = ''
    for (let i = start; i < end; i++) {
      const c = src[i]
      if (c > 127) return decoder.decode(src.subarray(start, end))
      s += String.fromCharCode(c)
    }
    return s
  }
  return decoder.decode(src.subarray(start, end))
}
