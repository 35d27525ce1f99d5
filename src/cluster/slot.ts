// Which of the 16384 slots a key belongs to: CRC16 (XMODEM) of the key, or of its hash tag,
// the part between the first `{` and the first `}` after it when that part is not empty
// (`{user1}.name` and `{user1}.age` share a slot; `{}x` hashes as a whole). Checked against the
// server's own CLUSTER KEYSLOT, not against another library.

import type { CommandArgument } from '../resp/index.ts'

export const SLOTS = 16384

const TABLE = new Uint16Array(256)
for (let i = 0; i < 256; i++) {
  let crc = i << 8
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
  TABLE[i] = crc
}

function crc16(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ bytes[i]) & 0xff]
  return crc
}

const LEFT = 123 // {
const RIGHT = 125 // }

function slotOfBytes(bytes: Uint8Array): number {
  const open = bytes.indexOf(LEFT)
  if (open !== -1) {
    const close = bytes.indexOf(RIGHT, open + 1)
    if (close > open + 1) return crc16(bytes, open + 1, close) & (SLOTS - 1)
  }
  return crc16(bytes, 0, bytes.length) & (SLOTS - 1)
}

const encoder = new TextEncoder()

/** An ASCII string hashed without encoding it first; anything else through its UTF-8 bytes. */
function slotOfString(key: string): number {
  let start = 0
  let end = key.length
  const open = key.indexOf('{')
  if (open !== -1) {
    const close = key.indexOf('}', open + 1)
    if (close > open + 1) {
      start = open + 1
      end = close
    }
  }
  let crc = 0
  for (let i = start; i < end; i++) {
    const c = key.charCodeAt(i)
    if (c > 127) return slotOfBytes(encoder.encode(key))
    crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ c) & 0xff]
  }
  return crc & (SLOTS - 1)
}

/** The slot of a key, as CLUSTER KEYSLOT computes it. Numbers and bigints are hashed as the encoder sends them. */
export function keySlot(key: CommandArgument): number {
  if (typeof key === 'string') return slotOfString(key)
  if (key instanceof Uint8Array) return slotOfBytes(key)
  // Integers past 2^53 go out in plain digits (String would give `1e+21`), as the encoder writes them.
  if (typeof key === 'number' && Number.isInteger(key) && !Number.isSafeInteger(key)) return slotOfString(BigInt(key).toString())
  return slotOfString(String(key))
}
