// A real Redis Cluster for tests: six redis-server processes (three masters, three replicas) on
// free loopback ports, joined with `redis-cli --cluster create`, each stopped by its own pid.
//
//   const cluster = await startCluster()
//   ... connect to cluster.nodes[0].port ...
//   await cluster.stop()
//
// It waits until every node says cluster_state:ok and all agree on the slot owners. A test that
// needs a cluster and cannot get one fails: startCluster throws, it never skips.

import { spawn } from 'node:child_process'
import { createClient, type RedisClient } from '../../src/client/index.ts'
import { ensureCommand } from './certs.ts'
import { startRedis, type RedisOptions, type RedisServer } from './redis.ts'

export interface ClusterOptions {
  /** Masters (each with `replicas` replicas). Default 3. */
  masters?: number
  /** Replicas per master. Default 1. */
  replicas?: number
  /** cluster-node-timeout in ms: how fast a dead master is failed over. Default 1000. */
  nodeTimeout?: number
  /** requirepass and masterauth on every node. */
  password?: string
  /** Listen on ::1 too (nodes still announce 127.0.0.1 unless `announceIpv6`). */
  ipv6?: boolean
  /** Extra configuration for every node. */
  config?: Readonly<Record<string, string>>
}

export interface TestCluster {
  readonly nodes: readonly RedisServer[]
  /** `host:port` of each node. */
  readonly addresses: readonly string[]
  /** A plain client to one node (for checks: CLUSTER NODES, KEYSLOT...). */
  admin(index?: number): Promise<RedisClient>
  /** Waits until every running node reports cluster_state:ok and agrees on the slot owners. */
  waitHealthy(timeoutMs?: number): Promise<void>
  stop(): Promise<void>
}

function run(command: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString()))
    child.stderr.on('data', (c: Buffer) => (out += c.toString()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${command} ${args.join(' ')} took over ${timeoutMs} ms:\n${out}`))
    }, timeoutMs)
    child.once('exit', (code) => {
      clearTimeout(timer)
      if (code === 0) resolve(out)
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${out}`))
    })
  })
}

export async function startCluster(options: ClusterOptions = {}): Promise<TestCluster> {
  ensureCommand('redis-cli', ['redis-tools'])
  const masters = options.masters ?? 3
  const replicas = options.replicas ?? 1
  const total = masters * (1 + replicas)
  const config: Record<string, string> = {
    'cluster-enabled': 'yes',
    'cluster-config-file': 'nodes.conf',
    'cluster-node-timeout': String(options.nodeTimeout ?? 1000),
    // A replica may take over at once: tests kill masters on purpose.
    'cluster-replica-validity-factor': '0',
    'cluster-require-full-coverage': 'yes',
    ...(options.password !== undefined ? { masterauth: options.password } : {}),
    ...options.config,
  }
  const nodeOptions: RedisOptions = { config, password: options.password, ipv6: options.ipv6 }
  const nodes: RedisServer[] = []
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((n) => n.stop()))
  }
  try {
    for (let i = 0; i < total; i++) nodes.push(await startRedis(nodeOptions))
    const addresses = nodes.map((n) => `127.0.0.1:${n.port}`)
    const auth = options.password !== undefined ? ['-a', options.password, '--no-auth-warning'] : []
    await run('redis-cli', [...auth, '--cluster', 'create', ...addresses, '--cluster-replicas', String(replicas), '--cluster-yes'], 60_000)
    const cluster: TestCluster = {
      nodes,
      addresses,
      admin: (index = 0) => createClient({ socket: { port: nodes[index].port }, password: options.password, RESP: 2 }).connect(),
      waitHealthy: (timeoutMs = 30_000) => waitHealthy(nodes, options.password, timeoutMs),
      stop,
    }
    await cluster.waitHealthy()
    return cluster
  } catch (err) {
    await stop()
    throw err
  }
}

async function waitHealthy(nodes: readonly RedisServer[], password: string | undefined, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = 'no check yet'
  const clients = new Map<RedisServer, RedisClient>()
  try {
    for (let attempt = 0; attempt < 10_000 && Date.now() < deadline; attempt++) {
      try {
        const views = new Set<string>()
        let ok = true
        for (const node of nodes) {
          let client = clients.get(node)
          if (client === undefined) {
            client = await createClient({ socket: { port: node.port, reconnectStrategy: false, connectTimeout: 1000 }, password, RESP: 2 }).connect()
            client.on('error', () => {})
            clients.set(node, client)
          }
          const info = String(await client.sendCommand(['CLUSTER', 'INFO'], { timeout: 2000 }))
          if (!info.includes('cluster_state:ok')) {
            ok = false
            last = `node ${node.port}: ${info.split('\r\n')[0]}`
            break
          }
          // Owners of the slots as this node sees them, by master port.
          const slots = (await client.sendCommand(['CLUSTER', 'SLOTS'], { timeout: 2000 })) as Array<[number, number, [string, number]]>
          views.add(slots.map(([from, to, master]) => `${from}-${to}@${master[1]}`).sort().join(','))
        }
        if (ok && views.size === 1) return
        if (ok) last = `nodes disagree on the slots: ${[...views].join(' | ')}`
      } catch (err) {
        last = (err as Error).message
      }
      // Paces the polling; what we wait for is the cluster's own report above.
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    throw new Error(`the test cluster did not become healthy within ${timeoutMs} ms: ${last}`)
  } finally {
    for (const c of clients.values()) c.destroy()
  }
}
