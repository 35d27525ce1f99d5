// One command's life: queued (not yet written: safe to send on any connection), written
// (awaiting its reply: if the connection breaks now, the outcome is unknown), settled. The state
// is a field of the command, so "outcome unknown" is a fact, not a guess.

import type { CommandArgument } from '../resp/index.ts'
import type { ReplyForm } from './type-mapping.ts'

export const QUEUED = 0
export const WRITTEN = 1
export const SETTLED = 2

export type Shaper = (raw: any, ctx: { readonly resp: 2 | 3; readonly mapAsMap: boolean }) => unknown

export class Command {
  state = QUEUED
  /** Settled before its reply came (timeout, abort): the reply, when it comes, is dropped. */
  replied = false
  /** Given up on (timeout) after its write: its connection takes no new writes until this reply comes. */
  late = false
  /** Times the server refused it with a retryable error. */
  attempts = 0
  /** Times it was resent after its connection broke (retryWritten): capped, see MAX_RESENDS. */
  resends = 0
  /** The client's own (handshake, health check): never retried, never counted in the queue. */
  internal = false
  /** Set for a member of a transaction or pipeline: sent as one unit, never retried or resent alone. */
  batch: Batch | undefined = undefined
  /** A (un)subscribe command: confirmations still to come (one per channel it names). */
  pubsubLeft = 0
  /** Client-side caching: receives the decoded reply before it is shaped. */
  onRaw: ((raw: unknown) => void) | undefined = undefined
  /** Running it twice does no harm ((un)subscribe): resent after a broken connection. */
  idempotent = false
  timer: ReturnType<typeof setTimeout> | undefined = undefined
  offlineTimer: ReturnType<typeof setTimeout> | undefined = undefined
  signal: AbortSignal | undefined = undefined
  onAbort: (() => void) | undefined = undefined

  readonly args: readonly CommandArgument[]
  readonly form: ReplyForm
  readonly shape: Shaper | undefined
  private readonly resolveFn: (value: unknown) => void
  private readonly rejectFn: (error: unknown) => void

  constructor(
    args: readonly CommandArgument[],
    form: ReplyForm,
    shape: Shaper | undefined,
    resolve: (value: unknown) => void,
    reject: (error: unknown) => void,
  ) {
    this.args = args
    this.form = form
    this.shape = shape
    this.resolveFn = resolve
    this.rejectFn = reject
  }

  /** The command's name as the server will see it, for messages. */
  get name(): string {
    const first = this.args[0]
    const name = typeof first === 'string' ? first : first instanceof Uint8Array ? new TextDecoder().decode(first.subarray(0, 64)) : String(first)
    return name.toUpperCase()
  }

  resolve(value: unknown): void {
    if (this.state === SETTLED) return
    this.state = SETTLED
    this.cleanup()
    this.resolveFn(value)
  }

  reject(error: unknown): void {
    if (this.state === SETTLED) return
    this.state = SETTLED
    this.cleanup()
    this.rejectFn(error)
  }

  cleanup(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    if (this.offlineTimer !== undefined) {
      clearTimeout(this.offlineTimer)
      this.offlineTimer = undefined
    }
    if (this.onAbort !== undefined) {
      this.signal!.removeEventListener('abort', this.onAbort)
      this.onAbort = undefined
    }
  }
}

/** Commands that go out as one unit (MULTI...EXEC, an explicit pipeline). */
export class Batch {
  /** Some member was written: the rest may no longer go out on another connection. */
  written = false
}

/** A first-in first-out queue over one array, without the O(n) cost of `Array#shift`. */
export class Fifo<T> {
  private items: (T | undefined)[] = []
  private head = 0

  get length(): number {
    return this.items.length - this.head
  }

  push(item: T): void {
    this.items.push(item)
  }

  peek(): T | undefined {
    return this.items[this.head]
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined
    const item = this.items[this.head]
    this.items[this.head++] = undefined
    if (this.head === this.items.length) {
      this.items.length = 0
      this.head = 0
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    return item
  }

  /** Removes and returns everything, oldest first. */
  drain(): T[] {
    const all = this.items.slice(this.head) as T[]
    this.items = []
    this.head = 0
    return all
  }

  /** Puts items back in front, in their order (commands to resend before newer ones). */
  unshiftAll(items: readonly T[]): void {
    if (items.length === 0) return
    this.items = [...items, ...this.items.slice(this.head)]
    this.head = 0
  }

  /** Removes and returns the newest `n` items, oldest first. */
  takeLast(n: number): T[] {
    const count = Math.min(n, this.length)
    return this.items.splice(this.items.length - count, count) as T[]
  }
}
