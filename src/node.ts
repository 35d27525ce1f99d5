// The Node entry point: everything in respkit, plus what only Node has. Deno and Bun can import
// it too (through their Node compatibility), but their own entries are leaner.
import { Buffer } from 'node:buffer'
import type { Utf8Decoder } from './resp/text.ts'

export * from './index.ts'
export { nodeConnector, nodeListen, type NodeListener } from './transport/node.ts'

const utf8Slice = (Buffer.prototype as unknown as { utf8Slice(this: Uint8Array, start: number, end: number): string }).utf8Slice

/**
 * Node's own UTF-8 decoding, for `new Decoder({ decodeUtf8: nodeUtf8 })`: it reads straight from
 * the bytes, where TextDecoder costs a view and a larger fixed cost per string
 * (bench/resp.ts shows both).
 */
export const nodeUtf8: Utf8Decoder = (bytes, start, end) => utf8Slice.call(bytes, start, end)
