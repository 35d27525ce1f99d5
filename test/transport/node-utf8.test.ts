// @node-only: nodeUtf8 is Node's decoder (node:buffer's utf8Slice, asciiSlice, isAscii).
// Large bulks that arrive in parts are joined and decoded once (joinAbove); long all-ASCII text
// is copied as one-byte text. Whatever the path, the string must be exactly TextDecoder's.

import assert from 'node:assert/strict'
import { describe, test } from '../support/runtime.ts'
import { Decoder } from '../../src/resp/index.ts'
import { nodeUtf8 } from '../../src/transport/node.ts'

const encoder = new TextEncoder()

function bulkIn(text: string, chunk: number): { chunks: Uint8Array[]; bytes: Uint8Array } {
  const body = encoder.encode(text)
  const wire = new Uint8Array([...encoder.encode(`$${body.length}\r\n`), ...body, 13, 10])
  const chunks: Uint8Array[] = []
  for (let i = 0; i < wire.length; i += chunk) chunks.push(wire.slice(i, i + chunk))
  return { chunks, bytes: body }
}

function decode(chunks: Uint8Array[]): unknown {
  const replies: unknown[] = []
  const decoder = new Decoder({ decodeUtf8: nodeUtf8, onReply: (r) => replies.push(r) })
  for (const c of chunks) decoder.feed(c)
  assert.equal(replies.length, 1)
  return replies[0]
}

describe('nodeUtf8', () => {
  test('asks for large bulks in parts to be joined (joinAbove)', () => {
    assert.equal(nodeUtf8.joinAbove, 128 * 1024)
  })

  const texts: Array<[string, string]> = [
    ['1 MiB of ASCII', 'abcdefghij'.repeat(104_858)],
    ['1 MiB with 2-, 3- and 4-byte characters across every chunk edge', 'é€😀x'.repeat(100_000)],
    ['100 KiB of ASCII (below joinAbove: decoded part by part)', 'z'.repeat(100 * 1024)],
    ['20 KiB, one non-ASCII byte at the end (long text, not ASCII)', 'a'.repeat(20 * 1024) + 'ü'],
  ]
  for (const [name, text] of texts) {
    test(`${name}: the same string as TextDecoder, in 64 KiB and in 1000-byte chunks`, () => {
      for (const size of [64 * 1024, 1000]) {
        const { chunks, bytes } = bulkIn(text, size)
        assert.equal(decode(chunks), new TextDecoder().decode(bytes), `chunks of ${size}`)
      }
    })
  }

  test('invalid UTF-8 in a long bulk becomes U+FFFD, as TextDecoder does', () => {
    const body = new Uint8Array(200 * 1024).fill(0x61)
    body[150_000] = 0xff
    const wire = new Uint8Array([...encoder.encode(`$${body.length}\r\n`), ...body, 13, 10])
    const chunks = [wire.slice(0, 70_000), wire.slice(70_000, 140_000), wire.slice(140_000)]
    assert.equal(decode(chunks), new TextDecoder().decode(body))
  })
})
