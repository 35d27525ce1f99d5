// The client's command methods: every typed definition in commands/ becomes a camelCase method
// and its node-redis UPPERCASE alias; every other command of the generated table becomes a
// generic method (arguments passed through, arity checked against the table before sending).

import type { CommandArgument } from '../resp/index.ts'
import { allCommands, checkArity } from './command-keys.ts'
import type { TableMethod } from './command-table.ts'
import { COMMANDS, COMMAND_ALIASES, type CommandName } from './commands/index.ts'
import type { CommandDefinition } from './commands/define.ts'
import type { CommandOptions } from './options.ts'
import type { Shaper } from './command.ts'

/**
 * What a method does with a built command: a client sends it (and returns the promise), a
 * transaction or pipeline adds it to its list (and returns itself). `fail` handles arguments
 * that could not be built: a rejected promise for a client, a throw for a builder.
 */
export interface MethodSink {
  invoke(self: any, args: CommandArgument[], options: CommandOptions | undefined, shape: Shaper | undefined): unknown
  fail(error: unknown): unknown
}

/**
 * Commands the client must drive itself: sent raw they would desynchronise it (pub/sub and
 * MONITOR change what the connection sends back; HELLO, AUTH, RESET and QUIT change its state
 * behind its back; MULTI/EXEC/WATCH belong to the transaction API).
 */
export const CLIENT_OWNED = new Set([
  'hello', 'auth', 'reset', 'quit', 'monitor', 'sync', 'psync', 'select',
  'subscribe', 'psubscribe', 'ssubscribe', 'unsubscribe', 'punsubscribe', 'sunsubscribe',
  'multi', 'exec', 'discard', 'watch', 'unwatch', 'client|reply', 'client|tracking',
])

type ParamsOf<K extends CommandName> = (typeof COMMANDS)[K] extends CommandDefinition<infer P, any> ? P : never
type ResultOf<K extends CommandName> = (typeof COMMANDS)[K] extends CommandDefinition<any, infer R> ? R : never
type Methods = { [K in CommandName]: (...params: ParamsOf<K>) => Promise<ResultOf<K>> }
type UpperMethods = { [K in CommandName as Uppercase<K>]: Methods[K] }

/** Method names of commands the client drives itself (CLIENT_OWNED), which get no generic method. */
type OwnedMethod = 'hello' | 'auth' | 'reset' | 'quit' | 'monitor' | 'sync' | 'pSync' | 'select' | 'subscribe' | 'pSubscribe' |
  'sSubscribe' | 'unsubscribe' | 'pUnsubscribe' | 'sUnsubscribe' | 'multi' | 'exec' | 'discard' | 'watch' | 'unwatch' |
  'clientReply' | 'clientTracking'
/** Commands of the table without a curated definition: arguments passed through, reply as decoded. */
type GenericName = Exclude<TableMethod, CommandName | OwnedMethod>
type GenericArgument = CommandArgument | readonly CommandArgument[]
type GenericMethods = { [K in GenericName]: (...args: GenericArgument[]) => Promise<unknown> }

/** The command methods a client has: typed camelCase ones, their UPPERCASE aliases, and a generic one for every other command. */
export interface CommandMethods extends Methods, UpperMethods, GenericMethods {}

type Chain<Self> = { [K in CommandName]: (...params: ParamsOf<K>) => Self }
type UpperChain<Self> = { [K in CommandName as Uppercase<K>]: (...params: ParamsOf<K>) => Self }
type GenericChain<Self> = { [K in GenericName]: (...args: GenericArgument[]) => Self }
/** The same methods on a transaction or pipeline builder: each adds its command and returns the builder. */
export type ChainMethods<Self> = Chain<Self> & UpperChain<Self> & GenericChain<Self>

const COMMAND_OPTIONS = Symbol.for('respkit.commandOptions')

/**
 * node-redis v4's spelling for per-call options, as a first argument of a command method:
 * `client.get(commandOptions({ returnBuffers: true }), key)`.
 */
export function commandOptions<T extends CommandOptions & { returnBuffers?: boolean }>(options: T): T {
  return Object.defineProperty({ ...options }, COMMAND_OPTIONS, { value: true }) as T
}

function typedMethod(definition: CommandDefinition, sink: MethodSink): (...params: unknown[]) => unknown {
  const build = definition.args
  const shape = definition.reply as Shaper | undefined
  return function (this: unknown, ...params: unknown[]): unknown {
    let options: CommandOptions | undefined
    const first = params[0]
    if (typeof first === 'object' && first !== null && (first as Record<symbol, unknown>)[COMMAND_OPTIONS] === true) {
      options = optionsOf(first)
      params = params.slice(1)
    }
    let args: CommandArgument[]
    try {
      args = build(...params)
    } catch (err) {
      return sink.fail(err)
    }
    return sink.invoke(this, args, options, shape)
  }
}

function genericMethod(words: readonly string[], display: string, sink: MethodSink): (...params: unknown[]) => unknown {
  return function (this: unknown, ...params: unknown[]): unknown {
    let options: CommandOptions | undefined
    const args: CommandArgument[] = words.slice()
    for (let i = 0; i < params.length; i++) {
      const p = params[i]
      if (i === 0 && typeof p === 'object' && p !== null && (p as Record<symbol, unknown>)[COMMAND_OPTIONS] === true) options = optionsOf(p)
      else if (Array.isArray(p)) for (const x of p) args.push(x)
      else args.push(p as CommandArgument)
    }
    const arity = checkArity(args)
    if (arity !== undefined) return sink.fail(new TypeError(`${display}: ${arity}`))
    return sink.invoke(this, args, options, undefined)
  }
}

const BINARY = Object.freeze({ 36: Uint8Array, 43: Uint8Array, 61: Uint8Array })

function optionsOf(o: object): CommandOptions {
  const options = o as CommandOptions & { returnBuffers?: boolean }
  return options.returnBuffers === true && options.typeMapping === undefined ? { ...options, typeMapping: BINARY } : options
}

/** Puts every command method on a prototype of ours (at load of its module; nothing global). */
export function installMethods(proto: object, sink: MethodSink): void {
  const target = proto as Record<string, unknown>
  for (const name of Object.keys(COMMANDS) as CommandName[]) {
    const method = typedMethod(COMMANDS[name] as CommandDefinition, sink)
    target[name] = method
    target[COMMAND_ALIASES[name]] ??= method
    target[name.toUpperCase()] ??= method
  }
  for (const info of allCommands()) {
    if (info.method === '' || info.method in target || CLIENT_OWNED.has(info.name)) continue
    const words = info.name.split('|').map((w) => w.toUpperCase())
    const method = genericMethod(words, words.join(' '), sink)
    target[info.method] = method
    target[words.join('_')] ??= method
  }
}
