// The decoder against a hostile peer and a careless caller (issue 6, and the protocol loose ends
// of issue 7): memory held stays proportional to the bytes received whatever their shape,
// hostile input gives a ProtocolError and nothing else, feed() from a callback keeps the stream
// in order, options are checked at construction, numbers are what hiredis accepts.

import assert from 'node:assert/strict'
import { describe, test } from '../support/runtime.ts'
import { Decoder, ProtocolError, RespNode, decode, type RespType } from '../../src/resp/index.ts'
import { canForceGc, heldBytes } from '../../fuzz/heap.ts'
import { b, canon, chunkings, concat, expectedEvents, run, toBinary, validCases, type FeedOptions } from './cases.ts'

const KiB = 1024
const MiB = 1024 * KiB

/**
 * Bytes held by a decoder after it was fed `chunks` (a ProtocolError on the way is fine), and
 * what it threw. The chunk list is built before the first measurement, so it is not counted:
 * only what the decoder made is. Runs in a function of its own so that no stack slot of the
 * caller keeps an earlier decoder alive across the measurement.
 */
function held(chunks: Uint8Array[], options: FeedOptions = {}): { bytes: number; error: unknown } {
  const before = heldBytes()
  const d = new Decoder({ ...options, onReply: () => {}, onPush: () => {} })
  let error: unknown
  try {
    for (const c of chunks) d.feed(c)
  } catch (x) {
    error = x
  }
  const bytes = heldBytes() - before
  // Keep the decoder alive until after the measurement.
  assert.ok(d.idle === false || d.idle === true)
  if (error !== undefined && !(error instanceof ProtocolError)) throw error
  return { bytes, error }
}

const split = (wire: Uint8Array, size: number): Uint8Array[] => {
  const out: Uint8Array[] = []
  for (let i = 0; i < wire.length; i += size) out.push(wire.subarray(i, i + size))
  return out
}

describe('decoder hardening: memory held is proportional to the bytes received', () => {
  // Without a forced collection garbage counts too, which can only overstate: bounds hold anyway.
  const slack = canForceGc() ? 1 : 4
  if (heldBytes() === 0) throw new Error('no way to measure the heap on this runtime')

  test('1024 × `*2147483647` in one 64 KiB chunk: array pre-sizing does not compound', () => {
    const headers = '*2147483647\r\n'.repeat(1024)
    const wire = b(headers + ':1\r\n'.repeat((64 * KiB - headers.length) >> 2))
    const { bytes, error } = held([wire])
    assert.equal(error, undefined)
    // Was ~153 MiB: each header pre-sized an array for the whole rest of the chunk.
    assert.ok(bytes < 16 * 64 * KiB * slack, `held ${(bytes / MiB).toFixed(1)} MiB for 64 KiB`)
  })

  test('1 MiB of `*2147483647` headers with maxDepth raised: at most 32 bytes per byte', () => {
    const wire = b('*2147483647\r\n'.repeat(MiB / 13))
    const { bytes, error } = held([wire], { maxDepth: 1_000_000 })
    assert.equal(error, undefined)
    // Was ~2.7 GB (a 1 GiB heap died): now frames only, ~150 bytes per 13-byte header.
    assert.ok(bytes < 32 * wire.length * slack, `held ${(bytes / MiB).toFixed(1)} MiB for 1 MiB`)
  })

  test('a bulk fed one byte per feed() is not kept as one view per byte', () => {
    const size = 256 * KiB
    const wire = concat([b(`$${size + 1}\r\n`), new Uint8Array(size).fill(97)])
    for (const binary of [false, true]) {
      const { bytes } = held(split(wire, 1), { binary })
      // Was ~194 bytes per byte.
      assert.ok(bytes < 3 * size * slack, `binary ${binary}: held ${(bytes / size).toFixed(1)} bytes per byte`)
    }
    // The same bytes in 4 KiB chunks are kept as views of them, not copied: not counted here.
    const { bytes } = held(split(wire, 4096))
    assert.ok(bytes < size * slack, `4 KiB chunks: held ${(bytes / size).toFixed(1)} bytes per byte`)
  })

  test('a streamed string of one-byte parts: coalesced while it is open', () => {
    const wire = concat([b('$?\r\n'), b(';1\r\nx\r\n'.repeat(64 * KiB))])
    for (const mode of ['natural', 'lossless'] as const) {
      for (const size of [1, 7, 64 * KiB]) {
        const { bytes, error } = held(split(wire, size), { mode })
        assert.equal(error, undefined)
        // Was ~200 bytes per payload byte (~28 per byte of wire).
        assert.ok(bytes < 3 * wire.length * slack, `${mode}, ${size}-byte chunks: held ${(bytes / wire.length).toFixed(1)} bytes per byte`)
      }
    }
  })

  test('attributes waiting for their value are bounded by maxAttributes', () => {
    const wire = b('|0\r\n'.repeat(1_000_000))
    const { bytes, error } = held([wire])
    // Was ~185 MiB: every empty attribute kept, waiting.
    assert.ok(error instanceof ProtocolError && error.reason === 'too-many-attributes', String(error))
    assert.ok(bytes < 64 * KiB * slack, `held ${(bytes / KiB).toFixed(0)} KiB`)
  })
})

describe('decoder hardening: streamed strings and attributes, the limits', () => {
  test('maxAttributes: 16 by default, per value, checked at the header', () => {
    const at = (n: number, options: FeedOptions = {}) => run([b('|0\r\n'.repeat(n) + ':1\r\n')], options)
    assert.equal(at(16).error, undefined)
    const r = at(17)
    assert.ok(r.error instanceof ProtocolError && r.error.reason === 'too-many-attributes')
    assert.equal(r.error.offset, 64, 'at the 17th header')
    assert.equal(at(3, { maxAttributes: 3 }).error, undefined)
    assert.equal((at(4, { maxAttributes: 3 }).error as ProtocolError).reason, 'too-many-attributes')
    assert.equal(at(1, { maxAttributes: 0 }).error instanceof ProtocolError, true)
    // Counted per value: one attribute before each of many values is fine.
    assert.equal(run([b('*20\r\n' + '|0\r\n:1\r\n'.repeat(20))]).error, undefined)
    // The same in lossless mode, and for attributes of nested values.
    assert.equal((at(17, { mode: 'lossless' }).error as ProtocolError).reason, 'too-many-attributes')
    assert.equal((run([b('*1\r\n' + '|0\r\n'.repeat(17))]).error as ProtocolError).reason, 'too-many-attributes')
  })
  test('a streamed string is the same value whatever its parts and however they arrive', () => {
    const parts = ['a', 'é'.repeat(3000), 'x'.repeat(5000), '€', 'z']
    const bytes = parts.map((p) => new TextEncoder().encode(p))
    const wire = concat([b('$?\r\n'), ...bytes.map((p) => concat([b(`;${p.length}\r\n`), p, b('\r\n')])), b(';0\r\n')])
    for (const size of [1, 3, 1000, 4096, 5000, wire.length]) {
      const natural = run(split(wire, size))
      assert.equal(natural.events[0][1], parts.join(''), `${size}-byte chunks`)
      const binary = run(split(wire, size), { binary: true })
      assert.deepEqual(canon(binary.events[0][1]), canon(new TextEncoder().encode(parts.join(''))))
      const lossless = run(split(wire, size), { mode: 'lossless' })
      const node = lossless.events[0][1] as RespNode
      assert.deepEqual((node.value as Uint8Array[]).map((p) => canon(p)), bytes.map((p) => canon(p)), `${size}-byte chunks: parts as sent`)
    }
  })
})

describe('decoder hardening: hostile input gives a ProtocolError, nothing else', () => {
  const reason = (x: unknown) => (x instanceof ProtocolError ? x.reason : `not a ProtocolError: ${String(x)}`)

  test('mapAs object: an aggregate as a map key is a ProtocolError, not a TypeError', () => {
    for (const w of [
      '%1\r\n%1\r\n+toString\r\n+x\r\n+v\r\n', // was: TypeError, Cannot convert object to primitive value
      '%1\r\n*1\r\n:1\r\n+v\r\n',
      '%1\r\n~1\r\n:1\r\n+v\r\n',
      '%1\r\n*?\r\n.\r\n+v\r\n',
      '%1\r\n%?\r\n.\r\n+v\r\n',
      '%?\r\n*0\r\n+v\r\n.\r\n',
      '*1\r\n%2\r\n+a\r\n:1\r\n%0\r\n:2\r\n',
      '|1\r\n*0\r\n+v\r\n+x\r\n',
    ]) {
      for (const { name, chunks } of chunkings(b(w))) {
        const r = run(chunks, { mapAs: 'object' })
        assert.equal(reason(r.error), 'bad-key', `${JSON.stringify(w)} (${name})`)
      }
      // The same input is fine with maps as Map.
      assert.equal(run([b(w)]).error, undefined, w)
    }
  })
  test('mapAs object: an error as a map key is a ProtocolError', () => {
    for (const w of ['%1\r\n-ERR x\r\n+v\r\n', '%1\r\n!3\r\nERR\r\n+v\r\n']) {
      for (const { name, chunks } of chunkings(b(w))) {
        assert.equal(reason(run(chunks, { mapAs: 'object' }).error), 'bad-key', `${JSON.stringify(w)} (${name})`)
      }
    }
  })
  test('mapAs object: scalar keys, an attribute before a key, and streamed-string keys still work', () => {
    const r = run([b('%5\r\n:1\r\n+int\r\n#t\r\n+bool\r\n_\r\n+null\r\n|1\r\n+a\r\n+b\r\n+k\r\n+v\r\n$?\r\n;2\r\nst\r\n;0\r\n+s\r\n')], { mapAs: 'object' })
    assert.equal(r.error, undefined, String(r.error))
    const reply = r.events.find((e) => e[0] === 'reply')![1]
    assert.deepEqual(canon(reply), canon({ 1: 'int', true: 'bool', null: 'null', k: 'v', st: 's' }))
    const bin = run([b('%1\r\n+k\r\n:1\r\n')], { mapAs: 'object', binary: true })
    assert.deepEqual(canon(bin.events[0][1]), canon({ k: 1 }))
  })
  test('a map key nested 5000 deep: no stack overflow in any mode', () => {
    const depth = 5000
    const wire = b('%1\r\n' + '*1\r\n'.repeat(depth) + ':1\r\n+v\r\n')
    const options = { maxDepth: depth + 10 }
    const asMap = run([wire], options)
    assert.equal(asMap.error, undefined, String(asMap.error))
    const key = [...(asMap.events[0][1] as Map<unknown, unknown>).keys()][0]
    assert.ok(Array.isArray(key))
    assert.equal(run([wire], { ...options, mode: 'lossless' }).error, undefined)
    // Was: RangeError, Maximum call stack size exceeded (String() of the nested key).
    const asObject = run([wire], { ...options, mapAs: 'object' })
    assert.equal(reason(asObject.error), 'bad-key')
    assert.equal((asObject.error as ProtocolError).offset, 4, 'refused when the key opens')
  })
  test('feed() from inside onReply keeps the stream in order', () => {
    const got: unknown[] = []
    const later = [b('+c\r\n+d'), b('\r\n')]
    const d = new Decoder({
      onReply: (v) => {
        got.push(v)
        // Was: these bytes were parsed at once, in the middle of the outer chunk.
        if (v === 'a') for (const c of later) d.feed(c)
      },
    })
    d.feed(b('+a\r\n+b\r\n'))
    assert.deepEqual(got, ['a', 'b', 'c', 'd'])
    // Nested feeds from pushes too; the bytes fed from a callback come after the whole chunk
    // being parsed, since they were fed after it: here they finish its last reply.
    const got2: unknown[] = []
    const d2 = new Decoder({
      onReply: (v) => {
        got2.push(v)
        if (v === 1) d2.feed(b('\r\n:3\r\n'))
      },
      onPush: (v) => {
        got2.push(v)
        d2.feed(b(':4\r\n'))
      },
    })
    d2.feed(b(':1\r\n>1\r\n+p\r\n:2'))
    assert.deepEqual(got2, [1, ['p'], 2, 3, 4])
    assert.ok(d2.idle)
  })
  test('a queued feed() after a protocol error is dropped with the failed stream', () => {
    const d = new Decoder({ onReply: () => d.feed(b('+later\r\n')) })
    assert.throws(() => d.feed(b('+a\r\nX')), (x: unknown) => x instanceof ProtocolError && x.offset === 4)
    assert.throws(() => d.feed(b('+b\r\n')), (x: unknown) => x === d.failed)
  })
})

describe('decoder hardening: options are checked at construction', () => {
  const make = (options: Record<string, unknown>) => () => new Decoder({ onReply: () => {}, ...options } as never)
  for (const name of ['maxBulkLength', 'maxAggregateLength', 'maxDepth', 'maxLineLength', 'maxAttributes']) {
    test(name, () => {
      for (const bad of [NaN, -1, 1.5, -Infinity]) {
        assert.throws(make({ [name]: bad }), (x: unknown) => x instanceof RangeError && x.message.includes(name), `${name}: ${bad}`)
      }
      for (const bad of ['10', null, true, 10n]) {
        assert.throws(make({ [name]: bad }), (x: unknown) => x instanceof TypeError && x.message.includes(name), `${name}: ${String(bad)}`)
      }
      for (const good of [0, 1, 100, Number.MAX_SAFE_INTEGER, Infinity]) make({ [name]: good })()
    })
  }
  test('an Infinity limit is no limit', () => {
    assert.equal(run([b('$5\r\nhello\r\n')], { maxBulkLength: Infinity }).error, undefined)
    assert.equal(run([b('*1\r\n'.repeat(2000) + ':1\r\n')], { maxDepth: Infinity }).error, undefined)
  })
  test('onReply is required, callbacks must be functions', () => {
    assert.throws(() => new Decoder({} as never), (x: unknown) => x instanceof TypeError && x.message.includes('onReply'))
    assert.throws(() => new Decoder(undefined as never), TypeError)
    assert.throws(make({ onReply: 'yes' }), (x: unknown) => x instanceof TypeError && x.message.includes('onReply'))
    for (const name of ['onPush', 'onAttribute', 'binaryForNextReply', 'decodeUtf8']) {
      assert.throws(make({ [name]: 1 }), (x: unknown) => x instanceof TypeError && x.message.includes(name), name)
      make({ [name]: undefined })()
    }
  })
  test('misspelled mode, mapAs, setAs and a non-boolean binary are refused', () => {
    const cases: Array<[string, unknown]> = [['mode', 'loseless'], ['mode', 'Lossless'], ['mapAs', 'Object'], ['mapAs', 'obj'], ['setAs', 'arrays'], ['binary', 'yes'], ['binary', 1]]
    for (const [name, value] of cases) {
      assert.throws(make({ [name]: value }), (x: unknown) => x instanceof TypeError && x.message.includes(name), `${name}: ${String(value)}`)
    }
    for (const [name, value] of [['mode', 'natural'], ['mode', 'lossless'], ['mapAs', 'map'], ['mapAs', 'object'], ['setAs', 'set'], ['setAs', 'array'], ['binary', false]] as const) {
      make({ [name]: value })()
    }
  })
})

describe('decoder hardening: numbers as hiredis reads them', () => {
  const reason = (w: string, options: FeedOptions = {}) => {
    const r = run([b(w)], options)
    return r.error instanceof ProtocolError ? r.error.reason : r.error === undefined ? 'ok' : String(r.error)
  }
  test('integers: the signed 64-bit range, however many leading zeros', () => {
    assert.equal(decode(b(':-9223372036854775808\r\n')), -9223372036854775808n)
    assert.equal(decode(b(':' + '0'.repeat(1000) + '42\r\n')), 42)
    assert.equal(reason(':9223372036854775808\r\n'), 'bad-integer')
    assert.equal(reason(':' + '0'.repeat(1000) + '9223372036854775808\r\n'), 'bad-integer')
    assert.equal(reason(':-9223372036854775809\r\n', { mode: 'lossless' }), 'bad-integer')
    assert.equal(reason(':99999999999999999999\r\n'), 'bad-integer')
  })
  test('a 512K-digit integer or big number is refused in linear time', () => {
    // Was: parsed as a bigint, ~140 ms and faster-than-linear growth.
    for (const type of [':', '(']) {
      for (const mode of ['natural', 'lossless'] as const) {
        const start = Date.now()
        const r = reason(type + '7'.repeat(512 * KiB) + '\r\n', { mode })
        assert.equal(r, type === ':' ? 'bad-integer' : 'bad-big-number', `${type} ${mode}`)
        assert.ok(Date.now() - start < 2000, `${type} ${mode}: ${Date.now() - start} ms`)
      }
    }
  })
  test('big numbers: up to 4096 digits', () => {
    const max = '9'.repeat(4096)
    assert.equal(decode(b(`(-${max}\r\n`)), -(10n ** 4096n - 1n))
    assert.equal((decode(b(`(+${max}\r\n`), { mode: 'lossless' })).value, `+${max}`)
    for (const { name, chunks } of [{ name: 'whole', chunks: [b(`(${max}9\r\n`)] }, { name: 'bytewise', chunks: split(b(`(${max}9\r\n`), 1) }]) {
      const r = run(chunks)
      assert.ok(r.error instanceof ProtocolError && r.error.reason === 'bad-big-number', name)
    }
  })
})

describe('decoder hardening: binary strings are views, never of a buffer the decoder reuses', () => {
  // Every case back to back, in binary mode: a value made from a line stitched across chunks
  // must not change when the next line is stitched.
  const wire = concat(validCases.map((c) => c.wire))
  const expected = validCases.flatMap((c) => expectedEvents(c, (v) => (v === c.value && c.binary !== undefined ? c.binary : toBinary(v))))
  for (const size of [1, 2, 3, 5, 7, 64, wire.length]) {
    test(`chunks of ${size} bytes`, () => {
      const r = run(split(wire, size), { binary: true })
      assert.equal(r.error, undefined, String(r.error))
      assert.deepEqual(r.events.map((e) => e.map((x, i) => (i === 0 ? x : canon(x)))), expected.map((e) => e.map((x, i) => (i === 0 ? x : canon(x)))))
    })
  }
})

describe('decoder hardening: onReply is typed by mode', () => {
  test('lossless mode hands RespNode without a cast; natural mode unknown', () => {
    const types: RespType[] = []
    const d = new Decoder({ mode: 'lossless', onReply: (node) => types.push(node.type), onPush: (node) => types.push(node.type) })
    d.feed(b('+OK\r\n>1\r\n:1\r\n'))
    assert.deepEqual(types, ['+', '>'])
    const node: RespNode = decode(b(':1\r\n'), { mode: 'lossless' })
    assert.equal(node.type, ':')
    const natural = new Decoder({
      // @ts-expect-error natural mode replies are not RespNodes
      onReply: (reply) => types.push(reply.type),
    })
    assert.ok(natural.idle)
  })
})
