// Helpers for the client's delivery and fault tests: a stateful mock (GET/SET/INCR on a Map,
// every command logged across connections, scripted faults per command), a connector that can
// be switched off (a server that is down), outcome capture, bounded waits on events, and one
// real redis-server per test file with the clients opened on it.

import { ReplyError, simple } from '../../src/resp/index.ts'
import { createMockServer, type MockCommand, type MockConnection, type MockReply, type MockServer, type MockServerOptions } from '../../src/testing/index.ts'
import { ConnectionRefusedError } from '../../src/transport/errors.ts'
import type { Connector } from '../../src/transport/types.ts'
import { createClient, type ClientOptions, type RedisClient } from '../../src/client/index.ts'
import { after, before } from '../support/runtime.ts'
import { startRedis, type RedisServer } from '../support/redis.ts'

/** Every bounded wait in these tests. */
export const WAIT = 5_000

export interface Logged {
  readonly conn: number
  readonly name: string
  readonly args: string[]
}

/** A fault for the next commands that match: return a MockReply to use it, undefined to answer normally. */
export type Script = (command: MockCommand, connection: MockConnection, nth: number) => MockReply | undefined

export interface StatefulMock {
  readonly server: MockServer
  readonly data: Map<string, string>
  /** Every command the handler saw (answered or not), every connection, in order. */
  readonly log: Logged[]
  /** Commands named `name` (upper case) seen so far, on every connection. */
  count(name: string): number
  /** Distinct connection ids that sent `name`. */
  connectionsOf(name: string): number[]
  /** Makes `name` go through `script` first; the third argument counts its calls from 1. */
  script(name: string, script: Script): void
  /** Resolves when the handler has seen `n` commands named `name`. */
  seen(name: string, n?: number): Promise<void>
  /** A connector to this mock that refuses connections while `down` is true. */
  readonly connector: Connector
  down: boolean
  /** Connection attempts (refused ones included). */
  attempts: number
}

export function statefulMock(options?: MockServerOptions, connectorOptions?: Parameters<MockServer['connector']>[0]): StatefulMock {
  const data = new Map<string, string>()
  const log: Logged[] = []
  const scripts = new Map<string, { fn: Script; calls: number }>()
  const waiters: Array<{ name: string; n: number; resolve: () => void }> = []
  const count = (name: string): number => log.filter((l) => l.name === name).length
  const server = createMockServer((command, connection) => {
    log.push({ conn: connection.id, name: command.name, args: command.args })
    for (const w of waiters.slice()) {
      if (count(w.name) >= w.n) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve()
      }
    }
    const s = scripts.get(command.name)
    if (s !== undefined) {
      const reply = s.fn(command, connection, ++s.calls)
      if (reply !== undefined) return reply
    }
    const [key, value] = command.args
    switch (command.name) {
      case 'HELLO': return new ReplyError('ERR unknown command \'HELLO\'') // only reached with { hello: false }
      case 'PING': return simple('PONG')
      case 'ECHO': return key
      case 'AUTH': case 'SELECT': case 'CLIENT': return simple('OK')
      case 'GET': return data.get(key) ?? null
      case 'SET':
        data.set(key, value)
        return simple('OK')
      case 'INCR': {
        const next = Number(data.get(key) ?? '0') + 1
        data.set(key, String(next))
        return next
      }
    }
    return undefined
  }, options)
  const base = server.connector(connectorOptions)
  const mock: StatefulMock = {
    server,
    data,
    log,
    count,
    connectionsOf: (name) => [...new Set(log.filter((l) => l.name === name).map((l) => l.conn))],
    script: (name, fn) => { scripts.set(name, { fn, calls: 0 }) },
    seen: (name, n = 1) => count(name) >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ name, n, resolve })),
    down: false,
    attempts: 0,
    connector: (connect, handlers) => {
      mock.attempts++
      if (mock.down) return Promise.reject(new ConnectionRefusedError('connection to memory refused (the mock is down)', 'memory'))
      return base(connect, handlers)
    },
  }
  return mock
}

/** The server side of the client's current connection (the newest one). */
export function serverSide(mock: StatefulMock): MockConnection {
  const all = [...mock.server.connections]
  const last = all[all.length - 1]
  if (last === undefined) throw new Error('the mock has no open connection')
  return last
}

export type Outcome = { ok: true; value: unknown } | { ok: false; error: any }

/** Never rejects: what the promise settled with. */
export function outcome(promise: Promise<unknown>): Promise<Outcome> {
  return promise.then((value) => ({ ok: true as const, value }), (error) => ({ ok: false as const, error }))
}

/** Resolves when `emitter` emits `event` (the first argument), rejects after `ms`. */
export function nextEvent(emitter: { once(event: string, fn: (...args: any[]) => void): unknown; off(event: string, fn: (...args: any[]) => void): unknown }, event: string, ms = WAIT): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, on)
      reject(new Error(`no '${event}' event within ${ms} ms`))
    }, ms)
    const on = (arg: unknown): void => {
      clearTimeout(timer)
      resolve(arg)
    }
    emitter.once(event, on)
  })
}

/** The promise's value, or a rejection naming `what` after `ms`: no test waits forever. */
export function within<T>(promise: Promise<T>, what: string, ms = WAIT): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms`)), ms) })
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}

/** True if the promise is still pending after every queued microtask and one macrotask. */
export async function isPending(promise: Promise<unknown>): Promise<boolean> {
  let settled = false
  promise.then(() => { settled = true }, () => { settled = true })
  await new Promise((resolve) => setTimeout(resolve, 0))
  return !settled
}

/** Every string reachable from an error: message, stack, causes (recursively), own fields. */
export function errorTexts(error: unknown, seen = new Set<unknown>()): string[] {
  if (error === null || typeof error !== 'object' || seen.has(error)) return error === undefined ? [] : [String(error)]
  seen.add(error)
  const out: string[] = []
  const e = error as Record<string, unknown>
  if (typeof e.message === 'string') out.push(e.message)
  if (typeof e.stack === 'string') out.push(e.stack)
  for (const key of Object.getOwnPropertyNames(e)) {
    const v = e[key]
    if (typeof v === 'string') out.push(v)
    else if (typeof v === 'object' && v !== null) out.push(...errorTexts(v, seen))
  }
  if (e.cause !== undefined) out.push(...errorTexts(e.cause, seen))
  return out
}

/** A ready client on the mock, reconnecting at once, with the errors it emitted. */
export async function connected(mock: StatefulMock, options: ClientOptions = {}): Promise<{ client: RedisClient; errors: Error[] }> {
  const errors: Error[] = []
  const client = createClient({ connector: mock.connector, socket: { reconnectStrategy: 1 }, ...options })
  client.on('error', (e: Error) => errors.push(e))
  await within(client.connect(), 'connect')
  return { client, errors }
}

/** One redis-server for a test file, and the clients its tests open on it. */
export interface RealServer {
  readonly port: number
  /** A connected client (RESP 3 unless told, reconnecting every 10 ms), its errors swallowed: tests assert on its calls. */
  client<C extends RedisClient = RedisClient>(options?: ClientOptions): Promise<C>
  /** A client the test made itself, destroyed at the end too. */
  track<C extends RedisClient>(client: C): C
}

/**
 * Starts a redis-server before the file's tests and stops it after them, destroying every
 * client opened on it, even those of a test that failed half-way. Call it at the top level.
 */
export function useRealServer(): RealServer {
  let redis: RedisServer | undefined
  const opened: RedisClient[] = []
  before(async () => {
    redis = await startRedis()
  })
  after(async () => {
    for (const c of opened) c.destroy()
    await redis?.stop()
  })
  const server: RealServer = {
    get port() {
      if (redis === undefined) throw new Error('the redis-server of this file starts in before()')
      return redis.port
    },
    track: (client) => {
      opened.push(client)
      return client
    },
    client: <C extends RedisClient = RedisClient>(options: ClientOptions = {}): Promise<C> => {
      const client = server.track(createClient({
        RESP: 3,
        ...options,
        socket: { port: server.port, host: '127.0.0.1', reconnectStrategy: 10, ...options.socket },
      }))
      client.on('error', () => {})
      return within(client.connect(), 'connect') as Promise<RedisClient> as Promise<C>
    },
  }
  return server
}
