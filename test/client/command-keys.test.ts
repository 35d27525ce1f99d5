// The command table and key extraction, checked against a real server: keyIndexes against the
// server's own COMMAND GETKEYS on a large table of command lines (every key-spec shape, every
// command of the table, random variants), checkArity against the server's own arity error, and
// the committed table against what scripts/gen-command-table.ts generates from this server.

import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from '../support/runtime.ts'
import { type RedisServer, startRedis } from '../support/redis.ts'
import { ReplyError, type CommandArgument } from '../../src/resp/index.ts'
import { TABLE_PATH, type RawConnection, generateCommandTable, openRaw } from '../../scripts/gen-command-table.ts'
import {
  allCommands, checkArity, commandByName, commandFlags, commandInfo, firstKeyIndex, isReadOnly, keyIndexes, keyIndexesOf,
} from '../../src/client/command-keys.ts'

const text = new TextDecoder()
const bytes = (s: string) => new TextEncoder().encode(s)
const show = (arg: CommandArgument) => (arg instanceof Uint8Array ? text.decode(arg) : String(arg))
const words = (line: string): string[] => line.split(' ')

/** A deterministic PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n)
  }
}

// Command lines covering every key-spec shape: index + range (fixed, negative lastkey, steps),
// keyword + range (with limit), keynum, several specs, subcommands, the commands with their
// own parsers (SORT, MIGRATE), numbers as arguments, bytes as arguments, and lines the server
// refuses (too few arguments, a count larger than what follows).
const LINES: CommandArgument[][] = [
  // strings
  'GET k1', 'get k1', 'GeT k1', 'SET k1 v', 'SET k1 v GET', 'SET k1 v EX 10 NX', 'SETEX k1 10 v', 'PSETEX k1 10 v',
  'GETDEL k1', 'GETEX k1 PERSIST', 'GETRANGE k1 0 1', 'SETRANGE k1 0 v', 'APPEND k1 v', 'STRLEN k1', 'INCR k1',
  'INCRBY k1 2', 'INCRBYFLOAT k1 1.5', 'DECR k1', 'DECRBY k1 2', 'GETSET k1 v', 'SETNX k1 v', 'SUBSTR k1 0 1',
  'MGET k1', 'MGET k1 k2 k3', 'MSET k1 v1', 'MSET k1 v1 k2 v2 k3 v3', 'MSET k1 v1 k2', 'MSETNX k1 v1 k2 v2', 'LCS k1 k2 LEN',
  // keys
  'DEL k1', 'DEL k1 k2 k3', 'UNLINK k1 k2', 'EXISTS k1 k2', 'TOUCH k1 k2', 'EXPIRE k1 10', 'PEXPIRE k1 10',
  'EXPIREAT k1 10', 'PEXPIREAT k1 10', 'EXPIRETIME k1', 'PEXPIRETIME k1', 'TTL k1', 'PTTL k1', 'PERSIST k1', 'TYPE k1',
  'RENAME k1 k2', 'RENAMENX k1 k2', 'COPY k1 k2', 'COPY k1 k2 DB 1 REPLACE', 'MOVE k1 1', 'DUMP k1', 'RESTORE k1 0 x',
  'OBJECT ENCODING k1', 'object encoding k1', 'OBJECT FREQ k1', 'OBJECT IDLETIME k1', 'OBJECT REFCOUNT k1', 'OBJECT HELP',
  'MEMORY USAGE k1', 'MEMORY USAGE k1 SAMPLES 5', 'MEMORY STATS', 'MEMORY DOCTOR', 'KEYS *', 'SCAN 0', 'RANDOMKEY', 'DBSIZE',
  'SORT k1', 'SORT k1 STORE k2', 'sort k1 by w* get # get w* store k2', 'SORT k1 LIMIT 0 5 STORE k2', 'SORT k1 STORE k2 STORE k3',
  'SORT k1 STORE', 'SORT k1 LIMIT STORE 1 STORE k2', 'SORT k1 GET STORE', 'SORT k1 BY STORE STORE k2', 'SORT_RO k1 BY w*',
  'MIGRATE h 1 k1 0 5000', 'MIGRATE h 1 k1 0 5000 COPY REPLACE', 'MIGRATE h 1 "" 0 5000 KEYS k1 k2 k3',
  'MIGRATE h 1 "" 0 5000 COPY AUTH pw KEYS k1 k2', 'MIGRATE h 1 "" 0 5000 AUTH keys KEYS k1', 'MIGRATE h 1 "" 0 5000 AUTH2 u keys KEYS k1',
  'MIGRATE h 1 k1 0 5000 KEYS k2', 'MIGRATE h 1 "" 0 5000 KEYS', 'WAIT 0 0',
  // hashes
  'HSET k1 f v', 'HSET k1 f v f2 v2', 'HGET k1 f', 'HGETALL k1', 'HMGET k1 f g', 'HMSET k1 f v', 'HDEL k1 f', 'HLEN k1',
  'HKEYS k1', 'HVALS k1', 'HEXISTS k1 f', 'HINCRBY k1 f 1', 'HINCRBYFLOAT k1 f 1.5', 'HSETNX k1 f v', 'HSTRLEN k1 f',
  'HRANDFIELD k1 2 WITHVALUES', 'HSCAN k1 0',
  // lists
  'LPUSH k1 a b', 'RPUSH k1 a', 'LPUSHX k1 a', 'RPUSHX k1 a', 'LPOP k1', 'RPOP k1 2', 'LLEN k1', 'LRANGE k1 0 -1', 'LINDEX k1 0',
  'LSET k1 0 v', 'LINSERT k1 BEFORE a b', 'LREM k1 0 a', 'LTRIM k1 0 1', 'LPOS k1 a', 'LMOVE k1 k2 LEFT RIGHT',
  'RPOPLPUSH k1 k2', 'BLPOP k1 k2 0', 'BRPOP k1 0', 'BRPOPLPUSH k1 k2 0', 'BLMOVE k1 k2 LEFT LEFT 0',
  'LMPOP 2 k1 k2 LEFT', 'LMPOP 1 k1 RIGHT COUNT 2', 'BLMPOP 0 2 k1 k2 LEFT', 'LMPOP 3 k1 k2', 'LMPOP 0 LEFT', 'LMPOP x k1 LEFT',
  // sets
  'SADD k1 a b', 'SREM k1 a', 'SMEMBERS k1', 'SISMEMBER k1 a', 'SMISMEMBER k1 a b', 'SCARD k1', 'SPOP k1', 'SRANDMEMBER k1 2',
  'SMOVE k1 k2 a', 'SINTER k1 k2', 'SUNION k1 k2 k3', 'SDIFF k1', 'SINTERSTORE k1 k2 k3', 'SUNIONSTORE k1 k2', 'SDIFFSTORE k1 k2 k3',
  'SINTERCARD 2 k1 k2', 'SINTERCARD 2 k1 k2 LIMIT 5', 'SSCAN k1 0',
  // sorted sets
  'ZADD k1 1 a', 'ZADD k1 NX 1 a 2 b', 'ZREM k1 a', 'ZSCORE k1 a', 'ZMSCORE k1 a b', 'ZINCRBY k1 1 a', 'ZCARD k1', 'ZCOUNT k1 0 1',
  'ZRANGE k1 0 -1 WITHSCORES', 'ZRANGEBYSCORE k1 0 1', 'ZREVRANGEBYSCORE k1 1 0', 'ZRANGEBYLEX k1 - +', 'ZREVRANGE k1 0 1',
  'ZRANGESTORE k1 k2 0 -1', 'ZRANK k1 a', 'ZREVRANK k1 a', 'ZREMRANGEBYSCORE k1 0 1', 'ZREMRANGEBYRANK k1 0 1', 'ZREMRANGEBYLEX k1 - +',
  'ZLEXCOUNT k1 - +', 'ZPOPMIN k1', 'ZPOPMAX k1 2', 'BZPOPMIN k1 k2 0', 'BZPOPMAX k1 0', 'ZRANDMEMBER k1', 'ZSCAN k1 0',
  'ZUNIONSTORE k1 2 k2 k3', 'ZUNIONSTORE k1 2 k2 k3 WEIGHTS 1 2 AGGREGATE SUM', 'ZINTERSTORE k1 1 k2', 'ZDIFFSTORE k1 2 k2 k3',
  'ZUNION 2 k1 k2', 'ZINTER 3 k1 k2 k3 WITHSCORES', 'ZDIFF 1 k1', 'ZINTERCARD 2 k1 k2 LIMIT 1',
  'ZMPOP 2 k1 k2 MIN', 'BZMPOP 0 1 k1 MAX COUNT 2', 'ZUNIONSTORE k1 0 k2', 'ZUNIONSTORE k1 5 k2 k3', 'ZUNION 01 k1', 'ZUNION -1 k1',
  // streams
  'XADD k1 * f v', 'XADD k1 NOMKSTREAM MAXLEN ~ 10 * f v', 'XLEN k1', 'XRANGE k1 - +', 'XREVRANGE k1 + -', 'XDEL k1 0-1', 'XTRIM k1 MAXLEN 10',
  'XREAD STREAMS k1 0', 'XREAD COUNT 2 BLOCK 0 STREAMS k1 k2 0 0', 'xread streams k1 k2 k3 0 0 0', 'XREAD STREAMS k1 k2 0',
  'XREAD STREAMS streams 0', 'XREAD COUNT 1 STREAMS', 'XREADGROUP GROUP g c STREAMS k1 >', 'XREADGROUP GROUP g c COUNT 1 NOACK STREAMS k1 k2 > >',
  'XREADGROUP GROUP streams c STREAMS k1 >', 'XACK k1 g 0-1', 'XCLAIM k1 g c 0 0-1', 'XAUTOCLAIM k1 g c 0 0', 'XPENDING k1 g',
  'XSETID k1 0-1', 'XGROUP CREATE k1 g $', 'XGROUP CREATECONSUMER k1 g c', 'XGROUP DELCONSUMER k1 g c', 'XGROUP DESTROY k1 g',
  'XGROUP SETID k1 g $', 'XINFO STREAM k1', 'XINFO STREAM k1 FULL', 'XINFO GROUPS k1', 'XINFO CONSUMERS k1 g', 'XINFO HELP',
  // HyperLogLog, geo, bitmaps
  'PFADD k1 a', 'PFCOUNT k1 k2', 'PFMERGE k1 k2 k3', 'GEOADD k1 1 2 m', 'GEODIST k1 a b', 'GEOHASH k1 a', 'GEOPOS k1 a',
  'GEORADIUS k1 1 2 3 km', 'GEORADIUS k1 1 2 3 km STORE k2', 'GEORADIUS k1 1 2 3 km STOREDIST k2', 'GEORADIUS k1 1 2 3 km store k2 storedist k3',
  'GEORADIUS k1 1 2 3 km STOREDIST k2 STORE k3', 'GEORADIUS k1 1 2 3 km STORE', 'GEORADIUS_RO k1 1 2 3 km', 'GEORADIUSBYMEMBER k1 a 3 km STORE k2',
  'GEORADIUSBYMEMBER_RO k1 a 3 km', 'GEOSEARCH k1 FROMMEMBER a BYRADIUS 1 km', 'GEOSEARCHSTORE k1 k2 FROMMEMBER a BYRADIUS 1 km',
  'SETBIT k1 0 1', 'GETBIT k1 0', 'BITCOUNT k1', 'BITPOS k1 1', 'BITOP AND k1 k2 k3', 'BITOP NOT k1 k2', 'BITFIELD k1 GET u8 0',
  'BITFIELD_RO k1 GET u8 0',
  // scripting, functions, transactions, pub/sub
  'EVAL s 0', 'EVAL s 1 k1', 'EVAL s 2 k1 k2 a1 a2', 'EVAL s 3 k1', 'EVAL s x k1', 'EVAL s -1', 'EVALSHA s 1 k1 a', 'EVAL_RO s 2 k1 k2',
  'EVALSHA_RO s 0 a', 'FCALL f 1 k1', 'FCALL f 0', 'FCALL_RO f 2 k1 k2 a', 'SCRIPT LOAD s', 'SCRIPT EXISTS a b', 'SCRIPT FLUSH',
  'FUNCTION LIST', 'FUNCTION DELETE lib', 'WATCH k1 k2', 'UNWATCH', 'MULTI', 'EXEC', 'DISCARD', 'PUBLISH ch m', 'SPUBLISH ch m',
  'SUBSCRIBE ch', 'SSUBSCRIBE ch', 'PSUBSCRIBE p*', 'PUBSUB CHANNELS', 'PUBSUB NUMSUB ch', 'PUBSUB SHARDNUMSUB ch',
  // server and connection
  'PING', 'ECHO x', 'SELECT 1', 'CONFIG GET maxmemory', 'config get maxmemory', 'CONFIG SET a b', 'CONFIG RESETSTAT', 'INFO',
  'CLIENT SETNAME n', 'CLIENT GETNAME', 'CLIENT LIST', 'CLIENT KILL ID 1', 'CLIENT NO-EVICT on', 'CLUSTER KEYSLOT k1', 'CLUSTER INFO',
  'COMMAND COUNT', 'COMMAND INFO get', 'COMMAND GETKEYS get k1', 'FLUSHALL', 'FLUSHDB ASYNC', 'TIME', 'LASTSAVE', 'ROLE',
  'SLOWLOG GET 10', 'LATENCY LATEST', 'ACL WHOAMI', 'ACL CAT', 'HELLO 3', 'AUTH pw', 'SWAPDB 0 1', 'LOLWUT', 'DEBUG SLEEP 0',
  'MODULE LIST', 'READONLY', 'ASKING',
  // too few arguments for the command
  'GET', 'SET k1', 'MSET', 'EVAL s', 'XREAD', 'ZUNIONSTORE k1', 'OBJECT ENCODING', 'MIGRATE h 1 k1', 'LMPOP 2', 'SORT',
].map((line) => words(line).map((w) => (w === '""' ? '' : w)))

// Numbers, bigints and bytes as arguments (the client passes them through as they are).
LINES.push(
  ['EVAL', 's', 2, 'k1', 'k2', 'a'],
  ['EVAL', 's', 1n, 'k1'],
  ['ZUNIONSTORE', 'k1', 2, 'k2', 'k3'],
  [bytes('GET'), bytes('k1')],
  [bytes('xread'), bytes('STREAMS'), bytes('k1'), bytes('0')],
  ['XREAD', 'COUNT', 5, bytes('sTrEaMs'), 'k1', 'k2', 0, 0],
  [bytes('OBJECT'), bytes('encoding'), bytes('k1')],
  ['SORT', bytes('k1'), bytes('store'), bytes('k2')],
  ['MIGRATE', 'h', 1, bytes(''), 0, 5000, bytes('keys'), 'k1'],
)

/** Random variants: many keys for the multi-key commands, numkeys scripts, XREAD STREAMS. */
function variants(seed: number, count: number): CommandArgument[][] {
  const rand = prng(seed)
  const keys = (n: number, tag = 'k') => Array.from({ length: n }, (_, i) => `${tag}${i}`)
  const lines: CommandArgument[][] = []
  for (let i = 0; i < count; i++) {
    const n = 1 + rand(40)
    const extra = rand(4)
    switch (rand(12)) {
      case 0: lines.push(['MSET', ...keys(n).flatMap((k) => [k, 'v'])]); break
      case 1: lines.push(['MGET', ...keys(n)]); break
      case 2: lines.push([['DEL', 'UNLINK', 'EXISTS', 'TOUCH'][rand(4)], ...keys(n)]); break
      case 3: lines.push(['EVAL', 's', String(n), ...keys(n), ...keys(extra, 'a')]); break
      case 4: lines.push(['FCALL_RO', 'f', n, ...keys(n), ...keys(extra, 'a')]); break
      // A count larger than what follows: the server refuses it, we return what is there.
      case 5: lines.push(['EVALSHA', 's', String(n + 1 + extra), ...keys(n)]); break
      case 6: lines.push(['XREAD', 'COUNT', '1', 'STREAMS', ...keys(n), ...Array(n).fill('0')]); break
      case 7: lines.push(['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', ...keys(n), ...Array(n).fill('>')]); break
      case 8: lines.push(['ZUNIONSTORE', 'dest', String(n), ...keys(n), 'AGGREGATE', 'MAX']); break
      case 9: lines.push([['LMPOP', 'ZMPOP', 'SINTERCARD', 'ZINTER'][rand(4)], String(n), ...keys(n), 'LEFT']); break
      case 10: lines.push(['BLMPOP', '0', String(n), ...keys(n), 'LEFT']); break
      // An odd number of arguments after STREAMS.
      default: lines.push(['XREAD', 'STREAMS', ...keys(n), ...Array(Math.max(0, n - 1 - extra)).fill('0')]); break
    }
  }
  return lines
}

/** One line per command and subcommand of the table, with `args` arguments after the name(s). */
function sweep(): CommandArgument[][] {
  const lines: CommandArgument[][] = []
  for (const info of allCommands()) {
    if (info.subcommands) continue
    const name = info.container ? [info.container, info.name.slice(info.container.length + 1)] : [info.name]
    const need = Math.abs(info.arity)
    for (const total of [need - 1, need, need + 1, need + 3]) {
      if (total < name.length) continue
      lines.push([...name, ...Array.from({ length: total - name.length }, (_, i) => `k${i + name.length}`)])
    }
  }
  return lines
}

interface Check {
  line: CommandArgument[]
  reply: unknown
}

async function getKeys(conn: RawConnection, lines: CommandArgument[][]): Promise<Check[]> {
  const replies = await Promise.all(lines.map((line) => conn.send(['COMMAND', 'GETKEYS', ...line])))
  return lines.map((line, i) => ({ line, reply: replies[i] }))
}

/**
 * keyIndexes against COMMAND GETKEYS: the same keys in the same order where the server finds
 * keys; [] where it says the command has none; where it refuses the arguments, indexes that
 * exist (and an arity error from checkArity when the server's complaint is the count).
 */
function compare(checks: Check[]): number {
  let exact = 0
  for (const { line, reply } of checks) {
    const what = line.map(show).join(' ')
    let ours: number[] = []
    assert.doesNotThrow(() => { ours = keyIndexes(line) }, what)
    for (const i of ours) assert.ok(Number.isInteger(i) && i >= 1 && i < line.length, `${what}: index ${i} out of range`)
    if (line.length === 1) {
      // COMMAND GETKEYS needs an argument after the name; a bare name has no keys anyway.
      assert.deepEqual(ours, [], what)
    } else if (Array.isArray(reply) && reply.length === 0 && commandFlags(line).has('no_mandatory_keys') && ours.length > 0) {
      // EVAL s 3 k1: the server refuses the count and, keys being optional for scripts, says
      // none; we route by the keys that are there: those after the count, in order.
      assert.deepEqual(ours, ours.map((_, i) => 3 + i), what)
    } else if (Array.isArray(reply)) {
      assert.deepEqual(ours.map((i) => show(line[i])), reply.map(String), what)
      assert.equal(checkArity(line), undefined, what)
      exact++
    } else {
      assert.ok(reply instanceof ReplyError, `${what}: ${String(reply)}`)
      if (/no key arguments/.test(reply.message)) assert.deepEqual(ours, [], what)
      else if (/Invalid number of arguments/.test(reply.message)) assert.ok(checkArity(line), `${what}: checkArity`)
      else if (/Invalid command specified/.test(reply.message)) assert.equal(commandInfo(line), undefined, what)
      else assert.match(reply.message, /Invalid arguments specified/, what)
    }
  }
  return exact
}

describe('command table and key extraction', () => {
  let redis: RedisServer
  let conn: RawConnection

  before(async () => {
    redis = await startRedis()
    conn = await openRaw(redis.port)
    assert.ok(!(await conn.send(['HELLO', '3']) instanceof ReplyError))
  })

  after(async () => {
    await conn?.close()
    await redis?.stop()
  })

  test('the committed table is what the generator makes from this server', async () => {
    const generated = await generateCommandTable(conn)
    const committed = readFileSync(TABLE_PATH, 'utf8')
    if (generated !== committed) {
      const a = committed.split('\n')
      const b = generated.split('\n')
      const at = a.findIndex((line, i) => line !== b[i])
      assert.fail(`src/client/command-table.ts is stale (run npm run gen:commands); first difference at line ${at + 1}:\n- ${a[at]}\n+ ${b[at]}`)
    }
    // Loaded by every client: it must stay small.
    assert.ok(committed.length < 100_000, `table is ${committed.length} bytes`)
  })

  test('keyIndexes agrees with COMMAND GETKEYS on every key-spec shape', async () => {
    const exact = compare(await getKeys(conn, LINES))
    assert.ok(exact > 200, `only ${exact} lines had keys to compare`)
  })

  test('keyIndexes agrees with COMMAND GETKEYS on every command of the table, arity -1 to +3', async () => {
    const lines = sweep()
    assert.ok(lines.length > 1000, `${lines.length} lines`)
    compare(await getKeys(conn, lines))
  })

  test('keyIndexes agrees with COMMAND GETKEYS on random multi-key lines', async () => {
    const exact = compare(await getKeys(conn, variants(0x5eed, 2000)))
    assert.ok(exact > 1200, `only ${exact} lines had keys to compare`)
  })

  test('checkArity gives the server\'s own error for every command and subcommand', async () => {
    // A wrong number of arguments is refused before anything runs, so these are safe to send.
    const lines: CommandArgument[][] = []
    for (const info of allCommands()) {
      const name = info.container ? [info.container, info.name.slice(info.container.length + 1)] : [info.name]
      const need = Math.abs(info.arity)
      const counts = info.arity > 0 ? [need - 1, need + 1] : [need - 1]
      for (const total of counts) {
        if (total < name.length) continue
        lines.push([...name, ...Array.from({ length: total - name.length }, () => 'x')])
      }
    }
    assert.ok(lines.length > 300, `${lines.length} lines`)
    const replies = await Promise.all(lines.map((line) => conn.send(line)))
    lines.forEach((line, i) => {
      const reply = replies[i]
      const what = line.map(show).join(' ')
      assert.ok(reply instanceof ReplyError, `${what}: the server ran it`)
      assert.equal(checkArity(line), reply.message, what)
    })
    // A container with an unknown subcommand: the server's word, not ours.
    const unknown = await conn.send(['CONFIG', 'NOSUCH'])
    assert.ok(unknown instanceof ReplyError && /unknown subcommand/i.test(unknown.message))
    assert.equal(checkArity(['CONFIG', 'NOSUCH']), undefined)
    assert.equal(checkArity(['NOSUCHCOMMAND']), undefined)
    assert.equal(checkArity(['GET', 'k']), undefined)
    assert.equal(checkArity(['CONFIG', 'GET', 'x']), undefined)
  })
})

describe('command table lookups', () => {
  test('subcommands, any case, strings or bytes', () => {
    assert.equal(commandInfo(['CONFIG', 'GET', 'x'])?.name, 'config|get')
    assert.equal(commandInfo(['config', 'get'])?.name, 'config|get')
    assert.equal(commandInfo([bytes('Config'), bytes('gEt'), 'x'])?.name, 'config|get')
    assert.equal(commandInfo(['XINFO', 'STREAM', 'k'])?.name, 'xinfo|stream')
    assert.equal(commandInfo(['OBJECT', 'ENCODING', 'k'])?.name, 'object|encoding')
    assert.equal(commandInfo(['MEMORY', 'USAGE', 'k'])?.name, 'memory|usage')
    assert.equal(commandInfo(['CLIENT', 'NO-EVICT', 'on'])?.name, 'client|no-evict')
    // A container alone, or with an unknown subcommand, is the container; unknown names nothing.
    assert.equal(commandInfo(['CONFIG'])?.name, 'config')
    assert.equal(commandInfo(['CONFIG', 'NOSUCH'])?.name, 'config')
    assert.equal(commandInfo(['NOSUCH']), undefined)
    assert.equal(commandInfo([]), undefined)
    assert.equal(commandInfo([bytes('')]), undefined)
    assert.equal(commandByName('CONFIG|GET')?.name, 'config|get')
    assert.equal(commandByName('hgetall')?.method, 'hGetAll')
    assert.equal(commandByName('config|nosuch'), undefined)
    // Names longer than any in the table are not even lower-cased (a huge value as subcommand).
    const longest = Math.max(...allCommands().flatMap((c) => c.name.split('|').map((w) => w.length)))
    assert.ok(longest < 64, `longest name ${longest}`)
    assert.equal(commandInfo(['OBJECT', 'x'.repeat(1 << 20)])?.name, 'object')
    assert.equal(commandInfo([bytes('g'.repeat(100))]), undefined)
  })

  test('method names in node-redis v5 spelling', () => {
    const expected: Record<string, string> = {
      hgetall: 'hGetAll', setex: 'setEx', zrangebyscore: 'zRangeByScore', xadd: 'xAdd', pexpire: 'pExpire', mget: 'mGet',
      incrbyfloat: 'incrByFloat', getdel: 'getDel', lpush: 'lPush', bzpopmin: 'bzPopMin', 'client|setname': 'clientSetName',
      'config|get': 'configGet', hmget: 'hmGet', smismember: 'smIsMember', blmpop: 'blmPop', brpoplpush: 'brPopLPush',
      'acl|whoami': 'aclWhoAmI', 'cluster|countkeysinslot': 'clusterCountKeysInSlot', 'memory|malloc-stats': 'memoryMallocStats',
      'restore-asking': 'restoreAsking', evalsha_ro: 'evalShaRo', fcall: 'fCall', pttl: 'pTTL', renamenx: 'renameNX',
      psubscribe: 'pSubscribe', 'pubsub|shardnumsub': 'pubSubShardNumSub', dbsize: 'dbSize', zrevrangebyscore: 'zRevRangeByScore',
    }
    for (const [name, method] of Object.entries(expected)) assert.equal(commandByName(name)?.method, method, name)
    // Every method name is unique, and a valid identifier.
    const methods = allCommands().map((c) => c.method)
    assert.equal(new Set(methods).size, methods.length)
    for (const m of methods) assert.match(m, /^[a-z][A-Za-z]*$/)
  })

  test('flags, tips, deprecation, ACL categories', () => {
    assert.equal(isReadOnly(['GET', 'k']), true)
    assert.equal(isReadOnly(['SET', 'k', 'v']), false)
    assert.equal(isReadOnly(['OBJECT', 'ENCODING', 'k']), true)
    assert.equal(isReadOnly(['EVAL_RO', 's', '0']), true)
    assert.equal(isReadOnly(['EVAL', 's', '0']), false)
    assert.equal(isReadOnly(['NOSUCH']), false)
    assert.ok(commandFlags(['BLPOP', 'k', '0']).has('blocking'))
    assert.ok(commandFlags(['XREAD', 'STREAMS', 'k', '0']).has('movablekeys'))
    assert.ok(commandFlags(['PING']).has('fast'))
    assert.equal(commandFlags(['NOSUCH']).size, 0)
    const dbsize = commandByName('dbsize')!
    assert.equal(dbsize.requestPolicy, 'all_shards')
    assert.equal(dbsize.responsePolicy, 'agg_sum')
    assert.equal(commandByName('keys')?.requestPolicy, 'all_shards')
    assert.equal(commandByName('flushall')?.requestPolicy, 'all_shards')
    assert.equal(commandByName('get')?.requestPolicy, undefined)
    const zrbs = commandByName('zrangebyscore')!
    assert.equal(zrbs.deprecated, true)
    assert.equal(zrbs.deprecatedSince, '6.2.0')
    assert.match(zrbs.replacedBy ?? '', /ZRANGE/)
    assert.equal(commandByName('zrange')?.deprecated, false)
    const get = commandByName('get')!
    assert.deepEqual([get.arity, get.firstKey, get.lastKey, get.step, get.group], [2, 1, 1, 1, 'string'])
    assert.ok(get.aclCategories.includes('read') && get.aclCategories.includes('string'))
    assert.equal(get.since, '1.0.0')
    const xread = commandByName('xread')!.keySpecs[0]
    assert.deepEqual(
      [xread.beginSearch, xread.keyword, xread.startFrom, xread.findKeys, xread.lastKey, xread.keyStep, xread.limit],
      ['keyword', 'STREAMS', 1, 'range', -1, 1, 2],
    )
    const evalSpec = commandByName('eval')!.keySpecs[0]
    assert.deepEqual([evalSpec.beginSearch, evalSpec.index, evalSpec.findKeys, evalSpec.keyNumIdx, evalSpec.firstKey], ['index', 2, 'keynum', 0, 1])
    assert.deepEqual(commandByName('del')!.keySpecs[0].flags, ['RM', 'delete'])
  })

  test('only SORT, SORT_RO and MIGRATE need a parser of their own', () => {
    // A new server version that adds another unknown or incomplete spec must be looked at.
    const own = allCommands()
      .filter((c) => c.keySpecs.some((s) => s.beginSearch === 'unknown' || s.findKeys === 'unknown' || s.flags.includes('incomplete')))
      .map((c) => c.name)
    assert.deepEqual(own.sort(), ['migrate', 'sort', 'sort_ro'])
  })

  test('any prefix of any line: no throw, no index past the end', () => {
    const lines = [...LINES, ...variants(7, 200), ...sweep()]
    let count = 0
    for (const line of lines) {
      for (let n = 0; n <= line.length; n++) {
        const prefix = line.slice(0, n)
        const keys = keyIndexes(prefix)
        for (const i of keys) assert.ok(i >= 1 && i < n, `${prefix.map(show).join(' ')}: ${i}`)
        const first = firstKeyIndex(prefix)
        assert.equal(first, keys.length > 0 ? keys[0] : -1, prefix.map(show).join(' '))
        count++
      }
    }
    assert.ok(count > 5000)
  })

  test('arguments the server refuses: the keys that are there', () => {
    // The server answers these with an error; routing by the keys present is harmless.
    assert.deepEqual(keyIndexes(words('EVAL s 3 k1')), [3])
    assert.deepEqual(keyIndexes(words('ZUNIONSTORE d 0 k1')), [1])
    assert.deepEqual(keyIndexes(words('ZUNIONSTORE d x k1')), [1])
    assert.deepEqual(keyIndexes(words('XREAD STREAMS')), [])
    // MIGRATE with KEYS needs an empty key argument; otherwise, as the server's parser, none.
    assert.deepEqual(keyIndexes(words('MIGRATE h 1 k1 0 5000 KEYS k2')), [])
    assert.deepEqual(keyIndexes(['MIGRATE', 'h', '1', '', '0', '5000', 'KEYS', 'k2', 'k3']), [7, 8])
    assert.deepEqual(keyIndexes(['EVAL', 's', 1.5, 'k1']), [3])
    assert.deepEqual(keyIndexes(['EVAL', 's', -1, 'k1']), [])
    assert.deepEqual(keyIndexes(['EVAL', 's', 10n ** 30n, 'k1']), [3])
  })

  test('the output array is reused when given', () => {
    const out = [99, 98, 97]
    assert.equal(keyIndexes(['MGET', 'a', 'b'], out), out)
    assert.deepEqual(out, [1, 2])
    assert.deepEqual(keyIndexes(['PING'], out), [])
    const line = ['ZUNIONSTORE', 'd', '2', 'a', 'b']
    assert.deepEqual(keyIndexesOf(commandInfo(line)!, line, out), [1, 3, 4])
    assert.equal(out.length, 3)
  })
})
