// Runs one scenario of commands against a real redis-server under RESP2 and under RESP3, each
// on a freshly flushed server, and checks that both give the same result: the point of the
// reply shapers. The scenario returns what it wants compared (normalising what legitimately
// differs between two runs, such as idle times).

import assert from 'node:assert/strict'
import { type RawConnection, rawConnect } from '../../support/raw-connection.ts'
import type { RedisServer } from '../../support/redis.ts'

export interface Mode {
  binary?: boolean
  mapAsMap?: boolean
}

export async function underBoth<T>(redis: RedisServer, scenario: (c: RawConnection) => Promise<T>, mode: Mode = {}): Promise<T> {
  const results: T[] = []
  for (const resp of [2, 3] as const) {
    const conn = await rawConnect({ port: redis.port, resp, ...mode })
    try {
      await conn.send(['FLUSHALL'])
      results.push(await scenario(conn))
    } finally {
      await conn.close()
    }
  }
  assert.deepStrictEqual(results[0], results[1], 'RESP2 and RESP3 results differ')
  return results[1]
}

const encoder = new TextEncoder()
/** UTF-8 bytes, for expected values in binary mode. */
export const bytes = (s: string): Uint8Array => encoder.encode(s)

/** Sorts a copy (set members come in no particular order). */
export function sorted<T>(list: readonly T[]): T[] {
  return [...list].sort()
}
