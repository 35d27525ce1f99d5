// Encoder tests: commands byte for byte, the reusable CommandEncoder, encode() of every natural
// type in RESP3 and RESP2, node builders, and lossless round trips of every decoder table case.

import assert from 'node:assert/strict'
import { after, before, describe, test } from '../support/runtime.ts'
import { type RedisServer, startRedis } from '../support/redis.ts'
import { type RawConnection, rawConnect } from '../support/raw-connection.ts'
import {
  CommandEncoder,
  ReplyError,
  RespNode,
  type CommandArgument,
  bigNumber,
  bulkError,
  decode,
  double,
  encode,
  encodeCommand,
  push,
  simple,
  verbatim,
} from '../../src/resp/index.ts'
import { b, bulk, canon, concat, show, validCases } from './cases.ts'
import { EncodeError } from '../../src/resp/encoder.ts'

const text = (bytes: Uint8Array) => Array.from(bytes, (x) => String.fromCharCode(x)).join('')
/** Compare bytes with a readable diff. */
function same(actual: Uint8Array, expected: Uint8Array, message?: string): void {
  assert.ok(actual instanceof Uint8Array, `${message ?? ''}: a Uint8Array`)
  assert.equal(text(actual), text(expected), message)
}

describe('encodeCommand', () => {
  const cases: Array<[string, Array<string | Uint8Array | number | bigint>, Uint8Array]> = [
    ['strings', ['SET', 'key', 'value'], b('*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n')],
    ['empty string', ['GET', ''], b('*2\r\n$3\r\nGET\r\n$0\r\n\r\n')],
    ['CRLF inside an argument', ['a\r\nb'], b('*1\r\n$4\r\na\r\nb\r\n')],
    ['2-byte UTF-8', ['é'], b('*1\r\n$2\r\n', [0xc3, 0xa9], '\r\n')],
    ['3-byte UTF-8', ['€'], b('*1\r\n$3\r\n', [0xe2, 0x82, 0xac], '\r\n')],
    ['emoji (surrogate pair)', ['😀'], b('*1\r\n$4\r\n', [0xf0, 0x9f, 0x98, 0x80], '\r\n')],
    ['mixed text', ['a€😀b'], b('*1\r\n$9\r\na€😀b\r\n')],
    ['lone high surrogate becomes U+FFFD', ['\ud800'], b('*1\r\n$3\r\n', [0xef, 0xbf, 0xbd], '\r\n')],
    ['lone low surrogate becomes U+FFFD', ['\udc00'], b('*1\r\n$3\r\n', [0xef, 0xbf, 0xbd], '\r\n')],
    ['lone surrogate inside text', ['a\ud800b'], b('*1\r\n$5\r\na', [0xef, 0xbf, 0xbd], 'b\r\n')],
    ['two high surrogates then a pair', ['\ud800\ud83d\ude00'], b('*1\r\n$7\r\n', [0xef, 0xbf, 0xbd, 0xf0, 0x9f, 0x98, 0x80], '\r\n')],
    ['reversed pair', ['\ude00\ud83d'], b('*1\r\n$6\r\n', [0xef, 0xbf, 0xbd, 0xef, 0xbf, 0xbd], '\r\n')],
    ['bytes', [Uint8Array.of(0, 255, 13, 10)], b('*1\r\n$4\r\n', [0, 255, 13, 10], '\r\n')],
    ['empty bytes', [new Uint8Array(0)], b('*1\r\n$0\r\n\r\n')],
    ['integers', [0, 42, -7, 9007199254740991], b('*4\r\n$1\r\n0\r\n$2\r\n42\r\n$2\r\n-7\r\n$16\r\n9007199254740991\r\n')],
    ['integers at digit boundaries, and -0', [-0, 9, -9, 10, -10, 99, 100, -9007199254740991], b('*8\r\n$1\r\n0\r\n$1\r\n9\r\n$2\r\n-9\r\n$2\r\n10\r\n$3\r\n-10\r\n$2\r\n99\r\n$3\r\n100\r\n$17\r\n-9007199254740991\r\n')],
    ['floats', [3.5, -2.25, 0.1], b('*3\r\n$3\r\n3.5\r\n$5\r\n-2.25\r\n$3\r\n0.1\r\n')],
    ['bigints', [123n, -9223372036854775808n, 2n ** 100n], b('*3\r\n$3\r\n123\r\n$20\r\n-9223372036854775808\r\n$31\r\n1267650600228229401496703205376\r\n')],
  ]
  for (const [name, args, wire] of cases) {
    test(name, () => same(encodeCommand(args), wire, name))
  }
  test('an empty command is refused', () => {
    assert.throws(() => encodeCommand([]), TypeError)
  })
  test('long strings of every kind match TextEncoder', () => {
    const enc = new TextEncoder()
    for (const s of ['x'.repeat(70000), 'é'.repeat(40000), '😀'.repeat(20000), '\ud800x'.repeat(30000)]) {
      const bytes = enc.encode(s)
      same(encodeCommand([s]), concat([b(`*1\r\n$${bytes.length}\r\n`), bytes, b('\r\n')]))
    }
  })
  test('a result is not changed by later calls', () => {
    const first = encodeCommand(['SET', 'a', '1'])
    const copy = first.slice()
    for (let i = 0; i < 100; i++) encodeCommand(['GET', 'x'.repeat(i * 100)])
    same(first, copy)
  })
  test('bad arguments throw a TypeError naming the index', () => {
    const bad: Array<[unknown[], number]> = [
      [['GET', undefined], 1],
      [['SET', 'k', null], 2],
      [[{}, 'x'], 0],
      [['SET', 'k', true], 2],
      [['SET', 'k', false], 2],
      [['a', 'b', 'c', ['nested']], 3],
      [['a', Symbol('s')], 1],
      [['a', () => 1], 1],
      [['a', new Date(0)], 1],
    ]
    for (const [args, index] of bad) {
      assert.throws(
        () => encodeCommand(args as never),
        (x: unknown) => x instanceof TypeError && new RegExp(`\\b${index}\\b`).test(x.message),
        `${String(args[index] as never)} at ${index}`,
      )
    }
  })
  test('a bad argument does not leave half a command behind', () => {
    assert.throws(() => encodeCommand(['SET', 'k', undefined] as never), TypeError)
    same(encodeCommand(['PING']), b('*1\r\n$4\r\nPING\r\n'))
  })
})

describe('CommandEncoder', () => {
  const commands: Array<Array<string | Uint8Array | number | bigint>> = []
  for (let i = 0; i < 2000; i++) {
    commands.push(i % 3 === 0 ? ['SET', `key:${i}`, 'v'.repeat(i % 50)] : i % 3 === 1 ? ['INCRBY', 'n', i, BigInt(i)] : ['GET', `é😀${i}`, Uint8Array.of(i & 255)])
  }
  test('many commands: take() concatenated equals the individual encodings', () => {
    const enc = new CommandEncoder()
    let total = 0
    for (const c of commands) {
      enc.write(c)
      total += encodeCommand(c).length
    }
    assert.equal(enc.byteLength, total)
    const chunks = enc.take()
    same(concat(chunks), concat(commands.map((c) => encodeCommand(c))))
    assert.equal(enc.byteLength, 0, 'empty after take')
    assert.equal(concat(enc.take()).length, 0)
  })
  test('chunks already taken are not overwritten by later writes', () => {
    const enc = new CommandEncoder()
    enc.write(['SET', 'a', '1'])
    const first = enc.take()
    const copy = first.map((c) => c.slice())
    for (const c of commands) enc.write(c)
    enc.take()
    enc.write(['SET', 'b', '2'])
    same(concat(first), concat(copy))
  })
  test('large Uint8Array arguments are passed by reference', () => {
    const big = new Uint8Array(1024 * 1024).fill(7)
    const enc = new CommandEncoder()
    enc.write(['SET', 'k1', 'small'])
    enc.write(['SET', 'k2', big])
    enc.write(['SET', 'k3', big, 'x'])
    const chunks = enc.take()
    assert.equal(chunks.filter((c) => c === big).length, 2, 'the same object appears in take()')
    same(concat(chunks), concat([encodeCommand(['SET', 'k1', 'small']), encodeCommand(['SET', 'k2', big]), encodeCommand(['SET', 'k3', big, 'x'])]))
  })
  test('a bad argument writes nothing', () => {
    const enc = new CommandEncoder()
    enc.write(['PING'])
    assert.throws(() => enc.write(['SET', 'k', null] as never), (x: unknown) => x instanceof TypeError && /\b2\b/.test(x.message))
    same(concat(enc.take()), b('*1\r\n$4\r\nPING\r\n'))
  })
})

describe('encode: natural values, RESP3', () => {
  const cases: Array<[string, unknown, Uint8Array]> = [
    ['string → bulk', 'OK', b('$2\r\nOK\r\n')],
    ['empty string', '', b('$0\r\n\r\n')],
    ['UTF-8 string', 'é😀', b('$6\r\né😀\r\n')],
    ['bytes → bulk', Uint8Array.of(0, 13, 10), b('$3\r\n', [0, 13, 10], '\r\n')],
    ['integer', 42, b(':42\r\n')],
    ['negative integer', -1, b(':-1\r\n')],
    ['zero', 0, b(':0\r\n')],
    ['largest safe integer', 9007199254740991, b(':9007199254740991\r\n')],
    ['float → double', 1.5, b(',1.5\r\n')],
    ['negative float', -0.25, b(',-0.25\r\n')],
    ['Infinity', Infinity, b(',inf\r\n')],
    ['-Infinity', -Infinity, b(',-inf\r\n')],
    ['NaN', NaN, b(',nan\r\n')],
    ['small bigint → integer', 5n, b(':5\r\n')],
    ['int64 max bigint → integer', 9223372036854775807n, b(':9223372036854775807\r\n')],
    ['int64 min bigint → integer', -9223372036854775808n, b(':-9223372036854775808\r\n')],
    ['int64 max + 1 → big number', 9223372036854775808n, b('(9223372036854775808\r\n')],
    ['int64 min - 1 → big number', -9223372036854775809n, b('(-9223372036854775809\r\n')],
    ['true', true, b('#t\r\n')],
    ['false', false, b('#f\r\n')],
    ['null', null, b('_\r\n')],
    ['ReplyError → simple error', new ReplyError('ERR bad thing'), b('-ERR bad thing\r\n')],
    ['array', [1, 'a', null], b('*3\r\n:1\r\n$1\r\na\r\n_\r\n')],
    ['empty array', [], b('*0\r\n')],
    ['Set', new Set([1, 'a']), b('~2\r\n:1\r\n$1\r\na\r\n')],
    ['Map', new Map<unknown, unknown>([['a', 1], [2, [true]]]), b('%2\r\n$1\r\na\r\n:1\r\n:2\r\n*1\r\n#t\r\n')],
    ['plain object → map', { a: 1, b: 'x' }, b('%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n$1\r\nx\r\n')],
    ['null-prototype object → map', Object.assign(Object.create(null), { k: 2 }), b('%1\r\n$1\r\nk\r\n:2\r\n')],
    ['nested', [new Map([['k', new Set([[1.5]])]])], b('*1\r\n%1\r\n$1\r\nk\r\n~1\r\n*1\r\n,1.5\r\n')],
  ]
  for (const [name, value, wire] of cases) test(name, () => same(encode(value), wire, name))
  test('protocol: 3 is the default', () => same(encode(new Set([true]), { protocol: 3 }), encode(new Set([true]))))
  test('a result is not changed by later calls', () => {
    const first = encode(['a', 'b'])
    const copy = first.slice()
    for (let i = 0; i < 100; i++) encode('x'.repeat(i * 100))
    same(first, copy)
  })
  test('every natural value decodes back to itself', () => {
    const values: unknown[] = ['OK', 42, -1, 1.5, Infinity, -Infinity, NaN, 2 ** 60, 1e300, 5e-324, -2.5e-10, 9223372036854775808n, -(2n ** 200n), true, false, null, [1, [2, [3]]], new Set(['a']), new Map<unknown, unknown>([[1, 'a'], ['b', new Map()]])]
    for (const v of values) assert.deepEqual(canon(decode(encode(v))), canon(v), String(v))
    // Unsafe integers are sent as doubles, and come back as the same number.
    assert.equal(decode(encode(2 ** 60)), 2 ** 60)
    assert.deepEqual(canon(decode(encode(new ReplyError('WRONGTYPE x')))), canon(new ReplyError('WRONGTYPE x')))
  })
  test('CR or LF in a ReplyError message is refused', () => {
    for (const m of ['ERR a\r\nb', 'ERR a\nb', 'ERR a\rb']) {
      assert.throws(() => encode(new ReplyError(m)), TypeError, JSON.stringify(m))
      assert.throws(() => encode([1, new ReplyError(m)]), TypeError, JSON.stringify(m))
    }
  })
})

describe('encode: natural values, RESP2', () => {
  const v2 = (v: unknown) => encode(v, { protocol: 2 })
  const cases: Array<[string, unknown, Uint8Array]> = [
    ['string → bulk', 'OK', b('$2\r\nOK\r\n')],
    ['integer', 42, b(':42\r\n')],
    ['null → $-1', null, b('$-1\r\n')],
    ['true → 1', true, b(':1\r\n')],
    ['false → 0', false, b(':0\r\n')],
    ['float → bulk string', 1.5, b('$3\r\n1.5\r\n')],
    ['Infinity → bulk string', Infinity, b('$3\r\ninf\r\n')],
    ['-Infinity → bulk string', -Infinity, b('$4\r\n-inf\r\n')],
    ['NaN → bulk string', NaN, b('$3\r\nnan\r\n')],
    ['small bigint → integer', 5n, b(':5\r\n')],
    ['big bigint → bulk string', 9223372036854775808n, b('$19\r\n9223372036854775808\r\n')],
    ['ReplyError → simple error', new ReplyError('ERR x'), b('-ERR x\r\n')],
    ['array', [1, null], b('*2\r\n:1\r\n$-1\r\n')],
    ['Set → array', new Set([1, 2]), b('*2\r\n:1\r\n:2\r\n')],
    ['Map → flat array', new Map<unknown, unknown>([['a', 1], ['b', true]]), b('*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:1\r\n')],
    ['object → flat array', { a: null }, b('*2\r\n$1\r\na\r\n$-1\r\n')],
    ['nested', [new Set([new Map([['k', 2.5]])])], b('*1\r\n*1\r\n*2\r\n$1\r\nk\r\n$3\r\n2.5\r\n')],
  ]
  for (const [name, value, wire] of cases) test(name, () => same(v2(value), wire, name))
})

describe('encode: node builders and RespNode', () => {
  test('simple', () => same(encode(simple('OK')), b('+OK\r\n')))
  test('simple in RESP2', () => same(encode(simple('OK'), { protocol: 2 }), b('+OK\r\n')))
  test('simple with CR or LF is refused', () => {
    for (const s of ['a\r\nb', 'a\nb', 'a\rb', '\r\n']) assert.throws(() => encode(simple(s)), TypeError, JSON.stringify(s))
  })
  test('simple node with bytes', () => same(encode(new RespNode('+', b('OK'))), b('+OK\r\n')))
  test('simple error node with CR or LF is refused', () => {
    assert.throws(() => encode(new RespNode('-', b('ERR a\r\nb'))), TypeError)
    assert.throws(() => encode(new RespNode('+', b('a\nb'))), TypeError)
  })
  test('verbatim', () => {
    same(encode(verbatim('txt', 'Some string')), b('=15\r\ntxt:Some string\r\n'))
    same(encode(verbatim('mkd', 'é')), b('=6\r\nmkd:é\r\n'))
    assert.equal(decode(encode(verbatim('txt', 'a\r\nb'))), 'a\r\nb')
  })
  test('push', () => {
    same(encode(push(['message', 'ch', simple('hi')])), b('>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n+hi\r\n'))
    same(encode(push([])), b('>0\r\n'))
  })
  test('double', () => {
    same(encode(double(1.5)), b(',1.5\r\n'))
    same(encode(double(Infinity)), b(',inf\r\n'))
    for (const n of [1, 0, -0, 2 ** 60, 1e21, 1e-7, NaN, -Infinity, 0.1 + 0.2]) {
      assert.deepEqual(canon(decode(encode(double(n)))), canon(n), String(n))
    }
  })
  test('bigNumber', () => {
    same(encode(bigNumber(5n)), b('(5\r\n'))
    same(encode(bigNumber(-(2n ** 70n))), b(`(${-(2n ** 70n)}\r\n`))
  })
  test('bulkError', () => {
    same(encode(bulkError('SYNTAX invalid syntax')), b('!21\r\nSYNTAX invalid syntax\r\n'))
    same(encode(bulkError('ERR a\r\nb')), b('!8\r\nERR a\r\nb\r\n'))
  })
  test('nodes and natural values mix', () => {
    same(encode([simple('a'), 1, new Map([['k', double(2)]])]), b('*3\r\n+a\r\n:1\r\n%1\r\n$1\r\nk\r\n,2\r\n'))
  })
})

describe('encode: lossless round trip of every decoder table case', () => {
  for (const c of validCases) {
    test(`${c.name} ${show(c.wire)}`, () => {
      const node = decode(c.wire, { mode: 'lossless' })
      assert.ok(node instanceof RespNode)
      same(encode(node), c.wire)
      // RESP2 frames stay as they are; RESP3 ones are written as a RESP2 peer reads them.
      const v2 = encode(node, { protocol: 2 })
      if (resp2Only(node as RespNode)) same(v2, c.wire, 'protocol 2 leaves a RESP2 tree alone')
      else assert.ok(resp2Only(decode(v2, { mode: 'lossless' }) as RespNode), `protocol 2 wrote RESP3 bytes: ${show(v2)}`)
    })
  }
  test('every case concatenated into one array', () => {
    const nonPush = validCases.filter((c) => !c.push)
    const wire = concat([b(`*${nonPush.length}\r\n`), ...nonPush.map((c) => c.wire)])
    same(encode(decode(wire, { mode: 'lossless' })), wire)
  })
})

/** Whether a lossless tree holds only RESP2 frames (no RESP3 type, no streaming, no attributes). */
function resp2Only(node: RespNode): boolean {
  if (!'+-:$*'.includes(node.type) || node.streamed || (node.attributes?.length ?? 0) > 0) return false
  return node.type !== '*' || node.value === null || (node.value as RespNode[]).every(resp2Only)
}

// ---- a failed encode leaves nothing behind (issue 6, principle 4) ----

/** An object that claims to be a Uint8Array: instanceof holds, the typed-array getters throw. */
const fakeBytes = (): Uint8Array => Object.create(Uint8Array.prototype) as Uint8Array
/** Claims to be a Uint8Array and carries a `length` of its own: array-like enough for `set`. */
const lyingBytes = (): Uint8Array => Object.setPrototypeOf({ length: 3, 0: 65, 1: 66, 2: 67 }, Uint8Array.prototype) as Uint8Array
/** An argument array whose element `index` throws when read (on the `throwOn`-th read). */
function trap(args: unknown[], index: number, throwOn: number, value: unknown): CommandArgument[] {
  let reads = 0
  const out = [...args]
  Object.defineProperty(out, index, {
    get() {
      if (++reads >= throwOn) throw new Error(`read ${reads} of argument ${index}`)
      return value
    },
  })
  return out as CommandArgument[]
}

describe('encoder: a failed command is rolled back', () => {
  const ping = b('*1\r\n$4\r\nPING\r\n')
  const cases: Array<[string, () => CommandArgument[]]> = [
    ['an object that pretends to be a Uint8Array', () => ['SET', 'k', fakeBytes()]],
    ['a pretend Uint8Array with a length of its own', () => ['SET', 'k', lyingBytes()]],
    ['an element getter that throws', () => trap(['SET', 'k', 'v'], 2, 1, 'v')],
    ['a String object (not a string)', () => ['SET', 'k', new String('v') as unknown as string]],
    ['NaN after a long argument', () => ['SET', 'x'.repeat(5000), NaN]],
  ]
  for (const [name, make] of cases) {
    test(`encodeCommand: ${name} throws a TypeError naming argument 2; the next command is whole`, () => {
      assert.throws(() => encodeCommand(make()), (e: unknown) => e instanceof TypeError && /argument 2\b/.test(e.message), name)
      same(encodeCommand(['PING']), ping)
    })
    test(`CommandEncoder: ${name}: take() holds the commands before and after, nothing between`, () => {
      // A tiny buffer and pass-through size, so the failed command also spans cuts and large arrays.
      for (const options of [{}, { initialSize: 8, passThroughBytes: 16 }]) {
        const enc = new CommandEncoder(options)
        enc.write(['SET', 'a', '1'])
        enc.write(['SET', 'big', new Uint8Array(40).fill(66), 'y'.repeat(300)])
        assert.throws(() => enc.write(make()), TypeError)
        const before = enc.byteLength
        enc.write(['PING'])
        assert.equal(enc.byteLength, before + ping.length)
        same(concat(enc.take()), concat([encodeCommand(['SET', 'a', '1']), encodeCommand(['SET', 'big', new Uint8Array(40).fill(66), 'y'.repeat(300)]), ping]), JSON.stringify(options))
      }
    })
  }
  test('each argument is read once: a getter that throws on its second read does no harm', () => {
    same(encodeCommand(trap(['SET', 'k', 'v'], 2, 2, 'v')), encodeCommand(['SET', 'k', 'v']))
    const enc = new CommandEncoder()
    enc.write(trap(['SET', 'k', 'v'], 1, 2, 'k'))
    enc.write(['PING'])
    same(concat(enc.take()), concat([encodeCommand(['SET', 'k', 'v']), ping]))
  })
  test('an argument getter that encodes, writes or takes from inside: the outer command stays whole', () => {
    const nested = ['SET', 'k', 'v']
    Object.defineProperty(nested, 2, { get: () => { encodeCommand(['GET', 'inner']); return 'v' } })
    same(encodeCommand(nested as CommandArgument[]), encodeCommand(['SET', 'k', 'v']))
    const enc = new CommandEncoder()
    enc.write(['PING'])
    const sneaky = ['SET', 'k', 'v']
    const refused: unknown[] = []
    Object.defineProperty(sneaky, 2, {
      get: () => {
        for (const f of [() => enc.write(['DEL', 'x']), () => enc.take()]) {
          try { f() } catch (e) { refused.push(e) }
        }
        return 'v'
      },
    })
    enc.write(sneaky as CommandArgument[])
    assert.equal(refused.length, 2, 'write() and take() from inside write() are refused')
    same(concat(enc.take()), concat([ping, encodeCommand(['SET', 'k', 'v'])]))
    const value = { get a(): unknown { encode(['inner', 1]); return 'x' } }
    same(encode([value, 2]), b('*2\r\n%1\r\n$1\r\na\r\n$1\r\nx\r\n:2\r\n'))
  })
  test('a Proxy array lying about its length: refused or rolled back, never a bad header', () => {
    for (const length of [NaN, -1, 1.5, 5, 2 ** 40]) {
      const liar = new Proxy(['GET', 'k'], { get: (t, p, r) => (p === 'length' ? length : Reflect.get(t, p, r)) })
      assert.throws(() => encodeCommand(liar as CommandArgument[]), TypeError, String(length))
      same(encodeCommand(['PING']), ping)
    }
  })
  test('rollback after many cuts of a growing buffer', () => {
    const enc = new CommandEncoder({ initialSize: 16 })
    const good: CommandArgument[][] = []
    for (let i = 0; i < 300; i++) {
      const args: CommandArgument[] = ['SET', `k${i}`, 'v'.repeat(i)]
      enc.write(args)
      good.push(args)
      if (i % 7 === 0) assert.throws(() => enc.write(['SET', 'é'.repeat(i * 13), 'x'.repeat(i * 31), fakeBytes()]), TypeError)
    }
    same(concat(enc.take()), concat(good.map((a) => encodeCommand(a))))
  })
  test('rollback after the scratch was handed over mid-command', () => {
    const enc = new CommandEncoder()
    const good: CommandArgument[][] = []
    for (let i = 0; i < 60; i++) {
      const args: CommandArgument[] = ['SET', `k${i}`, 'v'.repeat(2000 + i * 50)]
      enc.write(args)
      good.push(args)
      if (i % 3 === 0) assert.throws(() => enc.write(['SET', 'k', 'w'.repeat(5000 + i * 100), fakeBytes()]), TypeError)
    }
    const chunks = enc.take()
    assert.ok(chunks.some((c) => c.buffer.byteLength > c.byteLength), 'a scratch was handed over')
    same(concat(chunks), concat(good.map((a) => encodeCommand(a))))
  })
  test('encode(): a value that throws half-way leaves nothing behind', () => {
    const bad = { a: 'x'.repeat(100000), get b(): string { throw new Error('getter') } }
    assert.throws(() => encode([1, 2, bad]), /getter/)
    assert.throws(() => encode([1, new Map([['k', fakeBytes()]])]), TypeError)
    same(encode('ok'), b('$2\r\nok\r\n'))
  })
})

describe('encode: cyclic and very deep values', () => {
  test('a cyclic array, Map, Set, object or node is an EncodeError (cycle)', () => {
    const array: unknown[] = [1]
    array.push(array)
    const map = new Map<unknown, unknown>()
    map.set('self', [map])
    const set = new Set<unknown>()
    set.add(set)
    const object: Record<string, unknown> = { a: 1 }
    object.b = { c: object }
    const node = new RespNode('*', [])
    ;(node.value as unknown[]).push(node)
    for (const [name, value] of [['array', array], ['map', map], ['set', set], ['object', object], ['node', node]] as const) {
      for (const protocol of [2, 3] as const) {
        assert.throws(() => encode(value, { protocol }), (e: unknown) => e instanceof EncodeError && e.reason === 'cycle' && /cyclic/.test(e.message), name)
      }
    }
    same(encode([1]), b('*1\r\n:1\r\n'))
  })
  test('nesting past maxDepth is an EncodeError (too-deep), never a stack overflow', () => {
    let deep: unknown = 'x'
    for (let i = 0; i < 200_000; i++) deep = [deep]
    assert.throws(() => encode(deep), (e: unknown) => e instanceof EncodeError && e.reason === 'too-deep')
    // Raised far past what the JavaScript stack could recurse through: written all the same.
    const bytes = encode(deep, { maxDepth: 300_000 })
    assert.equal(bytes.length, 200_000 * 4 + 7)
    same(bytes.subarray(bytes.length - 11), b('*1\r\n$1\r\nx\r\n'))
  })
  test('an exact depth: maxDepth aggregates pass, one more does not', () => {
    const nest = (n: number): unknown => (n === 0 ? 1 : [nest(n - 1)])
    encode(nest(5), { maxDepth: 5 })
    assert.throws(() => encode(nest(6), { maxDepth: 5 }), EncodeError)
  })
  test('bad options are refused, naming the option', () => {
    for (const maxDepth of [NaN, -1, 1.5, '3']) assert.throws(() => encode(1, { maxDepth: maxDepth as number }), /maxDepth/)
    assert.throws(() => encode(1, { protocol: 4 as 3 }), /protocol/)
    for (const initialSize of [0, NaN, -5, 2.5]) assert.throws(() => new CommandEncoder({ initialSize }), /initialSize/)
    assert.throws(() => new CommandEncoder({ passThroughBytes: NaN }), /passThroughBytes/)
  })
})

// ---- numbers in commands are what Redis parses (principle 8) ----

describe('encodeCommand: numbers', () => {
  test('NaN and ±Infinity are refused with a TypeError naming the argument', () => {
    for (const n of [NaN, Infinity, -Infinity]) {
      assert.throws(() => encodeCommand(['ZADD', 'z', n, 'm']), (e: unknown) => e instanceof TypeError && /argument 2\b/.test(e.message), String(n))
    }
  })
  const cases: Array<[number, string]> = [
    [1e21, '1000000000000000000000'],
    [-1e21, '-1000000000000000000000'],
    [2 ** 70, '1180591620717411303424'],
    [1.7976931348623157e308, BigInt(1.7976931348623157e308).toString()],
    [2 ** 53, '9007199254740992'],
    [1e20, '100000000000000000000'],
    [0.1, '0.1'],
    [-2.5, '-2.5'],
    [1e-7, '1e-7'],
    [-1.5e-10, '-1.5e-10'],
    [5e-324, '5e-324'],
    [123456.789, '123456.789'],
    [-0, '0'],
  ]
  for (const [n, text] of cases) {
    test(`${n} is sent as ${text.length > 30 ? `${text.slice(0, 12)}… (${text.length} digits)` : text}`, () => {
      same(encodeCommand(['SET', 'k', n]), encodeCommand(['SET', 'k', text]))
      assert.ok(!/e\+/.test(text))
    })
  }
})

describe('encodeCommand: numbers, as a real redis-server reads them', () => {
  let redis: RedisServer
  let conn: RawConnection
  before(async () => {
    redis = await startRedis()
    conn = await rawConnect({ port: redis.port, resp: 2 })
  })
  after(async () => {
    await conn?.close()
    await redis?.stop()
  })
  const doubles = [1e21, -1e21, 2 ** 70, 1.7976931348623157e308, 0.1, -2.5, 1e-7, -1.5e-10, 5e-324, 2.2250738585072014e-308, 123456.789, 2 ** 53 + 2]
  test('ZADD of each number: ZSCORE gives the same double back', async () => {
    for (const n of doubles) {
      assert.equal(await conn.send(['ZADD', 'enc:z', n, 'm']), 0 + Number(n !== doubles[0] ? 0 : 1), String(n))
      assert.equal(Number(await conn.send(['ZSCORE', 'enc:z', 'm'])), n, String(n))
    }
    await conn.send(['DEL', 'enc:z'])
  })
  test('SET then INCRBYFLOAT 0 accepts each number (a long double parse)', async () => {
    for (const n of doubles.filter((x) => Math.abs(x) < 1e300)) {
      await conn.send(['SET', 'enc:f', n])
      const back = Number(await conn.send(['INCRBYFLOAT', 'enc:f', 0]))
      // INCRBYFLOAT prints 17 digits at most in fixed notation: tiny numbers come back rounded.
      assert.ok(Math.abs(back - n) <= Math.abs(n) * 1e-15 + 1e-17, `${n} came back as ${back}`)
    }
  })
  test('INCRBY with integers past 2^53 (plain digits, exact)', async () => {
    await conn.send(['SET', 'enc:i', 2 ** 60])
    assert.equal(BigInt(await conn.send(['INCRBY', 'enc:i', 2 ** 55])), 2n ** 60n + 2n ** 55n)
    assert.equal(await conn.send(['DEL', 'enc:i', 'enc:f']), 2)
  })
})

// ---- secrets do not linger (principle 9) ----

describe('encoder: results own their memory', () => {
  test('encodeCommand: each result is an exact-size array of its own', () => {
    const auth = encodeCommand(['AUTH', 'user', 'canary-password'])
    const next = encodeCommand(['PING'])
    for (const r of [auth, next]) {
      assert.equal(r.byteOffset, 0)
      assert.equal(r.buffer.byteLength, r.byteLength, 'no bytes beyond the command behind it')
    }
    assert.ok(!new TextDecoder('latin1').decode(new Uint8Array(next.buffer)).includes('canary'))
  })
  test('CommandEncoder.take(): each chunk is exact size; only the caller\'s large arrays are shared', () => {
    const enc = new CommandEncoder({ passThroughBytes: 1024 })
    const big = new Uint8Array(4096)
    enc.write(['AUTH', 'user', 'canary-password'])
    const first = enc.take()
    enc.write(['SET', 'k', big, 'after'])
    const second = enc.take()
    for (const chunk of [...first, ...second]) {
      if (chunk === big) continue
      assert.equal(chunk.byteOffset, 0)
      assert.equal(chunk.buffer.byteLength, chunk.byteLength)
      if (!first.includes(chunk)) assert.ok(!new TextDecoder('latin1').decode(new Uint8Array(chunk.buffer)).includes('canary'))
    }
    assert.equal(second.filter((c) => c === big).length, 1)
  })
  test('CommandEncoder.take(): a mostly full scratch handed over holds only zeros past its bytes, and is never written again', () => {
    const enc = new CommandEncoder()
    enc.write(['AUTH', 'user', 'canary-password'])
    enc.take()
    const value = 'v'.repeat(3000)
    const set = (k: string) => `*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${value.length}\r\n${value}\r\n`
    for (let i = 0; i < 3; i++) enc.write(['SET', `k${i}`, value])
    const chunks = enc.take()
    const handed = chunks.filter((c) => c.buffer.byteLength > c.byteLength)
    assert.equal(handed.length, 1, 'the scratch itself once (a copy is exact size)')
    for (const chunk of chunks) {
      const whole = new Uint8Array(chunk.buffer)
      assert.ok(whole.subarray(chunk.byteOffset + chunk.byteLength).every((b) => b === 0), 'zeros past the bytes')
      assert.ok(!new TextDecoder('latin1').decode(whole).includes('canary'))
    }
    const before = chunks.map((c) => c.slice())
    for (let i = 3; i < 6; i++) enc.write(['SET', `k${i}`, value])
    const later = enc.take()
    assert.deepEqual(chunks, before, 'later commands are written elsewhere')
    const text = (cs: Uint8Array[]) => cs.map((c) => new TextDecoder().decode(c)).join('')
    assert.equal(text(chunks), [0, 1, 2].map((i) => set(`k${i}`)).join(''))
    assert.equal(text(later), [3, 4, 5].map((i) => set(`k${i}`)).join(''))
  })
})

// ---- strings of every length, on both paths (the loop and TextEncoder.encodeInto) ----

describe('encodeCommand: strings around the path thresholds', () => {
  test('every length from 0 to 140 in ASCII, 2-, 3-, 4-byte and lone-surrogate text matches TextEncoder', () => {
    const enc = new TextEncoder()
    for (let n = 0; n <= 140; n++) {
      for (const unit of ['a', 'é', '€', '😀', '\ud800', 'a€']) {
        const s = (unit.repeat(n + 1)).slice(0, n)
        const bytes = enc.encode(s)
        same(encodeCommand([s]), concat([b(`*1\r\n$${bytes.length}\r\n`), bytes, b('\r\n')]), `${JSON.stringify(unit)} × ${n}`)
      }
    }
  })
  test('a String subclass in the process changes nothing in the bytes', () => {
    class Tagged extends String {}
    const tagged = new Tagged('x')
    assert.equal(String(tagged), 'x')
    same(encodeCommand(['SET', 'key', 'é'.repeat(40)]), b(`*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$80\r\n${'é'.repeat(40)}\r\n`))
  })
})

// ---- protocol 2 (principle 5) ----

describe('encode: RESP3 nodes downgraded for a RESP2 peer', () => {
  const v2 = (v: unknown) => encode(v, { protocol: 2 })
  const cases: Array<[string, unknown, Uint8Array]> = [
    ['push → array', push(['message', 'ch', 'hi']), b('*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n')],
    ['double → bulk string', double(1.5), b('$3\r\n1.5\r\n')],
    ['double inf → bulk string', double(Infinity), b('$3\r\ninf\r\n')],
    ['big number → bulk string', bigNumber(2n ** 70n), b(`$22\r\n${2n ** 70n}\r\n`)],
    ['verbatim → bulk string without its format', verbatim('txt', 'Some string'), b('$11\r\nSome string\r\n')],
    ['bulk error → simple error', bulkError('SYNTAX invalid syntax'), b('-SYNTAX invalid syntax\r\n')],
    ['bulk error with newlines → one line', bulkError('ERR a\r\nb\nc'), b('-ERR a  b c\r\n')],
    ['null node → $-1', new RespNode('_', null), b('$-1\r\n')],
    ['RESP2 null array stays *-1', new RespNode('*', null), b('*-1\r\n')],
    ['boolean nodes → 1 and 0', [new RespNode('#', true), new RespNode('#', false)], b('*2\r\n:1\r\n:0\r\n')],
    ['map node → flat array', new RespNode('%', [simple('a'), 1, simple('b'), double(2)]), b('*4\r\n+a\r\n:1\r\n+b\r\n$1\r\n2\r\n')],
    ['set node → array', new RespNode('~', [1, 2]), b('*2\r\n:1\r\n:2\r\n')],
    ['streamed string → counted bulk', new RespNode('$', [b('ab'), b('c')], true), b('$3\r\nabc\r\n')],
    ['streamed array → counted array', new RespNode('*', [1, 2], true), b('*2\r\n:1\r\n:2\r\n')],
    ['streamed map → flat counted array', new RespNode('%', ['k', 1], true), b('*2\r\n$1\r\nk\r\n:1\r\n')],
    ['attributes are dropped', new RespNode(':', '7', false, [new RespNode('|', ['ttl', 3])]), b(':7\r\n')],
    ['nested inside a natural array', [push([true]), new Map([['k', verbatim('mkd', 'x')]])], b('*2\r\n*1\r\n:1\r\n*2\r\n$1\r\nk\r\n$1\r\nx\r\n')],
  ]
  for (const [name, value, wire] of cases) test(name, () => same(v2(value), wire, name))
  test('a bare attribute node has no RESP2 form', () => {
    assert.throws(() => v2(new RespNode('|', ['a', 1])), /RESP2/)
  })
  test('RESP3 still writes RESP3 types', () => {
    same(encode(push([1])), b('>1\r\n:1\r\n'))
    same(encode(new RespNode(':', '7', false, [new RespNode('|', ['ttl', 3])])), b('|1\r\n$3\r\nttl\r\n:3\r\n:7\r\n'))
  })
})
