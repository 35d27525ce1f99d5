// A cluster with requirepass and masterauth (replicas sync with the password): credentials in
// `defaults` reach every node, those learned from CLUSTER SHARDS and replicas included; so do
// credentials in a root's URL when `defaults` has none; without
// them, or with a wrong one, connect() fails at once with each node's reason, and no message,
// toString or error carries the password.

import assert from 'node:assert/strict'
import { after, before, test } from '../support/runtime.ts'
import { startCluster, type TestCluster } from '../support/cluster.ts'
import { createCluster, ClusterDiscoveryError, keySlot } from '../../src/cluster/index.ts'
import { AuthenticationError } from '../../src/client/index.ts'
import { ownersBySlot, totalCalls } from './helpers.ts'

const PASSWORD = 'cl-Pw-9f3e'
let tc: TestCluster

before(async () => {
  tc = await startCluster({ password: PASSWORD })
  // Replicas reach `online` only by syncing from their master: masterauth works.
  await tc.waitReplicasOnline()
}, { timeout: 60_000 })

after(async () => {
  await tc?.stop()
})

test('credentials in defaults apply to every node, found later or replica', async () => {
  const cluster = createCluster({ rootNodes: [{ url: `redis://${tc.addresses[0]}` }], defaults: { password: PASSWORD }, useReplicas: true })
  cluster.on('error', () => {})
  await cluster.connect()
  try {
    const keys = Array.from({ length: 600 }, (_, i) => `auth:${i}`)
    await cluster.mSet(keys.flatMap((k) => [k, k]))
    const admin = await tc.admin(0)
    const owners = await ownersBySlot(admin)
    admin.destroy()
    assert.equal(new Set(keys.map((k) => owners[keySlot(k)])).size, 3, 'not every master was written')
    const replicas = cluster.replicas.map((r) => r.address)
    assert.equal(replicas.length, 3)
    const before = await totalCalls(cluster, replicas, ['mget', 'get'])
    // Reads on the replicas (opened with AUTH and READONLY); replication is asynchronous, so poll.
    for (let i = 0; i < 200; i++) {
      const got = await cluster.mGet(keys)
      if (got.every((v, j) => v === keys[j])) break
    }
    assert.deepEqual(await cluster.mGet(keys), keys)
    assert.ok((await totalCalls(cluster, replicas, ['mget', 'get'])) > before, 'no read reached a replica')
    assert.ok(!String(cluster).includes(PASSWORD))
  } finally {
    await cluster.close()
  }
})

test('credentials in a root URL (redis://:pw@host) serve every node when defaults has none', async () => {
  for (const url of [`redis://:${PASSWORD}@${tc.addresses[0]}`, `redis://default:${PASSWORD}@${tc.addresses[1]}`]) {
    const cluster = createCluster({ rootNodes: [{ url }] })
    cluster.on('error', () => {})
    await cluster.connect()
    try {
      const keys = Array.from({ length: 60 }, (_, i) => `authurl:${i}`)
      assert.equal(await cluster.mSet(keys.flatMap((k) => [k, 'u'])), 'OK')
      assert.equal(await cluster.exists(keys), 60)
      assert.ok(!String(cluster).includes(PASSWORD))
    } finally {
      await cluster.close()
    }
  }
})

test('no password or a wrong one: ClusterDiscoveryError naming each node, at once, without the secret', async () => {
  for (const defaults of [{}, { password: 'wrong-pw' }, { username: 'default', password: 'wrong-pw' }]) {
    const cluster = createCluster({ rootNodes: tc.addresses.slice(0, 2).map((a) => ({ url: `redis://${a}` })), defaults })
    cluster.on('error', () => {})
    const started = Date.now()
    const error = await cluster.connect().then(() => undefined, (e: unknown) => e)
    const took = Date.now() - started
    assert.ok(error instanceof ClusterDiscoveryError, String(error))
    assert.deepEqual(error.failures.map((f) => f.address), tc.addresses.slice(0, 2))
    for (const f of error.failures) {
      assert.ok(f.error instanceof AuthenticationError || /NOAUTH|WRONGPASS|auth/i.test(f.error.message), `${f.address}: ${f.error}`)
    }
    assert.ok(took < 3_000, `refused credentials took ${took} ms (retried?)`)
    assert.ok(!error.message.includes('wrong-pw') && !error.message.includes(PASSWORD))
    cluster.destroy()
  }
})
