// Values of the Redis protocol, RESP2 and RESP3, as the decoder hands them out and the encoder
// takes them in. Spec: https://github.com/redis/redis-specifications/blob/master/protocol/RESP3.md

import type { ReplyError } from './errors.ts'

/** The first byte of every RESP frame. */
export const RespType = {
  SimpleString: '+',
  SimpleError: '-',
  Integer: ':',
  BulkString: '$',
  Array: '*',
  Null: '_',
  Boolean: '#',
  Double: ',',
  BigNumber: '(',
  BulkError: '!',
  VerbatimString: '=',
  Map: '%',
  Set: '~',
  Attribute: '|',
  Push: '>',
} as const
export type RespType = (typeof RespType)[keyof typeof RespType]

/**
 * A value in natural mode, the mode clients use:
 * - simple, bulk and verbatim strings: `string` (UTF-8), or `Uint8Array` in binary mode
 *   (a verbatim string loses its 3-letter format here; lossless mode keeps it);
 * - integers: `number` when safe, `bigint` beyond 2^53; big numbers: `bigint`;
 * - doubles: `number` (`Infinity`, `-Infinity`, `NaN` included); booleans: `boolean`;
 * - null, RESP2's `$-1` and `*-1`: `null`;
 * - errors, simple or bulk, anywhere in a reply: `ReplyError` values, never thrown;
 * - arrays and pushes: arrays; sets: `Set` or arrays; maps: `Map` or plain objects.
 */
export type RespValue =
  | string
  | Uint8Array
  | number
  | bigint
  | boolean
  | null
  | ReplyError
  | RespValue[]
  | Set<RespValue>
  | Map<RespValue, RespValue>
  | { [key: string]: RespValue }

/**
 * A value in lossless mode: a tagged tree from which `encode` reproduces the original bytes
 * exactly. Used by proxies and tests. `value` holds, by `type`:
 * - `+` `-` `!`: the bytes between the type byte (or the length line) and the final CRLF;
 * - `=`: the whole payload, format included (`txt:Some text`);
 * - `:` `,` `(`: the text of the number as sent (`-12`, `inf`, `3.14`);
 * - `$`: the bytes, `null` for RESP2's `$-1`; for a streamed string (`$?`), the list of chunks;
 * - `*` `~` `>`: the child nodes, `null` for RESP2's `*-1`;
 * - `%` `|`: keys and values in order, flattened: `[k0, v0, k1, v1, ...]`;
 * - `_`: `null`; `#`: `true` or `false`.
 * `streamed` marks `$?`, `*?`, `~?`, `%?` and `|?` forms; `attributes` lists the attribute
 * frames (`|`) that came before this value.
 */
export class RespNode {
  type: RespType
  value: unknown
  streamed: boolean
  attributes: RespNode[] | undefined
  constructor(type: RespType, value: unknown, streamed = false, attributes?: RespNode[]) {
    this.type = type
    this.value = value
    this.streamed = streamed
    this.attributes = attributes
  }
}

/**
 * Limits that keep memory bounded whatever the peer sends. Each is a non-negative integer (or
 * `Infinity` for no limit); anything else throws at construction, naming the option.
 */
export interface DecoderLimits {
  /**
   * Largest bulk string, bulk error or verbatim string, in bytes. A streamed string (`$?`)
   * counts its bytes on the wire: every part's payload and its framing (`;n` lines, CRLFs).
   * Default 512 MiB, as the server.
   */
  maxBulkLength?: number
  /** Most elements in one aggregate (pairs, for maps): declared, or counted for streamed ones. Default 2^32 - 1. */
  maxAggregateLength?: number
  /** Deepest nesting of aggregates. Default 1024. */
  maxDepth?: number
  /** Longest line (simple string, error, number, header), in bytes. Default 1 MiB. */
  maxLineLength?: number
  /** Most attributes (`|`) in a row before the value they annotate. Default 16. */
  maxAttributes?: number
}

/** Options of both modes. */
interface DecoderCommonOptions extends DecoderLimits {
  /**
   * Natural mode only: called with each attribute (`|`) and the value it annotates, when that
   * value is complete, before the reply holding it is delivered. Default: ignore.
   */
  onAttribute?: (attribute: unknown, value: unknown) => void
  /**
   * Natural mode: strings as `Uint8Array` instead of `string`. Default false. A string that
   * arrived whole in one chunk is a view of that chunk, not a copy (as `Buffer.slice` in
   * redis-parser): keeping it keeps the chunk's memory; `.slice()` it to keep it alone.
   */
  binary?: boolean
  /**
   * Natural mode: asked once at the start of each top-level reply and push (`push` says which)
   * whether its strings are to be bytes; overrides `binary` for it. Lets a client choose per
   * command, and per listener for pub/sub messages.
   */
  binaryForNextReply?: (push: boolean) => boolean
  /**
   * Natural mode: the UTF-8 decoder for strings. Default: TextDecoder. On Node, `nodeUtf8` from
   * respkit/node is faster for short and mid-sized strings.
   */
  decodeUtf8?: (bytes: Uint8Array, start: number, end: number) => string
  /**
   * Natural mode: maps as `Map` (default) or as plain objects with string keys. In `object`
   * mode a map key that is an aggregate or an error is a ProtocolError (`bad-key`).
   */
  mapAs?: 'map' | 'object'
  /** Natural mode: sets as `Set` (default) or as arrays. */
  setAs?: 'set' | 'array'
}

/** Natural mode, the default: replies as `RespValue`s (typed `unknown`, as a reply's shape depends on the command). */
export interface NaturalDecoderOptions extends DecoderCommonOptions {
  /** `natural` (default) for clients, `lossless` for a `RespNode` tree. */
  mode?: 'natural'
  /** Called with each complete top-level reply, in order. */
  onReply: (reply: unknown) => void
  /** Called with each out-of-band push (`>`), in order with the replies. Default: ignore. */
  onPush?: (push: unknown) => void
}

/** Lossless mode: every reply and push is a `RespNode` tree. */
export interface LosslessDecoderOptions extends DecoderCommonOptions {
  mode: 'lossless'
  /** Called with each complete top-level reply, in order. */
  onReply: (reply: RespNode) => void
  /** Called with each out-of-band push (`>`), in order with the replies. Default: ignore. */
  onPush?: (push: RespNode) => void
}

/** What `new Decoder()` takes: the mode decides what `onReply` receives. */
export type DecoderOptions = NaturalDecoderOptions | LosslessDecoderOptions

/** What `decode()` takes: the decoder's options without the callbacks. */
export interface DecodeOptions extends DecoderCommonOptions {
  mode?: 'natural' | 'lossless'
}
