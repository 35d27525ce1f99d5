// The protocol layer: RESP2/RESP3 bytes to values and back. Pure: no I/O, no runtime API.
export { Decoder, decode } from './decoder.ts'
export { CommandEncoder, encodeCommand, encode, doubleText } from './encoder.ts'
export type { CommandArgument, CommandEncoderOptions, EncodeOptions } from './encoder.ts'
export { simple, bulkError, verbatim, push, double, bigNumber } from './builders.ts'
export { RespNode, RespType } from './types.ts'
export type { RespValue, DecoderOptions, DecoderLimits } from './types.ts'
export { DEFAULT_LIMITS } from './limits.ts'
export { RespkitError, ProtocolError, ProtocolErrorReason, ReplyError } from './errors.ts'
