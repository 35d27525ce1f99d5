// Commands sent as one unit (MULTI...EXEC, explicit pipelines): queued back to back, so they go
// out together on one connection; none is retried or resent alone (a transaction half-sent
// on another connection would run without its MULTI). A timeout or abort covers them all.

import type { CommandArgument } from '../resp/index.ts'
import { Batch, Command, SETTLED, WRITTEN, type Shaper } from './command.ts'
import { badArguments, prefixKeys } from './command-checks.ts'
import type { ClientCore } from './core.ts'
import { CommandAbortedError, CommandTimeoutError } from './errors.ts'
import type { CommandOptions } from './options.ts'
import { formOf } from './type-mapping.ts'

export interface BatchEntry {
  readonly args: readonly CommandArgument[]
  readonly shape: Shaper | undefined
}

/**
 * Sends commands as one unit: back to back on one connection, none retried or resent alone.
 * Resolves with one slot per command: its (shaped) reply, or the Error it got (a ReplyError,
 * OutcomeUnknownError, BatchCutError...). Rejects only when nothing was sent: bad arguments,
 * a closed client, a full queue.
 */
export function sendBatch(core: ClientCore, list: readonly BatchEntry[], options: CommandOptions | undefined): Promise<unknown[]> {
  for (const { args } of list) {
    const bad = badArguments(args)
    if (bad !== undefined) return Promise.reject(bad)
  }
  const refusal = core.refusal(list.length)
  if (refusal !== undefined) return Promise.reject(refusal)
  const prefix = core.options.keyPrefix
  if (prefix !== undefined) list = list.map((q) => ({ args: prefixKeys(q.args, prefix), shape: q.shape }))
  const defaults = core.options.commandOptions
  const timeout = options?.timeout ?? defaults.timeout
  const signal = options?.abortSignal ?? defaults.abortSignal
  const form = formOf(options?.typeMapping ?? defaults.typeMapping)
  if (list.length === 0) return Promise.resolve([])
  return new Promise((resolve) => {
    const results = new Array<unknown>(list.length)
    const members: Command[] = []
    const batch = new Batch()
    let left = list.length
    let timer: ReturnType<typeof setTimeout> | undefined
    let onAbort: (() => void) | undefined
    const settled = (): void => {
      if (--left > 0) return
      if (timer !== undefined) clearTimeout(timer)
      if (onAbort !== undefined) signal!.removeEventListener('abort', onAbort)
      resolve(results)
    }
    for (let i = 0; i < list.length; i++) {
      const command = new Command(list[i].args, form, list[i].shape, (v) => { results[i] = v; settled() }, (e) => { results[i] = e; settled() })
      command.batch = batch
      members.push(command)
    }
    const giveUp = (make: (c: Command) => Error): void => {
      for (const c of members) if (c.state !== SETTLED) core.giveUpOn(c, make(c))
    }
    if (signal?.aborted) {
      for (const c of members) c.reject(new CommandAbortedError(c.name, false, signal.reason))
      return
    }
    if (signal !== undefined) {
      onAbort = () => giveUp((c) => new CommandAbortedError(c.name, c.state === WRITTEN, signal.reason))
      signal.addEventListener('abort', onAbort, { once: true })
    }
    if (timeout !== undefined && timeout > 0) {
      timer = setTimeout(() => giveUp((c) => new CommandTimeoutError(c.name, timeout, c.state === WRITTEN)), timeout)
    }
    for (const c of members) core.enqueue(c)
  })
}
