// HyperLogLog commands.

import type { CommandArgument } from '../../resp/index.ts'
import { type RedisArgument, type RedisVariadicArgument, pushValues, pushVariadic, str } from './arguments.ts'
import { defineCommand } from './define.ts'
import { natural, variadicCommand } from './simple.ts'

export const HYPERLOGLOG_COMMANDS = {
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
