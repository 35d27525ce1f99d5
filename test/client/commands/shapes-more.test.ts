// Reply shapes against a real redis-server, continued: streams, HyperLogLog, geo, bitmaps and
// server commands, each scenario under RESP2 and RESP3 with the same result.

import assert from 'node:assert/strict'
import { after, before, describe, test } from '../../support/runtime.ts'
import { type RedisServer, startRedis } from '../../support/redis.ts'
import { COMMANDS as C } from '../../../src/client/commands/index.ts'
import { bytes, underBoth } from './shapes-helpers.ts'

let redis: RedisServer
before(async () => { redis = await startRedis() })
after(async () => { await redis?.stop() })

describe('streams', () => {
  test('entries as { id, message }, xRead as [{ name, messages }], groups and claims', async () => {
    const r = await underBoth(redis, async (c) => {
      const xAdd = [
        await c.call(C.xAdd, 's', '1-1', { a: '1', __proto__field: 'x' }),
        await c.call(C.xAdd, 's', '1-2', { b: '2' }, { TRIM: { strategy: 'MAXLEN', strategyModifier: '=', threshold: 10 } }),
        await c.call(C.xAdd, 't', '5-0', { c: '3' }),
      ]
      const xGroupCreate = await c.call(C.xGroupCreate, 's', 'g', '0', { MKSTREAM: true })
      const xReadGroup = await c.call(C.xReadGroup, 'g', 'alice', { key: 's', id: '>' }, { COUNT: 1 })
      const pending = await c.call(C.xPendingRange, 's', 'g', '-', '+', 10)
      const infoStream = await c.call(C.xInfoStream, 's')
      const groups = await c.call(C.xInfoGroups, 's')
      const consumers = await c.call(C.xInfoConsumers, 's', 'g')
      return {
        xAdd,
        xAddNoMkStream: await c.call(C.xAddNoMkStream, 'nope', '*', { a: '1' }),
        xLen: await c.call(C.xLen, 's'),
        xRange: await c.call(C.xRange, 's', '-', '+'),
        xRevRange: await c.call(C.xRevRange, 's', '+', '-', { COUNT: 1 }),
        xRead: await c.call(C.xRead, [{ key: 's', id: '0' }, { key: 't', id: '0' }], { COUNT: 1 }),
        xReadNone: await c.call(C.xRead, { key: 's', id: '$' }, { BLOCK: 10 }),
        xGroupCreate,
        xReadGroup,
        xPending: await c.call(C.xPending, 's', 'g'),
        xPendingNone: (await c.call(C.xGroupCreate, 't', 'g2', '$'), await c.call(C.xPending, 't', 'g2')),
        xPendingRange: pending.map((p) => ({ ...p, millisecondsSinceLastDelivery: typeof p.millisecondsSinceLastDelivery })),
        xClaim: await c.call(C.xClaim, 's', 'g', 'bob', 0, ['1-1'], { RETRYCOUNT: 3 }),
        xClaimJustId: await c.call(C.xClaimJustId, 's', 'g', 'carol', 0, '1-1'),
        xAutoClaim: await c.call(C.xAutoClaim, 's', 'g', 'dave', 0, '0-0', { COUNT: 5 }),
        xAutoClaimJustId: await c.call(C.xAutoClaimJustId, 's', 'g', 'erin', 0, '0'),
        xInfoStream: { ...infoStream, 'radix-tree-keys': typeof infoStream['radix-tree-keys'], 'radix-tree-nodes': typeof infoStream['radix-tree-nodes'] },
        xInfoGroups: groups.map((g) => Object.keys(g)),
        xInfoConsumers: consumers.map((g) => ({ name: g.name, pending: g.pending, idle: typeof g.idle })),
        xGroupCreateConsumer: await c.call(C.xGroupCreateConsumer, 's', 'g', 'zed'),
        xGroupDelConsumer: await c.call(C.xGroupDelConsumer, 's', 'g', 'zed'),
        xGroupSetId: await c.call(C.xGroupSetId, 's', 'g', '0'),
        xAck: await c.call(C.xAck, 's', 'g', ['1-1', '9-9']),
        xDel: await c.call(C.xDel, 's', '1-1'),
        xTrim: await c.call(C.xTrim, 's', 'MAXLEN', 0),
        xGroupDestroy: await c.call(C.xGroupDestroy, 's', 'g'),
      }
    })
    const m1 = { id: '1-1', message: { a: '1', __proto__field: 'x' } }
    const m2 = { id: '1-2', message: { b: '2' } }
    assert.deepStrictEqual(r, {
      xAdd: ['1-1', '1-2', '5-0'],
      xAddNoMkStream: null,
      xLen: 2,
      xRange: [m1, m2],
      xRevRange: [m2],
      xRead: [{ name: 's', messages: [m1] }, { name: 't', messages: [{ id: '5-0', message: { c: '3' } }] }],
      xReadNone: null,
      xGroupCreate: 'OK',
      xReadGroup: [{ name: 's', messages: [m1] }],
      xPending: { pending: 1, firstId: '1-1', lastId: '1-1', consumers: [{ name: 'alice', deliveriesCounter: 1 }] },
      xPendingNone: { pending: 0, firstId: null, lastId: null, consumers: null },
      xPendingRange: [{ id: '1-1', consumer: 'alice', millisecondsSinceLastDelivery: 'number', deliveriesCounter: 1 }],
      xClaim: [m1],
      xClaimJustId: ['1-1'],
      xAutoClaim: { nextId: '0-0', messages: [m1], deletedMessages: [] },
      xAutoClaimJustId: { nextId: '0-0', messages: ['1-1'], deletedMessages: [] },
      xInfoStream: {
        length: 2, 'radix-tree-keys': 'number', 'radix-tree-nodes': 'number', 'last-generated-id': '1-2', 'max-deleted-entry-id': '0-0',
        'entries-added': 2, 'recorded-first-entry-id': '1-1', groups: 1, 'first-entry': m1, 'last-entry': m2,
      },
      xInfoGroups: [['name', 'consumers', 'pending', 'last-delivered-id', 'entries-read', 'lag']],
      xInfoConsumers: [{ name: 'alice', pending: 1, idle: 'number' }],
      xGroupCreateConsumer: 1,
      xGroupDelConsumer: 0,
      xGroupSetId: 'OK',
      xAck: 1,
      xDel: 1,
      xTrim: 1,
      xGroupDestroy: 1,
    })
  })

  test('stream messages as Map on request, and in binary mode', async () => {
    const asMap = await underBoth(redis, async (c) => {
      await c.call(C.xAdd, 's', '1-1', { a: '1' })
      const info = await c.call(C.xInfoStream, 's') as unknown as Map<string, unknown>
      return {
        range: await c.call(C.xRange, 's', '-', '+'),
        read: await c.call(C.xRead, { key: 's', id: '0' }),
        info: [info instanceof Map, info.get('length'), info.get('first-entry')],
      }
    }, { mapAsMap: true })
    const message = { id: '1-1', message: new Map([['a', '1']]) }
    assert.deepStrictEqual(asMap, { range: [message], read: [{ name: 's', messages: [message] }], info: [true, 1, message] })
    const binary = await underBoth(redis, async (c) => {
      await c.call(C.xAdd, 's', '1-1', { a: '1' })
      return { range: await c.call(C.xRange, 's', '-', '+'), read: await c.call(C.xRead, { key: 's', id: '0' }) }
    }, { binary: true })
    const binaryMessage = { id: bytes('1-1'), message: { a: bytes('1') } }
    assert.deepStrictEqual(binary, { range: [binaryMessage], read: [{ name: 's', messages: [binaryMessage] }] })
  })
})

describe('HyperLogLog, bitmaps', () => {
  test('pfAdd, pfCount, pfMerge, setBit, bitCount, bitPos, bitOp, bitField', async () => {
    const r = await underBoth(redis, async (c) => ({
      pfAdd: await c.call(C.pfAdd, 'h1', ['a', 'b', 'c']),
      pfAddNone: await c.call(C.pfAdd, 'h2'),
      pfCount: await c.call(C.pfCount, 'h1'),
      pfMerge: await c.call(C.pfMerge, 'h3', ['h1', 'h2']),
      pfCountMerged: await c.call(C.pfCount, ['h3', 'h2']),
      setBit: [await c.call(C.setBit, 'b', 7, 1), await c.call(C.setBit, 'b', 7, 1)],
      getBit: await c.call(C.getBit, 'b', 7),
      bitCount: await c.call(C.bitCount, 'b'),
      bitCountRange: await c.call(C.bitCount, 'b', { start: 0, end: 6, mode: 'BIT' }),
      bitPos: await c.call(C.bitPos, 'b', 1),
      bitPosRange: await c.call(C.bitPos, 'b', 1, 1, 2, 'BYTE'),
      bitOp: await c.call(C.bitOp, 'NOT', 'nb', 'b'),
      bitField: await c.call(C.bitField, 'bf', [
        { operation: 'SET', encoding: 'u8', offset: 0, value: 200 },
        { operation: 'OVERFLOW', behavior: 'FAIL' },
        { operation: 'INCRBY', encoding: 'u8', offset: 0, increment: 100 },
        { operation: 'GET', encoding: 'u8', offset: '#0' },
      ]),
      bitFieldRo: await c.call(C.bitFieldRo, 'bf', [{ encoding: 'u4', offset: 0 }]),
    }))
    assert.deepStrictEqual(r, {
      pfAdd: 1, pfAddNone: 1, pfCount: 3, pfMerge: 'OK', pfCountMerged: 3, setBit: [0, 1], getBit: 1, bitCount: 1, bitCountRange: 0,
      bitPos: 7, bitPosRange: -1, bitOp: 1, bitField: [0, null, 200], bitFieldRo: [12],
    })
  })
})

describe('geo', () => {
  test('positions and distances as numbers, geoSearchWith as [{ member, distance, hash, coordinates }]', async () => {
    const r = await underBoth(redis, async (c) => {
      await c.call(C.geoAdd, 'g', [
        { longitude: 13.361389, latitude: 38.115556, member: 'Palermo' },
        { longitude: 15.087269, latitude: 37.502669, member: 'Catania' },
      ])
      return {
        geoAddCH: await c.call(C.geoAdd, 'g', { longitude: 13, latitude: 38, member: 'Palermo' }, { XX: true, CH: true }),
        geoDist: await c.call(C.geoDist, 'g', 'Palermo', 'Catania', 'km'),
        geoDistNone: await c.call(C.geoDist, 'g', 'Palermo', 'Nowhere'),
        geoHash: await c.call(C.geoHash, 'g', ['Catania', 'Nowhere']),
        geoPos: await c.call(C.geoPos, 'g', ['Catania', 'Nowhere']),
        geoSearch: await c.call(C.geoSearch, 'g', { longitude: 15, latitude: 37 }, { radius: 200, unit: 'km' }, { SORT: 'ASC' }),
        geoSearchWith: await c.call(C.geoSearchWith, 'g', 'Catania', { width: 400, height: 400, unit: 'km' }, ['WITHCOORD', 'WITHDIST', 'WITHHASH'], { SORT: 'ASC', COUNT: { value: 5 } }),
        geoSearchDist: await c.call(C.geoSearchWith, 'g', 'Catania', { radius: 10, unit: 'km' }, ['WITHDIST']),
        geoSearchStore: await c.call(C.geoSearchStore, 'g2', 'g', 'Catania', { radius: 500, unit: 'km' }, { STOREDIST: true }),
      }
    })
    assert.equal(r.geoAddCH, 1)
    assert.equal(r.geoDist, 191.711, 'after Palermo moved to 13, 38')
    assert.equal(r.geoDistNone, null)
    assert.deepStrictEqual(r.geoHash, ['sqdtr74hyu0', null])
    assert.equal(r.geoPos[1], null)
    assert.ok(Math.abs(r.geoPos[0]!.longitude - 15.087269) < 1e-5 && Math.abs(r.geoPos[0]!.latitude - 37.502669) < 1e-5)
    assert.deepStrictEqual(r.geoSearch, ['Catania'])
    assert.deepStrictEqual(r.geoSearchWith.map((m) => m.member), ['Catania', 'Palermo'])
    assert.deepStrictEqual(Object.keys(r.geoSearchWith[0]), ['member', 'distance', 'hash', 'coordinates'])
    assert.equal(r.geoSearchWith[0].distance, 0)
    assert.equal(typeof r.geoSearchWith[1].hash, 'number')
    assert.equal(typeof r.geoSearchWith[1].coordinates!.latitude, 'number')
    assert.deepStrictEqual(r.geoSearchDist, [{ member: 'Catania', distance: 0 }])
    assert.equal(r.geoSearchStore, 2)
    const binary = await underBoth(redis, async (c) => {
      await c.call(C.geoAdd, 'g', { longitude: 1, latitude: 2, member: 'm' })
      return { pos: await c.call(C.geoPos, 'g', 'm'), dist: await c.call(C.geoDist, 'g', 'm', 'm') }
    }, { binary: true })
    assert.equal(binary.dist, 0)
    assert.equal(typeof binary.pos[0]!.longitude, 'number')
  })
})

describe('server', () => {
  test('ping, echo, info, dbSize, time, config, client, memory', async () => {
    const r = await underBoth(redis, async (c) => {
      await c.call(C.set, 'k', 'v')
      const info = await c.call(C.info, 'server')
      const time = await c.call(C.time)
      const clientSetName = await c.call(C.clientSetName, 'shape-test')
      const clientInfo = await c.call(C.clientInfo)
      const clientList = await c.call(C.clientList, { TYPE: 'NORMAL' })
      return {
        ping: await c.call(C.ping),
        pingMessage: await c.call(C.ping, 'hi'),
        echo: await c.call(C.echo, 'x y'),
        info: info.includes('redis_version:'),
        dbSize: await c.call(C.dbSize),
        time: time.map((t) => /^\d+$/.test(t)),
        configSet: await c.call(C.configSet, { 'maxmemory-samples': '6', 'lazyfree-lazy-user-del': 'no' }),
        configSetOne: await c.call(C.configSet, 'hz', 11),
        configGet: await c.call(C.configGet, ['maxmemory-samples', 'hz']),
        configGetNone: await c.call(C.configGet, 'no-such-parameter'),
        clientId: typeof await c.call(C.clientId),
        clientSetName,
        clientGetName: await c.call(C.clientGetName),
        clientInfo: { name: clientInfo.name, db: clientInfo.db, cmd: clientInfo.cmd, id: typeof clientInfo.id, qbufFree: typeof clientInfo.qbufFree },
        clientList: clientList.some((cl) => cl.name === 'shape-test' && cl.cmd === 'client|list'),
        lastSave: typeof await c.call(C.lastSave),
        memoryUsage: typeof await c.call(C.memoryUsage, 'k', { SAMPLES: 0 }),
        memoryUsageNone: await c.call(C.memoryUsage, 'nope'),
        commandCount: (await c.call(C.commandCount)) > 100,
        flushDb: await c.call(C.flushDb, 'SYNC'),
        flushAll: await c.call(C.flushAll),
      }
    })
    assert.deepStrictEqual(r, {
      ping: 'PONG', pingMessage: 'hi', echo: 'x y', info: true, dbSize: 1, time: [true, true], configSet: 'OK', configSetOne: 'OK',
      configGet: { 'maxmemory-samples': '6', hz: '11' }, configGetNone: {}, clientId: 'number', clientSetName: 'OK', clientGetName: 'shape-test',
      clientInfo: { name: 'shape-test', db: 0, cmd: 'client|info', id: 'number', qbufFree: 'number' }, clientList: true,
      lastSave: 'number', memoryUsage: 'number', memoryUsageNone: null, commandCount: true, flushDb: 'OK', flushAll: 'OK',
    })
  })

  test('configGet as Map and in binary mode; clientInfo in binary mode', async () => {
    const asMap = await underBoth(redis, (c) => c.call(C.configGet, 'maxmemory-policy'), { mapAsMap: true })
    assert.deepStrictEqual(asMap, new Map([['maxmemory-policy', 'noeviction']]))
    const binary = await underBoth(redis, async (c) => {
      const info = await c.call(C.clientInfo)
      return { config: await c.call(C.configGet, 'maxmemory-policy'), db: info.db, flags: info.flags }
    }, { binary: true })
    assert.deepStrictEqual(binary, { config: { 'maxmemory-policy': bytes('noeviction') }, db: 0, flags: 'N' })
  })
})

