// Shared by the cluster tests: what the servers themselves say (slot owners, command and error
// counters from INFO), and small deterministic generators. Nothing here trusts the client's
// own slot map: owners come from CLUSTER SLOTS, counts from INFO commandstats / errorstats.

import type { RedisClient } from '../../src/client/index.ts'
import type { RedisCluster } from '../../src/cluster/index.ts'

/** A deterministic PRNG (mulberry32), so a failure can be replayed. */
export function prng(seed: number): (n: number) => number {
  let a = seed >>> 0
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n)
  }
}

/** Slot -> `host:port` of its master, as a node's CLUSTER SLOTS says. */
export async function ownersBySlot(admin: RedisClient): Promise<string[]> {
  const ranges = (await admin.sendCommand(['CLUSTER', 'SLOTS'])) as Array<[number, number, [string, number]]>
  const owners = new Array<string>(16384).fill('')
  for (const [from, to, [host, port]] of ranges) {
    const h = String(host)
    owners.fill(`${h.includes(':') ? `[${h}]` : h}:${Number(port)}`, Number(from), Number(to) + 1)
  }
  return owners
}

/** One INFO section as field -> value. */
export async function infoSection(cluster: RedisCluster, node: string, section: string): Promise<Map<string, string>> {
  const text = String(await cluster.sendToNode(node, ['INFO', section]))
  const out = new Map<string, string>()
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':')
    if (colon > 0 && !line.startsWith('#')) out.set(line.slice(0, colon), line.slice(colon + 1))
  }
  return out
}

/** How often one command reached a node (INFO commandstats: calls + rejected_calls, so a -CROSSSLOT counts too). */
export async function commandCalls(cluster: RedisCluster, node: string, command: string): Promise<number> {
  const value = (await infoSection(cluster, node, 'commandstats')).get(`cmdstat_${command.toLowerCase()}`)
  if (value === undefined) return 0
  const field = (name: string) => Number(new RegExp(`(?:^|,)${name}=(\\d+)`).exec(value)?.[1] ?? 0)
  return field('calls') + field('rejected_calls')
}

/** Sum of `calls=` of some commands over some nodes. */
export async function totalCalls(cluster: RedisCluster, nodes: readonly string[], commands: readonly string[]): Promise<number> {
  let n = 0
  for (const node of nodes) for (const c of commands) n += await commandCalls(cluster, node, c)
  return n
}

/** `count=` of one error code in INFO errorstats (MOVED, ASK, CROSSSLOT...). */
export async function errorCount(cluster: RedisCluster, node: string, code: string): Promise<number> {
  const value = (await infoSection(cluster, node, 'errorstats')).get(`errorstat_${code}`)
  return value === undefined ? 0 : Number(/count=(\d+)/.exec(value)![1])
}

/** Polls `check` until it returns true, or throws naming `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000, paceMs = 20): Promise<number> {
  const started = Date.now()
  for (let i = 0; i < 1_000_000; i++) {
    if (await check()) return Date.now() - started
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`)
    // Paces the polling; what we wait for is `check`.
    await new Promise((resolve) => setTimeout(resolve, paceMs))
  }
  throw new Error(`${what}: gave up polling`)
}
