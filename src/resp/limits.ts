// Default limits of the decoder. They bound memory whatever the peer declares; raise them only
// for a peer you trust.

export const DEFAULT_LIMITS = {
  /** The server's own proto-max-bulk-len default. */
  maxBulkLength: 512 * 1024 * 1024,
  /** Aggregates are never pre-allocated from this, so it only stops absurd headers. */
  maxAggregateLength: 2 ** 32 - 1,
  maxDepth: 1024,
  maxLineLength: 1024 * 1024,
  /** Servers send one attribute before a value, if any; 16 leaves room and bounds the heap. */
  maxAttributes: 16,
} as const

/**
 * Most digits in a big number (`(`), not an option: BigInt parsing is quadratic, and a
 * 1 MiB line of digits would cost seconds. 4096 digits is a 13 600-bit number, far past any
 * use (a signed 64-bit integer has 19 digits), and parses in microseconds.
 */
export const MAX_BIG_NUMBER_DIGITS = 4096
