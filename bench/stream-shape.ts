// Why ByteStream pushes chunks to a callback instead of offering an async iterator: the cost of
// each shape per chunk, for a consumer that parses each chunk as it comes (as the client does).
// The source hands over one chunk per event-loop turn, as a socket does; what differs is only
// how the chunk reaches the consumer. Run: npx tsx bench/stream-shape.ts (also deno run / bun).

import { Decoder } from '../src/resp/index.ts'
import { runtimeName, table } from './common.ts'

const CHUNKS = 200_000
const chunk = new TextEncoder().encode('+PONG\r\n')
const turn: (fn: () => void) => void =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function'
    ? (globalThis as unknown as { setImmediate: (fn: () => void) => void }).setImmediate
    : (fn) => setTimeout(fn, 0)

/** A source that hands `CHUNKS` chunks to `deliver`, one per event-loop turn. */
function source(deliver: (c: Uint8Array) => void, done: () => void): void {
  let left = CHUNKS
  const next = (): void => {
    deliver(chunk)
    if (--left === 0) done()
    else turn(next)
  }
  turn(next)
}

function callbackShape(): Promise<number> {
  let replies = 0
  const decoder = new Decoder({ onReply: () => replies++ })
  return new Promise((resolve) => source((c) => decoder.feed(c), () => resolve(replies)))
}

/** The usual async-iterator adapter over a push source: a queue and a waiting promise. */
async function iteratorShape(): Promise<number> {
  const queue: Uint8Array[] = []
  let wake: (() => void) | undefined
  let ended = false
  source(
    (c) => {
      queue.push(c)
      wake?.()
    },
    () => {
      ended = true
      wake?.()
    },
  )
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (;;) {
      while (queue.length > 0) yield queue.shift()!
      if (ended) return
      await new Promise<void>((resolve) => (wake = resolve))
      wake = undefined
    }
  }
  let replies = 0
  const decoder = new Decoder({ onReply: () => replies++ })
  for await (const c of chunks()) decoder.feed(c)
  return replies
}

async function measure(shape: () => Promise<number>): Promise<number> {
  await shape() // warm-up
  const times: number[] = []
  for (let round = 0; round < 5; round++) {
    const start = performance.now()
    const replies = await shape()
    if (replies !== CHUNKS) throw new Error(`expected ${CHUNKS} replies, got ${replies}`)
    times.push(((performance.now() - start) * 1e6) / CHUNKS)
  }
  return times.sort((a, b) => a - b)[2]
}

const turnOnly = await measure(() => new Promise((resolve) => source(() => {}, () => resolve(CHUNKS))))
const callback = await measure(callbackShape)
const iterator = await measure(iteratorShape)
console.log(`# Stream shape, ${runtimeName()}: ${CHUNKS} chunks, one per event-loop turn, median of 5\n`)
console.log(table(['delivery', 'ns per chunk', 'over the bare turn'], [
  ['event-loop turn alone', turnOnly.toFixed(0), '-'],
  ['callback (ByteStream)', callback.toFixed(0), `+${(callback - turnOnly).toFixed(0)} ns`],
  ['async iterator', iterator.toFixed(0), `+${(iterator - turnOnly).toFixed(0)} ns`],
]))
