// The transport layer's public face: the interface, its errors, the default connector and the
// in-memory pair. Each runtime's connector has its own entry (respkit/transport/node, /deno,
// /bun) so that importing this one loads no runtime module.
export type { ByteStream, ConnectOptions, Connector, StreamHandlers, TlsOptions } from './types.ts'
export {
  ConnectionError, ConnectionRefusedError, HostNotFoundError, ConnectTimeoutError, ConnectAbortedError,
  ConnectionResetError, ConnectionClosedError, TlsError, toConnectionError,
} from './errors.ts'
export type { TlsFailure } from './errors.ts'
export { autoConnector } from './auto.ts'
export { createMemoryPair, memoryConnector } from './memory.ts'
export type { Direction, MemoryFaults, MemoryPair, MemoryPairOptions, SplitMode } from './memory.ts'
export { DEFAULT_CONNECT_TIMEOUT, DEFAULT_HIGH_WATER_MARK, END_GRACE_MS } from './options.ts'
