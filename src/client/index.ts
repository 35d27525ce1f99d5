// The client layer's public face: createClient and what its users handle (errors, options,
// type mapping, the retry table).
import { RedisClient } from './client.ts'
import type { ClientOptions } from './options.ts'

export { RedisClient, commandOptions } from './client.ts'
export { MultiCommand } from './multi.ts'
export type { ClientOptions, CommandOptions, SocketOptions, ReconnectStrategy } from './options.ts'
export { RESP_TYPES, type TypeMapping } from './type-mapping.ts'
export {
  ClientError, ClientClosedError, ClientOfflineError, QueueFullError, OfflineTimeoutError, OutcomeUnknownError,
  CommandTimeoutError, CommandAbortedError, HandshakeError, AuthenticationError, ReconnectGaveUpError, ClientStateError,
  BatchCutError, WatchError, ExecAbortError,
} from './errors.ts'
export { SERVER_ERROR_ACTIONS, IO_PHASE_ACTIONS, type Action } from './retry-policy.ts'
export { defineCommand, type CommandDefinition, type ReplyContext } from './commands/define.ts'

/** A client for one Redis server (node-redis v5's createClient). Checks the options now; connects on `connect()`. */
export function createClient(options?: ClientOptions): RedisClient {
  return new RedisClient(options)
}
