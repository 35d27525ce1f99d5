// Blocking commands carry their own timeout (BLPOP key 5, XREAD BLOCK 5000, WAIT 1 100). If the
// server never answers (hung, or a dead peer that sent no RST), the caller must not wait past
// it: the client gives such a command a reply timeout of the server's timeout plus a margin.

import type { CommandArgument } from '../resp/index.ts'

/** Time the server may take beyond the timeout it was given before we stop waiting. */
export const BLOCKING_MARGIN_MS = 1_000

/** Seconds given as the last argument. */
const LAST_SECONDS = new Set(['BLPOP', 'BRPOP', 'BLMOVE', 'BRPOPLPUSH', 'BZPOPMIN', 'BZPOPMAX'])
/** Seconds given as the first argument after the name. */
const FIRST_SECONDS = new Set(['BLMPOP', 'BZMPOP'])

function name(arg: CommandArgument | undefined): string {
  return typeof arg === 'string' ? arg.toUpperCase() : arg instanceof Uint8Array ? new TextDecoder().decode(arg).toUpperCase() : ''
}

function number(arg: CommandArgument | undefined): number {
  if (typeof arg === 'number') return arg
  if (typeof arg === 'bigint') return Number(arg)
  const n = Number(typeof arg === 'string' ? arg : arg instanceof Uint8Array ? new TextDecoder().decode(arg) : NaN)
  return Number.isFinite(n) ? n : NaN
}

/**
 * The client-side timeout a blocking command needs, in ms: 0 when it blocks forever (timeout 0),
 * undefined when it is not blocking or its timeout cannot be read (the server will refuse it).
 * Cheap for other commands: only names starting with B, X or W are looked at.
 */
export function blockingTimeout(args: readonly CommandArgument[]): number | undefined {
  const first = args[0]
  const c = typeof first === 'string' ? first.charCodeAt(0) | 0x20 : first instanceof Uint8Array ? first[0] | 0x20 : 0
  if (c !== 0x62 && c !== 0x78 && c !== 0x77) return undefined // b, x, w
  const cmd = name(first)
  let ms: number
  if (LAST_SECONDS.has(cmd)) ms = number(args[args.length - 1]) * 1000
  else if (FIRST_SECONDS.has(cmd)) ms = number(args[1]) * 1000
  else if (cmd === 'WAIT') ms = number(args[2])
  else if (cmd === 'WAITAOF') ms = number(args[3])
  else if (cmd === 'XREAD' || cmd === 'XREADGROUP') {
    ms = NaN
    for (let i = 1; i < args.length - 1; i++) {
      const word = name(args[i])
      if (word === 'BLOCK') {
        ms = number(args[i + 1])
        break
      }
      if (word === 'STREAMS') return undefined
    }
  } else return undefined
  if (ms === 0) return 0
  if (!(ms > 0)) return undefined
  return ms + Math.max(BLOCKING_MARGIN_MS, ms / 10)
}
