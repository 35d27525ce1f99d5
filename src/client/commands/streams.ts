// Stream commands. Entries are `{ id, message }` with the message as an object (a Map when
// maps were asked for as `Map`); XREAD and XREADGROUP give node-redis's `[{ name, messages }]`
// whether the server sent RESP2's nested arrays or RESP3's map.

import type { CommandArgument } from '../../resp/index.ts'
import {
  type RedisArgument, type RedisVariadicArgument, argumentError, flag, int, oneOf, opts, pushVariadic, str, strOrInt, time, val,
} from './arguments.ts'
import { type ReplyContext, defineCommand, type CommandDefinition } from './define.ts'
import { type Dict, type StreamMessage, toNumber, toRecord, toStreamMessage, toStreamMessages, toStreamsMessages } from './reply-shapes.ts'
import { keyCommand, natural } from './simple.ts'

export type { StreamMessage }

export interface XAddOptions {
  TRIM?: {
    strategy?: 'MAXLEN' | 'MINID'
    strategyModifier?: '=' | '~'
    threshold: number | string
    limit?: number
  }
}

export interface XReadStream {
  key: RedisArgument
  id: RedisArgument
}
export type XReadStreams = XReadStream | readonly XReadStream[]

export interface XReadOptions {
  COUNT?: number
  BLOCK?: number
}

export interface XReadGroupOptions extends XReadOptions {
  NOACK?: boolean
}

export interface XClaimOptions {
  IDLE?: number
  TIME?: number | Date
  RETRYCOUNT?: number
  FORCE?: boolean
  LASTID?: RedisArgument
}

function xaddArgs(name: string, noMkStream: boolean, key: RedisArgument, id: RedisArgument, message: Record<string, RedisArgument | number>, options: XAddOptions | undefined): CommandArgument[] {
  const out: CommandArgument[] = ['XADD', str(name, 'key', key)]
  if (noMkStream) out.push('NOMKSTREAM')
  const trim = opts(name, 'options', options)?.TRIM
  if (trim !== undefined) {
    const t = opts(name, 'options.TRIM', trim)!
    if (t.strategy !== undefined) out.push(oneOf(name, 'options.TRIM.strategy', t.strategy, ['MAXLEN', 'MINID']))
    if (t.strategyModifier !== undefined) out.push(oneOf(name, 'options.TRIM.strategyModifier', t.strategyModifier, ['=', '~']))
    out.push(strOrInt(name, 'options.TRIM.threshold', t.threshold))
    if (t.limit !== undefined) out.push('LIMIT', int(name, 'options.TRIM.limit', t.limit))
  }
  out.push(str(name, 'id', id))
  if (typeof message !== 'object' || message === null || Array.isArray(message)) throw argumentError(name, 'message', message, 'an object of fields and values')
  const before = out.length
  for (const field of Object.keys(message)) out.push(field, val(name, `message.${field}`, message[field]))
  if (out.length === before) throw argumentError(name, 'message', message, 'at least one field (an empty object was given)')
  return out
}

function pushStreams(out: CommandArgument[], name: string, streams: XReadStreams): CommandArgument[] {
  const list = (Array.isArray(streams) ? streams : [streams]) as readonly unknown[]
  if (list.length === 0) throw argumentError(name, 'streams', streams, 'a { key, id } or a non-empty array of them')
  out.push('STREAMS')
  const ids: CommandArgument[] = []
  for (let i = 0; i < list.length; i++) {
    const s = list[i] as XReadStream | null
    const at = Array.isArray(streams) ? `streams[${i}]` : 'streams'
    if (typeof s !== 'object' || s === null) throw argumentError(name, at, s, 'a { key, id } object')
    out.push(str(name, `${at}.key`, s.key))
    ids.push(str(name, `${at}.id`, s.id))
  }
  for (const id of ids) out.push(id)
  return out
}

function pushReadOptions(out: CommandArgument[], name: string, o: XReadGroupOptions | undefined): void {
  if (o?.COUNT !== undefined) out.push('COUNT', int(name, 'options.COUNT', o.COUNT))
  if (o?.BLOCK !== undefined) out.push('BLOCK', int(name, 'options.BLOCK', o.BLOCK))
  if (flag(name, 'options.NOACK', o?.NOACK)) out.push('NOACK')
}

function xrangeCommand(name: string) {
  return defineCommand({
    args: (key: RedisArgument, start: RedisArgument, end: RedisArgument, options?: { COUNT?: number }): CommandArgument[] => {
      const out: CommandArgument[] = [name, str(name, 'key', key), str(name, 'start', start), str(name, 'end', end)]
      const o = opts(name, 'options', options)
      if (o?.COUNT !== undefined) out.push('COUNT', int(name, 'options.COUNT', o.COUNT))
      return out
    },
    reply: (raw: unknown[], ctx: ReplyContext): StreamMessage[] => toStreamMessages(raw, ctx),
  })
}

function xclaimArgs(key: RedisArgument, group: RedisArgument, consumer: RedisArgument, minIdleTime: number, ids: RedisVariadicArgument, options: XClaimOptions | undefined, justId: boolean): CommandArgument[] {
  const n = 'XCLAIM'
  const out = pushVariadic([n, str(n, 'key', key), str(n, 'group', group), str(n, 'consumer', consumer), int(n, 'minIdleTime', minIdleTime)], n, 'ids', ids)
  const o = opts(n, 'options', options)
  if (o?.IDLE !== undefined) out.push('IDLE', int(n, 'options.IDLE', o.IDLE))
  if (o?.TIME !== undefined) out.push('TIME', time(n, 'options.TIME', o.TIME, 1))
  if (o?.RETRYCOUNT !== undefined) out.push('RETRYCOUNT', int(n, 'options.RETRYCOUNT', o.RETRYCOUNT))
  if (flag(n, 'options.FORCE', o?.FORCE)) out.push('FORCE')
  if (o?.LASTID !== undefined) out.push('LASTID', str(n, 'options.LASTID', o.LASTID))
  if (justId) out.push('JUSTID')
  return out
}

function xautoclaimArgs(key: RedisArgument, group: RedisArgument, consumer: RedisArgument, minIdleTime: number, start: RedisArgument, options: { COUNT?: number } | undefined, justId: boolean): CommandArgument[] {
  const n = 'XAUTOCLAIM'
  const out: CommandArgument[] = [n, str(n, 'key', key), str(n, 'group', group), str(n, 'consumer', consumer), int(n, 'minIdleTime', minIdleTime), str(n, 'start', start)]
  const o = opts(n, 'options', options)
  if (o?.COUNT !== undefined) out.push('COUNT', int(n, 'options.COUNT', o.COUNT))
  if (justId) out.push('JUSTID')
  return out
}

function xpendingReply(raw: [number, string | null, string | null, unknown[][] | null]) {
  const consumers = raw[3]
  return {
    pending: raw[0],
    firstId: raw[1],
    lastId: raw[2],
    consumers: consumers === null ? null : consumers.map((c) => ({ name: c[0] as string, deliveriesCounter: toNumber(c[1]) })),
  }
}

function xpendingRangeReply(raw: unknown[][]) {
  return raw.map((p) => ({
    id: p[0] as string,
    consumer: p[1] as string,
    millisecondsSinceLastDelivery: p[2] as number,
    deliveriesCounter: p[3] as number,
  }))
}

/** XINFO STREAM: a record; `first-entry` and `last-entry` as `{ id, message }`. */
function xinfoStreamReply(raw: unknown, ctx: ReplyContext): Dict<unknown> {
  return toRecord(raw, ctx, (value, key) =>
    key === 'first-entry' || key === 'last-entry' ? toStreamMessage(value, ctx) : value)
}

function recordsReply(raw: unknown[], ctx: ReplyContext): Array<Dict<unknown>> {
  return raw.map((r) => toRecord(r, ctx))
}

/** The stream commands, typed (explicit, so that JSR and other tools need not infer them). */
export type StreamCommands = {
  readonly xAdd: CommandDefinition<[key: RedisArgument, id: RedisArgument, message: Record<string, number | RedisArgument>, options?: XAddOptions | undefined], string>;
  /** XADD ... NOMKSTREAM: null when the stream does not exist. */
  readonly xAddNoMkStream: CommandDefinition<[key: RedisArgument, id: RedisArgument, message: Record<string, number | RedisArgument>, options?: XAddOptions | undefined], string | null>;
  readonly xLen: CommandDefinition<[key: RedisArgument], number>;
  readonly xRange: CommandDefinition<[key: RedisArgument, start: RedisArgument, end: RedisArgument, options?: {
    COUNT?: number;
  } | undefined], StreamMessage[]>;
  readonly xRevRange: CommandDefinition<[key: RedisArgument, start: RedisArgument, end: RedisArgument, options?: {
    COUNT?: number;
  } | undefined], StreamMessage[]>;
  readonly xRead: CommandDefinition<[streams: XReadStreams, options?: XReadOptions | undefined], {
    name: string;
    messages: StreamMessage[];
  }[] | null>;
  readonly xReadGroup: CommandDefinition<[group: RedisArgument, consumer: RedisArgument, streams: XReadStreams, options?: XReadGroupOptions | undefined], {
    name: string;
    messages: StreamMessage[];
  }[] | null>;
  readonly xGroupCreate: CommandDefinition<[key: RedisArgument, group: RedisArgument, id: RedisArgument, options?: {
    MKSTREAM?: boolean;
    ENTRIESREAD?: number;
  } | undefined], "OK">;
  readonly xGroupCreateConsumer: CommandDefinition<[key: RedisArgument, group: RedisArgument, consumer: RedisArgument], number>;
  readonly xGroupDelConsumer: CommandDefinition<[key: RedisArgument, group: RedisArgument, consumer: RedisArgument], number>;
  readonly xGroupDestroy: CommandDefinition<[key: RedisArgument, group: RedisArgument], number>;
  readonly xGroupSetId: CommandDefinition<[key: RedisArgument, group: RedisArgument, id: RedisArgument, options?: {
    ENTRIESREAD?: number;
  } | undefined], "OK">;
  readonly xAck: CommandDefinition<[key: RedisArgument, group: RedisArgument, ids: RedisVariadicArgument], number>;
  readonly xDel: CommandDefinition<[key: RedisArgument, ids: RedisVariadicArgument], number>;
  readonly xTrim: CommandDefinition<[key: RedisArgument, strategy: "MAXLEN" | "MINID", threshold: string | number, options?: {
    strategyModifier?: '=' | '~';
    LIMIT?: number;
  } | undefined], number>;
  readonly xPending: CommandDefinition<[key: RedisArgument, group: RedisArgument], {
    pending: number;
    firstId: string | null;
    lastId: string | null;
    consumers: {
      name: string;
      deliveriesCounter: number;
    }[] | null;
  }>;
  readonly xPendingRange: CommandDefinition<[key: RedisArgument, group: RedisArgument, start: RedisArgument, end: RedisArgument, count: number, options?: {
    IDLE?: number;
    consumer?: RedisArgument;
  } | undefined], {
    id: string;
    consumer: string;
    millisecondsSinceLastDelivery: number;
    deliveriesCounter: number;
  }[]>;
  readonly xClaim: CommandDefinition<[key: RedisArgument, group: RedisArgument, consumer: RedisArgument, minIdleTime: number, ids: RedisVariadicArgument, options?: XClaimOptions | undefined], (StreamMessage | null)[]>;
  readonly xClaimJustId: CommandDefinition<[key: RedisArgument, group: RedisArgument, consumer: RedisArgument, minIdleTime: number, ids: RedisVariadicArgument, options?: XClaimOptions | undefined], string[]>;
  readonly xAutoClaim: CommandDefinition<[key: RedisArgument, group: RedisArgument, consumer: RedisArgument, minIdleTime: number, start: RedisArgument, options?: {
    COUNT?: number;
  } | undefined], {
    nextId: string;
    messages: (StreamMessage | null)[];
    deletedMessages: string[];
  }>;
  readonly xAutoClaimJustId: CommandDefinition<[key: RedisArgument, group: RedisArgument, consumer: RedisArgument, minIdleTime: number, start: RedisArgument, options?: {
    COUNT?: number;
  } | undefined], {
    nextId: string;
    messages: string[];
    deletedMessages: string[];
  }>;
  readonly xInfoStream: CommandDefinition<[key: RedisArgument], Dict<unknown>>;
  readonly xInfoGroups: CommandDefinition<[key: RedisArgument], Dict<unknown>[]>;
  readonly xInfoConsumers: CommandDefinition<[key: RedisArgument, group: RedisArgument], Dict<unknown>[]>;
}

export const STREAM_COMMANDS: StreamCommands = {
  xAdd: defineCommand({
    args: (key: RedisArgument, id: RedisArgument, message: Record<string, RedisArgument | number>, options?: XAddOptions): CommandArgument[] =>
      xaddArgs('XADD', false, key, id, message, options),
    reply: natural<string>(),
  }),
  /** XADD ... NOMKSTREAM: null when the stream does not exist. */
  xAddNoMkStream: defineCommand({
    args: (key: RedisArgument, id: RedisArgument, message: Record<string, RedisArgument | number>, options?: XAddOptions): CommandArgument[] =>
      xaddArgs('XADD', true, key, id, message, options),
    reply: natural<string | null>(),
  }),
  xLen: keyCommand<number>('XLEN'),
  xRange: xrangeCommand('XRANGE'),
  xRevRange: xrangeCommand('XREVRANGE'),
  xRead: defineCommand({
    args: (streams: XReadStreams, options?: XReadOptions): CommandArgument[] => {
      const out: CommandArgument[] = ['XREAD']
      pushReadOptions(out, 'XREAD', opts('XREAD', 'options', options))
      return pushStreams(out, 'XREAD', streams)
    },
    reply: toStreamsMessages,
  }),
  xReadGroup: defineCommand({
    args: (group: RedisArgument, consumer: RedisArgument, streams: XReadStreams, options?: XReadGroupOptions): CommandArgument[] => {
      const out: CommandArgument[] = ['XREADGROUP', 'GROUP', str('XREADGROUP', 'group', group), str('XREADGROUP', 'consumer', consumer)]
      pushReadOptions(out, 'XREADGROUP', opts('XREADGROUP', 'options', options))
      return pushStreams(out, 'XREADGROUP', streams)
    },
    reply: toStreamsMessages,
  }),
  xGroupCreate: defineCommand({
    args: (key: RedisArgument, group: RedisArgument, id: RedisArgument, options?: { MKSTREAM?: boolean; ENTRIESREAD?: number }): CommandArgument[] => {
      const n = 'XGROUP CREATE'
      const out: CommandArgument[] = ['XGROUP', 'CREATE', str(n, 'key', key), str(n, 'group', group), str(n, 'id', id)]
      const o = opts(n, 'options', options)
      if (flag(n, 'options.MKSTREAM', o?.MKSTREAM)) out.push('MKSTREAM')
      if (o?.ENTRIESREAD !== undefined) out.push('ENTRIESREAD', int(n, 'options.ENTRIESREAD', o.ENTRIESREAD))
      return out
    },
    reply: natural<'OK'>(),
  }),
  xGroupCreateConsumer: defineCommand({
    args: (key: RedisArgument, group: RedisArgument, consumer: RedisArgument): CommandArgument[] =>
      ['XGROUP', 'CREATECONSUMER', str('XGROUP CREATECONSUMER', 'key', key), str('XGROUP CREATECONSUMER', 'group', group), str('XGROUP CREATECONSUMER', 'consumer', consumer)],
    reply: natural<number>(),
  }),
  xGroupDelConsumer: defineCommand({
    args: (key: RedisArgument, group: RedisArgument, consumer: RedisArgument): CommandArgument[] =>
      ['XGROUP', 'DELCONSUMER', str('XGROUP DELCONSUMER', 'key', key), str('XGROUP DELCONSUMER', 'group', group), str('XGROUP DELCONSUMER', 'consumer', consumer)],
    reply: natural<number>(),
  }),
  xGroupDestroy: defineCommand({
    args: (key: RedisArgument, group: RedisArgument): CommandArgument[] => ['XGROUP', 'DESTROY', str('XGROUP DESTROY', 'key', key), str('XGROUP DESTROY', 'group', group)],
    reply: natural<number>(),
  }),
  xGroupSetId: defineCommand({
    args: (key: RedisArgument, group: RedisArgument, id: RedisArgument, options?: { ENTRIESREAD?: number }): CommandArgument[] => {
      const n = 'XGROUP SETID'
      const out: CommandArgument[] = ['XGROUP', 'SETID', str(n, 'key', key), str(n, 'group', group), str(n, 'id', id)]
      const o = opts(n, 'options', options)
      if (o?.ENTRIESREAD !== undefined) out.push('ENTRIESREAD', int(n, 'options.ENTRIESREAD', o.ENTRIESREAD))
      return out
    },
    reply: natural<'OK'>(),
  }),
  xAck: defineCommand({
    args: (key: RedisArgument, group: RedisArgument, ids: RedisVariadicArgument): CommandArgument[] =>
      pushVariadic(['XACK', str('XACK', 'key', key), str('XACK', 'group', group)], 'XACK', 'ids', ids),
    reply: natural<number>(),
  }),
  xDel: defineCommand({
    args: (key: RedisArgument, ids: RedisVariadicArgument): CommandArgument[] => pushVariadic(['XDEL', str('XDEL', 'key', key)], 'XDEL', 'ids', ids),
    reply: natural<number>(),
  }),
  xTrim: defineCommand({
    args: (key: RedisArgument, strategy: 'MAXLEN' | 'MINID', threshold: number | string, options?: { strategyModifier?: '=' | '~'; LIMIT?: number }): CommandArgument[] => {
      const out: CommandArgument[] = ['XTRIM', str('XTRIM', 'key', key), oneOf('XTRIM', 'strategy', strategy, ['MAXLEN', 'MINID'])]
      const o = opts('XTRIM', 'options', options)
      if (o?.strategyModifier !== undefined) out.push(oneOf('XTRIM', 'options.strategyModifier', o.strategyModifier, ['=', '~']))
      out.push(strOrInt('XTRIM', 'threshold', threshold))
      if (o?.LIMIT !== undefined) out.push('LIMIT', int('XTRIM', 'options.LIMIT', o.LIMIT))
      return out
    },
    reply: natural<number>(),
  }),
  xPending: defineCommand({
    args: (key: RedisArgument, group: RedisArgument): CommandArgument[] => ['XPENDING', str('XPENDING', 'key', key), str('XPENDING', 'group', group)],
    reply: xpendingReply,
  }),
  xPendingRange: defineCommand({
    args: (key: RedisArgument, group: RedisArgument, start: RedisArgument, end: RedisArgument, count: number, options?: { IDLE?: number; consumer?: RedisArgument }): CommandArgument[] => {
      const n = 'XPENDING'
      const out: CommandArgument[] = [n, str(n, 'key', key), str(n, 'group', group)]
      const o = opts(n, 'options', options)
      if (o?.IDLE !== undefined) out.push('IDLE', int(n, 'options.IDLE', o.IDLE))
      out.push(str(n, 'start', start), str(n, 'end', end), int(n, 'count', count))
      if (o?.consumer !== undefined) out.push(str(n, 'options.consumer', o.consumer))
      return out
    },
    reply: xpendingRangeReply,
  }),
  xClaim: defineCommand({
    args: (key: RedisArgument, group: RedisArgument, consumer: RedisArgument, minIdleTime: number, ids: RedisVariadicArgument, options?: XClaimOptions): CommandArgument[] =>
      xclaimArgs(key, group, consumer, minIdleTime, ids, options, false),
    reply: (raw: unknown[], ctx: ReplyContext): Array<StreamMessage | null> => raw.map((m) => toStreamMessage(m, ctx)),
  }),
  xClaimJustId: defineCommand({
    args: (key: RedisArgument, group: RedisArgument, consumer: RedisArgument, minIdleTime: number, ids: RedisVariadicArgument, options?: XClaimOptions): CommandArgument[] =>
      xclaimArgs(key, group, consumer, minIdleTime, ids, options, true),
    reply: natural<string[]>(),
  }),
  xAutoClaim: defineCommand({
    args: (key: RedisArgument, group: RedisArgument, consumer: RedisArgument, minIdleTime: number, start: RedisArgument, options?: { COUNT?: number }): CommandArgument[] =>
      xautoclaimArgs(key, group, consumer, minIdleTime, start, options, false),
    reply: (raw: [string, unknown[], string[]], ctx: ReplyContext) => ({
      nextId: raw[0],
      messages: raw[1].map((m) => toStreamMessage(m, ctx)),
      deletedMessages: raw[2],
    }),
  }),
  xAutoClaimJustId: defineCommand({
    args: (key: RedisArgument, group: RedisArgument, consumer: RedisArgument, minIdleTime: number, start: RedisArgument, options?: { COUNT?: number }): CommandArgument[] =>
      xautoclaimArgs(key, group, consumer, minIdleTime, start, options, true),
    reply: (raw: [string, string[], string[]]) => ({ nextId: raw[0], messages: raw[1], deletedMessages: raw[2] }),
  }),
  xInfoStream: defineCommand({
    args: (key: RedisArgument): CommandArgument[] => ['XINFO', 'STREAM', str('XINFO STREAM', 'key', key)],
    reply: xinfoStreamReply,
  }),
  xInfoGroups: defineCommand({
    args: (key: RedisArgument): CommandArgument[] => ['XINFO', 'GROUPS', str('XINFO GROUPS', 'key', key)],
    reply: recordsReply,
  }),
  xInfoConsumers: defineCommand({
    args: (key: RedisArgument, group: RedisArgument): CommandArgument[] => ['XINFO', 'CONSUMERS', str('XINFO CONSUMERS', 'key', key), str('XINFO CONSUMERS', 'group', group)],
    reply: recordsReply,
  }),
} as const
