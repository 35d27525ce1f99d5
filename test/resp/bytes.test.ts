// ByteParts: the pieces of a payload that arrives over several chunks, small ones copied
// together so that a payload fed a byte at a time is not kept as a view per byte.

import assert from 'node:assert/strict'
import { describe, test } from '../support/runtime.ts'
import { ByteParts, concatBytes } from '../../src/resp/bytes.ts'

function pattern(n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) out[i] = (i * 7 + (i >> 9)) & 0xff
  return out
}

describe('ByteParts', () => {
  test('keeps every byte in order, whatever the piece sizes, and starts afresh after take()', () => {
    const data = pattern(100_000)
    for (const sizes of [[1], [3, 1], [4095, 1, 4096, 2], [5000], [16384, 1], [100_000]]) {
      const parts = new ByteParts()
      for (let round = 0; round < 2; round++) {
        let at = 0
        let k = 0
        while (at < data.length) {
          const n = Math.min(sizes[k++ % sizes.length], data.length - at)
          parts.push(data.subarray(at, at + n), data.length - at - n)
          at += n
        }
        const got = concatBytes(parts.take())
        assert.equal(got.length, data.length, `${sizes}`)
        assert.ok(got.every((x, i) => x === data[i]), `${sizes}: same bytes, round ${round}`)
      }
    }
  })
  test('one byte at a time: a part per 16 KiB, not a view per byte', () => {
    const data = pattern(64 * 1024)
    const parts = new ByteParts()
    for (let i = 0; i < data.length; i++) parts.push(data.subarray(i, i + 1), data.length - i - 1)
    const got = parts.take()
    assert.equal(got.length, 4)
    assert.ok(got.every((p) => p.length === 16384))
  })
  test('pieces of 4 KiB and more are kept as they are, not copied', () => {
    const data = pattern(20_000)
    const parts = new ByteParts()
    parts.push(data.subarray(0, 3), 0)
    parts.push(data.subarray(3, 10_000), 0)
    parts.push(data.subarray(10_000), 0)
    const got = parts.take()
    assert.equal(got.length, 3)
    assert.equal(got[1].buffer, data.buffer, 'a view of the piece')
    assert.equal(got[2].buffer, data.buffer)
    assert.notEqual(got[0].buffer, data.buffer, 'the small piece was copied')
    assert.equal(got[0].buffer.byteLength, 3, 'and its copy trimmed to what it holds')
  })
})
