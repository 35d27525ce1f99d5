// Client against client: respkit's createClient beside ioredis 6 and node-redis 5 (on Node), or
// beside Bun's built-in RedisClient (on Bun), against one redis-server this script starts on a
// free loopback port, with redis-benchmark doing the same shapes as the ceiling.
//
//   npx tsx bench/client.ts                 # Node: respkit, ioredis, node-redis, redis-benchmark
//   .runtimes/node_modules/.bin/bun bench/client.ts   # Bun: respkit, Bun's RedisClient
//
// Every (scenario, client) pair runs in a fresh process of its own, spawned once per round, and
// the rounds are interleaved (A B C, then B C A, ...: rotated, so that no one always runs right
// after the heaviest run of the scenario before): a library loaded in one process cannot slow
// another (node-redis and ioredis 6 both subclass String, see README), and load from other
// processes on a shared machine hits all contenders alike. The median round is reported.
//
//   BENCH_CLIENT_ROUNDS=3        rounds (median shown)
//   BENCH_CLIENT_SCALE=1         multiplies every operation count (0.2 for a smoke run)
//   BENCH_CLIENT_ONLY=regex      scenarios and contenders to run, matched against "scenario/contender"
//   BENCH_CLIENT_CEILING=0       skip redis-benchmark (default: on under Node, off under Bun)
//   BENCH_CLIENTS=a,b            contenders (default respkit,ioredis,node-redis; on Bun respkit,bun);
//                                `respkit@/tmp/scratch-src` loads respkit from another copy of src/;
//                                `floor`, `floor+decoder` on Bun: the least a JS client can do
//                                (bun-floor-client.ts), with its own parser or respkit's Decoder
//   BENCH_RESPKIT_SRC=/dir/src/  measure respkit from another copy of src/ (a scratch branch)
//   BENCH_RESPKIT_API=send       respkit through sendCommand instead of the typed methods
//   BENCH_CPU_PROF=dir           children run under --cpu-prof, profiles written to dir (Node)
//
// A client without the API a scenario needs (Bun's RedisClient has no MULTI or pipeline builder)
// is shown as "cannot" in that scenario's table, with the reason; nothing is emulated for it.

import process from 'node:process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { fmtRate, runtimeName, table } from './common.ts'
import { Cannot, measureInChild, medianOf, reportFromChild, splitContender, runProcess, runRounds, type ChildResult, type Rounds } from './child.ts'

/**
 * A peer library from bench/node_modules. The specifier is a variable so that type-checking the
 * repository (npm test, on a clone where bench/ has not been installed) does not need them.
 */
const importPeer = (name: string): Promise<any> => import(name)

const HOST = '127.0.0.1'
const SCALE = positive(process.env.BENCH_CLIENT_SCALE, 1)
const ROUNDS = Math.round(positive(process.env.BENCH_CLIENT_ROUNDS, 3))

function positive(raw: string | undefined, fallback: number): number {
  const n = raw === undefined ? NaN : Number(raw)
  return Number.isFinite(n) && n > 0 ? n : fallback
}

// ---- the data, the same for every client ----

const SMALL_KEYS = Array.from({ length: 1000 }, (_, i) => `bench:s:${i}`)
const SMALL_VALUE = (i: number) => `value:${String(i).padStart(10, '0')}` // 16 bytes
const WRITE_KEYS = Array.from({ length: 1000 }, (_, i) => `bench:w:${i}`)
const VALUE_16K = 'x'.repeat(16 * 1024)
const BIG_KEY = 'bench:1m'
const BIG_SIZE = 1024 * 1024
const MGET_KEYS = SMALL_KEYS.slice(0, 100)
const PIPE_VALUE = 'value:0123456789' // 16 bytes
const MULTI_KEYS = WRITE_KEYS.slice(0, 100)
const CHANNEL = 'bench:fan-in'

// ---- scenarios ----

interface Scenario {
  name: string
  /** What is counted as one operation, for the table. */
  label: string
  /** Operations measured and warmed up (before SCALE). */
  ops: number
  warmup: number
  /** The same shape for redis-benchmark: pipeline depth and the command (none for MULTI and pub/sub). */
  ceiling?: { pipeline: number; command: string[] }
  /** Once per process, before the warm-up (a subscription). */
  setup?(c: Adapter): Promise<void>
  run(c: Adapter, ops: number): Promise<void>
}

/** The common API each client is driven through (one thin adapter per library). */
interface Adapter {
  get(key: string): Promise<string | null>
  set(key: string, value: string): Promise<unknown>
  mget(keys: string[]): Promise<(string | null)[]>
  /** 1000 SETs as one pipeline: Promise.all of auto-pipelined sets, or an explicit pipeline API. */
  pipelineSets(keys: string[], value: string): Promise<unknown>
  /** The library's explicit pipeline builder (a string: why there is none). */
  explicitPipelineSets: ((keys: string[], value: string) => Promise<unknown[]>) | string
  /** MULTI, a SET per key, EXEC through the library's transaction builder; the replies. */
  multiSets: ((keys: string[], value: string) => Promise<unknown[]>) | string
  /** Subscribes a second connection of the library's own (its pub/sub API) to `channel`. */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<void>
  /** PUBLISH on the command connection: the number of subscribers that received it. */
  publish(channel: string, message: string): Promise<number>
  close(): Promise<void> | void
}

/** A SET's reply in a batch: 'OK', or ioredis' [error, 'OK'] pair. */
function isOk(reply: unknown): boolean {
  return reply === 'OK' || (Array.isArray(reply) && reply[0] === null && reply[1] === 'OK')
}

function api<F>(f: F | string): F {
  if (typeof f === 'string') throw new Cannot(f)
  return f
}

// Pub/sub fan-in state of this child: the subscriber counts, the scenario waits for the count.
let received = 0
let expected = 0
let allReceived: (() => void) | undefined
function onFanInMessage(message: string): void {
  check(message.length === 16, 'message')
  if (++received === expected) allReceived?.()
}

/** `total` operations, `width` of them in flight at any time, each started as another finishes. */
async function inFlight(total: number, width: number, op: (i: number) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < total) await op(next++)
  }
  const workers: Promise<void>[] = []
  for (let w = 0; w < Math.min(width, total); w++) workers.push(worker())
  await Promise.all(workers)
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`wrong reply: ${what}`)
}

const SCENARIOS: Scenario[] = [
  {
    name: 'GET, sequential',
    label: 'GET',
    ops: 10_000,
    warmup: 2_000,
    ceiling: { pipeline: 1, command: ['GET', SMALL_KEYS[1]] },
    async run(c, ops) {
      for (let i = 0; i < ops; i++) {
        const v = await c.get(SMALL_KEYS[i % 1000])
        check(v?.length === 16, 'GET')
      }
    },
  },
  {
    name: 'GET, 1000 in flight',
    label: 'GET',
    ops: 200_000,
    warmup: 20_000,
    ceiling: { pipeline: 1000, command: ['GET', SMALL_KEYS[1]] },
    async run(c, ops) {
      await inFlight(ops, 1000, async (i) => {
        const v = await c.get(SMALL_KEYS[i % 1000])
        check(v?.length === 16, 'GET')
      })
    },
  },
  {
    name: 'SET 16 KiB, 1000 in flight',
    label: 'SET',
    ops: 20_000,
    warmup: 5_000,
    ceiling: { pipeline: 1000, command: ['SET', WRITE_KEYS[1], VALUE_16K] },
    async run(c, ops) {
      await inFlight(ops, 1000, async (i) => {
        await c.set(WRITE_KEYS[i % 1000], VALUE_16K)
      })
    },
  },
  {
    name: 'GET 1 MiB, 300 at once',
    label: 'GET',
    ops: 600,
    warmup: 300,
    ceiling: { pipeline: 300, command: ['GET', BIG_KEY] },
    async run(c, ops) {
      for (let done = 0; done < ops; done += 300) {
        const batch: Promise<string | null>[] = []
        for (let i = 0; i < 300 && done + i < ops; i++) batch.push(c.get(BIG_KEY))
        for (const v of await Promise.all(batch)) check(v?.length === BIG_SIZE, 'GET 1 MiB')
      }
    },
  },
  {
    name: 'MGET 100 keys, 100 in flight',
    label: 'MGET',
    ops: 10_000,
    warmup: 2_000,
    ceiling: { pipeline: 100, command: ['MGET', ...MGET_KEYS] },
    async run(c, ops) {
      await inFlight(ops, 100, async () => {
        const v = await c.mget(MGET_KEYS)
        check(v.length === 100 && v[99]?.length === 16, 'MGET')
      })
    },
  },
  {
    name: 'pipelines of 1000 SETs',
    label: 'SET',
    ops: 100_000,
    warmup: 20_000,
    ceiling: { pipeline: 1000, command: ['SET', WRITE_KEYS[1], PIPE_VALUE] },
    async run(c, ops) {
      for (let done = 0; done < ops; done += 1000) await c.pipelineSets(WRITE_KEYS, PIPE_VALUE)
    },
  },
  {
    name: 'explicit pipeline of 1000 SETs',
    label: 'SET',
    ops: 100_000,
    warmup: 20_000,
    ceiling: { pipeline: 1000, command: ['SET', WRITE_KEYS[1], PIPE_VALUE] },
    async run(c, ops) {
      const pipeline = api(c.explicitPipelineSets)
      for (let done = 0; done < ops; done += 1000) {
        const replies = await pipeline(WRITE_KEYS, PIPE_VALUE)
        check(replies.length === 1000 && isOk(replies[999]), 'pipeline')
      }
    },
  },
  {
    name: 'MULTI of 100 SETs, 10 in flight',
    label: 'MULTI',
    ops: 2_000,
    warmup: 500,
    async run(c, ops) {
      const multi = api(c.multiSets)
      await inFlight(ops, 10, async () => {
        const replies = await multi(MULTI_KEYS, PIPE_VALUE)
        check(replies.length === 100 && isOk(replies[99]), 'MULTI')
      })
    },
  },
  {
    name: 'pub/sub fan-in, 1000 PUBLISH in flight',
    label: 'msg',
    ops: 100_000,
    warmup: 20_000,
    setup: (c) => c.subscribe(CHANNEL, onFanInMessage),
    async run(c, ops) {
      // Timed until the subscriber has the last message, not until the last PUBLISH returns.
      received = 0
      expected = ops
      const done = new Promise<void>((resolve) => (allReceived = resolve))
      await inFlight(ops, 1000, async () => {
        check((await c.publish(CHANNEL, PIPE_VALUE)) === 1, 'PUBLISH')
      })
      await done
    },
  },
]

// ---- the clients (each loaded only in its own child) ----

interface ClientKind {
  label(variant: string | undefined): string
  /** `variant`: for respkit, another copy of src/ to load (`respkit@/tmp/scratch-src`). */
  open(port: number, variant: string | undefined): Promise<Adapter>
}

/** bun-floor-client.ts: GET and SET on Bun.connect with nothing else, its own parser or respkit's Decoder. */
function floorClient(respkitDecoder: boolean): ClientKind {
  return {
    label: () => (respkitDecoder ? 'floor + respkit Decoder' : 'floor: Bun.connect, no client'),
    async open(port) {
      const { openFloorClient } = await import('./bun-floor-client.ts')
      const client = await openFloorClient(HOST, port, respkitDecoder)
      const none = 'GET and SET only'
      return {
        get: (k) => client.get(k),
        set: (k, v) => client.set(k, v),
        mget: () => { throw new Cannot(none) },
        pipelineSets: (keys, v) => Promise.all(keys.map((k) => client.set(k, v))),
        explicitPipelineSets: none,
        multiSets: none,
        subscribe: () => { throw new Cannot(none) },
        publish: () => { throw new Cannot(none) },
        close: () => client.close(),
      }
    },
  }
}

const CLIENTS: Record<string, ClientKind> = {
  respkit: {
    label: (variant) => (variant ? `respkit@${variant}` : process.env.BENCH_RESPKIT_SRC ? `respkit (${process.env.BENCH_RESPKIT_SRC})` : 'respkit'),
    async open(port, variant) {
      const src = variant ?? process.env.BENCH_RESPKIT_SRC
      const url = src ? new URL('client/index.ts', `file://${src.endsWith('/') ? src : `${src}/`}`) : new URL('../src/client/index.ts', import.meta.url)
      const { createClient } = await import(url.href)
      const client = createClient({ socket: { host: HOST, port } })
      client.on('error', (e: Error) => console.error('respkit error:', e))
      await client.connect()
      let subscriber: any
      const common = {
        explicitPipelineSets: (keys: string[], v: string) => {
          const p = client.pipeline()
          for (const k of keys) p.set(k, v)
          return p.exec()
        },
        multiSets: (keys: string[], v: string) => {
          const m = client.multi()
          for (const k of keys) m.set(k, v)
          return m.exec()
        },
        subscribe: async (channel: string, onMessage: (m: string) => void) => {
          subscriber = await client.duplicate().connect()
          await subscriber.subscribe(channel, onMessage)
        },
        publish: (channel: string, m: string) => client.publish(channel, m),
        close: () => {
          subscriber?.destroy()
          client.destroy()
        },
      }
      if (process.env.BENCH_RESPKIT_API === 'send') {
        return {
          get: (k) => client.sendCommand(['GET', k]),
          set: (k, v) => client.sendCommand(['SET', k, v]),
          mget: (keys) => client.sendCommand(['MGET', ...keys]),
          pipelineSets: (keys, v) => Promise.all(keys.map((k) => client.sendCommand(['SET', k, v]))),
          ...common,
          publish: (channel, m) => client.sendCommand(['PUBLISH', channel, m]),
        }
      }
      return {
        get: (k) => client.get(k),
        set: (k, v) => client.set(k, v),
        mget: (keys) => client.mGet(keys),
        pipelineSets: (keys, v) => Promise.all(keys.map((k) => client.set(k, v))),
        ...common,
      }
    },
  },
  ioredis: {
    label: () => 'ioredis 6',
    async open(port) {
      const { Redis } = await importPeer('ioredis')
      const client = new Redis({ host: HOST, port, lazyConnect: true })
      client.on('error', (e: Error) => console.error('ioredis error:', e))
      await client.connect()
      let subscriber: InstanceType<typeof Redis> | undefined
      return {
        get: (k) => client.get(k),
        set: (k, v) => client.set(k, v),
        mget: (keys) => client.mget(keys),
        pipelineSets: (keys, v) => {
          const p = client.pipeline()
          for (const k of keys) p.set(k, v)
          return p.exec()
        },
        explicitPipelineSets: async (keys, v) => {
          const p = client.pipeline()
          for (const k of keys) p.set(k, v)
          return (await p.exec())!
        },
        multiSets: async (keys, v) => {
          const m = client.multi()
          for (const k of keys) m.set(k, v)
          return (await m.exec())!
        },
        subscribe: async (channel, onMessage) => {
          subscriber = client.duplicate()
          subscriber.on('message', (_channel: string, message: string) => onMessage(message))
          await subscriber.subscribe(channel)
        },
        publish: (channel, m) => client.publish(channel, m),
        close: () => {
          subscriber?.disconnect()
          client.disconnect()
        },
      }
    },
  },
  'node-redis': {
    label: () => 'node-redis 5',
    async open(port) {
      const { createClient } = await importPeer('redis')
      const client = createClient({ socket: { host: HOST, port } })
      client.on('error', (e: Error) => console.error('node-redis error:', e))
      await client.connect()
      let subscriber: ReturnType<typeof client.duplicate> | undefined
      return {
        get: (k) => client.get(k) as Promise<string | null>,
        set: (k, v) => client.set(k, v),
        mget: (keys) => client.mGet(keys) as Promise<(string | null)[]>,
        pipelineSets: (keys, v) => Promise.all(keys.map((k) => client.set(k, v))),
        explicitPipelineSets: (keys, v) => {
          const m = client.multi()
          for (const k of keys) m.set(k, v)
          return m.execAsPipeline()
        },
        multiSets: (keys, v) => {
          const m = client.multi()
          for (const k of keys) m.set(k, v)
          return m.exec()
        },
        subscribe: async (channel, onMessage) => {
          subscriber = client.duplicate()
          subscriber.on('error', (e: Error) => console.error('node-redis error:', e))
          await subscriber.connect()
          await subscriber.subscribe(channel, (message: string) => onMessage(message))
        },
        publish: (channel, m) => client.publish(channel, m) as Promise<number>,
        close: () => {
          subscriber?.destroy()
          client.destroy()
        },
      }
    },
  },
  floor: floorClient(false),
  'floor+decoder': floorClient(true),
  bun: {
    label: () => "Bun's RedisClient",
    async open(port) {
      const { RedisClient } = (await import('bun' as string)) as { RedisClient: any }
      const client = new RedisClient(`redis://${HOST}:${port}`)
      await client.connect()
      let subscriber: any
      return {
        get: (k) => client.get(k),
        set: (k, v) => client.set(k, v),
        mget: (keys) => client.mget(...keys),
        pipelineSets: (keys, v) => Promise.all(keys.map((k) => client.set(k, v))),
        explicitPipelineSets: 'no pipeline builder (it auto-pipelines)',
        multiSets: 'no MULTI builder',
        subscribe: async (channel, onMessage) => {
          subscriber = await client.duplicate()
          await subscriber.subscribe(channel, (message: string) => onMessage(message))
        },
        publish: (channel, m) => client.publish(channel, m),
        close: () => {
          subscriber?.close()
          client.close()
        },
      }
    },
  },
}

// ---- child: one scenario, one client ----

async function child(spec: { scenario: number; client: string; port: number }): Promise<void> {
  const scenario = SCENARIOS[spec.scenario]
  const [kind, variant] = splitContender(spec.client)
  const adapter = await CLIENTS[kind].open(spec.port, variant)
  let ready = false
  const run = async (ops: number): Promise<void> => {
    // The scenario's setup belongs to the warm-up, outside the timed part.
    if (!ready) await scenario.setup?.(adapter)
    ready = true
    await scenario.run(adapter, ops)
  }
  await reportFromChild(run, Math.max(1, Math.round(scenario.warmup * SCALE)), Math.max(1, Math.round(scenario.ops * SCALE)), () => adapter.close())
}

// ---- parent ----


function measureClient(scenario: number, client: string, port: number, profDir: string | undefined): Promise<ChildResult> {
  return measureInChild(fileURLToPath(import.meta.url), 'BENCH_CLIENT_CHILD', { scenario, client, port }, profDir)
}

/** redis-benchmark with the scenario's shape, on one connection; its CPU and RSS from GNU time. */
async function measureCeiling(scenario: Scenario, port: number): Promise<ChildResult> {
  if (scenario.ceiling === undefined) throw new Cannot('no redis-benchmark shape')
  const ops = Math.max(scenario.ceiling.pipeline, Math.round(scenario.ops * SCALE))
  const args = ['-h', HOST, '-p', String(port), '-c', '1',
    '-P', String(scenario.ceiling.pipeline), '-n', String(ops), '--csv', ...scenario.ceiling.command]
  const timed = existsSync('/usr/bin/time')
  const { stdout, stderr } = timed
    ? await runProcess('/usr/bin/time', ['-f', 'TIME %U %S %M', 'redis-benchmark', ...args])
    : await runProcess('redis-benchmark', args)
  const row = stdout.trim().split('\n').at(-1)!.split(',').map((cell) => cell.replace(/"/g, ''))
  if (!Number.isFinite(Number(row[1]))) throw new Error(`redis-benchmark: ${stdout} ${stderr}`)
  const time = /TIME ([\d.]+) ([\d.]+) (\d+)/.exec(stderr)
  return {
    opsPerSec: Number(row[1]),
    cpuUsPerOp: time ? ((Number(time[1]) + Number(time[2])) * 1e6) / ops : NaN,
    peakRssBytes: time ? Number(time[3]) * 1024 : NaN,
  }
}

async function seed(port: number): Promise<void> {
  const { createClient } = await import(new URL('../src/client/index.ts', import.meta.url).href)
  const client = createClient({ socket: { host: HOST, port } })
  await client.connect()
  await Promise.all(SMALL_KEYS.map((k, i) => client.sendCommand(['SET', k, SMALL_VALUE(i)])))
  await client.sendCommand(['SET', BIG_KEY, 'x'.repeat(BIG_SIZE)])
  await client.close()
}

const fmtUs = (us: number) => (!Number.isFinite(us) ? 'n/a' : us >= 100 ? us.toFixed(0) : us >= 10 ? us.toFixed(1) : us.toFixed(2))
const fmtMiB = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / (1 << 20)).toFixed(0)} MiB` : 'n/a')

async function main(): Promise<void> {
  const onBun = typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined'
  const clients = process.env.BENCH_CLIENTS?.split(',') ?? (onBun ? ['respkit', 'bun'] : ['respkit', 'ioredis', 'node-redis'])
  const ceiling = process.env.BENCH_CLIENT_CEILING !== undefined ? process.env.BENCH_CLIENT_CEILING !== '0' : !onBun
  const contenders = ceiling ? [...clients, 'redis-benchmark'] : clients
  const only = process.env.BENCH_CLIENT_ONLY ? new RegExp(process.env.BENCH_CLIENT_ONLY) : undefined
  const profDir = process.env.BENCH_CPU_PROF

  const { startRedis } = await import('../test/support/redis.ts')
  const redis = await startRedis()
  let rounds: Rounds
  try {
    await seed(redis.port)
    rounds = await runRounds(
      ROUNDS,
      SCENARIOS.map((x) => x.name),
      contenders,
      (key, s, contender) => (only !== undefined && !only.test(key)) || (contender === 'redis-benchmark' && SCENARIOS[s].ceiling === undefined),
      (s, contender) => contender === 'redis-benchmark'
        ? measureCeiling(SCENARIOS[s], redis.port)
        : measureClient(s, contender, redis.port, profDir),
    )
  } finally {
    await redis.stop()
  }
  const { results, cannot, failures } = rounds

  const rows: string[][] = []
  for (const scenario of SCENARIOS) {
    const medians = new Map<string, number>()
    for (const c of contenders) {
      const rs = results.get(`${scenario.name}/${c}`)
      if (rs !== undefined) medians.set(c, medianOf(rs, (r) => r.opsPerSec))
    }
    const top = medians.get('redis-benchmark')
    let first = true
    for (const c of contenders) {
      const rs = results.get(`${scenario.name}/${c}`)
      const why = cannot.get(`${scenario.name}/${c}`)
      if (why !== undefined) {
        rows.push([first ? scenario.name : '', CLIENTS[splitContender(c)[0]].label(splitContender(c)[1]), `cannot: ${why}`, '', '', '', '', ''])
        first = false
      }
      if (rs === undefined) continue
      const ops = medians.get(c)!
      const others = clients.filter((o) => o !== c && medians.has(o)).map((o) => medians.get(o)!)
      const best = others.length > 0 ? Math.max(...others) : undefined
      const lo = Math.min(...rs.map((r) => r.opsPerSec))
      const hi = Math.max(...rs.map((r) => r.opsPerSec))
      const isCeiling = c === 'redis-benchmark'
      rows.push([
        first ? scenario.name : '',
        isCeiling ? `redis-benchmark -c 1 -P ${scenario.ceiling!.pipeline} (ceiling)` : CLIENTS[splitContender(c)[0]].label(splitContender(c)[1]),
        `${fmtRate(ops)} ${scenario.label}/s`,
        isCeiling || best === undefined ? '' : `${(ops / best).toFixed(2)}x`,
        isCeiling || top === undefined ? '' : `${((ops / top) * 100).toFixed(0)}%`,
        fmtUs(medianOf(rs, (r) => r.cpuUsPerOp)),
        fmtMiB(medianOf(rs, (r) => r.peakRssBytes)),
        `±${(((hi - lo) / 2 / ops) * 100).toFixed(0)}%`,
      ])
      first = false
    }
  }
  const scale = SCALE === 1 ? '' : `, operation counts × ${SCALE}`
  console.log(`### Clients, ${runtimeName()}, redis-server on ${HOST}:${redis.port}\n`)
  console.log(`${ROUNDS} rounds${scale}; each (scenario, client) in a fresh process per round, rounds interleaved (order rotated each round); medians. ` +
    `"vs best other": ops/s over the best other client's. CPU: the client process' user+system time per operation in the measured phase. ` +
    `Peak RSS: the process' maxRSS. Spread: half the min-max range of the rounds.\n`)
  console.log(table(['scenario', 'client', 'ops/s', 'vs best other', 'of ceiling', 'CPU µs/op', 'peak RSS', 'spread'], rows))
  if (failures.length > 0) console.log(`\nFailed: \n${failures.map((f) => `- ${f}`).join('\n')}`)
}

if (process.env.BENCH_CLIENT_CHILD) await child(JSON.parse(process.env.BENCH_CLIENT_CHILD))
else await main()
