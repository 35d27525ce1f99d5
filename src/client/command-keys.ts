// What the server says about each command, decoded from the generated table, and the questions
// the client and the cluster ask on every call: which command is this (subcommands included),
// where are its keys, is it read-only, does it have the right number of arguments.
//
// Keys are found the way the server's own COMMAND GETKEYS finds them (db.c,
// getKeysUsingKeySpecs): from the key specs, begin_search then find_keys, spec by spec, in
// order. Three commands have specs the server marks unknown or incomplete (SORT, SORT_RO,
// MIGRATE); for those, as the server does, a small parser of their own arguments. Where the
// server would refuse the arguments (numkeys larger than what follows, a keyword with nothing
// after it), we return the keys that are there rather than none: never an index past the end.
//
// Hot path: the cluster calls keyIndexes for every command. Names are looked up through a
// cache keyed by the exact spelling the caller used (so `GET` and `get` each cost one Map hit
// after the first call), keywords are compared in place without a regex or a lower-cased copy,
// and the caller may pass the output array to reuse it.

import type { CommandArgument } from '../resp/index.ts'
import { COMMAND_ROWS, SERVER_VERSION, type CommandRow } from './command-table.ts'

export { SERVER_VERSION }

/** One key spec: how the server finds one group of key arguments (COMMAND INFO, `key_specs`). */
export interface KeySpec {
  /**
   * The server's key spec flags. Access: `RO` (read only), `RW` (read and write), `OW`
   * (overwrite without reading), `RM` (remove). Operation: `access` (reads or returns the
   * value), `update`, `insert`, `delete`. Others: `not_key` (looks like a key but is not one,
   * skipped), `incomplete` (the spec may miss keys: only the command's own parser is complete),
   * `variable_flags` (the real flags depend on the arguments, e.g. SET ... GET).
   */
  readonly flags: readonly string[]
  /**
   * Where the search starts (`begin_search`): `index`, at argument `index`; `keyword`, just
   * after the first argument equal (case-insensitively) to `keyword`, searched from argument
   * `startFrom` towards the end, or, when `startFrom` is negative, from that many arguments
   * before the end towards the start; `unknown`, only the command's own parser knows.
   */
  readonly beginSearch: 'index' | 'keyword' | 'unknown'
  readonly index: number
  readonly keyword: string
  readonly startFrom: number
  /**
   * Which arguments from there are keys (`find_keys`): `range`, from the start to the start
   * plus `lastKey` (negative: counted back from the last argument; with a `limit` N > 0, only
   * the first 1/N of the arguments that follow, as for XREAD's keys before their IDs), every
   * `keyStep` arguments; `keynum`, the argument at start plus `keyNumIdx` says how many keys
   * follow, the first at start plus `firstKey`, every `keyStep`; `unknown`.
   */
  readonly findKeys: 'range' | 'keynum' | 'unknown'
  readonly lastKey: number
  readonly keyStep: number
  readonly limit: number
  readonly keyNumIdx: number
  readonly firstKey: number
}

/** One command or subcommand, as COMMAND INFO and COMMAND DOCS describe it. */
export interface CommandInfo {
  /** Lower case; a subcommand is `container|sub`: `config|get`, `xinfo|stream`. */
  readonly name: string
  /** The camelCase method name, in node-redis v5's spelling: `hGetAll`, `configGet`. */
  readonly method: string
  /**
   * Number of arguments, the name (and subcommand) included: N means exactly N, -N at least N.
   * GET is 2, SET -3, CONFIG GET -3.
   */
  readonly arity: number
  /**
   * Command flags: `write`, `readonly`, `denyoom` (refused when over maxmemory), `admin`,
   * `pubsub`, `noscript` (not from scripts), `blocking`, `loading` (allowed while loading),
   * `stale` (allowed on a replica with stale data), `skip_monitor`, `skip_slowlog`, `fast`
   * (O(1) or O(log N)), `movablekeys` (key positions depend on the arguments), `no_auth`
   * (allowed before AUTH), `may_replicate`, `no_multi` (not inside MULTI), `allow_busy`
   * (allowed while a script runs), `no_mandatory_keys`, `asking`, `no_async_loading`...
   */
  readonly flags: ReadonlySet<string>
  /** ACL categories without the `@`: `read`, `write`, `string`, `slow`, `dangerous`... */
  readonly aclCategories: readonly string[]
  /** Legacy key positions (first, last, step; 0 0 0 for none; last -1 = the last argument). Prefer `keySpecs`. */
  readonly firstKey: number
  readonly lastKey: number
  readonly step: number
  readonly keySpecs: readonly KeySpec[]
  /** COMMAND DOCS group: `string`, `hash`, `sorted-set`, `server`, `generic`... */
  readonly group: string
  /** Server version that introduced the command. */
  readonly since: string
  /**
   * Command tips: `nondeterministic_output`, `nondeterministic_output_order`,
   * `request_policy:<p>`, `response_policy:<p>`.
   */
  readonly tips: readonly string[]
  /**
   * How a cluster client sends a keyless command: `all_nodes` (every node, replicas too),
   * `all_shards` (every master: DBSIZE, KEYS, FLUSHALL), `multi_shard` (split by key, MSET),
   * `special`; undefined: to one node (by key, or any).
   */
  readonly requestPolicy: string | undefined
  /**
   * How the replies of a fan-out combine: `one_succeeded`, `all_succeeded`, `agg_logical_and`,
   * `agg_logical_or`, `agg_min`, `agg_max`, `agg_sum` (DBSIZE), `special`; undefined: by
   * request policy (arrays concatenated for all_shards, as KEYS).
   */
  readonly responsePolicy: string | undefined
  /** COMMAND DOCS doc_flags: `deprecated`, `syscmd` (meant for servers, not users). */
  readonly docFlags: readonly string[]
  readonly deprecated: boolean
  readonly deprecatedSince: string | undefined
  /** What replaces a deprecated command, as the docs say it (markdown). */
  readonly replacedBy: string | undefined
  /** The `readonly` flag: safe to retry, and to send to a replica. */
  readonly readOnly: boolean
  /** The `write` flag. */
  readonly write: boolean
  /** For a container (CONFIG, OBJECT, XINFO...): its subcommands by lower-case name. */
  readonly subcommands: ReadonlyMap<string, CommandInfo> | undefined
  /** For a subcommand: its container's name. */
  readonly container: string | undefined
}

// How keyIndexes finds the keys of a command.
const KEYS_NONE = 0
const KEYS_SPECS = 1
const KEYS_SORT = 2
const KEYS_SORT_RO = 3
const KEYS_MIGRATE = 4

const BS_INDEX = 0
const BS_KEYWORD = 1
const FK_RANGE = 0
const FK_KEYNUM = 1

/** A key spec with its kinds as small integers, for the hot path. */
class Spec implements KeySpec {
  readonly flags: readonly string[]
  readonly beginSearch: 'index' | 'keyword' | 'unknown'
  readonly index: number = 0
  readonly keyword: string = ''
  readonly startFrom: number = 0
  readonly findKeys: 'range' | 'keynum' | 'unknown'
  readonly lastKey: number = 0
  readonly keyStep: number = 1
  readonly limit: number = 0
  readonly keyNumIdx: number = 0
  readonly firstKey: number = 0
  /** BS_INDEX, BS_KEYWORD, or -1 (unknown). */
  readonly bs: number
  /** FK_RANGE, FK_KEYNUM, or -1 (unknown). */
  readonly fk: number
  /** A `not_key` spec: COMMAND GETKEYS leaves its arguments out, and so do we. */
  readonly notKey: boolean
  /** An `incomplete` spec: once it matches, only the command's own parser has all the keys. */
  readonly incomplete: boolean

  constructor(text: string) {
    const [flags, begin, find] = text.split(' ')
    this.flags = flags === '-' ? [] : flags.split(',')
    if (begin[0] === 'i') {
      this.beginSearch = 'index'
      this.bs = BS_INDEX
      this.index = Number(begin.slice(1))
    } else if (begin[0] === 'k') {
      const comma = begin.indexOf(',')
      this.beginSearch = 'keyword'
      this.bs = BS_KEYWORD
      this.startFrom = Number(begin.slice(1, comma))
      this.keyword = begin.slice(comma + 1).toUpperCase()
    } else {
      this.beginSearch = 'unknown'
      this.bs = -1
    }
    const n = find.slice(1).split(',').map(Number)
    if (find[0] === 'r') {
      this.findKeys = 'range'
      this.fk = FK_RANGE
      this.lastKey = n[0]
      this.keyStep = n[1]
      this.limit = n[2]
    } else if (find[0] === 'n') {
      this.findKeys = 'keynum'
      this.fk = FK_KEYNUM
      this.keyNumIdx = n[0]
      this.firstKey = n[1]
      this.keyStep = n[2]
    } else {
      this.findKeys = 'unknown'
      this.fk = -1
    }
    // A zero step would never advance; the server never declares one.
    if (!(this.keyStep >= 1)) this.keyStep = 1
    this.notKey = this.flags.includes('not_key')
    this.incomplete = this.flags.includes('incomplete')
  }
}

const EMPTY: readonly never[] = Object.freeze([])
const MAX_COUNT = BigInt(Number.MAX_SAFE_INTEGER)

class Entry implements CommandInfo {
  readonly name: string
  readonly method: string
  readonly arity: number
  readonly flags: ReadonlySet<string>
  readonly aclCategories: readonly string[]
  readonly firstKey: number
  readonly lastKey: number
  readonly step: number
  readonly keySpecs: readonly Spec[]
  readonly group: string
  readonly since: string
  readonly tips: readonly string[]
  readonly requestPolicy: string | undefined
  readonly responsePolicy: string | undefined
  readonly docFlags: readonly string[]
  readonly deprecated: boolean
  readonly deprecatedSince: string | undefined
  readonly replacedBy: string | undefined
  readonly readOnly: boolean
  readonly write: boolean
  subcommands: Map<string, Entry> | undefined = undefined
  readonly container: string | undefined
  /** KEYS_* */
  readonly keyMode: number
  /** Subcommands by the exact spelling callers used (containers only). */
  spellings: Map<string, Entry> | undefined = undefined

  constructor(row: CommandRow) {
    const [name, method, arity, flags, acl, first, last, step, specs, group, since, tips, docFlags, replacedBy, deprecatedSince] = row
    this.name = name
    this.method = method
    this.arity = arity
    this.flags = new Set(words(flags))
    this.aclCategories = words(acl)
    this.firstKey = first
    this.lastKey = last
    this.step = step
    this.keySpecs = specs.length === 0 ? EMPTY : specs.map((s) => new Spec(s))
    this.group = group
    this.since = since
    this.tips = words(tips)
    this.requestPolicy = tipValue(this.tips, 'request_policy:')
    this.responsePolicy = tipValue(this.tips, 'response_policy:')
    this.docFlags = words(docFlags)
    this.deprecated = this.docFlags.includes('deprecated')
    this.deprecatedSince = deprecatedSince || undefined
    this.replacedBy = replacedBy || undefined
    this.readOnly = this.flags.has('readonly')
    this.write = this.flags.has('write')
    const bar = name.indexOf('|')
    this.container = bar === -1 ? undefined : name.slice(0, bar)
    this.keyMode = keyModeOf(name, this.keySpecs)
  }
}

function words(text: string): readonly string[] {
  return text === '' ? EMPTY : text.split(' ')
}

function tipValue(tips: readonly string[], prefix: string): string | undefined {
  for (const tip of tips) if (tip.startsWith(prefix)) return tip.slice(prefix.length)
  return undefined
}

function keyModeOf(name: string, specs: readonly Spec[]): number {
  // The server's own parsers, used when the specs cannot say (db.c sortGetKeys,
  // sortROGetKeys, migrateGetKeys). Other commands' parsers only differ from their specs on
  // arguments the server refuses anyway.
  if (name === 'sort') return KEYS_SORT
  if (name === 'sort_ro') return KEYS_SORT_RO
  if (name === 'migrate') return KEYS_MIGRATE
  return specs.some((s) => !s.notKey) ? KEYS_SPECS : KEYS_NONE
}

// ---------------------------------------------------------------------------------------------
// The table, built on first use.

let table: Map<string, Entry> | undefined
let list: readonly Entry[] | undefined
/** Top-level commands by the exact spelling callers used. */
const spellings = new Map<string, Entry>()
/** Bound on cached spellings per map: a caller sending random names must not grow memory. */
const MAX_SPELLINGS = 2048

function build(): Map<string, Entry> {
  const byName = new Map<string, Entry>()
  const all: Entry[] = []
  for (const row of COMMAND_ROWS) {
    const entry = new Entry(row)
    all.push(entry)
    if (entry.container === undefined) {
      byName.set(entry.name, entry)
    } else {
      const parent = byName.get(entry.container)
      if (parent === undefined) throw new Error(`command table: ${entry.name} before ${entry.container}`)
      parent.subcommands ??= new Map()
      parent.subcommands.set(entry.name.slice(entry.container.length + 1), entry)
    }
  }
  for (const entry of all) if (entry.subcommands) entry.spellings = new Map()
  list = all
  return byName
}

function commands(): Map<string, Entry> {
  return (table ??= build())
}

/** Every command and subcommand of the table, sorted by name. */
export function allCommands(): readonly CommandInfo[] {
  commands()
  return list!
}

/** The entry for a command name (`get`, `config|get`, any case), or undefined. */
export function commandByName(name: string): CommandInfo | undefined {
  const lower = name.toLowerCase()
  const bar = lower.indexOf('|')
  if (bar === -1) return commands().get(lower)
  return commands().get(lower.slice(0, bar))?.subcommands?.get(lower.slice(bar + 1))
}

/** An argument as lower-case text, for names: ASCII letters folded, other bytes as Latin-1. */
function lowerName(arg: CommandArgument): string {
  if (typeof arg === 'string') return arg.toLowerCase()
  if (arg instanceof Uint8Array) {
    let s = ''
    for (let i = 0; i < arg.length; i++) {
      const c = arg[i]
      s += String.fromCharCode(c >= 65 && c <= 90 ? c + 32 : c)
    }
    return s
  }
  return String(arg)
}

/** Longer than any command or subcommand name: not looked up (nor lower-cased, for a huge value). */
const MAX_NAME = 64

function find(map: Map<string, Entry>, cache: Map<string, Entry>, arg: CommandArgument): Entry | undefined {
  if (typeof arg === 'string') {
    if (arg.length > MAX_NAME) return undefined
    const hit = cache.get(arg)
    if (hit !== undefined) return hit
    const entry = map.get(arg.toLowerCase())
    if (entry !== undefined && cache.size < MAX_SPELLINGS) cache.set(arg, entry)
    return entry
  }
  if (arg instanceof Uint8Array && arg.length > MAX_NAME) return undefined
  return map.get(lowerName(arg))
}

function lookup(args: readonly CommandArgument[]): Entry | undefined {
  if (args.length === 0) return undefined
  const entry = find(commands(), spellings, args[0])
  if (entry === undefined || entry.subcommands === undefined || args.length < 2) return entry
  return find(entry.subcommands, entry.spellings!, args[1]) ?? entry
}

/**
 * The command a command line runs: `['CONFIG', 'GET', 'x']` gives `config|get`. The name may
 * be any case, a string or bytes. A container with a missing or unknown subcommand gives the
 * container; an unknown command, undefined.
 */
export function commandInfo(args: readonly CommandArgument[]): CommandInfo | undefined {
  return lookup(args)
}

/** The command's flags (empty for an unknown command). */
export function commandFlags(args: readonly CommandArgument[]): ReadonlySet<string> {
  return lookup(args)?.flags ?? NO_FLAGS
}
const NO_FLAGS: ReadonlySet<string> = new Set()

/** True when the server marks the command `readonly` (false for unknown commands). */
export function isReadOnly(args: readonly CommandArgument[]): boolean {
  return lookup(args)?.readOnly === true
}

/**
 * The server's error for a wrong number of arguments (`ERR wrong number of arguments for
 * 'get' command`, the same text, so a client can refuse the call before sending it exactly as
 * the server would), or undefined when the count is right. Unknown commands and
 * unknown subcommands give undefined: the server has the last word on those.
 */
export function checkArity(args: readonly CommandArgument[]): string | undefined {
  const entry = lookup(args)
  if (entry === undefined) return undefined
  // A container with an argument after it that is not one of its subcommands.
  if (entry.subcommands !== undefined && args.length >= 2) return undefined
  const arity = entry.arity
  const n = args.length
  if ((arity > 0 && n !== arity) || n < -arity) {
    const message = `wrong number of arguments for '${entry.name}' command`
    // The server words a refused EXEC as an aborted transaction, inside MULTI or not.
    return entry.name === 'exec' ? `EXECABORT Transaction discarded because of: ${message}` : `ERR ${message}`
  }
  return undefined
}

/**
 * Indexes of the key arguments in `args` (the name is index 0), in the order COMMAND GETKEYS
 * gives them; [] for an unknown or keyless command. Never throws, never an index past the end.
 * Pass `out` to reuse an array: it is cleared and returned.
 */
export function keyIndexes(args: readonly CommandArgument[], out: number[] = []): number[] {
  return keysOf(lookup(args), args, out)
}

/**
 * keyIndexes for a command already looked up with commandInfo (saves the second lookup on a
 * path that needs both). `info` must be what commandInfo gave for these `args`.
 */
export function keyIndexesOf(info: CommandInfo, args: readonly CommandArgument[], out: number[] = []): number[] {
  return keysOf(info instanceof Entry ? info : lookup(args), args, out)
}

function keysOf(entry: Entry | undefined, args: readonly CommandArgument[], out: number[]): number[] {
  // Written by index and truncated once at the end: emptying an array with `length = 0` and
  // pushing again costs V8 a new backing store on every call.
  let n = 0
  if (entry !== undefined && entry.keyMode !== KEYS_NONE) {
    // As the server (getKeysFromCommandWithSpecs): the specs first, in order; when one of them
    // cannot say (unknown, or incomplete and matched), the command's own parser if it has one.
    invalid = false
    const specs = entry.keySpecs
    for (let i = 0; i < specs.length; i++) {
      const spec = specs[i]
      if (!spec.notKey) n = specKeys(spec, args, out, n)
    }
    if (invalid && entry.keyMode !== KEYS_SPECS) {
      if (entry.keyMode === KEYS_SORT) n = sortKeys(args, out)
      else if (entry.keyMode === KEYS_SORT_RO) n = args.length > 1 ? ((out[0] = 1), 1) : 0
      else n = migrateKeys(args, out)
    }
  }
  if (out.length !== n) out.length = n
  return out
}

/** The first key's index, or -1: enough to route a single-key command. */
export function firstKeyIndex(args: readonly CommandArgument[]): number {
  const entry = lookup(args)
  if (entry === undefined || entry.keyMode === KEYS_NONE) return -1
  if (entry.keyMode === KEYS_SPECS) {
    const spec = entry.keySpecs[0]
    // The common shape (GET, SET, HSET...): one key at a fixed index.
    if (entry.keySpecs.length === 1 && !spec.notKey && spec.bs === BS_INDEX && spec.fk === FK_RANGE && spec.lastKey === 0) {
      return spec.index < args.length ? spec.index : -1
    }
  }
  const keys = keysOf(entry, args, scratch)
  return keys.length > 0 ? keys[0] : -1
}
const scratch: number[] = []

/** Set by specKeys where the server would call a spec invalid (and use the command's parser). */
let invalid = false

// getKeysUsingKeySpecs, one spec: writes its keys into `out` from `n` and returns the new
// count. Where the server would call the spec invalid, it says so in `invalid`, and the keys
// are those that are there, never past the end.
function specKeys(spec: Spec, args: readonly CommandArgument[], out: number[], n: number): number {
  const argc = args.length
  let first = 0
  if (spec.bs === BS_INDEX) {
    first = spec.index
  } else if (spec.bs === BS_KEYWORD) {
    // Searched up to the second-to-last argument going forwards (a keyword needs a key after
    // it), or down to argument 2 going backwards, as the server does.
    const from = spec.startFrom
    if (from > 0) {
      for (let i = from; i < argc - 1; i++) {
        if (equalsKeyword(args[i], spec.keyword)) { first = i + 1; break }
      }
    } else {
      for (let i = argc + from; i > 1; i--) {
        if (i < argc && equalsKeyword(args[i], spec.keyword)) { first = i + 1; break }
      }
    }
    if (first === 0) return n // keyword absent: no keys from this spec
  } else {
    invalid = true
    return n
  }
  let last: number
  if (first >= argc) last = -1
  else if (spec.fk === FK_RANGE) {
    if (spec.lastKey >= 0) last = first + spec.lastKey
    else if (spec.limit === 0) last = argc + spec.lastKey
    else last = first + Math.floor((argc - first) / spec.limit) + spec.lastKey
  } else if (spec.fk === FK_KEYNUM) {
    const at = first + spec.keyNumIdx
    const count = at < argc ? parseCount(args[at]) : -1
    first += spec.firstKey
    last = count < 0 ? -1 : first + count - 1
  } else {
    last = -1
  }
  if (last >= argc) { last = argc - 1; invalid = true }
  if (last < first) { invalid = true; return n }
  for (let i = first; i <= last; i += spec.keyStep) out[n++] = i
  if (spec.incomplete) invalid = true
  return n
}

// db.c sortGetKeys: the key, then the last STORE's key; LIMIT takes two arguments, GET and BY
// one (their patterns are not keys of this slot's choosing).
function sortKeys(args: readonly CommandArgument[], out: number[]): number {
  const argc = args.length
  if (argc < 2) return 0
  out[0] = 1
  let store = -1
  for (let i = 2; i < argc; i++) {
    const arg = args[i]
    if (equalsKeyword(arg, 'LIMIT')) i += 2
    else if (equalsKeyword(arg, 'GET') || equalsKeyword(arg, 'BY')) i += 1
    else if (i + 1 < argc && equalsKeyword(arg, 'STORE')) store = i + 1
  }
  if (store === -1) return 1
  out[1] = store
  return 2
}

// db.c migrateGetKeys: MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE]
// [AUTH password | AUTH2 username password] [KEYS key...]. With KEYS, the key argument must be
// empty and the keys are the ones after KEYS.
function migrateKeys(args: readonly CommandArgument[], out: number[]): number {
  const argc = args.length
  for (let i = 6; i < argc; i++) {
    const arg = args[i]
    if (equalsKeyword(arg, 'KEYS')) {
      if (!isEmpty(args[3])) return 0 // a syntax error: the server will say so
      let n = 0
      for (let k = i + 1; k < argc; k++) out[n++] = k
      return n
    }
    if (equalsKeyword(arg, 'AUTH')) i += 1
    else if (equalsKeyword(arg, 'AUTH2')) i += 2
  }
  if (argc <= 3) return 0
  out[0] = 3
  return 1
}

function isEmpty(arg: CommandArgument): boolean {
  return (typeof arg === 'string' || arg instanceof Uint8Array) && arg.length === 0
}

/** Case-insensitive ASCII comparison with an upper-case keyword, in place. */
function equalsKeyword(arg: CommandArgument, keyword: string): boolean {
  const n = keyword.length
  if (typeof arg === 'string') {
    if (arg.length !== n) return false
    for (let i = 0; i < n; i++) {
      let c = arg.charCodeAt(i)
      if (c >= 97 && c <= 122) c -= 32
      if (c !== keyword.charCodeAt(i)) return false
    }
    return true
  }
  if (arg instanceof Uint8Array) {
    if (arg.length !== n) return false
    for (let i = 0; i < n; i++) {
      let c = arg[i]
      if (c >= 97 && c <= 122) c -= 32
      if (c !== keyword.charCodeAt(i)) return false
    }
    return true
  }
  return String(arg) === keyword
}

/**
 * A key count as the server finds it: its key specs read the count strictly (string2ll) and,
 * when that fails, its parsers read it with atoi, so `01` or ` 2` still count. Leading spaces,
 * an optional sign, then digits up to the first non-digit; -1 for no digits or a negative count.
 */
function parseCount(arg: CommandArgument): number {
  if (typeof arg === 'number') return Number.isFinite(arg) && arg >= 0 ? Math.floor(arg) : -1
  if (typeof arg === 'bigint') return arg < 0n ? -1 : arg > MAX_COUNT ? Number.MAX_SAFE_INTEGER : Number(arg)
  const text = typeof arg === 'string'
  const n = arg.length
  let i = 0
  let c = 0
  while (i < n && ((c = text ? arg.charCodeAt(i) : arg[i]) === 32 || (c >= 9 && c <= 13))) i++
  let negative = false
  if (i < n && (c === 43 || c === 45)) { negative = c === 45; i++ }
  let value = 0
  const start = i
  for (; i < n; i++) {
    c = text ? arg.charCodeAt(i) : arg[i]
    if (c < 48 || c > 57) break
    // Past any possible number of arguments: no need for more digits.
    if (value < 1e15) value = value * 10 + (c - 48)
  }
  if (i === start) return -1
  return negative && value !== 0 ? -1 : value
}
