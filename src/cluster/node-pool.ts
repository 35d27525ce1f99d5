// One client per node, made when first needed with the cluster's `defaults` (credentials and TLS
// included, also for nodes learned later) and closed when the node leaves the cluster.
// Node clients fail commands at once while disconnected (no offline queue): the cluster decides
// where a command goes next, so it must know at once that a node is away.

import { RedisClient } from '../client/client.ts'
import type { ClientOptions } from '../client/options.ts'
import type { ClusterNode } from './slot-map.ts'

export interface PooledNode {
  readonly node: ClusterNode
  readonly client: RedisClient
  /** Resolves when connected; rejects if the first connection failed. */
  readonly ready: Promise<RedisClient>
  readonly replica: boolean
}

export class NodePool {
  readonly #defaults: ClientOptions
  readonly #nodes = new Map<string, PooledNode>()
  readonly #onClient: (client: RedisClient, node: ClusterNode) => void

  constructor(defaults: ClientOptions, onClient: (client: RedisClient, node: ClusterNode) => void) {
    this.#defaults = defaults
    this.#onClient = onClient
  }

  get size(): number {
    return this.#nodes.size
  }

  /** The node's pooled client, if one was made. */
  peek(address: string): PooledNode | undefined {
    return this.#nodes.get(address)
  }

  has(address: string): boolean {
    return this.#nodes.has(address)
  }

  /** The node's client, connecting it on first use. Replicas are opened with READONLY. */
  get(node: ClusterNode, replica = false): PooledNode {
    let pooled = this.#nodes.get(node.address)
    if (pooled !== undefined) return pooled
    const client = new RedisClient({
      ...this.#defaults,
      url: undefined,
      socket: { ...this.#defaults.socket, host: node.host, port: node.port, path: undefined },
      disableOfflineQueue: true,
      ...(replica ? { readonly: true } : {}),
    })
    this.#onClient(client, node)
    const ready = client.connect()
    ready.catch(() => {})
    pooled = { node, client, ready, replica }
    this.#nodes.set(node.address, pooled)
    return pooled
  }

  all(): PooledNode[] {
    return [...this.#nodes.values()]
  }

  /** Closes the clients of nodes not in `keep`. */
  retain(keep: ReadonlySet<string>): ClusterNode[] {
    const gone: ClusterNode[] = []
    for (const [address, pooled] of this.#nodes) {
      if (keep.has(address)) continue
      this.#nodes.delete(address)
      void pooled.client.close().catch(() => undefined)
      gone.push(pooled.node)
    }
    return gone
  }

  /** Forgets a node whose client gave up, so the next use makes a fresh one. */
  drop(address: string): void {
    const pooled = this.#nodes.get(address)
    if (pooled === undefined) return
    this.#nodes.delete(address)
    pooled.client.destroy()
  }

  async close(): Promise<void> {
    const all = [...this.#nodes.values()]
    this.#nodes.clear()
    await Promise.all(all.map((p) => p.client.close().catch(() => undefined)))
  }

  destroy(): void {
    for (const p of this.#nodes.values()) p.client.destroy()
    this.#nodes.clear()
  }
}
