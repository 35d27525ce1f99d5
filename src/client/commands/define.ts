// How a typed command method is described: how its arguments become a command, and how the
// server's reply becomes the value the method resolves with. The client turns every definition
// into a camelCase method and its UPPERCASE alias (node-redis's spelling); commands without a
// curated definition still get a generic method from the generated command table.

import type { CommandArgument } from '../../resp/index.ts'

/** What a reply shaper knows about the reply it shapes. */
export interface ReplyContext {
  /** The protocol the connection speaks: shapers return the same shape under both. */
  readonly resp: 2 | 3
  /** Maps were asked for as `Map` (type mapping) rather than plain objects. */
  readonly mapAsMap: boolean
}

export interface CommandDefinition<Params extends unknown[] = any[], Result = unknown> {
  /**
   * The whole command, name first, from the method's parameters. Throws a TypeError that names
   * the command and the parameter when a parameter has the wrong type; nothing is sent then.
   */
  readonly args: (...params: Params) => CommandArgument[]
  /**
   * The decoded reply (RESP3 natural values: maps as null-prototype objects, or `Map` when
   * `ctx.mapAsMap`; strings as `string` or, when binary replies were asked for, `Uint8Array`)
   * to the value the method resolves with. Absent: the decoded reply as it is.
   * Error replies never reach a shaper.
   */
  readonly reply?: (raw: any, ctx: ReplyContext) => Result
}

/** Gives a definition its types; at run time it returns its argument. */
export function defineCommand<Params extends unknown[], Result = unknown>(
  definition: CommandDefinition<Params, Result>,
): CommandDefinition<Params, Result> {
  return definition
}
