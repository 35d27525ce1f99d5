// What each typed command puts on the wire, byte for byte, for node-redis v5's call forms; and
// the TypeError (naming command and parameter) for parameters of the wrong type.

import assert from 'node:assert/strict'
import { describe, test } from '../../support/runtime.ts'
import { type CommandArgument, encodeCommand } from '../../../src/resp/index.ts'
import { COMMANDS as C, COMMAND_ALIASES } from '../../../src/client/commands/index.ts'

const latin1 = (bytes: Uint8Array): string => Array.from(bytes, (b) => String.fromCharCode(b)).join('')

/** The RESP bytes of a command, as text, from its words. */
function resp(...words: string[]): string {
  const utf8 = new TextEncoder()
  return `*${words.length}\r\n` + words.map((w) => `$${utf8.encode(w).length}\r\n${latin1(utf8.encode(w))}\r\n`).join('')
}

function wire(args: CommandArgument[]): string {
  return latin1(encodeCommand(args))
}

// [what is called, the words expected on the wire]
const CASES: Array<[string, () => CommandArgument[], string[]]> = [
  ['get', () => C.get.args('k'), ['GET', 'k']],
  ['set', () => C.set.args('k', 'v'), ['SET', 'k', 'v']],
  ['set number', () => C.set.args('k', 42), ['SET', 'k', '42']],
  ['set EX NX GET', () => C.set.args('k', 'v', { EX: 10, NX: true, GET: true }), ['SET', 'k', 'v', 'EX', '10', 'NX', 'GET']],
  ['set expiration', () => C.set.args('k', 'v', { expiration: { type: 'PX', value: 5 }, condition: 'XX' }), ['SET', 'k', 'v', 'PX', '5', 'XX']],
  ['set KEEPTTL', () => C.set.args('k', 'v', { expiration: 'KEEPTTL' }), ['SET', 'k', 'v', 'KEEPTTL']],
  ['set EXAT Date', () => C.set.args('k', 'v', { EXAT: new Date(2_000_500) as unknown as number }), ['SET', 'k', 'v', 'EXAT', '2000']],
  ['mSet object', () => C.mSet.args({ a: '1', b: 2 }), ['MSET', 'a', '1', 'b', '2']],
  ['mSet flat', () => C.mSet.args(['a', '1', 'b', '2']), ['MSET', 'a', '1', 'b', '2']],
  ['mSet tuples', () => C.mSet.args([['a', '1'], ['b', '2']]), ['MSET', 'a', '1', 'b', '2']],
  ['mGet', () => C.mGet.args(['a', 'b']), ['MGET', 'a', 'b']],
  ['incrByFloat', () => C.incrByFloat.args('n', 1.5), ['INCRBYFLOAT', 'n', '1.5']],
  ['getEx type', () => C.getEx.args('k', { type: 'EXAT', value: 1000 }), ['GETEX', 'k', 'EXAT', '1000']],
  ['getEx PERSIST', () => C.getEx.args('k', { PERSIST: true }), ['GETEX', 'k', 'PERSIST']],
  ['setEx', () => C.setEx.args('k', 10, 'v'), ['SETEX', 'k', '10', 'v']],
  ['del one', () => C.del.args('a'), ['DEL', 'a']],
  ['del many', () => C.del.args(['a', 'b']), ['DEL', 'a', 'b']],
  ['expire mode', () => C.expire.args('k', 10, 'NX'), ['EXPIRE', 'k', '10', 'NX']],
  ['expireAt Date', () => C.expireAt.args('k', new Date(10_999)), ['EXPIREAT', 'k', '10']],
  ['pExpireAt Date', () => C.pExpireAt.args('k', new Date(10_999), 'GT'), ['PEXPIREAT', 'k', '10999', 'GT']],
  ['scan', () => C.scan.args('0', { MATCH: 'u:*', COUNT: 100, TYPE: 'hash' }), ['SCAN', '0', 'MATCH', 'u:*', 'COUNT', '100', 'TYPE', 'hash']],
  ['scan number cursor', () => C.scan.args(0), ['SCAN', '0']],
  ['copy', () => C.copy.args('a', 'b', { DB: 1, REPLACE: true }), ['COPY', 'a', 'b', 'DB', '1', 'REPLACE']],
  ['restore', () => C.restore.args('k', 0, 'x', { REPLACE: true, ABSTTL: true, IDLETIME: 1, FREQ: 2 }), ['RESTORE', 'k', '0', 'x', 'REPLACE', 'ABSTTL', 'IDLETIME', '1', 'FREQ', '2']],
  ['objectEncoding', () => C.objectEncoding.args('k'), ['OBJECT', 'ENCODING', 'k']],
  ['hSet pair', () => C.hSet.args('h', 'f', 'v'), ['HSET', 'h', 'f', 'v']],
  ['hSet number field', () => C.hSet.args('h', 1, 2), ['HSET', 'h', '1', '2']],
  ['hSet object', () => C.hSet.args('h', { a: 1, b: 'x' }), ['HSET', 'h', 'a', '1', 'b', 'x']],
  ['hSet Map', () => C.hSet.args('h', new Map<string, string | number>([['a', 1], ['b', 'x']])), ['HSET', 'h', 'a', '1', 'b', 'x']],
  ['hSet tuples', () => C.hSet.args('h', [['a', 1], ['b', 'x']]), ['HSET', 'h', 'a', '1', 'b', 'x']],
  ['hSet flat', () => C.hSet.args('h', ['a', 1, 'b', 'x']), ['HSET', 'h', 'a', '1', 'b', 'x']],
  ['hmGet', () => C.hmGet.args('h', ['a', 'b']), ['HMGET', 'h', 'a', 'b']],
  ['hRandFieldCountWithValues', () => C.hRandFieldCountWithValues.args('h', -5), ['HRANDFIELD', 'h', '-5', 'WITHVALUES']],
  ['hScan', () => C.hScan.args('h', '0', { COUNT: 5 }), ['HSCAN', 'h', '0', 'COUNT', '5']],
  ['lPush', () => C.lPush.args('l', ['a', 'b']), ['LPUSH', 'l', 'a', 'b']],
  ['lPopCount', () => C.lPopCount.args('l', 2), ['LPOP', 'l', '2']],
  ['lPos', () => C.lPos.args('l', 'x', { RANK: -1, MAXLEN: 10 }), ['LPOS', 'l', 'x', 'RANK', '-1', 'MAXLEN', '10']],
  ['lPosCount', () => C.lPosCount.args('l', 'x', 0, { RANK: 1 }), ['LPOS', 'l', 'x', 'RANK', '1', 'COUNT', '0']],
  ['lInsert', () => C.lInsert.args('l', 'AFTER', 'p', 'e'), ['LINSERT', 'l', 'AFTER', 'p', 'e']],
  ['lMove', () => C.lMove.args('a', 'b', 'LEFT', 'RIGHT'), ['LMOVE', 'a', 'b', 'LEFT', 'RIGHT']],
  ['lmPop', () => C.lmPop.args(['a', 'b'], 'LEFT', { COUNT: 2 }), ['LMPOP', '2', 'a', 'b', 'LEFT', 'COUNT', '2']],
  ['blPop', () => C.blPop.args(['a', 'b'], 0.5), ['BLPOP', 'a', 'b', '0.5']],
  ['blmPop', () => C.blmPop.args(1, 'a', 'RIGHT'), ['BLMPOP', '1', '1', 'a', 'RIGHT']],
  ['sAdd', () => C.sAdd.args('s', ['a', 'b']), ['SADD', 's', 'a', 'b']],
  ['sInterCard', () => C.sInterCard.args(['a', 'b'], { LIMIT: 3 }), ['SINTERCARD', '2', 'a', 'b', 'LIMIT', '3']],
  ['sInterCard number', () => C.sInterCard.args('a', 3), ['SINTERCARD', '1', 'a', 'LIMIT', '3']],
  ['sDiffStore', () => C.sDiffStore.args('d', ['a', 'b']), ['SDIFFSTORE', 'd', 'a', 'b']],
  ['zAdd', () => C.zAdd.args('z', [{ score: 1, value: 'a' }, { score: -Infinity, value: 'b' }], { XX: true, GT: true, CH: true }), ['ZADD', 'z', 'XX', 'GT', 'CH', '1', 'a', '-inf', 'b']],
  ['zAdd one', () => C.zAdd.args('z', { score: 1.5, value: 'a' }, { condition: 'NX', comparison: 'LT' }), ['ZADD', 'z', 'NX', 'LT', '1.5', 'a']],
  ['zAddIncr', () => C.zAddIncr.args('z', { score: 2, value: 'a' }), ['ZADD', 'z', 'INCR', '2', 'a']],
  ['zRange', () => C.zRange.args('z', 0, -1), ['ZRANGE', 'z', '0', '-1']],
  ['zRange options', () => C.zRange.args('z', '(1', Infinity, { BY: 'SCORE', REV: true, LIMIT: { offset: 0, count: 10 } }), ['ZRANGE', 'z', '(1', '+inf', 'BYSCORE', 'REV', 'LIMIT', '0', '10']],
  ['zRangeWithScores', () => C.zRangeWithScores.args('z', 0, 1, { BY: 'LEX' }), ['ZRANGE', 'z', '0', '1', 'BYLEX', 'WITHSCORES']],
  ['zRangeByScoreWithScores', () => C.zRangeByScoreWithScores.args('z', 1, 2, { LIMIT: { offset: 1, count: 2 } }), ['ZRANGEBYSCORE', 'z', '1', '2', 'WITHSCORES', 'LIMIT', '1', '2']],
  ['zUnion weights', () => C.zUnionWithScores.args([{ key: 'a', weight: 1 }, { key: 'b', weight: 2.5 }], { AGGREGATE: 'MAX' }), ['ZUNION', '2', 'a', 'b', 'WEIGHTS', '1', '2.5', 'AGGREGATE', 'MAX', 'WITHSCORES']],
  ['zInterStore', () => C.zInterStore.args('d', 'a'), ['ZINTERSTORE', 'd', '1', 'a']],
  ['zmPop', () => C.zmPop.args('z', 'MAX', { COUNT: 3 }), ['ZMPOP', '1', 'z', 'MAX', 'COUNT', '3']],
  ['bzPopMin', () => C.bzPopMin.args('z', 0), ['BZPOPMIN', 'z', '0']],
  ['zScan', () => C.zScan.args('z', 0, { MATCH: 'a*' }), ['ZSCAN', 'z', '0', 'MATCH', 'a*']],
  ['xAdd', () => C.xAdd.args('s', '*', { a: '1', b: 2 }), ['XADD', 's', '*', 'a', '1', 'b', '2']],
  ['xAdd TRIM', () => C.xAdd.args('s', '*', { a: '1' }, { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: 1000, limit: 10 } }), ['XADD', 's', 'MAXLEN', '~', '1000', 'LIMIT', '10', '*', 'a', '1']],
  ['xAddNoMkStream', () => C.xAddNoMkStream.args('s', '*', { a: '1' }), ['XADD', 's', 'NOMKSTREAM', '*', 'a', '1']],
  ['xRead', () => C.xRead.args([{ key: 'a', id: '0' }, { key: 'b', id: '$' }], { COUNT: 1, BLOCK: 0 }), ['XREAD', 'COUNT', '1', 'BLOCK', '0', 'STREAMS', 'a', 'b', '0', '$']],
  ['xReadGroup', () => C.xReadGroup.args('g', 'c', { key: 'a', id: '>' }, { NOACK: true }), ['XREADGROUP', 'GROUP', 'g', 'c', 'NOACK', 'STREAMS', 'a', '>']],
  ['xGroupCreate', () => C.xGroupCreate.args('s', 'g', '$', { MKSTREAM: true }), ['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM']],
  ['xTrim', () => C.xTrim.args('s', 'MINID', '1-0', { strategyModifier: '=', LIMIT: 5 }), ['XTRIM', 's', 'MINID', '=', '1-0', 'LIMIT', '5']],
  ['xPendingRange', () => C.xPendingRange.args('s', 'g', '-', '+', 10, { IDLE: 5, consumer: 'c' }), ['XPENDING', 's', 'g', 'IDLE', '5', '-', '+', '10', 'c']],
  ['xClaim', () => C.xClaim.args('s', 'g', 'c', 10, ['1-0', '2-0'], { TIME: new Date(5), FORCE: true, LASTID: '2-0' }), ['XCLAIM', 's', 'g', 'c', '10', '1-0', '2-0', 'TIME', '5', 'FORCE', 'LASTID', '2-0']],
  ['xAutoClaimJustId', () => C.xAutoClaimJustId.args('s', 'g', 'c', 10, '0-0', { COUNT: 2 }), ['XAUTOCLAIM', 's', 'g', 'c', '10', '0-0', 'COUNT', '2', 'JUSTID']],
  ['pfAdd', () => C.pfAdd.args('h', ['a', 'b']), ['PFADD', 'h', 'a', 'b']],
  ['geoAdd', () => C.geoAdd.args('g', { longitude: 1.5, latitude: '2', member: 'm' }, { NX: true, CH: true }), ['GEOADD', 'g', 'NX', 'CH', '1.5', '2', 'm']],
  ['geoSearch', () => C.geoSearch.args('g', { longitude: 1, latitude: 2 }, { width: 3, height: 4, unit: 'km' }, { SORT: 'DESC', COUNT: { value: 5, ANY: true } }), ['GEOSEARCH', 'g', 'FROMLONLAT', '1', '2', 'BYBOX', '3', '4', 'km', 'DESC', 'COUNT', '5', 'ANY']],
  ['geoSearchWith', () => C.geoSearchWith.args('g', 'm', { radius: 1, unit: 'm' }, ['WITHDIST']), ['GEOSEARCH', 'g', 'FROMMEMBER', 'm', 'BYRADIUS', '1', 'm', 'WITHDIST']],
  ['bitCount', () => C.bitCount.args('b', { start: 0, end: -1, mode: 'BIT' }), ['BITCOUNT', 'b', '0', '-1', 'BIT']],
  ['bitField', () => C.bitField.args('b', [{ operation: 'OVERFLOW', behavior: 'SAT' }, { operation: 'INCRBY', encoding: 'i5', offset: 100, increment: 1 }]), ['BITFIELD', 'b', 'OVERFLOW', 'SAT', 'INCRBY', 'i5', '100', '1']],
  ['bitOp', () => C.bitOp.args('AND', 'd', ['a', 'b']), ['BITOP', 'AND', 'd', 'a', 'b']],
  ['ping', () => C.ping.args(), ['PING']],
  ['configGet', () => C.configGet.args(['a', 'b']), ['CONFIG', 'GET', 'a', 'b']],
  ['configSet object', () => C.configSet.args({ a: '1', b: 2 }), ['CONFIG', 'SET', 'a', '1', 'b', '2']],
  ['clientList ID', () => C.clientList.args({ ID: [1, 2] }), ['CLIENT', 'LIST', 'ID', '1', '2']],
  ['flushAll', () => C.flushAll.args('ASYNC'), ['FLUSHALL', 'ASYNC']],
  ['memoryUsage', () => C.memoryUsage.args('k', { SAMPLES: 0 }), ['MEMORY', 'USAGE', 'k', 'SAMPLES', '0']],
]

describe('command arguments, byte for byte', () => {
  for (const [name, call, words] of CASES) {
    test(name, () => assert.equal(wire(call()), resp(...words)))
  }

  test('Uint8Array arguments pass through as they are', () => {
    const value = new Uint8Array([0, 255, 13, 10])
    const args = C.set.args(new Uint8Array([1]), value)
    assert.equal(args[2], value, 'the same array, not a copy')
    assert.equal(wire(args), '*3\r\n$3\r\nSET\r\n$1\r\n\x01\r\n$4\r\n\x00\xff\r\n\r\n')
  })

  test('every definition builds a fresh array (callers may keep or change it)', () => {
    const a = C.dbSize.args()
    a.push('x')
    assert.deepStrictEqual(C.dbSize.args(), ['DBSIZE'])
  })

  test('aliases follow node-redis', () => {
    assert.equal(COMMAND_ALIASES.hGetAll, 'HGETALL')
    assert.equal(COMMAND_ALIASES.zRangeWithScores, 'ZRANGE_WITHSCORES')
    assert.equal(COMMAND_ALIASES.configGet, 'CONFIG_GET')
    assert.equal(COMMAND_ALIASES.pTTL, 'PTTL')
    assert.equal(Object.keys(COMMAND_ALIASES).length, Object.keys(C).length)
  })
})

// [what is called, the message expected (command and parameter named)]
const BAD: Array<[string, () => unknown, RegExp]> = [
  ['get undefined key', () => C.get.args(undefined as never), /^GET: parameter "key" is undefined, expected a string or Uint8Array$/],
  ['set object value', () => C.set.args('k', {} as never), /^SET: parameter "value" is an object \(Object\)/],
  ['set NaN value', () => C.set.args('k', NaN), /^SET: parameter "value" is NaN/],
  ['set bad EX', () => C.set.args('k', 'v', { EX: 1.5 }), /^SET: parameter "options.EX" is the number 1.5, expected an integer/],
  ['set options not object', () => C.set.args('k', 'v', 'EX' as never), /^SET: parameter "options" is a string/],
  ['set bad condition', () => C.set.args('k', 'v', { condition: 'YY' as never }), /^SET: parameter "options.condition"/],
  ['mSet empty', () => C.mSet.args([]), /^MSET: parameter "toSet" is an array, expected at least one key/],
  ['mSet odd', () => C.mSet.args(['a']), /^MSET: parameter "toSet"/],
  ['mSet undefined value', () => C.mSet.args({ a: undefined as never }), /^MSET: parameter "toSet.a" is undefined/],
  ['incrBy NaN', () => C.incrBy.args('k', NaN), /^INCRBY: parameter "increment" is NaN/],
  ['del empty list', () => C.del.args([]), /^DEL: parameter "keys" is an array, expected a string or a non-empty array/],
  ['del null in list', () => C.del.args(['a', null as never]), /^DEL: parameter "keys\[1\]" is null/],
  ['expire bad mode', () => C.expire.args('k', 1, 'ZZ' as never), /^EXPIRE: parameter "mode" is a string, expected one of NX, XX, GT, LT/],
  ['expireAt invalid Date', () => C.expireAt.args('k', new Date('nope')), /^EXPIREAT: parameter "timestamp" is an object \(Date\), expected a valid Date/],
  ['hSet undefined value', () => C.hSet.args('h', 'f', undefined as never), /^HSET: parameter "value" is undefined/],
  ['hSet null', () => C.hSet.args('h', null as never), /^HSET: parameter "field" is null/],
  ['hSet empty object', () => C.hSet.args('h', {}), /^HSET: parameter "fieldValues" .*at least one field/],
  ['hSet odd tuples', () => C.hSet.args('h', ['a', 'b', 'c']), /^HSET: parameter "fieldValues" .*pairs/],
  ['hSet object value', () => C.hSet.args('h', { a: {} as never }), /^HSET: parameter "fieldValues.a" is an object/],
  ['hGet number field', () => C.hGet.args('h', 1 as never), /^HGET: parameter "field" is the number 1/],
  ['lRange string index', () => C.lRange.args('l', '0' as never, 1), /^LRANGE: parameter "start" is a string, expected an integer/],
  ['lInsert bad position', () => C.lInsert.args('l', 'INTO' as never, 'p', 'e'), /^LINSERT: parameter "position"/],
  ['blPop NaN timeout', () => C.blPop.args('l', NaN), /^BLPOP: parameter "timeout" is NaN, expected a finite number/],
  ['zAdd NaN score', () => C.zAdd.args('z', { score: NaN, value: 'a' }), /^ZADD: parameter "members.score" is NaN/],
  ['zAdd missing value', () => C.zAdd.args('z', [{ score: 1 } as never]), /^ZADD: parameter "members\[0\].value" is undefined/],
  ['zRange LIMIT', () => C.zRange.args('z', 0, 1, { LIMIT: { offset: 0 } as never }), /^ZRANGE: parameter "options.LIMIT.count" is undefined/],
  ['zUnion weight', () => C.zUnion.args([{ key: 'a', weight: NaN }]), /^ZUNION: parameter "keys\[0\].weight" is NaN/],
  ['xAdd no message', () => C.xAdd.args('s', '*', undefined as never), /^XADD: parameter "message" is undefined/],
  ['xAdd empty message', () => C.xAdd.args('s', '*', {}), /^XADD: parameter "message" .*at least one field/],
  ['xRead bad stream', () => C.xRead.args([{ key: 'a' } as never]), /^XREAD: parameter "streams\[0\].id" is undefined/],
  ['geoSearch bad unit', () => C.geoSearch.args('g', 'm', { radius: 1, unit: 'yd' as never }), /^GEOSEARCH: parameter "by.unit"/],
  ['setBit 2', () => C.setBit.args('b', 0, 2 as never), /^SETBIT: parameter "value" is the number 2, expected 0 or 1/],
  ['configSet no value', () => C.configSet.args('hz'), /^CONFIG SET: parameter "value" is undefined/],
  ['clientSetName undefined', () => C.clientSetName.args(undefined as never), /^CLIENT SETNAME: parameter "name" is undefined/],
]

describe('wrong parameter types throw a TypeError naming command and parameter', () => {
  for (const [name, call, message] of BAD) {
    test(name, () => assert.throws(call, (err: unknown) => err instanceof TypeError && message.test(err.message)))
  }
})

// Commands whose every parameter is optional: `args()` with nothing builds the bare command.
const NO_REQUIRED = new Set([
  'randomKey', 'ping', 'info', 'dbSize', 'flushAll', 'flushDb', 'time', 'lastSave', 'commandCount', 'configResetStat',
  'configRewrite', 'clientId', 'clientGetName', 'clientInfo', 'clientList',
])

describe('every definition', () => {
  for (const [name, def] of Object.entries(C) as Array<[keyof typeof C, (typeof C)[keyof typeof C]]>) {
    const alias = COMMAND_ALIASES[name]
    const names = [alias, alias.replace(/_/g, ' ')]
    test(`${name}: undefined for its first parameter`, () => {
      const call = () => (def.args as (...p: unknown[]) => CommandArgument[])(undefined)
      if (NO_REQUIRED.has(name)) {
        const args = call()
        assert.ok(names.some((n) => n.startsWith(args.join(' '))), `${name} built ${args.join(' ')}`)
        return
      }
      assert.throws(call, (err: unknown) => {
        assert.ok(err instanceof TypeError, `${name} threw ${String(err)}`)
        const command = err.message.slice(0, err.message.indexOf(':'))
        assert.ok(names.some((n) => n.startsWith(command)), `${name}: message names ${command}, alias ${alias}`)
        assert.match(err.message, /: parameter "[^"]+" is undefined, expected /)
        return true
      })
    })
  }
})
