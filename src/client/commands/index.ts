// The typed commands: one `COMMANDS` object, method name (node-redis's camelCase spelling) ->
// definition. The client makes each entry a method, plus the UPPERCASE alias node-redis gives
// it (`COMMAND_ALIASES`); commands not listed here get a generic method from the command table.

import { BITMAP_COMMANDS } from './bitmaps.ts'
import { GEO_COMMANDS } from './geo.ts'
import { HASH_COMMANDS } from './hashes.ts'
import { HYPERLOGLOG_COMMANDS } from './hyperloglog.ts'
import { KEY_COMMANDS } from './keys.ts'
import { LIST_COMMANDS } from './lists.ts'
import { SERVER_COMMANDS } from './server.ts'
import { SET_COMMANDS } from './sets.ts'
import { SORTED_SET_COMMANDS } from './sorted-sets.ts'
import { STREAM_COMMANDS } from './streams.ts'
import { STRING_COMMANDS } from './strings.ts'

export const COMMANDS = {
  ...STRING_COMMANDS,
  ...KEY_COMMANDS,
  ...HASH_COMMANDS,
  ...LIST_COMMANDS,
  ...SET_COMMANDS,
  ...SORTED_SET_COMMANDS,
  ...STREAM_COMMANDS,
  ...HYPERLOGLOG_COMMANDS,
  ...GEO_COMMANDS,
  ...BITMAP_COMMANDS,
  ...SERVER_COMMANDS,
} as const

export type CommandName = keyof typeof COMMANDS

// node-redis names its UPPERCASE aliases after its command files: the command's name, plus
// `_SUBCOMMAND` or a variant suffix (`ZRANGE_WITHSCORES`, `LPOP_COUNT`). Only those differ
// from `name.toUpperCase()`, so only those are listed.
const SPELLED_ALIASES: { readonly [K in CommandName]?: string } = {
  lcsLen: 'LCS_LEN',
  objectEncoding: 'OBJECT_ENCODING',
  objectFreq: 'OBJECT_FREQ',
  objectIdleTime: 'OBJECT_IDLETIME',
  objectRefCount: 'OBJECT_REFCOUNT',
  hRandFieldCount: 'HRANDFIELD_COUNT',
  hRandFieldCountWithValues: 'HRANDFIELD_COUNT_WITHVALUES',
  lPopCount: 'LPOP_COUNT',
  rPopCount: 'RPOP_COUNT',
  lPosCount: 'LPOS_COUNT',
  sPopCount: 'SPOP_COUNT',
  sRandMemberCount: 'SRANDMEMBER_COUNT',
  zAddIncr: 'ZADD_INCR',
  zRangeWithScores: 'ZRANGE_WITHSCORES',
  zRangeByScoreWithScores: 'ZRANGEBYSCORE_WITHSCORES',
  zRankWithScore: 'ZRANK_WITHSCORE',
  zRevRankWithScore: 'ZREVRANK_WITHSCORE',
  zPopMinCount: 'ZPOPMIN_COUNT',
  zPopMaxCount: 'ZPOPMAX_COUNT',
  zRandMemberCount: 'ZRANDMEMBER_COUNT',
  zRandMemberCountWithScores: 'ZRANDMEMBER_COUNT_WITHSCORES',
  zUnionWithScores: 'ZUNION_WITHSCORES',
  zInterWithScores: 'ZINTER_WITHSCORES',
  zDiffWithScores: 'ZDIFF_WITHSCORES',
  xAddNoMkStream: 'XADD_NOMKSTREAM',
  xGroupCreate: 'XGROUP_CREATE',
  xGroupCreateConsumer: 'XGROUP_CREATECONSUMER',
  xGroupDelConsumer: 'XGROUP_DELCONSUMER',
  xGroupDestroy: 'XGROUP_DESTROY',
  xGroupSetId: 'XGROUP_SETID',
  xPendingRange: 'XPENDING_RANGE',
  xClaimJustId: 'XCLAIM_JUSTID',
  xAutoClaimJustId: 'XAUTOCLAIM_JUSTID',
  xInfoStream: 'XINFO_STREAM',
  xInfoGroups: 'XINFO_GROUPS',
  xInfoConsumers: 'XINFO_CONSUMERS',
  geoSearchWith: 'GEOSEARCH_WITH',
  bitFieldRo: 'BITFIELD_RO',
  commandCount: 'COMMAND_COUNT',
  configGet: 'CONFIG_GET',
  configSet: 'CONFIG_SET',
  configResetStat: 'CONFIG_RESETSTAT',
  configRewrite: 'CONFIG_REWRITE',
  clientId: 'CLIENT_ID',
  clientGetName: 'CLIENT_GETNAME',
  clientSetName: 'CLIENT_SETNAME',
  clientInfo: 'CLIENT_INFO',
  clientList: 'CLIENT_LIST',
  memoryUsage: 'MEMORY_USAGE',
}

/** Method name -> node-redis's UPPERCASE alias (`hGetAll` -> `HGETALL`, `zRangeWithScores` -> `ZRANGE_WITHSCORES`). */
export const COMMAND_ALIASES: { readonly [K in CommandName]: string } = Object.fromEntries(
  Object.keys(COMMANDS).map((name) => [name, SPELLED_ALIASES[name as CommandName] ?? name.toUpperCase()]),
) as { readonly [K in CommandName]: string }

export type { CommandDefinition, ReplyContext } from './define.ts'
export { defineCommand } from './define.ts'
export type { RedisArgument, RedisVariadicArgument, ScanOptions } from './arguments.ts'
export type { Dict, SortedSetMember, StreamMessage } from './reply-shapes.ts'
