// String commands. Parameters and replies follow node-redis v5 (SET's options object, MSET's
// object / flat list / tuples, GETEX's option forms); replies are the same under RESP2 and RESP3.

import type { CommandArgument } from '../../resp/index.ts'
import {
  type RedisArgument, type RedisVariadicArgument, argumentError, flag, int, num, opts, pushVariadic, str, time, val,
} from './arguments.ts'
import { defineCommand, type CommandDefinition } from './define.ts'
import { keyCommand, keyValueCommand, natural } from './simple.ts'

export interface SetOptions {
  expiration?: { type: 'EX' | 'PX' | 'EXAT' | 'PXAT'; value: number } | { type: 'KEEPTTL' } | 'KEEPTTL'
  EX?: number
  PX?: number
  EXAT?: number
  PXAT?: number
  KEEPTTL?: boolean
  condition?: 'NX' | 'XX'
  NX?: boolean
  XX?: boolean
  GET?: boolean
}

const EXPIRATIONS = ['EX', 'PX', 'EXAT', 'PXAT'] as const

function pushSetOptions(out: CommandArgument[], options: SetOptions | undefined): CommandArgument[] {
  const o = opts('SET', 'options', options)
  if (o === undefined) return out
  const e = o.expiration
  if (e !== undefined) {
    if (e === 'KEEPTTL' || (typeof e === 'object' && e !== null && e.type === 'KEEPTTL')) out.push('KEEPTTL')
    else if (typeof e === 'object' && e !== null && (EXPIRATIONS as readonly string[]).includes(e.type)) {
      out.push(e.type, int('SET', 'options.expiration.value', (e as { value: unknown }).value))
    } else throw argumentError('SET', 'options.expiration', e, "'KEEPTTL' or { type: 'EX' | 'PX' | 'EXAT' | 'PXAT' | 'KEEPTTL', value }")
  } else if (o.EX !== undefined) out.push('EX', int('SET', 'options.EX', o.EX))
  else if (o.PX !== undefined) out.push('PX', int('SET', 'options.PX', o.PX))
  else if (o.EXAT !== undefined) out.push('EXAT', time('SET', 'options.EXAT', o.EXAT, 1000))
  else if (o.PXAT !== undefined) out.push('PXAT', time('SET', 'options.PXAT', o.PXAT, 1))
  else if (flag('SET', 'options.KEEPTTL', o.KEEPTTL)) out.push('KEEPTTL')
  if (o.condition !== undefined) {
    if (o.condition !== 'NX' && o.condition !== 'XX') throw argumentError('SET', 'options.condition', o.condition, "'NX' or 'XX'")
    out.push(o.condition)
  } else if (flag('SET', 'options.NX', o.NX)) out.push('NX')
  else if (flag('SET', 'options.XX', o.XX)) out.push('XX')
  if (flag('SET', 'options.GET', o.GET)) out.push('GET')
  return out
}

/** MSET's input: `{ key: value }`, `[k0, v0, k1, v1]` or `[[k0, v0], [k1, v1]]`. */
export type MSetArguments =
  | ReadonlyArray<readonly [RedisArgument, RedisArgument | number]>
  | ReadonlyArray<RedisArgument | number>
  | { [key: string]: RedisArgument | number }

function msetArgs(name: string, toSet: MSetArguments): CommandArgument[] {
  const out: CommandArgument[] = [name]
  if (Array.isArray(toSet)) {
    if (toSet.length === 0) throw argumentError(name, 'toSet', toSet, 'at least one key and value (an empty array was given)')
    if (Array.isArray(toSet[0])) {
      for (let i = 0; i < toSet.length; i++) {
        const pair = toSet[i] as unknown
        if (!Array.isArray(pair) || pair.length !== 2) throw argumentError(name, `toSet[${i}]`, pair, 'a [key, value] pair')
        out.push(str(name, `toSet[${i}][0]`, pair[0]), val(name, `toSet[${i}][1]`, pair[1]))
      }
    } else {
      if (toSet.length % 2 !== 0) throw argumentError(name, 'toSet', toSet, 'an even number of keys and values')
      for (let i = 0; i < toSet.length; i += 2) out.push(str(name, `toSet[${i}]`, toSet[i]), val(name, `toSet[${i + 1}]`, toSet[i + 1]))
    }
  } else if (typeof toSet === 'object' && toSet !== null) {
    for (const key of Object.keys(toSet)) out.push(key, val(name, `toSet.${key}`, (toSet as Record<string, unknown>)[key]))
    if (out.length === 1) throw argumentError(name, 'toSet', toSet, 'at least one key and value (an empty object was given)')
  } else {
    throw argumentError(name, 'toSet', toSet, 'an object, an array of keys and values, or an array of [key, value] pairs')
  }
  return out
}

export type GetExOptions =
  | { type: 'EX' | 'PX'; value: number }
  | { type: 'EXAT' | 'PXAT'; value: number | Date }
  | { type: 'PERSIST' }
  | { EX: number }
  | { PX: number }
  | { EXAT: number | Date }
  | { PXAT: number | Date }
  | { PERSIST: true }

function getExArgs(key: RedisArgument, options: GetExOptions): CommandArgument[] {
  const out: CommandArgument[] = ['GETEX', str('GETEX', 'key', key)]
  const o = opts('GETEX', 'options', options) as Record<string, any> | undefined
  if (o === undefined) throw argumentError('GETEX', 'options', options, 'an options object')
  const type: unknown = 'type' in o ? o.type : ['EX', 'PX', 'EXAT', 'PXAT', 'PERSIST'].find((k) => k in o)
  const value = 'type' in o ? o.value : type === undefined ? undefined : o[type as string]
  switch (type) {
    case 'EX': case 'PX': out.push(type, int('GETEX', `options.${type}`, value)); break
    case 'EXAT': out.push(type, time('GETEX', 'options.EXAT', value, 1000)); break
    case 'PXAT': out.push(type, time('GETEX', 'options.PXAT', value, 1)); break
    case 'PERSIST': out.push('PERSIST'); break
    default: throw argumentError('GETEX', 'options', options, 'one of EX, PX, EXAT, PXAT, PERSIST')
  }
  return out
}

/** The string commands, typed (explicit, so that JSR and other tools need not infer them). */
export type StringCommands = {
  readonly get: CommandDefinition<[key: RedisArgument], string | null>;
  readonly set: CommandDefinition<[key: RedisArgument, value: number | RedisArgument, options?: SetOptions | undefined], string | null>;
  readonly mGet: CommandDefinition<[keys: RedisVariadicArgument], (string | null)[]>;
  readonly mSet: CommandDefinition<[toSet: MSetArguments], "OK">;
  readonly mSetNX: CommandDefinition<[toSet: MSetArguments], number>;
  readonly incr: CommandDefinition<[key: RedisArgument], number>;
  readonly decr: CommandDefinition<[key: RedisArgument], number>;
  readonly incrBy: CommandDefinition<[key: RedisArgument, increment: number], number>;
  readonly decrBy: CommandDefinition<[key: RedisArgument, decrement: number], number>;
  /** The new value as the server prints it (a string), as node-redis returns it. */
  readonly incrByFloat: CommandDefinition<[key: RedisArgument, increment: number], string>;
  readonly append: CommandDefinition<[key: RedisArgument, value: number | RedisArgument], number>;
  readonly strLen: CommandDefinition<[key: RedisArgument], number>;
  readonly getRange: CommandDefinition<[key: RedisArgument, start: number, end: number], string>;
  readonly setRange: CommandDefinition<[key: RedisArgument, offset: number, value: RedisArgument], number>;
  readonly getDel: CommandDefinition<[key: RedisArgument], string | null>;
  readonly getEx: CommandDefinition<[key: RedisArgument, options: GetExOptions], string | null>;
  readonly getSet: CommandDefinition<[key: RedisArgument, value: number | RedisArgument], string | null>;
  readonly setEx: CommandDefinition<[key: RedisArgument, seconds: number, value: number | RedisArgument], "OK">;
  readonly pSetEx: CommandDefinition<[key: RedisArgument, ms: number, value: number | RedisArgument], "OK">;
  readonly setNX: CommandDefinition<[key: RedisArgument, value: number | RedisArgument], number>;
  readonly lcs: CommandDefinition<[key1: RedisArgument, key2: RedisArgument], string>;
  readonly lcsLen: CommandDefinition<[key1: RedisArgument, key2: RedisArgument], number>;
}

export const STRING_COMMANDS: StringCommands = {
  get: keyCommand<string | null>('GET'),
  set: defineCommand({
    args: (key: RedisArgument, value: RedisArgument | number, options?: SetOptions): CommandArgument[] => {
      const out: CommandArgument[] = ['SET', str('SET', 'key', key), val('SET', 'value', value)]
      // The plain SET is the hot one: skip the options walk (measured ~6x cheaper this way).
      return options === undefined ? out : pushSetOptions(out, options)
    },
    reply: natural<string | null>(),
  }),
  mGet: defineCommand({
    args: (keys: RedisVariadicArgument): CommandArgument[] => pushVariadic(['MGET'], 'MGET', 'keys', keys),
    reply: natural<Array<string | null>>(),
  }),
  mSet: defineCommand({ args: (toSet: MSetArguments): CommandArgument[] => msetArgs('MSET', toSet), reply: natural<'OK'>() }),
  mSetNX: defineCommand({ args: (toSet: MSetArguments): CommandArgument[] => msetArgs('MSETNX', toSet), reply: natural<number>() }),
  incr: keyCommand<number>('INCR'),
  decr: keyCommand<number>('DECR'),
  incrBy: defineCommand({
    args: (key: RedisArgument, increment: number): CommandArgument[] => ['INCRBY', str('INCRBY', 'key', key), int('INCRBY', 'increment', increment)],
    reply: natural<number>(),
  }),
  decrBy: defineCommand({
    args: (key: RedisArgument, decrement: number): CommandArgument[] => ['DECRBY', str('DECRBY', 'key', key), int('DECRBY', 'decrement', decrement)],
    reply: natural<number>(),
  }),
  /** The new value as the server prints it (a string), as node-redis returns it. */
  incrByFloat: defineCommand({
    args: (key: RedisArgument, increment: number): CommandArgument[] => ['INCRBYFLOAT', str('INCRBYFLOAT', 'key', key), num('INCRBYFLOAT', 'increment', increment)],
    reply: natural<string>(),
  }),
  append: keyValueCommand<number>('APPEND', 'value'),
  strLen: keyCommand<number>('STRLEN'),
  getRange: defineCommand({
    args: (key: RedisArgument, start: number, end: number): CommandArgument[] =>
      ['GETRANGE', str('GETRANGE', 'key', key), int('GETRANGE', 'start', start), int('GETRANGE', 'end', end)],
    reply: natural<string>(),
  }),
  setRange: defineCommand({
    args: (key: RedisArgument, offset: number, value: RedisArgument): CommandArgument[] =>
      ['SETRANGE', str('SETRANGE', 'key', key), int('SETRANGE', 'offset', offset), str('SETRANGE', 'value', value)],
    reply: natural<number>(),
  }),
  getDel: keyCommand<string | null>('GETDEL'),
  getEx: defineCommand({ args: getExArgs, reply: natural<string | null>() }),
  getSet: keyValueCommand<string | null>('GETSET', 'value'),
  setEx: defineCommand({
    args: (key: RedisArgument, seconds: number, value: RedisArgument | number): CommandArgument[] =>
      ['SETEX', str('SETEX', 'key', key), int('SETEX', 'seconds', seconds), val('SETEX', 'value', value)],
    reply: natural<'OK'>(),
  }),
  pSetEx: defineCommand({
    args: (key: RedisArgument, ms: number, value: RedisArgument | number): CommandArgument[] =>
      ['PSETEX', str('PSETEX', 'key', key), int('PSETEX', 'ms', ms), val('PSETEX', 'value', value)],
    reply: natural<'OK'>(),
  }),
  setNX: keyValueCommand<number>('SETNX', 'value'),
  lcs: defineCommand({
    args: (key1: RedisArgument, key2: RedisArgument): CommandArgument[] => ['LCS', str('LCS', 'key1', key1), str('LCS', 'key2', key2)],
    reply: natural<string>(),
  }),
  lcsLen: defineCommand({
    args: (key1: RedisArgument, key2: RedisArgument): CommandArgument[] => ['LCS', str('LCS', 'key1', key1), str('LCS', 'key2', key2), 'LEN'],
    reply: natural<number>(),
  }),
} as const
