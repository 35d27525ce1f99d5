// The reconnect strategy: how long to wait before the next attempt, or whether to give up.

import type { ReconnectStrategy } from './options.ts'
import { ReconnectGaveUpError } from './errors.ts'

const BASE_MS = 50
const CAP_MS = 2_000

/** Exponential backoff with full jitter (a random wait up to 50 ms × 2^retries, capped at 2 s): clients that lost the same server do not come back in step. */
export function defaultBackoff(retries: number): number {
  return Math.floor(Math.random() * Math.min(CAP_MS, BASE_MS * 2 ** Math.min(retries, 16)))
}

/**
 * The wait before attempt `retries` (0 first), or the error to give up with. A strategy that
 * throws or returns something else is a programming error: give up with it, say why.
 */
export function nextDelay(strategy: ReconnectStrategy | undefined, retries: number, cause: Error): number | Error {
  if (strategy === undefined) return defaultBackoff(retries)
  if (strategy === false) return new ReconnectGaveUpError(retries + 1, cause)
  if (typeof strategy === 'number') return strategy
  let result: unknown
  try {
    result = strategy(retries, cause)
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err))
  }
  if (result === false) return new ReconnectGaveUpError(retries + 1, cause)
  if (result instanceof Error) return result
  if (typeof result === 'number' && Number.isFinite(result) && result >= 0) return result
  return new TypeError(`reconnectStrategy returned ${String(result)}: it must return a number of ms (0 or more), false, or an Error`, { cause })
}
