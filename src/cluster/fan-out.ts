// Keyless commands whose meaning is "every master" (or every node): DBSIZE, FLUSHALL, KEYS,
// SCRIPT LOAD, FUNCTION LOAD... The server's own command tips say which (request_policy) and how
// the replies combine (response_policy: agg_sum, all_succeeded...).

import type { CommandArgument } from '../resp/index.ts'
import type { Shaper } from '../client/command.ts'
import type { CommandOptions } from '../client/options.ts'
import type { RedisCluster } from './cluster.ts'

function combine(replies: unknown[], policy: string | undefined): unknown {
  switch (policy) {
    case 'agg_sum':
      return replies.reduce<number>((n, r) => n + Number(r), 0)
    case 'agg_min':
      return Math.min(...replies.map(Number))
    case 'agg_max':
      return Math.max(...replies.map(Number))
    case 'agg_logical_and':
    case 'agg_logical_or': {
      const and = policy === 'agg_logical_and'
      if (Array.isArray(replies[0])) {
        return (replies[0] as unknown[]).map((_, i) => {
          const bits = replies.map((r) => Number((r as unknown[])[i]) !== 0)
          return (and ? bits.every(Boolean) : bits.some(Boolean)) ? 1 : 0
        })
      }
      const bits = replies.map((r) => Number(r) !== 0)
      return (and ? bits.every(Boolean) : bits.some(Boolean)) ? 1 : 0
    }
    case 'all_succeeded':
    case 'one_succeeded':
      return replies[0]
    default:
      // No policy: the union of what each master holds (KEYS), or any one answer (RANDOMKEY).
      return replies.every(Array.isArray) ? (replies as unknown[][]).flat() : replies.find((r) => r !== null) ?? null
  }
}

export async function fanOut(
  cluster: RedisCluster,
  args: readonly CommandArgument[],
  options: CommandOptions | undefined,
  shape: Shaper | undefined,
  requestPolicy: string,
  responsePolicy: string | undefined,
): Promise<unknown> {
  const nodes = requestPolicy === 'all_nodes' ? [...cluster.masters, ...cluster.replicas] : cluster.masters
  const settled = await Promise.allSettled(nodes.map((node) => cluster.sendToNode(node, args, options)))
  const ok = settled.filter((s): s is PromiseFulfilledResult<unknown> => s.status === 'fulfilled').map((s) => s.value)
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
  if (responsePolicy === 'one_succeeded') {
    if (ok.length === 0) throw failed!.reason
  } else if (failed !== undefined) throw failed.reason
  const value = combine(ok, responsePolicy)
  return shape === undefined ? value : shape(value, { resp: 3, mapAsMap: false })
}
