// keyPrefix (ioredis): put in front of every key, found through the command table's key
// positions: plain commands, MSET, EVAL/EVALSHA and FCALL keys (not their arguments), WATCH,
// transactions and pipelines; never in front of channels, patterns or plain arguments; not
// taken off KEYS/SCAN replies. Checked against a real redis-server under RESP2 and RESP3 by
// reading what the server holds through a client without the prefix.

import assert from 'node:assert/strict'
import { before, describe, test } from '../support/runtime.ts'
import { WatchError, createClient, defineScript, type ClientOptions, type RedisClient } from '../../src/client/index.ts'
import { outcome, within, useRealServer } from './fault-support.ts'

const redis = useRealServer()

const echoKeys = defineScript({ SCRIPT: 'return {KEYS[1], ARGV[1]}', NUMBER_OF_KEYS: 1 })

const real = (RESP: 2 | 3, options: ClientOptions = {}): Promise<RedisClient> => redis.client({ RESP, ...options })

test('keyPrefix is checked at construction', () => {
  assert.throws(() => createClient({ keyPrefix: 5 as never }), /keyPrefix/)
})

for (const RESP of [2, 3] as const) {
  describe(`keyPrefix on a real server, RESP${RESP}`, () => {
    const prefix = `kp${RESP}:`
    let raw: RedisClient
    let client: RedisClient & { echoKeys(key: string, arg: string): Promise<unknown> }
    before(async () => {
      raw = await real(RESP)
      client = (await real(RESP, { keyPrefix: prefix, scripts: { echoKeys } })) as typeof client
    })

    test('plain commands and MSET/MGET: every key prefixed, values not', async () => {
      assert.equal(await client.set('a', 'a'), 'OK')
      assert.equal(await raw.get(`${prefix}a`), 'a')
      assert.equal(await raw.get('a'), null)
      assert.equal(await client.mSet(['m1', 'm1-value', 'm2', 'm2-value']), 'OK')
      assert.deepEqual(await raw.mGet([`${prefix}m1`, `${prefix}m2`]), ['m1-value', 'm2-value'])
      assert.deepEqual(await client.mGet(['m1', 'm2']), ['m1-value', 'm2-value'])
      assert.equal(await client.sendCommand(['RENAME', 'm1', 'm3']), 'OK')
      assert.equal(await raw.get(`${prefix}m3`), 'm1-value')
      await client.zAdd('z1', { score: 1, value: 'one' })
      await client.zAdd('z2', { score: 2, value: 'two' })
      assert.equal(await client.sendCommand(['ZUNIONSTORE', 'zu', '2', 'z1', 'z2']), 2)
      assert.deepEqual(await raw.zRange(`${prefix}zu`, 0, -1), ['one', 'two'])
      assert.ok((await client.sendCommand<string>(['XADD', 'st', '*', 'f', 'v'])).includes('-'))
      const read = await client.sendCommand<unknown>(['XREAD', 'COUNT', '1', 'STREAMS', 'st', '0'])
      assert.match(JSON.stringify(read), new RegExp(`${prefix}st`), 'XREAD keys after STREAMS are prefixed (the reply names the real key)')
    })

    test('a Uint8Array key gets the prefix as bytes', async () => {
      await client.set(new Uint8Array([0x62, 0x69, 0x6e]), 'bytes')
      assert.equal(await raw.get(`${prefix}bin`), 'bytes')
    })

    test('EVAL and scripts: KEYS prefixed, ARGV not', async () => {
      assert.deepEqual(await client.sendCommand(['EVAL', 'return {KEYS[1], KEYS[2], ARGV[1]}', '2', 'k1', 'k2', 'arg']), [`${prefix}k1`, `${prefix}k2`, 'arg'])
      assert.deepEqual(await client.echoKeys('k', 'plain'), [`${prefix}k`, 'plain'])
      await client.sendCommand(['SCRIPT', 'FLUSH'])
      assert.deepEqual(await client.echoKeys('k', 'plain'), [`${prefix}k`, 'plain'], 'also when EVALSHA falls back to EVAL')
    })

    test('FCALL: keys prefixed, arguments not', async () => {
      await raw.sendCommand(['FUNCTION', 'LOAD', 'REPLACE', "#!lua name=kplib\nredis.register_function('kpecho', function(keys, args) return {keys[1], args[1]} end)"])
      assert.deepEqual(await client.sendCommand(['FCALL', 'kpecho', '1', 'fk', 'farg']), [`${prefix}fk`, 'farg'])
    })

    test('MULTI/EXEC and pipelines: keys prefixed', async () => {
      assert.deepEqual(await client.multi().set('t', '1').incr('t').get('t').exec(), ['OK', 2, '2'])
      assert.equal(await raw.get(`${prefix}t`), '2')
      assert.deepEqual(await client.multi().addCommand(['EVAL', 'return KEYS[1]', '1', 'in-multi']).exec(), [`${prefix}in-multi`])
      assert.deepEqual(await client.pipeline().set('p', 'x').get('p').exec(), ['OK', 'x'])
      assert.equal(await raw.get(`${prefix}p`), 'x')
    })

    test('WATCH watches the prefixed key', async () => {
      await client.watch('w')
      await raw.set(`${prefix}w`, 'changed')
      const r = await outcome(client.multi().set('w', 'mine').exec())
      assert.ok(!r.ok && r.error instanceof WatchError, String(!r.ok && r.error))
    })

    test('channels are not prefixed, in either direction', async () => {
      const sub = RESP === 2 ? await real(RESP, { keyPrefix: prefix }) : client
      const got: Array<[string, string]> = []
      let arrived: () => void = () => {}
      const both = new Promise<void>((resolve) => (arrived = resolve))
      await sub.subscribe('news', (message, channel) => {
        got.push([message, channel])
        if (got.length === 2) arrived()
      })
      assert.equal(await raw.publish('news', 'from raw'), 1)
      assert.equal(await client.publish('news', 'from prefixed'), 1, 'PUBLISH channel not prefixed')
      await within(both, 'two messages')
      assert.deepEqual(got, [['from raw', 'news'], ['from prefixed', 'news']])
      await sub.unsubscribe()
    })

    test('KEYS and SCAN replies keep the full key names', async () => {
      await client.set('listed', '1')
      const keys = await client.keys(`${prefix}list*`)
      assert.deepEqual(keys, [`${prefix}listed`])
      const seen: string[] = []
      for await (const batch of client.scanIterator({ MATCH: `${prefix}list*` })) seen.push(...batch)
      assert.deepEqual(seen, [`${prefix}listed`])
    })
  })
}

test('RESP3 client-side cache with keyPrefix: the invalidation of the real key drops the entry', async () => {
  const prefix = 'kpcache:'
  const raw = await real(3)
  const client = await real(3, { keyPrefix: prefix, clientSideCache: {} })
  await raw.set(`${prefix}c`, 'one')
  assert.equal(await client.get('c'), 'one')
  assert.equal(await client.get('c'), 'one')
  assert.equal(client.clientSideCache!.stats().hitCount, 1)
  await raw.set(`${prefix}c`, 'two')
  await client.ping()
  assert.equal(await client.get('c'), 'two')
  await client.set('c', 'three')
  assert.equal(await client.get('c'), 'three', 'read-your-writes with a prefix')
})
