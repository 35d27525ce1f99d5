// Encoder tests: commands byte for byte, the reusable CommandEncoder, encode() of every natural
// type in RESP3 and RESP2, node builders, and lossless round trips of every decoder table case.

import assert from 'node:assert/strict'
import { describe, test } from '../support/runtime.ts'
import {
  CommandEncoder,
  ReplyError,
  RespNode,
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
      // The protocol option does not change a node tree.
      same(encode(node, { protocol: 2 }), c.wire, 'protocol 2 leaves nodes alone')
    })
  }
  test('every case concatenated into one array', () => {
    const nonPush = validCases.filter((c) => !c.push)
    const wire = concat([b(`*${nonPush.length}\r\n`), ...nonPush.map((c) => c.wire)])
    same(encode(decode(wire, { mode: 'lossless' })), wire)
  })
})
