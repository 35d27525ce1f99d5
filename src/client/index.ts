// The client layer's public face: createClient and what its users handle (errors, options,
// type mapping, the retry table).
import { RedisClient } from './client.ts'
import type { ClientOptions } from './options.ts'
import type { FunctionMethods, ScriptMethods } from './scripts.ts'

export { RedisClient } from './client.ts'
export { commandOptions } from './methods.ts'
export { MultiCommand } from './multi.ts'
export { parseInfo, type ParsedInfo, type InfoValue } from './info.ts'
export { ClientSideCache, type ClientSideCacheOptions, type CacheStats } from './cache.ts'
export { createClientPool, RedisClientPool, PoolTimeoutError, type PoolOptions } from './pool.ts'
export { PubSubOverflowError, type MessageStreamOptions, type PubSubMessage } from './message-stream.ts'
export type { PubSubListener } from './pubsub.ts'
export type { ClientOptions, CommandOptions, SocketOptions, ReconnectStrategy } from './options.ts'
export { RESP_TYPES, type TypeMapping } from './type-mapping.ts'
export {
  ClientError, ClientClosedError, ClientOfflineError, QueueFullError, OfflineTimeoutError, OutcomeUnknownError,
  CommandTimeoutError, CommandAbortedError, HandshakeError, AuthenticationError, ReconnectGaveUpError, ClientStateError,
  BatchCutError, WatchError, ExecAbortError,
} from './errors.ts'
export { SERVER_ERROR_ACTIONS, IO_PHASE_ACTIONS, type Action } from './retry-policy.ts'
export { defineCommand, type CommandDefinition, type ReplyContext } from './commands/define.ts'

export { defineScript, type ScriptConfig, type FunctionConfig, type CommandParser, type Script } from './scripts.ts'

/** A client, with the methods its `scripts` and `functions` options add. */
export type RedisClientType<O extends ClientOptions = ClientOptions> = RedisClient & ScriptMethods<O['scripts']> & FunctionMethods<O['functions']>

/** A client for one Redis server (node-redis v5's createClient). Checks the options now; connects on `connect()`. */
export function createClient<const O extends ClientOptions>(options?: O): RedisClientType<O> {
  return new RedisClient(options) as RedisClientType<O>
}
