// The UTF-8 decoder each runtime's client uses without being told (nodeUtf8, denoUtf8, bunUtf8,
// picked by runtimeDefaults): whatever path a string takes (short or long, whole or in parts,
// joined or not), it must come out exactly as TextDecoder makes it, U+FFFD for bad bytes included.

import assert from 'node:assert/strict'
import { describe, test } from '../support/runtime.ts'
import { Decoder, type Utf8Decoder } from '../../src/resp/index.ts'
import { runtimeDefaults } from '../../src/transport/runtime-defaults.ts'

const encoder = new TextEncoder()

function wireOf(body: Uint8Array): Uint8Array {
  return new Uint8Array([...encoder.encode(`$${body.length}\r\n`), ...body, 13, 10])
}

function decode(decodeUtf8: Utf8Decoder, chunks: Uint8Array[]): unknown {
  const replies: unknown[] = []
  const decoder = new Decoder({ decodeUtf8, onReply: (r) => replies.push(r) })
  for (const c of chunks) decoder.feed(c)
  assert.equal(replies.length, 1)
  return replies[0]
}

function cut(wire: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = []
  for (let i = 0; i < wire.length; i += size) chunks.push(wire.slice(i, i + size))
  return chunks
}

const texts: Array<[string, string]> = [
  ['short ASCII', 'OK:value'],
  // denoUtf8 switches from node:buffer to TextDecoder past 256 bytes.
  ['255 bytes', 'a'.repeat(255)],
  ['256 bytes', 'b'.repeat(256)],
  ['257 bytes', 'c'.repeat(257)],
  ['256 bytes ending in a 2-byte character', 'd'.repeat(254) + 'é'],
  ['4 KiB of mixed 1- to 4-byte characters', 'aé€😀'.repeat(410)],
  ['100 KiB of ASCII', 'z'.repeat(100 * 1024)],
  // Past joinAbove (128 KiB on Node and Bun): parts joined and decoded once.
  ['1 MiB with characters across every chunk edge', 'é€😀x'.repeat(100_000)],
]

describe('the runtime UTF-8 decoder', () => {
  test('the client has one on this runtime', async () => {
    const { decodeUtf8 } = await runtimeDefaults()
    assert.equal(typeof decodeUtf8, 'function')
  })

  for (const [name, text] of texts) {
    test(`${name}: TextDecoder's string, whole and in 64 KiB, 1000- and 7-byte chunks`, async () => {
      const { decodeUtf8 } = await runtimeDefaults()
      const body = encoder.encode(text)
      const wire = wireOf(body)
      const sizes = body.length < 8192 ? [wire.length, 1000, 7] : [wire.length, 64 * 1024, 1000]
      for (const size of sizes) assert.equal(decode(decodeUtf8!, cut(wire, size)), text, `chunks of ${size}`)
    })
  }

  test('invalid UTF-8, short and long, whole and in parts: U+FFFD where TextDecoder puts it', async () => {
    const { decodeUtf8 } = await runtimeDefaults()
    for (const length of [20, 300, 200 * 1024]) {
      const body = new Uint8Array(length).fill(0x61)
      body[length >> 1] = 0xff
      body[length - 1] = 0xe2 // a 3-byte lead with nothing after it
      const want = new TextDecoder().decode(body)
      const wire = wireOf(body)
      for (const size of [wire.length, 70_000, 9]) {
        if (size === 9 && length > 4096) continue
        assert.equal(decode(decodeUtf8!, cut(wire, size)), want, `${length} bytes in chunks of ${size}`)
      }
    }
  })
})
