// Lua scripts and functions defined once and called by name (node-redis's `scripts` and
// `functions` options and defineScript, ioredis's defineCommand). A script goes out as EVALSHA;
// when the server does not know it (NOSCRIPT: never loaded, or its cache was flushed by a
// restart), the same call goes out once more as EVAL, which also loads it.

import { ReplyError, type CommandArgument } from '../resp/index.ts'
import { sha1Hex } from './sha1.ts'

/** node-redis v5's parser: `parseCommand(parser, ...params)` pushes keys and arguments. */
export interface CommandParser {
  push(...args: CommandArgument[]): void
  pushKey(key: CommandArgument): void
  pushKeys(keys: CommandArgument | readonly CommandArgument[]): void
  pushVariadic(args: CommandArgument | readonly CommandArgument[]): void
}

export interface ScriptConfig {
  /** The Lua source. */
  SCRIPT: string
  /** How many of the arguments are keys (node-redis v4 / transformArguments style and plain calls). */
  NUMBER_OF_KEYS?: number
  /** Sent as EVALSHA_RO / EVAL_RO (or FCALL_RO): allowed on replicas. */
  IS_READ_ONLY?: boolean
  /** node-redis v5: push keys and arguments. */
  parseCommand?(parser: CommandParser, ...params: any[]): void
  /** node-redis v4: the keys (first NUMBER_OF_KEYS) and arguments. */
  transformArguments?(...params: any[]): CommandArgument[]
  transformReply?(reply: any, ...rest: any[]): unknown
}

export type FunctionConfig = Omit<ScriptConfig, 'SCRIPT'>

/** A script with its SHA-1, as `defineScript` returns it. */
export type Script<S extends ScriptConfig = ScriptConfig> = S & { readonly SHA1: string }

export function defineScript<S extends ScriptConfig>(script: S): Script<S> {
  if (script === null || typeof script !== 'object' || typeof script.SCRIPT !== 'string') throw new TypeError('defineScript: give an object with SCRIPT, the Lua source as a string')
  const n = script.NUMBER_OF_KEYS
  if (n !== undefined && (!Number.isInteger(n) || n < 0)) throw new TypeError(`defineScript: NUMBER_OF_KEYS must be an integer, 0 or more (got ${String(n)})`)
  return { ...script, SHA1: sha1Hex(script.SCRIPT) }
}

class Parser implements CommandParser {
  readonly keys: CommandArgument[] = []
  readonly args: CommandArgument[] = []
  push(...args: CommandArgument[]): void {
    this.args.push(...args)
  }
  pushKey(key: CommandArgument): void {
    this.keys.push(key)
  }
  pushKeys(keys: CommandArgument | readonly CommandArgument[]): void {
    if (Array.isArray(keys)) this.keys.push(...keys)
    else this.keys.push(keys as CommandArgument)
  }
  pushVariadic(args: CommandArgument | readonly CommandArgument[]): void {
    if (Array.isArray(args)) this.args.push(...args)
    else this.args.push(args as CommandArgument)
  }
}

/** Keys and arguments of one call, however the definition spells them. */
export function splitParams(config: FunctionConfig, params: unknown[], what: string): { keys: CommandArgument[]; args: CommandArgument[] } {
  if (config.parseCommand !== undefined) {
    const parser = new Parser()
    config.parseCommand(parser, ...params)
    return { keys: parser.keys, args: parser.args }
  }
  const all = config.transformArguments !== undefined ? config.transformArguments(...params) : (params as CommandArgument[])
  const n = config.NUMBER_OF_KEYS ?? 0
  if (all.length < n) throw new TypeError(`${what}: needs ${n} key${n === 1 ? '' : 's'} (NUMBER_OF_KEYS), got ${all.length} argument${all.length === 1 ? '' : 's'}`)
  return { keys: all.slice(0, n), args: all.slice(n) }
}

export type Sender = (args: CommandArgument[]) => Promise<unknown>

/** One call of a script: EVALSHA, and EVAL if the server does not have it. */
export async function callScript(send: Sender, script: Script, params: unknown[], name: string): Promise<unknown> {
  const { keys, args } = splitParams(script, params, name)
  const ro = script.IS_READ_ONLY === true
  const tail = [String(keys.length), ...keys, ...args]
  let reply: unknown
  try {
    reply = await send([ro ? 'EVALSHA_RO' : 'EVALSHA', script.SHA1, ...tail])
  } catch (err) {
    if (!(err instanceof ReplyError) || err.code !== 'NOSCRIPT') throw err
    reply = await send([ro ? 'EVAL_RO' : 'EVAL', script.SCRIPT, ...tail])
  }
  return script.transformReply === undefined ? reply : script.transformReply(reply)
}

/** The command of a script inside a transaction: EVAL (a NOSCRIPT there could not be retried). */
export function scriptInMulti(script: Script, params: unknown[], name: string): CommandArgument[] {
  const { keys, args } = splitParams(script, params, name)
  return [script.IS_READ_ONLY === true ? 'EVAL_RO' : 'EVAL', script.SCRIPT, String(keys.length), ...keys, ...args]
}

/** One call of a function (FUNCTION LOAD'ed by the user): FCALL or FCALL_RO. */
export function functionCommand(fn: string, config: FunctionConfig, params: unknown[]): CommandArgument[] {
  const { keys, args } = splitParams(config, params, fn)
  return [config.IS_READ_ONLY === true ? 'FCALL_RO' : 'FCALL', fn, String(keys.length), ...keys, ...args]
}

/** Checks the `scripts` option: name -> definition. */
export function checkScripts(scripts: unknown): Record<string, Script> {
  if (scripts === undefined) return {}
  if (scripts === null || typeof scripts !== 'object') throw new TypeError('createClient: option `scripts` must be an object of name -> defineScript(...)')
  const out: Record<string, Script> = {}
  for (const [name, s] of Object.entries(scripts)) {
    if (s === null || typeof s !== 'object' || typeof (s as ScriptConfig).SCRIPT !== 'string') throw new TypeError(`createClient: option \`scripts.${name}\` must be defineScript({ SCRIPT, NUMBER_OF_KEYS, ... })`)
    out[name] = typeof (s as Script).SHA1 === 'string' ? (s as Script) : defineScript(s as ScriptConfig)
  }
  return out
}

/** Checks the `functions` option: library -> function name -> definition. */
export function checkFunctions(functions: unknown): Record<string, Record<string, FunctionConfig>> {
  if (functions === undefined) return {}
  if (functions === null || typeof functions !== 'object') throw new TypeError('createClient: option `functions` must be an object of library -> { function -> definition }')
  for (const [lib, fns] of Object.entries(functions)) {
    if (fns === null || typeof fns !== 'object') throw new TypeError(`createClient: option \`functions.${lib}\` must be an object of function name -> { NUMBER_OF_KEYS, ... }`)
  }
  return functions as Record<string, Record<string, FunctionConfig>>
}

type ParamsOf<S> = S extends { parseCommand(parser: CommandParser, ...params: infer P): void } ? P
  : S extends { transformArguments(...params: infer P): CommandArgument[] } ? P
  : CommandArgument[]
type ResultOf<S> = S extends { transformReply(reply: any, ...rest: any[]): infer R } ? R : unknown

/** The methods that a `scripts` option adds to a client: one per script, by its name. */
export type ScriptMethods<S> = S extends Record<string, ScriptConfig> ? { [K in keyof S]: (...params: ParamsOf<S[K]>) => Promise<ResultOf<S[K]>> } : unknown
/** The libraries that a `functions` option adds: `client.library.fn(...)`. */
export type FunctionMethods<F> = F extends Record<string, Record<string, FunctionConfig>>
  ? { [L in keyof F]: { [K in keyof F[L]]: (...params: ParamsOf<F[L][K]>) => Promise<ResultOf<F[L][K]>> } }
  : unknown
