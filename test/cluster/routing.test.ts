// The cluster client against a real six-node cluster (three masters, three replicas): keySlot
// against the server's own CLUSTER KEYSLOT on thousands of generated keys (hash tags, empty
// tags, unclosed braces, binary and UTF-8 keys); thousands of keys written through the cluster
// and found on the node the server says owns their slot; multi-key commands split per slot
// (order, sums, duplicates); cross-slot commands refused before anything reaches a server
// (INFO commandstats unchanged); cross-node pipelines of 1000 commands with errors in their
// slot; transactions on one slot and refused across slots; fan-out (DBSIZE, scanIterator,
// SCRIPT LOAD, FUNCTION LOAD, FLUSHALL); key positions of EVAL, XREAD STREAMS and SORT STORE;
// node clients on RESP2; and useReplicas reads counted on the replicas.

import assert from 'node:assert/strict'
import { after, before, describe, test } from '../support/runtime.ts'
import { startCluster, type TestCluster } from '../support/cluster.ts'
import { createCluster, CrossSlotError, keySlot, type RedisCluster } from '../../src/cluster/index.ts'
import { ReplyError, type CommandArgument } from '../../src/resp/index.ts'
import type { RedisClient } from '../../src/client/index.ts'
import { commandCalls, ownersBySlot, prng, totalCalls } from './helpers.ts'

let tc: TestCluster
let cluster: RedisCluster
let admin: RedisClient
let owners: string[]

const masters = (): string[] => cluster.masters.map((m) => m.address)

before(async () => {
  tc = await startCluster()
  await tc.waitReplicasOnline()
  admin = await tc.admin(0)
  owners = await ownersBySlot(admin)
  cluster = createCluster({ rootNodes: [{ url: `redis://${tc.addresses[1]}` }, { socket: { host: '127.0.0.1', port: tc.nodes[0].port } }] })
  cluster.on('error', () => {})
  await cluster.connect()
}, { timeout: 60_000 })

after(async () => {
  await cluster?.close()
  admin?.destroy()
  await tc?.stop()
})

/** Keys of every awkward shape, deterministic. */
function generatedKeys(): CommandArgument[] {
  const rand = prng(0xc105)
  const alphabet = 'ab{}{}:x_1'
  const keys: CommandArgument[] = [
    '', '{', '}', '{}', '{}{}', '{}x', 'x{}', '{}{a}', '{a}{b}', '{{a}}', '{a', 'a}', '}a{', '}{a}', 'a{b}c{d}e', '{ab}',
    'foo{}{bar}', 'foo{{bar}}zap', 'foo{bar}{zap}', '{user1000}.following', '{user1000}.followers', 123, 0, -1, 2 ** 53,
    // Numbers as the encoder sends them: unsafe integers as plain digits, fractions shortest.
    -0, 1.5, 0.1 + 0.2, 1e-7, 1e21, 2 ** 64, -(2 ** 70), 123n, -(2n ** 80n),
  ]
  for (let i = 0; i < 4000; i++) {
    const length = rand(12)
    let key = ''
    for (let j = 0; j < length; j++) key += alphabet[rand(alphabet.length)]
    keys.push(key)
  }
  const unicode = ['é', 'ü', '日本', '🔑', '\u0000', 'ß', '{', '}', 'a', '\u{10FFFF}', 'Ω']
  for (let i = 0; i < 1000; i++) {
    let key = ''
    for (let j = 0, n = 1 + rand(6); j < n; j++) key += unicode[rand(unicode.length)]
    keys.push(key)
  }
  for (let i = 0; i < 1000; i++) {
    const bytes = new Uint8Array(rand(16))
    // Braces often, so tags in binary keys are exercised.
    for (let j = 0; j < bytes.length; j++) bytes[j] = rand(4) === 0 ? (rand(2) ? 0x7b : 0x7d) : rand(256)
    keys.push(bytes)
  }
  return keys
}

describe('keySlot against CLUSTER KEYSLOT', () => {
  test('6000+ generated keys: hash tags, empty tags, unclosed braces, UTF-8, binary, numbers', async () => {
    const keys = generatedKeys()
    const server = (await Promise.all(keys.map((k) => admin.sendCommand(['CLUSTER', 'KEYSLOT', k])))) as number[]
    const wrong = keys.map((k, i) => ({ k, mine: keySlot(k), theirs: Number(server[i]) })).filter((x) => x.mine !== x.theirs)
    assert.deepEqual(wrong.slice(0, 5), [], `${wrong.length} keys hash differently from the server`)
    // Spot checks that fail loudly if the table or the tag rule is off.
    assert.equal(keySlot('{user1000}.following'), keySlot('{user1000}.followers'))
    assert.equal(keySlot('foo{}{bar}'), keySlot('foo{}{bar}'))
    assert.notEqual(keySlot('{}x'), keySlot('x'))
    assert.equal(keySlot(new TextEncoder().encode('{日本}a')), keySlot('{日本}b'))
  })
})

describe('routing', () => {
  test('3000 keys written through the cluster are on the master the server names, and read back', async () => {
    const keys = Array.from({ length: 3000 }, (_, i) => `route:${i}`)
    const set = await Promise.all(keys.map((k, i) => cluster.set(k, `v${i}`)))
    assert.ok(set.every((r) => r === 'OK'))
    const got = await Promise.all(keys.map((k) => cluster.get(k)))
    assert.deepEqual(got, keys.map((_, i) => `v${i}`))
    // Each key on the owner CLUSTER SLOTS names (sendToNode: no redirect following).
    const onOwner = await Promise.all(keys.map((k) => cluster.sendToNode(owners[keySlot(k)], ['GET', k])))
    assert.deepEqual(onOwner, keys.map((_, i) => `v${i}`))
    // And not answered by another master: it redirects.
    const k = keys[7]
    const other = masters().find((m) => m !== owners[keySlot(k)])!
    await assert.rejects(cluster.sendToNode(other, ['GET', k]), (e: unknown) => e instanceof ReplyError && e.code === 'MOVED' && e.message.includes(` ${keySlot(k)} `))
    // Every master got a share.
    const perMaster = new Map<string, number>()
    for (const key of keys) perMaster.set(owners[keySlot(key)], (perMaster.get(owners[keySlot(key)]) ?? 0) + 1)
    assert.equal(perMaster.size, 3)
  })

  test('hash tags keep keys on one slot: SUNIONSTORE and RENAME across {tag} keys run', async () => {
    await cluster.sAdd('{tag9}.a', ['1', '2'])
    await cluster.sAdd('{tag9}.b', ['2', '3'])
    assert.equal(await cluster.sendCommand(['SUNIONSTORE', '{tag9}.c', '{tag9}.a', '{tag9}.b']), 3)
    assert.equal(await cluster.rename('{tag9}.c', '{tag9}.d'), 'OK')
    assert.equal(await cluster.sendToNode(owners[keySlot('tag9')], ['SCARD', '{tag9}.d']), 3)
  })

  test('binary keys and values route by their bytes', async () => {
    const key = new Uint8Array([0xff, 0x7b, 0x00, 0x7d, 0x80])
    const value = new Uint8Array([0, 1, 2, 0xfe])
    await cluster.sendCommand(['SET', key, value])
    assert.equal(await cluster.sendToNode(owners[keySlot(key)], ['STRLEN', key]), 4)
    assert.equal(await cluster.sendCommand(['EXISTS', key]), 1)
  })
})

describe('multi-key commands split per slot', () => {
  const keys = Array.from({ length: 200 }, (_, i) => `split:${i}`)

  test('MSET then MGET (with duplicates and missing keys) in the caller\'s order', async () => {
    assert.ok(new Set(keys.map((k) => keySlot(k))).size > 150)
    assert.equal(await cluster.sendCommand(['MSET', ...keys.flatMap((k, i) => [k, `m${i}`])]), 'OK')
    const asked = [...keys.slice(0, 50), 'split:missing', keys[3], keys[3], ...keys.slice(50)].reverse()
    const expected = asked.map((k) => (k === 'split:missing' ? null : `m${keys.indexOf(k)}`))
    assert.deepEqual(await cluster.sendCommand(['MGET', ...asked]), expected)
    // The typed method splits the same way.
    assert.deepEqual(await cluster.mGet(asked), expected)
    // The values are where the server says they belong.
    for (const i of [0, 99, 199]) assert.equal(await cluster.sendToNode(owners[keySlot(keys[i])], ['GET', keys[i]]), `m${i}`)
  })

  test('EXISTS and TOUCH count duplicates as the server does; DEL and UNLINK sum per slot', async () => {
    assert.equal(await cluster.sendCommand(['EXISTS', keys[0], keys[0], keys[1], 'split:none', keys[150]]), 4)
    assert.equal(await cluster.exists([keys[2], keys[3], keys[2]]), 3)
    assert.equal(await cluster.sendCommand(['TOUCH', ...keys.slice(0, 20), 'split:none']), 20)
    assert.equal(await cluster.sendCommand(['DEL', ...keys.slice(0, 100), 'split:none']), 100)
    assert.equal(await cluster.unlink([...keys.slice(50, 150)]), 50)
    assert.equal(await cluster.del(keys.slice(150)), 50)
    const left = await Promise.all(keys.map((k) => cluster.sendToNode(owners[keySlot(k)], ['EXISTS', k])))
    assert.deepEqual(left, keys.map(() => 0))
  })

  test('a non-splittable command across slots is refused before anything is sent, naming the slots', async () => {
    const [a, b] = ['a', 'b']
    assert.notEqual(keySlot(a), keySlot(b))
    const nodes = masters()
    const before = await totalCalls(cluster, nodes, ['sunion', 'sunionstore', 'rename'])
    const error = await cluster.sendCommand(['SUNION', a, b]).then(() => undefined, (e: unknown) => e)
    assert.ok(error instanceof CrossSlotError, String(error))
    assert.deepEqual([...error.slots].sort((x, y) => x - y), [keySlot(a), keySlot(b)].sort((x, y) => x - y))
    assert.match(error.message, new RegExp(`SUNION .*${keySlot(a)}.*${keySlot(b)}|SUNION .*${keySlot(b)}.*${keySlot(a)}`))
    await assert.rejects(cluster.sUnion([a, b]), CrossSlotError)
    await assert.rejects(cluster.sendCommand(['SUNIONSTORE', 'c', a, b]), CrossSlotError)
    await assert.rejects(cluster.rename('a', 'b'), CrossSlotError)
    assert.equal(await totalCalls(cluster, nodes, ['sunion', 'sunionstore', 'rename']), before, 'a refused command reached a server')
    // The counter does see a cross-slot command that reaches a server (the server refuses it too).
    await assert.rejects(cluster.sendToNode(nodes[0], ['SUNION', a, b]), (e: unknown) => e instanceof ReplyError && (e.code === 'CROSSSLOT' || e.code === 'MOVED'))
    assert.equal(await totalCalls(cluster, nodes, ['sunion', 'sunionstore', 'rename']), before + 1)
  })
})

describe('cross-node pipelines', () => {
  test('1000 commands over every master: replies in order, each error in its slot', async () => {
    const pipe = cluster.pipeline()
    const expected: Array<(r: unknown) => boolean> = []
    for (let i = 0; i < 1000; i++) {
      const key = `pipe:${i}`
      switch (i % 4) {
        case 0: pipe.addCommand(['SET', key, `p${i}`]); expected.push((r) => r === 'OK'); break
        case 1: pipe.addCommand(['INCRBY', `pipe:n:${i}`, String(i)]); expected.push((r) => r === i); break
        // An error in its slot: INCR of a non-number set earlier in this same pipeline.
        case 2: pipe.addCommand(['INCR', `pipe:${i - 2}`]); expected.push((r) => r instanceof ReplyError && /not an integer/.test(r.message)); break
        case 3: pipe.addCommand(['GET', `pipe:${i - 3}`]); expected.push((r) => r === `p${i - 3}`); break
      }
    }
    // A command split alone and one refused, among the others.
    pipe.addCommand(['MGET', 'pipe:0', 'pipe:4', 'pipe:none'])
    expected.push((r) => JSON.stringify(r) === JSON.stringify(['p0', 'p4', null]))
    pipe.addCommand(['SUNION', 'a', 'b'])
    expected.push((r) => r instanceof CrossSlotError)
    pipe.addCommand(['GET', 'pipe:996'])
    expected.push((r) => r === 'p996')
    const replies = await pipe.exec()
    assert.equal(replies.length, expected.length)
    const bad = replies.map((r, i) => ({ i, r })).filter(({ i, r }) => !expected[i](r))
    assert.deepEqual(bad.slice(0, 5), [])
    const nodesUsed = new Set(Array.from({ length: 1000 }, (_, i) => owners[keySlot(`pipe:${i}`)]))
    assert.equal(nodesUsed.size, 3)
  })

  test('typed chain methods on a pipeline', async () => {
    const replies = await cluster.pipeline().set('pc:a', '1').incr('pc:b').get('pc:a').exec()
    assert.deepEqual(replies, ['OK', 1, '1'])
  })
})

describe('transactions', () => {
  test('multi() on one slot runs as one transaction on its master', async () => {
    const owner = owners[keySlot('{acct}')]
    const execs = await commandCalls(cluster, owner, 'exec')
    const replies = await cluster.multi().set('{acct}.a', '10').incrBy('{acct}.a', 5).get('{acct}.a').exec()
    assert.deepEqual(replies, ['OK', 15, '15'])
    assert.equal(await commandCalls(cluster, owner, 'exec'), execs + 1)
  })

  test('multi() across slots is refused before anything is sent', async () => {
    const nodes = masters()
    const before = await totalCalls(cluster, nodes, ['multi', 'exec', 'set'])
    const error = await cluster.multi().set('x1', '1').set('x2', '2').exec().then(() => undefined, (e: unknown) => e)
    assert.ok(error instanceof CrossSlotError, String(error))
    assert.deepEqual([...error.slots].sort((a, b) => a - b), [keySlot('x1'), keySlot('x2')].sort((a, b) => a - b))
    assert.equal(await totalCalls(cluster, nodes, ['multi', 'exec', 'set']), before)
  })
})

describe('fan-out and per-node commands', () => {
  test('DBSIZE is the sum over the masters; scanIterator sees every key once', async () => {
    const perNode = await Promise.all(masters().map((m) => cluster.sendToNode<number>(m, ['DBSIZE'])))
    const sum = perNode.reduce((a, b) => a + b, 0)
    assert.ok(sum > 3000)
    assert.equal(await cluster.sendCommand(['DBSIZE']), sum)
    const seen = new Set<string>()
    let total = 0
    for await (const batch of cluster.scanIterator({ MATCH: 'route:*', COUNT: 500 })) for (const k of batch) { seen.add(k); total++ }
    assert.equal(seen.size, 3000)
    assert.ok(total >= 3000)
  })

  test('masters, replicas and shards list the cluster as the server does', async () => {
    assert.deepEqual(masters().sort(), [...new Set(owners)].sort())
    assert.equal(cluster.replicas.length, 3)
    const covered = cluster.shards.flatMap((s) => s.slots).reduce((n, [a, b]) => n + b - a + 1, 0)
    assert.equal(covered, 16384)
    for (const shard of cluster.shards) for (const [from, to] of shard.slots) {
      assert.equal(owners[from], shard.master.address)
      assert.equal(owners[to], shard.master.address)
    }
  })
})

describe('key positions from the command table', () => {
  test('EVAL numkeys, XADD/XREAD STREAMS and SORT ... STORE route by their keys; across slots they are refused', async () => {
    const lua = "redis.call('SET', KEYS[1], ARGV[1]) return redis.call('GET', KEYS[1])"
    for (const key of ['lua:a', 'lua:b', 'lua:c', 'lua:d', 'lua:e']) {
      assert.equal(await cluster.sendCommand(['EVAL', lua, 1, key, `val-${key}`]), `val-${key}`)
      assert.equal(await cluster.sendToNode(owners[keySlot(key)], ['GET', key]), `val-${key}`)
    }
    await assert.rejects(cluster.sendCommand(['EVAL', lua, 2, 'lua:a', 'lua:b', 'x']), CrossSlotError)
    assert.equal(await cluster.sendCommand(['EVAL', lua, 2, '{lua}a', '{lua}b', 'x']), 'x')
    for (const key of ['st:1', 'st:2', 'st:3']) await cluster.sendCommand(['XADD', key, '*', 'f', key])
    const read = (await cluster.sendCommand(['XREAD', 'COUNT', 5, 'STREAMS', 'st:1', '0'])) as unknown
    assert.match(JSON.stringify(read instanceof Map ? [...read] : read), /st:1/)
    await assert.rejects(cluster.sendCommand(['XREAD', 'STREAMS', 'st:1', 'st:2', '0', '0']), CrossSlotError)
    await cluster.sendCommand(['RPUSH', '{srt}in', '3', '1', '2'])
    assert.equal(await cluster.sendCommand(['SORT', '{srt}in', 'STORE', '{srt}out']), 3)
    await assert.rejects(cluster.sendCommand(['SORT', 'srt-in', 'STORE', 'srt-out']), CrossSlotError)
  })

  test('SCRIPT LOAD reaches every master: EVALSHA then runs on keys of every master', async () => {
    const sha = String(await cluster.sendCommand(['SCRIPT', 'LOAD', "return 'loaded:' .. KEYS[1]"]))
    assert.match(sha, /^[0-9a-f]{40}$/)
    for (const m of masters()) assert.deepEqual(await cluster.sendToNode(m, ['SCRIPT', 'EXISTS', sha]), [1])
    const keys = ['es:1', 'es:2', 'es:3', 'es:4', 'es:5', 'es:6']
    assert.equal(new Set(keys.map((k) => owners[keySlot(k)])).size, 3)
    for (const key of keys) assert.equal(await cluster.sendCommand(['EVALSHA', sha, 1, key]), `loaded:${key}`)
  })
})

describe('RESP2', () => {
  test('a cluster of RESP2 node clients: layout (flat CLUSTER SHARDS), routing, splitting, pipelines, shard pub/sub', async () => {
    const resp2 = createCluster({ rootNodes: [{ url: `redis://${tc.addresses[2]}` }], defaults: { RESP: 2 } })
    resp2.on('error', () => {})
    await resp2.connect()
    try {
      assert.deepEqual(resp2.masters.map((m) => m.address).sort(), masters().sort())
      assert.equal(resp2.replicas.length, 3)
      const keys = Array.from({ length: 100 }, (_, i) => `r2:${i}`)
      assert.equal(await resp2.mSet(keys.flatMap((k) => [k, k])), 'OK')
      assert.deepEqual(await resp2.mGet(keys), keys)
      assert.deepEqual(await resp2.pipeline().get(keys[0]).incr('r2:n').get(keys[99]).exec(), [keys[0], 1, keys[99]])
      const got: string[] = []
      await resp2.sSubscribe('r2chan', (m) => { got.push(m) })
      for (let i = 0; i < 100 && got.length === 0; i++) {
        await resp2.sendCommand(['SPUBLISH', 'r2chan', `m${i}`])
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      assert.ok(got.length > 0, 'no shard message under RESP2')
    } finally {
      await resp2.close()
    }
  })
})

describe('useReplicas', () => {
  test('reads go to the replicas (counted there), writes to the masters', async () => {
    const readers = createCluster({ rootNodes: [{ url: `redis://${tc.addresses[0]}` }], useReplicas: true })
    readers.on('error', () => {})
    await readers.connect()
    try {
      const replicas = readers.replicas.map((r) => r.address)
      assert.equal(replicas.length, 3)
      const before = await totalCalls(readers, replicas, ['get'])
      const got = await Promise.all(Array.from({ length: 300 }, (_, i) => readers.get(`route:${i}`)))
      // Replication is asynchronous, but these keys were written long before.
      assert.deepEqual(got, Array.from({ length: 300 }, (_, i) => `v${i}`))
      assert.ok((await totalCalls(readers, replicas, ['get'])) - before >= 250, 'reads did not reach the replicas')
      assert.equal(await readers.set('ur:w', '1'), 'OK')
    } finally {
      await readers.close()
    }
  })
})

describe('fan-out of writes', () => {
  test('FUNCTION LOAD reaches every master; FLUSHALL empties every master', async () => {
    const lib = "#!lua name=rklib\nredis.register_function('rkget', function(keys) return redis.call('GET', keys[1]) end)"
    assert.equal(await cluster.sendCommand(['FUNCTION', 'LOAD', 'REPLACE', lib]), 'rklib')
    for (const key of ['route:1', 'route:2', 'route:3', 'route:4', 'route:5', 'route:6']) {
      assert.equal(await cluster.sendCommand(['FCALL', 'rkget', 1, key]), `v${key.slice(6)}`)
    }
    for (const m of masters()) assert.match(JSON.stringify(await cluster.sendToNode(m, ['FUNCTION', 'LIST', 'LIBRARYNAME', 'rklib'])), /rklib/)
    assert.equal(await cluster.sendCommand(['FLUSHALL']), 'OK')
    for (const m of masters()) assert.equal(await cluster.sendToNode(m, ['DBSIZE']), 0)
    assert.equal(await cluster.sendCommand(['DBSIZE']), 0)
  })
})
