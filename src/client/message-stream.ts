// `client.messages('news')`: pub/sub messages as an async iterator, with bounded buffering.
// A consumer slower than its publisher must not grow memory without end: past `maxBuffered`
// messages, the overflow policy decides (fail the iterator, by default, or drop).

import type { ClientCore } from './core.ts'
import { ClientError } from './errors.ts'
import type { PubSubKind, PubSubListener } from './pubsub.ts'
import { brand } from '../resp/errors.ts'

export interface MessageStreamOptions {
  /** `channel` (default), `pattern` (the names are patterns) or `shard`. */
  kind?: PubSubKind
  /** Messages as bytes. Default false. */
  bufferMode?: boolean
  /** Most messages held for a slow consumer. Default 1024. */
  maxBuffered?: number
  /**
   * Past `maxBuffered`: `error` (default) ends the iteration with a PubSubOverflowError,
   * `drop-oldest` discards the oldest held message, `drop-newest` the one arriving.
   */
  onOverflow?: 'error' | 'drop-oldest' | 'drop-newest'
  /** Ends the iteration (unsubscribing) when it aborts. */
  signal?: AbortSignal
}

export interface PubSubMessage<T extends string | Uint8Array = string> {
  channel: T
  message: T
}

/** A slow consumer let more than `maxBuffered` messages pile up (onOverflow 'error'). */
export class PubSubOverflowError extends ClientError {
  readonly dropped: number
  constructor(maxBuffered: number, dropped: number) {
    super(`more than ${maxBuffered} messages waited for a slow consumer (maxBuffered): the subscription was ended; read faster, raise maxBuffered, or choose onOverflow 'drop-oldest'`)
    this.dropped = dropped
  }
}
brand(PubSubOverflowError, 'PubSubOverflowError')

export function messageStream<T extends string | Uint8Array>(core: ClientCore, names: string[], options: MessageStreamOptions = {}): AsyncIterableIterator<PubSubMessage<T>> {
  const kind = options.kind ?? 'channel'
  const buffer = options.bufferMode === true
  const max = options.maxBuffered ?? 1024
  if (!Number.isInteger(max) || max < 1) throw new TypeError(`messages: maxBuffered must be an integer of 1 or more (got ${String(max)})`)
  const policy = options.onOverflow ?? 'error'
  if (policy !== 'error' && policy !== 'drop-oldest' && policy !== 'drop-newest') throw new TypeError(`messages: onOverflow must be 'error', 'drop-oldest' or 'drop-newest'`)

  const held: PubSubMessage<T>[] = []
  let head = 0
  let failure: Error | undefined
  let done = false
  // Every next() waiting for a message (a caller may ask for several before the first resolves).
  const waiting: Array<() => void> = []
  const wake = (): void => {
    if (waiting.length === 0) return
    for (const resolve of waiting.splice(0)) resolve()
  }
  let subscribed: Promise<void> | undefined

  const listener: PubSubListener<any> = (message: T, channel: T) => {
    if (done) return
    if (held.length - head >= max) {
      if (policy === 'drop-newest') return
      if (policy === 'drop-oldest') held[head++] = undefined as never
      else {
        failure = new PubSubOverflowError(max, 1)
        void finish()
      }
    }
    if (failure === undefined) held.push({ channel, message })
    // Slots already read or dropped are cut off here too, not only when the consumer catches up:
    // a consumer that is always a little behind must not grow the array without end.
    if (head > max) {
      held.splice(0, head)
      head = 0
    }
    wake()
  }
  const finish = async (): Promise<void> => {
    if (done) return
    done = true
    options.signal?.removeEventListener('abort', onAbort)
    wake()
    await core.unsubscribe(kind, names, listener, buffer).catch(() => undefined)
  }
  const onAbort = (): void => void finish()
  options.signal?.addEventListener('abort', onAbort, { once: true })

  const iterator: AsyncIterableIterator<PubSubMessage<T>> = {
    async next(): Promise<IteratorResult<PubSubMessage<T>>> {
      subscribed ??= core.subscribe(kind, names, listener, buffer)
      await subscribed
      for (;;) {
        if (head < held.length) {
          const value = held[head]
          held[head++] = undefined as never
          if (head === held.length) held.length = head = 0
          return { value, done: false }
        }
        if (failure !== undefined) {
          const error = failure
          failure = undefined
          throw error
        }
        if (done) return { value: undefined, done: true }
        await new Promise<void>((resolve) => waiting.push(resolve))
      }
    },
    async return(): Promise<IteratorResult<PubSubMessage<T>>> {
      await finish()
      held.length = head = 0
      return { value: undefined, done: true }
    },
    [Symbol.asyncIterator]() {
      return iterator
    },
  }
  return iterator
}
