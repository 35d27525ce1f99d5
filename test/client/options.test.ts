// createClient's option checks, without a server: every wrong value throws a TypeError at
// createClient that names the option, conflicting options are refused, and URLs are parsed the
// way node-redis documents them (redis[s]://[[user][:password]@][host][:port][/db]). A URL that
// is refused never has its password repeated in the error.

import assert from 'node:assert/strict'
import { describe, test } from '../support/runtime.ts'
import { createClient, type ClientOptions } from '../../src/client/index.ts'
import { parseUrl } from '../../src/client/options.ts'

const CANARY = 'canary-Pw-7f3a9'

/** The TypeError createClient throws for these options; fails the test if it does not throw one. */
function refusal(options: unknown): TypeError {
  try {
    createClient(options as ClientOptions)
  } catch (err) {
    assert.ok(err instanceof TypeError, `expected a TypeError, got ${String(err)}`)
    return err
  }
  assert.fail(`createClient(${describeValue(options)}) did not throw`)
}

function describeValue(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : typeof v === 'function' ? '[function]' : v))
  } catch {
    return String(value)
  }
}

/** createClient refuses these options with a TypeError whose message names `option`. */
function refuses(options: unknown, option: string): TypeError {
  const err = refusal(options)
  assert.ok(err.message.includes(`\`${option}\``), `the message should name \`${option}\`: ${err.message}`)
  return err
}

/** The socket options the client will connect with. */
function socketOf(options: ClientOptions): Record<string, unknown> {
  return createClient(options).options.socket as Record<string, unknown>
}

describe('createClient: option values', () => {
  const ms = ['socket.connectTimeout', 'socket.socketTimeout', 'offlineQueueTimeout', 'pingInterval', 'commandOptions.timeout']
  const badMs: Array<[string, unknown]> = [
    ['negative', -1], ['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity], ['a string', '100'], ['null', null],
    ['an object', {}], ['a boolean', true], ['a bigint', 5n],
  ]

  /** Puts `value` at a dotted option path. */
  const at = (path: string, value: unknown): Record<string, unknown> => {
    const [head, tail] = path.split('.')
    return tail === undefined ? { [head]: value } : { [head]: { [tail]: value } }
  }

  for (const option of ms) {
    for (const [what, value] of badMs) {
      test(`${option}: ${what} -> TypeError naming it`, () => {
        refuses(at(option, value), option)
      })
    }
    test(`${option}: 0 and a positive number are accepted`, () => {
      createClient(at(option, 0) as ClientOptions)
      createClient(at(option, 250) as ClientOptions)
    })
  }

  const ints: Array<[string, number, number]> = [
    ['socket.port', 1, 65535],
    ['database', 0, 2 ** 31 - 1],
    ['commandsQueueMaxLength', 1, Number.MAX_SAFE_INTEGER],
  ]
  for (const [option, min, max] of ints) {
    for (const [what, value] of [['below the range', min - 1], ['a fraction', min + 0.5], ['NaN', NaN], ['Infinity', Infinity], ['a string', String(min)], ['null', null]] as const) {
      test(`${option}: ${what} -> TypeError naming it`, () => {
        refuses(at(option, value), option)
      })
    }
    if (max < Number.MAX_SAFE_INTEGER) {
      test(`${option}: above the range (${max + 1}) -> TypeError naming it`, () => {
        refuses(at(option, max + 1), option)
      })
    }
    test(`${option}: ${min} and ${max} are accepted`, () => {
      createClient(at(option, min) as ClientOptions)
      createClient(at(option, max) as ClientOptions)
    })
  }

  const strings = ['socket.host', 'socket.path', 'socket.servername', 'username', 'name', 'url']
  for (const option of strings) {
    for (const [what, value] of [['a number', 1], ['an object', {}], ['an array', ['x']], ['null', null], ['a boolean', false]] as const) {
      test(`${option}: ${what} -> TypeError naming it`, () => {
        // TLS options need TLS, a username needs a password: give them, so only the type is wrong.
        const extra = option === 'socket.servername' ? { socket: { tls: true, servername: value } } : option === 'username' ? { username: value, password: 'x' } : undefined
        refuses(extra ?? at(option, value), option)
      })
    }
  }

  const bools = ['socket.tls', 'socket.noDelay', 'disableOfflineQueue']
  for (const option of bools) {
    for (const [what, value] of [['a string', 'true'], ['a number', 1], ['null', null], ['an object', {}]] as const) {
      test(`${option}: ${what} -> TypeError naming it`, () => {
        refuses(at(option, value), option)
      })
    }
  }

  test('socket.rejectUnauthorized: a string -> TypeError naming it', () => {
    refuses({ socket: { tls: true, rejectUnauthorized: 'false' } }, 'socket.rejectUnauthorized')
  })

  test('password: a wrong type names the option and does not print the value', () => {
    const err = refuses({ password: { secret: CANARY } }, 'password')
    assert.ok(!err.message.includes(CANARY), err.message)
    const err2 = refuses({ password: 12345678 }, 'password')
    assert.ok(!err2.message.includes('12345678'), err2.message)
  })

  for (const [what, value] of [['negative', -1], ['NaN', NaN], ['a string', 'yes'], ['null', null]] as const) {
    test(`socket.keepAlive: ${what} -> TypeError naming it`, () => {
      refuses({ socket: { keepAlive: value } }, 'socket.keepAlive')
    })
  }
  test('socket.keepAlive: true, false and a delay in ms are accepted', () => {
    for (const keepAlive of [true, false, 0, 1000]) assert.equal(socketOf({ socket: { keepAlive } }).keepAlive, keepAlive)
  })

  for (const [what, value] of [['negative', -5], ['NaN', NaN], ['Infinity', Infinity], ['a string', '100'], ['true', true], ['null', null]] as const) {
    test(`socket.reconnectStrategy: ${what} -> TypeError naming it`, () => {
      refuses({ socket: { reconnectStrategy: value } }, 'socket.reconnectStrategy')
    })
  }
  test('socket.reconnectStrategy: false, a number of ms and a function are accepted', () => {
    createClient({ socket: { reconnectStrategy: false } })
    createClient({ socket: { reconnectStrategy: 0 } })
    createClient({ socket: { reconnectStrategy: 500 } })
    createClient({ socket: { reconnectStrategy: (retries) => retries * 10 } })
  })

  for (const value of [4, 1, 0, '3', 3.5, null, NaN]) {
    test(`RESP: ${describeValue(value)} -> TypeError naming it`, () => {
      refuses({ RESP: value }, 'RESP')
    })
  }
  test('RESP: 2 and 3 are accepted; 3 is the default', () => {
    assert.equal(createClient({ RESP: 2 }).options.RESP, 2)
    assert.equal(createClient({ RESP: 3 }).options.RESP, 3)
    assert.equal(createClient().options.RESP, 3)
  })

  test('name: spaces and newlines are refused (CLIENT SETNAME would be)', () => {
    refuses({ name: 'my app' }, 'name')
    refuses({ name: 'app\r\nFLUSHALL' }, 'name')
  })

  for (const option of ['connector', 'decodeUtf8']) {
    test(`${option}: not a function -> TypeError naming it`, () => {
      refuses({ [option]: 'node' }, option)
      refuses({ [option]: {} }, option)
    })
  }

  test('retryWritten: anything but false, read-only or a function -> TypeError naming it', () => {
    refuses({ retryWritten: true }, 'retryWritten')
    refuses({ retryWritten: 'always' }, 'retryWritten')
    createClient({ retryWritten: false })
    createClient({ retryWritten: 'read-only' })
    createClient({ retryWritten: () => true })
  })

  test('commandOptions.abortSignal: not an AbortSignal -> TypeError naming it', () => {
    refuses({ commandOptions: { abortSignal: 'abort' } }, 'commandOptions.abortSignal')
    refuses({ commandOptions: { abortSignal: {} } }, 'commandOptions.abortSignal')
    refuses({ commandOptions: { abortSignal: null } }, 'commandOptions.abortSignal')
    createClient({ commandOptions: { abortSignal: new AbortController().signal } })
  })

  test('commandOptions.typeMapping: not an object -> TypeError naming it', () => {
    refuses({ commandOptions: { typeMapping: 'buffer' } }, 'commandOptions.typeMapping')
    refuses({ commandOptions: { typeMapping: null } }, 'commandOptions.typeMapping')
    createClient({ commandOptions: { typeMapping: {} } })
  })

  test('replyLimits: not an object, or a limit that is negative, NaN or not a number -> TypeError naming it', () => {
    refuses({ replyLimits: 5 }, 'replyLimits')
    refuses({ replyLimits: null }, 'replyLimits')
    for (const value of [-1, NaN, '10', 1.5]) {
      const err = refuses({ replyLimits: { maxBulkLength: value } }, 'replyLimits')
      assert.match(err.message, /maxBulkLength/)
    }
    createClient({ replyLimits: { maxBulkLength: 1024, maxDepth: Infinity } })
  })

  test('keyPrefix, readonly, serverErrorActions: wrong types -> TypeError naming them', () => {
    refuses({ keyPrefix: 5 }, 'keyPrefix')
    refuses({ readonly: 'yes' }, 'readonly')
    refuses({ serverErrorActions: 'fail' }, 'serverErrorActions')
    refuses({ serverErrorActions: { READONLY: 'ignore' } }, 'serverErrorActions.READONLY')
  })

  test('clientSideCache needs RESP 3', () => {
    refuses({ RESP: 2, clientSideCache: { maxEntries: 10 } }, 'clientSideCache')
  })

  test('options, socket and commandOptions that are not objects -> TypeError naming them', () => {
    refuses('redis://localhost', 'options')
    refuses(6379, 'options')
    refuses({ socket: 'localhost' }, 'socket')
    refuses({ socket: null }, 'socket')
    refuses({ commandOptions: 5 }, 'commandOptions')
  })

  test('unknown option names -> TypeError naming the option', () => {
    refuses({ hots: 'localhost' }, 'hots')
    refuses({ passwd: CANARY }, 'passwd')
    refuses({ db: 2 }, 'db')
    refuses({ resp: 3 }, 'resp')
  })

  test('node-redis options that do not apply here are accepted, so its examples run', () => {
    createClient({ readonly: false, legacyMode: false } as ClientOptions)
  })

  test('the socket host cannot be empty', () => {
    refuses({ socket: { host: '' } }, 'socket.host')
  })

  for (const option of ['ca', 'cert', 'key'] as const) {
    test(`socket.${option}: a number or an object -> TypeError naming it`, () => {
      const pair = option === 'ca' ? {} : { cert: 'CERT', key: 'KEY' }
      refuses({ socket: { tls: true, ...pair, [option]: 42 } }, `socket.${option}`)
      refuses({ socket: { tls: true, ...pair, [option]: { pem: 'x' } } }, `socket.${option}`)
    })
  }
  test('socket.ca: a string, a Uint8Array and an array of them are accepted', () => {
    createClient({ socket: { tls: true, ca: 'PEM' } })
    createClient({ socket: { tls: true, ca: new Uint8Array(3) } })
    createClient({ socket: { tls: true, ca: ['PEM', new Uint8Array(3)] } })
  })
})

describe('createClient: conflicting options', () => {
  test('rediss:// with socket.tls false', () => {
    refuses({ url: 'rediss://localhost:6380', socket: { tls: false } }, 'socket.tls')
  })

  test('socket.path with socket.host or socket.port', () => {
    refuses({ socket: { path: '/tmp/redis.sock', host: 'localhost' } }, 'socket.path')
    refuses({ socket: { path: '/tmp/redis.sock', port: 6379 } }, 'socket.path')
  })

  test('a client certificate without its key, or a key without its certificate', () => {
    refuses({ socket: { tls: true, cert: 'CERT' } }, 'socket.key')
    refuses({ socket: { tls: true, key: 'KEY' } }, 'socket.cert')
  })

  for (const option of ['ca', 'servername', 'rejectUnauthorized'] as const) {
    test(`TLS option ${option} without TLS`, () => {
      const value = option === 'rejectUnauthorized' ? false : 'x'
      refuses({ socket: { [option]: value } }, 'socket.tls')
      refuses({ socket: { tls: false, [option]: value } }, 'socket.tls')
      refuses({ url: 'redis://localhost', socket: { [option]: value } }, 'socket.tls')
    })
  }

  test('cert and key without TLS', () => {
    refuses({ socket: { cert: 'CERT', key: 'KEY' } }, 'socket.tls')
  })

  test('a username without a password (option or URL)', () => {
    refuses({ username: 'app' }, 'username')
    refuses({ url: 'redis://app@localhost' }, 'username')
  })
})

describe('createClient: URLs', () => {
  test('no options: 127.0.0.1:6379, no TLS, database 0, RESP3', () => {
    const o = createClient().options
    const socket = o.socket as Record<string, unknown>
    assert.equal(socket.host, '127.0.0.1')
    assert.equal(socket.port, 6379)
    assert.equal(socket.tls, undefined)
    assert.equal(o.database, 0)
    assert.equal(o.RESP, 3)
    assert.equal(o.password, undefined)
    assert.equal(o.username, undefined)
  })

  test('redis://host:port/db with user and password', () => {
    const o = createClient({ url: 'redis://alice:foobared@awesome.redis.server:6380/3' }).options
    const socket = o.socket as Record<string, unknown>
    assert.equal(socket.host, 'awesome.redis.server')
    assert.equal(socket.port, 6380)
    assert.equal(socket.tls, undefined)
    assert.equal(o.username, 'alice')
    assert.equal(o.password, '[redacted]')
    assert.equal(o.database, 3)
  })

  test('each part is optional: redis://, redis://host, redis://:pw@, redis://host/2', () => {
    assert.deepEqual(parseUrl('redis://'), { tls: false })
    assert.deepEqual(parseUrl('redis://cache'), { tls: false, host: 'cache' })
    assert.deepEqual(parseUrl('redis://:secret@cache:7000'), { tls: false, host: 'cache', port: 7000, password: 'secret' })
    assert.deepEqual(parseUrl('redis://cache/2'), { tls: false, host: 'cache', database: 2 })
    assert.deepEqual(parseUrl('redis://cache/'), { tls: false, host: 'cache' })
    const socket = socketOf({ url: 'redis://' })
    assert.equal(socket.host, '127.0.0.1')
    assert.equal(socket.port, 6379)
  })

  test('rediss:// means TLS', () => {
    assert.deepEqual(parseUrl('rediss://cache:6380'), { tls: true, host: 'cache', port: 6380 })
    assert.equal(typeof socketOf({ url: 'rediss://cache:6380' }).tls, 'object')
    assert.equal(typeof socketOf({ url: 'rediss://cache:6380', socket: { tls: true } }).tls, 'object')
  })

  test('[::1] IPv6 hosts lose their brackets', () => {
    assert.deepEqual(parseUrl('redis://[::1]:7000/1'), { tls: false, host: '::1', port: 7000, database: 1 })
    assert.deepEqual(parseUrl('redis://u:p@[fe80::1]'), { tls: false, host: 'fe80::1', username: 'u', password: 'p' })
    assert.equal(socketOf({ url: 'redis://[::1]:7000' }).host, '::1')
  })

  test('percent-encoded user and password, with @ : / % in them', () => {
    const user = 'us@er:/%x'
    const password = 'p@ss:w/rd%25!'
    const url = `redis://${encodeURIComponent(user)}:${encodeURIComponent(password)}@localhost:6390/4`
    assert.deepEqual(parseUrl(url), { tls: false, host: 'localhost', port: 6390, username: user, password, database: 4 })
  })

  test('explicit options win over the URL', () => {
    const o = createClient({ url: 'redis://alice:pw@url-host:7000/3', socket: { host: 'opt-host', port: 7001 }, database: 5, username: 'bob' }).options
    const socket = o.socket as Record<string, unknown>
    assert.equal(socket.host, 'opt-host')
    assert.equal(socket.port, 7001)
    assert.equal(o.database, 5)
    assert.equal(o.username, 'bob')
  })

  test('other protocols are refused, naming url', () => {
    for (const url of ['http://localhost:6379', 'valkey://localhost', 'tcp://localhost:6379', 'unix:///tmp/redis.sock']) refuses({ url }, 'url')
  })

  test('a database path that is not a number, or out of range, is refused', () => {
    for (const db of ['abc', '-1', '1.5', '2/3', '1e3', '99999999999999999999']) refuses({ url: `redis://localhost/${db}` }, 'url')
  })

  test('a port out of range is refused, naming url', () => {
    refuses({ url: 'redis://localhost:0' }, 'url')
    refuses({ url: 'redis://localhost:70000' }, 'url')
  })

  test('a malformed URL is refused, naming url', () => {
    // A password with no host is not a URL (WHATWG): redis://:pw@ is refused, as node-redis' new URL() refuses it.
    for (const url of ['', 'localhost:6379', 'redis://local host', '://x', 'redis://:secret@']) refuses({ url }, 'url')
  })

  test('a refused URL never repeats its password: not in the message, the stack or a cause', () => {
    const urls = [
      `redis://user:${CANARY}@local host:6379`, // a space in the host
      `redis://user:${CANARY}@localhost:99999`, // port out of range
      `redis://user:${CANARY}@localhost/notadb`, // database not a number
      `redis://user:${CANARY}@localhost/99999999999999999999`, // database out of range
      `http://user:${CANARY}@localhost:6379`, // wrong protocol
      `redis://user:${CANARY}%zz@localhost`, // bad percent-encoding in the password
      `redis://user:${encodeURIComponent(CANARY)}%E0%A4%A@localhost`, // a cut UTF-8 sequence
      `rediss://user:${CANARY}@localhost`, // conflicting with tls: false below
    ]
    for (const url of urls) {
      const err = refusal({ url, socket: url.startsWith('rediss') ? { tls: false } : undefined })
      assert.ok(err.message.includes('`url`') || err.message.includes('`socket.tls`'), err.message)
      for (let e: unknown = err; e !== undefined && e !== null; e = (e as { cause?: unknown }).cause) {
        const text = `${String(e)}\n${(e as Error).stack ?? ''}\n${JSON.stringify(e)}`
        assert.ok(!text.includes(CANARY) && !text.includes('canary'), `the password leaked for ${url}: ${text}`)
        for (const value of Object.values(e as object)) assert.ok(!String(value).includes(CANARY), `a property holds the password for ${url}`)
      }
    }
  })

  test('a password with a bad percent-encoding is a TypeError naming url', () => {
    refuses({ url: 'redis://:bad%zzpw@localhost' }, 'url')
    refuses({ url: 'redis://us%zzer:pw@localhost' }, 'url')
  })
})
