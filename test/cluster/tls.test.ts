// A TLS cluster (tls-cluster, tls-replication; formed over the TLS ports): the client reads each
// node's `tls-port` from CLUSTER SHARDS and reaches every master over TLS with the CA in
// `defaults`; a root given as rediss:// works too; a wrong CA fails discovery with a TLS reason.

import assert from 'node:assert/strict'
import { after, before, test } from '../support/runtime.ts'
import { startCluster, type TestCluster } from '../support/cluster.ts'
import { createCluster, ClusterDiscoveryError, keySlot } from '../../src/cluster/index.ts'
import { ownersBySlot } from './helpers.ts'

let tc: TestCluster

before(async () => {
  tc = await startCluster({ tls: true, replicas: 0 })
}, { timeout: 60_000 })

after(async () => {
  await tc?.stop()
})

test('every master over TLS, found through CLUSTER SHARDS tls-port', async () => {
  const certs = tc.nodes[0].certs!
  const tlsPorts = tc.nodes.map((n) => n.tlsPort)
  const cluster = createCluster({ rootNodes: [{ socket: { host: '127.0.0.1', port: tc.nodes[1].tlsPort } }], defaults: { socket: { tls: true, ca: certs.ca } } })
  cluster.on('error', () => {})
  await cluster.connect()
  try {
    assert.deepEqual(cluster.masters.map((m) => m.port).sort(), [...tlsPorts].sort(), 'masters are not on their TLS ports')
    const keys = Array.from({ length: 500 }, (_, i) => `tls:${i}`)
    await Promise.all(keys.map((k) => cluster.set(k, k)))
    assert.deepEqual(await cluster.mGet(keys), keys)
    // Each key on its owner (CLUSTER SLOTS over plain TCP names the plain port), read over that node's TLS port.
    const admin = await tc.admin(0)
    const owners = await ownersBySlot(admin)
    admin.destroy()
    const tlsOf = (owner: string) => tc.nodes.find((n) => owner.endsWith(`:${n.port}`))!.tlsPort
    assert.equal(new Set(keys.map((k) => owners[keySlot(k)])).size, 3)
    for (const k of keys.slice(0, 60)) assert.equal(await cluster.sendToNode(`127.0.0.1:${tlsOf(owners[keySlot(k)])}`, ['GET', k]), k)
  } finally {
    await cluster.close()
  }
})

test('a rediss:// root with the CA in defaults', async () => {
  const cluster = createCluster({ rootNodes: [{ url: `rediss://127.0.0.1:${tc.nodes[2].tlsPort}` }], defaults: { socket: { tls: true, ca: tc.nodes[0].certs!.ca } } })
  cluster.on('error', () => {})
  await cluster.connect()
  try {
    assert.equal(await cluster.set('tls:url', 'x'), 'OK')
    assert.equal(await cluster.sendCommand(['DBSIZE']) as number > 0, true)
  } finally {
    await cluster.close()
  }
})

test('a wrong CA: ClusterDiscoveryError with the TLS reason, at once', async () => {
  const cluster = createCluster({ rootNodes: [{ socket: { host: '127.0.0.1', port: tc.nodes[0].tlsPort } }], defaults: { socket: { tls: true, ca: tc.nodes[0].certs!.otherCa } } })
  cluster.on('error', () => {})
  const started = Date.now()
  const error = await cluster.connect().then(() => undefined, (e: unknown) => e)
  assert.ok(error instanceof ClusterDiscoveryError, String(error))
  assert.match(String(error.failures[0].error.name) + error.failures[0].error.message, /tls|certificate/i)
  assert.ok(Date.now() - started < 3_000)
  cluster.destroy()
})
