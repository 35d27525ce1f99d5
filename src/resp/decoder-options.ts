// Validation of the Decoder's options, at construction: a limit of NaN compares false with
// everything and would silently switch the limit off, and a misspelled mode would silently
// give another shape of replies. Each error names the option.

import { DEFAULT_LIMITS } from './limits.ts'
import type { DecoderLimits, DecoderOptions } from './types.ts'

export interface Limits {
  maxBulkLength: number
  maxAggregateLength: number
  maxDepth: number
  maxLineLength: number
  maxAttributes: number
}

/** Every option of a Decoder; returns its limits with their defaults. Throws a TypeError or RangeError naming a bad one. */
export function checkOptions(options: DecoderOptions): Limits {
  if (typeof options !== 'object' || options === null) throw new TypeError('Decoder options must be an object with onReply')
  checkFunction('onReply', options.onReply, false)
  checkFunction('onPush', options.onPush, true)
  checkFunction('onAttribute', options.onAttribute, true)
  checkFunction('binaryForNextReply', options.binaryForNextReply, true)
  checkFunction('decodeUtf8', options.decodeUtf8, true)
  checkChoice('mode', options.mode, ['natural', 'lossless'])
  checkChoice('mapAs', options.mapAs, ['map', 'object'])
  checkChoice('setAs', options.setAs, ['set', 'array'])
  checkBoolean('binary', options.binary)
  return checkLimits(options)
}

/** The limits with their defaults; throws a TypeError or RangeError naming a bad one. */
export function checkLimits(options: DecoderLimits): Limits {
  return {
    maxBulkLength: limit(options, 'maxBulkLength'),
    maxAggregateLength: limit(options, 'maxAggregateLength'),
    maxDepth: limit(options, 'maxDepth'),
    maxLineLength: limit(options, 'maxLineLength'),
    maxAttributes: limit(options, 'maxAttributes'),
  }
}

function limit(options: DecoderLimits, name: keyof Limits): number {
  const value: unknown = options[name]
  if (value === undefined) return DEFAULT_LIMITS[name]
  if (typeof value !== 'number') throw new TypeError(`Decoder option ${name} must be a number, got ${describe(value)}`)
  if (!(value >= 0) || (!Number.isInteger(value) && value !== Infinity)) {
    throw new RangeError(`Decoder option ${name} must be a non-negative integer or Infinity, got ${value}`)
  }
  return value
}

/** `value` must be undefined or one of `allowed`. */
export function checkChoice(name: string, value: unknown, allowed: readonly string[]): void {
  if (value !== undefined && !allowed.includes(value as string)) {
    throw new TypeError(`Decoder option ${name} must be ${allowed.map((a) => `'${a}'`).join(' or ')}, got ${describe(value)}`)
  }
}

/** `value` must be a function, or undefined when `optional`. */
export function checkFunction(name: string, value: unknown, optional: boolean): void {
  if (typeof value === 'function' || (optional && value === undefined)) return
  throw new TypeError(`Decoder option ${name} must be a function, got ${describe(value)}`)
}

export function checkBoolean(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') throw new TypeError(`Decoder option ${name} must be a boolean, got ${describe(value)}`)
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40))
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value == null) return String(value)
  return typeof value
}
