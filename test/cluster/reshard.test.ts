// Resharding a slot under load on a real cluster: CLUSTER SETSLOT IMPORTING/MIGRATING, MIGRATE
// of its keys in batches while workers INCR keys of that slot (existing and new), run MGETs on
// it and send pipelines through it, then SETSLOT NODE on every master. The servers produce real
// ASK, TRYAGAIN and MOVED replies (counted by their own INFO errorstats and commandstats); no
// user command may fail, and every counter must end exactly at the number of INCRs that
// succeeded (nothing lost, nothing run twice). A shard channel of that slot follows it.

import assert from 'node:assert/strict'
import { after, before, test } from '../support/runtime.ts'
import { startCluster, type TestCluster } from '../support/cluster.ts'
import { createCluster, keySlot, type RedisCluster } from '../../src/cluster/index.ts'
import { commandCalls, errorCount, prng, waitFor } from './helpers.ts'

let tc: TestCluster
let cluster: RedisCluster

before(async () => {
  tc = await startCluster({ replicas: 0 })
  cluster = createCluster({ rootNodes: [{ url: `redis://${tc.addresses[0]}` }] })
  cluster.on('error', () => {})
  await cluster.connect()
}, { timeout: 60_000 })

after(async () => {
  await cluster?.close()
  await tc?.stop()
})

test('a slot migrated under load: real ASK, TRYAGAIN and MOVED, no failed command, exact counters', async () => {
  const slot = keySlot('{mig}')
  const keys = Array.from({ length: 300 }, (_, i) => `{mig}:${i}`)
  const source = cluster.shards.find((s) => s.slots.some(([a, b]) => slot >= a && slot <= b))!.master
  const target = cluster.masters.find((m) => m.address !== source.address)!
  const others = cluster.masters.filter((m) => m.address !== source.address && m.address !== target.address)
  const sourceId = String(await cluster.sendToNode(source, ['CLUSTER', 'MYID']))
  const targetId = String(await cluster.sendToNode(target, ['CLUSTER', 'MYID']))
  // A shard channel in the migrating slot: its subscription must follow the slot.
  const received: string[] = []
  await cluster.sSubscribe('news{mig}', (m) => { received.push(m) })
  // Half the keys exist before the migration starts; the rest are made during it (ASK for writes).
  const expected = new Map<string, number>()
  for (const key of keys.slice(0, 150)) { await cluster.incr(key); expected.set(key, 1) }
  const before = {
    ask: await errorCount(cluster, source.address, 'ASK'),
    moved: await errorCount(cluster, source.address, 'MOVED'),
    tryagain: await errorCount(cluster, source.address, 'TRYAGAIN') + await errorCount(cluster, target.address, 'TRYAGAIN'),
    asking: await commandCalls(cluster, target.address, 'asking'),
    refreshes: cluster.refreshCount,
  }

  let running = true
  let ops = 0
  const failures: unknown[] = []
  const bump = (key: string) => expected.set(key, (expected.get(key) ?? 0) + 1)
  const worker = async (seed: number) => {
    const rand = prng(seed)
    while (running) {
      const key = keys[rand(keys.length)]
      try {
        await cluster.incr(key)
        bump(key)
        // A key of another slot keeps working throughout.
        await cluster.get(`other:${rand(1000)}`)
      } catch (err) {
        failures.push(err)
      }
      ops++
    }
  }
  const multiKey = async () => {
    while (running) {
      try {
        const got = (await cluster.sendCommand(['MGET', keys[0], keys[1], keys[200]])) as unknown[]
        assert.equal(got.length, 3)
      } catch (err) {
        failures.push(err)
      }
      ops++
    }
  }
  const pipelines = async (seed: number) => {
    const rand = prng(seed)
    while (running) {
      const batch = Array.from({ length: 10 }, () => keys[rand(keys.length)])
      const pipe = cluster.pipeline()
      for (const key of batch) pipe.incr(key).get(`other:${rand(1000)}`)
      const replies = await pipe.exec()
      replies.forEach((reply, i) => {
        if (reply instanceof Error) failures.push(reply)
        else if (i % 2 === 0) bump(batch[i / 2])
      })
      ops++
    }
  }
  const load = Promise.all([worker(1), worker(2), worker(3), worker(4), multiKey(), pipelines(5), pipelines(6)])
  const progress = async (n: number) => {
    const goal = ops + n
    await waitFor(`${n} more operations`, () => ops >= goal || failures.length > 0, 20_000, 1)
  }

  try {
    await progress(100)
    assert.equal(await cluster.sendToNode(target, ['CLUSTER', 'SETSLOT', slot, 'IMPORTING', sourceId]), 'OK')
    assert.equal(await cluster.sendToNode(source, ['CLUSTER', 'SETSLOT', slot, 'MIGRATING', targetId]), 'OK')
    let moved = 0
    for (let round = 0; round < 1000; round++) {
      await progress(40)
      const batch = (await cluster.sendToNode(source, ['CLUSTER', 'GETKEYSINSLOT', slot, 10])) as string[]
      if (batch.length === 0) break
      assert.equal(await cluster.sendToNode(source, ['MIGRATE', target.host, target.port, '', 0, 5000, 'KEYS', ...batch]), 'OK')
      moved += batch.length
    }
    await progress(100)
    for (const node of [target, source, ...others]) assert.equal(await cluster.sendToNode(node, ['CLUSTER', 'SETSLOT', slot, 'NODE', targetId]), 'OK')
    await progress(300)
    await waitFor('the client to learn the new owner', () => cluster.shards.some((s) => s.master.address === target.address && s.slots.some(([a, b]) => slot >= a && slot <= b)), 10_000)
    await progress(100)
    assert.ok(moved >= 150, `only ${moved} keys migrated`)
  } finally {
    running = false
    await load
  }

  const after = {
    ask: await errorCount(cluster, source.address, 'ASK'),
    moved: await errorCount(cluster, source.address, 'MOVED'),
    tryagain: await errorCount(cluster, source.address, 'TRYAGAIN') + await errorCount(cluster, target.address, 'TRYAGAIN'),
    asking: await commandCalls(cluster, target.address, 'asking'),
    refreshes: cluster.refreshCount,
  }
  console.log(`reshard of slot ${slot} under load: ${ops} operations, ASK ${after.ask - before.ask}, ASKING ${after.asking - before.asking}, MOVED ${after.moved - before.moved}, TRYAGAIN ${after.tryagain - before.tryagain}, refreshes ${after.refreshes - before.refreshes}, failed ${failures.length}`)
  assert.deepEqual(failures.slice(0, 3).map(String), [])
  assert.ok(after.ask > before.ask, 'the source never answered ASK')
  assert.ok(after.asking > before.asking, 'ASKING never reached the target')
  assert.ok(after.moved > before.moved, 'the source never answered MOVED')
  assert.ok(after.refreshes > before.refreshes, 'MOVED did not lead to a refresh')
  // Every INCR that succeeded ran exactly once, on whichever node held the key.
  const values = await Promise.all(keys.map((k) => cluster.sendToNode(target, ['GET', k])))
  const wrong = keys.map((k, i) => ({ k, server: values[i] === null ? 0 : Number(values[i]), client: expected.get(k) ?? 0 })).filter((x) => x.server !== x.client)
  assert.deepEqual(wrong.slice(0, 5), [])
  assert.equal(await cluster.sendToNode(source, ['CLUSTER', 'COUNTKEYSINSLOT', slot]), 0)
  // The shard subscription moved with the slot (the servers say where it is), and delivers.
  const numsub = async (node: string) => Number((await cluster.sendToNode<unknown[]>(node, ['PUBSUB', 'SHARDNUMSUB', 'news{mig}']))[1])
  await waitFor('the shard subscription on the new owner', async () => (await numsub(target.address)) === 1 && (await numsub(source.address)) === 0, 10_000, 50)
  let n = 0
  await waitFor('a shard message after the move', async () => {
    await cluster.sendCommand(['SPUBLISH', 'news{mig}', `moved-${n++}`])
    return received.some((m) => m.startsWith('moved-'))
  }, 10_000, 50)
}, { timeout: 90_000 })
