// Reply shapers on replies written by hand, for the forms the test server (Redis 7.0) cannot
// produce: replies of newer servers (ZRANK ... WITHSCORE is 7.2), maps decoded as Map with
// byte keys, and the odd corners (special doubles as text, deleted stream entries).

import assert from 'node:assert/strict'
import { describe, test } from '../../support/runtime.ts'
import { COMMANDS as C } from '../../../src/client/commands/index.ts'
import type { ReplyContext } from '../../../src/client/commands/define.ts'
import { entries, toDouble, toRecord, toStreamsMessages } from '../../../src/client/commands/reply-shapes.ts'

const b = (s: string): Uint8Array => new TextEncoder().encode(s)
const OBJ2: ReplyContext = { resp: 2, mapAsMap: false }
const OBJ3: ReplyContext = { resp: 3, mapAsMap: false }
const MAP2: ReplyContext = { resp: 2, mapAsMap: true }
const MAP3: ReplyContext = { resp: 3, mapAsMap: true }

function shape<R>(def: { reply?: (raw: any, ctx: ReplyContext) => R }, raw: unknown, ctx: ReplyContext): R {
  assert.ok(def.reply, 'the definition has a shaper')
  return def.reply(raw, ctx)
}

describe('reply shapers on hand-written replies', () => {
  test('doubles: numbers pass, text of every spelling is parsed, bytes too', () => {
    assert.equal(toDouble(1.5), 1.5)
    assert.equal(toDouble('1.5'), 1.5)
    assert.equal(toDouble(b('-2.25e3')), -2250)
    assert.equal(toDouble('inf'), Infinity)
    assert.equal(toDouble('+inf'), Infinity)
    assert.equal(toDouble('-inf'), -Infinity)
    assert.equal(toDouble(b('-inf')), -Infinity)
    assert.ok(Number.isNaN(toDouble('nan')))
  })

  test('maps: flat array, object and Map give one result per requested kind', () => {
    const flat = ['a', '1', '__proto__', '2']
    const object: Record<string, string> = { a: '1' }
    Object.defineProperty(object, '__proto__', { value: '2', enumerable: true, writable: true, configurable: true })
    const map = new Map([['a', '1'], ['__proto__', '2']])
    const byteMap = new Map<unknown, string>([[b('a'), '1'], [b('__proto__'), '2']])
    for (const raw of [flat, object, map, byteMap]) {
      const asObject = toRecord(raw, OBJ3)
      assert.deepStrictEqual(Object.keys(asObject), ['a', '__proto__'])
      assert.equal(Object.getPrototypeOf(asObject), Object.prototype)
      assert.equal(asObject.a, '1')
      assert.ok(Object.hasOwn(asObject, '__proto__'))
      assert.deepStrictEqual(toRecord(raw, MAP3), new Map([['a', '1'], ['__proto__', '2']]))
    }
    assert.deepStrictEqual(entries(byteMap), [['a', '1'], ['__proto__', '2']])
    assert.equal(toRecord(null, OBJ3), null)
  })

  test('ZRANK ... WITHSCORE (Redis 7.2): RESP2 text score and RESP3 double give { rank, score }', () => {
    assert.deepStrictEqual(shape(C.zRankWithScore, [3, '1.5'], OBJ2), { rank: 3, score: 1.5 })
    assert.deepStrictEqual(shape(C.zRankWithScore, [3, 1.5], OBJ3), { rank: 3, score: 1.5 })
    assert.equal(shape(C.zRevRankWithScore, null, OBJ3), null)
  })

  test('ZPOPMIN without count: flat or nested pair, empty reply as null', () => {
    assert.deepStrictEqual(shape(C.zPopMin, ['m', '-inf'], OBJ2), { value: 'm', score: -Infinity })
    assert.deepStrictEqual(shape(C.zPopMin, [['m', 2]], OBJ3), { value: 'm', score: 2 })
    assert.equal(shape(C.zPopMin, [], OBJ3), null)
  })

  test('XREAD as Map of streams, with a deleted entry (null fields)', () => {
    const raw = new Map<unknown, unknown>([[b('s'), [[b('1-0'), null], [b('2-0'), [b('f'), b('v')]]]]])
    assert.deepStrictEqual(toStreamsMessages(raw, MAP3), [
      { name: 's', messages: [{ id: b('1-0'), message: null }, { id: b('2-0'), message: new Map([['f', b('v')]]) }] },
    ])
  })

  test('XINFO STREAM of an empty stream: null first and last entries', () => {
    const raw2 = ['length', 0, 'first-entry', null, 'last-entry', null]
    const expected = { length: 0, 'first-entry': null, 'last-entry': null }
    assert.deepStrictEqual(shape(C.xInfoStream, raw2, OBJ2), expected)
    assert.deepStrictEqual(shape(C.xInfoStream, { length: 0, 'first-entry': null, 'last-entry': null }, OBJ3), expected)
    assert.deepStrictEqual(shape(C.xInfoStream, raw2, MAP2), new Map(Object.entries(expected)))
  })

  test('GEOSEARCH WITH*: fields found by type, whatever the flags order', () => {
    const raw = [['m', '1.2345', 3471579339700058, ['15.08', '37.50']], ['n', '0.0000', 1, [15, 37.5]]]
    assert.deepStrictEqual(shape(C.geoSearchWith, raw, OBJ2), [
      { member: 'm', distance: 1.2345, hash: 3471579339700058, coordinates: { longitude: 15.08, latitude: 37.5 } },
      { member: 'n', distance: 0, hash: 1, coordinates: { longitude: 15, latitude: 37.5 } },
    ])
    assert.deepStrictEqual(shape(C.geoSearchWith, [['m', 7]], OBJ3), [{ member: 'm', hash: 7 }])
  })

  test('CLIENT LIST text to node-redis objects, from bytes too', () => {
    const text = 'id=7 addr=127.0.0.1:5000 laddr=127.0.0.1:6379 fd=8 name=x age=1 idle=0 flags=N db=2 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=10 multi-mem=0 obl=0 oll=0 omem=0 tot-mem=100 events=r cmd=client|list user=default redir=-1 resp=3\n'
    const [client] = shape(C.clientList, b(text + text), OBJ3)
    assert.equal(shape(C.clientList, text + text, OBJ3).length, 2)
    assert.deepStrictEqual(
      { id: client.id, laddr: client.laddr, name: client.name, db: client.db, ssub: client.ssub, multiMem: client.multiMem, resp: client.resp, redir: client.redir, user: client.user },
      { id: 7, laddr: '127.0.0.1:6379', name: 'x', db: 2, ssub: 0, multiMem: 0, resp: 3, redir: -1, user: 'default' },
    )
  })
})
