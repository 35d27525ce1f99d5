// Default limits of the decoder. They bound memory whatever the peer declares; raise them only
// for a peer you trust.

export const DEFAULT_LIMITS = {
  /** The server's own proto-max-bulk-len default. */
  maxBulkLength: 512 * 1024 * 1024,
  /** Aggregates are never pre-allocated from this, so it only stops absurd headers. */
  maxAggregateLength: 2 ** 32 - 1,
  maxDepth: 1024,
  maxLineLength: 1024 * 1024,
} as const
