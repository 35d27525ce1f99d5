// Cluster client against cluster client: respkit's createCluster beside ioredis 6's Cluster and
// node-redis 5's createCluster, against one six-node cluster (three masters, three replicas)
// this script starts on free loopback ports (test/support/cluster.ts) and stops at the end.
//
//   npx tsx bench/cluster.ts
//
// As in client.ts, every (scenario, client) pair runs in a fresh process of its own, spawned
// once per round; rounds are interleaved with the order rotated each round; the median round is
// reported. Where a library refuses a scenario (a cross-slot MGET, a pipeline over several
// nodes), the child makes the call once and reports the library's own error: the table shows
// "cannot" with it. Nothing is emulated for a peer (grouping keys per slot by hand is not the
// peer's feature); the "Promise.all" scenario shows what the peers offer instead of a pipeline.
//
//   BENCH_CLUSTER_ROUNDS=3       rounds (median shown)
//   BENCH_CLUSTER_SCALE=1        multiplies every operation count (0.2 for a smoke run)
//   BENCH_CLUSTER_ONLY=regex     scenarios and contenders to run, matched against "scenario/contender"
//   BENCH_CLUSTER_CLIENTS=a,b    contenders (default respkit,ioredis,node-redis; also ioredis-auto:
//                                ioredis with enableAutoPipelining); `respkit@/tmp/scratch-src`
//                                loads respkit from another copy of src/
//   BENCH_CPU_PROF=dir           children run under --cpu-prof, profiles written to dir (Node)

import process from 'node:process'
import { fileURLToPath } from 'node:url'
import { fmtRate, runtimeName, table } from './common.ts'
import { Cannot, measureInChild, medianOf, reportFromChild, splitContender, runRounds, type ChildResult, type Rounds } from './child.ts'
import { keySlot } from '../src/cluster/slot.ts'

/**
 * A peer library from bench/node_modules. The specifier is a variable so that type-checking the
 * repository (npm test, on a clone where bench/ has not been installed) does not need them.
 */
const importPeer = (name: string): Promise<any> => import(name)

const HOST = '127.0.0.1'
const SCALE = positive(process.env.BENCH_CLUSTER_SCALE, 1)
const ROUNDS = Math.round(positive(process.env.BENCH_CLUSTER_ROUNDS, 3))
const SLOTS = 16384

function positive(raw: string | undefined, fallback: number): number {
  const n = raw === undefined ? NaN : Number(raw)
  return Number.isFinite(n) && n > 0 ? n : fallback
}

// ---- the data: one key in every slot, the same for every client ----

/** KEYS[s] hashes to slot s (found with respkit's keySlot, checked against CLUSTER KEYSLOT by test/cluster). */
const KEYS: string[] = (() => {
  const keys = new Array<string>(SLOTS)
  let found = 0
  for (let i = 0; found < SLOTS; i++) {
    const key = `bench:${i}`
    const slot = keySlot(key)
    if (keys[slot] === undefined) {
      keys[slot] = key
      found++
    }
  }
  return keys
})()
const VALUE = (i: number) => `value:${String(i).padStart(10, '0')}` // 16 bytes
const SET_VALUE = 'value:0123456789' // 16 bytes
/** 100 keys in 100 slots spread over the whole range (so over every master). */
const MGET_SPREAD = Array.from({ length: 100 }, (_, i) => KEYS[Math.floor((i * SLOTS) / 100) + 7])
/** 100 keys sharing one slot through a hash tag: what ioredis and node-redis can MGET. */
const MGET_TAGGED = Array.from({ length: 100 }, (_, i) => `{bench}:${i}`)
/** 1000 keys over 1000 slots spread over the whole range, for the batches. */
const BATCH_KEYS = Array.from({ length: 1000 }, (_, i) => KEYS[Math.floor((i * SLOTS) / 1000) + 3])

// ---- scenarios ----

interface Scenario {
  name: string
  label: string
  ops: number
  warmup: number
  run(c: Adapter, ops: number): Promise<void>
}

/** The common API each cluster client is driven through. */
interface Adapter {
  get(key: string): Promise<string | null>
  set(key: string, value: string): Promise<unknown>
  mget(keys: string[]): Promise<(string | null)[]>
  /** The library's explicit pipeline (or its nearest: node-redis multi().execAsPipeline()) of a SET per key. */
  pipelineSets(keys: string[], value: string): Promise<unknown[]>
  close(): Promise<void> | void
}

/** The first call of a scenario: an error from the library there means it cannot do it. */
async function first<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (err) {
    throw new Cannot(`${(err as Error).name}: ${(err as Error).message.split('\n')[0].slice(0, 140)}`)
  }
}

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

function isOk(reply: unknown): boolean {
  return reply === 'OK' || (Array.isArray(reply) && reply[0] === null && reply[1] === 'OK')
}

/** The replies of a batch: all OK, or the first that is not (a redirect the library passed on). */
function checkBatch(replies: unknown[], n: number): void {
  if (replies.length === n && replies.every(isOk)) return
  const bad = replies.find((r) => !isOk(r))
  throw new Error(`${replies.length} replies, not all OK: ${bad instanceof Error ? `${bad.name}: ${bad.message}` : JSON.stringify(bad)?.slice(0, 140)}`)
}

const SCENARIOS: Scenario[] = [
  {
    name: 'GET over all slots, 1000 in flight',
    label: 'GET',
    ops: 100_000,
    warmup: 20_000,
    async run(c, ops) {
      await inFlight(ops, 1000, async (i) => {
        const v = await c.get(KEYS[(i * 7919) % SLOTS])
        check(v?.length === 16, 'GET')
      })
    },
  },
  {
    name: 'SET over all slots, 1000 in flight',
    label: 'SET',
    ops: 100_000,
    warmup: 20_000,
    async run(c, ops) {
      await inFlight(ops, 1000, async (i) => {
        check(isOk(await c.set(KEYS[(i * 7919) % SLOTS], SET_VALUE)), 'SET')
      })
    },
  },
  {
    name: 'MGET 100 keys over 100 slots, 10 in flight',
    label: 'MGET',
    ops: 3_000,
    warmup: 600,
    async run(c, ops) {
      await first(() => c.mget(MGET_SPREAD))
      await inFlight(ops, 10, async () => {
        const v = await c.mget(MGET_SPREAD)
        check(v.length === 100 && v[99]?.length === 16 && v[0]?.length === 16, 'MGET')
      })
    },
  },
  {
    name: 'MGET 100 keys in one slot (hash tag), 100 in flight',
    label: 'MGET',
    ops: 10_000,
    warmup: 2_000,
    async run(c, ops) {
      await inFlight(ops, 100, async () => {
        const v = await c.mget(MGET_TAGGED)
        check(v.length === 100 && v[99]?.length === 16, 'MGET')
      })
    },
  },
  {
    name: 'pipeline of 1000 SETs over all nodes',
    label: 'SET',
    ops: 100_000,
    warmup: 20_000,
    async run(c, ops) {
      // A library that refuses, or sends the lot to one node and passes the MOVED errors on, cannot.
      await first(async () => checkBatch(await c.pipelineSets(BATCH_KEYS, SET_VALUE), 1000))
      for (let done = 0; done < ops; done += 1000) checkBatch(await c.pipelineSets(BATCH_KEYS, SET_VALUE), 1000)
    },
  },
  {
    name: '1000 SETs over all nodes, Promise.all',
    label: 'SET',
    ops: 100_000,
    warmup: 20_000,
    async run(c, ops) {
      for (let done = 0; done < ops; done += 1000) {
        const replies = await Promise.all(BATCH_KEYS.map((k) => c.set(k, SET_VALUE)))
        checkBatch(replies, 1000)
      }
    },
  },
]

// ---- the clients (each loaded only in its own child) ----

interface ClientKind {
  label(variant: string | undefined): string
  open(port: number, variant: string | undefined): Promise<Adapter>
}

async function ioredisCluster(port: number, autoPipelining: boolean): Promise<Adapter> {
  const { Cluster } = await importPeer('ioredis')
  const cluster = new Cluster([{ host: HOST, port }], { lazyConnect: true, enableAutoPipelining: autoPipelining })
  cluster.on('error', (e: Error) => console.error('ioredis error:', e))
  await cluster.connect()
  return {
    get: (k) => cluster.get(k),
    set: (k, v) => cluster.set(k, v),
    mget: (keys) => cluster.mget(keys),
    pipelineSets: async (keys, v) => {
      const p = cluster.pipeline()
      for (const k of keys) p.set(k, v)
      return (await p.exec())!
    },
    close: () => cluster.disconnect(),
  }
}

const CLIENTS: Record<string, ClientKind> = {
  respkit: {
    label: (variant) => (variant ? `respkit@${variant}` : 'respkit'),
    async open(port, variant) {
      const url = variant
        ? new URL('cluster/index.ts', `file://${variant.endsWith('/') ? variant : `${variant}/`}`)
        : new URL('../src/cluster/index.ts', import.meta.url)
      const { createCluster } = await import(url.href)
      const cluster = createCluster({ rootNodes: [{ socket: { host: HOST, port } }] })
      cluster.on('error', (e: Error) => console.error('respkit error:', e))
      await cluster.connect()
      return {
        get: (k) => cluster.get(k),
        set: (k, v) => cluster.set(k, v),
        mget: (keys) => cluster.mGet(keys),
        pipelineSets: (keys, v) => {
          const p = cluster.pipeline()
          for (const k of keys) p.set(k, v)
          return p.exec()
        },
        close: () => cluster.destroy(),
      }
    },
  },
  ioredis: { label: () => 'ioredis 6 Cluster', open: (port) => ioredisCluster(port, false) },
  'ioredis-auto': { label: () => 'ioredis 6 Cluster, enableAutoPipelining', open: (port) => ioredisCluster(port, true) },
  'node-redis': {
    label: () => 'node-redis 5 createCluster',
    async open(port) {
      const { createCluster } = await importPeer('redis')
      const cluster = createCluster({ rootNodes: [{ socket: { host: HOST, port } }] })
      cluster.on('error', (e: Error) => console.error('node-redis error:', e))
      await cluster.connect()
      return {
        get: (k) => cluster.get(k) as Promise<string | null>,
        set: (k, v) => cluster.set(k, v),
        mget: (keys) => cluster.mGet(keys) as Promise<(string | null)[]>,
        // node-redis has no cluster pipeline: its nearest is a multi() sent as a pipeline, routed
        // by its first key.
        pipelineSets: (keys, v) => {
          const m = cluster.multi()
          for (const k of keys) m.set(k, v)
          return m.execAsPipeline() as Promise<unknown[]>
        },
        close: () => cluster.destroy(),
      }
    },
  },
}

// ---- child ----

async function child(spec: { scenario: number; client: string; port: number }): Promise<void> {
  const scenario = SCENARIOS[spec.scenario]
  const [kind, variant] = splitContender(spec.client)
  const adapter = await CLIENTS[kind].open(spec.port, variant)
  const run = (ops: number): Promise<void> => scenario.run(adapter, ops)
  await reportFromChild(run, Math.max(1, Math.round(scenario.warmup * SCALE)), Math.max(1, Math.round(scenario.ops * SCALE)), () => adapter.close())
}

// ---- parent ----


function measure(scenario: number, client: string, port: number, profDir: string | undefined): Promise<ChildResult> {
  return measureInChild(fileURLToPath(import.meta.url), 'BENCH_CLUSTER_CHILD', { scenario, client, port }, profDir)
}

/** Every key of every scenario, written once through respkit's cluster client. */
async function seed(port: number): Promise<void> {
  const { createCluster } = await import(new URL('../src/cluster/index.ts', import.meta.url).href)
  const cluster = createCluster({ rootNodes: [{ socket: { host: HOST, port } }] })
  await cluster.connect()
  await Promise.all(KEYS.map((k, i) => cluster.sendCommand(['SET', k, VALUE(i)])))
  await Promise.all(MGET_TAGGED.map((k, i) => cluster.sendCommand(['SET', k, VALUE(i)])))
  await cluster.close()
}

const fmtUs = (us: number) => (!Number.isFinite(us) ? 'n/a' : us >= 100 ? us.toFixed(0) : us >= 10 ? us.toFixed(1) : us.toFixed(2))
const fmtMiB = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / (1 << 20)).toFixed(0)} MiB` : 'n/a')

async function main(): Promise<void> {
  const clients = process.env.BENCH_CLUSTER_CLIENTS?.split(',') ?? ['respkit', 'ioredis', 'node-redis']
  const only = process.env.BENCH_CLUSTER_ONLY ? new RegExp(process.env.BENCH_CLUSTER_ONLY) : undefined
  const profDir = process.env.BENCH_CPU_PROF

  const { startCluster } = await import('../test/support/cluster.ts')
  // A long node timeout: a node slowed by a loaded machine must not be failed over mid-run.
  const started = Date.now()
  const cluster = await startCluster({ nodeTimeout: 15_000 })
  process.stderr.write(`cluster of ${cluster.nodes.length} nodes up in ${Date.now() - started} ms (${cluster.addresses.join(' ')})\n`)
  const port = cluster.nodes[0].port
  let rounds: Rounds
  try {
    await seed(port)
    rounds = await runRounds(
      ROUNDS,
      SCENARIOS.map((x) => x.name),
      clients,
      (key) => only !== undefined && !only.test(key),
      (s, contender) => measure(s, contender, port, profDir),
    )
  } finally {
    await cluster.stop()
  }
  const { results, cannot, failures } = rounds

  const rows: string[][] = []
  for (const scenario of SCENARIOS) {
    const medians = new Map<string, number>()
    for (const c of clients) {
      const rs = results.get(`${scenario.name}/${c}`)
      if (rs !== undefined) medians.set(c, medianOf(rs, (r) => r.opsPerSec))
    }
    let firstRow = true
    for (const c of clients) {
      const label = CLIENTS[splitContender(c)[0]].label(splitContender(c)[1])
      const name = firstRow ? scenario.name : ''
      const why = cannot.get(`${scenario.name}/${c}`)
      const rs = results.get(`${scenario.name}/${c}`)
      if (why !== undefined) rows.push([name, label, 'cannot', '', '', '', '', why])
      else if (rs !== undefined) {
        const ops = medians.get(c)!
        const others = clients.filter((o) => o !== c && medians.has(o)).map((o) => medians.get(o)!)
        const best = others.length > 0 ? Math.max(...others) : undefined
        const lo = Math.min(...rs.map((r) => r.opsPerSec))
        const hi = Math.max(...rs.map((r) => r.opsPerSec))
        rows.push([
          name,
          label,
          `${fmtRate(ops)} ${scenario.label}/s`,
          best === undefined ? 'no peer can' : `${(ops / best).toFixed(2)}x`,
          fmtUs(medianOf(rs, (r) => r.cpuUsPerOp)),
          fmtMiB(medianOf(rs, (r) => r.peakRssBytes)),
          `±${(((hi - lo) / 2 / ops) * 100).toFixed(0)}%`,
          '',
        ])
      } else continue
      firstRow = false
    }
  }
  const scale = SCALE === 1 ? '' : `, operation counts × ${SCALE}`
  console.log(`### Cluster clients, ${runtimeName()}, ${cluster.nodes.length} redis-server nodes (3 masters, 3 replicas) on ${HOST}\n`)
  console.log(`${ROUNDS} rounds${scale}; each (scenario, client) in a fresh process per round, rounds interleaved (order rotated each round); medians. ` +
    `"vs best peer": ops/s over the best other client's that can run the scenario. CPU: the client process' user+system time per operation in the measured phase. ` +
    `Peak RSS: the process' maxRSS. Spread: half the min-max range of the rounds. "cannot": the library refused the scenario's first call (its error shown).\n`)
  console.log(table(['scenario', 'client', 'ops/s', 'vs best peer', 'CPU µs/op', 'peak RSS', 'spread', 'note'], rows))
  if (failures.length > 0) console.log(`\nFailed: \n${failures.map((f) => `- ${f}`).join('\n')}`)
}

if (process.env.BENCH_CLUSTER_CHILD) await child(JSON.parse(process.env.BENCH_CLUSTER_CHILD))
else await main()
