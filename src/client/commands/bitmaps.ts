// Bitmap commands, BITFIELD's operation list included.

import type { CommandArgument } from '../../resp/index.ts'
import { type RedisArgument, type RedisVariadicArgument, argumentError, int, oneOf, opts, pushVariadic, str, strOrInt } from './arguments.ts'
import { defineCommand, type CommandDefinition } from './define.ts'
import { natural } from './simple.ts'

export type BitValue = 0 | 1
export type BitFieldEncoding = `${'i' | 'u'}${number}`
export type BitFieldOperation =
  | { operation: 'GET'; encoding: BitFieldEncoding; offset: number | string }
  | { operation: 'SET'; encoding: BitFieldEncoding; offset: number | string; value: number }
  | { operation: 'INCRBY'; encoding: BitFieldEncoding; offset: number | string; increment: number }
  | { operation: 'OVERFLOW'; behavior: 'WRAP' | 'SAT' | 'FAIL' }

const MODES = ['BYTE', 'BIT'] as const

function bit(command: string, name: string, value: unknown): BitValue {
  if (value === 0 || value === 1) return value
  throw argumentError(command, name, value, '0 or 1')
}

function bitfieldArgs(name: string, key: RedisArgument, operations: readonly BitFieldOperation[], readOnly: boolean): CommandArgument[] {
  const out: CommandArgument[] = [name, str(name, 'key', key)]
  if (!Array.isArray(operations)) throw argumentError(name, 'operations', operations, 'an array of operations')
  for (let i = 0; i < operations.length; i++) {
    const at = `operations[${i}]`
    const op = opts(name, at, operations[i] as BitFieldOperation)!
    const kind = readOnly ? 'GET' : oneOf(name, `${at}.operation`, op.operation, ['GET', 'SET', 'INCRBY', 'OVERFLOW'])
    if (op.operation === 'OVERFLOW') {
      out.push('OVERFLOW', oneOf(name, `${at}.behavior`, op.behavior, ['WRAP', 'SAT', 'FAIL']))
      continue
    }
    out.push(kind, str(name, `${at}.encoding`, op.encoding), strOrInt(name, `${at}.offset`, op.offset))
    if (op.operation === 'SET') out.push(int(name, `${at}.value`, op.value))
    else if (op.operation === 'INCRBY') out.push(int(name, `${at}.increment`, op.increment))
  }
  return out
}

/** The bitmap commands, typed (explicit, so that JSR and other tools need not infer them). */
export type BitmapCommands = {
  readonly setBit: CommandDefinition<[key: RedisArgument, offset: number, value: BitValue], BitValue>;
  readonly getBit: CommandDefinition<[key: RedisArgument, offset: number], BitValue>;
  readonly bitCount: CommandDefinition<[key: RedisArgument, range?: {
    start: number;
    end: number;
    mode?: 'BYTE' | 'BIT';
  } | undefined], number>;
  readonly bitPos: CommandDefinition<[key: RedisArgument, bitValue: BitValue, start?: number | undefined, end?: number | undefined, mode?: "BIT" | "BYTE" | undefined], number>;
  readonly bitOp: CommandDefinition<[operation: "AND" | "NOT" | "OR" | "XOR", destKey: RedisArgument, keys: RedisVariadicArgument], number>;
  readonly bitField: CommandDefinition<[key: RedisArgument, operations: readonly BitFieldOperation[]], (number | null)[]>;
  readonly bitFieldRo: CommandDefinition<[key: RedisArgument, operations: readonly {
    encoding: BitFieldEncoding;
    offset: number | string;
  }[]], number[]>;
}

export const BITMAP_COMMANDS: BitmapCommands = {
  setBit: defineCommand({
    args: (key: RedisArgument, offset: number, value: BitValue): CommandArgument[] =>
      ['SETBIT', str('SETBIT', 'key', key), int('SETBIT', 'offset', offset), bit('SETBIT', 'value', value)],
    reply: natural<BitValue>(),
  }),
  getBit: defineCommand({
    args: (key: RedisArgument, offset: number): CommandArgument[] => ['GETBIT', str('GETBIT', 'key', key), int('GETBIT', 'offset', offset)],
    reply: natural<BitValue>(),
  }),
  bitCount: defineCommand({
    args: (key: RedisArgument, range?: { start: number; end: number; mode?: 'BYTE' | 'BIT' }): CommandArgument[] => {
      const out: CommandArgument[] = ['BITCOUNT', str('BITCOUNT', 'key', key)]
      const r = opts('BITCOUNT', 'range', range)
      if (r !== undefined) {
        out.push(int('BITCOUNT', 'range.start', r.start), int('BITCOUNT', 'range.end', r.end))
        if (r.mode !== undefined) out.push(oneOf('BITCOUNT', 'range.mode', r.mode, MODES))
      }
      return out
    },
    reply: natural<number>(),
  }),
  bitPos: defineCommand({
    args: (key: RedisArgument, bitValue: BitValue, start?: number, end?: number, mode?: 'BYTE' | 'BIT'): CommandArgument[] => {
      const out: CommandArgument[] = ['BITPOS', str('BITPOS', 'key', key), bit('BITPOS', 'bit', bitValue)]
      if (start !== undefined) out.push(int('BITPOS', 'start', start))
      if (end !== undefined) out.push(int('BITPOS', 'end', end))
      if (mode !== undefined) out.push(oneOf('BITPOS', 'mode', mode, MODES))
      return out
    },
    reply: natural<number>(),
  }),
  bitOp: defineCommand({
    args: (operation: 'AND' | 'OR' | 'XOR' | 'NOT', destKey: RedisArgument, keys: RedisVariadicArgument): CommandArgument[] =>
      pushVariadic(['BITOP', oneOf('BITOP', 'operation', operation, ['AND', 'OR', 'XOR', 'NOT']), str('BITOP', 'destKey', destKey)], 'BITOP', 'keys', keys),
    reply: natural<number>(),
  }),
  bitField: defineCommand({
    args: (key: RedisArgument, operations: readonly BitFieldOperation[]): CommandArgument[] => bitfieldArgs('BITFIELD', key, operations, false),
    reply: natural<Array<number | null>>(),
  }),
  bitFieldRo: defineCommand({
    args: (key: RedisArgument, operations: ReadonlyArray<{ encoding: BitFieldEncoding; offset: number | string }>): CommandArgument[] =>
      bitfieldArgs('BITFIELD_RO', key, operations as readonly BitFieldOperation[], true),
    reply: natural<number[]>(),
  }),
} as const
