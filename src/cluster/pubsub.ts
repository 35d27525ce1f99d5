// Pub/sub on a cluster. Classic channels and patterns: one dedicated client, to one node (a
// published message reaches every node); if that client gives up, its subscriptions move to
// another node. Shard channels: one dedicated client per master, each channel on the master
// that owns its slot; after a topology change, channels whose owner changed are moved.

import { RedisClient } from '../client/client.ts'
import { channelNames, type PubSubKind, type PubSubListener } from '../client/pubsub.ts'
import { ClientClosedError } from '../client/errors.ts'
import type { RedisCluster } from './cluster.ts'
import { keySlot } from './slot.ts'
import type { ClusterNode } from './slot-map.ts'

interface Registration {
  readonly kind: PubSubKind
  readonly name: string
  readonly listener: PubSubListener<any>
  readonly buffer: boolean
}

export class ClusterPubSub {
  readonly #cluster: RedisCluster
  #classic: { client: RedisClient; node: ClusterNode } | undefined
  readonly #shardClients = new Map<string, { client: RedisClient; node: ClusterNode }>()
  /** Where each shard channel is subscribed now (master address). */
  readonly #shardHome = new Map<string, string>()
  readonly #registrations: Registration[] = []
  #closed = false

  constructor(cluster: RedisCluster) {
    this.#cluster = cluster
  }

  async subscribe(kind: PubSubKind, channels: string | string[], listener: PubSubListener<any>, buffer: boolean): Promise<void> {
    const names = channelNames(channels)
    for (const name of names) this.#registrations.push({ kind, name, listener, buffer })
    if (kind === 'shard') {
      await Promise.all(names.map(async (name) => {
        const { client, node } = await this.#shardClient(keySlot(name))
        this.#shardHome.set(name, node.address)
        await client.sSubscribe(name, listener, buffer)
      }))
      return
    }
    const client = await this.#classicClient()
    await (kind === 'pattern' ? client.pSubscribe(names, listener, buffer) : client.subscribe(names, listener, buffer))
  }

  async unsubscribe(kind: PubSubKind, channels: string | string[] | undefined, listener: PubSubListener<any> | undefined, buffer: boolean): Promise<void> {
    const names = channels === undefined ? undefined : channelNames(channels)
    for (let i = this.#registrations.length - 1; i >= 0; i--) {
      const r = this.#registrations[i]
      if (r.kind === kind && (names === undefined || names.includes(r.name)) && (listener === undefined || (r.listener === listener && r.buffer === buffer))) this.#registrations.splice(i, 1)
    }
    if (kind === 'shard') {
      await Promise.all([...this.#shardClients.values()].map(({ client }) => client.sUnsubscribe(names, listener, buffer)))
      return
    }
    const c = this.#classic?.client
    if (c === undefined) return
    await (kind === 'pattern' ? c.pUnsubscribe(names, listener, buffer) : c.unsubscribe(names, listener, buffer))
  }

  /** After a refresh: shard channels follow their slot's owner; classic ones leave a node that left. */
  topologyChanged(): void {
    if (this.#closed) return
    for (const [name, home] of this.#shardHome) {
      const owner = this.#cluster._slotOwner(keySlot(name))
      if (owner === undefined || owner.address === home) continue
      void this.#moveShard(name, home).catch((err) => this.#cluster.emit('error', err))
    }
    // Dedicated clients of nodes that left the cluster would reconnect forever: close them.
    const known = new Set([...this.#cluster.masters, ...this.#cluster.replicas].map((n) => n.address))
    for (const [address, entry] of this.#shardClients) {
      if (known.has(address)) continue
      this.#shardClients.delete(address)
      entry.client.destroy()
    }
    const classic = this.#classic
    if (classic !== undefined && !this.#cluster.masters.some((m) => m.address === classic.node.address) && !this.#cluster.replicas.some((r) => r.address === classic.node.address)) {
      this.#classic = undefined
      classic.client.destroy()
      void this.#replayClassic().catch((err) => this.#cluster.emit('error', err))
    }
  }

  async #moveShard(name: string, from: string): Promise<void> {
    const old = this.#shardClients.get(from)
    const regs = this.#registrations.filter((r) => r.kind === 'shard' && r.name === name)
    if (old !== undefined) {
      // The registration goes at once; the SUNSUBSCRIBE itself waits for a connection, so wait
      // for it only when the old node is up (a dead node's client would keep us waiting forever).
      const leaving = old.client.sUnsubscribe(name).catch(() => undefined)
      if (old.client.isReady) await leaving
    }
    const { client, node } = await this.#shardClient(keySlot(name))
    this.#shardHome.set(name, node.address)
    for (const r of regs) await client.sSubscribe(name, r.listener, r.buffer)
  }

  async #replayClassic(): Promise<void> {
    const regs = this.#registrations.filter((r) => r.kind !== 'shard')
    if (regs.length === 0) return
    const client = await this.#classicClient()
    for (const r of regs) await (r.kind === 'pattern' ? client.pSubscribe(r.name, r.listener, r.buffer) : client.subscribe(r.name, r.listener, r.buffer))
  }

  #open(node: ClusterNode): RedisClient {
    const defaults = this.#cluster._clientOptions()
    // Unlike command clients, these keep their subscriptions through reconnects (offline queue on).
    const client = new RedisClient({ ...defaults, disableOfflineQueue: false, socket: { ...defaults.socket, host: node.host, port: node.port, reconnectStrategy: undefined } })
    client.on('error', (err: unknown) => this.#cluster.emit('error', err))
    return client
  }

  async #classicClient(): Promise<RedisClient> {
    if (this.#closed) throw new ClientClosedError('the cluster is closed')
    if (this.#classic !== undefined) return this.#classic.client
    const masters = this.#cluster.masters
    const node = masters[Math.floor(Math.random() * masters.length)]
    if (node === undefined) throw new ClientClosedError('the cluster knows no node to subscribe on')
    const client = this.#open(node)
    this.#classic = { client, node }
    await client.connect()
    return client
  }

  async #shardClient(slot: number): Promise<{ client: RedisClient; node: ClusterNode }> {
    if (this.#closed) throw new ClientClosedError('the cluster is closed')
    const node = this.#cluster._slotOwner(slot)
    if (node === undefined) throw new ClientClosedError(`no master serves slot ${slot}`)
    let entry = this.#shardClients.get(node.address)
    if (entry === undefined) {
      entry = { client: this.#open(node), node }
      this.#shardClients.set(node.address, entry)
      await entry.client.connect()
    }
    return entry
  }

  async close(): Promise<void> {
    this.#closed = true
    const all = [this.#classic?.client, ...[...this.#shardClients.values()].map((e) => e.client)].filter((c): c is RedisClient => c !== undefined)
    this.#classic = undefined
    this.#shardClients.clear()
    await Promise.all(all.map((c) => c.close().catch(() => undefined)))
  }

  destroy(): void {
    this.#closed = true
    this.#classic?.client.destroy()
    for (const e of this.#shardClients.values()) e.client.destroy()
    this.#classic = undefined
    this.#shardClients.clear()
  }
}
