// (Un)subscribing: the client's own record of listeners (pubsub.ts) first, then the server,
// for the names that gained their first listener or lost their last. Each command counts the
// confirmations it awaits (one per name: see connection.ts) and is resent after a broken
// connection, since subscribing twice does no harm.

import { Command } from './command.ts'
import type { ClientCore } from './core.ts'
import { PUBSUB_COMMANDS, type PubSubKind, type PubSubListener } from './pubsub.ts'
import { formOf } from './type-mapping.ts'

/** Listens to channels (patterns, shard channels); subscribes on the server to those that are new. */
export async function subscribe(core: ClientCore, kind: PubSubKind, names: string[], listener: PubSubListener<any>, buffer: boolean): Promise<void> {
  if (typeof listener !== 'function') throw new TypeError(`${PUBSUB_COMMANDS[kind].subscribe}: the listener must be a function (got ${typeof listener})`)
  if (names.length === 0) throw new TypeError(`${PUBSUB_COMMANDS[kind].subscribe}: give at least one channel`)
  const refusal = core.refusal()
  if (refusal !== undefined) throw refusal
  const fresh = core.subscriptions.add(kind, names, listener, buffer)
  if (fresh.length === 0) return
  try {
    await sendPubSub(core, PUBSUB_COMMANDS[kind].subscribe, fresh)
  } catch (err) {
    core.subscriptions.remove(kind, fresh, listener, buffer)
    throw err
  }
}

/** Stops a listener (or all) on channels (or all of the kind); unsubscribes on the server from those left with none. */
export async function unsubscribe(core: ClientCore, kind: PubSubKind, names: string[] | undefined, listener: PubSubListener<any> | undefined, buffer: boolean): Promise<void> {
  const gone = core.subscriptions.remove(kind, names, listener, buffer)
  if (gone.length === 0 || core.state === 'closed' || core.state === 'idle') return
  await sendPubSub(core, PUBSUB_COMMANDS[kind].unsubscribe, gone)
}

function sendPubSub(core: ClientCore, name: string, names: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const command = new Command([name, ...names], formOf(undefined), undefined, resolve as (v: unknown) => void, reject)
    command.pubsubLeft = names.length
    command.idempotent = true
    const refusal = core.refusal()
    if (refusal !== undefined) command.reject(refusal)
    else core.enqueue(command)
  })
}
