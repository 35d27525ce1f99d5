// Scan iterators (node-redis v5: each step yields one call's batch): against a real redis-server
// under RESP2 and RESP3 they finish after a full cycle with every key seen, honour MATCH, COUNT
// and TYPE, keep every key present throughout when others change during the scan, and send no
// further SCAN after a `break`; on the mock, a cursor above 2^53 goes back exactly as received.

import assert from 'node:assert/strict'
import { before, describe, test } from '../support/runtime.ts'
import { createClient, type RedisClient } from '../../src/client/index.ts'
import { statefulMock, useRealServer } from './fault-support.ts'

const redis = useRealServer()

const real = (RESP: 2 | 3): Promise<RedisClient> => redis.client({ RESP })

async function scanCalls(client: RedisClient, command = 'scan'): Promise<number> {
  const stats = await client.infoParsed('commandstats')
  return (stats.commandstats?.[`cmdstat_${command}`] as Record<string, number> | undefined)?.calls ?? 0
}

for (const RESP of [2, 3] as const) {
  describe(`scan iterators on a real server, RESP${RESP}`, () => {
    const p = `scan${RESP}`
    before(async () => {
      const client = await real(RESP)
      const pipe = client.pipeline()
      for (let i = 0; i < 400; i++) pipe.set(`${p}:s:${i}`, String(i))
      for (let i = 0; i < 30; i++) pipe.hSet(`${p}:h:${i}`, 'f', 'v')
      for (let i = 0; i < 300; i++) {
        pipe.hSet(`${p}:hash`, `f${i}`, `v${i}`)
        pipe.sAdd(`${p}:set`, `m${i}`)
        pipe.zAdd(`${p}:zset`, { score: i / 2, value: `z${i}` })
      }
      const slots = await pipe.exec()
      assert.ok(!slots.some((s) => s instanceof Error), String(slots.find((s) => s instanceof Error)))
    })

    test('scanIterator: batches until a full cycle, every key once or more, MATCH and COUNT honoured', async () => {
      const client = await real(RESP)
      await client.sendCommand(['CONFIG', 'RESETSTAT'])
      const seen = new Set<string>()
      let batches = 0
      for await (const keys of client.scanIterator({ MATCH: `${p}:s:*`, COUNT: 50 })) {
        assert.ok(Array.isArray(keys))
        batches++
        for (const k of keys) {
          assert.match(k, new RegExp(`^${p}:s:\\d+$`))
          seen.add(k)
        }
      }
      assert.equal(seen.size, 400)
      assert.ok(batches > 1, `several SCAN calls (${batches})`)
      assert.equal(await scanCalls(client), batches, 'one SCAN per batch, none after the cursor came back to 0')
    })

    test('scanIterator TYPE: only keys of that type', async () => {
      const client = await real(RESP)
      const seen = new Set<string>()
      for await (const keys of client.scanIterator({ MATCH: `${p}:*`, TYPE: 'hash', COUNT: 100 })) for (const k of keys) seen.add(k)
      assert.equal(seen.size, 31, [...seen].slice(0, 5).join())
      assert.ok([...seen].every((k) => k.startsWith(`${p}:h:`) || k === `${p}:hash`))
    })

    test('keys added and removed during the scan: it still ends, and every key present throughout is seen', async () => {
      const client = await real(RESP)
      const other = await real(RESP)
      const seen = new Set<string>()
      const removed = new Set<string>()
      let round = 0
      for await (const keys of client.scanIterator({ MATCH: `${p}:s:*`, COUNT: 20 })) {
        for (const k of keys) seen.add(k)
        round++
        // Another client adds keys and deletes some (not yet seen ones included).
        const pipe = other.pipeline()
        for (let i = 0; i < 10; i++) pipe.set(`${p}:s:new:${round}:${i}`, 'x')
        const victim = `${p}:s:${(round * 37) % 400}`
        removed.add(victim)
        pipe.del(victim)
        await pipe.exec()
        assert.ok(round < 2000, 'the scan ends')
      }
      for (let i = 0; i < 400; i++) {
        const k = `${p}:s:${i}`
        if (!removed.has(k)) assert.ok(seen.has(k), `${k} was present throughout and must be seen`)
      }
      // Put the fixture back for the next tests.
      const pipe = other.pipeline()
      for (const k of removed) pipe.set(k, '1')
      for (let r = 1; r <= round; r++) for (let i = 0; i < 10; i++) pipe.del(`${p}:s:new:${r}:${i}`)
      await pipe.exec()
    })

    test('break stops the scan: no SCAN is sent after it', async () => {
      const client = await real(RESP)
      await client.sendCommand(['CONFIG', 'RESETSTAT'])
      let batches = 0
      for await (const keys of client.scanIterator({ MATCH: `${p}:s:*`, COUNT: 10 })) {
        void keys
        if (++batches === 2) break
      }
      assert.equal(await scanCalls(client), 2)
      // An early return() on a fresh iterator sends nothing at all.
      const it = client.scanIterator()
      await it.return(undefined)
      assert.equal(await scanCalls(client), 2)
    })

    test('hScanIterator, sScanIterator, zScanIterator: whole contents, node-redis v5 entry shapes', async () => {
      const client = await real(RESP)
      const fields = new Map<string, string>()
      for await (const entries of client.hScanIterator(`${p}:hash`, { COUNT: 50 })) {
        for (const { field, value } of entries) fields.set(field, value)
      }
      assert.equal(fields.size, 300)
      assert.equal(fields.get('f7'), 'v7')
      const members = new Set<string>()
      for await (const batch of client.sScanIterator(`${p}:set`, { MATCH: 'm1*' })) for (const m of batch) members.add(m)
      assert.equal(members.size, 1 + 10 + 100) // m1, m10..m19, m100..m199
      const scores = new Map<string, number>()
      for await (const batch of client.zScanIterator(`${p}:zset`)) for (const { value, score } of batch) scores.set(value, score)
      assert.equal(scores.size, 300)
      assert.equal(scores.get('z3'), 1.5)
      assert.equal(typeof scores.get('z3'), 'number')
    })
  })
}

test('a cursor above 2^53 goes back to the server exactly as it came', async () => {
  const mock = statefulMock()
  const big = '18446744073709551615'
  mock.script('SCAN', (command) => (command.args[0] === '0' ? [big, ['a']] : command.args[0] === big ? ['0', ['b']] : ['0', ['wrong cursor']]))
  const client = createClient({ connector: mock.connector })
  await client.connect()
  const batches: string[][] = []
  for await (const keys of client.scanIterator()) batches.push(keys)
  assert.deepEqual(batches, [['a'], ['b']])
  assert.deepEqual(mock.log.filter((l) => l.name === 'SCAN').map((l) => l.args[0]), ['0', big])
  client.destroy()
})
