// Two linked in-memory ByteStreams, with knobs for the faults a real network produces: replies
// split at odd places, latency, stalls, a connection that drops mid-frame, stray bytes.
// Runtime-neutral: only the web globals in types/web-globals.d.ts.
//
// Bytes written on one end reach the other asynchronously (a microtask, or a timer with
// latency), one onData call per microtask, never inside write(). Until delivered they count in
// the sender's writableLength, so a receiver that pauses builds up backpressure at the sender.

import type { ByteStream, ConnectOptions, Connector, StreamHandlers } from './types.ts'
import { ConnectAbortedError, ConnectionClosedError, ConnectionResetError, toConnectionError } from './errors.ts'
import {
  DEFAULT_HIGH_WATER_MARK, addressOf, asError, checkChunk, checkChunks, checkInteger, endGrace, validateConnectOptions,
} from './options.ts'

/** `toServer`: bytes the client writes; `toClient`: bytes the server writes. */
export type Direction = 'toServer' | 'toClient'

/** How delivered chunks are cut: as written, at a fixed size, or at random points. */
export type SplitMode = 'none' | number | 'random'

export interface MemoryPairOptions {
  /** Where the client's incoming bytes go. Default: dropped. */
  clientHandlers?: StreamHandlers
  /** Where the server's incoming bytes go. Default: dropped. */
  serverHandlers?: StreamHandlers
  /**
   * `'none'` (default): each write arrives as one chunk. A number: chunks of that many bytes,
   * cut across writes. `'random'`: chunks of random length (seeded), cut across writes.
   */
  split?: SplitMode
  /** Seed of the random splits, for a reproducible run. Default 1. */
  seed?: number
  /** Delay of each write's delivery, in ms. Default 0 (next microtask). */
  latency?: number
  /** High-water mark of both ends. Default 64 KiB. */
  highWaterMark?: number
  /** `remote` of the client end (the server's address, as on a real connection). Default `memory`. */
  remote?: string
  /** `remote` of the server end. Default `memory-client`. */
  clientRemote?: string
}

export interface MemoryFaults {
  /** Change how chunks are cut from now on (a seed restarts the random sequence). */
  split(mode: SplitMode, seed?: number): void
  /** Delay of writes made from now on, in ms. */
  latency(ms: number): void
  /** Hold delivery in one direction (both if omitted) until `unstall`. */
  stall(direction?: Direction): void
  unstall(direction?: Direction): void
  /**
   * Deliver `bytes` more bytes in `direction` (default `toClient`), then close both ends with
   * ConnectionResetError: a connection dropped mid-frame. 0 drops it now.
   */
  dropAfter(bytes: number, direction?: Direction): void
  /** Queue bytes no one wrote, after those already queued in that direction. */
  inject(direction: Direction, bytes: Uint8Array): void
  /** Close both ends now with ConnectionResetError. */
  reset(): void
  /** Bytes delivered so far in a direction. */
  delivered(direction: Direction): number
}

export interface MemoryPair {
  client: ByteStream
  server: ByteStream
  faults: MemoryFaults
}

/** Random chunk lengths are drawn from at most this many queued bytes. */
const RANDOM_SPAN = 64 * 1024

const dropAll: StreamHandlers = { onData() {} }

export function createMemoryPair(options: MemoryPairOptions = {}): MemoryPair {
  validatePairOptions(options)
  const pair = new Pair(options)
  pair.client.handlers = options.clientHandlers ?? dropAll
  pair.server.handlers = options.serverHandlers ?? dropAll
  return { client: pair.client, server: pair.server, faults: pair.faults }
}

/**
 * A Connector over memory: each connect makes a fresh pair, hands its server end to `serve`
 * (which returns the server's handlers, and may keep the faults) and resolves with the client
 * end. A throw from `serve` becomes the connect failure: throw a ConnectionRefusedError to act
 * as a server that is down.
 */
export function memoryConnector(
  serve: (server: ByteStream, faults: MemoryFaults) => StreamHandlers,
  options: Omit<MemoryPairOptions, 'clientHandlers' | 'serverHandlers' | 'remote'> = {},
): Connector {
  validatePairOptions(options)
  return async (connect: ConnectOptions, handlers: StreamHandlers) => {
    validateConnectOptions(connect)
    const address = addressOf(connect)
    // Resolve on a later tick, as a real connect would.
    await Promise.resolve()
    if (connect.signal?.aborted) {
      throw new ConnectAbortedError(`connecting to ${address} was aborted`, address, { cause: connect.signal.reason })
    }
    const pair = new Pair({ ...options, remote: address, highWaterMark: connect.highWaterMark ?? options.highWaterMark })
    pair.client.handlers = handlers
    try {
      pair.server.handlers = serve(pair.server, pair.faults)
    } catch (err) {
      throw toConnectionError(err, address, 'connect')
    }
    return pair.client
  }
}


/** Numbers that would wedge the pair (a NaN high-water mark, a negative latency) are refused. */
function validatePairOptions(options: MemoryPairOptions): void {
  if (options.highWaterMark !== undefined) checkInteger('highWaterMark', options.highWaterMark, 0)
  if (options.latency !== undefined) checkInteger('latency', options.latency, 0)
  if (options.seed !== undefined) checkInteger('seed', options.seed, 0, 2 ** 32 - 1)
  checkSplit(options.split)
}

function checkSplit(split: SplitMode | undefined): void {
  if (split === undefined || split === 'none' || split === 'random') return
  checkInteger('split', split, 1)
}

/** mulberry32: small, fast, and the same sequence on every runtime for a given seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

class Pair {
  readonly client: MemoryEnd
  readonly server: MemoryEnd
  readonly toServer: Pipe
  readonly toClient: Pipe
  readonly faults: MemoryFaults
  split: SplitMode
  random: () => number
  latency: number

  constructor(options: MemoryPairOptions) {
    const highWaterMark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK
    this.split = options.split ?? 'none'
    this.random = prng(options.seed ?? 1)
    this.latency = options.latency ?? 0
    this.client = new MemoryEnd(this, options.remote ?? 'memory', highWaterMark)
    this.server = new MemoryEnd(this, options.clientRemote ?? 'memory-client', highWaterMark)
    this.toServer = new Pipe(this, this.client, this.server)
    this.toClient = new Pipe(this, this.server, this.client)
    this.client.out = this.toServer
    this.server.out = this.toClient
    const pipes = (direction?: Direction): Pipe[] =>
      direction === undefined ? [this.toServer, this.toClient] : [direction === 'toServer' ? this.toServer : this.toClient]
    this.faults = {
      split: (mode, seed) => {
        checkSplit(mode)
        if (seed !== undefined) checkInteger('seed', seed, 0, 2 ** 32 - 1)
        this.split = mode
        if (seed !== undefined) this.random = prng(seed)
      },
      latency: (ms) => {
        checkInteger('latency', ms, 0)
        this.latency = ms
      },
      stall: (direction) => {
        for (const pipe of pipes(direction)) pipe.stalled = true
      },
      unstall: (direction) => {
        for (const pipe of pipes(direction)) {
          pipe.stalled = false
          pipe.schedule()
        }
      },
      dropAfter: (bytes, direction = 'toClient') => {
        checkInteger('dropAfter', bytes, 0)
        const pipe = pipes(direction)[0]
        pipe.dropAfter = Math.max(0, bytes)
        if (pipe.dropAfter === 0) this.reset()
        else pipe.schedule()
      },
      inject: (direction, bytes) => {
        checkChunk(bytes, 'inject')
        if (bytes.byteLength > 0) pipes(direction)[0].push(bytes.slice(), false)
      },
      reset: () => this.reset(),
      delivered: (direction) => pipes(direction)[0].delivered,
    }
  }

  get isClosed(): boolean {
    return this.client.closedError !== undefined
  }

  /** Both ends fail with ConnectionResetError. */
  reset(): void {
    this.close(
      new ConnectionResetError(`connection to ${this.client.remote} reset`, this.client.remote),
      new ConnectionResetError(`connection to ${this.server.remote} reset`, this.server.remote),
    )
  }

  /** Closes both ends at once: each settles with its reason (undefined: closed by us). */
  close(client: Error | undefined, server: Error | undefined): void {
    if (this.isClosed) return
    this.toServer.clear()
    this.toClient.clear()
    this.client.settle(client)
    this.server.settle(server)
  }

  /** `end` closed `by` itself: it settles with `reason`, the other end sees the peer close. */
  closeFrom(by: MemoryEnd, reason: Error | undefined): void {
    const other = by === this.client ? this.server : this.client
    const peerClosed = new ConnectionClosedError(`connection to ${other.remote} closed by the peer`, other.remote)
    if (by === this.client) this.close(reason, peerClosed)
    else this.close(peerClosed, reason)
  }
}

interface Item {
  bytes: Uint8Array
  /** Bytes of `bytes` already delivered. */
  offset: number
  /** Arrived (its latency passed): may be delivered. */
  ready: boolean
  /** Written by the sender (counts in its writableLength), not injected. */
  counted: boolean
}

/** One direction: what `from` wrote and `to` has not yet received. */
class Pipe {
  readonly pair: Pair
  readonly from: MemoryEnd
  readonly to: MemoryEnd
  items: Item[] = []
  /** Counted bytes not yet delivered: the sender's writableLength. */
  pending = 0
  delivered = 0
  stalled = false
  dropAfter: number | undefined
  #scheduled = false

  constructor(pair: Pair, from: MemoryEnd, to: MemoryEnd) {
    this.pair = pair
    this.from = from
    this.to = to
  }

  push(bytes: Uint8Array, counted: boolean): void {
    const latency = this.pair.latency
    const item: Item = { bytes, offset: 0, ready: latency <= 0, counted }
    this.items.push(item)
    if (counted) this.pending += bytes.byteLength
    if (item.ready) {
      this.schedule()
    } else {
      setTimeout(() => {
        item.ready = true
        this.schedule()
      }, latency)
    }
  }

  schedule(): void {
    if (this.#scheduled) return
    this.#scheduled = true
    queueMicrotask(() => {
      this.#scheduled = false
      this.#deliverOne()
    })
  }

  clear(): void {
    this.items = []
    this.pending = 0
  }

  /** Hands one chunk to the receiver, then comes back on the next microtask for the rest. */
  #deliverOne(): void {
    if (this.pair.isClosed || this.stalled || this.to.paused) return
    const head = this.items[0]
    if (head === undefined || !head.ready) return
    let size = this.#chunkSize(head)
    if (this.dropAfter !== undefined) size = Math.min(size, this.dropAfter)
    const chunk = this.#take(size)
    this.delivered += chunk.byteLength
    if (this.dropAfter !== undefined) this.dropAfter -= chunk.byteLength
    this.from.delivered()
    this.to.receive(chunk)
    if (this.dropAfter === 0) {
      this.pair.reset()
      return
    }
    if (this.items.length > 0) this.schedule()
  }

  #chunkSize(head: Item): number {
    const split = this.pair.split
    if (split === 'none') return head.bytes.byteLength - head.offset
    // Fixed and random cuts may span writes: count the ready bytes in a row from the head.
    const cap = typeof split === 'number' ? Math.max(1, Math.floor(split)) : RANDOM_SPAN
    let ready = 0
    for (const item of this.items) {
      if (!item.ready || ready >= cap) break
      ready += item.bytes.byteLength - item.offset
    }
    if (typeof split === 'number') return Math.min(cap, ready)
    const span = Math.min(ready, RANDOM_SPAN)
    // Half the cuts small, where frame boundaries hurt most; half anywhere.
    const limit = this.pair.random() < 0.5 ? Math.min(span, 16) : span
    return 1 + Math.floor(this.pair.random() * limit)
  }

  /** Takes `size` bytes from the head items, as a new array the receiver owns. */
  #take(size: number): Uint8Array {
    const head = this.items[0]
    if (head.bytes.byteLength - head.offset >= size) return this.#takeFrom(head, size)
    const chunk = new Uint8Array(size)
    let at = 0
    while (at < size) {
      const item = this.items[0]
      const part = this.#takeFrom(item, Math.min(size - at, item.bytes.byteLength - item.offset))
      chunk.set(part, at)
      at += part.byteLength
    }
    return chunk
  }

  #takeFrom(item: Item, size: number): Uint8Array {
    const part = item.bytes.slice(item.offset, item.offset + size)
    item.offset += size
    if (item.counted) this.pending -= size
    if (item.offset === item.bytes.byteLength) this.items.shift()
    return part
  }
}

class MemoryEnd implements ByteStream {
  readonly remote: string
  readonly closed: Promise<Error | undefined>
  handlers: StreamHandlers = dropAll
  out!: Pipe
  paused = false
  /** Set once closed: what write() throws from then on. */
  closedError: Error | undefined
  #pair: Pair
  #highWaterMark: number
  #settle!: (error: Error | undefined) => void
  #ending: Promise<void> | undefined
  #drainWaiters: Array<() => void> = []
  #flushWaiters: Array<() => void> = []

  constructor(pair: Pair, remote: string, highWaterMark: number) {
    this.#pair = pair
    this.remote = remote
    this.#highWaterMark = highWaterMark
    this.closed = new Promise((resolve) => (this.#settle = resolve))
  }

  get writableLength(): number {
    return this.out.pending
  }

  write(chunk: Uint8Array): boolean {
    checkChunk(chunk, 'write')
    this.#checkWritable()
    if (chunk.byteLength > 0) this.out.push(chunk, true)
    return this.out.pending <= this.#highWaterMark
  }

  writev(chunks: readonly Uint8Array[]): boolean {
    checkChunks(chunks)
    this.#checkWritable()
    for (const chunk of chunks) if (chunk.byteLength > 0) this.out.push(chunk, true)
    return this.out.pending <= this.#highWaterMark
  }

  drain(): Promise<void> {
    if (this.closedError !== undefined || this.out.pending <= this.#highWaterMark) return Promise.resolve()
    return new Promise((resolve) => this.#drainWaiters.push(resolve))
  }

  pause(): void {
    this.paused = true
  }

  resume(): void {
    if (!this.paused) return
    this.paused = false
    // Our incoming pipe is the other end's outgoing one.
    const incoming = this === this.#pair.client ? this.#pair.toClient : this.#pair.toServer
    incoming.schedule()
  }

  end(): Promise<void> {
    this.#ending ??= this.#end()
    return this.#ending
  }

  abort(reason?: Error): void {
    this.#pair.closeFrom(this, reason)
  }

  /** Called by our outgoing pipe after each delivery. */
  delivered(): void {
    if (this.out.pending <= this.#highWaterMark) this.#wake(this.#drainWaiters)
    if (this.out.items.length === 0) this.#wake(this.#flushWaiters)
  }

  /** Called by our incoming pipe with a chunk for our handler. */
  receive(chunk: Uint8Array): void {
    try {
      this.handlers.onData(chunk)
    } catch (err) {
      this.abort(asError(err))
    }
  }

  settle(reason: Error | undefined): void {
    if (this.closedError !== undefined) return
    this.closedError = reason ?? new ConnectionClosedError(`connection to ${this.remote} is closed`, this.remote)
    this.#settle(reason)
    this.#wake(this.#drainWaiters)
    this.#wake(this.#flushWaiters)
  }

  async #end(): Promise<void> {
    if (this.closedError === undefined && this.out.items.length > 0) {
      // A stalled pipe or a paused peer takes nothing: closed by force once nothing has been
      // delivered for END_GRACE_MS (see options.ts), as on a socket.
      const disarm = endGrace(() => this.out.pending, () => this.#pair.closeFrom(this, undefined))
      await new Promise<void>((resolve) => this.#flushWaiters.push(resolve))
      disarm()
    }
    this.#pair.closeFrom(this, undefined)
    await this.closed
  }

  #checkWritable(): void {
    if (this.closedError !== undefined) throw this.closedError
    if (this.#ending !== undefined) throw new ConnectionClosedError(`connection to ${this.remote} is closing`, this.remote)
  }

  #wake(waiters: Array<() => void>): void {
    for (const wake of waiters.splice(0)) wake()
  }
}
