// Decoder tests: every table case fed whole, byte by byte and at every two-way split, in every
// natural-mode variant and in lossless mode; malformed input, the failed state, limits, memory
// bounds, deep nesting and large bulks.

import assert from 'node:assert/strict'
import { describe, test } from '../support/runtime.ts'
import { Decoder, ProtocolError, RespNode, decode, encode } from '../../src/resp/index.ts'
import {
  b,
  canon,
  chunkings,
  concat,
  errorCases,
  expectedEvents,
  run,
  show,
  toBinary,
  toModes,
  validCases,
  type Event,
  type FeedOptions,
  type ValidCase,
} from './cases.ts'

function canonEvents(events: Event[]): unknown {
  return events.map((ev) => ev.map((x, i) => (i === 0 ? x : canon(x))))
}

/**
 * Feeds the case in every chunking and checks the events, and that nothing is emitted before the
 * last byte arrived.
 */
function checkValid(c: ValidCase, options: FeedOptions, expected: Event[]): void {
  const want = canonEvents(expected)
  for (const { name, chunks } of chunkings(c.wire)) {
    const r = run(chunks, options)
    if (r.error !== undefined) {
      assert.fail(`${c.name} ${show(c.wire)} (${name}): threw ${String(r.error)}`)
    }
    assert.deepEqual(canonEvents(r.events), want, `${c.name} ${show(c.wire)} (${name})`)
    const early = r.after.slice(0, -1)
    assert.ok(early.every((n) => n === 0), `${c.name} (${name}): emitted before the last byte: ${r.after}`)
  }
}

describe('decoder: valid cases, natural mode', () => {
  for (const c of validCases) {
    test(c.name, () => checkValid(c, {}, expectedEvents(c)))
  }
})

describe('decoder: valid cases, binary mode', () => {
  for (const c of validCases) {
    test(c.name, () => {
      const f = (v: unknown) => (v === c.value && c.binary !== undefined ? c.binary : toBinary(v))
      checkValid(c, { binary: true }, expectedEvents(c, f))
    })
  }
})

describe('decoder: valid cases, mapAs object / setAs array', () => {
  for (const c of validCases) {
    const asObject = toModes(c.value, 'object', 'set')
    const attrsOk = (c.attrs ?? []).every(([a, v]) => toModes(a, 'object', 'set') !== undefined && toModes(v, 'object', 'set') !== undefined)
    if (asObject !== undefined && attrsOk && canon(asObject) !== canon(c.value)) {
      test(`${c.name} (mapAs object)`, () => checkValid(c, { mapAs: 'object' }, expectedEvents(c, (v) => toModes(v, 'object', 'set'))))
    }
    test(`${c.name} (setAs array)`, () => checkValid(c, { setAs: 'array' }, expectedEvents(c, (v) => toModes(v, 'map', 'array'))))
  }
})

describe('decoder: lossless mode', () => {
  for (const c of validCases) {
    test(c.name, () => {
      let first: unknown
      for (const { name, chunks } of chunkings(c.wire)) {
        const r = run(chunks, { mode: 'lossless' })
        assert.equal(r.error, undefined, `${c.name} (${name}): threw ${String(r.error)}`)
        const nodes = r.events.filter((ev) => ev[0] !== 'attr')
        assert.equal(nodes.length, 1, `${c.name} (${name}): one node`)
        assert.equal(r.events.length, 1, `${c.name} (${name}): no onAttribute in lossless mode`)
        assert.equal(nodes[0][0], c.push ? 'push' : 'reply', `${c.name} (${name}): delivered as`)
        const node = nodes[0][1]
        assert.ok(node instanceof RespNode, `${c.name} (${name}): a RespNode`)
        assert.equal(node.type, c.nodeType ?? String.fromCharCode(c.wire[0]), `${c.name}: node type`)
        assert.equal(node.streamed, c.streamed ?? false, `${c.name}: streamed`)
        assert.equal(node.attributes?.length ?? 0, c.nodeAttributes ?? 0, `${c.name}: attributes`)
        assert.ok(r.after.slice(0, -1).every((n) => n === 0), `${c.name} (${name}): emitted early`)
        if (first === undefined) first = canon(node)
        else assert.deepEqual(canon(node), first, `${c.name} (${name}): same tree in every chunking`)
        assert.deepEqual(Array.from(encode(node)), Array.from(c.wire), `${c.name} (${name}): encode(node) reproduces the bytes`)
      }
    })
  }

  const asText = (v: unknown) => (v instanceof Uint8Array ? new TextDecoder().decode(v) : v)
  const one = (wire: Uint8Array) => {
    const n = decode(wire, { mode: 'lossless' })
    assert.ok(n instanceof RespNode)
    return n
  }
  test('scalar node values', () => {
    assert.equal(asText(one(b('+OK\r\n')).value), 'OK')
    assert.equal(asText(one(b('-ERR x\r\n')).value), 'ERR x')
    assert.equal(asText(one(b('!5\r\nERR x\r\n')).value), 'ERR x')
    assert.equal(asText(one(b('$3\r\nabc\r\n')).value), 'abc')
    assert.ok(one(b('$3\r\nabc\r\n')).value instanceof Uint8Array, '$ value is bytes')
    assert.ok(one(b('+OK\r\n')).value instanceof Uint8Array, '+ value is bytes')
    assert.equal(asText(one(b('=15\r\ntxt:Some string\r\n')).value), 'txt:Some string')
    assert.equal(one(b(':+5\r\n')).value, '+5')
    assert.equal(one(b(':-12\r\n')).value, '-12')
    assert.equal(one(b(',inf\r\n')).value, 'inf')
    assert.equal(one(b(',3.14\r\n')).value, '3.14')
    assert.equal(one(b('(123\r\n')).value, '123')
    assert.equal(one(b('$-1\r\n')).value, null)
    assert.equal(one(b('*-1\r\n')).value, null)
    assert.equal(one(b('_\r\n')).value, null)
    assert.equal(one(b('#t\r\n')).value, true)
    assert.equal(one(b('#f\r\n')).value, false)
  })
  test('aggregate node values', () => {
    const m = one(b('%1\r\n+a\r\n:1\r\n'))
    assert.equal(m.type, '%')
    assert.ok(Array.isArray(m.value))
    const kv = m.value as RespNode[]
    assert.equal(kv.length, 2, 'map value is flattened [k, v]')
    assert.equal(kv[0].type, '+')
    assert.equal(kv[1].type, ':')
    const a = one(b('*2\r\n:1\r\n|1\r\n+k\r\n+v\r\n+x\r\n'))
    const items = a.value as RespNode[]
    assert.equal(items.length, 2, 'attribute is not an element')
    assert.equal(items[1].attributes?.length, 1)
    assert.equal(items[1].attributes?.[0].type, '|')
    assert.equal((items[1].attributes?.[0].value as unknown[]).length, 2)
  })
})

describe('decoder: pipelined stream of every case', () => {
  // All valid cases back to back in one stream: each reply appears exactly when its last byte
  // arrives, whatever the chunking.
  const wire = concat(validCases.map((c) => c.wire))
  const ends: number[] = []
  let at = 0
  for (const c of validCases) ends.push((at += c.wire.length))
  const expected = canonEvents(validCases.flatMap((c) => expectedEvents(c)))
  const sizes = [1, 2, 3, 5, 7, 16, 64, 1000, wire.length]
  for (const size of sizes) {
    test(`chunks of ${size} bytes`, () => {
      const chunks: Uint8Array[] = []
      for (let i = 0; i < wire.length; i += size) chunks.push(wire.subarray(i, i + size))
      for (const mode of ['natural', 'lossless'] as const) {
        const r = run(chunks, { mode })
        assert.equal(r.error, undefined, String(r.error))
        let fed = 0
        for (let i = 0; i < chunks.length; i++) {
          fed += chunks[i].length
          assert.equal(r.after[i], ends.filter((x) => x <= fed).length, `${mode}: after ${fed} bytes`)
        }
        if (mode === 'natural') assert.deepEqual(canonEvents(r.events), expected)
        else assert.deepEqual(Array.from(concat(r.events.map((ev) => encode(ev[1])))), Array.from(wire))
      }
    })
  }
})

describe('decoder: natural mode options', () => {
  test('binaryForNextReply is asked once per top-level reply and push, told which', () => {
    const wire = b('$1\r\na\r\n>2\r\n+p\r\n+q\r\n*2\r\n+b\r\n$1\r\nc\r\n%1\r\n+k\r\n=5\r\ntxt:v\r\n')
    for (const { name, chunks } of chunkings(wire)) {
      const answers = [true, false, false, true]
      const kinds: boolean[] = []
      const r = run(chunks, { binaryForNextReply: (push) => (kinds.push(push), answers[kinds.length - 1]) })
      assert.equal(r.error, undefined)
      assert.deepEqual(kinds, [false, true, false, false], `${name}: asked once per reply and push`)
      assert.deepEqual(canonEvents(r.events), canonEvents([
        ['reply', b('a')],
        ['push', ['p', 'q']],
        ['reply', ['b', 'c']],
        ['reply', new Map([[b('k'), b('v')]])],
      ]), name)
    }
  })

  test('binaryForNextReply overrides binary: true', () => {
    const r = run([b('+a\r\n+b\r\n')], { binary: true, binaryForNextReply: () => false })
    assert.deepEqual(canonEvents(r.events), canonEvents([['reply', 'a'], ['reply', 'b']]))
  })

  test('mapAs object: prototype keys become own properties and touch no prototype', () => {
    const wire = b('%4\r\n+__proto__\r\n%1\r\n+polluted\r\n#t\r\n+constructor\r\n:2\r\n+prototype\r\n:3\r\n+hasOwnProperty\r\n:4\r\n')
    for (const { name, chunks } of chunkings(wire)) {
      const r = run(chunks, { mapAs: 'object' })
      assert.equal(r.error, undefined)
      const o = r.events[0][1] as Record<string, unknown>
      const proto = Object.getPrototypeOf(o)
      assert.ok(proto === null || proto === Object.prototype, `${name}: prototype untouched`)
      assert.deepEqual(Object.keys(o).sort(), ['__proto__', 'constructor', 'hasOwnProperty', 'prototype'])
      const inner = Object.getOwnPropertyDescriptor(o, '__proto__')?.value as Record<string, unknown>
      assert.equal(Object.getOwnPropertyDescriptor(inner, 'polluted')?.value, true)
      assert.equal(Object.getOwnPropertyDescriptor(o, 'constructor')?.value, 2)
      assert.equal(Object.getOwnPropertyDescriptor(o, 'prototype')?.value, 3)
      assert.equal(Object.getOwnPropertyDescriptor(o, 'hasOwnProperty')?.value, 4)
      assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype not polluted')
      assert.equal((o as Record<string, unknown>).polluted, undefined, `${name}: nothing inherited from the map`)
    }
  })

  test('mapAs object on a top-level attribute', () => {
    const r = run([b('|1\r\n+__proto__\r\n:1\r\n+x\r\n')], { mapAs: 'object' })
    assert.equal(r.events[0][0], 'attr')
    const a = r.events[0][1] as object
    const proto = Object.getPrototypeOf(a)
    assert.ok(proto === null || proto === Object.prototype)
    assert.equal(Object.getOwnPropertyDescriptor(a, '__proto__')?.value, 1)
  })

  test('ReplyError values in replies are delivered, not thrown, with their code', () => {
    const r = run([b('-NOSCRIPT No matching script\r\n*2\r\n-MOVED 1 h:1\r\n!5\r\nASK 2\r\n+OK\r\n')])
    assert.equal(r.error, undefined)
    assert.equal(r.events.length, 3)
    const [first, second, third] = r.events.map((ev) => ev[1]) as [Error & { code: string }, Array<Error & { code: string }>, string]
    assert.equal(first.code, 'NOSCRIPT')
    assert.equal(first.message, 'NOSCRIPT No matching script')
    assert.equal(second[0].code, 'MOVED')
    assert.equal(second[1].code, 'ASK')
    assert.equal(third, 'OK')
  })
})

describe('decoder: decode()', () => {
  test('one reply', () => {
    assert.deepEqual(canon(decode(b('*2\r\n:1\r\n+a\r\n'))), canon([1, 'a']))
  })
  test('a push', () => {
    assert.deepEqual(canon(decode(b('>2\r\n+a\r\n:1\r\n'))), canon(['a', 1]))
  })
  test('options are honoured', () => {
    assert.deepEqual(canon(decode(b('%1\r\n+a\r\n~1\r\n+b\r\n'), { binary: true, setAs: 'array' })), canon(new Map([[b('a'), [b('b')]]])))
    assert.deepEqual(canon(decode(b('%1\r\n+a\r\n:1\r\n'), { mapAs: 'object' })), canon({ a: 1 }))
  })
  test('incomplete input is a ProtocolError', () => {
    for (const w of ['', '+OK', '+OK\r', '$3\r\nab', '*2\r\n:1\r\n', '*?\r\n:1\r\n', '|1\r\n+a\r\n+b\r\n']) {
      assert.throws(() => decode(b(w)), ProtocolError, JSON.stringify(w))
    }
  })
  test('two replies is a ProtocolError', () => {
    assert.throws(() => decode(b('+OK\r\n+OK\r\n')), ProtocolError)
    assert.throws(() => decode(b('+OK\r\nx')), ProtocolError)
  })
  test('malformed input is a ProtocolError with its reason', () => {
    for (const c of errorCases) {
      assert.throws(() => decode(c.wire), (x: unknown) => x instanceof ProtocolError && c.reasons.includes(x.reason), c.name)
    }
  })
})

describe('decoder: malformed input', () => {
  for (const c of errorCases) {
    test(`${c.name} ${show(c.wire)}`, () => {
      let seen: { reason: string; offset: number } | undefined
      for (const { name, chunks } of chunkings(c.wire)) {
        const r = run(chunks)
        assert.ok(r.error instanceof ProtocolError, `${name}: expected a ProtocolError, got ${String(r.error)}`)
        assert.ok(c.reasons.includes(r.error.reason), `${name}: reason ${r.error.reason}, expected ${c.reasons.join(' or ')}`)
        assert.ok(
          r.error.offset >= c.offset[0] && r.error.offset <= c.offset[1],
          `${name}: offset ${r.error.offset} outside [${c.offset}]`,
        )
        const got = { reason: r.error.reason, offset: r.error.offset }
        if (seen === undefined) seen = got
        else assert.deepEqual(got, seen, `${name}: same reason and offset in every chunking`)
        assert.deepEqual(
          canonEvents(r.events),
          canonEvents((c.before ?? []).map((v) => ['reply', v] as Event)),
          `${name}: replies completed before the bad frame are delivered`,
        )
      }
    })
  }

  test('every malformed case fails the same way in lossless mode', () => {
    for (const c of errorCases) {
      for (const { name, chunks } of chunkings(c.wire)) {
        const natural = run(chunks)
        const lossless = run(chunks, { mode: 'lossless' })
        assert.ok(lossless.error instanceof ProtocolError, `${c.name} ${show(c.wire)} (${name}): lossless mode accepted it`)
        const n = natural.error as ProtocolError
        assert.deepEqual(
          { reason: lossless.error.reason, offset: lossless.error.offset },
          { reason: n.reason, offset: n.offset },
          `${c.name} (${name}): same error in both modes`,
        )
      }
    }
  })

  test('the decoder stays failed until reset()', () => {
    for (const c of errorCases) {
      const replies: unknown[] = []
      const d = new Decoder({ onReply: (v) => replies.push(v) })
      assert.equal(d.failed, undefined)
      let first: unknown
      try {
        d.feed(c.wire)
      } catch (x) {
        first = x
      }
      assert.ok(first instanceof ProtocolError, c.name)
      assert.equal(d.failed, first, `${c.name}: failed holds the error`)
      for (const next of [b('+OK\r\n'), b(''), c.wire]) {
        assert.throws(() => d.feed(next), (x: unknown) => x === first, `${c.name}: the same error again`)
      }
      assert.equal(replies.length, (c.before ?? []).length, `${c.name}: nothing delivered while failed`)
      d.reset()
      assert.equal(d.failed, undefined, `${c.name}: reset clears failed`)
      d.feed(b('+OK\r\n:1'))
      d.feed(b('2\r\n'))
      assert.deepEqual(replies.slice(-2), ['OK', 12], `${c.name}: parses again after reset`)
    }
  })

  test('reset() drops a partial reply and restarts offsets', () => {
    const replies: unknown[] = []
    const d = new Decoder({ onReply: (v) => replies.push(v) })
    d.feed(b('*2\r\n:1\r\n$5\r\nhel'))
    d.reset()
    d.feed(b('+OK\r\n'))
    assert.deepEqual(replies, ['OK'])
    assert.throws(() => d.feed(b('x')), (x: unknown) => x instanceof ProtocolError && x.offset === 5)
    d.reset()
    assert.throws(() => d.feed(b('x')), (x: unknown) => x instanceof ProtocolError && x.offset === 0)
  })

  test('offsets count from the first byte since reset, across chunks', () => {
    const d = new Decoder({ onReply: () => {} })
    d.feed(b('+OK\r\n+OK\r\n'))
    d.feed(b(':1\r\n'))
    assert.throws(() => d.feed(b('#x\r\n')), (x: unknown) => x instanceof ProtocolError && x.reason === 'bad-boolean' && x.offset >= 14 && x.offset <= 17)
  })

  test('an exception thrown by onReply propagates and fails the decoder with it until reset()', () => {
    let n = 0
    const got: unknown[] = []
    const d = new Decoder({
      onReply: (v) => {
        if (n++ === 0) throw new Error('user')
        got.push(v)
      },
    })
    assert.throws(() => d.feed(b('+a\r\n+b\r\n')), /user/)
    // The rest of that chunk was not parsed, so the stream is lost: say so on every feed.
    assert.equal((d.failed as Error).message, 'user')
    assert.throws(() => d.feed(b('+c\r\n')), /user/)
    d.reset()
    d.feed(b('+d\r\n'))
    assert.deepEqual(got, ['d'])
  })
})

function feedThrows(options: FeedOptions, chunks: Uint8Array[]): ProtocolError | undefined {
  const r = run(chunks, options)
  if (r.error !== undefined && !(r.error instanceof ProtocolError)) throw r.error
  return r.error as ProtocolError | undefined
}

describe('decoder: limits', () => {
  test('maxBulkLength, checked at the header', () => {
    const opts = { maxBulkLength: 10 }
    assert.equal(feedThrows(opts, [b('$10\r\n0123456789\r\n')]), undefined)
    for (const h of ['$11\r\n', '!11\r\n', '=11\r\n']) {
      const x = feedThrows(opts, [b(h)])
      assert.equal(x?.reason, 'bulk-too-long', h)
      assert.ok(x.offset >= 0 && x.offset <= h.length)
    }
    // A streamed string's total counts too, and so does a single chunk.
    assert.equal(feedThrows(opts, [b('$?\r\n;11\r\n')])?.reason, 'bulk-too-long')
  })
  test('a streamed string counts its bytes on the wire toward maxBulkLength, framing included', () => {
    // `;5\r\naaaaa\r\n` is 11 bytes, `;0\r\n` 4: 26 in all, for 10 bytes of payload.
    const wire = b('$?\r\n;5\r\naaaaa\r\n;5\r\nbbbbb\r\n;0\r\n')
    for (const { name, chunks } of chunkings(wire)) {
      assert.equal(feedThrows({ maxBulkLength: 26 }, chunks), undefined, name)
      const x = feedThrows({ maxBulkLength: 25 }, chunks)
      assert.equal(x?.reason, 'bulk-too-long', name)
      assert.equal(x?.offset, 26, `${name}: at the line that goes over`)
    }
    // One-byte parts: the old count (payload only) let a peer hold ~200 bytes of heap per
    // byte of limit; now 2^20 bytes of limit hold at most 2^20 bytes of wire.
    const tiny = concat([b('$?\r\n'), b(';1\r\nx\r\n'.repeat(1000))])
    const y = feedThrows({ maxBulkLength: 6999 }, [tiny])
    assert.equal(y?.reason, 'bulk-too-long', '1000 one-byte parts are 7000 bytes')
    assert.equal(feedThrows({ maxBulkLength: 7004 }, [tiny, b(';0\r\n')]), undefined)
  })
  test('default maxBulkLength is 512 MiB', () => {
    assert.equal(feedThrows({}, [b('$536870912\r\n')]), undefined)
    assert.equal(feedThrows({}, [b('$536870913\r\n')])?.reason, 'bulk-too-long')
  })
  test('maxAggregateLength, checked at the header', () => {
    const opts = { maxAggregateLength: 3 }
    assert.equal(feedThrows(opts, [b('*3\r\n:1\r\n:2\r\n:3\r\n')]), undefined)
    for (const h of ['*4\r\n', '~4\r\n', '>4\r\n', '%4\r\n', '|4\r\n']) {
      assert.equal(feedThrows(opts, [b(h)])?.reason, 'aggregate-too-long', h)
    }
    assert.equal(feedThrows(opts, [b('*?\r\n:1\r\n:2\r\n:3\r\n:4\r\n.\r\n')])?.reason, 'aggregate-too-long', 'streamed')
  })
  test('limits hold inside nested arrays, however the bytes are cut', () => {
    const cases: Array<[string, object, string]> = [
      ['*1\r\n*4\r\n:1\r\n:2\r\n:3\r\n:4\r\n', { maxAggregateLength: 3 }, 'aggregate-too-long'],
      ['*2\r\n:1\r\n$11\r\nhello world\r\n', { maxBulkLength: 10 }, 'bulk-too-long'],
      ['*1\r\n*1\r\n:123456\r\n', { maxLineLength: 4 }, 'line-too-long'],
    ]
    for (const [text, opts, reason] of cases) {
      for (const { name, chunks } of chunkings(b(text))) {
        assert.equal(feedThrows(opts, chunks)?.reason, reason, `${JSON.stringify(text)} (${name})`)
      }
    }
  })
  test('a streamed array over maxAggregateLength is reported at the element that goes over', () => {
    // The third `*1` (offset 20) is one element too many, whether it is read whole or in pieces.
    const wire = b('*?\r\n*1\r\n:1\r\n*1\r\n:2\r\n*1\r\n:3\r\n.\r\n')
    for (const { name, chunks } of chunkings(wire)) {
      const x = feedThrows({ maxAggregateLength: 2 }, chunks)
      assert.equal(x?.reason, 'aggregate-too-long', name)
      assert.equal(x?.offset, 20, name)
    }
  })
  test('maxDepth', () => {
    const nest = (n: number, open = '*1\r\n') => b(open.repeat(n) + ':1\r\n')
    for (const open of ['*1\r\n', '~1\r\n', '%1\r\n+k\r\n', '*?\r\n']) {
      const close = open === '*?\r\n' ? '.\r\n' : ''
      const wire = (n: number) => concat([nest(n, open), b(close.repeat(n))])
      assert.equal(feedThrows({ maxDepth: 4 }, [wire(4)]), undefined, `${JSON.stringify(open)}: 4 levels fit`)
      const x = feedThrows({ maxDepth: 4 }, [wire(5)])
      assert.equal(x?.reason, 'too-deep', `${JSON.stringify(open)}: 5 levels do not`)
    }
    assert.equal(feedThrows({ maxDepth: 1 }, [b('*2\r\n:1\r\n$1\r\na\r\n')]), undefined, 'scalars are not a level')
  })
  test('maxDepth default is 1024', () => {
    assert.equal(feedThrows({}, [b('*1\r\n'.repeat(1024) + ':1\r\n')]), undefined)
    assert.equal(feedThrows({}, [b('*1\r\n'.repeat(1025) + ':1\r\n')])?.reason, 'too-deep')
  })
  test('maxLineLength, enforced before the CRLF arrives', () => {
    const opts = { maxLineLength: 100 }
    assert.equal(feedThrows(opts, [b('+' + 'a'.repeat(90) + '\r\n')]), undefined)
    for (const type of ['+', '-', ':', ',', '(', '$', '*']) {
      const x = feedThrows(opts, [b(type + '1'.repeat(1000))])
      assert.equal(x?.reason, 'line-too-long', type)
      // and byte by byte, the same
      const chunks = Array.from(b(type + '1'.repeat(300)), (v) => Uint8Array.of(v))
      assert.equal(feedThrows(opts, chunks)?.reason, 'line-too-long', `${type} byte by byte`)
    }
    assert.equal(feedThrows(opts, [b('+' + 'a'.repeat(500) + '\r\n')])?.reason, 'line-too-long')
  })
  test('the verdict on an over-long line does not depend on chunking', () => {
    const opts = { maxLineLength: 64 }
    for (const w of ['+' + 'a'.repeat(65) + '\rX', '+' + 'a'.repeat(65) + '\r\n', '-' + 'a'.repeat(66) + '\r+']) {
      const wire = b(w)
      const whole = feedThrows(opts, [wire])
      for (const { name, chunks } of chunkings(wire)) {
        const x = feedThrows(opts, chunks)
        assert.deepEqual({ reason: x?.reason, offset: x?.offset }, { reason: whole?.reason, offset: whole?.offset }, `${JSON.stringify(w)} (${name})`)
      }
    }
  })
  test('a limit error leaves the decoder failed until reset', () => {
    const d = new Decoder({ onReply: () => {}, maxBulkLength: 1 })
    assert.throws(() => d.feed(b('$2\r\n')), (x: unknown) => x instanceof ProtocolError && x.reason === 'bulk-too-long')
    assert.throws(() => d.feed(b('+OK\r\n')), (x: unknown) => x === d.failed)
    d.reset()
    d.feed(b('$1\r\na\r\n'))
  })
})

describe('decoder: nothing allocated from declared lengths', () => {
  const g = globalThis as { process?: { memoryUsage?: () => { heapUsed: number; arrayBuffers?: number; external?: number } } }
  const mem = () => {
    const m = g.process?.memoryUsage?.()
    return m === undefined ? 0 : m.heapUsed + (m.arrayBuffers ?? m.external ?? 0)
  }
  const MB = 1024 * 1024

  test('a 500 MB bulk header allocates nothing up front', () => {
    const before = mem()
    const decoders: Decoder[] = []
    for (let i = 0; i < 4; i++) {
      const d = new Decoder({ onReply: () => assert.fail('no reply yet') })
      d.feed(b('$524288000\r\n'))
      d.feed(b('some bytes'))
      decoders.push(d)
    }
    assert.ok(mem() - before < 64 * MB, `grew by ${(mem() - before) / MB} MB`)
    assert.equal(decoders.length, 4)
  })
  test('a billion-element array or map allocates nothing up front', () => {
    const before = mem()
    const decoders: Decoder[] = []
    for (const h of ['*1000000000\r\n', '%1000000000\r\n', '~1000000000\r\n', '*4294967295\r\n']) {
      const d = new Decoder({ onReply: () => assert.fail('no reply yet') })
      d.feed(b(h + ':1\r\n$1\r\na\r\n'))
      decoders.push(d)
    }
    assert.ok(mem() - before < 64 * MB, `grew by ${(mem() - before) / MB} MB`)
  })
  test('a huge declared bulk under a huge limit waits for bytes instead of failing', () => {
    // A decoder that pre-allocates would throw a RangeError here.
    for (const h of ['$1099511627776\r\n', '$9007199254740991\r\n', '!4294967296\r\n']) {
      const d = new Decoder({ onReply: () => assert.fail('no reply yet'), maxBulkLength: Number.MAX_SAFE_INTEGER })
      d.feed(b(h))
      d.feed(b('x'.repeat(1000)))
      assert.equal(d.failed, undefined)
    }
  })
  test('a length beyond 2^53 is refused, not rounded', () => {
    const x = feedThrows({ maxBulkLength: Number.MAX_SAFE_INTEGER }, [b('$9007199254740993\r\n')])
    assert.ok(x !== undefined && ['bulk-too-long', 'bad-length'].includes(x.reason), String(x?.reason))
    const y = feedThrows({ maxAggregateLength: Number.MAX_SAFE_INTEGER }, [b('*99999999999999999999\r\n')])
    assert.ok(y !== undefined && ['aggregate-too-long', 'bad-length'].includes(y.reason), String(y?.reason))
  })
})

describe('decoder: deep nesting without recursion', () => {
  const depth = 100_000
  const walk = (v: unknown, kind: 'array' | 'node') => {
    let levels = 0
    let cur = v
    for (;;) {
      if (kind === 'array' && Array.isArray(cur)) {
        assert.equal(cur.length, 1)
        cur = cur[0]
      } else if (kind === 'node' && cur instanceof RespNode && cur.type === '*') {
        cur = (cur.value as unknown[])[0]
      } else break
      levels++
    }
    return { levels, leaf: cur }
  }
  test(`${depth} nested arrays, natural and lossless`, () => {
    const wire = b('*1\r\n'.repeat(depth) + ':1\r\n')
    for (const mode of ['natural', 'lossless'] as const) {
      const r = run([wire.subarray(0, 1000), wire.subarray(1000)], { mode, maxDepth: depth + 10 })
      assert.equal(r.error, undefined, String(r.error))
      assert.equal(r.events.length, 1)
      const { levels } = walk(r.events[0][1], mode === 'natural' ? 'array' : 'node')
      assert.equal(levels, depth)
    }
  })
  test(`${depth} nested streamed arrays`, () => {
    const wire = b('*?\r\n'.repeat(depth) + ':1\r\n' + '.\r\n'.repeat(depth))
    const r = run([wire], { maxDepth: depth + 10 })
    assert.equal(r.error, undefined, String(r.error))
    assert.equal(walk(r.events[0][1], 'array').levels, depth)
  })
  test(`${depth} nested maps`, () => {
    const wire = b('%1\r\n+k\r\n'.repeat(depth) + ':1\r\n')
    const r = run([wire], { maxDepth: depth + 10 })
    assert.equal(r.error, undefined, String(r.error))
  })
})

describe('decoder: large bulks', () => {
  const size = 4 * 1024 * 1024
  const payload = new Uint8Array(size)
  for (let i = 0; i < size; i++) payload[i] = (i * 31 + (i >> 8)) & 0xff
  // A payload with CRLFs all over it: a decoder that looks for CRLF inside bulks would break.
  for (let i = 0; i < size; i += 997) payload.set([13, 10], i)
  const wire = concat([b(`$${size}\r\n`), payload, b('\r\n+after\r\n')])

  for (const chunk of [1, 3, 1024, 4096, 65536]) {
    test(`4 MiB bulk in ${chunk}-byte chunks`, () => {
      const replies: unknown[] = []
      const d = new Decoder({ onReply: (v) => replies.push(v), binary: true })
      for (let i = 0; i < wire.length; i += chunk) d.feed(wire.subarray(i, i + chunk))
      assert.equal(replies.length, 2)
      const got = replies[0] as Uint8Array
      assert.ok(got instanceof Uint8Array)
      assert.equal(got.length, size)
      let same = true
      for (let i = 0; i < size; i++) if (got[i] !== payload[i]) same = false
      assert.ok(same, 'bytes intact')
      assert.deepEqual(Array.from(replies[1] as Uint8Array), Array.from(b('after')))
    }, { timeout: 60_000 })
  }

  test('4 MiB text bulk in 256-byte chunks finishes far from quadratic time', () => {
    const text = 'a'.repeat(size)
    const w = b(`$${size}\r\n${text}\r\n`)
    const replies: unknown[] = []
    const d = new Decoder({ onReply: (v) => replies.push(v) })
    const start = Date.now()
    for (let i = 0; i < w.length; i += 256) d.feed(w.subarray(i, i + 256))
    // Re-scanning the buffered bytes on every chunk would be ~32 GiB of work: minutes, not 10 s.
    assert.ok(Date.now() - start < 10_000, `took ${Date.now() - start} ms`)
    assert.equal(replies.length, 1)
    assert.equal(replies[0], text)
  })

  test('1 MiB bulk in 16 chunks, the chunks are not modified', () => {
    const one = payload.subarray(0, 1024 * 1024)
    const w = concat([b(`$${one.length}\r\n`), one, b('\r\n')])
    const copy = w.slice()
    const chunks: Uint8Array[] = []
    const step = Math.ceil(w.length / 16)
    for (let i = 0; i < w.length; i += step) chunks.push(w.subarray(i, i + step))
    const got = decode(concat(chunks), { binary: true }) as Uint8Array
    const r = run(chunks, { binary: true })
    assert.equal(r.error, undefined)
    assert.equal((r.events[0][1] as Uint8Array).length, one.length)
    assert.equal(got.length, one.length)
    assert.deepEqual(Array.from(w.subarray(0, 64)), Array.from(copy.subarray(0, 64)))
    let same = true
    for (let i = 0; i < w.length; i++) if (w[i] !== copy[i]) same = false
    assert.ok(same)
  })
})

describe('decoder: idle, and decode() on a cut stream', () => {
  test('idle is false at every strict prefix of every reply, true again once it is complete', () => {
    for (const c of validCases) {
      const d = new Decoder({ onReply: () => {}, onPush: () => {} })
      assert.equal(d.idle, true, `${c.name}: a new decoder`)
      for (let i = 0; i < c.wire.length - 1; i++) {
        d.feed(c.wire.subarray(i, i + 1))
        assert.equal(d.idle, false, `${c.name}: after ${i + 1} of ${c.wire.length} bytes`)
      }
      d.feed(c.wire.subarray(c.wire.length - 1))
      assert.equal(d.idle, true, `${c.name}: complete`)
    }
  })

  test('decode() names a cut stream and an extra reply', () => {
    assert.throws(() => decode(b('*2\r\n:1\r\n')), (e: unknown) => e instanceof ProtocolError && e.reason === 'truncated')
    assert.throws(() => decode(b('|1\r\n+k\r\n+v\r\n')), (e: unknown) => e instanceof ProtocolError && e.reason === 'truncated',
      'an attribute waiting for its value')
    assert.throws(() => decode(b('+a\r\n+b\r\n')), (e: unknown) => e instanceof ProtocolError && /exactly one reply, found 2/.test(e.message))
  })
})
