// The cluster's layout as one value: every slot's shard, and each shard's master and replicas.
// Replaced whole on each refresh, patched one slot at a time on MOVED. Pure: no I/O.

import { SLOTS } from './slot.ts'

export interface ClusterNode {
  /** `host:port` (IPv6 as `[::1]:port`): the pool's key for this node's client. */
  readonly address: string
  readonly host: string
  readonly port: number
  /** The node id, when the server said (CLUSTER SHARDS does). */
  readonly id: string | undefined
}

export interface Shard {
  readonly master: ClusterNode
  readonly replicas: readonly ClusterNode[]
  /** Slot ranges, inclusive: `[[0, 5460]]`. */
  readonly slots: ReadonlyArray<readonly [number, number]>
}

export function nodeAddress(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`
}

export class SlotMap {
  readonly shards: Shard[]
  /** Slot -> index in `shards`, or -1 where no shard serves it. */
  readonly owners: Int16Array

  constructor(shards: Shard[]) {
    this.shards = shards
    this.owners = new Int16Array(SLOTS).fill(-1)
    shards.forEach((shard, index) => {
      for (const [from, to] of shard.slots) this.owners.fill(index, from, to + 1)
    })
  }

  static empty(): SlotMap {
    return new SlotMap([])
  }

  get isEmpty(): boolean {
    return this.shards.length === 0
  }

  shardOf(slot: number): Shard | undefined {
    const i = this.owners[slot]
    return i === -1 ? undefined : this.shards[i]
  }

  /** Slots no shard serves (the cluster is not fully covered). */
  uncovered(): number {
    let n = 0
    for (let s = 0; s < SLOTS; s++) if (this.owners[s] === -1) n++
    return n
  }

  /** MOVED: `slot` now belongs to the master at `node`; a shard for it is made if none is known. */
  moveSlot(slot: number, node: ClusterNode): void {
    let index = this.shards.findIndex((s) => s.master.address === node.address)
    if (index === -1) {
      index = this.shards.length
      this.shards.push({ master: node, replicas: [], slots: [] })
    }
    this.owners[slot] = index
  }

  /** Every node, masters first. */
  nodes(): ClusterNode[] {
    const seen = new Map<string, ClusterNode>()
    for (const s of this.shards) seen.set(s.master.address, s.master)
    for (const s of this.shards) for (const r of s.replicas) if (!seen.has(r.address)) seen.set(r.address, r)
    return [...seen.values()]
  }

  /** A fingerprint of who owns what, to tell whether a refresh changed anything. */
  signature(): string {
    return this.shards.map((s) => `${s.master.address}[${s.replicas.map((r) => r.address).join(',')}]${s.slots.map(([a, b]) => `${a}-${b}`).join(',')}`).sort().join(' ')
  }
}
