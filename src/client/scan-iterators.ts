// node-redis v5's scan iterators: each step yields one batch (the keys, members or entries of one
// SCAN call) until the cursor comes back to 0, a full cycle. Keys that change during the scan
// are handled as SCAN guarantees (every key present throughout is seen at least once); a batch
// may repeat keys. Breaking out of the loop stops after the current call.

import type { ScanOptions } from './commands/index.ts'
import type { RedisClient } from './client.ts'

export type ScanIteratorOptions = ScanOptions & { cursor?: string }

export async function* scanIterator(client: RedisClient, options?: ScanIteratorOptions): AsyncGenerator<string[], void, undefined> {
  let cursor = options?.cursor ?? '0'
  do {
    const reply = await client.scan(cursor, options)
    cursor = reply.cursor
    yield reply.keys
  } while (cursor !== '0')
}

export async function* hScanIterator(client: RedisClient, key: string | Uint8Array, options?: Omit<ScanIteratorOptions, 'TYPE'>): AsyncGenerator<Array<{ field: string; value: string }>, void, undefined> {
  let cursor = options?.cursor ?? '0'
  do {
    const reply = await client.hScan(key, cursor, options)
    cursor = reply.cursor
    yield reply.entries
  } while (cursor !== '0')
}

export async function* sScanIterator(client: RedisClient, key: string | Uint8Array, options?: Omit<ScanIteratorOptions, 'TYPE'>): AsyncGenerator<string[], void, undefined> {
  let cursor = options?.cursor ?? '0'
  do {
    const reply = await client.sScan(key, cursor, options)
    cursor = reply.cursor
    yield reply.members
  } while (cursor !== '0')
}

export async function* zScanIterator(client: RedisClient, key: string | Uint8Array, options?: Omit<ScanIteratorOptions, 'TYPE'>): AsyncGenerator<Array<{ value: string; score: number }>, void, undefined> {
  let cursor = options?.cursor ?? '0'
  do {
    const reply = await client.zScan(key, cursor, options)
    cursor = reply.cursor
    yield reply.members
  } while (cursor !== '0')
}
