// Reply shapes against a real redis-server: every scenario runs under RESP2 and RESP3 and must
// give the same value, and that value must be the shape node-redis v5 returns by default.
// Streams, geo, bitmaps and server commands: shapes-more.test.ts.

import assert from 'node:assert/strict'
import { after, before, describe, test } from '../../support/runtime.ts'
import { type RedisServer, startRedis } from '../../support/redis.ts'
import { COMMANDS as C } from '../../../src/client/commands/index.ts'
import { rawConnect } from '../../support/raw-connection.ts'
import { bytes, sorted, underBoth } from './shapes-helpers.ts'

let redis: RedisServer
before(async () => { redis = await startRedis() })
after(async () => { await redis?.stop() })

describe('the protocols really differ (so the comparisons below are not vacuous)', () => {
  test('raw HGETALL, ZRANGE WITHSCORES, ZSCORE and CONFIG GET differ between RESP2 and RESP3', async () => {
    const raw: unknown[][] = []
    for (const resp of [2, 3] as const) {
      const c = await rawConnect({ port: redis.port, resp })
      try {
        await c.send(['FLUSHALL'])
        await c.send(['HSET', 'h', 'f', 'v'])
        await c.send(['ZADD', 'z', '1.5', 'm'])
        raw.push([
          await c.send(['HGETALL', 'h']),
          await c.send(['ZRANGE', 'z', '0', '-1', 'WITHSCORES']),
          await c.send(['ZSCORE', 'z', 'm']),
          await c.send(['CONFIG', 'GET', 'hz']),
        ])
      } finally {
        await c.close()
      }
    }
    assert.deepStrictEqual(raw[0], [['f', 'v'], ['m', '1.5'], '1.5', ['hz', '10']])
    assert.deepStrictEqual(raw[1], [{ f: 'v' }, [['m', 1.5]], 1.5, { hz: '10' }])
  })
})

describe('strings', () => {
  test('get, set with options, mGet, mSet forms, counters', async () => {
    const r = await underBoth(redis, async (c) => ({
      set: await c.call(C.set, 'k', 'v1'),
      setGet: await c.call(C.set, 'k', 'v2', { GET: true }),
      setNxFails: await c.call(C.set, 'k', 'v3', { NX: true }),
      setEx: await c.call(C.set, 'e', 5, { expiration: { type: 'EX', value: 100 }, condition: 'NX' }),
      ttl: await c.call(C.ttl, 'e'),
      get: await c.call(C.get, 'k'),
      missing: await c.call(C.get, 'nope'),
      mSetObject: await c.call(C.mSet, { a: '1', b: 2 }),
      mSetFlat: await c.call(C.mSet, ['c', '3', 'd', '4']),
      mSetTuples: await c.call(C.mSet, [['e2', '5'], ['f', '6']]),
      mSetNX: await c.call(C.mSetNX, { a: 'x', z: 'y' }),
      mGet: await c.call(C.mGet, ['a', 'b', 'c', 'd', 'e2', 'f', 'z']),
      incr: await c.call(C.incr, 'n'),
      incrBy: await c.call(C.incrBy, 'n', 10),
      decr: await c.call(C.decr, 'n'),
      decrBy: await c.call(C.decrBy, 'n', 3),
      incrByFloat: await c.call(C.incrByFloat, 'n', 0.5),
      append: await c.call(C.append, 's', 'hello'),
      strLen: await c.call(C.strLen, 's'),
      setRange: await c.call(C.setRange, 's', 1, 'EL'),
      getRange: await c.call(C.getRange, 's', 0, 2),
      getSet: await c.call(C.getSet, 's', 'bye'),
      getDel: await c.call(C.getDel, 's'),
      getEx: await c.call(C.getEx, 'k', { PX: 100_000 }),
      setExCmd: await c.call(C.setEx, 'se', 100, 'v'),
      pSetEx: await c.call(C.pSetEx, 'pse', 100_000, 'v'),
      setNX: [await c.call(C.setNX, 'nx', '1'), await c.call(C.setNX, 'nx', '2')],
      lcs: (await c.call(C.mSet, { l1: 'ohmytext', l2: 'mynewtext' }), await c.call(C.lcs, 'l1', 'l2')),
      lcsLen: await c.call(C.lcsLen, 'l1', 'l2'),
    }))
    assert.deepStrictEqual(r, {
      set: 'OK', setGet: 'v1', setNxFails: null, setEx: 'OK', ttl: 100, get: 'v2', missing: null,
      mSetObject: 'OK', mSetFlat: 'OK', mSetTuples: 'OK', mSetNX: 0, mGet: ['1', '2', '3', '4', '5', '6', null],
      incr: 1, incrBy: 11, decr: 10, decrBy: 7, incrByFloat: '7.5', append: 5, strLen: 5, setRange: 5, getRange: 'hEL',
      getSet: 'hELlo', getDel: 'bye', getEx: 'v2', setExCmd: 'OK', pSetEx: 'OK', setNX: [1, 0], lcs: 'mytext', lcsLen: 6,
    })
  })

  test('binary replies: values as bytes, same under both protocols', async () => {
    const r = await underBoth(redis, async (c) => {
      await c.call(C.set, 'k', new Uint8Array([0, 255, 1]))
      return { get: await c.call(C.get, 'k'), mGet: await c.call(C.mGet, ['k', 'none']) }
    }, { binary: true })
    assert.deepStrictEqual(r, { get: new Uint8Array([0, 255, 1]), mGet: [new Uint8Array([0, 255, 1]), null] })
  })
})

describe('keys', () => {
  test('deletion, expiry, renaming, copy, type, scan', async () => {
    const r = await underBoth(redis, async (c) => {
      await c.call(C.mSet, { a: '1', b: '2', c: '3', d: '4' })
      const scanned: string[] = []
      let cursor = '0'
      do {
        const page = await c.call(C.scan, cursor, { MATCH: '*', COUNT: 2, TYPE: 'string' })
        cursor = page.cursor
        scanned.push(...page.keys)
      } while (cursor !== '0')
      return {
        exists: await c.call(C.exists, ['a', 'b', 'nope']),
        expire: await c.call(C.expire, 'a', 100),
        expireNx: await c.call(C.expire, 'a', 50, 'NX'),
        ttl: await c.call(C.ttl, 'a'),
        pExpire: await c.call(C.pExpire, 'b', 100_000),
        pTTL: (await c.call(C.pTTL, 'b')) > 99_000,
        expireAt: await c.call(C.expireAt, 'c', new Date(Date.UTC(2100, 0, 1))),
        expireTime: await c.call(C.expireTime, 'c'),
        persist: await c.call(C.persist, 'c'),
        ttlNone: await c.call(C.ttl, 'c'),
        type: await c.call(C.type, 'd'),
        typeNone: await c.call(C.type, 'nope'),
        rename: await c.call(C.rename, 'd', 'd2'),
        renameNX: await c.call(C.renameNX, 'd2', 'a'),
        copy: await c.call(C.copy, 'd2', 'd3', { REPLACE: true }),
        keys: sorted(await c.call(C.keys, '*')),
        scanned: sorted(scanned),
        touch: await c.call(C.touch, ['a', 'd3']),
        objectEncoding: await c.call(C.objectEncoding, 'a'),
        objectRefCount: await c.call(C.objectRefCount, 'a'),
        del: await c.call(C.del, ['a', 'b']),
        unlink: await c.call(C.unlink, 'c'),
        randomKey: (await c.call(C.del, 'd2'), await c.call(C.randomKey)),
      }
    })
    assert.deepStrictEqual(r, {
      exists: 2, expire: 1, expireNx: 0, ttl: 100, pExpire: 1, pTTL: true, expireAt: 1, expireTime: 4102444800, persist: 1, ttlNone: -1,
      type: 'string', typeNone: 'none', rename: 'OK', renameNX: 0, copy: 1, keys: ['a', 'b', 'c', 'd2', 'd3'], scanned: ['a', 'b', 'c', 'd'],
      touch: 2, objectEncoding: 'int', objectRefCount: r.objectRefCount, del: 2, unlink: 1, randomKey: 'd3',
    })
    assert.equal(typeof r.objectRefCount, 'number')
  })

  test('dump and restore round-trip the serialized bytes in binary mode', async () => {
    const r = await underBoth(redis, async (c) => {
      await c.call(C.hSet, 'h', { f: 'v', g: 'w' })
      const dump = await c.call(C.dump, 'h') as unknown as Uint8Array
      assert.ok(dump instanceof Uint8Array)
      await c.call(C.restore, 'h2', 0, dump)
      return { restored: await c.call(C.hGetAll, 'h2'), again: await c.call(C.restore, 'h2', 0, dump, { REPLACE: true, IDLETIME: 5 }) }
    }, { binary: true })
    assert.deepStrictEqual(r, { restored: { f: bytes('v'), g: bytes('w') }, again: bytes('OK') })
  })
})

describe('hashes', () => {
  test('hSet with a pair, an object, a Map and tuples; hGetAll as a prototype-safe object', async () => {
    const r = await underBoth(redis, async (c) => {
      const added = [
        await c.call(C.hSet, 'h', 'name', 'John'),
        await c.call(C.hSet, 'h', { surname: 'Smith', company: 'Redis', age: 29 }),
        await c.call(C.hSet, 'h', new Map<string | number, string | number>([['__proto__', 'polluted?'], [7, 8]])),
        await c.call(C.hSet, 'h', [['constructor', 'x'], ['toString', 'y']]),
        await c.call(C.hSet, 'h', ['flat1', 'a', 'flat2', 'b']),
      ]
      const all = await c.call(C.hGetAll, 'h')
      return { added, all, json: JSON.stringify(all), empty: await c.call(C.hGetAll, 'nope') }
    })
    assert.deepStrictEqual(r.added, [1, 3, 2, 2, 2])
    const all = r.all as Record<string, string>
    assert.equal(Object.getPrototypeOf(all), Object.prototype, 'a plain object, as node-redis returns')
    assert.ok(Object.hasOwn(all, '__proto__'), '__proto__ is an own field')
    assert.equal(all['__proto__'], 'polluted?')
    assert.equal(({} as Record<string, unknown>).polluted, undefined)
    assert.equal(all.constructor as unknown, 'x')
    assert.deepStrictEqual(sorted(Object.keys(all)), sorted(['name', 'surname', 'company', 'age', '__proto__', '7', 'constructor', 'toString', 'flat1', 'flat2']))
    assert.equal(all.age, '29')
    assert.deepStrictEqual(JSON.parse(r.json).surname, 'Smith')
    assert.ok(r.json.includes('"name":"John"'))
    assert.deepStrictEqual(r.empty, {})
  })

  test('hGetAll as Map, and with binary values', async () => {
    const asMap = await underBoth(redis, async (c) => {
      await c.call(C.hSet, 'h', { a: '1', b: '2' })
      return c.call(C.hGetAll, 'h')
    }, { mapAsMap: true })
    assert.deepStrictEqual(asMap, new Map([['a', '1'], ['b', '2']]))
    const binary = await underBoth(redis, async (c) => {
      await c.call(C.hSet, 'h', { a: new Uint8Array([0xff]), __proto__x: 'v' })
      return c.call(C.hGetAll, 'h')
    }, { binary: true })
    assert.deepStrictEqual(binary, { a: new Uint8Array([0xff]), __proto__x: bytes('v') })
    const binaryMap = await underBoth(redis, async (c) => {
      await c.call(C.hSet, 'h', 'a', '1')
      return c.call(C.hGetAll, 'h')
    }, { binary: true, mapAsMap: true })
    assert.deepStrictEqual(binaryMap, new Map([['a', bytes('1')]]), 'keys as text, values as bytes')
  })

  test('field commands, random fields, hScan', async () => {
    const r = await underBoth(redis, async (c) => {
      await c.call(C.hSet, 'h', { a: '1', b: 'two' })
      await c.call(C.hSet, 'one', 'only', 'v')
      return {
        hGet: await c.call(C.hGet, 'h', 'a'),
        hGetMissing: await c.call(C.hGet, 'h', 'zz'),
        hmGet: await c.call(C.hmGet, 'h', ['a', 'zz', 'b']),
        hExists: [await c.call(C.hExists, 'h', 'a'), await c.call(C.hExists, 'h', 'zz')],
        hIncrBy: await c.call(C.hIncrBy, 'h', 'a', 5),
        hIncrByFloat: await c.call(C.hIncrByFloat, 'h', 'a', 1.5),
        hKeys: sorted(await c.call(C.hKeys, 'h')),
        hVals: sorted(await c.call(C.hVals, 'h')),
        hLen: await c.call(C.hLen, 'h'),
        hSetNX: [await c.call(C.hSetNX, 'h', 'a', 'x'), await c.call(C.hSetNX, 'h', 'c', 'x')],
        hStrLen: await c.call(C.hStrLen, 'h', 'b'),
        hDel: await c.call(C.hDel, 'h', ['c', 'zz']),
        hRandField: await c.call(C.hRandField, 'one'),
        hRandFieldNone: await c.call(C.hRandField, 'nope'),
        hRandFieldCount: await c.call(C.hRandFieldCount, 'one', 3),
        hRandFieldCountWithValues: await c.call(C.hRandFieldCountWithValues, 'one', 3),
        hScan: await c.call(C.hScan, 'one', 0),
      }
    })
    assert.deepStrictEqual(r, {
      hGet: '1', hGetMissing: null, hmGet: ['1', null, 'two'], hExists: [1, 0], hIncrBy: 6, hIncrByFloat: '7.5',
      hKeys: ['a', 'b'], hVals: ['7.5', 'two'], hLen: 2, hSetNX: [0, 1], hStrLen: 3, hDel: 1,
      hRandField: 'only', hRandFieldNone: null, hRandFieldCount: ['only'], hRandFieldCountWithValues: [{ field: 'only', value: 'v' }],
      hScan: { cursor: '0', entries: [{ field: 'only', value: 'v' }] },
    })
  })
})

describe('lists', () => {
  test('push, pop, ranges, positions, moves, lmPop, non-blocking forms of the blocking pops', async () => {
    const r = await underBoth(redis, async (c) => ({
      lPush: await c.call(C.lPush, 'l', ['b', 'a']),
      rPush: await c.call(C.rPush, 'l', ['c', 'd', 'c']),
      lPushX: await c.call(C.lPushX, 'nope', 'x'),
      rPushX: await c.call(C.rPushX, 'l', 'e'),
      lRange: await c.call(C.lRange, 'l', 0, -1),
      lLen: await c.call(C.lLen, 'l'),
      lIndex: await c.call(C.lIndex, 'l', 1),
      lInsert: await c.call(C.lInsert, 'l', 'BEFORE', 'b', 'ab'),
      lSet: await c.call(C.lSet, 'l', 0, 'A'),
      lPos: await c.call(C.lPos, 'l', 'c', { RANK: 2 }),
      lPosCount: await c.call(C.lPosCount, 'l', 'c', 0),
      lRem: await c.call(C.lRem, 'l', 1, 'c'),
      lTrim: await c.call(C.lTrim, 'l', 0, 4),
      lPop: await c.call(C.lPop, 'l'),
      rPop: await c.call(C.rPop, 'l'),
      lPopCount: await c.call(C.lPopCount, 'l', 1),
      rPopCount: await c.call(C.rPopCount, 'nope', 2),
      lMove: await c.call(C.lMove, 'l', 'm', 'LEFT', 'RIGHT'),
      rPopLPush: await c.call(C.rPopLPush, 'm', 'l'),
      lmPop: await c.call(C.lmPop, ['nope', 'l'], 'LEFT', { COUNT: 5 }),
      lmPopNone: await c.call(C.lmPop, 'nope', 'RIGHT'),
      blPop: (await c.call(C.rPush, 'q', ['1', '2']), await c.call(C.blPop, ['nope', 'q'], 1)),
      brPop: await c.call(C.brPop, 'q', 0.01),
      brPopNone: await c.call(C.brPop, 'q', 0.01),
      blMove: (await c.call(C.rPush, 'q', 'x'), await c.call(C.blMove, 'q', 'q2', 'LEFT', 'LEFT', 0.01)),
      blmPop: await c.call(C.blmPop, 0.01, 'q2', 'LEFT'),
    }))
    assert.deepStrictEqual(r, {
      lPush: 2, rPush: 5, lPushX: 0, rPushX: 6, lRange: ['a', 'b', 'c', 'd', 'c', 'e'], lLen: 6, lIndex: 'b', lInsert: 7, lSet: 'OK',
      lPos: 5, lPosCount: [3, 5], lRem: 1, lTrim: 'OK', lPop: 'A', rPop: 'c', lPopCount: ['ab'], rPopCount: null, lMove: 'b', rPopLPush: 'b',
      lmPop: ['l', ['b', 'd']], lmPopNone: null, blPop: { key: 'q', element: '1' }, brPop: { key: 'q', element: '2' }, brPopNone: null,
      blMove: 'x', blmPop: ['q2', ['x']],
    })
  })
})

describe('sets', () => {
  test('members come as arrays under both protocols', async () => {
    const r = await underBoth(redis, async (c) => {
      await c.call(C.sAdd, 's2', ['b', 'c', 'd'])
      return {
        sAdd: await c.call(C.sAdd, 's', ['a', 'b', 'c']),
        sRem: await c.call(C.sRem, 's', 'zz'),
        sMembers: sorted(await c.call(C.sMembers, 's')),
        sIsMember: [await c.call(C.sIsMember, 's', 'a'), await c.call(C.sIsMember, 's', 'zz')],
        smIsMember: await c.call(C.smIsMember, 's', ['a', 'zz']),
        sCard: await c.call(C.sCard, 's'),
        sInter: sorted(await c.call(C.sInter, ['s', 's2'])),
        sInterCard: await c.call(C.sInterCard, ['s', 's2'], { LIMIT: 1 }),
        sUnion: sorted(await c.call(C.sUnion, ['s', 's2'])),
        sDiff: await c.call(C.sDiff, ['s', 's2']),
        sInterStore: await c.call(C.sInterStore, 'i', ['s', 's2']),
        sUnionStore: await c.call(C.sUnionStore, 'u', ['s', 's2']),
        sDiffStore: await c.call(C.sDiffStore, 'd', ['s', 's2']),
        sMove: await c.call(C.sMove, 's', 'one', 'a'),
        sPop: await c.call(C.sPop, 'one'),
        sPopNone: await c.call(C.sPopCount, 'one', 2),
        sRandMember: (await c.call(C.sAdd, 'one', 'x'), await c.call(C.sRandMember, 'one')),
        sRandMemberCount: await c.call(C.sRandMemberCount, 'one', 5),
        sScan: await c.call(C.sScan, 'one', '0', { MATCH: 'x*' }),
      }
    })
    assert.deepStrictEqual(r, {
      sAdd: 3, sRem: 0, sMembers: ['a', 'b', 'c'], sIsMember: [1, 0], smIsMember: [1, 0], sCard: 3, sInter: ['b', 'c'], sInterCard: 1,
      sUnion: ['a', 'b', 'c', 'd'], sDiff: ['a'], sInterStore: 2, sUnionStore: 4, sDiffStore: 1, sMove: 1, sPop: 'a', sPopNone: [],
      sRandMember: 'x', sRandMemberCount: ['x'], sScan: { cursor: '0', members: ['x'] },
    })
  })
})

describe('sorted sets', () => {
  test('scores as numbers, members with scores as [{ value, score }]', async () => {
    const r = await underBoth(redis, async (c) => ({
      zAdd: await c.call(C.zAdd, 'z', [{ score: 1, value: 'a' }, { score: 2.5, value: 'b' }, { score: Infinity, value: 'c' }]),
      zAddNX: await c.call(C.zAdd, 'z', { score: 9, value: 'a' }, { NX: true, CH: true }),
      zAddIncr: await c.call(C.zAddIncr, 'z', { score: 1, value: 'a' }),
      zAddIncrBlocked: await c.call(C.zAddIncr, 'z', { score: 1, value: 'a' }, { condition: 'NX' }),
      zIncrBy: await c.call(C.zIncrBy, 'z', 0.25, 'b'),
      zScore: await c.call(C.zScore, 'z', 'b'),
      zScoreInf: await c.call(C.zScore, 'z', 'c'),
      zScoreNone: await c.call(C.zScore, 'z', 'zz'),
      zmScore: await c.call(C.zmScore, 'z', ['a', 'zz', 'c']),
      zRange: await c.call(C.zRange, 'z', 0, -1),
      zRangeRev: await c.call(C.zRange, 'z', '+inf', 2, { BY: 'SCORE', REV: true, LIMIT: { offset: 0, count: 5 } }),
      zRangeWithScores: await c.call(C.zRangeWithScores, 'z', 0, -1),
      zRangeByScore: await c.call(C.zRangeByScore, 'z', '(2', Infinity),
      zRangeByScoreWithScores: await c.call(C.zRangeByScoreWithScores, 'z', -Infinity, 2.75, { LIMIT: { offset: 0, count: 1 } }),
      zRank: await c.call(C.zRank, 'z', 'b'),
      zRevRank: await c.call(C.zRevRank, 'z', 'b'),
      zRankNone: await c.call(C.zRank, 'z', 'zz'),
      zCard: await c.call(C.zCard, 'z'),
      zCount: await c.call(C.zCount, 'z', 2, '+inf'),
      zRandMemberCountWithScores: (await c.call(C.zAdd, 'one', { score: -0.5, value: 'm' }), await c.call(C.zRandMemberCountWithScores, 'one', 2)),
      zRandMember: await c.call(C.zRandMember, 'one'),
      zRandMemberCount: await c.call(C.zRandMemberCount, 'one', 2),
      zUnion: await c.call(C.zUnion, ['z', 'one']),
      zUnionWithScores: await c.call(C.zUnionWithScores, [{ key: 'z', weight: 2 }, { key: 'one', weight: 1 }], { AGGREGATE: 'SUM' }),
      zInterWithScores: await c.call(C.zInterWithScores, ['z', 'z'], { AGGREGATE: 'MAX' }),
      zInter: await c.call(C.zInter, 'z'),
      zDiffWithScores: await c.call(C.zDiffWithScores, ['z', 'one']),
      zUnionStore: await c.call(C.zUnionStore, 'zu', ['z', 'one']),
      zInterStore: await c.call(C.zInterStore, 'zi', { key: 'z', weight: 3 }),
      zDiffStore: await c.call(C.zDiffStore, 'zd', ['z', 'one']),
      zRangeStore: await c.call(C.zRangeStore, 'zs', 'z', 0, 1),
      zScan: await c.call(C.zScan, 'one', 0),
      zPopMin: await c.call(C.zPopMin, 'zu'),
      zPopMax: await c.call(C.zPopMax, 'zu'),
      zPopMinCount: await c.call(C.zPopMinCount, 'zi', 2),
      zPopMaxCount: await c.call(C.zPopMaxCount, 'zi', 5),
      zPopNone: await c.call(C.zPopMin, 'nope'),
      zmPop: await c.call(C.zmPop, ['nope', 'zd'], 'MIN', { COUNT: 10 }),
      zmPopNone: await c.call(C.zmPop, 'nope', 'MAX'),
      bzPopMin: await c.call(C.bzPopMin, ['nope', 'zs'], 0.01),
      bzPopNone: await c.call(C.bzPopMax, 'nope', 0.01),
      bzmPop: await c.call(C.bzmPop, 0.01, 'zs', 'MAX'),
      zRem: await c.call(C.zRem, 'z', ['a', 'zz']),
      zRemRangeByScore: await c.call(C.zRemRangeByScore, 'z', '-inf', 3),
      zRemRangeByRank: await c.call(C.zRemRangeByRank, 'z', 0, 0),
    }))
    assert.deepStrictEqual(r, {
      zAdd: 3, zAddNX: 0, zAddIncr: 2, zAddIncrBlocked: null, zIncrBy: 2.75, zScore: 2.75, zScoreInf: Infinity, zScoreNone: null,
      zmScore: [2, null, Infinity], zRange: ['a', 'b', 'c'], zRangeRev: ['c', 'b', 'a'],
      zRangeWithScores: [{ value: 'a', score: 2 }, { value: 'b', score: 2.75 }, { value: 'c', score: Infinity }],
      zRangeByScore: ['b', 'c'], zRangeByScoreWithScores: [{ value: 'a', score: 2 }], zRank: 1, zRevRank: 1, zRankNone: null, zCard: 3, zCount: 3,
      zRandMemberCountWithScores: [{ value: 'm', score: -0.5 }], zRandMember: 'm', zRandMemberCount: ['m'], zUnion: ['m', 'a', 'b', 'c'],
      zUnionWithScores: [{ value: 'm', score: -0.5 }, { value: 'a', score: 4 }, { value: 'b', score: 5.5 }, { value: 'c', score: Infinity }],
      zInterWithScores: [{ value: 'a', score: 2 }, { value: 'b', score: 2.75 }, { value: 'c', score: Infinity }], zInter: ['a', 'b', 'c'],
      zDiffWithScores: [{ value: 'a', score: 2 }, { value: 'b', score: 2.75 }, { value: 'c', score: Infinity }],
      zUnionStore: 4, zInterStore: 3, zDiffStore: 3, zRangeStore: 2, zScan: { cursor: '0', members: [{ value: 'm', score: -0.5 }] },
      zPopMin: { value: 'm', score: -0.5 }, zPopMax: { value: 'c', score: Infinity },
      zPopMinCount: [{ value: 'a', score: 6 }, { value: 'b', score: 8.25 }], zPopMaxCount: [{ value: 'c', score: Infinity }], zPopNone: null,
      zmPop: { key: 'zd', members: [{ value: 'a', score: 2 }, { value: 'b', score: 2.75 }, { value: 'c', score: Infinity }] }, zmPopNone: null,
      bzPopMin: { key: 'zs', value: 'a', score: 2 }, bzPopNone: null, bzmPop: { key: 'zs', members: [{ value: 'b', score: 2.75 }] },
      zRem: 1, zRemRangeByScore: 1, zRemRangeByRank: 1,
    })
  })

  test('binary mode: scores still numbers, members bytes', async () => {
    const r = await underBoth(redis, async (c) => {
      await c.call(C.zAdd, 'z', [{ score: 1.5, value: 'a' }, { score: -Infinity, value: 'b' }])
      return { withScores: await c.call(C.zRangeWithScores, 'z', 0, -1), score: await c.call(C.zScore, 'z', 'a'), pop: await c.call(C.zPopMax, 'z') }
    }, { binary: true })
    assert.deepStrictEqual(r, {
      withScores: [{ value: bytes('b'), score: -Infinity }, { value: bytes('a'), score: 1.5 }],
      score: 1.5,
      pop: { value: bytes('a'), score: 1.5 },
    })
  })
})
