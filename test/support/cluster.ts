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
import { keySlot } from '../../src/cluster/slot.ts'
import { join } from 'node:path'
import { ensureCommand, testCerts } from './certs.ts'
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
  /** Form the cluster over ::1 (`redis-cli --cluster create ::1:port ...`): nodes announce ::1. Implies `ipv6`. */
  announceIpv6?: boolean
  /**
   * A TLS cluster: each node also listens with TLS (certs from certs.ts), the cluster bus and
   * replication use TLS (tls-cluster, tls-replication; the bus always asks for a client
   * certificate, so nodes show the test client certificate), and the cluster is formed over the
   * TLS ports. The plain port stays open for the harness's own checks.
   */
  tls?: boolean
  /** Extra configuration for every node. */
  config?: Readonly<Record<string, string>>
}

export interface TestCluster {
  readonly nodes: readonly RedisServer[]
  /** `host:port` of each node (`[::1]:port` with `announceIpv6`; the TLS port with `tls`). */
  readonly addresses: readonly string[]
  /** A plain client to one node (for checks: CLUSTER NODES, KEYSLOT...). */
  admin(index?: number): Promise<RedisClient>
  /** Waits until every running node reports cluster_state:ok and agrees on the slot owners. */
  waitHealthy(timeoutMs?: number): Promise<void>
  /**
   * Writes a key to every master, then waits until CLUSTER SHARDS reports every replica
   * `online`: Redis 7.0 reports a replica that has seen no replication traffic yet as `loading`.
   */
  waitReplicasOnline(timeoutMs?: number): Promise<void>
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
  const certs = options.tls ? await testCerts() : undefined
  const config: Record<string, string> = {
    'cluster-enabled': 'yes',
    'cluster-config-file': 'nodes.conf',
    'cluster-node-timeout': String(options.nodeTimeout ?? 1000),
    // A replica may take over at once: tests kill masters on purpose.
    'cluster-replica-validity-factor': '0',
    'cluster-require-full-coverage': 'yes',
    ...(options.password !== undefined ? { masterauth: options.password } : {}),
    ...(certs !== undefined ? {
      'tls-cluster': 'yes',
      'tls-replication': 'yes',
      'tls-client-cert-file': join(certs.dir, 'client.crt'),
      'tls-client-key-file': join(certs.dir, 'client.key'),
    } : {}),
    ...options.config,
  }
  const nodeOptions: RedisOptions = { config, password: options.password, ipv6: options.ipv6 || options.announceIpv6, tls: options.tls }
  const nodes: RedisServer[] = []
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((n) => n.stop()))
  }
  try {
    for (let i = 0; i < total; i++) nodes.push(await startRedis(nodeOptions))
    const host = options.announceIpv6 ? '::1' : '127.0.0.1'
    const addresses = nodes.map((n) => {
      const port = options.tls ? n.tlsPort! : n.port
      return options.announceIpv6 ? `[::1]:${port}` : `127.0.0.1:${port}`
    })
    const auth = options.password !== undefined ? ['-a', options.password, '--no-auth-warning'] : []
    // A TLS cluster is formed over the TLS ports: with tls-cluster the bus is on tls-port + 10000.
    // redis-cli takes the port after the last colon, so `::1:port` is how it wants IPv6.
    const tls = options.tls ? ['--tls', '--cacert', nodes[0].certs!.caPath] : []
    await run('redis-cli', [...auth, ...tls, '--cluster', 'create', ...nodes.map((n) => `${host}:${options.tls ? n.tlsPort : n.port}`), '--cluster-replicas', String(replicas), '--cluster-yes'], 60_000)
    const cluster: TestCluster = {
      nodes,
      addresses,
      admin: (index = 0) => createClient({ socket: { port: nodes[index].port }, password: options.password, RESP: 2 }).connect(),
      waitHealthy: (timeoutMs = 30_000) => waitHealthy(nodes, options.password, timeoutMs),
      waitReplicasOnline: (timeoutMs = 30_000) => waitReplicasOnline(nodes, options.password, timeoutMs),
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

/** Polls CLUSTER SHARDS until every replica is `online` (after a write to each master, so they have an offset). */
async function waitReplicasOnline(nodes: readonly RedisServer[], password: string | undefined, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  // Nodes a test killed are left out (and their `fail` health accepted below).
  const settled = await Promise.allSettled(nodes.map((n) => createClient({ socket: { port: n.port, reconnectStrategy: false }, password, RESP: 2 }).connect()))
  const clients = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
  const live = nodes.filter((_, i) => settled[i].status === 'fulfilled')
  let last = 'no check yet'
  try {
    for (const client of clients) {
      if (String(await client.sendCommand(['ROLE']).then((r) => (r as unknown[])[0])) !== 'master') continue
      const myself = String(await client.sendCommand(['CLUSTER', 'MYID']))
      const slots = (await client.sendCommand(['CLUSTER', 'SLOTS'])) as Array<[number, number, [string, number, string]]>
      const mine = slots.find((range) => range[2][2] === myself)
      if (mine === undefined) continue
      // A key in this master's first slot: any write gives its replicas a replication offset.
      await client.sendCommand(['SET', keyInSlot(mine[0]), 'harness'])
    }
    for (let attempt = 0; attempt < 10_000 && Date.now() < deadline; attempt++) {
      // Each node has its own view (offsets travel by gossip): every one must agree.
      let ok = true
      for (const [index, client] of clients.entries()) {
        const shards = (await client.sendCommand(['CLUSTER', 'SHARDS'])) as unknown[][]
        const health = shards.flatMap((shard) => (shard[3] as unknown[][]).map((node) => {
          const fields = new Map<string, unknown>()
          for (let i = 0; i + 1 < node.length; i += 2) fields.set(String(node[i]), node[i + 1])
          return `${fields.get('port')} ${fields.get('role')} ${fields.get('health')}`
        }))
        if (health.every((h) => h.endsWith(' online') || h.endsWith(' fail'))) continue
        ok = false
        last = `node ${live[index].port} sees ${health.join(', ')}`
        break
      }
      if (ok) return
      // Paces the polling; what we wait for is the cluster's own report above.
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    throw new Error(`replicas not online within ${timeoutMs} ms: ${last}`)
  } finally {
    for (const c of clients) c.destroy()
  }
}

/** A key in `slot`, by the client's keySlot (test/cluster checks it against CLUSTER KEYSLOT). */
function keyInSlot(slot: number): string {
  for (let i = 0; i < 1_000_000; i++) if (keySlot(`harness:${i}`) === slot) return `harness:${i}`
  throw new Error(`no key found for slot ${slot}`)
}
