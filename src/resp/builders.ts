// Constructors for the RESP3 values that have no natural JavaScript form of their own, for
// servers and mock servers to send with `encode`. Children may be natural values or nodes.

import { RespNode } from './types.ts'
import { doubleText } from './encoder.ts'

/** `+text` — refused by `encode` if it holds CR or LF. */
export const simple = (text: string): RespNode => new RespNode('+', text)
/** `!len` — an error whose message may hold any bytes, newlines included. */
export const bulkError = (message: string): RespNode => new RespNode('!', message)
/** `=len fmt:text` — `format` is three characters, such as `txt` or `mkd`. */
export function verbatim(format: string, text: string): RespNode {
  if (format.length !== 3) throw new TypeError(`a verbatim string format has three characters, got ${JSON.stringify(format)}`)
  return new RespNode('=', `${format}:${text}`)
}
/** `>n` — out-of-band data such as pub/sub messages; only valid at the top level. */
export const push = (items: readonly unknown[]): RespNode => new RespNode('>', [...items])
/** `,` — a double even when the number is whole (a plain integral number encodes as `:`). */
export const double = (n: number): RespNode => new RespNode(',', doubleText(n))
/** `(` — a big number, whatever its size. */
export const bigNumber = (n: bigint | string): RespNode => new RespNode('(', String(n))
