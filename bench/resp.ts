// RESP decoder and encoder throughput: respkit beside redis-parser (ioredis up to v5), node-redis
// v5's decoder and encoder, and ioredis' Command.toWritable, on the same bytes, each library in
// a child process of its own (see main below for why), one table.
// Run on each runtime (bench/run.sh resp does all three found; BENCH_RUNTIMES picks):
//   Node: npx tsx --expose-gc --max-semi-space-size=64 --min-semi-space-size=64 bench/resp.ts
//   Bun:  bun bench/resp.ts
//   Deno: deno run -A bench/resp.ts
// BENCH_ROUND_MS, BENCH_ROUNDS, BENCH_WARMUP_MS shorten it; BENCH_FILTER picks cases;
// BENCH_BUNDLE=0, BENCH_STRING_SUBCLASS=1 and BENCH_RESPKIT_SRC (an A/B against another copy of
// src/), see below.
// respkit runs as its users on that runtime run it: the default Decoder (TextDecoder) everywhere,
// plus the runtime's own UTF-8 decoding, which the client uses there (nodeUtf8, bunUtf8,
// denoUtf8). The peers are Node libraries built on Buffer, loaded from
// bench/node_modules through require (Bun and Deno 2 resolve it with no extra flag); one that
// does not load or run says so in the note column. Allocation is measured on Node with
// --expose-gc only (n/a elsewhere).

import { createRequire } from 'node:module'
import { Buffer } from 'node:buffer'
import {
  allocationPerOp,
  fmtBytes,
  fmtMBps,
  fmtRate,
  interleave,
  median,
  runtimeName,
  table,
  timingFromEnv,
} from './common.ts'

const require = createRequire(import.meta.url)
const runtime: 'node' | 'deno' | 'bun' =
  (globalThis as { Deno?: unknown }).Deno !== undefined ? 'deno' : (globalThis as { Bun?: unknown }).Bun !== undefined ? 'bun' : 'node'
/** Node running us through tsx's loader (`npx tsx` puts it in execArgv), see bundled() below. */
const underTsx = runtime === 'node' && process.execArgv.some((arg) => /(^|[\\/])tsx([\\/]|$)/.test(arg))
/** Label suffix for respkit rows compiled by tsx (whose keepNames costs, see bundled()). */
const how = underTsx ? ' (tsx)' : ''
const timing = timingFromEnv(process.env)
/** BENCH_FILTER: a regular expression on `case / contender`; only the matching ones run. */
const filter = process.env.BENCH_FILTER ? new RegExp(process.env.BENCH_FILTER, 'i') : undefined
const wanted = (caseName: string, contender: string): boolean =>
  filter === undefined || filter.test(`${caseName} / ${contender}`)
const CHUNK = 64 * 1024

// ---- the implementations ----

/** A decoder under test: fed chunks, counts the replies it produced. */
interface DecoderUnderTest {
  feed(chunk: Uint8Array): void
  replies: number
}
/** `binary`: strings as bytes (respkit `binary: true`, redis-parser `returnBuffers`, node-redis Buffer mapping). */
type DecoderFactory = (resp3: boolean, options: { mapAsMap?: boolean; binary?: boolean }) => DecoderUnderTest | undefined

interface Impl {
  name: string
  make: DecoderFactory
  /** Fed plain Uint8Array views rather than Buffers. */
  wantsPlain?: boolean
  /** Set when this contender could not be loaded on this runtime: shown in the note column. */
  unavailable?: string
}

const firstLine = (error: unknown): string => String(error).split('\n')[0]

/** A contender that did not load: listed with why, never silently left out. */
const notLoaded = (name: string, error: unknown): Impl => ({
  name,
  make: () => undefined,
  unavailable: `not loaded: ${firstLine(error)}`,
})

const plain = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)

// Replies are sunk into a variable so no engine can skip producing them.
let sink: unknown
let touched = 0
/**
 * Each reply is used as an application would: a string reply has one of its characters read.
 * That flattens a string built by concatenation (a rope), as any use does, and that work is
 * part of decoding it: redis-parser returns a 4 MiB bulk as a rope of 64 KiB pieces, which
 * measures ~3x faster than a flat string while unused and ~2.7x slower once read (V8). Replies
 * that are flat already pay a few nanoseconds.
 */
function use(reply: unknown): void {
  sink = reply
  if (typeof reply === 'string' && reply.length > 0) touched += reply.charCodeAt(reply.length >> 1)
}

function redisParser(): Impl {
  const name = 'redis-parser 3 (ioredis)'
  let Parser: new (options: object) => { execute(b: Buffer): void }
  try {
    Parser = require('redis-parser')
  } catch (error) {
    return notLoaded(name, error)
  }
  return {
    name,
    make: (resp3, { binary }) => {
      if (resp3) return undefined // RESP2 only
      const state = {
        replies: 0,
        feed(chunk: Uint8Array) {
          parser.execute(chunk as Buffer)
        },
      }
      const parser = new Parser({
        returnBuffers: binary === true,
        returnReply: (reply: unknown) => {
          use(reply)
          state.replies++
        },
        returnError: (err: unknown) => {
          throw err
        },
      })
      return state
    },
  }
}

function nodeRedis(): Impl {
  const name = 'node-redis 5 decoder'
  let Decoder: new (options: object) => { write(b: Buffer): void }
  try {
    Decoder = require('@redis/client/dist/lib/RESP/decoder.js').Decoder
  } catch (error) {
    return notLoaded(name, error)
  }
  return {
    name,
    make: (_resp3, { mapAsMap, binary }) => {
      // node-redis' client default type mapping is `{}`: strings, plain-object maps. Binary:
      // simple and blob strings (type bytes 43 and 36) as Buffers.
      const mapping: Record<number, unknown> = mapAsMap ? { [37]: Map } : {}
      if (binary) Object.assign(mapping, { [43]: Buffer, [36]: Buffer })
      const state = {
        replies: 0,
        feed(chunk: Uint8Array) {
          decoder.write(chunk as Buffer)
        },
      }
      const decoder = new Decoder({
        onReply: (reply: unknown) => {
          use(reply)
          state.replies++
        },
        onErrorReply: (err: unknown) => {
          throw err
        },
        onPush: () => {},
        getTypeMapping: () => mapping,
      })
      return state
    },
  }
}

type RespModule = typeof import('../src/resp/index.ts')

/** `decodeUtf8`: the runtime's own decoder (nodeUtf8, bunUtf8, denoUtf8), as the client picks by itself there. */
function ourImpl(name: string, resp: RespModule, decodeUtf8?: (bytes: Uint8Array, start: number, end: number) => string): Impl {
  return {
    name,
    wantsPlain: true,
    make: (_resp3, { mapAsMap, binary }) => {
      const state = {
        replies: 0,
        feed(chunk: Uint8Array) {
          decoder.feed(chunk)
        },
      }
      const decoder = new resp.Decoder({
        decodeUtf8,
        binary,
        mapAs: mapAsMap ? 'map' : 'object',
        onReply: (reply: unknown) => {
          use(reply)
          state.replies++
        },
      })
      return state
    },
  }
}

/**
 * tsx compiles our TypeScript with esbuild's keepNames, which wraps every function created at
 * run time in a `__name(fn, "name")` call (an Object.defineProperty). A closure made per reply
 * then costs far more than it would under a bundler, Deno, Bun or Node's own type stripping.
 * So under tsx (only: elsewhere the source rows already are what users get) respkit is also
 * measured from a plain esbuild bundle (no keepNames), built here in a temporary directory; the
 * peers are plain JavaScript and are not affected either way.
 */
async function bundled(): Promise<RespModule | undefined> {
  try {
    const esbuild = await import('esbuild')
    const { mkdtempSync, rmSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const { pathToFileURL, fileURLToPath } = await import('node:url')
    const dir = mkdtempSync(join(tmpdir(), 'respkit-bench-'))
    const outfile = join(dir, 'resp.mjs')
    try {
      await esbuild.build({
        entryPoints: [fileURLToPath(new URL('../src/resp/index.ts', import.meta.url))],
        bundle: true,
        format: 'esm',
        platform: 'neutral',
        target: 'es2022',
        outfile,
        logLevel: 'silent',
      })
      return (await import(pathToFileURL(outfile).href)) as RespModule
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  } catch {
    return undefined
  }
}

type Utf8Decoder = NonNullable<Parameters<typeof ourImpl>[2]>

/** The runtime's own UTF-8 decoder, by the name respkit exports it under. */
async function fastUtf8(src: string): Promise<{ name: string; decodeUtf8?: Utf8Decoder; error?: unknown } | undefined> {
  try {
    if (runtime === 'node') return { name: 'nodeUtf8', decodeUtf8: (await import(src + 'node.ts')).nodeUtf8 }
    if (runtime === 'bun') return { name: 'bunUtf8', decodeUtf8: (await import(src + 'transport/bun.ts')).bunUtf8 }
    return { name: 'denoUtf8', decodeUtf8: (await import(src + 'transport/deno.ts')).denoUtf8 }
  } catch (error) {
    return { name: `${runtime}Utf8`, error }
  }
}

type Ours = { impls: Impl[]; resp: RespModule; built: RespModule | undefined } | { error: string }
let oursOnce: Promise<Ours> | undefined
const ours = (): Promise<Ours> => (oursOnce ??= loadOurs(new URL('../src/', import.meta.url).href, how))

/**
 * BENCH_RESPKIT_SRC=/path/to/other/src/ adds respkit from another copy of src/ (a scratch
 * branch), in a process of its own, its rows marked "@alt": an A/B of a change in one table.
 */
const altSrc = process.env.BENCH_RESPKIT_SRC
let altOnce: Promise<Ours> | undefined
const alt = (): Promise<Ours> => (altOnce ??= loadOurs(new URL(altSrc!.replace(/\/?$/, '/'), `file://${process.cwd()}/`).href, `${how} @alt`))

async function loadOurs(src: string, suffix: string): Promise<Ours> {
  let resp: RespModule
  try {
    resp = await import(src + 'resp/index.ts')
  } catch (error) {
    return { error: String(error).split('\n')[0] }
  }
  const built = underTsx && process.env.BENCH_BUNDLE !== '0' && !suffix.includes('@alt') ? await bundled() : undefined
  const fast = await fastUtf8(src)
  const impls = [ourImpl(`respkit Decoder${suffix}`, resp)]
  if (fast?.decodeUtf8) {
    impls.push(ourImpl(`respkit Decoder + ${fast.name}${suffix}`, resp, fast.decodeUtf8))
    if (built) impls.push(ourImpl(`respkit Decoder + ${fast.name} (esbuild bundle)`, built, fast.decodeUtf8))
  } else if (fast) {
    impls.push(notLoaded(`respkit Decoder + ${fast.name}${suffix}`, fast.error))
  }
  return { impls, resp, built }
}

// ---- the inputs ----

const enc = (text: string) => Buffer.from(text, 'latin1')
const bulk = (s: string) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`
const word = (i: number, length: number) => {
  const base = `v${i}:`
  return (base + 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(Math.ceil(length / 36))).slice(0, length)
}

interface DecodeCase {
  name: string
  resp3: boolean
  /** The bytes of one reply. */
  reply: Buffer
  /** Replies in one pass: the reply is repeated to about this many bytes. */
  targetBytes: number
  mapAsMap?: boolean
  binary?: boolean
}

function decodeCases(): DecodeCase[] {
  const xrangeEntry = (i: number) =>
    `*2\r\n${bulk(`1700000000000-${i}`)}*4\r\n${bulk('field')}${bulk(word(i, 20))}${bulk('other')}${bulk(word(i + 1, 20))}`
  const mapPairs = Array.from({ length: 100 }, (_, i) => bulk(`key:${i}`) + bulk(word(i, 16))).join('')
  // What XRANGE-like commands return: 100 × [id, [field, value, int, nil]].
  const nestedEntry = (i: number) => `*2\r\n${bulk(`1700000000000-${i}`)}*4\r\n${bulk('field')}${bulk(word(i, 20))}:${1000 + i}\r\n$-1\r\n`
  const cases: DecodeCase[] = [
    { name: '+OK', resp3: false, reply: enc('+OK\r\n'), targetBytes: 1 << 20 },
    { name: 'integer :123456', resp3: false, reply: enc(':123456\r\n'), targetBytes: 1 << 20 },
    { name: '100-byte bulk', resp3: false, reply: enc(bulk(word(7, 100))), targetBytes: 1 << 20 },
    {
      name: 'array of 1000 × 100-byte bulks',
      resp3: false,
      reply: enc(`*1000\r\n${Array.from({ length: 1000 }, (_, i) => bulk(word(i, 100))).join('')}`),
      targetBytes: 1 << 20,
    },
    {
      name: 'nested arrays (XRANGE, 10 entries)',
      resp3: false,
      reply: enc(`*10\r\n${Array.from({ length: 10 }, (_, i) => xrangeEntry(i)).join('')}`),
      targetBytes: 1 << 20,
    },
    {
      name: 'nested 100 × [id, [field, value, int, nil]]',
      resp3: false,
      reply: enc(`*100\r\n${Array.from({ length: 100 }, (_, i) => nestedEntry(i)).join('')}`),
      targetBytes: 1 << 20,
    },
    { name: 'RESP3 map, 100 pairs (as object)', resp3: true, reply: enc(`%100\r\n${mapPairs}`), targetBytes: 1 << 20 },
    {
      name: 'RESP3 map, 100 pairs (as Map)',
      resp3: true,
      reply: enc(`%100\r\n${mapPairs}`),
      targetBytes: 1 << 20,
      mapAsMap: true,
    },
    { name: '4 MiB bulk in 64 KiB chunks', resp3: false, reply: enc(bulk(word(1, 4 << 20))), targetBytes: 1 },
  ]
  // Binary mode: the same RESP2 replies with strings as bytes.
  const binary = cases.filter((c) => !c.resp3).map((c) => ({ ...c, name: `${c.name} (binary)`, binary: true }))
  return [...cases, ...binary]
}

/** The reply repeated to the target size, cut into socket-sized chunks that straddle replies. */
function chunked(c: DecodeCase): { chunks: Buffer[]; replies: number; bytes: number } {
  const replies = Math.max(1, Math.round(c.targetBytes / c.reply.length))
  const stream = Buffer.concat(Array.from({ length: replies }, () => c.reply))
  const chunks: Buffer[] = []
  for (let at = 0; at < stream.length; at += CHUNK) chunks.push(stream.subarray(at, at + CHUNK))
  return { chunks, replies, bytes: stream.length }
}

// ---- encoders ----

interface EncodeCase {
  name: string
  args: (string | Buffer)[]
  /** Commands per pass (one CommandEncoder batch). */
  batch: number
}

interface EncoderImpl {
  name: string
  /** Returns a pass that encodes `batch` commands; undefined when not applicable. */
  make(c: EncodeCase): (() => void) | undefined
  /** Set when this encoder could not be loaded on this runtime: shown in the note column. */
  unavailable?: string
}

/** Encoders that did not load: listed with why, never silently left out. */
const encodersNotLoaded = (names: string[], error: unknown): EncoderImpl[] =>
  names.map((name) => ({ name, make: () => undefined, unavailable: `not loaded: ${firstLine(error)}` }))

function encodeCases(): EncodeCase[] {
  const mib = word(3, 1 << 20)
  return [
    { name: 'GET key', args: ['GET', 'user:000123:name'], batch: 1000 },
    { name: 'SET key 32-byte value', args: ['SET', 'user:000123:name', word(5, 32)], batch: 1000 },
    // Past 32 characters respkit encodes strings with TextEncoder.encodeInto rather than a loop.
    { name: 'SET key 200-byte value', args: ['SET', 'user:000123:name', word(6, 200)], batch: 1000 },
    { name: 'SET key 1 MiB Buffer', args: ['SET', 'blob:1', Buffer.from(mib)], batch: 1 },
    { name: 'SET key 1 MiB string', args: ['SET', 'blob:1', mib], batch: 1 },
  ]
}

/** node-redis hands the socket a list of strings and Buffers; strings become bytes in the socket. */
const toBytes = (part: string | Buffer): Buffer => (typeof part === 'string' ? Buffer.from(part) : part)

function nodeRedisEncoders(): EncoderImpl[] {
  const names = ['node-redis encodeCommand (strings+Buffers)', 'node-redis encodeCommand → bytes']
  let encodeCommand: (args: (string | Buffer)[]) => (string | Buffer)[]
  try {
    encodeCommand = require('@redis/client/dist/lib/RESP/encoder.js').default
  } catch (error) {
    return encodersNotLoaded(names, error)
  }
  return [
    {
      name: names[0],
      make: (c) => () => {
        for (let i = 0; i < c.batch; i++) sink = encodeCommand(c.args)
      },
    },
    {
      name: names[1],
      make: (c) => () => {
        for (let i = 0; i < c.batch; i++) sink = encodeCommand(c.args).map(toBytes)
      },
    },
  ]
}

function ioredisEncoders(): EncoderImpl[] {
  const names = ['ioredis Command.toWritable (string or Buffer)', 'ioredis Command.toWritable → bytes']
  let Command: new (name: string, args: (string | Buffer)[]) => { toWritable(s?: unknown): string | Buffer }
  try {
    Command = require('ioredis/built/Command.js').default
  } catch (error) {
    return encodersNotLoaded(names, error)
  }
  return [
    {
      name: names[0],
      make: (c) => {
        // The command object is built once: its constructor also makes a promise, which is not
        // encoding work. toWritable does not cache, so each call is a full encoding.
        const command = new Command(c.args[0] as string, c.args.slice(1))
        return () => {
          for (let i = 0; i < c.batch; i++) sink = command.toWritable()
        }
      },
    },
    {
      name: names[1],
      make: (c) => {
        const command = new Command(c.args[0] as string, c.args.slice(1))
        return () => {
          for (let i = 0; i < c.batch; i++) sink = toBytes(command.toWritable())
        }
      },
    },
  ]
}

function ourEncoders(resp: RespModule, suffix: string): EncoderImpl[] {
  return [
    {
      name: `respkit encodeCommand${suffix}`,
      make: (c) => () => {
        for (let i = 0; i < c.batch; i++) sink = resp.encodeCommand(c.args)
      },
    },
    {
      name: `respkit CommandEncoder, write×batch + take${suffix}`,
      make: (c) => {
        const encoder = new resp.CommandEncoder()
        return () => {
          for (let i = 0; i < c.batch; i++) encoder.write(c.args)
          sink = encoder.take()
        }
      },
    },
  ]
}

function encodedLength(args: (string | Buffer)[]): number {
  let n = `*${args.length}\r\n`.length
  for (const a of args) {
    const len = typeof a === 'string' ? Buffer.byteLength(a) : a.length
    n += `$${len}\r\n`.length + len + 2
  }
  return n
}

// ---- main ----
//
// Each library is measured in a child process of its own. Not for tidiness: on V8, as soon as
// any object inherits from String.prototype (node-redis' `class VerbatimString extends String`
// does, when its decoder module loads), `String.prototype.charCodeAt` stops being inlined, for
// the whole process, and loops over string characters run ~5x slower. One library loaded next
// to another would be measured in conditions its users do not have. Rounds stay interleaved:
// round 1 of every library's process, then round 2, and so on.

interface Group {
  name: string
  decoders(): Promise<Impl[]>
  encoders(): Promise<EncoderImpl[]>
}

/**
 * respkit runs in one process per configuration, as an application has one: with the default
 * decoder, and with the runtime's own (plus the bundle under tsx). In one process, the call site
 * that decodes strings would see two functions where an application's sees one, and the JIT
 * treats it accordingly.
 */
function respkitGroups(name: string, load: () => Promise<Ours>, suffix: string): Group[] {
  const loaded = async () => {
    const mine = await load()
    if ('error' in mine) throw new Error(mine.error)
    return mine
  }
  const decoders = async (runtimeUtf8: boolean) => (await loaded()).impls.filter((x) => x.name.includes(' + ') === runtimeUtf8)
  return [
    {
      name,
      decoders: () => decoders(false),
      encoders: async () => {
        const mine = await loaded()
        return [...ourEncoders(mine.resp, suffix), ...(mine.built ? ourEncoders(mine.built, ' (esbuild bundle)') : [])]
      },
    },
    { name: `${name}+utf8`, decoders: () => decoders(true), encoders: async () => [] },
  ]
}

const groups: Group[] = [
  ...respkitGroups('respkit', ours, how),
  ...(altSrc !== undefined ? respkitGroups('respkit@alt', alt, `${how} @alt`) : []),
  { name: 'redis-parser', decoders: async () => [redisParser()], encoders: async () => [] },
  { name: 'node-redis', decoders: async () => [nodeRedis()], encoders: async () => nodeRedisEncoders() },
  { name: 'ioredis', decoders: async () => [], encoders: async () => ioredisEncoders() },
]

// BENCH_STRING_SUBCLASS=1 adds respkit once more, in a process where some object inherits from
// String.prototype, as in an application that also loads node-redis: shows what that costs.
if (process.env.BENCH_STRING_SUBCLASS === '1') {
  const poison = () => {
    class TaggedString extends String {}
    sink = new TaggedString('x')
  }
  const tag = (name: string) => `${name} + String subclass`
  groups.push({
    name: 'respkit+String-subclass',
    decoders: async () => {
      poison()
      const mine = await ours()
      if ('error' in mine) throw new Error(mine.error)
      return [ourImpl(tag(`respkit Decoder${how}`), mine.resp)]
    },
    encoders: async () => {
      const mine = await ours()
      if ('error' in mine) throw new Error(mine.error)
      return ourEncoders(mine.resp, `${how} + String subclass`)
    },
  })
}

/** One measurement, as a child reports it. */
interface Result {
  part: 'decode' | 'encode'
  case: string
  contender: string
  opsPerSec?: number
  bytesPerSec?: number
  alloc?: number
  note?: string
}

const MARK = '@@bench-result '
const SEP = '\u0000'

/** Child: one round (after a warm-up) of every case for one group's contenders. */
async function child(groupName: string, withAlloc: boolean): Promise<void> {
  const group = groups.find((g) => g.name === groupName)!
  const one = { ...timing, rounds: 1 }
  const emit = (r: Result) => console.log(MARK + JSON.stringify(r))
  let impls: Impl[]
  let encoders: EncoderImpl[]
  try {
    impls = await group.decoders()
    encoders = await group.encoders()
  } catch (error) {
    emit({ part: 'decode', case: '', contender: group.name, note: `not measured: ${firstLine(error)}` })
    return
  }
  // A contender that cannot run on this runtime gets its row with the reason, not a crash of
  // the whole process (which would lose the others' rows too).
  const failed = (part: Result['part'], caseName: string, contender: string, error: unknown) => {
    process.stderr.write(`${contender} on ${caseName}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    emit({ part, case: caseName, contender, note: `failed: ${firstLine(error)}` })
  }

  for (const c of decodeCases()) {
    const mine = impls.filter((x) => wanted(c.name, x.name))
    if (mine.length === 0) continue
    const input = chunked(c)
    const contenders: { name: string; pass: () => void }[] = []
    for (const impl of mine) {
      if (impl.unavailable !== undefined) {
        emit({ part: 'decode', case: c.name, contender: impl.name, note: impl.unavailable })
        continue
      }
      let d: DecoderUnderTest
      try {
        const probe = impl.make(c.resp3, { mapAsMap: c.mapAsMap, binary: c.binary })
        if (!probe) {
          emit({ part: 'decode', case: c.name, contender: impl.name, note: 'RESP2 only' })
          continue
        }
        // Check once that this decoder reads the input as intended.
        for (const chunk of input.chunks) probe.feed(impl.wantsPlain ? plain(chunk) : chunk)
        if (probe.replies !== input.replies) throw new Error(`${probe.replies} replies, want ${input.replies}`)
        d = impl.make(c.resp3, { mapAsMap: c.mapAsMap, binary: c.binary })!
      } catch (error) {
        failed('decode', c.name, impl.name, error)
        continue
      }
      // respkit is fed what its transports deliver, plain Uint8Array views (a Buffer's
      // subarray is slower); the peers get the Buffers node:net gives them. Same bytes.
      const chunks: Uint8Array[] = impl.wantsPlain ? input.chunks.map(plain) : input.chunks
      contenders.push({
        name: impl.name,
        pass: () => {
          for (let i = 0; i < chunks.length; i++) d.feed(chunks[i])
        },
      })
    }
    const rates = interleave(
      one,
      contenders.map((x) => ({ pass: x.pass, opsPerPass: input.replies, bytesPerPass: input.bytes })),
    )
    for (let i = 0; i < contenders.length; i++) {
      const alloc = withAlloc ? await allocationPerOp(contenders[i].pass, input.replies, 1) : undefined
      emit({ part: 'decode', case: c.name, contender: contenders[i].name, ...rates[i], alloc })
    }
  }

  for (const c of encodeCases()) {
    const size = encodedLength(c.args)
    const made = encoders.flatMap((e) => {
      if (!wanted(c.name, e.name)) return []
      if (e.unavailable !== undefined) {
        emit({ part: 'encode', case: c.name, contender: e.name, note: e.unavailable })
        return []
      }
      try {
        const pass = e.make(c)
        pass?.() // one pass up front, so that one failing here is a note rather than a crash
        return pass ? [{ name: e.name, pass, opsPerPass: c.batch, bytesPerPass: c.batch * size }] : []
      } catch (error) {
        failed('encode', c.name, e.name, error)
        return []
      }
    })
    const rates = interleave(one, made)
    for (let i = 0; i < made.length; i++) {
      const alloc = withAlloc ? await allocationPerOp(made[i].pass, c.batch, c.batch === 1 ? 8 : 20) : undefined
      emit({ part: 'encode', case: c.name, contender: made[i].name, ...rates[i], alloc })
    }
  }
  void sink
  void touched
}

/** Runs one child and returns what it reported. Its other output goes to our stderr. */
async function runChild(group: string, withAlloc: boolean): Promise<Result[]> {
  const { spawn } = await import('node:child_process')
  const { fileURLToPath } = await import('node:url')
  const script = fileURLToPath(import.meta.url)
  // The same runtime with the same flags. Deno's process.execArgv is empty (its own flags are
  // not exposed), and `deno <script>` relies on Deno's rewriting of Node-style arguments, so
  // Deno's children get an explicit `run -A`; Node's get --expose-gc and tsx's loader back.
  const args = runtime === 'deno' ? ['run', '-A', script] : [...process.execArgv, script]
  const proc = spawn(process.execPath, args, {
    env: { ...process.env, BENCH_CHILD: group, BENCH_CHILD_ALLOC: withAlloc ? '1' : '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let out = ''
  proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
  const code = await new Promise<number | null>((resolve) => proc.on('close', resolve))
  const results: Result[] = []
  for (const line of out.split('\n')) {
    if (line.startsWith(MARK)) results.push(JSON.parse(line.slice(MARK.length)) as Result)
    else if (line.trim() !== '') process.stderr.write(line + '\n')
  }
  if (code !== 0) {
    results.push({ part: 'decode', case: '', contender: group, note: `child exited with ${code}` })
  }
  return results
}

async function main(): Promise<void> {
  console.log(`# RESP decoder and encoder, ${runtimeName()}\n`)
  console.log(
    `Rounds: ${timing.rounds} × ${timing.roundMs} ms after ${timing.warmupMs} ms warm-up, one process per library (and per respkit configuration), ` +
      `rounds interleaved across them, median shown. Input in ${CHUNK / 1024} KiB chunks. ` +
      (runtime === 'node' && typeof (globalThis as { gc?: unknown }).gc === 'function'
        ? `Allocation: heapUsed + arrayBuffers growth per reply or command, no GC in the window.\n`
        : `Allocation: not measured (needs Node with --expose-gc).\n`),
  )
  // key: part, case and contender joined by SEP -> that contender's rounds
  const all = new Map<string, Result[]>()
  const notes: string[] = []
  for (let round = 0; round < timing.rounds; round++) {
    for (const g of groups) {
      for (const r of await runChild(g.name, round === 0)) {
        if (r.case === '') {
          if (round === 0) notes.push(`${r.contender}: ${r.note}`)
          continue
        }
        const key = [r.part, r.case, r.contender].join(SEP)
        all.set(key, [...(all.get(key) ?? []), r])
      }
    }
  }
  for (const n of notes) console.log(`${n}\n`)

  const rowsFor = (part: 'decode' | 'encode', caseNames: string[]): string[][] => {
    const rows: string[][] = []
    for (const name of caseNames) {
      let first = true
      for (const [key, results] of all) {
        const [p, c, contender] = key.split(SEP)
        if (p !== part || c !== name) continue
        const measured = results.filter((r) => r.opsPerSec !== undefined) as Required<Result>[]
        const alloc = results.find((r) => r.alloc !== undefined)?.alloc
        const label = first ? name : ''
        first = false
        if (measured.length === 0) {
          rows.push([label, contender, 'n/a', 'n/a', 'n/a', results[0].note ?? ''])
          continue
        }
        const rate = median(measured.map((r) => ({ opsPerSec: r.opsPerSec, bytesPerSec: r.bytesPerSec })))
        rows.push([label, contender, fmtMBps(rate.bytesPerSec), fmtRate(rate.opsPerSec), fmtBytes(alloc), ''])
      }
    }
    return rows
  }

  console.log('## Decoding\n')
  console.log(
    table(
      ['case', 'decoder', 'MB/s', 'replies/s', 'B alloc/reply', 'note'],
      rowsFor('decode', decodeCases().map((c) => c.name)),
    ),
  )
  console.log('\n## Encoding commands\n')
  console.log(
    '"→ bytes" rows add turning the strings a peer returns into bytes, work its socket does later ' +
      '(respkit returns bytes). ioredis rows exclude building the Command object.\n',
  )
  // The note column only when some encoder has a note (one did not load or failed).
  const encodeRows = rowsFor('encode', encodeCases().map((c) => c.name))
  const encodeNotes = encodeRows.some((row) => row[5] !== '')
  console.log(
    table(
      ['case', 'encoder', 'MB/s out', 'commands/s', 'B alloc/command', ...(encodeNotes ? ['note'] : [])],
      encodeNotes ? encodeRows : encodeRows.map((row) => row.slice(0, 5)),
    ),
  )
}

if (process.env.BENCH_CHILD) await child(process.env.BENCH_CHILD, process.env.BENCH_CHILD_ALLOC === '1')
else await main()
