// Definitions for the many commands whose parameters are just a key, a key and one value, or
// a list of keys: one builder each, so the family files only spell what is particular.

import type { CommandArgument } from '../../resp/index.ts'
import { type RedisArgument, type RedisVariadicArgument, pushVariadic, str, val } from './arguments.ts'
import { type CommandDefinition, type ReplyContext, defineCommand } from './define.ts'

type Shaper<R> = ((raw: any, ctx: ReplyContext) => R) | undefined

/** `NAME key`. */
export function keyCommand<R>(name: string, reply?: Shaper<R>): CommandDefinition<[key: RedisArgument], R> {
  return defineCommand({ args: (key: RedisArgument): CommandArgument[] => [name, str(name, 'key', key)], reply })
}

/** `NAME key value` (value may be a number). */
export function keyValueCommand<R>(name: string, valueName: string, reply?: Shaper<R>): CommandDefinition<[key: RedisArgument, value: RedisArgument | number], R> {
  return defineCommand({
    args: (key: RedisArgument, value: RedisArgument | number): CommandArgument[] => [name, str(name, 'key', key), val(name, valueName, value)],
    reply,
  })
}

/** `NAME key [key ...]` (or members, fields...: any variadic list after the name). */
export function variadicCommand<R>(name: string, paramName: string, reply?: Shaper<R>): CommandDefinition<[keys: RedisVariadicArgument], R> {
  return defineCommand({ args: (keys: RedisVariadicArgument): CommandArgument[] => pushVariadic([name], name, paramName, keys), reply })
}

/** `NAME key member [member ...]`. */
export function keyVariadicCommand<R>(name: string, paramName: string, reply?: Shaper<R>): CommandDefinition<[key: RedisArgument, members: RedisVariadicArgument], R> {
  return defineCommand({
    args: (key: RedisArgument, members: RedisVariadicArgument): CommandArgument[] => pushVariadic([name, str(name, 'key', key)], name, paramName, members),
    reply,
  })
}

/** A command with no parameter (`DBSIZE`, `RANDOMKEY`...); `words` is the whole command. */
export function bareCommand<R>(words: readonly string[], reply?: Shaper<R>): CommandDefinition<[], R> {
  return defineCommand({ args: (): CommandArgument[] => words.slice(), reply })
}

/**
 * For a definition whose reply needs no shaping: no shaper at run time (the decoded reply is
 * the result), but the result type `T` for the method's signature.
 */
export function natural<T>(): ((raw: any, ctx: ReplyContext) => T) | undefined {
  return undefined
}
