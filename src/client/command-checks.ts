// Checks on a command before it is queued: argument types, per-call options, what a RESP2
// subscribed connection accepts, and the key prefix. Each refusal is a TypeError (or
// ClientStateError) that names the command and what is wrong, and nothing is sent.

import type { CommandArgument } from '../resp/index.ts'
import { keyIndexes } from './command-keys.ts'
import { ClientStateError } from './errors.ts'
import type { CommandOptions } from './options.ts'

const prefixEncoder = new TextEncoder()

/** The command with `prefix` in front of each key (a copy; the caller's array is left alone). */
export function prefixKeys(args: readonly CommandArgument[], prefix: string): readonly CommandArgument[] {
  const indexes = keyIndexes(args)
  if (indexes.length === 0) return args
  const out = args.slice()
  for (const i of indexes) {
    const key = out[i]
    if (key instanceof Uint8Array) {
      const p = prefixEncoder.encode(prefix)
      const joined = new Uint8Array(p.length + key.length)
      joined.set(p)
      joined.set(key, p.length)
      out[i] = joined
    } else out[i] = prefix + String(key)
  }
  return out
}

/** A TypeError naming the command and the argument, before anything is queued; undefined if all is well. */
export function badArguments(args: readonly CommandArgument[]): TypeError | undefined {
  if (!Array.isArray(args) || args.length === 0) return new TypeError('sendCommand: a command is a non-empty array of arguments, name first')
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    const t = typeof a
    if (t === 'string' || (t === 'number' && Number.isFinite(a)) || t === 'bigint' || a instanceof Uint8Array) continue
    const name = typeof args[0] === 'string' ? args[0].toUpperCase() : 'the command'
    const what = a === null ? 'null' : t === 'number' ? String(a) : Array.isArray(a) ? 'an array' : t === 'object' ? 'an object' : t
    return new TypeError(`${name}: argument ${i} is ${what}; expected a string, Uint8Array, finite number or bigint`)
  }
  return undefined
}

const SUBSCRIBED_MODE_COMMANDS = new Set(['SUBSCRIBE', 'PSUBSCRIBE', 'SSUBSCRIBE', 'UNSUBSCRIBE', 'PUNSUBSCRIBE', 'SUNSUBSCRIBE', 'PING', 'QUIT', 'RESET'])

/** RESP2: a subscribed connection takes only pub/sub commands, PING, QUIT and RESET. */
export function subscribedRefusal(args: readonly CommandArgument[]): Error | undefined {
  const name = typeof args[0] === 'string' ? args[0].toUpperCase() : ''
  if (SUBSCRIBED_MODE_COMMANDS.has(name)) return undefined
  return new ClientStateError(`${name || 'this command'} cannot run on a RESP2 connection in pub/sub mode (only (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING, QUIT, RESET): use client.duplicate() for a second connection, or RESP3`)
}

/** Per-call options checked as createClient checks its own: a bad one is refused, not ignored. */
export function badOptions(options: CommandOptions): TypeError | undefined {
  const t = options.timeout
  if (t !== undefined && (typeof t !== 'number' || !Number.isFinite(t) || t < 0)) return new TypeError(`command option \`timeout\` must be a finite number of ms, 0 or more (got ${String(t)})`)
  const s = options.abortSignal
  if (s !== undefined && (s === null || typeof s !== 'object' || typeof (s as AbortSignal).addEventListener !== 'function')) return new TypeError('command option `abortSignal` must be an AbortSignal')
  return undefined
}
