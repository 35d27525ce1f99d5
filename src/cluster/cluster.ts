// The Redis Cluster client (node-redis v5's createCluster): one client per node, commands routed
// by slot, redirects followed, multi-key commands split per slot, batches sent per node,
// keyless commands fanned out where that is their meaning, and the layout refreshed on MOVED,
// on a lost node, on uncovered slots and periodically.

import { ReplyError, type CommandArgument } from '../resp/index.ts'
import { RedisClient } from '../client/client.ts'
import type { Shaper } from '../client/command.ts'
import { commandInfo, keyIndexesOf } from '../client/command-keys.ts'
import { Emitter } from '../client/events.ts'
import { installMethods, type CommandMethods } from '../client/methods.ts'
import { parseUrl, type ClientOptions, type CommandOptions } from '../client/options.ts'
import { ClientClosedError, ClientStateError } from '../client/errors.ts'
import { ClusterDiscoveryError, CrossSlotError } from './errors.ts'
import { NodePool } from './node-pool.ts'
import { Refresher } from './refresher.ts'
import { notSent, route, type RouteContext } from './router.ts'
import { keySlot } from './slot.ts'
import { SlotMap, nodeAddress, type ClusterNode, type Shard } from './slot-map.ts'
import { splitBySlot } from './split.ts'
import { parseShards, parseSlots, resolveNode, type NodeAddressMap } from './topology.ts'
import { fanOut } from './fan-out.ts'
import { ClusterBatch } from './batch.ts'
import { ClusterPubSub } from './pubsub.ts'
import type { PubSubListener } from '../client/pubsub.ts'
import { callScript, checkFunctions, checkScripts, functionCommand, type FunctionMethods, type ScriptMethods } from '../client/scripts.ts'

export interface ClusterOptions {
  /** Nodes to discover the cluster from: `{ url }` or `{ socket: { host, port } }`. */
  rootNodes: ReadonlyArray<Pick<ClientOptions, 'url' | 'socket'>>
  /** Options of every node's client: credentials, TLS, RESP, timeouts... (also for nodes found later). */
  defaults?: Omit<ClientOptions, 'url'>
  /** Send read-only commands to replicas (opened with READONLY), falling back to the master. Default false. */
  useReplicas?: boolean
  /** Rewrites announced node addresses (`host:port`) for NAT and containers. */
  nodeAddressMap?: NodeAddressMap
  /** Most MOVED/ASK redirects for one command. Default 16. */
  maxCommandRedirections?: number
  /** How long a command may wait for a slot to get a reachable owner (failover, CLUSTERDOWN, TRYAGAIN), when it has no timeout of its own. Default 30 000 ms. */
  retryTimeout?: number
  /** Refresh the layout this often, in ms; 0 turns it off. Default 60 000. */
  refreshInterval?: number
  /** Fewest ms between two refreshes. Default 1000. */
  minRefreshInterval?: number
  /** Lua scripts as methods, routed by their keys (see createClient's `scripts`). */
  scripts?: ClientOptions['scripts']
  /** Functions as methods, routed by their keys (see createClient's `functions`). */
  functions?: ClientOptions['functions']
}

const NO_KEYS: readonly number[] = []
const KEY_SCRATCH: number[] = []

/** Answers route() handles: the command did not run, it goes elsewhere or again. */
const ROUTED_CODES = new Set(['MOVED', 'ASK', 'TRYAGAIN', 'CLUSTERDOWN', 'READONLY', 'MASTERDOWN'])

function fail(option: string, message: string): never {
  throw new TypeError(`createCluster: option \`${option}\` ${message}`)
}

function ms(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(option, `must be a number of ms, 0 or more (got ${String(value)})`)
  return value
}

/** How long reads leave a replica alone after it could not be reached (useReplicas). */
const REPLICA_RETRY_MS = 5_000

export class RedisCluster extends Emitter {
  readonly #defaults: ClientOptions
  readonly #roots: ClusterNode[]
  readonly #useReplicas: boolean
  readonly #addressMap: NodeAddressMap | undefined
  readonly #refresher: Refresher
  readonly #refreshInterval: number
  readonly #pool: NodePool
  readonly #pubsub: ClusterPubSub
  #map = SlotMap.empty()
  #state: 'idle' | 'connecting' | 'ready' | 'closed' = 'idle'
  #timer: ReturnType<typeof setInterval> | undefined
  /** @internal */
  readonly _ctx: RouteContext

  /** Use `createCluster()`. */
  constructor(options: ClusterOptions) {
    super()
    if (options === null || typeof options !== 'object') fail('options', 'must be an object with rootNodes')
    if (!Array.isArray(options.rootNodes) || options.rootNodes.length === 0) fail('rootNodes', 'must list at least one node: [{ url: "redis://host:port" }]')
    const defaults = options.defaults ?? {}
    // Checks the defaults now, as createClient would.
    new RedisClient({ ...defaults, socket: { ...defaults.socket, host: '127.0.0.1', port: 6379 } })
    this.#roots = options.rootNodes.map((root, i) => {
      const probe = new RedisClient({ ...defaults, ...root, socket: { ...defaults.socket, ...root.socket } })
      const socket = probe.options.socket as { host?: string; port?: number; path?: string }
      if (socket.path !== undefined || socket.host === undefined || socket.port === undefined) fail(`rootNodes[${i}]`, 'needs a host and port (a cluster node is not reached through a Unix socket)')
      return { address: nodeAddress(socket.host, socket.port), host: socket.host, port: socket.port, id: undefined }
    })
    // The root's socket merged over the defaults' (as for the probes above): TLS set in `defaults` counts.
    const root = options.rootNodes[0]
    const tls = (new RedisClient({ ...defaults, ...root, socket: { ...defaults.socket, ...root.socket } }).options.socket as { tls?: unknown }).tls !== undefined
    const max = options.maxCommandRedirections ?? 16
    if (!Number.isInteger(max) || max < 0) fail('maxCommandRedirections', `must be an integer, 0 or more (got ${String(max)})`)
    const useReplicas = options.useReplicas ?? false
    if (typeof useReplicas !== 'boolean') fail('useReplicas', 'must be true or false')
    const map = options.nodeAddressMap
    if (map !== undefined && typeof map !== 'function' && (map === null || typeof map !== 'object')) fail('nodeAddressMap', 'must be an object of "host:port" -> { host, port }, or a function')
    this.#useReplicas = useReplicas
    this.#addressMap = map
    this.#refreshInterval = ms('refreshInterval', options.refreshInterval, 60_000)
    this.#refresher = new Refresher(() => this.#discover(tls), ms('minRefreshInterval', options.minRefreshInterval, 1000))
    // Credentials in the first root's URL (redis://user:pw@host) and its rediss:// serve every
    // node, unless `defaults` has its own: node clients are made from `defaults`, not from the URL.
    const fromUrl = typeof root.url === 'string' ? parseUrl(root.url) : undefined
    const urlAuth = fromUrl?.password !== undefined && defaults.password === undefined
      ? { password: fromUrl.password, ...(fromUrl.username !== undefined && defaults.username === undefined ? { username: fromUrl.username } : {}) }
      : {}
    this.#defaults = {
      ...urlAuth,
      ...defaults,
      // Redirects and failover are the cluster's to handle, not each node client's.
      serverErrorActions: { READONLY: 'fail', MASTERDOWN: 'fail', ...defaults.serverErrorActions },
      socket: {
        connectTimeout: 2_000,
        reconnectStrategy: (retries: number) => (retries >= 2 ? false : 50 * (retries + 1)),
        ...(tls ? { tls: true } : {}),
        ...defaults.socket,
      },
    }
    this.#pool = new NodePool(this.#defaults, (client, node) => {
      client.on('error', (err: unknown) => this.emit('error', err))
      client.on('reconnecting', () => void this.#refresher.request())
      client.on('end', () => {
        if (this.#state === 'ready') void this.#refresher.request()
      })
      this.emit('node-connect', node)
    })
    const resolverTls = tls
    this._ctx = {
      maxRedirections: max,
      retryTimeout: ms('retryTimeout', options.retryTimeout, 30_000),
      pick: (slot, readOnly) => this.#pick(slot, readOnly),
      client: (node) => this.#clientFor(node),
      nodeAt: (address) => {
        const colon = address.lastIndexOf(':')
        const host = address.slice(0, colon).replace(/^\[|\]$/g, '')
        return resolveNode(host, Number(address.slice(colon + 1)), undefined, { askedHost: host, tls: resolverTls, map: this.#addressMap })
      },
      moved: (slot, node) => this.#map.moveSlot(slot, node),
      refresh: () => this.#refresher.request(),
      recycle: (node) => this.#pool.drop(node.address),
      closed: () => this.#state === 'closed',
      unreachable: (node) => {
        const pooled = this.#pool.all().find((p) => p.node.address === node.address)
        if (pooled !== undefined && !pooled.client.isOpen) this.#pool.drop(node.address)
        // Reads skip a replica that could not be reached for a while, rather than trying it on each read.
        if (this.replicas.some((r) => r.address === node.address)) this.#replicaDown.set(node.address, Date.now() + REPLICA_RETRY_MS)
      },
    }
    this.#pubsub = new ClusterPubSub(this)
    const send = (args: CommandArgument[]): Promise<unknown> => this._send(args, undefined, undefined)
    for (const [name, script] of Object.entries(checkScripts(options.scripts))) {
      if (name in this) fail(`scripts.${name}`, `would hide the cluster's own ${name}(): choose another name`)
      Object.defineProperty(this, name, { value: (...params: unknown[]) => callScript(send, script, params, name) })
    }
    for (const [library, fns] of Object.entries(checkFunctions(options.functions))) {
      if (library in this) fail(`functions.${library}`, `would hide the cluster's own ${library}(): choose another name`)
      const lib: Record<string, (...params: unknown[]) => Promise<unknown>> = {}
      for (const [fn, config] of Object.entries(fns)) {
        lib[fn] = async (...params) => {
          const reply = await send(functionCommand(fn, config, params))
          return config.transformReply === undefined ? reply : config.transformReply(reply)
        }
      }
      Object.defineProperty(this, library, { value: Object.freeze(lib) })
    }
  }

  get isOpen(): boolean {
    return this.#state === 'connecting' || this.#state === 'ready'
  }

  get isReady(): boolean {
    return this.#state === 'ready'
  }

  /** The masters, each with its replicas and slot ranges. */
  get shards(): readonly Shard[] {
    return this.#map.shards
  }

  get masters(): ClusterNode[] {
    return this.#map.shards.map((s) => s.master)
  }

  get replicas(): ClusterNode[] {
    return this.#map.shards.flatMap((s) => s.replicas)
  }

  /** Refreshes done so far. */
  get refreshCount(): number {
    return this.#refresher.count
  }

  /** Discovers the cluster from the root nodes; resolves with the cluster once the layout is known. */
  async connect(): Promise<this> {
    if (this.#state === 'connecting' || this.#state === 'ready') throw new ClientStateError('connect() was called on a cluster that is already open')
    this.#state = 'connecting'
    let failure: unknown
    const done = this.#refresher.now().then(() => undefined, (err) => (failure = err))
    await done
    if (this.#map.isEmpty) {
      this.#state = 'closed'
      this.#pool.destroy()
      throw this.#lastDiscoveryError ?? failure ?? new ClusterDiscoveryError([])
    }
    this.#state = 'ready'
    if (this.#refreshInterval > 0) this.#timer = setInterval(() => void this.#refresher.request(), this.#refreshInterval)
    this.emit('connect')
    this.emit('ready')
    return this
  }

  #lastDiscoveryError: ClusterDiscoveryError | undefined
  /** Replicas that could not be reached, and until when reads leave them alone. */
  readonly #replicaDown = new Map<string, number>()

  /** Reads the layout from known nodes (masters first), then the root nodes; the first answer wins. */
  async #discover(tls: boolean): Promise<void> {
    const candidates = new Map<string, ClusterNode>()
    for (const n of this.#map.nodes()) candidates.set(n.address, n)
    for (const n of this.#roots) if (!candidates.has(n.address)) candidates.set(n.address, n)
    const failures: Array<{ address: string; error: Error }> = []
    for (const node of candidates.values()) {
      if (this.#state === 'closed') return
      try {
        const client = await this.#clientFor(node)
        const resolver = { askedHost: node.host, tls, map: this.#addressMap }
        let shards: Shard[]
        try {
          shards = parseShards(await client.sendCommand(['CLUSTER', 'SHARDS'], { timeout: 5_000 }), resolver)
        } catch (err) {
          if (!(err instanceof Error) || !/unknown (sub)?command/i.test(err.message)) throw err
          shards = parseSlots(await client.sendCommand(['CLUSTER', 'SLOTS'], { timeout: 5_000 }), resolver)
        }
        if (shards.length === 0) throw new Error('it knows no slots (is it part of a cluster, with slots assigned?)')
        this.#apply(new SlotMap(shards))
        this.#lastDiscoveryError = undefined
        return
      } catch (err) {
        failures.push({ address: node.address, error: err instanceof Error ? err : new Error(String(err)) })
        this.#pool.drop(node.address)
      }
    }
    this.#lastDiscoveryError = new ClusterDiscoveryError(failures)
    if (this.#state === 'ready') this.emit('error', this.#lastDiscoveryError)
    throw this.#lastDiscoveryError
  }

  #apply(map: SlotMap): void {
    const before = new Map(this.#map.nodes().map((n) => [n.address, n]))
    const changed = map.signature() !== this.#map.signature()
    this.#map = map
    const keep = new Set(map.nodes().map((n) => n.address))
    this.#pool.retain(keep)
    // node-removed mirrors node-added: nodes of the previous layout absent from this one (their
    // pooled client may already be gone, dropped when the node stopped answering).
    for (const [address, node] of before) if (!keep.has(address)) this.emit('node-removed', node)
    for (const node of map.nodes()) if (!before.has(node.address)) this.emit('node-added', node)
    if (map.uncovered() > 0) void this.#refresher.request()
    if (changed) this.#pubsub.topologyChanged()
  }

  #pick(slot: number | undefined, readOnly: boolean): ClusterNode | undefined {
    if (slot === undefined) {
      const shards = this.#map.shards
      return shards.length === 0 ? undefined : shards[Math.floor(Math.random() * shards.length)].master
    }
    const shard = this.#map.shardOf(slot)
    if (shard === undefined) return undefined
    if (readOnly && this.#useReplicas && shard.replicas.length > 0) {
      const now = Date.now()
      const up = shard.replicas.filter((r) => (this.#replicaDown.get(r.address) ?? 0) <= now && (!this.#pool.has(r.address) || this.#pool.get(r, true).client.isReady))
      if (up.length > 0) return up[Math.floor(Math.random() * up.length)]
    }
    return shard.master
  }

  #clientFor(node: ClusterNode): Promise<RedisClient> {
    if (this.#state === 'closed') return Promise.reject(new ClientClosedError('the cluster is closed'))
    const known = this.#pool.peek(node.address)
    if (known !== undefined && known.client.isReady) return Promise.resolve(known.client)
    const replica = this.#map.shards.some((s) => s.replicas.some((r) => r.address === node.address))
    const pooled = this.#pool.get(node, replica)
    if (pooled.client.isReady) return Promise.resolve(pooled.client)
    return pooled.ready
  }

  // ---- commands

  /** Any command, routed by its keys (split per slot for MGET, MSET, DEL, UNLINK, EXISTS, TOUCH). */
  sendCommand<T = unknown>(args: readonly CommandArgument[], options?: CommandOptions): Promise<T> {
    return this._send(args, options, undefined) as Promise<T>
  }

  /** @internal */
  _send(args: readonly CommandArgument[], options: CommandOptions | undefined, shape: Shaper | undefined): Promise<unknown> {
    if (this.#state !== 'ready') return Promise.reject(new ClientClosedError(this.#state === 'closed' ? 'the cluster is closed' : 'the cluster is not connected: call connect() first'))
    if (!Array.isArray(args) || args.length === 0) return Promise.reject(new TypeError('sendCommand: a command is a non-empty array of arguments, name first'))
    const info = commandInfo(args)
    // One scratch array for every command's key positions: read synchronously below, never kept.
    const keys = info === undefined ? NO_KEYS : keyIndexesOf(info, args, KEY_SCRATCH)
    const readOnly = info?.readOnly === true
    if (keys.length === 0) {
      const policy = info?.requestPolicy
      if (policy === 'all_shards' || policy === 'all_nodes') return fanOut(this, args, options, shape, policy, info?.responsePolicy)
      return route(this._ctx, args, options, shape, undefined, readOnly)
    }
    const slot = keySlot(args[keys[0]])
    for (let i = 1; i < keys.length; i++) {
      if (keySlot(args[keys[i]]) === slot) continue
      const name = typeof args[0] === 'string' ? args[0].toUpperCase() : ''
      const split = splitBySlot(name, args)
      if (split === undefined) return Promise.reject(new CrossSlotError(name, [...new Set(keys.map((k) => keySlot(args[k])))]))
      return Promise.all(split.parts.map((part) => this.#fast(part.args, options, undefined, part.slot, readOnly)))
        .then((replies) => {
          const combined = split.combine(replies, split.parts, split.total)
          return shape === undefined ? combined : shape(combined, { resp: 3, mapAsMap: false })
        })
    }
    return this.#fast(args, options, shape, slot, readOnly)
  }

  /**
   * The common case without route()'s async frame: the slot's node has a connected client, so
   * the command goes straight to it; only an answer that calls for routing (a redirect, an
   * unreachable node) enters route(), which takes over from that answer.
   */
  #fast(args: readonly CommandArgument[], options: CommandOptions | undefined, shape: Shaper | undefined, slot: number, readOnly: boolean): Promise<unknown> {
    const node = this.#state === 'ready' ? this.#pick(slot, readOnly) : undefined
    const pooled = node === undefined ? undefined : this.#pool.peek(node.address)
    if (node === undefined || pooled === undefined || !pooled.client.isReady) return route(this._ctx, args, options, shape, slot, readOnly)
    return pooled.client._send(args, options, shape).catch((error: unknown) => {
      if (error instanceof ReplyError ? !ROUTED_CODES.has(error.code) : !notSent(error)) throw error
      return route(this._ctx, args, options, shape, slot, readOnly, { node, error })
    })
  }

  /** A command to one node, with no redirect handling (hiredis-cluster's CommandToNode). */
  async sendToNode<T = unknown>(node: ClusterNode | string, args: readonly CommandArgument[], options?: CommandOptions): Promise<T> {
    return (await this.nodeClient(node)).sendCommand<T>(args, options)
  }

  /** The connected client of one node (`host:port` or a node from `masters` / `replicas`). */
  nodeClient(node: ClusterNode | string): Promise<RedisClient> {
    const target = typeof node === 'string' ? this._ctx.nodeAt(node) : node
    return this.#clientFor(target)
  }

  /** A transaction: all its keys in one slot (refused before sending otherwise). */
  multi(): ClusterBatch {
    return new ClusterBatch(this, true)
  }

  /** A batch for keys on many nodes: one pipeline per node, replies in the caller's order. */
  pipeline(): ClusterBatch {
    return new ClusterBatch(this, false)
  }

  /** SCAN over every master: yields each call's keys. */
  async *scanIterator(options?: { MATCH?: string; COUNT?: number; TYPE?: string }): AsyncGenerator<string[], void, undefined> {
    for (const master of this.masters) {
      const client = await this.#clientFor(master)
      for await (const keys of client.scanIterator(options)) yield keys
    }
  }

  subscribe(channels: string | string[], listener: PubSubListener<any>, bufferMode?: boolean): Promise<void> {
    return this.#pubsub.subscribe('channel', channels, listener, bufferMode === true)
  }

  unsubscribe(channels?: string | string[], listener?: PubSubListener<any>, bufferMode?: boolean): Promise<void> {
    return this.#pubsub.unsubscribe('channel', channels, listener, bufferMode === true)
  }

  pSubscribe(patterns: string | string[], listener: PubSubListener<any>, bufferMode?: boolean): Promise<void> {
    return this.#pubsub.subscribe('pattern', patterns, listener, bufferMode === true)
  }

  pUnsubscribe(patterns?: string | string[], listener?: PubSubListener<any>, bufferMode?: boolean): Promise<void> {
    return this.#pubsub.unsubscribe('pattern', patterns, listener, bufferMode === true)
  }

  /** Shard channels: routed by slot to the owning master, moved when the slot moves. */
  sSubscribe(channels: string | string[], listener: PubSubListener<any>, bufferMode?: boolean): Promise<void> {
    return this.#pubsub.subscribe('shard', channels, listener, bufferMode === true)
  }

  sUnsubscribe(channels?: string | string[], listener?: PubSubListener<any>, bufferMode?: boolean): Promise<void> {
    return this.#pubsub.unsubscribe('shard', channels, listener, bufferMode === true)
  }

  /** @internal For the pub/sub and batch helpers. */
  _slotOwner(slot: number | undefined): ClusterNode | undefined {
    return this.#pick(slot, false)
  }

  /** @internal */
  _clientOptions(): ClientOptions {
    return this.#defaults
  }

  /** Graceful: each node's client finishes what it was sent, then closes. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return
    this.#shutdown()
    await Promise.all([this.#pool.close(), this.#pubsub.close()])
    this.emit('end')
  }

  /** Immediate: every pending command fails. */
  destroy(): void {
    if (this.#state === 'closed') return
    this.#shutdown()
    this.#pool.destroy()
    this.#pubsub.destroy()
    this.emit('end')
  }

  /** Deprecated in node-redis v5: use close(). */
  async quit(): Promise<string> {
    await this.close()
    return 'OK'
  }

  async disconnect(): Promise<void> {
    this.destroy()
  }

  #shutdown(): void {
    this.#state = 'closed'
    this.#refresher.stop()
    if (this.#timer !== undefined) clearInterval(this.#timer)
    this.#timer = undefined
  }

  override toString(): string {
    return `RedisCluster(${this.#roots.map((r) => r.address).join(', ')}, ${this.#state})`
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString()
  }
}

export interface RedisCluster extends CommandMethods {}
installMethods(RedisCluster.prototype, {
  invoke: (self: RedisCluster, args, options, shape) => self._send(args, options, shape),
  fail: (error) => Promise.reject(error),
})

/** A cluster client, with the methods its `scripts` and `functions` options add. */
export type RedisClusterType<O extends ClusterOptions = ClusterOptions> = RedisCluster & ScriptMethods<O['scripts']> & FunctionMethods<O['functions']>

/** node-redis v5's createCluster. Checks the options now; discovers the cluster on `connect()`. */
export function createCluster<const O extends ClusterOptions>(options: O): RedisClusterType<O> {
  return new RedisCluster(options) as RedisClusterType<O>
}
