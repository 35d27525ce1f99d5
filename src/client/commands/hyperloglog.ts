// HyperLogLog commands.

import type { CommandArgument } from '../../resp/index.ts'
import { type RedisArgument, type RedisVariadicArgument, pushValues, pushVariadic, str } from './arguments.ts'
import { defineCommand, type CommandDefinition } from './define.ts'
import { natural, variadicCommand } from './simple.ts'

/** The hyperloglog commands, typed (explicit, so that JSR and other tools need not infer them). */
export type HyperloglogCommands = {
  /** 1 when the estimate changed, else 0. Elements may be left out (creates the key). */
  readonly pfAdd: CommandDefinition<[key: RedisArgument, elements?: RedisVariadicArgument | undefined], number>;
  readonly pfCount: CommandDefinition<[keys: RedisVariadicArgument], number>;
  readonly pfMerge: CommandDefinition<[destination: RedisArgument, sources?: RedisVariadicArgument | undefined], "OK">;
}

export const HYPERLOGLOG_COMMANDS: HyperloglogCommands = {
  /** 1 when the estimate changed, else 0. Elements may be left out (creates the key). */
  pfAdd: defineCommand({
    args: (key: RedisArgument, elements?: RedisVariadicArgument): CommandArgument[] => {
      const out: CommandArgument[] = ['PFADD', str('PFADD', 'key', key)]
      return elements === undefined ? out : pushValues(out, 'PFADD', 'elements', elements)
    },
    reply: natural<number>(),
  }),
  pfCount: variadicCommand<number>('PFCOUNT', 'keys'),
  pfMerge: defineCommand({
    args: (destination: RedisArgument, sources?: RedisVariadicArgument): CommandArgument[] => {
      const out: CommandArgument[] = ['PFMERGE', str('PFMERGE', 'destination', destination)]
      return sources === undefined ? out : pushVariadic(out, 'PFMERGE', 'sources', sources)
    },
    reply: natural<'OK'>(),
  }),
} as const
