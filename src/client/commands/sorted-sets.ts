// Sorted set commands. Scores are numbers under both protocols (RESP2 sends their text, RESP3
// doubles); members with scores are `[{ value, score }]`, as node-redis v5 returns them.

import type { CommandArgument } from '../../resp/index.ts'
import {
  type RedisArgument, type RedisVariadicArgument, type ScanOptions, argumentError, flag, int, num, oneOf, opts, pushCounted,
  pushScanOptions, pushVariadic, score, str, strOrInt, val,
} from './arguments.ts'
import { defineCommand, type CommandDefinition } from './define.ts'
import { type SortedSetMember, text, toDouble, toDoubles, toNullableDouble, toSortedSetMembers } from './reply-shapes.ts'
import { keyCommand, keyVariadicCommand, natural } from './simple.ts'

export type { SortedSetMember }
export type SortedSetSide = 'MIN' | 'MAX'
const SIDES: readonly SortedSetSide[] = ['MIN', 'MAX']

export interface ZAddOptions {
  condition?: 'NX' | 'XX'
  NX?: boolean
  XX?: boolean
  comparison?: 'LT' | 'GT'
  LT?: boolean
  GT?: boolean
  CH?: boolean
}

export interface ZRangeOptions {
  BY?: 'SCORE' | 'LEX'
  REV?: boolean
  LIMIT?: { offset: number; count: number }
}

export type ZKeyAndWeight = { key: RedisArgument; weight: number }
export type ZKeys = RedisArgument | readonly RedisArgument[] | ZKeyAndWeight | readonly ZKeyAndWeight[]

export interface ZAggregateOptions {
  AGGREGATE?: 'SUM' | 'MIN' | 'MAX'
}

function zaddArgs(name: string, key: RedisArgument, members: SortedSetMember<RedisArgument> | readonly SortedSetMember<RedisArgument>[], options: ZAddOptions | undefined, incr: boolean): CommandArgument[] {
  const out: CommandArgument[] = [name, str(name, 'key', key)]
  const o = opts(name, 'options', options)
  if (o !== undefined) {
    if (o.condition !== undefined) out.push(oneOf(name, 'options.condition', o.condition, ['NX', 'XX']))
    else if (flag(name, 'options.NX', o.NX)) out.push('NX')
    else if (flag(name, 'options.XX', o.XX)) out.push('XX')
    if (o.comparison !== undefined) out.push(oneOf(name, 'options.comparison', o.comparison, ['LT', 'GT']))
    else if (flag(name, 'options.LT', o.LT)) out.push('LT')
    else if (flag(name, 'options.GT', o.GT)) out.push('GT')
    if (flag(name, 'options.CH', o.CH)) out.push('CH')
  }
  if (incr) out.push('INCR')
  const list = (Array.isArray(members) ? members : [members]) as readonly unknown[]
  if (list.length === 0) throw argumentError(name, 'members', members, 'a { score, value } or a non-empty array of them')
  for (let i = 0; i < list.length; i++) {
    const m = list[i] as SortedSetMember<unknown> | null
    const at = Array.isArray(members) ? `members[${i}]` : 'members'
    if (typeof m !== 'object' || m === null) throw argumentError(name, at, m, 'a { score, value } object')
    out.push(score(name, `${at}.score`, m.score), val(name, `${at}.value`, m.value))
  }
  return out
}

function pushLimit(out: CommandArgument[], name: string, limit: unknown): void {
  if (limit === undefined) return
  const l = opts(name, 'options.LIMIT', limit as { offset: number; count: number })!
  out.push('LIMIT', int(name, 'options.LIMIT.offset', l.offset), int(name, 'options.LIMIT.count', l.count))
}

function zrangeArgs(out: CommandArgument[], name: string, min: unknown, max: unknown, options: ZRangeOptions | undefined): CommandArgument[] {
  out.push(score(name, 'min', min), score(name, 'max', max))
  const o = opts(name, 'options', options)
  if (o?.BY !== undefined) out.push(oneOf(name, 'options.BY', o.BY, ['SCORE', 'LEX']) === 'SCORE' ? 'BYSCORE' : 'BYLEX')
  if (flag(name, 'options.REV', o?.REV)) out.push('REV')
  pushLimit(out, name, o?.LIMIT)
  return out
}

function zrangeCommand<R>(withScores: boolean, reply: ((raw: any) => R) | undefined) {
  return defineCommand({
    args: (key: RedisArgument, min: RedisArgument | number, max: RedisArgument | number, options?: ZRangeOptions): CommandArgument[] => {
      const out = zrangeArgs(['ZRANGE', str('ZRANGE', 'key', key)], 'ZRANGE', min, max, options)
      if (withScores) out.push('WITHSCORES')
      return out
    },
    reply,
  })
}

function zrangeByCommand<R>(name: string, withScores: boolean, reply: ((raw: any) => R) | undefined) {
  return defineCommand({
    args: (key: RedisArgument, min: RedisArgument | number, max: RedisArgument | number, options?: { LIMIT?: { offset: number; count: number } }): CommandArgument[] => {
      const out: CommandArgument[] = [name, str(name, 'key', key), score(name, 'min', min), score(name, 'max', max)]
      if (withScores) out.push('WITHSCORES')
      pushLimit(out, name, opts(name, 'options', options)?.LIMIT)
      return out
    },
    reply,
  })
}

const members = (raw: unknown[]): SortedSetMember[] => toSortedSetMembers(raw)

/** `numkeys key [key ...] [WEIGHTS w ...]` from node-redis's ZKeys forms. */
function pushZKeys(out: CommandArgument[], name: string, keys: ZKeys): CommandArgument[] {
  const list = (Array.isArray(keys) ? keys : [keys]) as readonly unknown[]
  if (list.length === 0) throw argumentError(name, 'keys', keys, 'a key or a non-empty array of keys')
  out.push(list.length)
  const first = list[0]
  if (typeof first === 'string' || first instanceof Uint8Array) {
    for (let i = 0; i < list.length; i++) out.push(str(name, `keys[${i}]`, list[i]))
    return out
  }
  const weights: CommandArgument[] = ['WEIGHTS']
  for (let i = 0; i < list.length; i++) {
    const k = list[i] as ZKeyAndWeight | null
    if (typeof k !== 'object' || k === null) throw argumentError(name, `keys[${i}]`, k, 'a { key, weight } object')
    out.push(str(name, `keys[${i}].key`, k.key))
    weights.push(score(name, `keys[${i}].weight`, k.weight))
  }
  for (const w of weights) out.push(w)
  return out
}

function zsetOpCommand<R>(name: string, withScores: boolean, reply: ((raw: any) => R) | undefined) {
  return defineCommand({
    args: (keys: ZKeys, options?: ZAggregateOptions): CommandArgument[] => {
      const out = pushZKeys([name], name, keys)
      const o = opts(name, 'options', options)
      if (o?.AGGREGATE !== undefined) out.push('AGGREGATE', oneOf(name, 'options.AGGREGATE', o.AGGREGATE, ['SUM', 'MIN', 'MAX']))
      if (withScores) out.push('WITHSCORES')
      return out
    },
    reply,
  })
}

function zsetStoreCommand(name: string) {
  return defineCommand({
    args: (destination: RedisArgument, keys: ZKeys, options?: ZAggregateOptions): CommandArgument[] => {
      const out = pushZKeys([name, str(name, 'destination', destination)], name, keys)
      const o = opts(name, 'options', options)
      if (o?.AGGREGATE !== undefined) out.push('AGGREGATE', oneOf(name, 'options.AGGREGATE', o.AGGREGATE, ['SUM', 'MIN', 'MAX']))
      return out
    },
    reply: natural<number>(),
  })
}

/** ZPOPMIN/ZPOPMAX without a count: `{ value, score }`, or null for an empty set. */
function popOneReply(raw: unknown[]): SortedSetMember | null {
  if (raw.length === 0) return null
  // RESP3 servers may nest the pair; RESP2 sends it flat.
  const pair = Array.isArray(raw[0]) ? (raw[0] as unknown[]) : raw
  return { value: pair[0] as string, score: toDouble(pair[1]) }
}

function popCommand(name: string) {
  return defineCommand({ args: (key: RedisArgument): CommandArgument[] => [name, str(name, 'key', key)], reply: popOneReply })
}

function popCountCommand(name: string) {
  return defineCommand({
    args: (key: RedisArgument, count: number): CommandArgument[] => [name, str(name, 'key', key), int(name, 'count', count)],
    reply: members,
  })
}

/** BZPOPMIN/BZPOPMAX: `{ key, value, score }`, or null on timeout. */
function blockingPopReply(raw: unknown[] | null): { key: string; value: string; score: number } | null {
  return raw === null ? null : { key: raw[0] as string, value: raw[1] as string, score: toDouble(raw[2]) }
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

/** ZMPOP/BZMPOP: `{ key, members: [{ value, score }] }`, or null. */
function mpopReply(raw: [string, unknown[]] | null): { key: string; members: SortedSetMember[] } | null {
  return raw === null ? null : { key: raw[0], members: toSortedSetMembers(raw[1]) }
}

function mpopArgs(out: CommandArgument[], name: string, keys: RedisVariadicArgument, side: SortedSetSide, options: { COUNT?: number } | undefined): CommandArgument[] {
  pushCounted(out, name, 'keys', keys)
  out.push(oneOf(name, 'side', side, SIDES))
  const o = opts(name, 'options', options)
  if (o?.COUNT !== undefined) out.push('COUNT', int(name, 'options.COUNT', o.COUNT))
  return out
}

function rankWithScoreReply(raw: [number, unknown] | null): { rank: number; score: number } | null {
  return raw === null ? null : { rank: raw[0], score: toDouble(raw[1]) }
}

function rankCommand<R>(name: string, withScore: boolean, reply: ((raw: any) => R) | undefined) {
  return defineCommand({
    args: (key: RedisArgument, member: RedisArgument | number): CommandArgument[] => {
      const out: CommandArgument[] = [name, str(name, 'key', key), val(name, 'member', member)]
      if (withScore) out.push('WITHSCORE')
      return out
    },
    reply,
  })
}

/** `NAME key min max`: score bounds (`(1`, `-inf`) or lex bounds (`[a`, `-`), both as given. */
function keyRangeCommand(name: string) {
  return defineCommand({
    args: (key: RedisArgument, min: RedisArgument | number, max: RedisArgument | number): CommandArgument[] =>
      [name, str(name, 'key', key), score(name, 'min', min), score(name, 'max', max)],
    reply: natural<number>(),
  })
}

/** The sorted-set commands, typed (explicit, so that JSR and other tools need not infer them). */
export type SortedSetCommands = {
  readonly zAdd: CommandDefinition<[key: RedisArgument, members: readonly SortedSetMember<RedisArgument>[] | SortedSetMember<RedisArgument>, options?: ZAddOptions | undefined], number>;
  /** ZADD ... INCR: the new score, or null when a condition stopped the update. */
  readonly zAddIncr: CommandDefinition<[key: RedisArgument, members: readonly SortedSetMember<RedisArgument>[] | SortedSetMember<RedisArgument>, options?: Omit<ZAddOptions, "GT" | "LT" | "NX" | "XX"> | undefined], number | null>;
  readonly zIncrBy: CommandDefinition<[key: RedisArgument, increment: number, member: number | RedisArgument], number>;
  readonly zScore: CommandDefinition<[key: RedisArgument, member: number | RedisArgument], number | null>;
  readonly zmScore: CommandDefinition<[key: RedisArgument, members: RedisVariadicArgument], (number | null)[]>;
  readonly zRange: CommandDefinition<[key: RedisArgument, min: number | RedisArgument, max: number | RedisArgument, options?: ZRangeOptions | undefined], string[]>;
  readonly zRangeWithScores: CommandDefinition<[key: RedisArgument, min: number | RedisArgument, max: number | RedisArgument, options?: ZRangeOptions | undefined], SortedSetMember<string>[]>;
  readonly zRangeByScore: CommandDefinition<[key: RedisArgument, min: number | RedisArgument, max: number | RedisArgument, options?: {
    LIMIT?: {
      offset: number;
      count: number;
    } | undefined;
  } | undefined], string[]>;
  readonly zRangeByScoreWithScores: CommandDefinition<[key: RedisArgument, min: number | RedisArgument, max: number | RedisArgument, options?: {
    LIMIT?: {
      offset: number;
      count: number;
    } | undefined;
  } | undefined], SortedSetMember<string>[]>;
  readonly zRangeByLex: CommandDefinition<[key: RedisArgument, min: number | RedisArgument, max: number | RedisArgument, options?: {
    LIMIT?: {
      offset: number;
      count: number;
    } | undefined;
  } | undefined], string[]>;
  readonly zRangeStore: CommandDefinition<[destination: RedisArgument, source: RedisArgument, min: number | RedisArgument, max: number | RedisArgument, options?: ZRangeOptions | undefined], number>;
  readonly zRank: CommandDefinition<[key: RedisArgument, member: number | RedisArgument], number | null>;
  readonly zRevRank: CommandDefinition<[key: RedisArgument, member: number | RedisArgument], number | null>;
  /** Redis 7.2 and later. */
  readonly zRankWithScore: CommandDefinition<[key: RedisArgument, member: number | RedisArgument], {
    rank: number;
    score: number;
  } | null>;
  /** Redis 7.2 and later. */
  readonly zRevRankWithScore: CommandDefinition<[key: RedisArgument, member: number | RedisArgument], {
    rank: number;
    score: number;
  } | null>;
  readonly zRem: CommandDefinition<[key: RedisArgument, members: RedisVariadicArgument], number>;
  readonly zRemRangeByScore: CommandDefinition<[key: RedisArgument, min: number | RedisArgument, max: number | RedisArgument], number>;
  readonly zRemRangeByLex: CommandDefinition<[key: RedisArgument, min: number | RedisArgument, max: number | RedisArgument], number>;
  readonly zRemRangeByRank: CommandDefinition<[key: RedisArgument, start: number, stop: number], number>;
  readonly zCard: CommandDefinition<[key: RedisArgument], number>;
  readonly zCount: CommandDefinition<[key: RedisArgument, min: number | RedisArgument, max: number | RedisArgument], number>;
  readonly zLexCount: CommandDefinition<[key: RedisArgument, min: number | RedisArgument, max: number | RedisArgument], number>;
  readonly zPopMin: CommandDefinition<[key: RedisArgument], SortedSetMember<string> | null>;
  readonly zPopMinCount: CommandDefinition<[key: RedisArgument, count: number], SortedSetMember<string>[]>;
  readonly zPopMax: CommandDefinition<[key: RedisArgument], SortedSetMember<string> | null>;
  readonly zPopMaxCount: CommandDefinition<[key: RedisArgument, count: number], SortedSetMember<string>[]>;
  readonly zRandMember: CommandDefinition<[key: RedisArgument], string | null>;
  readonly zRandMemberCount: CommandDefinition<[key: RedisArgument, count: number], string[]>;
  readonly zRandMemberCountWithScores: CommandDefinition<[key: RedisArgument, count: number], SortedSetMember<string>[]>;
  readonly zUnion: CommandDefinition<[keys: ZKeys, options?: ZAggregateOptions | undefined], string[]>;
  readonly zUnionWithScores: CommandDefinition<[keys: ZKeys, options?: ZAggregateOptions | undefined], SortedSetMember<string>[]>;
  readonly zUnionStore: CommandDefinition<[destination: RedisArgument, keys: ZKeys, options?: ZAggregateOptions | undefined], number>;
  readonly zInter: CommandDefinition<[keys: ZKeys, options?: ZAggregateOptions | undefined], string[]>;
  readonly zInterWithScores: CommandDefinition<[keys: ZKeys, options?: ZAggregateOptions | undefined], SortedSetMember<string>[]>;
  readonly zInterStore: CommandDefinition<[destination: RedisArgument, keys: ZKeys, options?: ZAggregateOptions | undefined], number>;
  readonly zDiff: CommandDefinition<[keys: RedisVariadicArgument], string[]>;
  readonly zDiffWithScores: CommandDefinition<[keys: RedisVariadicArgument], SortedSetMember<string>[]>;
  readonly zDiffStore: CommandDefinition<[destination: RedisArgument, keys: RedisVariadicArgument], number>;
  readonly zScan: CommandDefinition<[key: RedisArgument, cursor: number | RedisArgument, options?: Omit<ScanOptions, "TYPE"> | undefined], {
    cursor: string;
    members: SortedSetMember<string>[];
  }>;
  readonly zmPop: CommandDefinition<[keys: RedisVariadicArgument, side: SortedSetSide, options?: {
    COUNT?: number;
  } | undefined], {
    key: string;
    members: SortedSetMember[];
  } | null>;
  readonly bzPopMin: CommandDefinition<[keys: RedisVariadicArgument, timeout: number], {
    key: string;
    value: string;
    score: number;
  } | null>;
  readonly bzPopMax: CommandDefinition<[keys: RedisVariadicArgument, timeout: number], {
    key: string;
    value: string;
    score: number;
  } | null>;
  readonly bzmPop: CommandDefinition<[timeout: number, keys: RedisVariadicArgument, side: SortedSetSide, options?: {
    COUNT?: number;
  } | undefined], {
    key: string;
    members: SortedSetMember[];
  } | null>;
}

export const SORTED_SET_COMMANDS: SortedSetCommands = {
  zAdd: defineCommand({
    args: (key: RedisArgument, members: SortedSetMember<RedisArgument> | readonly SortedSetMember<RedisArgument>[], options?: ZAddOptions): CommandArgument[] =>
      zaddArgs('ZADD', key, members, options, false),
    reply: natural<number>(),
  }),
  /** ZADD ... INCR: the new score, or null when a condition stopped the update. */
  zAddIncr: defineCommand({
    args: (key: RedisArgument, members: SortedSetMember<RedisArgument> | readonly SortedSetMember<RedisArgument>[], options?: Omit<ZAddOptions, 'NX' | 'XX' | 'LT' | 'GT'>): CommandArgument[] =>
      zaddArgs('ZADD', key, members, options, true),
    reply: toNullableDouble,
  }),
  zIncrBy: defineCommand({
    args: (key: RedisArgument, increment: number, member: RedisArgument | number): CommandArgument[] =>
      ['ZINCRBY', str('ZINCRBY', 'key', key), score('ZINCRBY', 'increment', increment), val('ZINCRBY', 'member', member)],
    reply: toDouble,
  }),
  zScore: defineCommand({
    args: (key: RedisArgument, member: RedisArgument | number): CommandArgument[] => ['ZSCORE', str('ZSCORE', 'key', key), val('ZSCORE', 'member', member)],
    reply: toNullableDouble,
  }),
  zmScore: defineCommand({
    args: (key: RedisArgument, members: RedisVariadicArgument): CommandArgument[] => pushVariadic(['ZMSCORE', str('ZMSCORE', 'key', key)], 'ZMSCORE', 'members', members),
    reply: toDoubles,
  }),
  zRange: zrangeCommand<string[]>(false, undefined),
  zRangeWithScores: zrangeCommand(true, members),
  zRangeByScore: zrangeByCommand<string[]>('ZRANGEBYSCORE', false, undefined),
  zRangeByScoreWithScores: zrangeByCommand('ZRANGEBYSCORE', true, members),
  zRangeByLex: zrangeByCommand<string[]>('ZRANGEBYLEX', false, undefined),
  zRangeStore: defineCommand({
    args: (destination: RedisArgument, source: RedisArgument, min: RedisArgument | number, max: RedisArgument | number, options?: ZRangeOptions): CommandArgument[] =>
      zrangeArgs(['ZRANGESTORE', str('ZRANGESTORE', 'destination', destination), str('ZRANGESTORE', 'source', source)], 'ZRANGESTORE', min, max, options),
    reply: natural<number>(),
  }),
  zRank: rankCommand<number | null>('ZRANK', false, undefined),
  zRevRank: rankCommand<number | null>('ZREVRANK', false, undefined),
  /** Redis 7.2 and later. */
  zRankWithScore: rankCommand('ZRANK', true, rankWithScoreReply),
  /** Redis 7.2 and later. */
  zRevRankWithScore: rankCommand('ZREVRANK', true, rankWithScoreReply),
  zRem: keyVariadicCommand<number>('ZREM', 'members'),
  zRemRangeByScore: keyRangeCommand('ZREMRANGEBYSCORE'),
  zRemRangeByLex: keyRangeCommand('ZREMRANGEBYLEX'),
  zRemRangeByRank: defineCommand({
    args: (key: RedisArgument, start: number, stop: number): CommandArgument[] =>
      ['ZREMRANGEBYRANK', str('ZREMRANGEBYRANK', 'key', key), int('ZREMRANGEBYRANK', 'start', start), int('ZREMRANGEBYRANK', 'stop', stop)],
    reply: natural<number>(),
  }),
  zCard: keyCommand<number>('ZCARD'),
  zCount: keyRangeCommand('ZCOUNT'),
  zLexCount: keyRangeCommand('ZLEXCOUNT'),
  zPopMin: popCommand('ZPOPMIN'),
  zPopMinCount: popCountCommand('ZPOPMIN'),
  zPopMax: popCommand('ZPOPMAX'),
  zPopMaxCount: popCountCommand('ZPOPMAX'),
  zRandMember: keyCommand<string | null>('ZRANDMEMBER'),
  zRandMemberCount: defineCommand({
    args: (key: RedisArgument, count: number): CommandArgument[] => ['ZRANDMEMBER', str('ZRANDMEMBER', 'key', key), int('ZRANDMEMBER', 'count', count)],
    reply: natural<string[]>(),
  }),
  zRandMemberCountWithScores: defineCommand({
    args: (key: RedisArgument, count: number): CommandArgument[] => ['ZRANDMEMBER', str('ZRANDMEMBER', 'key', key), int('ZRANDMEMBER', 'count', count), 'WITHSCORES'],
    reply: members,
  }),
  zUnion: zsetOpCommand<string[]>('ZUNION', false, undefined),
  zUnionWithScores: zsetOpCommand('ZUNION', true, members),
  zUnionStore: zsetStoreCommand('ZUNIONSTORE'),
  zInter: zsetOpCommand<string[]>('ZINTER', false, undefined),
  zInterWithScores: zsetOpCommand('ZINTER', true, members),
  zInterStore: zsetStoreCommand('ZINTERSTORE'),
  zDiff: defineCommand({ args: (keys: RedisVariadicArgument): CommandArgument[] => pushCounted(['ZDIFF'], 'ZDIFF', 'keys', keys), reply: natural<string[]>() }),
  zDiffWithScores: defineCommand({
    args: (keys: RedisVariadicArgument): CommandArgument[] => {
      const out = pushCounted(['ZDIFF'], 'ZDIFF', 'keys', keys)
      out.push('WITHSCORES')
      return out
    },
    reply: members,
  }),
  zDiffStore: defineCommand({
    args: (destination: RedisArgument, keys: RedisVariadicArgument): CommandArgument[] =>
      pushCounted(['ZDIFFSTORE', str('ZDIFFSTORE', 'destination', destination)], 'ZDIFFSTORE', 'keys', keys),
    reply: natural<number>(),
  }),
  zScan: defineCommand({
    args: (key: RedisArgument, cursor: RedisArgument | number, options?: Omit<ScanOptions, 'TYPE'>): CommandArgument[] =>
      pushScanOptions(['ZSCAN', str('ZSCAN', 'key', key), strOrInt('ZSCAN', 'cursor', cursor)], 'ZSCAN', options, false),
    reply: (raw: [unknown, unknown[]]) => ({ cursor: text(raw[0]), members: toSortedSetMembers(raw[1]) }),
  }),
  zmPop: defineCommand({
    args: (keys: RedisVariadicArgument, side: SortedSetSide, options?: { COUNT?: number }): CommandArgument[] => mpopArgs(['ZMPOP'], 'ZMPOP', keys, side, options),
    reply: mpopReply,
  }),
  bzPopMin: blockingPopCommand('BZPOPMIN'),
  bzPopMax: blockingPopCommand('BZPOPMAX'),
  bzmPop: defineCommand({
    args: (timeout: number, keys: RedisVariadicArgument, side: SortedSetSide, options?: { COUNT?: number }): CommandArgument[] =>
      mpopArgs(['BZMPOP', num('BZMPOP', 'timeout', timeout)], 'BZMPOP', keys, side, options),
    reply: mpopReply,
  }),
} as const
