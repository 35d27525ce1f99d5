// Geo commands. Coordinates and distances are numbers under both protocols (RESP2 sends their
// text, RESP3 doubles for coordinates); GEOSEARCH with WITH* flags gives node-redis's
// `[{ member, distance?, hash?, coordinates? }]`.

import type { CommandArgument } from '../../resp/index.ts'
import { type RedisArgument, type RedisVariadicArgument, argumentError, flag, int, num, oneOf, opts, pushVariadic, str } from './arguments.ts'
import { defineCommand, type CommandDefinition } from './define.ts'
import { toDouble, toNullableDouble } from './reply-shapes.ts'
import { natural } from './simple.ts'

export type GeoUnits = 'm' | 'km' | 'mi' | 'ft'
const UNITS: readonly GeoUnits[] = ['m', 'km', 'mi', 'ft']

export interface GeoCoordinates {
  longitude: RedisArgument | number
  latitude: RedisArgument | number
}
export interface GeoMember extends GeoCoordinates {
  member: RedisArgument
}
export type GeoSearchFrom = RedisArgument | GeoCoordinates
export type GeoSearchBy = { radius: number; unit: GeoUnits } | { width: number; height: number; unit: GeoUnits }
export interface GeoSearchOptions {
  SORT?: 'ASC' | 'DESC'
  COUNT?: number | { value: number; ANY?: boolean }
}
export const GEO_REPLY_WITH = { DISTANCE: 'WITHDIST', HASH: 'WITHHASH', COORDINATES: 'WITHCOORD' } as const
export type GeoReplyWith = (typeof GEO_REPLY_WITH)[keyof typeof GEO_REPLY_WITH]
export interface GeoReplyWithMember {
  member: string
  distance?: number
  hash?: number
  coordinates?: { longitude: number; latitude: number }
}

function coordinate(command: string, name: string, value: unknown): CommandArgument {
  if (typeof value === 'string' || value instanceof Uint8Array) return value
  return num(command, name, value)
}

function geosearchArgs(name: string, out: CommandArgument[], from: GeoSearchFrom, by: GeoSearchBy, options: GeoSearchOptions | undefined): CommandArgument[] {
  if (typeof from === 'string' || from instanceof Uint8Array) out.push('FROMMEMBER', from)
  else {
    const f = opts(name, 'from', from as GeoCoordinates)
    if (f === undefined) throw argumentError(name, 'from', from, 'a member or { longitude, latitude }')
    out.push('FROMLONLAT', coordinate(name, 'from.longitude', f.longitude), coordinate(name, 'from.latitude', f.latitude))
  }
  const b = opts(name, 'by', by)
  if (b === undefined) throw argumentError(name, 'by', by, '{ radius, unit } or { width, height, unit }')
  if ('radius' in b) out.push('BYRADIUS', num(name, 'by.radius', b.radius), oneOf(name, 'by.unit', b.unit, UNITS))
  else out.push('BYBOX', num(name, 'by.width', b.width), num(name, 'by.height', b.height), oneOf(name, 'by.unit', b.unit, UNITS))
  const o = opts(name, 'options', options)
  if (o?.SORT !== undefined) out.push(oneOf(name, 'options.SORT', o.SORT, ['ASC', 'DESC']))
  if (o?.COUNT !== undefined) {
    if (typeof o.COUNT === 'number') out.push('COUNT', int(name, 'options.COUNT', o.COUNT))
    else {
      const c = opts(name, 'options.COUNT', o.COUNT)!
      out.push('COUNT', int(name, 'options.COUNT.value', c.value))
      if (flag(name, 'options.COUNT.ANY', c.ANY)) out.push('ANY')
    }
  }
  return out
}

/**
 * Each item is `[member, distance?, hash?, [longitude, latitude]?]`, in that order whatever
 * order the flags were given in; which ones are present shows in their types (distance is
 * text, hash an integer, coordinates a pair), so no flag list is needed here.
 */
function withReply(raw: unknown[][]): GeoReplyWithMember[] {
  return raw.map((item) => {
    const out: GeoReplyWithMember = { member: item[0] as string }
    for (let i = 1; i < item.length; i++) {
      const v = item[i]
      if (Array.isArray(v)) out.coordinates = { longitude: toDouble(v[0]), latitude: toDouble(v[1]) }
      else if (typeof v === 'number' && i === 1 && !Number.isInteger(v)) out.distance = v
      else if (typeof v === 'number' || typeof v === 'bigint') out.hash = Number(v)
      else out.distance = toDouble(v)
    }
    return out
  })
}

/** The geo commands, typed (explicit, so that JSR and other tools need not infer them). */
export type GeoCommands = {
  readonly geoAdd: CommandDefinition<[key: RedisArgument, toAdd: GeoMember | readonly GeoMember[], options?: {
    condition?: 'NX' | 'XX';
    NX?: boolean;
    XX?: boolean;
    CH?: boolean;
  } | undefined], number>;
  readonly geoDist: CommandDefinition<[key: RedisArgument, member1: RedisArgument, member2: RedisArgument, unit?: GeoUnits | undefined], number | null>;
  readonly geoHash: CommandDefinition<[key: RedisArgument, members: RedisVariadicArgument], (string | null)[]>;
  readonly geoPos: CommandDefinition<[key: RedisArgument, members: RedisVariadicArgument], ({
    longitude: number;
    latitude: number;
  } | null)[]>;
  readonly geoSearch: CommandDefinition<[key: RedisArgument, from: GeoSearchFrom, by: GeoSearchBy, options?: GeoSearchOptions | undefined], string[]>;
  readonly geoSearchWith: CommandDefinition<[key: RedisArgument, from: GeoSearchFrom, by: GeoSearchBy, replyWith: readonly GeoReplyWith[], options?: GeoSearchOptions | undefined], GeoReplyWithMember[]>;
  readonly geoSearchStore: CommandDefinition<[destination: RedisArgument, source: RedisArgument, from: GeoSearchFrom, by: GeoSearchBy, options?: (GeoSearchOptions & {
    STOREDIST?: boolean;
  }) | undefined], number>;
}

export const GEO_COMMANDS: GeoCommands = {
  geoAdd: defineCommand({
    args: (key: RedisArgument, toAdd: GeoMember | readonly GeoMember[], options?: { condition?: 'NX' | 'XX'; NX?: boolean; XX?: boolean; CH?: boolean }): CommandArgument[] => {
      const out: CommandArgument[] = ['GEOADD', str('GEOADD', 'key', key)]
      const o = opts('GEOADD', 'options', options)
      if (o?.condition !== undefined) out.push(oneOf('GEOADD', 'options.condition', o.condition, ['NX', 'XX']))
      else if (flag('GEOADD', 'options.NX', o?.NX)) out.push('NX')
      else if (flag('GEOADD', 'options.XX', o?.XX)) out.push('XX')
      if (flag('GEOADD', 'options.CH', o?.CH)) out.push('CH')
      const list = (Array.isArray(toAdd) ? toAdd : [toAdd]) as readonly unknown[]
      if (list.length === 0) throw argumentError('GEOADD', 'toAdd', toAdd, 'a member or a non-empty array of members')
      for (let i = 0; i < list.length; i++) {
        const at = Array.isArray(toAdd) ? `toAdd[${i}]` : 'toAdd'
        const m = opts('GEOADD', at, list[i] as GeoMember)
        if (m === undefined) throw argumentError('GEOADD', at, m, '{ longitude, latitude, member }')
        out.push(coordinate('GEOADD', `${at}.longitude`, m.longitude), coordinate('GEOADD', `${at}.latitude`, m.latitude), str('GEOADD', `${at}.member`, m.member))
      }
      return out
    },
    reply: natural<number>(),
  }),
  geoDist: defineCommand({
    args: (key: RedisArgument, member1: RedisArgument, member2: RedisArgument, unit?: GeoUnits): CommandArgument[] => {
      const out: CommandArgument[] = ['GEODIST', str('GEODIST', 'key', key), str('GEODIST', 'member1', member1), str('GEODIST', 'member2', member2)]
      if (unit !== undefined) out.push(oneOf('GEODIST', 'unit', unit, UNITS))
      return out
    },
    reply: toNullableDouble,
  }),
  geoHash: defineCommand({
    args: (key: RedisArgument, members: RedisVariadicArgument): CommandArgument[] => pushVariadic(['GEOHASH', str('GEOHASH', 'key', key)], 'GEOHASH', 'members', members),
    reply: natural<Array<string | null>>(),
  }),
  geoPos: defineCommand({
    args: (key: RedisArgument, members: RedisVariadicArgument): CommandArgument[] => pushVariadic(['GEOPOS', str('GEOPOS', 'key', key)], 'GEOPOS', 'members', members),
    reply: (raw: Array<unknown[] | null>): Array<{ longitude: number; latitude: number } | null> =>
      raw.map((p) => (p === null ? null : { longitude: toDouble(p[0]), latitude: toDouble(p[1]) })),
  }),
  geoSearch: defineCommand({
    args: (key: RedisArgument, from: GeoSearchFrom, by: GeoSearchBy, options?: GeoSearchOptions): CommandArgument[] =>
      geosearchArgs('GEOSEARCH', ['GEOSEARCH', str('GEOSEARCH', 'key', key)], from, by, options),
    reply: natural<string[]>(),
  }),
  geoSearchWith: defineCommand({
    args: (key: RedisArgument, from: GeoSearchFrom, by: GeoSearchBy, replyWith: readonly GeoReplyWith[], options?: GeoSearchOptions): CommandArgument[] => {
      const out = geosearchArgs('GEOSEARCH', ['GEOSEARCH', str('GEOSEARCH', 'key', key)], from, by, options)
      if (!Array.isArray(replyWith) || replyWith.length === 0) throw argumentError('GEOSEARCH', 'replyWith', replyWith, 'a non-empty array of WITHDIST, WITHHASH, WITHCOORD')
      for (let i = 0; i < replyWith.length; i++) out.push(oneOf('GEOSEARCH', `replyWith[${i}]`, replyWith[i], ['WITHDIST', 'WITHHASH', 'WITHCOORD']))
      return out
    },
    reply: withReply,
  }),
  geoSearchStore: defineCommand({
    args: (destination: RedisArgument, source: RedisArgument, from: GeoSearchFrom, by: GeoSearchBy, options?: GeoSearchOptions & { STOREDIST?: boolean }): CommandArgument[] => {
      const n = 'GEOSEARCHSTORE'
      const out = geosearchArgs(n, [n, str(n, 'destination', destination), str(n, 'source', source)], from, by, options)
      if (flag(n, 'options.STOREDIST', options?.STOREDIST)) out.push('STOREDIST')
      return out
    },
    reply: natural<number>(),
  }),
} as const
