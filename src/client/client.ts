// The public client: node-redis v5's API (createClient, connect, on('error'), typed commands,
// sendCommand, withTypeMapping, close/destroy) over the engine in core.ts. A client's views
// (withTypeMapping, withCommandOptions) share its engine and connection, with other defaults.

import type { CommandArgument } from '../resp/index.ts'
import type { Shaper } from './command.ts'
import { ClientCore } from './core.ts'
import { redacted, resolveOptions, type ClientOptions, type CommandOptions } from './options.ts'
import type { TypeMapping } from './type-mapping.ts'
import type { ClientSideCache } from './cache.ts'
import { parseInfo, type ParsedInfo } from './info.ts'
import { installMethods, type CommandMethods } from './methods.ts'
import { MultiCommand } from './multi.ts'
import { channelNames, type PubSubKind, type PubSubListener } from './pubsub.ts'
import { callScript, checkFunctions, checkScripts, defineScript, functionCommand, scriptInMulti, type Script } from './scripts.ts'
import { hScanIterator, sScanIterator, scanIterator, zScanIterator, type ScanIteratorOptions } from './scan-iterators.ts'
import { messageStream, type MessageStreamOptions, type PubSubMessage } from './message-stream.ts'

type Names = string | Uint8Array | ReadonlyArray<string | Uint8Array>

export class RedisClient {
  /** @internal The engine, shared with views of this client. */
  readonly _core: ClientCore
  /** @internal Command options of this view. */
  readonly _defaults: CommandOptions | undefined
  readonly #userOptions: ClientOptions | undefined
  readonly #scripts: Record<string, Script>

  /** Use `createClient()`. */
  constructor(options?: ClientOptions, view?: { core: ClientCore; defaults: CommandOptions | undefined; user: ClientOptions | undefined }) {
    if (view !== undefined) {
      this._core = view.core
      this._defaults = view.defaults
      this.#userOptions = view.user
    } else {
      const { options: resolved, password } = resolveOptions(options)
      this._core = new ClientCore(resolved, password)
      this._defaults = undefined
      this.#userOptions = options
    }
    this.#scripts = checkScripts(this.#userOptions?.scripts)
    for (const [name, script] of Object.entries(this.#scripts)) this.#addScript(name, script)
    for (const [library, fns] of Object.entries(checkFunctions(this.#userOptions?.functions))) {
      if (library in this) throw new TypeError(`a functions library named \`${library}\` would hide the client's own ${library}(): choose another name`)
      const lib: Record<string, (...params: unknown[]) => Promise<unknown>> = {}
      for (const [fn, config] of Object.entries(fns)) {
        lib[fn] = async (...params) => {
          const reply = await this._send(functionCommand(fn, config, params), undefined, undefined)
          return config.transformReply === undefined ? reply : config.transformReply(reply)
        }
      }
      Object.defineProperty(this, library, { value: Object.freeze(lib), enumerable: false })
    }
  }

  #addScript(name: string, script: Script): void {
    if (name in this) throw new TypeError(`a script named \`${name}\` would hide the client's own ${name}(): choose another name`)
    const call = (...params: unknown[]): Promise<unknown> => callScript((args) => this._send(args, undefined, undefined), script, params, name)
    Object.defineProperty(this, name, { value: call, enumerable: false, configurable: true })
  }

  /**
   * ioredis's defineCommand: `client.defineCommand('add', { numberOfKeys: 1, lua })` gives
   * `client.add(key, ...args)`, sent as EVALSHA with EVAL on NOSCRIPT.
   */
  defineCommand(name: string, definition: { lua: string; numberOfKeys?: number; readOnly?: boolean }): void {
    const script = defineScript({ SCRIPT: definition.lua, NUMBER_OF_KEYS: definition.numberOfKeys, IS_READ_ONLY: definition.readOnly })
    this.#scripts[name] = script
    this.#addScript(name, script)
  }

  /** Connects; resolves with the client once it is ready (the handshake done). */
  async connect(): Promise<this> {
    await this._core.connect()
    return this
  }

  /** True while connecting, connected or reconnecting (node-redis's meaning). */
  get isOpen(): boolean {
    return this._core.isOpen
  }

  /** True when commands go out at once. */
  get isReady(): boolean {
    return this._core.state === 'ready'
  }

  /** The protocol in force on the current connection: 3, or 2 (asked for, or the server lacked RESP3). */
  get RESP(): 2 | 3 {
    return this._core.resp
  }

  /** True once the client fell back to RESP2 because the server does not speak RESP3 (also the `resp2-fallback` event). */
  get fellBackToResp2(): boolean {
    return this._core.fellBackToResp2
  }

  /** The client-side cache (`clientSideCache` option), to read its `stats()`; undefined without one. */
  get clientSideCache(): ClientSideCache | undefined {
    return this._core.options.clientSideCache
  }

  /** The options in force, password redacted. */
  get options(): Record<string, unknown> {
    return redacted(this._core.options, this._core.password)
  }

  /**
   * Any command, as an array of arguments, name first. Resolves with the decoded reply (RESP3
   * natural values: maps as plain objects, sets as arrays), rejects with the server's
   * ReplyError or a ClientError saying whether the command ran.
   */
  sendCommand<T = unknown>(args: readonly CommandArgument[], options?: CommandOptions): Promise<T> {
    const merged = options === undefined ? this._defaults : this._defaults === undefined ? options : { ...this._defaults, ...options }
    return this._core.send(args, merged, undefined) as Promise<T>
  }

  /** @internal Sends a command built by a typed method. */
  _send(args: readonly CommandArgument[], options: CommandOptions | undefined, shape: Shaper | undefined): Promise<unknown> {
    const merged = options === undefined ? this._defaults : this._defaults === undefined ? options : { ...this._defaults, ...options }
    return this._core.send(args, merged, shape)
  }

  /** A transaction: chain commands, then `exec()` sends MULTI, them and EXEC in one write. */
  multi(): MultiCommand {
    return this.#withScripts(new MultiCommand(this._core, this._defaults, false))
  }

  #withScripts(multi: MultiCommand): MultiCommand {
    for (const [name, script] of Object.entries(this.#scripts)) {
      const shape = script.transformReply === undefined ? undefined : (reply: unknown) => script.transformReply!(reply)
      Object.defineProperty(multi, name, { value: (...params: unknown[]) => multi.addCommand(scriptInMulti(script, params, name), shape) })
    }
    return multi
  }

  MULTI(): MultiCommand {
    return this.multi()
  }

  /** An explicit pipeline: chain commands (or `addCommand(args)`), then `exec()` sends them in one write. */
  pipeline(): MultiCommand {
    return this.#withScripts(new MultiCommand(this._core, this._defaults, true))
  }

  /** WATCH keys for the next `multi().exec()` of this client. */
  watch(key: CommandArgument | readonly CommandArgument[], ...more: CommandArgument[]): Promise<string> {
    return this._core.watch([...(Array.isArray(key) ? key : [key as CommandArgument]), ...more])
  }

  WATCH(key: CommandArgument | readonly CommandArgument[], ...more: CommandArgument[]): Promise<string> {
    return this.watch(key, ...more)
  }

  unwatch(): Promise<string> {
    return this._core.unwatch()
  }

  UNWATCH(): Promise<string> {
    return this._core.unwatch()
  }

  /**
   * Listens to channels: `listener(message, channel)`, strings, or bytes with `bufferMode`.
   * RESP3 receives messages on the connection that runs commands; on RESP2 a subscribed
   * connection takes only pub/sub commands (use `duplicate()`). Subscriptions are restored
   * after every reconnect, before any other command.
   */
  subscribe<B extends boolean = false>(channels: Names, listener: PubSubListener<B extends true ? Uint8Array : string>, bufferMode?: B): Promise<void> {
    return this.#sub('channel', channels, listener, bufferMode)
  }

  /** Stops `listener` (all listeners when omitted) on `channels` (every channel when omitted). */
  unsubscribe(channels?: Names, listener?: PubSubListener<any>, bufferMode?: boolean): Promise<void> {
    return this.#unsub('channel', channels, listener, bufferMode)
  }

  /** Listens to channels matching glob patterns: `listener(message, channel)`. */
  pSubscribe<B extends boolean = false>(patterns: Names, listener: PubSubListener<B extends true ? Uint8Array : string>, bufferMode?: B): Promise<void> {
    return this.#sub('pattern', patterns, listener, bufferMode)
  }

  pUnsubscribe(patterns?: Names, listener?: PubSubListener<any>, bufferMode?: boolean): Promise<void> {
    return this.#unsub('pattern', patterns, listener, bufferMode)
  }

  /** Listens to shard channels (SSUBSCRIBE). */
  sSubscribe<B extends boolean = false>(channels: Names, listener: PubSubListener<B extends true ? Uint8Array : string>, bufferMode?: B): Promise<void> {
    return this.#sub('shard', channels, listener, bufferMode)
  }

  sUnsubscribe(channels?: Names, listener?: PubSubListener<any>, bufferMode?: boolean): Promise<void> {
    return this.#unsub('shard', channels, listener, bufferMode)
  }

  /** The messages of channels (or patterns, shard channels) as an async iterator, with bounded buffering. */
  messages<B extends boolean = false>(channels: Names, options?: MessageStreamOptions & { bufferMode?: B }): AsyncIterableIterator<PubSubMessage<B extends true ? Uint8Array : string>> {
    return messageStream(this._core, channelNames(channels), options)
  }

  #sub(kind: PubSubKind, names: Names, listener: PubSubListener<any>, bufferMode: boolean | undefined): Promise<void> {
    try {
      return this._core.subscribe(kind, channelNames(names), listener, bufferMode === true)
    } catch (err) {
      return Promise.reject(err)
    }
  }

  #unsub(kind: PubSubKind, names: Names | undefined, listener: PubSubListener<any> | undefined, bufferMode: boolean | undefined): Promise<void> {
    try {
      return this._core.unsubscribe(kind, names === undefined ? undefined : channelNames(names), listener, bufferMode === true)
    } catch (err) {
      return Promise.reject(err)
    }
  }

  /** INFO, parsed: `(await client.infoParsed()).server.redis_version`, `.keyspace.db0.keys`. */
  async infoParsed(section?: string): Promise<ParsedInfo> {
    return parseInfo(await this.info(section))
  }

  /** SCAN over the whole keyspace: yields each call's keys, until a full cycle is done. */
  scanIterator(options?: ScanIteratorOptions): AsyncGenerator<string[], void, undefined> {
    return scanIterator(this, options)
  }

  /** HSCAN: yields each call's `{ field, value }` entries. */
  hScanIterator(key: string | Uint8Array, options?: Omit<ScanIteratorOptions, 'TYPE'>): AsyncGenerator<Array<{ field: string; value: string }>, void, undefined> {
    return hScanIterator(this, key, options)
  }

  /** SSCAN: yields each call's members. */
  sScanIterator(key: string | Uint8Array, options?: Omit<ScanIteratorOptions, 'TYPE'>): AsyncGenerator<string[], void, undefined> {
    return sScanIterator(this, key, options)
  }

  /** ZSCAN: yields each call's `{ value, score }` members. */
  zScanIterator(key: string | Uint8Array, options?: Omit<ScanIteratorOptions, 'TYPE'>): AsyncGenerator<Array<{ value: string; score: number }>, void, undefined> {
    return zScanIterator(this, key, options)
  }

  /** SELECT a database; a reconnect selects the same one. */
  select(db: number): Promise<string> {
    return this._core.select(db)
  }

  SELECT(db: number): Promise<string> {
    return this._core.select(db)
  }

  /** A view of this client (same connection) whose replies follow `typeMapping`. */
  withTypeMapping(typeMapping: TypeMapping): this {
    return this.withCommandOptions({ typeMapping })
  }

  /** A view of this client (same connection) with these default command options. */
  withCommandOptions(options: CommandOptions): this {
    const defaults = { ...this._defaults, ...options }
    return new (this.constructor as typeof RedisClient)(undefined, { core: this._core, defaults, user: this.#userOptions }) as this
  }

  /** A new client (its own connection) with the same options, changed by `overrides`. */
  duplicate(overrides?: Partial<ClientOptions>): this {
    const base = this.#userOptions ?? {}
    const options: ClientOptions = { ...base, ...overrides }
    if (base.socket !== undefined || overrides?.socket !== undefined) options.socket = { ...base.socket, ...overrides?.socket }
    return new (this.constructor as typeof RedisClient)(options) as this
  }

  /** Graceful: refuses new commands, waits for every reply already due, then closes. */
  close(): Promise<void> {
    return this._core.close()
  }

  /** Immediate: rejects every pending command (OutcomeUnknownError for those already sent) and drops the connection. */
  destroy(): void {
    this._core.destroy()
  }

  /** Deprecated in node-redis v5: use close(). */
  async quit(): Promise<string> {
    await this._core.close()
    return 'OK'
  }

  /** Deprecated in node-redis v5: use destroy(). */
  async disconnect(): Promise<void> {
    this._core.destroy()
  }

  on(event: string | symbol, listener: (...args: any[]) => void): this {
    this._core.on(event, listener)
    return this
  }

  once(event: string | symbol, listener: (...args: any[]) => void): this {
    this._core.once(event, listener)
    return this
  }

  off(event: string | symbol, listener: (...args: any[]) => void): this {
    this._core.off(event, listener)
    return this
  }

  addListener(event: string | symbol, listener: (...args: any[]) => void): this {
    return this.on(event, listener)
  }

  removeListener(event: string | symbol, listener: (...args: any[]) => void): this {
    return this.off(event, listener)
  }

  removeAllListeners(event?: string | symbol): this {
    this._core.removeAllListeners(event)
    return this
  }

  listenerCount(event: string | symbol): number {
    return this._core.listenerCount(event)
  }

  toJSON(): Record<string, unknown> {
    return { isOpen: this.isOpen, isReady: this.isReady, options: this.options }
  }

  toString(): string {
    const c = this._core.options.connect
    return `RedisClient(${c.path ?? `${c.host}:${c.port}`}, ${this._core.state})`
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString()
  }
}

// node-redis's UPPERCASE spellings of the methods above.
for (const [alias, name] of [['SUBSCRIBE', 'subscribe'], ['UNSUBSCRIBE', 'unsubscribe'], ['PSUBSCRIBE', 'pSubscribe'],
  ['PUNSUBSCRIBE', 'pUnsubscribe'], ['SSUBSCRIBE', 'sSubscribe'], ['SUNSUBSCRIBE', 'sUnsubscribe']] as const) {
  Object.defineProperty(RedisClient.prototype, alias, { value: RedisClient.prototype[name], writable: true, configurable: true })
}

// Typed methods (get, set, hGetAll... and their UPPERCASE aliases) come from the definitions in
// commands/ and the generated command table.
export interface RedisClient extends CommandMethods {
  SUBSCRIBE: RedisClient['subscribe']
  UNSUBSCRIBE: RedisClient['unsubscribe']
  PSUBSCRIBE: RedisClient['pSubscribe']
  PUNSUBSCRIBE: RedisClient['pUnsubscribe']
  SSUBSCRIBE: RedisClient['sSubscribe']
  SUNSUBSCRIBE: RedisClient['sUnsubscribe']
}
installMethods(RedisClient.prototype, {
  invoke: (self: RedisClient, args, options, shape) => self._send(args, options, shape),
  fail: (error) => Promise.reject(error),
})
