// Sending one command to the node that owns its slot, and following the cluster's answers:
// MOVED (the slot has a new owner: patch the map, go there, refresh soon), ASK (one command on
// the importing node, after ASKING), TRYAGAIN and CLUSTERDOWN (wait and retry within the
// deadline), a node that cannot be reached (refresh, retry elsewhere). Only answers that prove
// the command did not run lead to a retry: a command that may have run (OutcomeUnknownError)
// is never sent again.

import { ReplyError, type CommandArgument } from '../resp/index.ts'
import type { RedisClient } from '../client/client.ts'
import type { Shaper } from '../client/command.ts'
import { BatchCutError, ClientClosedError, ClientOfflineError, QueueFullError, ReconnectGaveUpError } from '../client/errors.ts'
import { ConnectionError } from '../transport/errors.ts'
import type { CommandOptions } from '../client/options.ts'
import { RedirectLimitError, SlotUnavailableError } from './errors.ts'
import type { ClusterNode } from './slot-map.ts'

/** What the router needs of the cluster. */
export interface RouteContext {
  readonly maxRedirections: number
  readonly retryTimeout: number
  /** The node to send to for a slot (undefined: any master), or undefined when none is known. */
  pick(slot: number | undefined, readOnly: boolean): ClusterNode | undefined
  /** A connected client for the node; rejects if it cannot connect. */
  client(node: ClusterNode): Promise<RedisClient>
  /** A node from a MOVED/ASK address. */
  nodeAt(address: string): ClusterNode
  /** MOVED: the slot's new owner. */
  moved(slot: number, node: ClusterNode): void
  /** Ask for a topology refresh; resolves when it is done. */
  refresh(): Promise<void>
  /** Replace the client of a node (a MOVED pointing back at the node that sent it). */
  recycle(node: ClusterNode): void
  /** The node cannot be reached: forget its client. */
  unreachable(node: ClusterNode, error: unknown): void
  /** The cluster was closed: a command still waiting for a node ends now. */
  closed(): boolean
}

/** Errors that prove the command was not written (or, BatchCutError, that its batch never ran): safe to try on another node. */
export function notSent(error: unknown): boolean {
  return error instanceof ClientOfflineError || error instanceof ClientClosedError || error instanceof ReconnectGaveUpError ||
    error instanceof QueueFullError || error instanceof ConnectionError || error instanceof BatchCutError
}

function redirectTarget(message: string): { slot: number; address: string } {
  // "MOVED 3999 127.0.0.1:6381" / "ASK 3999 127.0.0.1:6381"; an empty host means the sender's host (Redis 7).
  const [, slot, address] = message.split(' ')
  return { slot: Number(slot), address: address ?? '' }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Waits for `promise`, at most `ms`; the timer is cleared either way (a pending one would keep the process alive). */
function within(promise: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<void>((resolve) => { timer = setTimeout(resolve, ms) })
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}

export async function route(
  ctx: RouteContext,
  args: readonly CommandArgument[],
  options: CommandOptions | undefined,
  shape: Shaper | undefined,
  slot: number | undefined,
  readOnly: boolean,
  /** The fast path's attempt (cluster.ts): the node it went to and the answer that calls for routing. */
  first?: { readonly node: ClusterNode; readonly error: unknown },
): Promise<unknown> {
  const started = Date.now()
  const deadline = started + (options?.timeout ?? ctx.retryTimeout)
  const name = typeof args[0] === 'string' ? args[0].toUpperCase() : 'command'
  const visited: string[] = []
  let node = first?.node ?? ctx.pick(slot, readOnly)
  let answered = first?.error
  let asking = false
  let recycled = false
  let waits = 0
  let lastError: unknown
  for (let attempt = 0; attempt < 10_000; attempt++) {
    if (attempt > 0 && ctx.closed()) throw new ClientClosedError(`the cluster was closed while ${name} waited for a node: it was not sent`)
    if (node === undefined) {
      if (Date.now() >= deadline) throw new SlotUnavailableError(name, slot, Date.now() - started, lastError)
      await ctx.refresh()
      node = ctx.pick(slot, readOnly)
      if (node === undefined) await sleep(Math.min(100 * ++waits, 500))
      continue
    }
    visited.push(node.address)
    try {
      if (answered !== undefined) {
        const error = answered
        answered = undefined
        throw error
      }
      const client = await ctx.client(node)
      if (!asking) return await client._send(args, options, shape)
      // ASKING and the command back to back, under the command's own timeout and abort signal.
      const target = options === undefined ? client : client.withCommandOptions(options)
      const [, reply] = await target.pipeline().addCommand(['ASKING']).addCommand(args, shape).execAsPipeline()
      if (reply instanceof Error) throw reply
      return reply
    } catch (err) {
      lastError = err
      asking = false
      if (err instanceof ReplyError) {
        if (err.code === 'MOVED' || err.code === 'ASK') {
          if (visited.length > ctx.maxRedirections) throw new RedirectLimitError(name, slot, visited, err)
          const target = redirectTarget(err.message)
          const next = ctx.nodeAt(target.address === '' || target.address.startsWith(':') ? `${node.host}${target.address}` : target.address)
          if (err.code === 'MOVED') {
            ctx.moved(target.slot, next)
            void ctx.refresh()
            if (next.address === node.address) {
              // The node says it owns the slot yet sent us away: its connection is confused.
              if (recycled) throw err
              recycled = true
              ctx.recycle(node)
            }
          } else asking = true
          node = next
          continue
        }
        if (err.code === 'TRYAGAIN' || err.code === 'CLUSTERDOWN') {
          if (Date.now() >= deadline) throw err
          if (err.code === 'CLUSTERDOWN') void ctx.refresh()
          await sleep(Math.min(50 * 2 ** Math.min(waits++, 4), 500))
          node = ctx.pick(slot, readOnly)
          continue
        }
        if (err.code === 'READONLY' || err.code === 'MASTERDOWN') {
          // A write reached a replica (its master was failed over): find the new master.
          if (Date.now() >= deadline) throw err
          await ctx.refresh()
          node = ctx.pick(slot, readOnly)
          continue
        }
        throw err
      }
      if (notSent(err)) {
        ctx.unreachable(node, err)
        if (Date.now() >= deadline) throw new SlotUnavailableError(name, slot, Date.now() - started, err)
        const master = ctx.pick(slot, false)
        if (readOnly && master !== undefined && master.address !== node.address) {
          // A replica (useReplicas) could not be reached: its master serves the read now.
          void ctx.refresh()
          node = master
          continue
        }
        await within(ctx.refresh(), Math.max(0, deadline - Date.now()))
        await sleep(Math.min(50 * 2 ** Math.min(waits++, 4), 500))
        // A read whose node (a replica, with useReplicas) cannot be reached goes to the master.
        node = ctx.pick(slot, false)
        continue
      }
      throw err
    }
  }
  throw new SlotUnavailableError(name, slot, Date.now() - started, lastError)
}
