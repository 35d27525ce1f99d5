// UTF-8 decoding: the part-by-part decoder of large bulks agrees with one decode of the joined
// bytes at any split, and the Node decoder agrees with the portable one on every table case.

import assert from 'node:assert/strict'
import fc from 'fast-check'
import { describe, test } from '../support/runtime.ts'
import { utf8, utf8Parts } from '../../src/resp/text.ts'
import { nodeUtf8 } from '../../src/node.ts'
import { b, canon, run, validCases } from './cases.ts'

function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((x, y) => x - y)
  const parts: Uint8Array[] = []
  let last = 0
  for (const p of points) {
    parts.push(bytes.subarray(last, p))
    last = p
  }
  parts.push(bytes.subarray(last))
  return parts
}

describe('utf8Parts', () => {
  const whole = new TextDecoder()
  test('any bytes, split anywhere, decode as one decode of the whole would', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 48 }), fc.array(fc.nat(64), { maxLength: 6 }), (bytes, cuts) => {
        assert.equal(utf8Parts(splitAt(bytes, cuts)), whole.decode(bytes))
      }),
      { numRuns: 3000, seed: 20261121 },
    )
  })
  test('text with 2-, 3- and 4-byte characters, split inside them', () => {
    const bytes = new TextEncoder().encode('aé€😀'.repeat(5))
    for (let cut = 0; cut <= bytes.length; cut++) {
      assert.equal(utf8Parts(splitAt(bytes, [cut, cut + 1, cut + 5])), 'aé€😀'.repeat(5))
    }
  })
})

describe('nodeUtf8', () => {
  test('decodes every table case as the default decoder does, whole and byte by byte', () => {
    for (const c of validCases) {
      const pure = run([c.wire]).events
      const node = run([c.wire], { decodeUtf8: nodeUtf8 }).events
      const bytewise = run(Array.from(c.wire, (x) => Uint8Array.of(x)), { decodeUtf8: nodeUtf8 }).events
      assert.deepEqual(canon(node), canon(pure), c.name)
      assert.deepEqual(canon(bytewise), canon(pure), c.name)
    }
  })
  test('invalid UTF-8 becomes U+FFFD as with TextDecoder', () => {
    const wire = b('$4\r\n', [0xff, 0x61, 0xc3, 0x28], '\r\n')
    assert.deepEqual(run([wire], { decodeUtf8: nodeUtf8 }).events, run([wire]).events)
  })
})

describe('utf8, the short-string path', () => {
  test('every length up to 8 and past it, ASCII or not, as TextDecoder decodes it', () => {
    const whole = new TextDecoder()
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), fc.nat(4), (bytes, pad) => {
        const src = new Uint8Array(bytes.length + 2 * pad).fill(0x41)
        src.set(bytes, pad)
        assert.equal(utf8(src, pad, pad + bytes.length), whole.decode(bytes))
      }),
      { numRuns: 3000, seed: 20261130 },
    )
    for (let n = 0; n <= 9; n++) assert.equal(utf8(b('abcdefghij'), 0, n), 'abcdefghij'.slice(0, n))
  })
})
