// The demo behind `npm run demo`: the client against a throwaway redis-server (a few commands,
// then thousands auto-pipelined), then the parser alone reproducing bytes exactly in lossless
// mode. Without redis-server on this machine it runs against the built-in mock server and says so.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient, type ClientOptions } from '../src/client/index.ts'
import { createCluster, keySlot } from '../src/cluster/index.ts'
import { startThrowawayCluster } from './throwaway-cluster.ts'
import { decode, encode } from '../src/resp/index.ts'
import { createMockServer } from '../src/testing/index.ts'

async function main(): Promise<void> {
  const server = await startServer()
  console.log(server.note)
  try {
    await run(server.socket)
  } finally {
    await server.stop()
  }
  await runCluster(server.mock)
}

/** The cluster client against a throwaway 3-master, 3-replica cluster (or one mock node owning every slot). */
async function runCluster(mock: boolean): Promise<void> {
  let ports: number[]
  let stop: () => Promise<void>
  if (mock) {
    const listener = await startMockClusterNode()
    ports = [listener.port]
    stop = listener.stop
    console.log('\nThe cluster part runs against one mock node that owns every slot (install redis-server for a real cluster).')
  } else {
    const cluster = await startThrowawayCluster()
    ports = cluster.ports
    stop = cluster.stop
    console.log(`\nA throwaway Redis Cluster: 3 masters, 3 replicas on ports ${ports.join(', ')}.`)
  }
  try {
    const cluster = createCluster({ rootNodes: [{ socket: { host: '127.0.0.1', port: ports[0] } }] })
    cluster.on('error', (err) => console.error('cluster error:', err))
    await cluster.connect()
    console.log(`\ndiscovered ${cluster.masters.length} master(s), ${cluster.replicas.length} replica(s):\n`)
    const keys = ['user:1', 'user:2', 'user:3', '{user:1}.cart']
    await cluster.mSet(Object.fromEntries(keys.map((k, i) => [k, `v${i + 1}`])))
    for (const key of keys) console.log(`  ${`slot of ${key}`.padEnd(28)} → ${keySlot(key)}`)
    console.log(`  ${'mGet across slots'.padEnd(28)} → ${JSON.stringify(await cluster.mGet(keys))}`)
    const results = await cluster.pipeline().incr('hits:a').incr('hits:b').incr('hits:c').get('user:2').exec()
    console.log(`  ${'pipeline over nodes'.padEnd(28)} → ${JSON.stringify(results)}`)
    console.log(`  ${'dbSize summed over masters'.padEnd(28)} → ${await cluster.dbSize()}`)
    await cluster.close()
  } finally {
    await stop()
  }
}

async function run(socket: ClientOptions['socket']): Promise<void> {
  const client = createClient({ socket })
  client.on('error', (err) => console.error('client error:', err))
  await client.connect()
  console.log(`
connected over RESP${client.RESP}:
`)

  const show = async (label: string, call: Promise<unknown>): Promise<void> => {
    let out: string
    try {
      out = format(await call)
    } catch (err) {
      out = `${(err as Error).name} ${(err as Error).message}`
    }
    console.log(`  ${label.padEnd(56)} → ${out}`)
  }
  await show(`set('greeting', 'héllo, wörld')`, client.set('greeting', 'héllo, wörld'))
  await show(`get('greeting')`, client.get('greeting'))
  await show(`hSet('user:1', { name: 'Ada', lang: 'TypeScript' })`, client.hSet('user:1', { name: 'Ada', lang: 'TypeScript' }))
  await show(`hGetAll('user:1')`, client.hGetAll('user:1'))
  await show(`sendCommand(['INCRBY', 'big', 9007199254740993n])`, client.sendCommand(['INCRBY', 'big', 9007199254740993n]))
  await show(`lPush('greeting', 'x')`, client.lPush('greeting', 'x'))

  // Commands issued in the same tick go out together, in one write: no pipeline API needed.
  const n = 10_000
  const started = performance.now()
  const replies = await Promise.all(Array.from({ length: n }, () => client.incr('counter')))
  const ms = performance.now() - started
  console.log(`
  ${n} × incr('counter') issued at once, auto-pipelined: last reply ${replies[n - 1]} after ${ms.toFixed(1)} ms`)
  await show(`del(['greeting', 'user:1', 'big', 'counter'])`, client.del(['greeting', 'user:1', 'big', 'counter']))
  await client.close()

  // The parser alone: lossless mode gives a tagged tree that encodes back to the very same bytes.
  const wire = new TextEncoder().encode('%2\r\n+first\r\n:1\r\n$6\r\nsecond\r\n,3.50\r\n')
  const tree = decode(wire, { mode: 'lossless' })
  const again = encode(tree)
  const same = again.length === wire.length && again.every((b, i) => b === wire[i])
  console.log(`
lossless: ${JSON.stringify(new TextDecoder().decode(wire))} → tree → ${same ? 'the same bytes' : 'DIFFERENT bytes'}`)
}

function format(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`
  return JSON.stringify(value)
}

interface DemoServer {
  note: string
  mock: boolean
  socket: ClientOptions['socket']
  stop(): Promise<void>
}

async function startServer(): Promise<DemoServer> {
  if (spawnSync('redis-server', ['--version']).status !== 0) return startMock()
  // A Unix socket in a fresh folder: no port to collide with, nothing reachable from outside.
  const dir = mkdtempSync(join(tmpdir(), 'respkit-demo-'))
  const path = join(dir, 'redis.sock')
  const child: ChildProcess = spawn('redis-server', ['--port', '0', '--unixsocket', path, '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' })
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
    rmSync(dir, { recursive: true, force: true })
  }
  for (let i = 0; i < 100 && !existsSync(path); i++) {
    if (child.exitCode !== null) break
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  if (!existsSync(path)) {
    await stop()
    return startMock('redis-server did not start')
  }
  const version = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout.trim().split(' ')[2]
  return { note: `A throwaway redis-server (${version}, pid ${child.pid}) on ${path}.`, mock: false, socket: { path }, stop }
}

/** One mock node that says it owns all 16384 slots, with just enough of Redis for the cluster part. */
async function startMockClusterNode(): Promise<{ port: number; stop(): Promise<void> }> {
  const data = new Map<string, string>()
  let port = 0
  const mock = createMockServer(({ name, args }) => {
    switch (name) {
      case 'CLUSTER':
        return args[0]?.toUpperCase() === 'SHARDS'
          ? [new Map<string, unknown>([['slots', [0, 16383]], ['nodes', [new Map<string, unknown>([['id', 'mock'], ['port', port], ['ip', '127.0.0.1'], ['endpoint', '127.0.0.1'], ['role', 'master'], ['health', 'online']])]]])]
          : new Error('ERR unknown subcommand')
      case 'MSET':
        for (let i = 0; i < args.length; i += 2) data.set(args[i], args[i + 1])
        return 'OK'
      case 'MGET': return args.map((k) => data.get(k) ?? null)
      case 'GET': return data.get(args[0]) ?? null
      case 'INCR': {
        const next = Number(data.get(args[0]) ?? 0) + 1
        data.set(args[0], String(next))
        return next
      }
      case 'DBSIZE': return data.size
    }
  })
  const listener = await mock.listen({ host: '127.0.0.1', port: 0 })
  port = listener.port!
  return { port, stop: () => listener.close() }
}

async function startMock(why = 'redis-server is not installed'): Promise<DemoServer> {
  // Just enough of Redis for the commands above.
  const data = new Map<string, string | bigint | Map<string, string>>()
  const wrongType = new Error('WRONGTYPE Operation against a key holding the wrong kind of value')
  const mock = createMockServer(({ name, args: [key, ...rest] }) => {
    const value = data.get(key)
    switch (name) {
      case 'SET': data.set(key, rest[0]); return 'OK'
      case 'GET': return value === undefined ? null : typeof value === 'string' ? value : wrongType
      case 'HSET': {
        const hash = value instanceof Map ? value : new Map<string, string>()
        const before = hash.size
        for (let i = 0; i < rest.length; i += 2) hash.set(rest[i], rest[i + 1])
        data.set(key, hash)
        return hash.size - before
      }
      case 'HGETALL': return value instanceof Map ? value : new Map()
      case 'INCR':
      case 'INCRBY': {
        const next = (typeof value === 'bigint' ? value : 0n) + BigInt(rest[0] ?? 1)
        data.set(key, next)
        return next
      }
      case 'LPUSH': return value === undefined ? 1 : wrongType
      case 'DEL': return [key, ...rest].filter((k) => data.delete(k)).length
    }
  })
  const listener = await mock.listen({ host: '127.0.0.1', port: 0 })
  return {
    mock: true,
    note: `${why}: running against the built-in mock server instead (install redis-server for the real thing).`,
    socket: { host: '127.0.0.1', port: listener.port },
    stop: () => listener.close(),
  }
}

await main()
