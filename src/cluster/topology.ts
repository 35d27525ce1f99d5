// Reading the cluster's layout from a node: CLUSTER SHARDS (Redis 7), or CLUSTER SLOTS where the
// server lacks it. Each announced endpoint is made reachable: empty or `?` means "the node you
// asked"; `nodeAddressMap` rewrites addresses announced from inside a NAT or a container.

import type { ClusterNode, Shard } from './slot-map.ts'
import { nodeAddress } from './slot-map.ts'

export type NodeAddressMap =
  | Readonly<Record<string, { host: string; port: number }>>
  | ((address: string) => { host: string; port: number } | undefined)

const text = (x: unknown): string => (typeof x === 'string' ? x : x instanceof Uint8Array ? new TextDecoder().decode(x) : x == null ? '' : String(x))

/** A RESP3 map (object) or a RESP2 flat list of pairs, as a lookup. */
function fields(x: unknown): Record<string, unknown> {
  if (Array.isArray(x)) {
    const out: Record<string, unknown> = Object.create(null)
    for (let i = 0; i + 1 < x.length; i += 2) out[text(x[i])] = x[i + 1]
    return out
  }
  return x !== null && typeof x === 'object' ? (x as Record<string, unknown>) : Object.create(null)
}

export interface NodeResolver {
  /** The node that answered: what an empty or `?` endpoint means. */
  readonly askedHost: string
  readonly tls: boolean
  readonly map: NodeAddressMap | undefined
}

/** A node as the client reaches it: the announced address, through `nodeAddressMap`. */
export function resolveNode(host: string, port: number, id: string | undefined, resolver: NodeResolver): ClusterNode {
  const h = host === '' || host === '?' ? resolver.askedHost : host
  const announced = nodeAddress(h, port)
  const mapped = resolver.map === undefined ? undefined : typeof resolver.map === 'function' ? resolver.map(announced) : resolver.map[announced]
  const finalHost = mapped?.host ?? h
  const finalPort = mapped?.port ?? port
  return { address: nodeAddress(finalHost, finalPort), host: finalHost, port: finalPort, id }
}

/** Parses a CLUSTER SHARDS reply. Nodes marked `fail` are left out; a shard needs a master. */
export function parseShards(reply: unknown, resolver: NodeResolver): Shard[] {
  if (!Array.isArray(reply)) throw new TypeError('CLUSTER SHARDS did not answer with a list')
  const shards: Shard[] = []
  for (const raw of reply) {
    const shard = fields(raw)
    const flat = (Array.isArray(shard.slots) ? shard.slots : []).map(Number)
    const slots: Array<[number, number]> = []
    for (let i = 0; i + 1 < flat.length; i += 2) slots.push([flat[i], flat[i + 1]])
    let master: ClusterNode | undefined
    const replicas: ClusterNode[] = []
    for (const rawNode of Array.isArray(shard.nodes) ? shard.nodes : []) {
      const n = fields(rawNode)
      if (text(n.health) === 'fail') continue
      const port = Number(resolver.tls ? n['tls-port'] ?? n.port : n.port ?? n['tls-port'])
      const host = text(n.endpoint ?? n.ip)
      const node = resolveNode(host, port, text(n.id) || undefined, resolver)
      if (text(n.role) === 'master') master = node
      // Redis 7.0 reports a replica of an idle master as `loading` (its offset is still 0), so
      // only `fail` is left out; a replica that is really loading answers LOADING, which the
      // client retries after a backoff.
      else replicas.push(node)
    }
    if (master !== undefined && slots.length > 0) shards.push({ master, replicas, slots })
  }
  return shards
}

/** Parses a CLUSTER SLOTS reply (one entry per slot range: from, to, master, replicas...). */
export function parseSlots(reply: unknown, resolver: NodeResolver): Shard[] {
  if (!Array.isArray(reply)) throw new TypeError('CLUSTER SLOTS did not answer with a list')
  const byMaster = new Map<string, { master: ClusterNode; replicas: ClusterNode[]; slots: Array<[number, number]> }>()
  for (const range of reply) {
    if (!Array.isArray(range) || range.length < 3) continue
    const [from, to, ...nodes] = range
    const parsed = nodes.map((n: unknown) => {
      const [host, port, id] = Array.isArray(n) ? n : []
      return resolveNode(text(host), Number(port), id === undefined ? undefined : text(id), resolver)
    })
    const master = parsed[0]
    let shard = byMaster.get(master.address)
    if (shard === undefined) byMaster.set(master.address, (shard = { master, replicas: parsed.slice(1), slots: [] }))
    shard.slots.push([Number(from), Number(to)])
  }
  return [...byMaster.values()]
}
