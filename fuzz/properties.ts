// fast-check properties of the RESP layer. Each property is a function of a run budget and a
// seed, returning fast-check's run details, so fuzz/run.ts and test/resp/fuzz.test.ts share them.
//
// 1. natural round trip: random value trees -> encode -> decode at random chunk splits -> the
//    value the spec says comes back (safe integers as numbers, bigints past 2^53, NaN, ...);
// 2. lossless round trip: random valid wire (every type, streamed forms, attributes, pushes)
//    -> lossless decode at random splits -> RespNode trees -> encode -> the same bytes;
// 3. hostile input: random bytes and mutated valid encodings never throw anything but a
//    ProtocolError, give the same result in every chunking, agree between natural and lossless
//    mode, and never deliver a value beyond the configured limits;
// 4. hostile input with maps as plain objects: still nothing but a ProtocolError (an aggregate
//    or error as a key is one), the same in every chunking;
// 5. memory: whatever the shape of the bytes and however they are cut, the decoder holds at most
//    192 bytes of heap per byte received (4 for the bytes of a string), plus a fixed amount (the
//    budget of src/resp/decoder.ts).

import fc from 'fast-check'
import { Decoder, ProtocolError, ReplyError, RespNode, encode } from '../src/resp/index.ts'
import type { DecodeOptions, DecoderOptions } from '../src/resp/index.ts'
import { ExpectedError, b, canon, concat, embed, hex, validCases } from '../test/resp/cases.ts'
import { canForceGc, heldBytes } from './heap.ts'

const utf8 = new TextEncoder()

export interface Budget {
  numRuns: number
  seed?: number
  /** Replay one failure: the path fast-check printed with it. */
  path?: string
  /** Hostile input only: failures whose message matches are not counted (to look past a known bug). */
  ignore?: RegExp[]
}

// ---------------------------------------------------------------------------------------------
// Feeding
// ---------------------------------------------------------------------------------------------

type Opts = Omit<DecodeOptions, 'onAttribute'>
interface Outcome {
  events: Array<[string, unknown]>
  error: unknown
}

/** Split `bytes` at the given cut points (any numbers; taken modulo the length). */
export function cut(bytes: Uint8Array, points: number[]): Uint8Array[] {
  const at = [...new Set(points.map((p) => (bytes.length === 0 ? 0 : p % (bytes.length + 1))))].sort((x, y) => x - y)
  const out: Uint8Array[] = []
  let prev = 0
  for (const p of [...at, bytes.length]) {
    if (p > prev) out.push(bytes.subarray(prev, p))
    prev = Math.max(prev, p)
  }
  return out
}

export function feed(chunks: Uint8Array[], options: Opts): Outcome {
  const events: Array<[string, unknown]> = []
  const d = new Decoder({ ...options, onReply: (v) => events.push(['reply', v]), onPush: (v) => events.push(['push', v]) })
  let error: unknown
  for (const c of chunks) {
    try {
      d.feed(embed(c))
    } catch (x) {
      error = x
      break
    }
  }
  if (error !== undefined) {
    if (!(error instanceof ProtocolError)) throw error
    if (d.failed !== error) throw new Error(`decoder.failed is not the error thrown: ${String(d.failed)}`)
    let again: unknown
    try {
      d.feed(b('+OK\r\n'))
    } catch (x) {
      again = x
    }
    if (again !== error) throw new Error(`a failed decoder threw ${String(again)} instead of the same error`)
  }
  return { events, error }
}

/** -0 and 0 compare equal here: an encoder may send -0 as `:0` (a safe integer) or `,-0`. */
function canonFuzz(v: unknown): unknown {
  const c = canon(v)
  return JSON.parse(JSON.stringify(c, (_k, x) => (Array.isArray(x) && x.length === 1 && x[0] === '-0' ? 0 : x)))
}

function equal(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(canonFuzz(actual))
  const e = JSON.stringify(canonFuzz(expected))
  if (a !== e) throw new Error(`${what}:\n  actual   ${a}\n  expected ${e}`)
}

// ---------------------------------------------------------------------------------------------
// 1. Natural round trip
// ---------------------------------------------------------------------------------------------

interface Mode {
  binary: boolean
  mapAs: 'map' | 'object'
  setAs: 'set' | 'array'
}

const errorMessage = fc.string({ unit: 'binary', maxLength: 20 }).filter((s) => !/[\r\n]/.test(s))
const text = fc.string({ unit: 'binary', maxLength: 24 })
const bytes = fc.uint8Array({ maxLength: 24 })
const numberArb = fc.oneof(
  fc.maxSafeInteger(),
  fc.integer({ min: -1000, max: 1000 }),
  fc.double(),
  fc.constantFrom(2 ** 53, -(2 ** 53), 2 ** 63, Number.MAX_VALUE, Number.MIN_VALUE, -0, NaN, Infinity, -Infinity),
)
const bigintArb = fc.oneof(
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }),
  fc.constantFrom(2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, -(2n ** 53n), 2n ** 63n - 1n, 2n ** 63n, -(2n ** 63n), -(2n ** 63n) - 1n, 0n),
)

/** Keys that encode alike decode alike: a string and its UTF-8 bytes are the same key. */
function keyTag(k: unknown): string {
  return typeof k === 'string' ? `b${hex(utf8.encode(k))}` : k instanceof Uint8Array ? `b${hex(k)}` : `n${String(k)}`
}

function naturalTree(mode: Mode): fc.Arbitrary<unknown> {
  const str = mode.binary ? fc.oneof(text, bytes) : text
  const leaf = fc.oneof(
    str,
    numberArb,
    bigintArb,
    fc.boolean(),
    fc.constant(null),
    errorMessage.map((m) => new ReplyError(m)),
  )
  // Map keys and set members that stay distinct after a round trip.
  const key = mode.mapAs === 'object' ? text : fc.oneof(str, fc.integer({ min: -1e6, max: 1e6 }))
  const member = fc.oneof(str, fc.integer({ min: -1e6, max: 1e6 }))
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('set'), tie('map')),
    array: fc.array(tie('value'), { maxLength: 5 }),
    set: fc.uniqueArray(member, { maxLength: 5, selector: keyTag }).map((xs) => new Set(xs)),
    map: fc
      .uniqueArray(fc.tuple(key, tie('value')), { maxLength: 5, selector: ([k]) => keyTag(k) })
      .map((kvs) => new Map(kvs)),
  }))
  return value
}

/** What decoding encode(v) must give, per the spec of encode and of natural mode. */
export function expectedNatural(v: unknown, mode: Mode): unknown {
  const go = (x: unknown): unknown => {
    if (typeof x === 'string') return mode.binary ? utf8.encode(x) : x
    if (typeof x === 'number') return Number.isSafeInteger(x) ? x + 0 : x
    if (typeof x === 'bigint') {
      const n = Number(x)
      return Number.isSafeInteger(n) && BigInt(n) === x ? n : x
    }
    if (x instanceof ReplyError) return new ExpectedError(x.message)
    if (Array.isArray(x)) return x.map(go)
    if (x instanceof Set) return mode.setAs === 'array' ? Array.from(x, go) : new Set(Array.from(x, go))
    if (x instanceof Map) {
      if (mode.mapAs === 'map') return new Map(Array.from(x, ([k, y]) => [go(k), go(y)]))
      const o: Record<string, unknown> = {}
      for (const [k, y] of x) Object.defineProperty(o, k as string, { value: go(y), enumerable: true, configurable: true, writable: true })
      return o
    }
    return x
  }
  return go(v)
}

const modeArb: fc.Arbitrary<Mode> = fc.record({
  binary: fc.boolean(),
  mapAs: fc.constantFrom('map' as const, 'object' as const),
  setAs: fc.constantFrom('set' as const, 'array' as const),
}).filter((m) => !(m.binary && m.mapAs === 'object'))

export function naturalRoundTrip(budget: Budget): fc.RunDetails<unknown> {
  const arb = modeArb.chain((mode) =>
    fc.tuple(fc.constant(mode), fc.array(naturalTree(mode), { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 8 })),
  )
  const prop = fc.property(arb, ([mode, values, points]) => {
    const wire = concat(values.map((v) => encode(v)))
    const out = feed(cut(wire, points), { ...mode })
    if (out.error !== undefined) throw out.error
    equal(
      out.events.map(([k, v]) => [k, v]),
      values.map((v) => ['reply', expectedNatural(v, mode)]),
      'decode(encode(values))',
    )
  })
  return fc.check(prop, params(budget))
}

/** RESP2 output holds only RESP2 types, and decodes. */
export function resp2Downgrade(budget: Budget): fc.RunDetails<unknown> {
  const resp2 = new Set(['+', '-', ':', '$', '*'])
  const prop = fc.property(naturalTree({ binary: true, mapAs: 'map', setAs: 'set' }), fc.array(fc.nat(), { maxLength: 4 }), (v, points) => {
    const wire = encode(v, { protocol: 2 })
    const out = feed(cut(wire, points), { mode: 'lossless' })
    if (out.error !== undefined) throw out.error
    if (out.events.length !== 1) throw new Error(`expected one reply, got ${out.events.length}`)
    const stack: unknown[] = [out.events[0][1]]
    while (stack.length > 0) {
      const n = stack.pop() as RespNode
      if (!resp2.has(n.type)) throw new Error(`RESP2 output holds type ${n.type}`)
      if (n.streamed || n.attributes !== undefined) throw new Error('RESP2 output holds a RESP3 form')
      if (n.type === '*' && Array.isArray(n.value)) stack.push(...n.value)
    }
  })
  return fc.check(prop, params(budget))
}

// ---------------------------------------------------------------------------------------------
// 2. Lossless round trip over random valid wire
// ---------------------------------------------------------------------------------------------

const CRLF = '\r\n'
const lineBytes = fc.uint8Array({ maxLength: 16 }).map((x) => x.filter((c) => c !== 13 && c !== 10))
const digits = fc.oneof(fc.constant('0'), fc.tuple(fc.integer({ min: 1, max: 9 }), fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 17 })).map(([d, ds]) => `${d}${ds.join('')}`))
const sign = fc.constantFrom('', '', '+', '-')
const intText = fc.tuple(sign, digits).map(([s, d]) => s + d)
const doubleText = fc.oneof(
  fc.tuple(sign, digits, fc.option(fc.stringMatching(/^[0-9]{1,8}$/)), fc.option(fc.tuple(fc.constantFrom('e', 'E'), sign, fc.integer({ min: 0, max: 300 })))).map(
    ([s, i, f, e]) => `${s}${i}${f === null ? '' : `.${f}`}${e === null ? '' : `${e[0]}${e[1]}${e[2]}`}`,
  ),
  fc.constantFrom('inf', '-inf', 'nan', '-nan', 'INF', 'NaN'),
)
const bigText = fc.tuple(sign, fc.stringMatching(/^[1-9][0-9]{0,60}$/)).map(([s, d]) => s + d)
const payload = fc.uint8Array({ maxLength: 40 })

function sized(type: string, data: Uint8Array): Uint8Array {
  return concat([b(`${type}${data.length}${CRLF}`), data, b(CRLF)])
}

/** Random valid RESP frames. `top` allows pushes; aggregates nest up to a small depth. */
export function wireFrame(): fc.Arbitrary<Uint8Array> {
  const scalar: fc.Arbitrary<Uint8Array> = fc.oneof(
    lineBytes.map((x) => concat([b('+'), x, b(CRLF)])),
    lineBytes.map((x) => concat([b('-'), x, b(CRLF)])),
    intText.map((t) => b(`:${t}${CRLF}`)),
    doubleText.map((t) => b(`,${t}${CRLF}`)),
    bigText.map((t) => b(`(${t}${CRLF}`)),
    payload.map((x) => sized('$', x)),
    payload.map((x) => sized('!', x)),
    fc.tuple(fc.stringMatching(/^[a-z]{3}$/), payload).map(([f, x]) => sized('=', concat([b(`${f}:`), x]))),
    fc.constantFrom(b('$-1\r\n'), b('*-1\r\n'), b('_\r\n'), b('#t\r\n'), b('#f\r\n')),
    fc.array(fc.uint8Array({ minLength: 1, maxLength: 10 }), { maxLength: 4 }).map((cs) => concat([b('$?\r\n'), ...cs.map((c) => sized(';', c)), b(';0\r\n')])),
  )
  const { frame } = fc.letrec<{ frame: Uint8Array; agg: Uint8Array; annotated: Uint8Array }>((tie) => ({
    frame: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('agg'), tie('annotated')),
    agg: fc.tuple(fc.constantFrom('*', '~', '%'), fc.boolean(), fc.array(tie('frame'), { maxLength: 4 })).map(([t, streamed, kids]) => {
      // A map of n pairs: the kids serve as keys and then again as values.
      const items = t === '%' ? [...kids, ...kids] : kids
      return streamed ? concat([b(`${t}?${CRLF}`), ...items, b(`.${CRLF}`)]) : concat([b(`${t}${kids.length}${CRLF}`), ...items])
    }),
    annotated: fc.tuple(fc.array(fc.tuple(scalar, tie('frame')), { maxLength: 2 }), tie('frame')).map(([kvs, v]) =>
      concat([b(`|${kvs.length}${CRLF}`), ...kvs.flat(), v]),
    ),
  }))
  return frame
}

function topFrame(): fc.Arbitrary<{ bytes: Uint8Array; push: boolean }> {
  const frame = wireFrame()
  return fc.oneof(
    frame.map((bytes) => ({ bytes, push: false })),
    fc.array(frame, { maxLength: 4 }).map((kids) => ({ bytes: concat([b(`>${kids.length}${CRLF}`), ...kids]), push: true })),
  )
}

export function losslessRoundTrip(budget: Budget): fc.RunDetails<unknown> {
  const prop = fc.property(fc.array(topFrame(), { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 10 }), (frames, points) => {
    const wire = concat(frames.map((f) => f.bytes))
    const opts = { maxDepth: 100_000 }
    const out = feed(cut(wire, points), { ...opts, mode: 'lossless' })
    if (out.error !== undefined) throw out.error
    equal(out.events.map(([k]) => k), frames.map((f) => (f.push ? 'push' : 'reply')), 'kinds of events')
    for (const [, n] of out.events) if (!(n instanceof RespNode)) throw new Error('not a RespNode')
    const again = concat(out.events.map(([, n]) => encode(n)))
    if (hex(again) !== hex(wire)) throw new Error(`re-encoded bytes differ:\n  in  ${JSON.stringify(latin1(wire))}\n  out ${JSON.stringify(latin1(again))}`)
    // Natural mode accepts the same stream, with the same events.
    const nat = feed(cut(wire, points), opts)
    if (nat.error !== undefined) throw nat.error
    equal(nat.events.map(([k]) => k), frames.map((f) => (f.push ? 'push' : 'reply')), 'natural kinds of events')
    // Decoding the re-encoded nodes gives the same natural values.
    const nat2 = feed([again], opts)
    equal(nat2.events, nat.events, 'natural values of re-encoded nodes')
  })
  return fc.check(prop, params(budget))
}

// ---------------------------------------------------------------------------------------------
// 3. Hostile input
// ---------------------------------------------------------------------------------------------

export const hostileLimits = { maxBulkLength: 64, maxAggregateLength: 16, maxDepth: 8, maxLineLength: 64 }

function latin1(x: Uint8Array): string {
  return Array.from(x, (c) => String.fromCharCode(c)).join('')
}

/** Depth, longest aggregate, longest bulk and longest line of a lossless node. */
function measure(root: RespNode): { depth: number; agg: number; bulk: number; line: number } {
  const m = { depth: 0, agg: 0, bulk: 0, line: 0 }
  const stack: Array<[RespNode, number]> = [[root, 0]]
  while (stack.length > 0) {
    const [n, d] = stack.pop()!
    for (const a of n.attributes ?? []) stack.push([a, d])
    const v = n.value
    switch (n.type) {
      case '*': case '~': case '%': case '|': case '>': {
        if (!Array.isArray(v)) break
        m.depth = Math.max(m.depth, d + 1)
        if (!n.streamed) m.agg = Math.max(m.agg, n.type === '%' || n.type === '|' ? v.length / 2 : v.length)
        for (const c of v) stack.push([c as RespNode, d + 1])
        break
      }
      case '$': case '!': case '=':
        if (v instanceof Uint8Array) m.bulk = Math.max(m.bulk, v.length)
        else if (typeof v === 'string') m.bulk = Math.max(m.bulk, utf8.encode(v).length)
        else if (Array.isArray(v)) {
          // A streamed string: its chunks are joined into one value, so the total counts.
          let total = 0
          for (const c of v) if (c instanceof Uint8Array) total += c.length
          m.bulk = Math.max(m.bulk, total)
        }
        break
      default:
        m.line = Math.max(m.line, v instanceof Uint8Array ? v.length : typeof v === 'string' ? utf8.encode(v).length : 0)
    }
  }
  return m
}

/** Everything checked about one hostile input; throws on any violation. */
export function checkHostile(input: Uint8Array, points: number[], limits: Opts = hostileLimits): void {
  const start = Date.now()
  const chunks = cut(input, points)
  const lossless = feed(chunks, { ...limits, mode: 'lossless' })
  const whole = feed([input], { ...limits, mode: 'lossless' })
  const natural = feed(chunks, { ...limits })
  const bytewise = input.length <= 256 ? feed(Array.from(input, (_, i) => input.subarray(i, i + 1)), { ...limits }) : natural
  const tag = (o: Outcome) => (o.error === undefined ? 'ok' : `${(o.error as ProtocolError).reason}@${(o.error as ProtocolError).offset}`)
  // The same verdict whatever the chunking and the mode.
  const verdicts = { split: tag(lossless), whole: tag(whole), natural: tag(natural), bytewise: tag(bytewise) }
  if (new Set(Object.values(verdicts)).size !== 1) throw new Error(`verdicts differ: ${JSON.stringify(verdicts)}`)
  const counts = [lossless, whole, natural, bytewise].map((o) => o.events.length)
  if (new Set(counts).size !== 1) throw new Error(`event counts differ: ${counts}`)
  if (lossless.error instanceof ProtocolError && (lossless.error.offset < 0 || lossless.error.offset > input.length)) {
    throw new Error(`offset ${lossless.error.offset} outside the input (${input.length} bytes)`)
  }
  // What was delivered is exactly a prefix of the input, and respects the limits.
  const again = concat(lossless.events.map(([, n]) => encode(n)))
  if (hex(again) !== hex(input.subarray(0, again.length))) {
    throw new Error(`delivered nodes re-encode to ${JSON.stringify(latin1(again))}, not a prefix of the input`)
  }
  if (lossless.error instanceof ProtocolError && lossless.error.offset < again.length) {
    throw new Error(`error offset ${lossless.error.offset} inside bytes already delivered (${again.length})`)
  }
  for (const [, n] of lossless.events) {
    const m = measure(n as RespNode)
    if (limits.maxDepth !== undefined && m.depth > limits.maxDepth) throw new Error(`depth ${m.depth} > maxDepth`)
    if (limits.maxAggregateLength !== undefined && m.agg > limits.maxAggregateLength) throw new Error(`aggregate ${m.agg} > maxAggregateLength`)
    if (limits.maxBulkLength !== undefined && m.bulk > limits.maxBulkLength) throw new Error(`bulk ${m.bulk} > maxBulkLength`)
    if (limits.maxLineLength !== undefined && m.line > limits.maxLineLength) throw new Error(`line ${m.line} > maxLineLength`)
  }
  if (Date.now() - start > 2000) throw new Error(`took ${Date.now() - start} ms on ${input.length} bytes`)
}

const seeds = validCases.map((c) => c.wire)
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 6 }), fc.constantFrom(b('\r\n'), b('\r'), b('\n'), b('-1'), b('?'), b('.\r\n'), b(';'), b('>1\r\n'), b('|1\r\n'), b('999999999999'))) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.constantFrom(...Array.from(b('+-:$*_#,(!=%~|>.;?\r\n0123456789-'))) }),
)
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never

function mutate(input: Uint8Array, ms: Mutation[]): Uint8Array {
  let x = input
  for (const m of ms) {
    const at = x.length === 0 ? 0 : m.at % (x.length + 1)
    if (m.kind === 'flip' && at < x.length) (x = x.slice())[at] ^= 1 << m.bit
    else if (m.kind === 'set' && at < x.length) (x = x.slice())[at] = m.byte
    else if (m.kind === 'truncate') x = x.subarray(0, at)
    else if (m.kind === 'insert') x = concat([x.subarray(0, at), m.bytes, x.subarray(at)])
    else if (m.kind === 'delete') x = concat([x.subarray(0, at), x.subarray(at + m.n)])
  }
  return x
}

export function hostileInput(budget: Budget): fc.RunDetails<unknown> {
  const validish = fc.array(fc.constantFrom(...seeds), { minLength: 1, maxLength: 3 }).map(concat)
  const input = fc.oneof(
    fc.uint8Array({ maxLength: 64 }),
    fc.array(fc.constantFrom(...Array.from(b('+-:$*_#,(!=%~|>.;?\r\n01-9atfx'))), { maxLength: 48 }).map((xs) => Uint8Array.from(xs)),
    fc.tuple(validish, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([x, ms]) => mutate(x, ms)),
    fc.tuple(wireFrame(), fc.array(mutation, { maxLength: 3 })).map(([x, ms]) => mutate(x, ms)),
  )
  const prop = fc.property(input, fc.array(fc.nat(), { maxLength: 8 }), (x, points) => {
    try {
      checkHostile(x, points)
    } catch (e) {
      if (budget.ignore?.some((r) => r.test(String((e as Error).message)))) return
      throw e
    }
  })
  return fc.check(prop, params(budget))
}

// ---------------------------------------------------------------------------------------------
// 4. Hostile input, maps as plain objects
// ---------------------------------------------------------------------------------------------

/** Inputs likely to put odd things in key position: maps of random frames, mutated or not. */
function keyHostileInput(): fc.Arbitrary<Uint8Array> {
  const frame = wireFrame()
  const map = fc.tuple(fc.array(fc.tuple(frame, frame), { maxLength: 3 }), fc.boolean()).map(([kvs, streamed]) =>
    streamed ? concat([b('%?\r\n'), ...kvs.flat(), b('.\r\n')]) : concat([b(`%${kvs.length}\r\n`), ...kvs.flat()]),
  )
  return fc.oneof(
    fc.tuple(map, fc.array(mutation, { maxLength: 2 })).map(([x, ms]) => mutate(x, ms)),
    fc.tuple(frame, fc.array(mutation, { maxLength: 3 })).map(([x, ms]) => mutate(x, ms)),
    fc.array(fc.constantFrom(...Array.from(b('%*~|>$;.-!+:_#1230?\r\n'))), { maxLength: 48 }).map((xs) => Uint8Array.from(xs)),
  )
}

export function objectMapHostile(budget: Budget): fc.RunDetails<unknown> {
  const prop = fc.property(keyHostileInput(), fc.array(fc.nat(), { maxLength: 8 }), fc.boolean(), (x, points, binary) => {
    const opts = { ...hostileLimits, mapAs: 'object' as const, binary }
    // feed() rethrows anything that is not a ProtocolError: a TypeError, a RangeError.
    const split = feed(cut(x, points), opts)
    const whole = feed([x], opts)
    const bytewise = x.length <= 256 ? feed(Array.from(x, (_, i) => x.subarray(i, i + 1)), opts) : whole
    const tag = (o: Outcome) => (o.error === undefined ? 'ok' : `${(o.error as ProtocolError).reason}@${(o.error as ProtocolError).offset}`)
    const verdicts = { split: tag(split), whole: tag(whole), bytewise: tag(bytewise) }
    if (new Set(Object.values(verdicts)).size !== 1) throw new Error(`verdicts differ: ${JSON.stringify(verdicts)}`)
    if (split.events.length !== whole.events.length) throw new Error('event counts differ')
  })
  return fc.check(prop, params(budget))
}

// ---------------------------------------------------------------------------------------------
// 5. Memory held per byte received
// ---------------------------------------------------------------------------------------------

/**
 * The budget of src/resp/decoder.ts: bytes of heap per byte received, and a fixed allowance.
 * Values cost up to HEAP_PER_BYTE; bytes of a string (a bulk, a streamed string, a long line)
 * up to HEAP_PER_PAYLOAD_BYTE, however they are cut.
 */
export const HEAP_PER_BYTE = 192
export const HEAP_PER_PAYLOAD_BYTE = 4
export const HEAP_FIXED = 256 * 1024

/**
 * Shapes that once amplified memory, or could: a reply kept open by its first line, then one
 * unit repeated, and the heap per byte allowed. The worst measured: `-\r\n`, an error object per
 * 3 bytes: ~25 bytes of heap per byte on Node, ~140-180 on Deno (its Error objects are ~500
 * bytes), and in lossless mode a RespNode and a Uint8Array of its own, ~90 on Node.
 */
const AMPLIFIERS: Array<[prefix: string, unit: string, perByte: number]> = [
  ['', '*2147483647\r\n', HEAP_PER_BYTE], // nested headers: frames and pre-sized arrays
  ['', '%1\r\n+k\r\n', HEAP_PER_BYTE],
  ['*4294967295\r\n', '-\r\n', HEAP_PER_BYTE], // an error object per 3 bytes
  ['*4294967295\r\n', '%0\r\n', HEAP_PER_BYTE], // an empty Map per 4 bytes
  ['*4294967295\r\n', '~0\r\n', HEAP_PER_BYTE],
  ['*4294967295\r\n', '*0\r\n', HEAP_PER_BYTE],
  ['*4294967295\r\n', '$0\r\n\r\n', HEAP_PER_BYTE],
  ['*4294967295\r\n', '+\r\n', HEAP_PER_BYTE],
  ['*4294967295\r\n', '!0\r\n\r\n', HEAP_PER_BYTE],
  ['*4294967295\r\n', '=4\r\ntxt:\r\n', HEAP_PER_BYTE],
  ['*4294967295\r\n', '|0\r\n_\r\n', HEAP_PER_BYTE],
  ['*4294967295\r\n', '$?\r\n;0\r\n', HEAP_PER_BYTE],
  ['%4294967295\r\n', ':1\r\n%0\r\n', HEAP_PER_BYTE],
  ['*?\r\n', ',1.5\r\n', HEAP_PER_BYTE],
  ['', '|0\r\n', HEAP_PER_BYTE], // attributes waiting for a value (stops at maxAttributes)
  ['$?\r\n', ';1\r\nx\r\n', HEAP_PER_PAYLOAD_BYTE], // one-byte parts of a streamed string
  ['$?\r\n', ';300\r\n' + 'x'.repeat(300) + '\r\n', HEAP_PER_PAYLOAD_BYTE],
  ['$536870912\r\n', 'x', HEAP_PER_PAYLOAD_BYTE], // a bulk, however it is cut (at maxBulkLength)
  ['!536870912\r\n', 'x', HEAP_PER_PAYLOAD_BYTE],
  ['+', 'x', HEAP_PER_PAYLOAD_BYTE], // a long line (stops at maxLineLength)
]

/**
 * Bytes held by a decoder fed `chunks`; a function of its own, so no caller's slot keeps one
 * alive. What a decoder holds is the same on every run; what the engine adds (code it compiles,
 * inline caches, at any point of a run, warm-up or not) is not the decoder's and only adds. So:
 * one unmeasured run, then the least of three measured ones. Counted, the engine's share once
 * took 40 KB over a 295 KB bound for an 8 KiB line fed a byte at a time (1 run in about 20).
 */
function heldAfter(chunks: readonly Uint8Array[], options: Opts): number {
  fed(chunks, options)
  let least = Infinity
  for (let i = 0; i < 3; i++) least = Math.min(least, heldOnce(chunks, options))
  return least
}

function heldOnce(chunks: readonly Uint8Array[], options: Opts): number {
  const before = heldBytes()
  const d = fed(chunks, options)
  const held = heldBytes() - before
  if (d.idle && d.failed === undefined && chunks.length < 0) throw new Error('unreachable: keeps the decoder alive')
  return held
}

/** A decoder that was fed `chunks` (up to its ProtocolError, if any). */
function fed(chunks: readonly Uint8Array[], options: Opts): Decoder {
  const d = new Decoder({ ...options, onReply: () => {}, onPush: () => {} } as DecoderOptions)
  try {
    for (const c of chunks) d.feed(c)
  } catch (x) {
    if (!(x instanceof ProtocolError)) throw x
  }
  return d
}

export function memoryProportional(budget: Budget): fc.RunDetails<unknown> {
  if (heldBytes() === 0) throw new Error('no way to measure the heap on this runtime')
  // Without a forced collection garbage counts too, which can only overstate.
  const slack = canForceGc() ? 1 : 4
  const shape = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...AMPLIFIERS).map(([p, u, perByte]) => ({ prefix: b(p), unit: b(u), perByte })) },
    // Random valid frames, repeated inside an open array: any shape of value.
    {
      weight: 1,
      arbitrary: fc.array(wireFrame(), { minLength: 1, maxLength: 4 }).map((frames) => ({ prefix: b('*4294967295\r\n'), unit: concat(frames), perByte: HEAP_PER_BYTE })),
    },
  )
  const arb = fc.record({
    shape,
    size: fc.integer({ min: 8 * 1024, max: 32 * 1024 }),
    points: fc.array(fc.nat(), { minLength: 1, maxLength: 64 }),
    mode: fc.constantFrom<Opts>({}, { binary: true }, { mode: 'lossless' }, { mapAs: 'object', setAs: 'array' }),
  })
  const prop = fc.property(arb, ({ shape: { prefix, unit, perByte }, size, points, mode }) => {
    const copies = Math.max(1, Math.ceil((size - prefix.length) / Math.max(1, unit.length)))
    const input = concat([prefix, ...Array.from({ length: copies }, () => unit)])
    const bound = (perByte * input.length + HEAP_FIXED) * slack
    // Every chunking: one byte per feed(), random cuts, and whole.
    const chunkings: Array<[string, Uint8Array[]]> = [
      ['1 byte', Array.from(input, (_, i) => input.subarray(i, i + 1))],
      ['random', cut(input, points)],
      ['whole', [input]],
    ]
    for (const [chunking, chunks] of chunkings) {
      const held = heldAfter(chunks, { ...mode, maxDepth: 1_000_000 })
      if (held > bound) {
        throw new Error(`${chunking}: held ${held} bytes for ${input.length} received (${(held / input.length).toFixed(1)} per byte), over ${bound}`)
      }
    }
  })
  return fc.check(prop, params(budget))
}

// ---------------------------------------------------------------------------------------------

function params(budget: Budget): fc.Parameters<unknown> {
  const p: fc.Parameters<unknown> = { numRuns: budget.numRuns }
  if (budget.seed !== undefined) p.seed = budget.seed
  if (budget.path !== undefined) p.path = budget.path
  return p
}

export interface Property {
  name: string
  /** Share of the run budget. */
  weight: number
  run: (budget: Budget) => fc.RunDetails<unknown>
}

export const properties: Property[] = [
  { name: 'natural round trip', weight: 1, run: naturalRoundTrip },
  { name: 'RESP2 downgrade', weight: 0.3, run: resp2Downgrade },
  { name: 'lossless round trip', weight: 1, run: losslessRoundTrip },
  { name: 'hostile input', weight: 2, run: hostileInput },
  { name: 'hostile input, maps as objects', weight: 1, run: objectMapHostile },
  { name: 'memory held per byte received', weight: 0.05, run: memoryProportional },
]

/** A corpus entry: bytes that once broke something, and what they must do now. */
export interface CorpusEntry {
  description: string
  /** The input, as hex. */
  hex: string
  /** `ok` (no error), a ProtocolError reason, or absent (only the hostile-input checks). */
  expect?: string
  /** Decoder limits to use; default hostileLimits. */
  limits?: Opts
  /** `object`: replayed with maps as plain objects, under the checks of that property. */
  mapAs?: 'object'
}

export function replayEntry(entry: CorpusEntry): void {
  const input = Uint8Array.from((entry.hex.match(/../g) ?? []).map((h) => parseInt(h, 16)))
  const limits = entry.limits ?? hostileLimits
  if (entry.mapAs === 'object') {
    const opts = { ...limits, mapAs: 'object' as const }
    const whole = feed([input], opts)
    const tag = (o: Outcome) => (o.error === undefined ? 'ok' : `${(o.error as ProtocolError).reason}@${(o.error as ProtocolError).offset}`)
    for (let i = 1; i < input.length; i++) {
      const split = feed([input.subarray(0, i), input.subarray(i)], opts)
      if (tag(split) !== tag(whole)) throw new Error(`split at ${i}: ${tag(split)}, whole: ${tag(whole)}`)
    }
  } else {
    for (let i = 0; i <= input.length; i++) checkHostile(input, i === 0 ? [] : [i], limits)
  }
  if (entry.expect !== undefined) {
    const out = feed([input], { ...limits, ...(entry.mapAs === undefined ? {} : { mapAs: entry.mapAs }) })
    const got = out.error === undefined ? 'ok' : (out.error as ProtocolError).reason
    if (got !== entry.expect) throw new Error(`expected ${entry.expect}, got ${got}`)
  }
}
