// Batches on a cluster. A transaction (`multi()`) must have all its keys in one slot: it is
// refused before anything is sent otherwise, then runs on that slot's master. A pipeline
// (`pipeline()`) groups its commands per node, sends each group as one pipeline, and puts the
// replies back in the caller's order; a command answered with a redirect is retried alone.

import { ReplyError, type CommandArgument } from '../resp/index.ts'
import type { Shaper } from '../client/command.ts'
import { keyIndexes } from '../client/command-keys.ts'
import { installMethods, type ChainMethods } from '../client/methods.ts'
import { MultiCommand } from '../client/multi.ts'
import { ExecAbortError } from '../client/errors.ts'
import type { RedisCluster } from './cluster.ts'
import { CrossSlotError, SlotUnavailableError } from './errors.ts'
import { keySlot } from './slot.ts'
import { notSent } from './router.ts'

interface Queued {
  readonly args: readonly CommandArgument[]
  readonly shape: Shaper | undefined
  readonly slot: number | undefined
}

const REDIRECTS = new Set(['MOVED', 'ASK', 'TRYAGAIN', 'CLUSTERDOWN'])

export class ClusterBatch {
  readonly #cluster: RedisCluster
  readonly #transaction: boolean
  readonly #queued: Queued[] = []

  constructor(cluster: RedisCluster, transaction: boolean) {
    this.#cluster = cluster
    this.#transaction = transaction
  }

  addCommand(args: readonly CommandArgument[], shape?: Shaper): this {
    const keys = keyIndexes(args)
    let slot: number | undefined
    for (const k of keys) {
      const s = keySlot(args[k])
      if (slot === undefined) slot = s
      else if (s !== slot) slot = -1 // spans slots: refused in a transaction, split alone in a pipeline
    }
    this.#queued.push({ args, shape, slot })
    return this
  }

  exec(): Promise<unknown[]> {
    return this.#transaction ? this.#execTransaction() : this.execAsPipeline()
  }

  async #execTransaction(): Promise<unknown[]> {
    const slots = [...new Set(this.#queued.map((q) => q.slot).filter((s): s is number => s !== undefined))]
    if (slots.includes(-1) || slots.length > 1) {
      const all = new Set<number>()
      for (const q of this.#queued) for (const k of keyIndexes(q.args)) all.add(keySlot(q.args[k]))
      throw new CrossSlotError('MULTI', [...all])
    }
    const slot = slots[0]
    // A transaction refused whole because its slot moved (EXECABORT of MOVED errors) never ran: retry it on the new owner once.
    // One that could not be sent (its node away, no owner known) waits for an owner within retryTimeout, as a command does.
    const ctx = this.#cluster._ctx
    const started = Date.now()
    for (let moves = 0, attempt = 0; attempt < 10_000; attempt++) {
      const node = this.#cluster._slotOwner(slot)
      try {
        if (node === undefined) throw new SlotUnavailableError('MULTI', slot, Date.now() - started, undefined)
        const client = await this.#cluster.nodeClient(node)
        const multi = new MultiCommand(client._core, undefined, false)
        for (const q of this.#queued) multi.addCommand(q.args, q.shape)
        return await multi.exec()
      } catch (err) {
        const moved = err instanceof ExecAbortError && err.errors.some((e) => e instanceof ReplyError && REDIRECTS.has(e.code))
        const away = !moved && (notSent(err) || err instanceof SlotUnavailableError)
        if (moved ? moves++ > 0 : !away || ctx.closed() || Date.now() - started >= ctx.retryTimeout) throw err
        if (node !== undefined && away) ctx.unreachable(node, err)
        await ctx.refresh()
        if (away) await new Promise<void>((resolve) => setTimeout(resolve, 50))
      }
    }
    throw new SlotUnavailableError('MULTI', slot, Date.now() - started, undefined)
  }

  /** Each node's commands as one pipeline; each slot of the result a value or an Error. */
  async execAsPipeline(): Promise<unknown[]> {
    const results = new Array<unknown>(this.#queued.length)
    // A command split across slots runs alone, after the commands queued before it and before
    // those queued after it, so the batch keeps its order (an MGET sees the SETs ahead of it).
    let start = 0
    for (let i = 0; i <= this.#queued.length; i++) {
      if (i < this.#queued.length && this.#queued[i].slot !== -1) continue
      if (i > start) await this.#sendGroups(start, i, results)
      if (i < this.#queued.length) {
        const q = this.#queued[i]
        results[i] = await this.#cluster._send(q.args, undefined, q.shape).catch((e: unknown) => e)
      }
      start = i + 1
    }
    return results
  }

  /** Commands `from` to `to` (exclusive), none of them multi-slot: one pipeline per node. */
  async #sendGroups(from: number, to: number, results: unknown[]): Promise<void> {
    const byNode = new Map<string, { client: Promise<import('../client/client.ts').RedisClient>; indexes: number[] }>()
    for (let i = from; i < to; i++) {
      const q = this.#queued[i]
      const node = this.#cluster._slotOwner(q.slot)
      if (node === undefined) {
        results[i] = new SlotUnavailableError(typeof q.args[0] === 'string' ? q.args[0] : 'command', q.slot, 0, undefined)
        continue
      }
      let group = byNode.get(node.address)
      if (group === undefined) byNode.set(node.address, (group = { client: this.#cluster.nodeClient(node), indexes: [] }))
      group.indexes.push(i)
    }
    await Promise.all([...byNode.values()].map(async ({ client, indexes }) => {
      let replies: unknown[]
      try {
        const pipe = (await client).pipeline()
        for (const i of indexes) pipe.addCommand(this.#queued[i].args, this.#queued[i].shape)
        replies = await pipe.execAsPipeline()
      } catch (err) {
        replies = indexes.map(() => err)
      }
      // Replies copied in a plain loop; only those that did not run (redirected, or never
      // written: node away) are sent again, alone, routed afresh.
      const retries: Promise<void>[] = []
      for (let j = 0; j < indexes.length; j++) {
        const i = indexes[j]
        const reply = replies[j]
        if ((reply instanceof ReplyError && REDIRECTS.has(reply.code)) || notSent(reply)) {
          const q = this.#queued[i]
          retries.push(this.#cluster._send(q.args, undefined, q.shape).then((r) => { results[i] = r }, (e: unknown) => { results[i] = e }))
        } else results[i] = reply
      }
      if (retries.length > 0) await Promise.all(retries)
    }))
  }
}

export interface ClusterBatch extends ChainMethods<ClusterBatch> {}
installMethods(ClusterBatch.prototype, {
  invoke: (self: ClusterBatch, args, _options, shape) => self.addCommand(args, shape),
  fail: (error) => {
    throw error
  },
})
