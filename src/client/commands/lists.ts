// List commands, blocking ones included (their definitions only: how a blocking call shares a
// connection is the client's business).

import type { CommandArgument } from '../../resp/index.ts'
import {
  type RedisArgument, type RedisVariadicArgument, int, num, oneOf, opts, pushCounted, pushValues, pushVariadic, str, val,
} from './arguments.ts'
import { defineCommand, type CommandDefinition } from './define.ts'
import { keyCommand, natural } from './simple.ts'

export type ListSide = 'LEFT' | 'RIGHT'
const SIDES: readonly ListSide[] = ['LEFT', 'RIGHT']

export interface LPosOptions {
  RANK?: number
  MAXLEN?: number
}

export interface LMPopOptions {
  COUNT?: number
}

function pushCommand(name: string) {
  return defineCommand({
    args: (key: RedisArgument, elements: RedisVariadicArgument | number): CommandArgument[] => pushValues([name, str(name, 'key', key)], name, 'elements', elements),
    reply: natural<number>(),
  })
}

function popCountCommand(name: string) {
  return defineCommand({
    args: (key: RedisArgument, count: number): CommandArgument[] => [name, str(name, 'key', key), int(name, 'count', count)],
    reply: natural<string[] | null>(),
  })
}

function lposArgs(key: RedisArgument, element: RedisArgument, options: LPosOptions | undefined): CommandArgument[] {
  const out: CommandArgument[] = ['LPOS', str('LPOS', 'key', key), str('LPOS', 'element', element)]
  const o = opts('LPOS', 'options', options)
  if (o?.RANK !== undefined) out.push('RANK', int('LPOS', 'options.RANK', o.RANK))
  if (o?.MAXLEN !== undefined) out.push('MAXLEN', int('LPOS', 'options.MAXLEN', o.MAXLEN))
  return out
}

function lmpopArgs(out: CommandArgument[], name: string, keys: RedisVariadicArgument, side: ListSide, options: LMPopOptions | undefined): CommandArgument[] {
  pushCounted(out, name, 'keys', keys)
  out.push(oneOf(name, 'side', side, SIDES))
  const o = opts(name, 'options', options)
  if (o?.COUNT !== undefined) out.push('COUNT', int(name, 'options.COUNT', o.COUNT))
  return out
}

/** BLPOP/BRPOP: `{ key, element }`, or null on timeout. */
function blockingPopReply(raw: [string, string] | null): { key: string; element: string } | null {
  return raw === null ? null : { key: raw[0], element: raw[1] }
}

function blockingPopCommand(name: string) {
  return defineCommand({
    args: (keys: RedisVariadicArgument, timeout: number): CommandArgument[] => {
      const out = pushVariadic([name], name, 'keys', keys)
      out.push(num(name, 'timeout', timeout))
      return out
    },
    reply: blockingPopReply,
  })
}

/** The list commands, typed (explicit, so that JSR and other tools need not infer them). */
export type ListCommands = {
  readonly lPush: CommandDefinition<[key: RedisArgument, elements: number | RedisVariadicArgument], number>;
  readonly rPush: CommandDefinition<[key: RedisArgument, elements: number | RedisVariadicArgument], number>;
  readonly lPushX: CommandDefinition<[key: RedisArgument, elements: number | RedisVariadicArgument], number>;
  readonly rPushX: CommandDefinition<[key: RedisArgument, elements: number | RedisVariadicArgument], number>;
  readonly lPop: CommandDefinition<[key: RedisArgument], string | null>;
  readonly lPopCount: CommandDefinition<[key: RedisArgument, count: number], string[] | null>;
  readonly rPop: CommandDefinition<[key: RedisArgument], string | null>;
  readonly rPopCount: CommandDefinition<[key: RedisArgument, count: number], string[] | null>;
  readonly lRange: CommandDefinition<[key: RedisArgument, start: number, stop: number], string[]>;
  readonly lLen: CommandDefinition<[key: RedisArgument], number>;
  readonly lIndex: CommandDefinition<[key: RedisArgument, index: number], string | null>;
  readonly lInsert: CommandDefinition<[key: RedisArgument, position: "AFTER" | "BEFORE", pivot: RedisArgument, element: number | RedisArgument], number>;
  readonly lSet: CommandDefinition<[key: RedisArgument, index: number, element: number | RedisArgument], "OK">;
  readonly lRem: CommandDefinition<[key: RedisArgument, count: number, element: number | RedisArgument], number>;
  readonly lTrim: CommandDefinition<[key: RedisArgument, start: number, stop: number], "OK">;
  readonly lMove: CommandDefinition<[source: RedisArgument, destination: RedisArgument, sourceSide: ListSide, destinationSide: ListSide], string | null>;
  readonly rPopLPush: CommandDefinition<[source: RedisArgument, destination: RedisArgument], string | null>;
  readonly lPos: CommandDefinition<[key: RedisArgument, element: RedisArgument, options?: LPosOptions | undefined], number | null>;
  readonly lPosCount: CommandDefinition<[key: RedisArgument, element: RedisArgument, count: number, options?: LPosOptions | undefined], number[]>;
  /** `[key, elements]`, or null when every list was empty (node-redis's tuple). */
  readonly lmPop: CommandDefinition<[keys: RedisVariadicArgument, side: ListSide, options?: LMPopOptions | undefined], [key: string, elements: string[]] | null>;
  readonly blPop: CommandDefinition<[keys: RedisVariadicArgument, timeout: number], {
    key: string;
    element: string;
  } | null>;
  readonly brPop: CommandDefinition<[keys: RedisVariadicArgument, timeout: number], {
    key: string;
    element: string;
  } | null>;
  readonly blMove: CommandDefinition<[source: RedisArgument, destination: RedisArgument, sourceSide: ListSide, destinationSide: ListSide, timeout: number], string | null>;
  readonly brPopLPush: CommandDefinition<[source: RedisArgument, destination: RedisArgument, timeout: number], string | null>;
  readonly blmPop: CommandDefinition<[timeout: number, keys: RedisVariadicArgument, side: ListSide, options?: LMPopOptions | undefined], [key: string, elements: string[]] | null>;
}

export const LIST_COMMANDS: ListCommands = {
  lPush: pushCommand('LPUSH'),
  rPush: pushCommand('RPUSH'),
  lPushX: pushCommand('LPUSHX'),
  rPushX: pushCommand('RPUSHX'),
  lPop: keyCommand<string | null>('LPOP'),
  lPopCount: popCountCommand('LPOP'),
  rPop: keyCommand<string | null>('RPOP'),
  rPopCount: popCountCommand('RPOP'),
  lRange: defineCommand({
    args: (key: RedisArgument, start: number, stop: number): CommandArgument[] => ['LRANGE', str('LRANGE', 'key', key), int('LRANGE', 'start', start), int('LRANGE', 'stop', stop)],
    reply: natural<string[]>(),
  }),
  lLen: keyCommand<number>('LLEN'),
  lIndex: defineCommand({
    args: (key: RedisArgument, index: number): CommandArgument[] => ['LINDEX', str('LINDEX', 'key', key), int('LINDEX', 'index', index)],
    reply: natural<string | null>(),
  }),
  lInsert: defineCommand({
    args: (key: RedisArgument, position: 'BEFORE' | 'AFTER', pivot: RedisArgument, element: RedisArgument | number): CommandArgument[] =>
      ['LINSERT', str('LINSERT', 'key', key), oneOf('LINSERT', 'position', position, ['BEFORE', 'AFTER']), str('LINSERT', 'pivot', pivot), val('LINSERT', 'element', element)],
    reply: natural<number>(),
  }),
  lSet: defineCommand({
    args: (key: RedisArgument, index: number, element: RedisArgument | number): CommandArgument[] =>
      ['LSET', str('LSET', 'key', key), int('LSET', 'index', index), val('LSET', 'element', element)],
    reply: natural<'OK'>(),
  }),
  lRem: defineCommand({
    args: (key: RedisArgument, count: number, element: RedisArgument | number): CommandArgument[] =>
      ['LREM', str('LREM', 'key', key), int('LREM', 'count', count), val('LREM', 'element', element)],
    reply: natural<number>(),
  }),
  lTrim: defineCommand({
    args: (key: RedisArgument, start: number, stop: number): CommandArgument[] => ['LTRIM', str('LTRIM', 'key', key), int('LTRIM', 'start', start), int('LTRIM', 'stop', stop)],
    reply: natural<'OK'>(),
  }),
  lMove: defineCommand({
    args: (source: RedisArgument, destination: RedisArgument, sourceSide: ListSide, destinationSide: ListSide): CommandArgument[] =>
      ['LMOVE', str('LMOVE', 'source', source), str('LMOVE', 'destination', destination), oneOf('LMOVE', 'sourceSide', sourceSide, SIDES), oneOf('LMOVE', 'destinationSide', destinationSide, SIDES)],
    reply: natural<string | null>(),
  }),
  rPopLPush: defineCommand({
    args: (source: RedisArgument, destination: RedisArgument): CommandArgument[] => ['RPOPLPUSH', str('RPOPLPUSH', 'source', source), str('RPOPLPUSH', 'destination', destination)],
    reply: natural<string | null>(),
  }),
  lPos: defineCommand({ args: (key: RedisArgument, element: RedisArgument, options?: LPosOptions) => lposArgs(key, element, options), reply: natural<number | null>() }),
  lPosCount: defineCommand({
    args: (key: RedisArgument, element: RedisArgument, count: number, options?: LPosOptions): CommandArgument[] => {
      const out = lposArgs(key, element, options)
      out.push('COUNT', int('LPOS', 'count', count))
      return out
    },
    reply: natural<number[]>(),
  }),
  /** `[key, elements]`, or null when every list was empty (node-redis's tuple). */
  lmPop: defineCommand({
    args: (keys: RedisVariadicArgument, side: ListSide, options?: LMPopOptions): CommandArgument[] => lmpopArgs(['LMPOP'], 'LMPOP', keys, side, options),
    reply: natural<[key: string, elements: string[]] | null>(),
  }),
  blPop: blockingPopCommand('BLPOP'),
  brPop: blockingPopCommand('BRPOP'),
  blMove: defineCommand({
    args: (source: RedisArgument, destination: RedisArgument, sourceSide: ListSide, destinationSide: ListSide, timeout: number): CommandArgument[] =>
      ['BLMOVE', str('BLMOVE', 'source', source), str('BLMOVE', 'destination', destination), oneOf('BLMOVE', 'sourceSide', sourceSide, SIDES),
        oneOf('BLMOVE', 'destinationSide', destinationSide, SIDES), num('BLMOVE', 'timeout', timeout)],
    reply: natural<string | null>(),
  }),
  brPopLPush: defineCommand({
    args: (source: RedisArgument, destination: RedisArgument, timeout: number): CommandArgument[] =>
      ['BRPOPLPUSH', str('BRPOPLPUSH', 'source', source), str('BRPOPLPUSH', 'destination', destination), num('BRPOPLPUSH', 'timeout', timeout)],
    reply: natural<string | null>(),
  }),
  blmPop: defineCommand({
    args: (timeout: number, keys: RedisVariadicArgument, side: ListSide, options?: LMPopOptions): CommandArgument[] =>
      lmpopArgs(['BLMPOP', num('BLMPOP', 'timeout', timeout)], 'BLMPOP', keys, side, options),
    reply: natural<[key: string, elements: string[]] | null>(),
  }),
} as const
