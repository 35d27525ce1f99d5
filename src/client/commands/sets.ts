// Set commands. RESP3 sends sets as a set type, RESP2 as arrays; the client decodes sets as
// arrays (node-redis v5's default), so members come as arrays under both.

import type { CommandArgument } from '../../resp/index.ts'
import {
  type RedisArgument, type RedisVariadicArgument, type ScanOptions, int, opts, pushCounted, pushScanOptions, pushValues, pushVariadic, str, strOrInt, val,
} from './arguments.ts'
import { defineCommand, type CommandDefinition } from './define.ts'
import { text } from './reply-shapes.ts'
import { keyCommand, keyVariadicCommand, natural, variadicCommand } from './simple.ts'

function membersCommand(name: string) {
  return defineCommand({
    args: (key: RedisArgument, members: RedisVariadicArgument | number): CommandArgument[] => pushValues([name, str(name, 'key', key)], name, 'members', members),
    reply: natural<number>(),
  })
}

function storeCommand(name: string) {
  return defineCommand({
    args: (destination: RedisArgument, keys: RedisVariadicArgument): CommandArgument[] =>
      keyVariadicArgs(name, 'destination', destination, keys),
    reply: natural<number>(),
  })
}

function keyVariadicArgs(name: string, first: string, key: RedisArgument, keys: RedisVariadicArgument): CommandArgument[] {
  const out: CommandArgument[] = [name, str(name, first, key)]
  return pushVariadic(out, name, 'keys', keys)
}

function sscanReply(raw: [unknown, string[]]): { cursor: string; members: string[] } {
  return { cursor: text(raw[0]), members: raw[1] }
}

/** The set commands, typed (explicit, so that JSR and other tools need not infer them). */
export type SetCommands = {
  readonly sAdd: CommandDefinition<[key: RedisArgument, members: number | RedisVariadicArgument], number>;
  readonly sRem: CommandDefinition<[key: RedisArgument, members: number | RedisVariadicArgument], number>;
  readonly sMembers: CommandDefinition<[key: RedisArgument], string[]>;
  readonly sIsMember: CommandDefinition<[key: RedisArgument, member: number | RedisArgument], 0 | 1>;
  readonly smIsMember: CommandDefinition<[key: RedisArgument, members: RedisVariadicArgument], (0 | 1)[]>;
  readonly sCard: CommandDefinition<[key: RedisArgument], number>;
  readonly sPop: CommandDefinition<[key: RedisArgument], string | null>;
  readonly sPopCount: CommandDefinition<[key: RedisArgument, count: number], string[]>;
  readonly sRandMember: CommandDefinition<[key: RedisArgument], string | null>;
  readonly sRandMemberCount: CommandDefinition<[key: RedisArgument, count: number], string[]>;
  readonly sInter: CommandDefinition<[keys: RedisVariadicArgument], string[]>;
  readonly sInterCard: CommandDefinition<[keys: RedisVariadicArgument, options?: number | {
    LIMIT?: number;
  } | undefined], number>;
  readonly sInterStore: CommandDefinition<[destination: RedisArgument, keys: RedisVariadicArgument], number>;
  readonly sUnion: CommandDefinition<[keys: RedisVariadicArgument], string[]>;
  readonly sUnionStore: CommandDefinition<[destination: RedisArgument, keys: RedisVariadicArgument], number>;
  readonly sDiff: CommandDefinition<[keys: RedisVariadicArgument], string[]>;
  readonly sDiffStore: CommandDefinition<[destination: RedisArgument, keys: RedisVariadicArgument], number>;
  readonly sMove: CommandDefinition<[source: RedisArgument, destination: RedisArgument, member: number | RedisArgument], number>;
  readonly sScan: CommandDefinition<[key: RedisArgument, cursor: number | RedisArgument, options?: Omit<ScanOptions, "TYPE"> | undefined], {
    cursor: string;
    members: string[];
  }>;
}

export const SET_COMMANDS: SetCommands = {
  sAdd: membersCommand('SADD'),
  sRem: membersCommand('SREM'),
  sMembers: keyCommand<string[]>('SMEMBERS'),
  sIsMember: defineCommand({
    args: (key: RedisArgument, member: RedisArgument | number): CommandArgument[] => ['SISMEMBER', str('SISMEMBER', 'key', key), val('SISMEMBER', 'member', member)],
    reply: natural<0 | 1>(),
  }),
  smIsMember: keyVariadicCommand<Array<0 | 1>>('SMISMEMBER', 'members'),
  sCard: keyCommand<number>('SCARD'),
  sPop: keyCommand<string | null>('SPOP'),
  sPopCount: defineCommand({
    args: (key: RedisArgument, count: number): CommandArgument[] => ['SPOP', str('SPOP', 'key', key), int('SPOP', 'count', count)],
    reply: natural<string[]>(),
  }),
  sRandMember: keyCommand<string | null>('SRANDMEMBER'),
  sRandMemberCount: defineCommand({
    args: (key: RedisArgument, count: number): CommandArgument[] => ['SRANDMEMBER', str('SRANDMEMBER', 'key', key), int('SRANDMEMBER', 'count', count)],
    reply: natural<string[]>(),
  }),
  sInter: variadicCommand<string[]>('SINTER', 'keys'),
  sInterCard: defineCommand({
    args: (keys: RedisVariadicArgument, options?: { LIMIT?: number } | number): CommandArgument[] => {
      const out = pushCounted(['SINTERCARD'], 'SINTERCARD', 'keys', keys)
      // node-redis also takes the limit as a bare number (its older signature).
      if (typeof options === 'number') out.push('LIMIT', int('SINTERCARD', 'limit', options))
      else {
        const o = opts('SINTERCARD', 'options', options)
        if (o?.LIMIT !== undefined) out.push('LIMIT', int('SINTERCARD', 'options.LIMIT', o.LIMIT))
      }
      return out
    },
    reply: natural<number>(),
  }),
  sInterStore: storeCommand('SINTERSTORE'),
  sUnion: variadicCommand<string[]>('SUNION', 'keys'),
  sUnionStore: storeCommand('SUNIONSTORE'),
  sDiff: variadicCommand<string[]>('SDIFF', 'keys'),
  sDiffStore: storeCommand('SDIFFSTORE'),
  sMove: defineCommand({
    args: (source: RedisArgument, destination: RedisArgument, member: RedisArgument | number): CommandArgument[] =>
      ['SMOVE', str('SMOVE', 'source', source), str('SMOVE', 'destination', destination), val('SMOVE', 'member', member)],
    reply: natural<number>(),
  }),
  sScan: defineCommand({
    args: (key: RedisArgument, cursor: RedisArgument | number, options?: Omit<ScanOptions, 'TYPE'>): CommandArgument[] =>
      pushScanOptions(['SSCAN', str('SSCAN', 'key', key), strOrInt('SSCAN', 'cursor', cursor)], 'SSCAN', options, false),
    reply: sscanReply,
  }),
} as const
