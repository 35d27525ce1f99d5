// RESP decoder and encoder throughput: respkit beside redis-parser (ioredis up to v5), node-redis
// v5's decoder and encoder, and ioredis' Command.toWritable, on the same bytes, each library in
// a child process of its own (see main below for why), one table.
// Run: npx tsx --expose-gc --max-semi-space-size=64 --min-semi-space-size=64 bench/resp.ts
// (bench/run.sh does this). BENCH_ROUND_MS, BENCH_ROUNDS, BENCH_WARMUP_MS shorten it;
// BENCH_FILTER picks cases; BENCH_BUNDLE=0 and BENCH_STRING_SUBCLASS=1, see below.
// Node only: the peers are Node libraries built on Buffer.

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
}

const plain = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)

// Replies are sunk into a variable so no engine can skip producing them.
let sink: unknown

function redisParser(): Impl | undefined {
  let Parser: new (options: object) => { execute(b: Buffer): void }
  try {
    Parser = require('redis-parser')
  } catch {
    return undefined
  }
  return {
    name: 'redis-parser 3 (ioredis)',
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
          sink = reply
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

function nodeRedis(): Impl | undefined {
  let Decoder: new (options: object) => { write(b: Buffer): void }
  try {
    Decoder = require('@redis/client/dist/lib/RESP/decoder.js').Decoder
  } catch {
    return undefined
  }
  return {
    name: 'node-redis 5 decoder',
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
          sink = reply
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

/** `decodeUtf8`: the Node decoder from respkit/node, as Node users are told to pass. */
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
          sink = reply
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
 * So respkit is also measured from a plain esbuild bundle (no keepNames), built here in a
 * temporary directory; the peers are plain JavaScript and are not affected either way.
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

type Ours = { impls: Impl[]; resp: RespModule; built: RespModule | undefined } | { error: string }
let oursOnce: Promise<Ours> | undefined
const ours = (): Promise<Ours> => (oursOnce ??= loadOurs())

async function loadOurs(): Promise<Ours> {
  let resp: RespModule
  try {
    resp = await import('../src/resp/index.ts')
  } catch (error) {
    return { error: String(error).split('\n')[0] }
  }
  const built = process.env.BENCH_BUNDLE === '0' ? undefined : await bundled()
  const { nodeUtf8 } = await import('../src/node.ts')
  const impls = [ourImpl('respkit Decoder (tsx)', resp), ourImpl('respkit Decoder + nodeUtf8 (tsx)', resp, nodeUtf8)]
  if (built) impls.push(ourImpl('respkit Decoder + nodeUtf8 (esbuild bundle)', built, nodeUtf8))
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
}

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
  const list: EncoderImpl[] = []
  try {
    const encodeCommand: (args: (string | Buffer)[]) => (string | Buffer)[] =
      require('@redis/client/dist/lib/RESP/encoder.js').default
    list.push({
      name: 'node-redis encodeCommand (strings+Buffers)',
      make: (c) => () => {
        for (let i = 0; i < c.batch; i++) sink = encodeCommand(c.args)
      },
    })
    list.push({
      name: 'node-redis encodeCommand → bytes',
      make: (c) => () => {
        for (let i = 0; i < c.batch; i++) sink = encodeCommand(c.args).map(toBytes)
      },
    })
  } catch {
    // not installed
  }
  return list
}

function ioredisEncoders(): EncoderImpl[] {
  const list: EncoderImpl[] = []
  try {
    const Command: new (name: string, args: (string | Buffer)[]) => { toWritable(s?: unknown): string | Buffer } =
      require('ioredis/built/Command.js').default
    list.push({
      name: 'ioredis Command.toWritable (string or Buffer)',
      make: (c) => {
        // The command object is built once: its constructor also makes a promise, which is not
        // encoding work. toWritable does not cache, so each call is a full encoding.
        const command = new Command(c.args[0] as string, c.args.slice(1))
        return () => {
          for (let i = 0; i < c.batch; i++) sink = command.toWritable()
        }
      },
    })
    list.push({
      name: 'ioredis Command.toWritable → bytes',
      make: (c) => {
        const command = new Command(c.args[0] as string, c.args.slice(1))
        return () => {
          for (let i = 0; i < c.batch; i++) sink = toBytes(command.toWritable())
        }
      },
    })
  } catch {
    // not installed
  }
  return list
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

const groups: Group[] = [
  {
    name: 'respkit',
    decoders: async () => {
      const mine = await ours()
      if ('error' in mine) throw new Error(mine.error)
      return mine.impls
    },
    encoders: async () => {
      const mine = await ours()
      if ('error' in mine) throw new Error(mine.error)
      return [...ourEncoders(mine.resp, ' (tsx)'), ...(mine.built ? ourEncoders(mine.built, ' (esbuild bundle)') : [])]
    },
  },
  { name: 'redis-parser', decoders: async () => [redisParser()].filter((x) => x !== undefined), encoders: async () => [] },
  { name: 'node-redis', decoders: async () => [nodeRedis()].filter((x) => x !== undefined), encoders: async () => nodeRedisEncoders() },
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
      return [ourImpl(tag('respkit Decoder (tsx)'), mine.resp)]
    },
    encoders: async () => {
      const mine = await ours()
      if ('error' in mine) throw new Error(mine.error)
      return ourEncoders(mine.resp, ' (tsx) + String subclass')
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
    emit({ part: 'decode', case: '', contender: group.name, note: `not measured: ${String(error).split('\n')[0]}` })
    return
  }

  for (const c of decodeCases()) {
    const mine = impls.filter((x) => wanted(c.name, x.name))
    if (mine.length === 0) continue
    const input = chunked(c)
    const contenders: { name: string; pass: () => void }[] = []
    for (const impl of mine) {
      const probe = impl.make(c.resp3, { mapAsMap: c.mapAsMap, binary: c.binary })
      if (!probe) {
        emit({ part: 'decode', case: c.name, contender: impl.name, note: 'RESP2 only' })
        continue
      }
      // Check once that this decoder reads the input as intended.
      for (const chunk of input.chunks) probe.feed(impl.wantsPlain ? plain(chunk) : chunk)
      if (probe.replies !== input.replies) {
        throw new Error(`${impl.name} on ${c.name}: ${probe.replies} replies, want ${input.replies}`)
      }
      const d = impl.make(c.resp3, { mapAsMap: c.mapAsMap, binary: c.binary })!
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
      const pass = e.make(c)
      return pass ? [{ name: e.name, pass, opsPerPass: c.batch, bytesPerPass: c.batch * size }] : []
    })
    const rates = interleave(one, made)
    for (let i = 0; i < made.length; i++) {
      const alloc = withAlloc ? await allocationPerOp(made[i].pass, c.batch, c.batch === 1 ? 8 : 20) : undefined
      emit({ part: 'encode', case: c.name, contender: made[i].name, ...rates[i], alloc })
    }
  }
  void sink
}

/** Runs one child and returns what it reported. Its other output goes to our stderr. */
async function runChild(group: string, withAlloc: boolean): Promise<Result[]> {
  const { spawn } = await import('node:child_process')
  const { fileURLToPath } = await import('node:url')
  const proc = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
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
    `Rounds: ${timing.rounds} × ${timing.roundMs} ms after ${timing.warmupMs} ms warm-up, one process per library, ` +
      `rounds interleaved across them, median shown. Input in ${CHUNK / 1024} KiB chunks. ` +
      `Allocation: heapUsed + arrayBuffers growth per reply or command, no GC in the window.\n`,
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
          rows.push(part === 'decode' ? [label, contender, 'n/a', 'n/a', 'n/a', results[0].note ?? ''] : [label, contender, 'n/a', 'n/a', 'n/a'])
          continue
        }
        const rate = median(measured.map((r) => ({ opsPerSec: r.opsPerSec, bytesPerSec: r.bytesPerSec })))
        const cells = [label, contender, fmtMBps(rate.bytesPerSec), fmtRate(rate.opsPerSec), fmtBytes(alloc)]
        rows.push(part === 'decode' ? [...cells, ''] : cells)
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
  console.log(
    table(
      ['case', 'encoder', 'MB/s out', 'commands/s', 'B alloc/command'],
      rowsFor('encode', encodeCases().map((c) => c.name)),
    ),
  )
}

if (process.env.BENCH_CHILD) await child(process.env.BENCH_CHILD, process.env.BENCH_CHILD_ALLOC === '1')
else await main()
