// Error classes of the protocol layer, and the base class every error of the toolkit extends.
// Classes are branded with Symbol.for so that `instanceof` holds across two copies of the
// package (a dependency that bundles its own copy, say).

/** Give a class a stable `name` and an `instanceof` that works across copies of the package. */
export function brand(cls: abstract new (...args: never[]) => Error, name: string): void {
  const key = Symbol.for(`respkit.${name}`)
  Object.defineProperty(cls.prototype, key, { value: true })
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true })
  Object.defineProperty(cls, Symbol.hasInstance, {
    value: (x: unknown) => typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[key] === true,
  })
}

/** Base of every error this toolkit throws or rejects with. */
export class RespkitError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
  }
}
brand(RespkitError, 'RespkitError')

/** Why the decoder gave up; stable strings for programs, the message is for people. */
export const ProtocolErrorReason = {
  UnknownType: 'unknown-type',
  BadLength: 'bad-length',
  BadInteger: 'bad-integer',
  BadDouble: 'bad-double',
  BadBoolean: 'bad-boolean',
  BadNull: 'bad-null',
  BadBigNumber: 'bad-big-number',
  BadVerbatim: 'bad-verbatim',
  MissingCrlf: 'missing-crlf',
  BadLine: 'bad-line',
  LineTooLong: 'line-too-long',
  BulkTooLong: 'bulk-too-long',
  AggregateTooLong: 'aggregate-too-long',
  TooDeep: 'too-deep',
  Misplaced: 'misplaced',
  Truncated: 'truncated',
  /** With `mapAs: 'object'`, a map key that is an aggregate or an error. */
  BadKey: 'bad-key',
  /** More attributes before one value than `maxAttributes`. */
  TooManyAttributes: 'too-many-attributes',
} as const
export type ProtocolErrorReason = (typeof ProtocolErrorReason)[keyof typeof ProtocolErrorReason]

/**
 * The bytes from the peer are not valid RESP, or break a configured limit. The decoder that
 * threw it stays failed until `reset()`: the stream cannot be trusted past this point.
 */
export class ProtocolError extends RespkitError {
  /** Which rule the input broke. */
  readonly reason: ProtocolErrorReason
  /** Offset of the offending byte, counted from the first byte fed since the last reset. */
  readonly offset: number
  constructor(reason: ProtocolErrorReason, message: string, offset: number) {
    super(`${message} (at byte ${offset})`)
    this.reason = reason
    this.offset = offset
  }
}
brand(ProtocolError, 'ProtocolError')

/**
 * An error reply from the server (`-ERR ...`, `!21\r\n...`). Decoded as a value, never thrown
 * by the decoder; the client rejects the command's promise with it.
 */
export class ReplyError extends RespkitError {
  /** The first word of the message: `ERR`, `WRONGTYPE`, `MOVED`, `NOSCRIPT`... */
  readonly code: string
  constructor(message: string) {
    // A stack captured inside the parser says nothing useful and costs a lot per reply.
    const limit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    super(message)
    Error.stackTraceLimit = limit
    const space = message.indexOf(' ')
    this.code = space === -1 ? message : message.slice(0, space)
  }
}
brand(ReplyError, 'ReplyError')
