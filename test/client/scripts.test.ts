// Lua scripts and functions: defineScript (node-redis v5's parseCommand and v4's
// transformArguments), the `scripts` and `functions` options, ioredis's defineCommand, against
// a real redis-server under RESP2 and RESP3 (EVALSHA first, EVAL on NOSCRIPT, also after
// SCRIPT FLUSH; FCALL / FCALL_RO; EVAL inside a transaction), and a server restart on the mock
// (the script cache is lost: NOSCRIPT, then EVAL once; an EVALSHA cut by the restart is
// outcome-unknown and never resent).

import assert from 'node:assert/strict'
import { describe, test } from '../support/runtime.ts'
import { ReplyError } from '../../src/resp/index.ts'
import { closeConnection } from '../../src/testing/index.ts'
import { OutcomeUnknownError, createClient, defineScript, type ClientOptions, type CommandParser, type RedisClient, type RedisClientType } from '../../src/client/index.ts'
import { sha1Hex } from '../../src/client/sha1.ts'
import { killAndRestartRedis, startRedis } from '../support/redis.ts'
import { nextEvent, outcome, statefulMock, within, useRealServer } from './fault-support.ts'

const redis = useRealServer()

const add = defineScript({
  SCRIPT: 'return redis.call("GET", KEYS[1]) + ARGV[1]',
  NUMBER_OF_KEYS: 1,
  parseCommand(parser: CommandParser, key: string, toAdd: number) {
    parser.pushKey(key)
    parser.push(String(toAdd))
  },
  transformReply: (reply: number) => reply,
})

const concat = defineScript({
  SCRIPT: 'return KEYS[1] .. "|" .. KEYS[2] .. "|" .. ARGV[1]',
  NUMBER_OF_KEYS: 2,
  transformArguments: (a: string, b: string, tail: string) => [a, b, tail],
  transformReply: (reply: string) => reply.toUpperCase(),
})

const readOnly = defineScript({
  SCRIPT: 'return redis.call("SET", KEYS[1], "x")',
  NUMBER_OF_KEYS: 1,
  IS_READ_ONLY: true,
})

const scripts = { add, concat, readOnly }

type WithScripts = RedisClientType<{ scripts: typeof scripts }>

const real = (RESP: 2 | 3, options: ClientOptions = {}): Promise<WithScripts> =>
  redis.client({ RESP, scripts, ...options }) as Promise<unknown> as Promise<WithScripts>

async function calls(client: RedisClient, command: string): Promise<number> {
  const stats = await client.infoParsed('commandstats')
  const entry = stats.commandstats?.[`cmdstat_${command}`] as Record<string, number> | undefined
  return entry?.calls ?? 0
}

test('defineScript computes the SHA-1 of the source and checks NUMBER_OF_KEYS', () => {
  assert.equal(add.SHA1, sha1Hex(add.SCRIPT))
  assert.equal(defineScript({ SCRIPT: 'return 1' }).SHA1, 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db')
  assert.throws(() => defineScript({ SCRIPT: 'return 1', NUMBER_OF_KEYS: -1 }), TypeError)
  assert.throws(() => defineScript({ SCRIPT: 'return 1', NUMBER_OF_KEYS: 1.5 }), TypeError)
  assert.throws(() => defineScript({} as never), /SCRIPT/)
  assert.throws(() => createClient({ scripts: { get: add } }).connect(), /hide/, 'a script may not shadow a client method')
  assert.throws(() => createClient().defineCommand('set', { lua: 'return 1' }), /hide/, 'nor a defineCommand')
})

test('a functions library may not shadow a client method either (as a script may not)', () => {
  assert.throws(() => createClient({ functions: { get: { myfn: { NUMBER_OF_KEYS: 0 } } } }), /hide|get/)
})

for (const RESP of [2, 3] as const) {
  describe(`scripts on a real server, RESP${RESP}`, () => {
    test('EVALSHA first; on NOSCRIPT one EVAL loads it; later calls are EVALSHA only (also after SCRIPT FLUSH)', async () => {
      const client = await real(RESP)
      await client.sendCommand(['SCRIPT', 'FLUSH'])
      await client.sendCommand(['CONFIG', 'RESETSTAT'])
      await client.set('s:k', '1')
      assert.equal(await client.add('s:k', 2), 3)
      assert.deepEqual(await client.sendCommand(['SCRIPT', 'EXISTS', add.SHA1]), [1], 'the EVAL loaded it')
      assert.equal(await client.add('s:k', 41), 42)
      assert.equal(await calls(client, 'eval'), 1, 'one EVAL, on the NOSCRIPT')
      assert.ok(await calls(client, 'evalsha') >= 1)
      await client.sendCommand(['SCRIPT', 'FLUSH'])
      assert.equal(await client.add('s:k', 9), 10, 'after SCRIPT FLUSH the call still works')
      assert.equal(await calls(client, 'eval'), 2)
      client.destroy()
    })

    test('transformArguments + NUMBER_OF_KEYS (v4 style) and transformReply', async () => {
      const client = await real(RESP)
      assert.equal(await client.concat('a', 'b', 'c'), 'A|B|C')
      client.destroy()
    })

    test('IS_READ_ONLY goes out as EVALSHA_RO / EVAL_RO: a write in it is refused by the server', async () => {
      const client = await real(RESP)
      await client.sendCommand(['SCRIPT', 'FLUSH'])
      const r = await outcome(client.readOnly('s:ro'))
      assert.ok(!r.ok && r.error instanceof ReplyError, String(!r.ok && r.error))
      assert.match((r as { error: Error }).error.message, /write command|read.only|no-writes/i)
      assert.equal(await client.get('s:ro'), null)
      client.destroy()
    })

    test('a script error is the ReplyError, not retried as EVAL', async () => {
      const client = await real(RESP)
      await client.set('s:text', 'not a number')
      await client.add('s:text', 0).catch(() => undefined) // loads it (EVAL) if missing
      await client.sendCommand(['CONFIG', 'RESETSTAT'])
      const r = await outcome(client.add('s:text', 1))
      assert.ok(!r.ok && r.error instanceof ReplyError, String(!r.ok && r.error))
      assert.equal(await calls(client, 'eval'), 0)
      client.destroy()
    })

    test("ioredis's defineCommand: client.name(keys..., args...)", async () => {
      const client = await real(RESP)
      client.defineCommand('incrTwice', { numberOfKeys: 1, lua: 'redis.call("INCRBY", KEYS[1], ARGV[1]); return redis.call("INCRBY", KEYS[1], ARGV[1])' })
      await client.del('s:twice')
      assert.equal(await (client as unknown as { incrTwice(k: string, by: string): Promise<number> }).incrTwice('s:twice', '5'), 10)
      client.destroy()
    })

    test('inside multi(): a script goes out as EVAL (no NOSCRIPT round inside a transaction), shaped', async () => {
      const client = await real(RESP)
      await client.sendCommand(['SCRIPT', 'FLUSH'])
      await client.set('s:m', '10')
      // The builder has the script methods at run time; its type does not list them (yet).
      type ScriptChain = { add(key: string, n: number): ScriptChain & { concat(a: string, b: string, c: string): { get(k: string): { exec(): Promise<unknown[]> } } } }
      const multi = client.multi() as unknown as ScriptChain
      const replies = await multi.add('s:m', 5).concat('x', 'y', 'z').get('s:m').exec()
      assert.deepEqual(replies, [15, 'X|Y|Z', '10'])
      client.destroy()
    })

    test('functions: FUNCTION LOAD, then client.library.fn(...) as FCALL, IS_READ_ONLY as FCALL_RO', async () => {
      const functions = {
        mylib: {
          myadd: {
            NUMBER_OF_KEYS: 1,
            IS_READ_ONLY: true,
            parseCommand(parser: CommandParser, key: string, toAdd: number) {
              parser.pushKey(key)
              parser.push(String(toAdd))
            },
            transformReply: (reply: number) => reply,
          },
          myset: { NUMBER_OF_KEYS: 1 },
        },
      }
      const client = (await real(RESP, { functions })) as unknown as RedisClientType<{ functions: typeof functions }>
      await client.sendCommand(['FUNCTION', 'LOAD', 'REPLACE', `#!lua name=mylib
redis.register_function{function_name='myadd', callback=function(keys, args) return redis.call('GET', keys[1]) + args[1] end, flags={'no-writes'}}
redis.register_function('myset', function(keys, args) return redis.call('SET', keys[1], args[1]) end)`])
      await client.sendCommand(['CONFIG', 'RESETSTAT'])
      assert.equal(await client.mylib.myset('s:f', '7'), 'OK')
      assert.equal(await client.mylib.myadd('s:f', 35), 42)
      assert.equal(await calls(client, 'fcall_ro'), 1)
      assert.equal(await calls(client, 'fcall'), 1)
      client.destroy()
    })
  })
}

for (const RESP of [2, 3] as const) {
  test(`infoParsed() on a real server, RESP${RESP}: sections, numbers, and key=value lists as objects`, async () => {
    const client = await real(RESP)
    await client.set('info:k', '1')
    await client.sendCommand(['NO-SUCH-COMMAND']).catch(() => undefined)
    const info = await client.infoParsed('everything')
    assert.match(String(info.server.redis_version), /^\d+\.\d+\.\d+$/, 'a version stays text')
    assert.equal(typeof info.server.process_id, 'number')
    assert.equal(typeof info.server.executable, 'string')
    assert.deepEqual(Object.keys(info.keyspace.db0 as object).sort(), ['avg_ttl', 'expires', 'keys'])
    assert.ok(((info.keyspace.db0 as Record<string, number>).keys) >= 1)
    assert.equal(typeof (info.commandstats.cmdstat_set as Record<string, number>).calls, 'number')
    assert.equal(typeof (info.errorstats.errorstat_ERR as Record<string, number>).count, 'number', 'errorstats: count=N')
    const latency = Object.values(info.latencystats ?? {})[0] as Record<string, number>
    assert.equal(typeof latency.p50, 'number', 'latencystats: p50=..,p99=..,p99.9=..')
    assert.equal(typeof latency['p99.9'], 'number')
    // No plain text value was taken for a list by mistake.
    for (const [name, section] of Object.entries(info)) {
      for (const [field, value] of Object.entries(section)) {
        if (typeof value === 'object') assert.ok(['keyspace', 'commandstats', 'errorstats', 'latencystats', 'replication', 'modules'].includes(name), `${name}.${field}`)
      }
    }
    client.destroy()
  })
}

test('a real server killed (SIGKILL) and restarted: the next call gets NOSCRIPT and loads the script with one EVAL', async () => {
  let server = await startRedis()
  try {
    const client = createClient({ socket: { port: server.port, host: '127.0.0.1', reconnectStrategy: 20 }, scripts: { add } })
    client.on('error', () => {})
    redis.track(client)
    await within(client.connect(), 'connect')
    await client.set('r:k', '1')
    assert.equal(await client.add('r:k', 1), 2)
    const ready = nextEvent(client, 'ready', 15_000)
    server = await killAndRestartRedis(server)
    await ready
    await client.set('r:k', '10')
    assert.equal(await client.add('r:k', 5), 15)
    assert.equal(await client.add('r:k', 6), 16)
    assert.equal(await calls(client, 'eval'), 1, 'one EVAL on the restarted server')
    assert.equal(await calls(client, 'evalsha'), 2)
    client.destroy()
  } finally {
    await server.stop()
  }
}, { timeout: 30_000 })

describe('scripts across a server restart, on the mock', () => {
  /** A mock with a script cache that a "restart" (closing every connection) empties. */
  function scriptingMock() {
    const mock = statefulMock()
    const cache = new Map<string, string>()
    const run = (body: string, keys: string[], args: string[]): unknown => (body === add.SCRIPT ? Number(mock.data.get(keys[0]) ?? 0) + Number(args[0]) : new ReplyError('ERR unknown script'))
    mock.script('EVALSHA', (command) => {
      const [sha, n, ...rest] = command.args
      const body = cache.get(sha)
      if (body === undefined) return new ReplyError('NOSCRIPT No matching script. Please use EVAL.')
      return run(body, rest.slice(0, Number(n)), rest.slice(Number(n)))
    })
    mock.script('EVAL', (command) => {
      const [body, n, ...rest] = command.args
      cache.set(sha1Hex(body), body)
      return run(body, rest.slice(0, Number(n)), rest.slice(Number(n)))
    })
    return { mock, cache }
  }

  test('after a restart emptied the script cache: EVALSHA gets NOSCRIPT, one EVAL with the same keys and args follows', async () => {
    const { mock, cache } = scriptingMock()
    const client = createClient({ connector: mock.connector, socket: { reconnectStrategy: 1 }, scripts: { add } })
    client.on('error', () => {})
    await within(client.connect(), 'connect')
    mock.data.set('k', '1')
    assert.equal(await client.add('k', 1), 2)
    assert.equal(await client.add('k', 2), 3)
    // The restart: the script cache is gone, and so is the connection.
    cache.clear()
    const ready = nextEvent(client, 'ready')
    await mock.server.close()
    await ready
    assert.equal(await client.add('k', 3), 4)
    const sent = mock.log.filter((l) => l.name === 'EVAL' || l.name === 'EVALSHA').map((l) => `${l.name} ${l.name === 'EVAL' ? 'body' : l.args[0].slice(0, 8)} ${l.args.slice(1).join(' ')}`)
    const sha = add.SHA1.slice(0, 8)
    assert.deepEqual(sent, [`EVALSHA ${sha} 1 k 1`, 'EVAL body 1 k 1', `EVALSHA ${sha} 1 k 2`, `EVALSHA ${sha} 1 k 3`, 'EVAL body 1 k 3'])
    client.destroy()
  })

  test('an EVALSHA cut by the restart is OutcomeUnknownError: not resent, not turned into an EVAL', async () => {
    const { mock } = scriptingMock()
    mock.script('EVALSHA', (_c, _conn, nth) => (nth === 1 ? closeConnection({ abort: true }) : undefined))
    const client = createClient({ connector: mock.connector, socket: { reconnectStrategy: 1 }, scripts: { add } })
    client.on('error', () => {})
    await within(client.connect(), 'connect')
    const ready = nextEvent(client, 'ready')
    const r = await within(outcome(client.add('k', 1)), 'add')
    assert.ok(!r.ok && r.error instanceof OutcomeUnknownError, String(!r.ok && r.error))
    await ready
    assert.equal(await client.ping(), 'PONG')
    assert.equal(mock.count('EVALSHA'), 1)
    assert.equal(mock.count('EVAL'), 0)
    client.destroy()
  })
})
