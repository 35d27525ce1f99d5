// Hash commands. HSET takes a field and a value, an object, a Map, or a list of pairs;
// HGETALL gives a plain object (prototype-safe: a `__proto__` field is an own property) or a
// Map when maps were asked for as `Map`, under RESP2 and RESP3 alike.

import type { CommandArgument } from '../../resp/index.ts'
import {
  type RedisArgument, type ScanOptions, argumentError, int, num, pushScanOptions, str, strOrInt, val,
} from './arguments.ts'
import { type ReplyContext, defineCommand, type CommandDefinition } from './define.ts'
import { type Dict, text, toFieldValues, toRecord } from './reply-shapes.ts'
import { keyCommand, keyVariadicCommand, natural } from './simple.ts'

export type HashTypes = RedisArgument | number
export type HSetObject = { [field: string]: HashTypes }
export type HSetMap = Map<HashTypes, HashTypes>
export type HSetTuples = ReadonlyArray<readonly [HashTypes, HashTypes]> | ReadonlyArray<HashTypes>

function pushTuples(out: CommandArgument[], tuples: readonly unknown[], path: string): void {
  for (let i = 0; i < tuples.length; i++) {
    const item = tuples[i]
    if (Array.isArray(item)) pushTuples(out, item, `${path}[${i}]`)
    else out.push(val('HSET', `${path}[${i}]`, item))
  }
}

function hsetArgs(key: RedisArgument, fieldOrValues: HashTypes | HSetObject | HSetMap | HSetTuples, value?: HashTypes): CommandArgument[] {
  const out: CommandArgument[] = ['HSET', str('HSET', 'key', key)]
  const f = fieldOrValues as unknown
  if (typeof f === 'string' || typeof f === 'number' || f instanceof Uint8Array) {
    out.push(val('HSET', 'field', f), val('HSET', 'value', value))
    return out
  }
  if (f instanceof Map) {
    for (const [k, v] of f) out.push(val('HSET', 'field', k), val('HSET', `value of ${String(k)}`, v))
  } else if (Array.isArray(f)) {
    pushTuples(out, f, 'fieldValues')
    if ((out.length - 2) % 2 !== 0) throw argumentError('HSET', 'fieldValues', f, 'fields and values in pairs (an odd count was given)')
  } else if (typeof f === 'object' && f !== null) {
    for (const field of Object.keys(f)) out.push(field, val('HSET', `fieldValues.${field}`, (f as Record<string, unknown>)[field]))
  } else {
    throw argumentError('HSET', 'field', f, 'a field (string, Uint8Array or number), an object, a Map or an array of pairs')
  }
  if (out.length === 2) throw argumentError('HSET', 'fieldValues', f, 'at least one field and value (none was given)')
  return out
}

function hscanReply(raw: [unknown, unknown[]]): { cursor: string; entries: Array<{ field: string; value: string }> } {
  return { cursor: text(raw[0]), entries: toFieldValues(raw[1]) }
}

/** The hash commands, typed (explicit, so that JSR and other tools need not infer them). */
export type HashCommands = {
  readonly hSet: CommandDefinition<[key: RedisArgument, fieldOrValues: HSetMap | HSetObject | HSetTuples | HashTypes, value?: HashTypes | undefined], number>;
  readonly hSetNX: CommandDefinition<[key: RedisArgument, field: RedisArgument, value: HashTypes], number>;
  readonly hGet: CommandDefinition<[key: RedisArgument, field: RedisArgument], string | null>;
  readonly hGetAll: CommandDefinition<[key: RedisArgument], Dict<string>>;
  readonly hmGet: CommandDefinition<[key: RedisArgument, members: import("./arguments.ts").RedisVariadicArgument], (string | null)[]>;
  readonly hDel: CommandDefinition<[key: RedisArgument, members: import("./arguments.ts").RedisVariadicArgument], number>;
  readonly hExists: CommandDefinition<[key: RedisArgument, field: RedisArgument], 0 | 1>;
  readonly hIncrBy: CommandDefinition<[key: RedisArgument, field: RedisArgument, increment: number], number>;
  /** The new value as the server prints it (a string), as node-redis returns it. */
  readonly hIncrByFloat: CommandDefinition<[key: RedisArgument, field: RedisArgument, increment: number], string>;
  readonly hKeys: CommandDefinition<[key: RedisArgument], string[]>;
  readonly hVals: CommandDefinition<[key: RedisArgument], string[]>;
  readonly hLen: CommandDefinition<[key: RedisArgument], number>;
  readonly hStrLen: CommandDefinition<[key: RedisArgument, field: RedisArgument], number>;
  readonly hRandField: CommandDefinition<[key: RedisArgument], string | null>;
  readonly hRandFieldCount: CommandDefinition<[key: RedisArgument, count: number], string[]>;
  readonly hRandFieldCountWithValues: CommandDefinition<[key: RedisArgument, count: number], {
    field: string;
    value: string;
  }[]>;
  readonly hScan: CommandDefinition<[key: RedisArgument, cursor: number | RedisArgument, options?: Omit<ScanOptions, "TYPE"> | undefined], {
    cursor: string;
    entries: Array<{
      field: string;
      value: string;
    }>;
  }>;
}

export const HASH_COMMANDS: HashCommands = {
  hSet: defineCommand({ args: hsetArgs, reply: natural<number>() }),
  hSetNX: defineCommand({
    args: (key: RedisArgument, field: RedisArgument, value: HashTypes): CommandArgument[] =>
      ['HSETNX', str('HSETNX', 'key', key), str('HSETNX', 'field', field), val('HSETNX', 'value', value)],
    reply: natural<number>(),
  }),
  hGet: defineCommand({
    args: (key: RedisArgument, field: RedisArgument): CommandArgument[] => ['HGET', str('HGET', 'key', key), str('HGET', 'field', field)],
    reply: natural<string | null>(),
  }),
  hGetAll: defineCommand({
    args: (key: RedisArgument): CommandArgument[] => ['HGETALL', str('HGETALL', 'key', key)],
    reply: (raw: unknown, ctx: ReplyContext): Dict<string> => toRecord(raw, ctx),
  }),
  hmGet: keyVariadicCommand<Array<string | null>>('HMGET', 'fields'),
  hDel: keyVariadicCommand<number>('HDEL', 'fields'),
  hExists: defineCommand({
    args: (key: RedisArgument, field: RedisArgument): CommandArgument[] => ['HEXISTS', str('HEXISTS', 'key', key), str('HEXISTS', 'field', field)],
    reply: natural<0 | 1>(),
  }),
  hIncrBy: defineCommand({
    args: (key: RedisArgument, field: RedisArgument, increment: number): CommandArgument[] =>
      ['HINCRBY', str('HINCRBY', 'key', key), str('HINCRBY', 'field', field), int('HINCRBY', 'increment', increment)],
    reply: natural<number>(),
  }),
  /** The new value as the server prints it (a string), as node-redis returns it. */
  hIncrByFloat: defineCommand({
    args: (key: RedisArgument, field: RedisArgument, increment: number): CommandArgument[] =>
      ['HINCRBYFLOAT', str('HINCRBYFLOAT', 'key', key), str('HINCRBYFLOAT', 'field', field), num('HINCRBYFLOAT', 'increment', increment)],
    reply: natural<string>(),
  }),
  hKeys: keyCommand<string[]>('HKEYS'),
  hVals: keyCommand<string[]>('HVALS'),
  hLen: keyCommand<number>('HLEN'),
  hStrLen: defineCommand({
    args: (key: RedisArgument, field: RedisArgument): CommandArgument[] => ['HSTRLEN', str('HSTRLEN', 'key', key), str('HSTRLEN', 'field', field)],
    reply: natural<number>(),
  }),
  hRandField: keyCommand<string | null>('HRANDFIELD'),
  hRandFieldCount: defineCommand({
    args: (key: RedisArgument, count: number): CommandArgument[] => ['HRANDFIELD', str('HRANDFIELD', 'key', key), int('HRANDFIELD', 'count', count)],
    reply: natural<string[]>(),
  }),
  hRandFieldCountWithValues: defineCommand({
    args: (key: RedisArgument, count: number): CommandArgument[] =>
      ['HRANDFIELD', str('HRANDFIELD', 'key', key), int('HRANDFIELD', 'count', count), 'WITHVALUES'],
    reply: (raw: unknown[]) => toFieldValues(raw),
  }),
  hScan: defineCommand({
    args: (key: RedisArgument, cursor: RedisArgument | number, options?: Omit<ScanOptions, 'TYPE'>): CommandArgument[] =>
      pushScanOptions(['HSCAN', str('HSCAN', 'key', key), strOrInt('HSCAN', 'cursor', cursor)], 'HSCAN', options, false),
    reply: hscanReply,
  }),
} as const
