// Generic key commands: deletion, expiry, renaming, scanning, serialisation, introspection.

import type { CommandArgument } from '../../resp/index.ts'
import {
  type RedisArgument, type ScanOptions, flag, int, oneOf, opts, pushScanOptions, str, strOrInt, time,
} from './arguments.ts'
import { defineCommand, type CommandDefinition } from './define.ts'
import { text } from './reply-shapes.ts'
import { bareCommand, keyCommand, natural, variadicCommand } from './simple.ts'

export type ExpireMode = 'NX' | 'XX' | 'GT' | 'LT'
const EXPIRE_MODES: readonly ExpireMode[] = ['NX', 'XX', 'GT', 'LT']

function expireCommand(name: string, amount: 'seconds' | 'ms') {
  return defineCommand({
    args: (key: RedisArgument, duration: number, mode?: ExpireMode): CommandArgument[] => {
      const out: CommandArgument[] = [name, str(name, 'key', key), int(name, amount, duration)]
      if (mode !== undefined) out.push(oneOf(name, 'mode', mode, EXPIRE_MODES))
      return out
    },
    reply: natural<number>(),
  })
}

/** `{ cursor, keys }`; the cursor as text whatever the reply mode, ready for the next call. */
function scanReply(raw: [unknown, string[]]): { cursor: string; keys: string[] } {
  return { cursor: text(raw[0]), keys: raw[1] }
}

export interface RestoreOptions {
  REPLACE?: boolean
  ABSTTL?: boolean
  IDLETIME?: number
  FREQ?: number
}

export interface CopyOptions {
  DB?: number
  REPLACE?: boolean
}

/** The key commands, typed (explicit, so that JSR and other tools need not infer them). */
export type KeyCommands = {
  readonly del: CommandDefinition<[keys: import("./arguments.ts").RedisVariadicArgument], number>;
  readonly unlink: CommandDefinition<[keys: import("./arguments.ts").RedisVariadicArgument], number>;
  readonly exists: CommandDefinition<[keys: import("./arguments.ts").RedisVariadicArgument], number>;
  readonly touch: CommandDefinition<[keys: import("./arguments.ts").RedisVariadicArgument], number>;
  readonly expire: CommandDefinition<[key: RedisArgument, duration: number, mode?: ExpireMode | undefined], number>;
  readonly pExpire: CommandDefinition<[key: RedisArgument, duration: number, mode?: ExpireMode | undefined], number>;
  readonly expireAt: CommandDefinition<[key: RedisArgument, timestamp: number | Date, mode?: ExpireMode | undefined], number>;
  readonly pExpireAt: CommandDefinition<[key: RedisArgument, timestamp: number | Date, mode?: ExpireMode | undefined], number>;
  readonly expireTime: CommandDefinition<[key: RedisArgument], number>;
  readonly pExpireTime: CommandDefinition<[key: RedisArgument], number>;
  readonly ttl: CommandDefinition<[key: RedisArgument], number>;
  readonly pTTL: CommandDefinition<[key: RedisArgument], number>;
  readonly persist: CommandDefinition<[key: RedisArgument], number>;
  readonly type: CommandDefinition<[key: RedisArgument], string>;
  readonly rename: CommandDefinition<[key: RedisArgument, newKey: RedisArgument], "OK">;
  readonly renameNX: CommandDefinition<[key: RedisArgument, newKey: RedisArgument], number>;
  readonly copy: CommandDefinition<[source: RedisArgument, destination: RedisArgument, options?: CopyOptions | undefined], number>;
  readonly move: CommandDefinition<[key: RedisArgument, db: number], number>;
  readonly keys: CommandDefinition<[pattern: RedisArgument], string[]>;
  readonly scan: CommandDefinition<[cursor: number | RedisArgument, options?: ScanOptions | undefined], {
    cursor: string;
    keys: string[];
  }>;
  readonly randomKey: CommandDefinition<[], string | null>;
  /** The serialized value: ask for binary replies to get bytes `restore` accepts. */
  readonly dump: CommandDefinition<[key: RedisArgument], string | null>;
  readonly restore: CommandDefinition<[key: RedisArgument, ttl: number, serializedValue: RedisArgument, options?: RestoreOptions | undefined], "OK">;
  readonly objectEncoding: CommandDefinition<[key: RedisArgument], string | null>;
  readonly objectFreq: CommandDefinition<[key: RedisArgument], number | null>;
  readonly objectIdleTime: CommandDefinition<[key: RedisArgument], number | null>;
  readonly objectRefCount: CommandDefinition<[key: RedisArgument], number | null>;
}

export const KEY_COMMANDS: KeyCommands = {
  del: variadicCommand<number>('DEL', 'keys'),
  unlink: variadicCommand<number>('UNLINK', 'keys'),
  exists: variadicCommand<number>('EXISTS', 'keys'),
  touch: variadicCommand<number>('TOUCH', 'keys'),
  expire: expireCommand('EXPIRE', 'seconds'),
  pExpire: expireCommand('PEXPIRE', 'ms'),
  expireAt: defineCommand({
    args: (key: RedisArgument, timestamp: number | Date, mode?: ExpireMode): CommandArgument[] => {
      const out: CommandArgument[] = ['EXPIREAT', str('EXPIREAT', 'key', key), time('EXPIREAT', 'timestamp', timestamp, 1000)]
      if (mode !== undefined) out.push(oneOf('EXPIREAT', 'mode', mode, EXPIRE_MODES))
      return out
    },
    reply: natural<number>(),
  }),
  pExpireAt: defineCommand({
    args: (key: RedisArgument, timestamp: number | Date, mode?: ExpireMode): CommandArgument[] => {
      const out: CommandArgument[] = ['PEXPIREAT', str('PEXPIREAT', 'key', key), time('PEXPIREAT', 'timestamp', timestamp, 1)]
      if (mode !== undefined) out.push(oneOf('PEXPIREAT', 'mode', mode, EXPIRE_MODES))
      return out
    },
    reply: natural<number>(),
  }),
  expireTime: keyCommand<number>('EXPIRETIME'),
  pExpireTime: keyCommand<number>('PEXPIRETIME'),
  ttl: keyCommand<number>('TTL'),
  pTTL: keyCommand<number>('PTTL'),
  persist: keyCommand<number>('PERSIST'),
  type: keyCommand<string>('TYPE'),
  rename: defineCommand({
    args: (key: RedisArgument, newKey: RedisArgument): CommandArgument[] => ['RENAME', str('RENAME', 'key', key), str('RENAME', 'newKey', newKey)],
    reply: natural<'OK'>(),
  }),
  renameNX: defineCommand({
    args: (key: RedisArgument, newKey: RedisArgument): CommandArgument[] => ['RENAMENX', str('RENAMENX', 'key', key), str('RENAMENX', 'newKey', newKey)],
    reply: natural<number>(),
  }),
  copy: defineCommand({
    args: (source: RedisArgument, destination: RedisArgument, options?: CopyOptions): CommandArgument[] => {
      const out: CommandArgument[] = ['COPY', str('COPY', 'source', source), str('COPY', 'destination', destination)]
      const o = opts('COPY', 'options', options)
      if (o?.DB !== undefined) out.push('DB', int('COPY', 'options.DB', o.DB))
      if (flag('COPY', 'options.REPLACE', o?.REPLACE)) out.push('REPLACE')
      return out
    },
    reply: natural<number>(),
  }),
  move: defineCommand({
    args: (key: RedisArgument, db: number): CommandArgument[] => ['MOVE', str('MOVE', 'key', key), int('MOVE', 'db', db)],
    reply: natural<number>(),
  }),
  keys: defineCommand({ args: (pattern: RedisArgument): CommandArgument[] => ['KEYS', str('KEYS', 'pattern', pattern)], reply: natural<string[]>() }),
  scan: defineCommand({
    args: (cursor: RedisArgument | number, options?: ScanOptions): CommandArgument[] =>
      pushScanOptions(['SCAN', strOrInt('SCAN', 'cursor', cursor)], 'SCAN', options, true),
    reply: scanReply,
  }),
  randomKey: bareCommand<string | null>(['RANDOMKEY']),
  /** The serialized value: ask for binary replies to get bytes `restore` accepts. */
  dump: keyCommand<string | null>('DUMP'),
  restore: defineCommand({
    args: (key: RedisArgument, ttl: number, serializedValue: RedisArgument, options?: RestoreOptions): CommandArgument[] => {
      const out: CommandArgument[] = ['RESTORE', str('RESTORE', 'key', key), int('RESTORE', 'ttl', ttl), str('RESTORE', 'serializedValue', serializedValue)]
      const o = opts('RESTORE', 'options', options)
      if (flag('RESTORE', 'options.REPLACE', o?.REPLACE)) out.push('REPLACE')
      if (flag('RESTORE', 'options.ABSTTL', o?.ABSTTL)) out.push('ABSTTL')
      if (o?.IDLETIME !== undefined) out.push('IDLETIME', int('RESTORE', 'options.IDLETIME', o.IDLETIME))
      if (o?.FREQ !== undefined) out.push('FREQ', int('RESTORE', 'options.FREQ', o.FREQ))
      return out
    },
    reply: natural<'OK'>(),
  }),
  objectEncoding: defineCommand({ args: (key: RedisArgument): CommandArgument[] => ['OBJECT', 'ENCODING', str('OBJECT ENCODING', 'key', key)], reply: natural<string | null>() }),
  objectFreq: defineCommand({ args: (key: RedisArgument): CommandArgument[] => ['OBJECT', 'FREQ', str('OBJECT FREQ', 'key', key)], reply: natural<number | null>() }),
  objectIdleTime: defineCommand({ args: (key: RedisArgument): CommandArgument[] => ['OBJECT', 'IDLETIME', str('OBJECT IDLETIME', 'key', key)], reply: natural<number | null>() }),
  objectRefCount: defineCommand({ args: (key: RedisArgument): CommandArgument[] => ['OBJECT', 'REFCOUNT', str('OBJECT REFCOUNT', 'key', key)], reply: natural<number | null>() }),
} as const
