// An IPv6 cluster on ::1, formed with `redis-cli --cluster create ::1:port ...` so the nodes
// announce ::1: discovery from a [::1] root, routing over every master, a MOVED naming an IPv6
// address ("MOVED <slot> ::1:port", no brackets) followed, sendToNode('[::1]:port'); and
// nodeAddressMap pointing the announced [::1] addresses at 127.0.0.1 (the nodes listen on
// both); and hostname endpoints (cluster-preferred-endpoint-type hostname). If redis-cli cannot
// form an IPv6 cluster here, the test says so and runs the same checks on a 127.0.0.1 cluster
// reached through ::1 by nodeAddressMap.

import assert from 'node:assert/strict'
import { after, before, test } from '../support/runtime.ts'
import { startCluster, type TestCluster } from '../support/cluster.ts'
import { createCluster, keySlot, type NodeAddressMap, type RedisCluster } from '../../src/cluster/index.ts'
import { ReplyError } from '../../src/resp/index.ts'
import { ownersBySlot, waitFor } from './helpers.ts'

let tc: TestCluster
/** How to reach the nodes over ::1: undefined when they announce ::1 themselves. */
let viaMap: NodeAddressMap | undefined

before(async () => {
  try {
    tc = await startCluster({ announceIpv6: true, replicas: 0 })
  } catch (err) {
    // Only redis-cli's own failure to form the cluster leads to the fallback; anything else fails the file.
    if (!/^redis-cli /.test((err as Error).message)) throw err
    console.log(`redis-cli could not form an IPv6 cluster on ::1 (${(err as Error).message.split('\n')[0]}); testing a 127.0.0.1 cluster whose nodes are reached through ::1 by nodeAddressMap instead`)
    tc = await startCluster({ ipv6: true, replicas: 0 })
    viaMap = (address) => (address.startsWith('127.0.0.1:') ? { host: '::1', port: Number(address.slice(10)) } : undefined)
  }
}, { timeout: 60_000 })

after(async () => {
  await tc?.stop()
})

async function open(extra: { nodeAddressMap?: NodeAddressMap } = {}): Promise<RedisCluster> {
  const port = tc.nodes[0].port
  const cluster = createCluster({ rootNodes: [{ url: `redis://[::1]:${port}` }], nodeAddressMap: viaMap, ...extra })
  cluster.on('error', () => {})
  return cluster.connect()
}

test('discovery, routing and per-node commands over ::1', async () => {
  const cluster = await open()
  try {
    assert.deepEqual(cluster.masters.map((m) => m.host), ['::1', '::1', '::1'])
    assert.ok(cluster.masters.every((m) => m.address === `[::1]:${m.port}`))
    const keys = Array.from({ length: 600 }, (_, i) => `v6:${i}`)
    await Promise.all(keys.map((k) => cluster.set(k, k)))
    assert.deepEqual(await cluster.mGet(keys), keys)
    const admin = await tc.admin(0)
    const owners = await ownersBySlot(admin)
    admin.destroy()
    const ports = (k: string) => owners[keySlot(k)].slice(owners[keySlot(k)].lastIndexOf(':') + 1)
    for (const k of keys.slice(0, 50)) assert.equal(await cluster.sendToNode(`[::1]:${ports(k)}`, ['GET', k]), k)
  } finally {
    await cluster.close()
  }
})

test('a MOVED naming an IPv6 address is followed', async () => {
  const cluster = await open()
  try {
    // Move an empty slot to another master behind the client's back.
    let key = ''
    for (let i = 0; ; i++) if (await cluster.exists(`v6moved:${i}`) === 0) { key = `v6moved:${i}`; break }
    const slot = keySlot(key)
    const owner = cluster.masters.find((m) => cluster.shards.some((s) => s.master === m && s.slots.some(([a, b]) => slot >= a && slot <= b)))!
    const target = cluster.masters.find((m) => m.address !== owner.address)!
    const targetId = String(await cluster.sendToNode(target, ['CLUSTER', 'MYID']))
    for (const m of cluster.masters) assert.equal(await cluster.sendToNode(m, ['CLUSTER', 'SETSLOT', slot, 'NODE', targetId]), 'OK')
    const moved = await cluster.sendToNode(owner, ['SET', key, 'x']).then(() => undefined, (e: unknown) => e)
    assert.ok(moved instanceof ReplyError && moved.code === 'MOVED', String(moved))
    console.log(`the server's redirect: ${moved.message}`)
    const before = cluster.refreshCount
    assert.equal(await cluster.set(key, 'followed'), 'OK')
    assert.equal(await cluster.sendToNode(target, ['GET', key]), 'followed')
    await waitFor('a refresh after MOVED', () => cluster.refreshCount > before, 3_000)
  } finally {
    await cluster.close()
  }
})

test('nodeAddressMap points the announced addresses at 127.0.0.1', async () => {
  const toV4: NodeAddressMap = (address) => {
    const port = Number(address.slice(address.lastIndexOf(':') + 1))
    return { host: '127.0.0.1', port }
  }
  const cluster = await open({ nodeAddressMap: toV4 })
  try {
    assert.deepEqual(cluster.masters.map((m) => m.host), ['127.0.0.1', '127.0.0.1', '127.0.0.1'])
    const keys = Array.from({ length: 200 }, (_, i) => `v6map:${i}`)
    await cluster.mSet(keys.flatMap((k) => [k, 'm']))
    assert.equal(await cluster.exists(keys), 200)
  } finally {
    await cluster.close()
  }
})

test('hostname endpoints (cluster-preferred-endpoint-type hostname): discovery, routing and MOVED by name', async () => {
  const admins = await Promise.all(tc.nodes.map((_, i) => tc.admin(i)))
  try {
    for (const a of admins) {
      assert.equal(await a.sendCommand(['CONFIG', 'SET', 'cluster-announce-hostname', 'localhost']), 'OK')
      assert.equal(await a.sendCommand(['CONFIG', 'SET', 'cluster-preferred-endpoint-type', 'hostname']), 'OK')
    }
    // Hostnames travel by gossip: wait until every node names every node by it.
    await waitFor('every node to announce its hostname', async () => {
      for (const a of admins) {
        const text = JSON.stringify(await a.sendCommand(['CLUSTER', 'SHARDS']))
        if ((text.match(/"endpoint","localhost"/g) ?? []).length !== tc.nodes.length) return false
      }
      return true
    }, 10_000, 50)
    const cluster = createCluster({ rootNodes: [{ url: `redis://localhost:${tc.nodes[1].port}` }] })
    cluster.on('error', () => {})
    await cluster.connect()
    try {
      assert.deepEqual(cluster.masters.map((m) => m.host), ['localhost', 'localhost', 'localhost'])
      const keys = Array.from({ length: 300 }, (_, i) => `host:${i}`)
      assert.equal(await cluster.mSet(keys.flatMap((k) => [k, k])), 'OK')
      assert.deepEqual(await cluster.mGet(keys), keys)
      // A MOVED that names a host: "MOVED <slot> localhost:<port>".
      const key = keys[0]
      const slot = keySlot(key)
      const owner = cluster.masters.find((m) => cluster.shards.some((s) => s.master === m && s.slots.some(([a, b]) => slot >= a && slot <= b)))!
      const other = cluster.masters.find((m) => m.address !== owner.address)!
      const redirect = await cluster.sendToNode(other, ['GET', key]).then(() => undefined, (e: unknown) => e)
      assert.ok(redirect instanceof ReplyError && redirect.message === `MOVED ${slot} localhost:${owner.port}`, String(redirect))
    } finally {
      await cluster.close()
    }
  } finally {
    for (const a of admins) {
      await a.sendCommand(['CONFIG', 'SET', 'cluster-preferred-endpoint-type', 'ip']).catch(() => undefined)
      a.destroy()
    }
  }
})
