// Transactions (MULTI ... EXEC) and explicit pipelines, node-redis's `client.multi()` builder:
// every command method adds its command and returns the builder; `exec()` sends them in one
// write. A transaction goes out as one unit: never split across connections, never retried in
// part (core.ts sendBatch).

import { ReplyError, type CommandArgument } from '../resp/index.ts'
import type { Shaper } from './command.ts'
import type { ClientCore } from './core.ts'
import { ClientError, ExecAbortError, WatchError } from './errors.ts'
import { isReadOnly, keyIndexes } from './command-keys.ts'
import { formOf } from './type-mapping.ts'
import { installMethods, type ChainMethods } from './methods.ts'
import type { CommandOptions } from './options.ts'

interface Queued {
  readonly args: readonly CommandArgument[]
  readonly shape: Shaper | undefined
}

const MULTI: Queued = { args: ['MULTI'], shape: undefined }
const EXEC: Queued = { args: ['EXEC'], shape: undefined }

export class MultiCommand {
  readonly #core: ClientCore
  readonly #options: CommandOptions | undefined
  readonly #pipelineOnly: boolean
  readonly #queued: Queued[] = []

  /** Use `client.multi()` or `client.pipeline()`. */
  constructor(core: ClientCore, options: CommandOptions | undefined, pipelineOnly: boolean) {
    this.#core = core
    this.#options = options
    this.#pipelineOnly = pipelineOnly
  }

  /** Commands added so far. */
  get length(): number {
    return this.#queued.length
  }

  /** Adds any command, as an array of arguments (hiredis's redisAppendCommand). */
  addCommand(args: readonly CommandArgument[], shape?: Shaper): this {
    this.#queued.push({ args, shape })
    return this
  }

  /**
   * MULTI, the commands, EXEC, in one write. Resolves with each command's reply in order; a
   * command that failed inside the transaction has its ReplyError in its slot. Rejects with
   * WatchError (a watched key changed, or the connection was replaced after WATCH),
   * ExecAbortError (commands refused when queued: nothing ran), OutcomeUnknownError (the
   * connection broke after EXEC was sent) or BatchCutError (it broke before: nothing ran).
   * A `client.pipeline()` builder runs `execAsPipeline()` instead. The type parameter is
   * node-redis's spelling `exec<'typed'>()`.
   */
  async exec<_Typed extends 'typed' | void = void>(): Promise<unknown[]> {
    if (this.#pipelineOnly) return this.execAsPipeline()
    const core = this.#core
    const watchLost = core.takeWatch()
    if (watchLost) throw new WatchError('the connection was re-established after WATCH, so the watch was lost: the transaction was not sent')
    if (this.#queued.length === 0) return []
    // The commands' own replies come inside EXEC's: they are shaped from there.
    const list: Queued[] = [MULTI]
    for (const q of this.#queued) list.push({ args: q.args, shape: undefined })
    list.push(EXEC)
    this.#forgetWrites()
    const slots = await core.sendBatch(list, this.#options)
    const multi = slots[0]
    const exec = slots[slots.length - 1]
    // A broken connection: EXEC's own fate says whether the transaction may have run (never
    // written: BatchCutError, it did not), whatever MULTI's slot holds.
    if (exec instanceof Error && !(exec instanceof ReplyError)) throw exec
    if (multi instanceof Error) throw multi
    if (exec === null) throw new WatchError('a watched key changed: the transaction did not run')
    if (exec instanceof ReplyError) {
      if (exec.code === 'EXECABORT') {
        const errors = slots.slice(1, -1).map((s) => (s instanceof Error ? s : undefined))
        throw new ExecAbortError(`the transaction did not run: ${errors.filter(Boolean).length} command(s) were refused when queued (errors[i] says which)`, errors, exec)
      }
      throw exec
    }
    if (exec instanceof Error) throw exec // OutcomeUnknownError, BatchCutError...
    if (!Array.isArray(exec)) throw new ClientError(`EXEC answered ${typeof exec}, not an array`)
    // The replies inside EXEC's had the type mapping applied with it: shape them accordingly.
    const ctx = { resp: core.resp, mapAsMap: formOf(this.#options?.typeMapping ?? core.options.commandOptions.typeMapping).mapAsMap }
    return exec.map((reply, i) => {
      const shape = this.#queued[i]?.shape
      if (reply instanceof ReplyError || shape === undefined) return reply
      try {
        return shape(reply, ctx)
      } catch (err) {
        return err
      }
    })
  }

  /** node-redis's `execTyped()`: the same as `exec()`. */
  execTyped(): Promise<unknown[]> {
    return this.exec()
  }

  /**
   * The commands in one write, without MULTI/EXEC: not atomic. Resolves with each command's
   * reply or Error in its slot (a ReplyError, or OutcomeUnknownError / BatchCutError for those
   * a broken connection cut off).
   */
  execAsPipeline(): Promise<unknown[]> {
    this.#forgetWrites()
    return this.#core.sendBatch(this.#queued, this.#options)
  }

  /**
   * Client-side caching: the batch's writes drop what is cached of their keys now, as a single
   * write does (read-your-writes), not when the server's invalidation comes.
   */
  #forgetWrites(): void {
    const cache = this.#core.options.clientSideCache
    if (cache === undefined) return
    const prefix = this.#core.options.keyPrefix ?? ''
    const keys: string[] = []
    for (const { args } of this.#queued) {
      if (isReadOnly(args)) continue
      for (const i of keyIndexes(args)) {
        const key = args[i]
        keys.push(prefix + (key instanceof Uint8Array ? utf8.decode(key) : String(key)))
      }
    }
    cache.forget(keys)
  }
}

const utf8 = new TextDecoder()

export interface MultiCommand extends ChainMethods<MultiCommand> {}
installMethods(MultiCommand.prototype, {
  invoke: (self: MultiCommand, args, _options, shape) => self.addCommand(args, shape),
  fail: (error) => {
    throw error
  },
})
