// Generates src/client/command-table.ts from a real server's own description of its commands:
// `COMMAND` (arity, flags, ACL categories, tips, key specs, subcommands) and `COMMAND DOCS`
// (group, since, deprecation). It starts a throwaway redis-server of its own, so the table
// always matches the `redis-server` on the PATH, and the output is deterministic (sorted, no
// timestamps): test/client/command-keys.test.ts regenerates it and fails when the committed
// file is stale.
//
//   npx tsx scripts/gen-command-table.ts      (or: npm run gen:commands)
//
// Method names follow node-redis v5 (redis@5.12.1, packages/client/lib/commands/index.ts and
// the pub/sub and transaction methods of its client class): the names below are copied from
// there; every other command gets a name derived by the same rules (family prefix + camelCase
// words), and the generator checks that those rules reproduce node-redis's own names.

import { writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Decoder, ReplyError, encodeCommand, type CommandArgument } from '../src/resp/index.ts'
import { autoConnector } from '../src/transport/auto.ts'
import type { ByteStream } from '../src/transport/types.ts'
import { startRedis } from '../test/support/redis.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const TABLE_PATH = join(root, 'src/client/command-table.ts')

// ---------------------------------------------------------------------------------------------
// A minimal RESP3 connection: enough to ask a server about itself (also used by the tests).

export interface RawConnection {
  /** Sends one command; resolves with the decoded reply (an error reply as a `ReplyError` value). */
  send(args: readonly CommandArgument[]): Promise<unknown>
  close(): Promise<void>
}

export async function openRaw(port: number, host = '127.0.0.1'): Promise<RawConnection> {
  const waiting: Array<{ resolve: (value: unknown) => void; reject: (err: Error) => void }> = []
  let head = 0
  const decoder = new Decoder({
    mapAs: 'object',
    setAs: 'array',
    onReply: (reply) => {
      const entry = waiting[head++]
      if (head > 1024 && head * 2 > waiting.length) { waiting.splice(0, head); head = 0 }
      entry?.resolve(reply)
    },
  })
  const fail = (err: Error) => {
    for (let i = head; i < waiting.length; i++) waiting[i].reject(err)
    waiting.length = 0
    head = 0
  }
  const stream: ByteStream = await autoConnector({ host, port }, {
    onData: (chunk) => {
      try {
        decoder.feed(chunk)
      } catch (err) {
        fail(err as Error)
      }
    },
  })
  void stream.closed.then((err) => fail(err ?? new Error('connection closed')))
  return {
    send(args) {
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject })
        stream.write(encodeCommand(args))
      })
    },
    async close() {
      stream.abort()
      await stream.closed
    },
  }
}

async function ask(conn: RawConnection, args: readonly CommandArgument[]): Promise<unknown> {
  const reply = await conn.send(args)
  if (reply instanceof ReplyError) throw new Error(`${args.join(' ')}: ${reply.message}`)
  return reply
}

// ---------------------------------------------------------------------------------------------
// Method names.

/** node-redis v5's camelCase names for the commands it has (variants such as `zRangeWithScores` are not commands and are skipped). */
const NODE_REDIS_METHODS = `
aclCat aclDelUser aclDryRun aclGenPass aclGetUser aclList aclLoad aclLog aclSave aclSetUser aclUsers aclWhoAmI
append asking auth bgRewriteAof bgSave bitCount bitFieldRo bitField bitOp bitPos blMove blmPop blPop brPop
brPopLPush bzmPop bzPopMax bzPopMin clientCaching clientGetName clientGetRedir clientId clientInfo clientKill
clientList clientNoEvict clientNoTouch clientPause clientSetName clientTracking clientTrackingInfo clientUnpause
clusterAddSlots clusterAddSlotsRange clusterBumpEpoch clusterCountFailureReports clusterCountKeysInSlot
clusterDelSlots clusterDelSlotsRange clusterFailover clusterFlushSlots clusterForget clusterGetKeysInSlot
clusterInfo clusterKeySlot clusterLinks clusterMeet clusterMyId clusterMyShardId clusterNodes clusterReplicas
clusterReplicate clusterReset clusterSaveConfig clusterSetConfigEpoch clusterSetSlot clusterSlots commandCount
commandGetKeys commandGetKeysAndFlags commandInfo commandList command configGet configResetStat configRewrite
configSet copy dbSize decr decrBy del delEx digest dump echo evalRo eval evalShaRo evalSha exists expire expireAt
expireTime flushAll flushDb fCall fCallRo functionDelete functionDump functionFlush functionKill functionList
functionLoad functionRestore functionStats geoAdd geoDist geoHash geoPos geoRadiusRo geoRadius geoRadiusByMemberRo
geoRadiusByMember geoSearch geoSearchStore get getBit getDel getEx getRange getSet hDel hello hExists hExpire
hExpireAt hExpireTime hGet hGetAll hGetDel hGetEx hIncrBy hIncrByFloat hKeys hLen hmGet hPersist hpExpire
hpExpireAt hpExpireTime hpTTL hRandField hScan hSet hSetEx hSetNX hStrLen hTTL hVals incr incrBy incrByFloat info
keys lastSave latencyDoctor latencyGraph latencyHistory latencyHistogram latencyLatest latencyReset lcs lIndex
lInsert lLen lMove lmPop lPop lPos lPush lPushX lRange lRem lSet lTrim memoryDoctor memoryMallocStats memoryPurge
memoryStats memoryUsage mGet migrate moduleList moduleLoad moduleUnload move mSet mSetEx mSetNX objectEncoding
objectFreq objectIdleTime objectRefCount persist pExpire pExpireAt pExpireTime pfAdd pfCount pfMerge ping pSetEx
pTTL publish pubSubChannels pubSubNumPat pubSubNumSub pubSubShardNumSub pubSubShardChannels randomKey readonly
rename renameNX replicaOf restoreAsking restore role rPop rPopLPush rPush rPushX sAdd scan sCard scriptDebug
scriptExists scriptFlush scriptKill scriptLoad sDiff sDiffStore set setBit setEx setNX setRange sInter sInterCard
sInterStore sIsMember sMembers smIsMember sMove sortRo sort sPop sPublish sRandMember sRem sScan strLen sUnion
sUnionStore swapDb time touch ttl type unlink wait xAck xAckDel xAdd xAutoClaim xClaim xCfgSet xDel xDelEx
xGroupCreate xGroupCreateConsumer xGroupDelConsumer xGroupDestroy xGroupSetId xInfoConsumers xInfoGroups
xInfoStream xLen xPending xRange xRead xReadGroup xRevRange xSetId xTrim zAdd zCard zCount zDiff zDiffStore
zIncrBy zInter zInterCard zInterStore zLexCount zmPop zmScore zPopMax zPopMin zRandMember zRange zRangeByLex
zRangeByScore zRangeStore zRank zRem zRemRangeByLex zRemRangeByRank zRemRangeByScore zRevRank zScan zScore zUnion
zUnionStore vAdd vCard vDim vEmb vGetAttr vInfo vLinks vRandMember vRange vRem vSetAttr vSim
select subscribe unsubscribe pSubscribe pUnsubscribe sSubscribe sUnsubscribe watch unwatch multi monitor quit
`.split(/\s+/).filter(Boolean)

/** Type prefixes a command name may start with (node-redis keeps them lower case: `hmGet`, `bzPopMin`). */
const PREFIXES = ['blm', 'bzm', 'bl', 'br', 'bz', 'lm', 'zm', 'hm', 'sm', 'hp', 'pf', 'h', 'l', 'r', 's', 'z', 'x', 'p', 'm', 'f', 'v']
/** Words a name is split into, after its prefix. */
const WORDS = `
acl ack add aof all and am asking at auth auto bg bit bump by caching call card cat channels claim client
cluster conf config consumer consumers copy count create db debug decr del delete destroy diff discard doctor
docs dry dump echo emb encoding epoch eval evict ex exec exists expire failover failure field flush forget freq
function gen get graph group groups hash hello help histogram history id idle in incr index info insert inter
is keys key kill l last latency latest len lex links list load log lolwut malloc max meet member members memory
migrate min module monitor move multi my name no node nodes num nx object of op pass pat pause persist ping pop
pos publish purge push quit radius rand random range rank read readonly readwrite redir ref rem rename
replica replicas replicate reports reset restore rev rewrite ro role run save scan score script search select self
set sha repl shard shards shutdown size slave slaves slot slots slow slowlog stat stats store str stream
subscribe substr swap sync test time touch tracking trim ttl type unblock unlink unpause unsubscribe unwatch
usage user users vals wait watch who x float reply lcs flags i pub sub geo union merge pending dist
`.split(/\s+/).filter(Boolean)
const WORD_SET = new Set(WORDS)
/** Words node-redis writes in capitals. */
const CAPITALS: Record<string, string> = { nx: 'NX', ttl: 'TTL', x: 'X', l: 'L', i: 'I' }

/** Splits a lower-case token into the fewest dictionary words (a prefix allowed first); undefined if it cannot. */
function segment(token: string, allowPrefix: boolean): string[] | undefined {
  // best[i]: fewest words covering token[0, i); prefixes only at position 0.
  const best: Array<string[] | undefined> = new Array(token.length + 1).fill(undefined)
  best[0] = []
  for (let i = 0; i < token.length; i++) {
    const at = best[i]
    if (!at) continue
    for (let j = i + 1; j <= token.length; j++) {
      const piece = token.slice(i, j)
      const ok = WORD_SET.has(piece) || (allowPrefix && i === 0 && PREFIXES.includes(piece))
      if (!ok) continue
      const candidate = [...at, piece]
      const current = best[j]
      if (!current || candidate.length < current.length) best[j] = candidate
    }
  }
  return best[token.length]
}

/** node-redis's spelling rule: family prefix lower case, then each word capitalised. */
export function deriveMethod(name: string): string {
  const words: string[] = []
  const tokens = name.split(/[|_-]/)
  tokens.forEach((token, t) => {
    const pieces = segment(token, t === 0 && !WORD_SET.has(token)) ?? [token]
    words.push(...pieces)
  })
  return words
    .map((w, i) => (i === 0 ? w : CAPITALS[w] ?? w[0].toUpperCase() + w.slice(1)))
    .join('')
}

function methodNames(names: readonly string[]): Map<string, string> {
  const byFolded = new Map<string, string>()
  for (const name of names) {
    const folded = name.replace(/[|_-]/g, '')
    if (byFolded.has(folded)) throw new Error(`two commands fold to ${folded}: ${byFolded.get(folded)} and ${name}`)
    byFolded.set(folded, name)
  }
  const methods = new Map<string, string>()
  const mismatches: string[] = []
  for (const method of NODE_REDIS_METHODS) {
    const name = byFolded.get(method.toLowerCase())
    if (name === undefined) continue // a command this server does not have
    methods.set(name, method)
    const derived = deriveMethod(name)
    if (derived !== method) mismatches.push(`${name}: node-redis ${method}, rules ${derived}`)
  }
  // The rules name the commands node-redis lacks; they must agree with node-redis where it has one.
  if (mismatches.length > 0) throw new Error(`method naming rules disagree with node-redis:\n${mismatches.join('\n')}`)
  for (const name of names) if (!methods.has(name)) methods.set(name, deriveMethod(name))
  const seen = new Map<string, string>()
  for (const [name, method] of methods) {
    if (seen.has(method)) throw new Error(`method ${method} for both ${seen.get(method)} and ${name}`)
    seen.set(method, name)
  }
  return methods
}

// ---------------------------------------------------------------------------------------------
// The table.

type Obj = Record<string, unknown>

interface RawSpec {
  flags: string[]
  begin_search: { type: string; spec: Obj }
  find_keys: { type: string; spec: Obj }
}

function num(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new Error(`${what}: expected an integer, got ${String(value)}`)
  return value
}

/** One key spec as `FLAGS BEGIN FIND` (see KeySpec in command-keys.ts for the letters). */
function encodeSpec(spec: RawSpec, command: string): string {
  const flags = spec.flags.length > 0 ? spec.flags.join(',') : '-'
  const bs = spec.begin_search
  let begin: string
  if (bs.type === 'index') begin = `i${num(bs.spec.pos ?? bs.spec.index, `${command} begin_search index`)}`
  else if (bs.type === 'keyword') {
    const keyword = String(bs.spec.keyword)
    if (!/^[A-Za-z0-9_-]+$/.test(keyword)) throw new Error(`${command}: unexpected keyword ${keyword}`)
    begin = `k${num(bs.spec.startfrom, `${command} startfrom`)},${keyword}`
  } else begin = 'u'
  const fk = bs.type === 'unknown' ? { type: 'unknown', spec: {} } : spec.find_keys
  let find: string
  if (fk.type === 'range') {
    find = `r${num(fk.spec.lastkey, `${command} lastkey`)},${num(fk.spec.keystep, `${command} keystep`)},${num(fk.spec.limit, `${command} limit`)}`
  } else if (fk.type === 'keynum') {
    find = `n${num(fk.spec.keynumidx, `${command} keynumidx`)},${num(fk.spec.firstkey, `${command} firstkey`)},${num(fk.spec.keystep, `${command} keystep`)}`
  } else find = 'u'
  return `${flags} ${begin} ${find}`
}

interface Row {
  name: string
  cells: unknown[]
}

function collect(info: unknown[], docs: Obj | undefined, methods: Map<string, string>, rows: Row[]): void {
  const [name, arity, flags, first, last, step, acl, tips, specs, subcommands] = info as [
    string, number, string[], number, number, number, string[], string[], RawSpec[], unknown[][],
  ]
  const doc = docs ?? {}
  const docFlags = Array.isArray(doc.doc_flags) ? (doc.doc_flags as string[]) : []
  rows.push({
    name,
    cells: [
      name,
      methods.get(name),
      arity,
      flags.join(' '),
      acl.map((c) => c.replace(/^@/, '')).join(' '),
      first,
      last,
      step,
      specs.map((s) => encodeSpec(s, name)),
      String(doc.group ?? ''),
      String(doc.since ?? ''),
      tips.join(' '),
      docFlags.join(' '),
      String(doc.replaced_by ?? ''),
      String(doc.deprecated_since ?? ''),
    ],
  })
  const subDocs = (doc.subcommands ?? {}) as Obj
  for (const sub of subcommands ?? []) collect(sub, subDocs[sub[0] as string] as Obj | undefined, methods, rows)
}

function allNames(info: unknown[][]): string[] {
  const names: string[] = []
  const walk = (entry: unknown[]) => {
    names.push(entry[0] as string)
    for (const sub of (entry[9] as unknown[][]) ?? []) walk(sub)
  }
  info.forEach(walk)
  return names
}

/** The text of src/client/command-table.ts, from the server behind `conn`. */
export async function generateCommandTable(conn: RawConnection): Promise<string> {
  await ask(conn, ['HELLO', '3'])
  const infoText = String(await ask(conn, ['INFO', 'server']))
  const version = /redis_version:([^\r\n]+)/.exec(infoText)?.[1] ?? 'unknown'
  const info = (await ask(conn, ['COMMAND'])) as unknown[][]
  const docs = (await ask(conn, ['COMMAND', 'DOCS'])) as Obj
  const methods = methodNames(allNames(info))
  const rows: Row[] = []
  for (const entry of info) collect(entry, docs[entry[0] as string] as Obj | undefined, methods, rows)
  rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const lines = rows.map((row) => `  ${JSON.stringify(row.cells)},`)
  const names = [...new Set(rows.map((row) => row.cells[1] as string))].filter((m) => m !== '').sort()
  const union: string[] = []
  for (let i = 0; i < names.length; i += 8) union.push(`  | ${names.slice(i, i + 8).map((m) => JSON.stringify(m)).join(' | ')}`)
  return `${HEADER.replace('%VERSION%', version)}
export const SERVER_VERSION = ${JSON.stringify(version)}

/** Every method name of the table, for the types of the generic command methods. */
export type TableMethod =
${union.join('\n')}

export const COMMAND_ROWS: readonly CommandRow[] = [
${lines.join('\n')}
]
`
}

const HEADER = `// GENERATED by scripts/gen-command-table.ts (npm run gen:commands) from redis-server %VERSION%:
// its COMMAND and COMMAND DOCS replies, one row per command and subcommand, sorted by name.
// Do not edit: regenerate. test/client/command-keys.test.ts fails when this file is stale.
// The rows are decoded (and documented) by src/client/command-keys.ts (\`CommandInfo\`).

export type { CommandInfo, KeySpec } from './command-keys.ts'

/**
 * One command: [name ('config|get' for a subcommand), method (node-redis v5 camelCase), arity,
 * flags, ACL categories (without '@'), legacy first key, last key, step, key specs, group,
 * since, tips, doc flags, replaced by, deprecated since]. Lists are space-separated. A key spec
 * is 'FLAGS BEGIN FIND': FLAGS comma-separated ('-' for none); BEGIN 'i<index>',
 * 'k<startfrom>,<KEYWORD>' or 'u' (unknown); FIND 'r<lastkey>,<keystep>,<limit>',
 * 'n<keynumidx>,<firstkey>,<keystep>' or 'u' (unknown).
 */
export type CommandRow = readonly [
  name: string,
  method: string,
  arity: number,
  flags: string,
  acl: string,
  firstKey: number,
  lastKey: number,
  step: number,
  keySpecs: readonly string[],
  group: string,
  since: string,
  tips: string,
  docFlags: string,
  replacedBy: string,
  deprecatedSince: string,
]
`

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const redis = await startRedis()
  try {
    const conn = await openRaw(redis.port)
    try {
      const text = await generateCommandTable(conn)
      writeFileSync(TABLE_PATH, text)
      console.log(`wrote ${TABLE_PATH} (${text.length} bytes)`)
    } finally {
      await conn.close()
    }
  } finally {
    await redis.stop()
  }
}

const invoked = typeof process !== 'undefined' && process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)
if (invoked) {
  main().catch((err: Error) => {
    console.error(err.stack ?? err.message)
    process.exitCode = 1
  })
}
