// A bare connection for testing command definitions before the client exists: one byte stream
// from the runtime's connector, the respkit encoder and decoder, and replies handed out in
// order. `call(def, ...params)` sends `def.args(...params)` and shapes the reply with
// `def.reply`, as the client will. RESP3 connections send `HELLO 3` first; RESP2 ones send
// nothing (the server's default). Not a client: no reconnects, no pipelining logic.

import { Decoder, ReplyError, encodeCommand, type CommandArgument } from '../../src/resp/index.ts'
import { autoConnector, type ByteStream } from '../../src/transport/index.ts'
import type { CommandDefinition, ReplyContext } from '../../src/client/commands/define.ts'

export interface RawConnectionOptions {
  port: number
  host?: string
  resp: 2 | 3
  /** Strings as Uint8Array. */
  binary?: boolean
  /** Maps as `Map` (the decoder's `mapAs: 'map'`), as a type mapping asking for Map would. */
  mapAsMap?: boolean
}

export interface RawConnection {
  readonly resp: 2 | 3
  readonly ctx: ReplyContext
  /** Sends one command; resolves with the decoded reply, rejects with a ReplyError. */
  send(args: readonly CommandArgument[]): Promise<any>
  /** Sends `def.args(...params)` and resolves with `def.reply(raw, ctx)` (or the raw reply). */
  call<P extends unknown[], R>(def: CommandDefinition<P, R>, ...params: P): Promise<R>
  close(): Promise<void>
}

interface Waiter {
  resolve(value: unknown): void
  reject(err: unknown): void
}

export async function rawConnect(options: RawConnectionOptions): Promise<RawConnection> {
  const waiting: Waiter[] = []
  const decoder = new Decoder({
    onReply: (reply) => {
      const w = waiting.shift()
      if (w === undefined) throw new Error(`reply with nobody waiting: ${String(reply)}`)
      if (reply instanceof ReplyError) w.reject(reply)
      else w.resolve(reply)
    },
    mapAs: options.mapAsMap ? 'map' : 'object',
    setAs: 'array',
    binary: options.binary === true,
  })
  const stream: ByteStream = await autoConnector(
    { host: options.host ?? '127.0.0.1', port: options.port },
    { onData: (chunk) => decoder.feed(chunk) },
  )
  void stream.closed.then((err) => {
    for (const w of waiting.splice(0)) w.reject(err ?? new Error('connection closed'))
  })
  const ctx: ReplyContext = { resp: options.resp, mapAsMap: options.mapAsMap === true }
  const send = (args: readonly CommandArgument[]): Promise<any> =>
    new Promise((resolve, reject) => {
      const bytes = encodeCommand(args)
      waiting.push({ resolve, reject })
      stream.write(bytes)
    })
  if (options.resp === 3) await send(['HELLO', '3'])
  return {
    resp: options.resp,
    ctx,
    send,
    async call(def, ...params) {
      const raw = await send(def.args(...params))
      return def.reply === undefined ? raw : def.reply(raw, ctx)
    },
    async close() {
      await stream.end()
    },
  }
}
