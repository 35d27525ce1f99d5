// A throwaway Redis Cluster for the demo: three masters and three replicas on free loopback
// ports in a temporary folder, joined with `redis-cli --cluster create`, stopped with the demo.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface ThrowawayCluster {
  ports: number[]
  stop(): Promise<void>
}

/** A port nothing listens on now, whose cluster-bus port (port + 10000) is free too. */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer()
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number }
        server.close(() => resolve(port))
      })
    })
    if (port + 10000 > 65535) continue
    const busFree = await new Promise<boolean>((resolve) => {
      const server = createServer()
      server.once('error', () => resolve(false))
      server.listen(port + 10000, '127.0.0.1', () => server.close(() => resolve(true)))
    })
    if (busFree) return port
  }
  throw new Error('no free port pair for a cluster node')
}

export async function startThrowawayCluster(): Promise<ThrowawayCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'respkit-demo-cluster-'))
  const children: ChildProcess[] = []
  const stop = async (): Promise<void> => {
    await Promise.all(children.map((child) => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      child.once('exit', () => resolve())
      child.kill('SIGKILL')
    })))
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    const ports: number[] = []
    for (let i = 0; i < 6; i++) {
      const port = await freePort()
      ports.push(port)
      const nodeDir = join(dir, String(port))
      spawnSync('mkdir', ['-p', nodeDir])
      children.push(spawn('redis-server', [
        '--port', String(port), '--bind', '127.0.0.1', '--dir', nodeDir, '--save', '', '--appendonly', 'no',
        '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000',
      ], { stdio: 'ignore' }))
    }
    for (const port of ports) {
      // Wait for each node to answer before joining them (bounded).
      for (let i = 0; i < 100; i++) {
        if (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG') break
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }
    const created = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes'], { encoding: 'utf8', timeout: 60_000 })
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`)
    // Ready when every node says cluster_state:ok and sees the three replicas as replicas.
    for (let i = 0; i < 300; i++) {
      const ready = ports.every((p) => {
        const info = spawnSync('redis-cli', ['-p', String(p), 'cluster', 'info'], { encoding: 'utf8' }).stdout
        const nodes = spawnSync('redis-cli', ['-p', String(p), 'cluster', 'nodes'], { encoding: 'utf8' }).stdout
        const replicas = nodes.split('\n').filter((line) => (line.split(' ')[2] ?? '').split(',').includes('slave'))
        return info.includes('cluster_state:ok') && replicas.length === 3
      })
      if (ready) return { ports, stop }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    throw new Error('the demo cluster did not become ready (cluster_state:ok and three replicas, seen from every node)')
  } catch (err) {
    await stop()
    throw err
  }
}
