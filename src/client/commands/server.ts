// Server and connection commands. SELECT, AUTH, HELLO and QUIT are left to the client, which
// must know about them (they change the connection's state); INFO stays raw text for now.

import type { CommandArgument } from '../../resp/index.ts'
import { type RedisArgument, type RedisVariadicArgument, argumentError, int, oneOf, opts, pushValues, pushVariadic, str, val } from './arguments.ts'
import { type ReplyContext, defineCommand, type CommandDefinition } from './define.ts'
import { type Dict, text, toRecord } from './reply-shapes.ts'
import { bareCommand, natural } from './simple.ts'

export type RedisFlushMode = 'ASYNC' | 'SYNC'

/** CLIENT INFO, parsed as node-redis does (numbers where the server prints numbers). */
export interface ClientInfoReply {
  id: number
  addr: string
  laddr?: string
  fd: number
  name: string
  age: number
  idle: number
  flags: string
  db: number
  sub: number
  psub: number
  ssub?: number
  multi: number
  qbuf: number
  qbufFree: number
  argvMem?: number
  multiMem?: number
  obl: number
  oll: number
  omem: number
  totMem?: number
  events: string
  cmd: string
  user?: string
  redir?: number
  resp?: number
  libName?: string
  libVer?: string
}

const CLIENT_FIELD = /([^\s=]+)=([^\s]*)/g

function parseClientInfo(line: string): ClientInfoReply {
  const map: Record<string, string> = Object.create(null)
  for (const m of line.matchAll(CLIENT_FIELD)) map[m[1]] = m[2]
  const reply: ClientInfoReply = {
    id: Number(map.id),
    addr: map.addr,
    fd: Number(map.fd),
    name: map.name,
    age: Number(map.age),
    idle: Number(map.idle),
    flags: map.flags,
    db: Number(map.db),
    sub: Number(map.sub),
    psub: Number(map.psub),
    multi: Number(map.multi),
    qbuf: Number(map.qbuf),
    qbufFree: Number(map['qbuf-free']),
    argvMem: Number(map['argv-mem']),
    obl: Number(map.obl),
    oll: Number(map.oll),
    omem: Number(map.omem),
    totMem: Number(map['tot-mem']),
    events: map.events,
    cmd: map.cmd,
    user: map.user,
    libName: map['lib-name'],
    libVer: map['lib-ver'],
  }
  if (map.laddr !== undefined) reply.laddr = map.laddr
  if (map.redir !== undefined) reply.redir = Number(map.redir)
  if (map.ssub !== undefined) reply.ssub = Number(map.ssub)
  if (map['multi-mem'] !== undefined) reply.multiMem = Number(map['multi-mem'])
  if (map.resp !== undefined) reply.resp = Number(map.resp)
  return reply
}

function clientListReply(raw: unknown): ClientInfoReply[] {
  const out: ClientInfoReply[] = []
  for (const line of text(raw).split('\n')) if (line.trim() !== '') out.push(parseClientInfo(line))
  return out
}

function flushCommand(name: string) {
  return defineCommand({
    args: (mode?: RedisFlushMode): CommandArgument[] => (mode === undefined ? [name] : [name, oneOf(name, 'mode', mode, ['ASYNC', 'SYNC'])]),
    reply: natural<'OK'>(),
  })
}

/** The server commands, typed (explicit, so that JSR and other tools need not infer them). */
export type ServerCommands = {
  readonly ping: CommandDefinition<[message?: RedisArgument | undefined], string>;
  readonly echo: CommandDefinition<[message: RedisArgument], string>;
  /** The raw INFO text (a verbatim string under RESP3, a bulk string under RESP2: the same text). */
  readonly info: CommandDefinition<[section?: RedisArgument | undefined], string>;
  readonly dbSize: CommandDefinition<[], number>;
  readonly flushAll: CommandDefinition<[mode?: RedisFlushMode | undefined], "OK">;
  readonly flushDb: CommandDefinition<[mode?: RedisFlushMode | undefined], "OK">;
  /** `[unix seconds, microseconds]`, as text. */
  readonly time: CommandDefinition<[], [unixTimestamp: string, microseconds: string]>;
  readonly lastSave: CommandDefinition<[], number>;
  readonly commandCount: CommandDefinition<[], number>;
  readonly configGet: CommandDefinition<[parameters: RedisVariadicArgument], Dict<string>>;
  readonly configSet: CommandDefinition<[parameterOrConfig: Record<string, number | RedisArgument> | RedisArgument, value?: number | RedisArgument | undefined], "OK">;
  readonly configResetStat: CommandDefinition<[], "OK">;
  readonly configRewrite: CommandDefinition<[], "OK">;
  readonly clientId: CommandDefinition<[], number>;
  readonly clientGetName: CommandDefinition<[], string | null>;
  readonly clientSetName: CommandDefinition<[name: RedisArgument], "OK">;
  readonly clientInfo: CommandDefinition<[], ClientInfoReply>;
  readonly clientList: CommandDefinition<[filter?: {
    TYPE: 'NORMAL' | 'MASTER' | 'REPLICA' | 'PUBSUB';
  } | {
    ID: RedisVariadicArgument | number | number[];
  } | undefined], ClientInfoReply[]>;
  readonly memoryUsage: CommandDefinition<[key: RedisArgument, options?: {
    SAMPLES?: number;
  } | undefined], number | null>;
}

export const SERVER_COMMANDS: ServerCommands = {
  ping: defineCommand({
    args: (message?: RedisArgument): CommandArgument[] => (message === undefined ? ['PING'] : ['PING', str('PING', 'message', message)]),
    reply: natural<string>(),
  }),
  echo: defineCommand({ args: (message: RedisArgument): CommandArgument[] => ['ECHO', str('ECHO', 'message', message)], reply: natural<string>() }),
  /** The raw INFO text (a verbatim string under RESP3, a bulk string under RESP2: the same text). */
  info: defineCommand({
    args: (section?: RedisArgument): CommandArgument[] => (section === undefined ? ['INFO'] : ['INFO', str('INFO', 'section', section)]),
    reply: natural<string>(),
  }),
  dbSize: bareCommand<number>(['DBSIZE']),
  flushAll: flushCommand('FLUSHALL'),
  flushDb: flushCommand('FLUSHDB'),
  /** `[unix seconds, microseconds]`, as text. */
  time: bareCommand<[unixTimestamp: string, microseconds: string]>(['TIME']),
  lastSave: bareCommand<number>(['LASTSAVE']),
  commandCount: bareCommand<number>(['COMMAND', 'COUNT']),
  configGet: defineCommand({
    args: (parameters: RedisVariadicArgument): CommandArgument[] => pushVariadic(['CONFIG', 'GET'], 'CONFIG GET', 'parameters', parameters),
    reply: (raw: unknown, ctx: ReplyContext): Dict<string> => toRecord(raw, ctx),
  }),
  configSet: defineCommand({
    args: (parameterOrConfig: RedisArgument | Record<string, RedisArgument | number>, value?: RedisArgument | number): CommandArgument[] => {
      const n = 'CONFIG SET'
      const out: CommandArgument[] = ['CONFIG', 'SET']
      const p = parameterOrConfig as unknown
      if (typeof p === 'string' || p instanceof Uint8Array) {
        out.push(p, val(n, 'value', value))
      } else if (typeof p === 'object' && p !== null && !Array.isArray(p)) {
        for (const key of Object.keys(p)) out.push(key, val(n, `config.${key}`, (p as Record<string, unknown>)[key]))
        if (out.length === 2) throw argumentError(n, 'config', p, 'at least one parameter (an empty object was given)')
      } else {
        throw argumentError(n, 'parameter', p, 'a parameter name or an object of parameters and values')
      }
      return out
    },
    reply: natural<'OK'>(),
  }),
  configResetStat: bareCommand<'OK'>(['CONFIG', 'RESETSTAT']),
  configRewrite: bareCommand<'OK'>(['CONFIG', 'REWRITE']),
  clientId: bareCommand<number>(['CLIENT', 'ID']),
  clientGetName: bareCommand<string | null>(['CLIENT', 'GETNAME']),
  clientSetName: defineCommand({ args: (name: RedisArgument): CommandArgument[] => ['CLIENT', 'SETNAME', str('CLIENT SETNAME', 'name', name)], reply: natural<'OK'>() }),
  clientInfo: defineCommand({ args: (): CommandArgument[] => ['CLIENT', 'INFO'], reply: (raw: unknown) => parseClientInfo(text(raw)) }),
  clientList: defineCommand({
    args: (filter?: { TYPE: 'NORMAL' | 'MASTER' | 'REPLICA' | 'PUBSUB' } | { ID: RedisVariadicArgument | number | number[] }): CommandArgument[] => {
      const out: CommandArgument[] = ['CLIENT', 'LIST']
      const f = opts('CLIENT LIST', 'filter', filter)
      if (f === undefined) return out
      if ('TYPE' in f) out.push('TYPE', oneOf('CLIENT LIST', 'filter.TYPE', f.TYPE, ['NORMAL', 'MASTER', 'REPLICA', 'PUBSUB']))
      else {
        out.push('ID')
        pushValues(out, 'CLIENT LIST', 'filter.ID', f.ID)
      }
      return out
    },
    reply: clientListReply,
  }),
  memoryUsage: defineCommand({
    args: (key: RedisArgument, options?: { SAMPLES?: number }): CommandArgument[] => {
      const out: CommandArgument[] = ['MEMORY', 'USAGE', str('MEMORY USAGE', 'key', key)]
      const o = opts('MEMORY USAGE', 'options', options)
      if (o?.SAMPLES !== undefined) out.push('SAMPLES', int('MEMORY USAGE', 'options.SAMPLES', o.SAMPLES))
      return out
    },
    reply: natural<number | null>(),
  }),
} as const
