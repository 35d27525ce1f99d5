// The Node transport: node:net for TCP and Unix sockets, node:tls for TLS. Deno and Bun also
// run this file through their Node compatibility, but each has its own faster transport.

import * as net from 'node:net'
import * as tls from 'node:tls'
import * as nodeBuffer from 'node:buffer'
import { Buffer } from 'node:buffer'
import type { Utf8Decoder } from '../resp/text.ts'
import type { ByteStream, ConnectOptions, Connector, StreamHandlers } from './types.ts'
import {
  ConnectAbortedError, ConnectTimeoutError, ConnectionClosedError, ConnectionError, toConnectionError,
} from './errors.ts'
import {
  DEFAULT_CONNECT_TIMEOUT, DEFAULT_HIGH_WATER_MARK, addressOf, asError, checkChunk, checkChunks, checkInteger, endGrace, pem, pemList,
  validateConnectOptions,
} from './options.ts'

export const nodeConnector: Connector = (options, handlers) =>
  new Promise<ByteStream>((resolve, reject) => {
    validateConnectOptions(options) // a throw here rejects
    const address = addressOf(options)
    const signal = options.signal
    if (signal?.aborted) {
      reject(new ConnectAbortedError(`connecting to ${address} was aborted`, address, { cause: signal.reason }))
      return
    }
    const useTls = options.tls !== undefined && options.tls !== false
    const highWaterMark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK
    let socket: net.Socket
    try {
      socket = useTls ? tls.connect(tlsOptions(options)) : net.connect(netOptions(options))
    } catch (error) {
      // Node throws synchronously for some bad options (an invalid port, a malformed CA).
      reject(toConnectionError(error, address, 'connect', useTls))
      return
    }
    let timer: ReturnType<typeof setTimeout> | undefined
    const fail = (error: ConnectionError): void => {
      cleanup()
      socket.destroy()
      reject(error)
    }
    const onError = (error: Error): void => fail(toConnectionError(error, address, 'connect', useTls))
    const onAbort = (): void =>
      fail(new ConnectAbortedError(`connecting to ${address} was aborted`, address, { cause: signal?.reason }))
    const onConnect = (): void => {
      cleanup()
      if (options.noDelay !== false) socket.setNoDelay(true)
      const keepAlive = options.keepAlive ?? true
      if (keepAlive !== false) socket.setKeepAlive(true, typeof keepAlive === 'number' ? keepAlive : 0)
      resolve(wrapSocket(socket, handlers, address, highWaterMark))
    }
    const cleanup = (): void => {
      if (timer !== undefined) clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      socket.off('error', onError)
      socket.off(useTls ? 'secureConnect' : 'connect', onConnect)
    }
    const timeout = options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT
    if (timeout > 0) {
      timer = setTimeout(() => {
        const what = useTls ? 'connect and TLS handshake' : 'connect'
        fail(new ConnectTimeoutError(`${what} to ${address} took longer than ${timeout} ms: is the server up and reachable?`, address))
      }, timeout)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    socket.once('error', onError)
    socket.once(useTls ? 'secureConnect' : 'connect', onConnect)
  })

function netOptions(options: ConnectOptions): net.NetConnectOpts {
  if (options.path !== undefined) return { path: options.path }
  return { host: options.host ?? '127.0.0.1', port: options.port ?? 6379 }
}

function tlsOptions(options: ConnectOptions): tls.ConnectionOptions {
  const t = typeof options.tls === 'object' ? options.tls : {}
  const host = options.host ?? '127.0.0.1'
  const result: tls.ConnectionOptions = {
    ...netOptions(options),
    ca: pemList(t.ca),
    cert: t.cert === undefined ? undefined : pem(t.cert),
    key: t.key === undefined ? undefined : pem(t.key),
    // Verification stays on unless turned off in so many words.
    rejectUnauthorized: t.rejectUnauthorized !== false,
  }
  // The certificate is checked against `servername ?? host`; SNI must be a name, not an address.
  const expected = t.servername ?? (options.path === undefined ? host : undefined)
  if (expected !== undefined && net.isIP(expected) === 0) result.servername = expected
  else if (expected !== undefined) result.checkServerIdentity = (_name, cert) => tls.checkServerIdentity(expected, cert)
  return result
}

/** Wrap a connected socket (client or server side) as a ByteStream. */
export function wrapSocket(socket: net.Socket, handlers: StreamHandlers, address: string, highWaterMark: number): ByteStream {
  let ended: Error | undefined
  let settle!: (error: Error | undefined) => void
  const closed = new Promise<Error | undefined>((resolve) => (settle = resolve))
  let closing = false // we asked for the close: end() or abort()
  let endError: Error | undefined
  let ending: Promise<void> | undefined

  socket.on('data', (chunk: Uint8Array) => {
    if (socket.destroyed) return
    try {
      // A plain view: Buffer's slice() shares memory where Uint8Array's copies.
      handlers.onData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
    } catch (error) {
      // The receiver could not take these bytes (a ProtocolError from its decoder, say): this
      // stream cannot go on, and the error must not escape as an uncaught exception.
      abort(asError(error))
    }
  })
  socket.on('end', () => {
    if (!closing && endError === undefined) endError = new ConnectionClosedError(`connection to ${address} closed by the server`, address)
  })
  socket.on('error', (error) => {
    if (endError === undefined) endError = toConnectionError(error, address, 'open')
  })
  socket.on('close', () => {
    ended = endError ?? new ConnectionClosedError(`connection to ${address} is closed`, address)
    settle(endError)
  })

  const drainWaiters: Array<() => void> = []
  const wakeDrain = (): void => {
    for (const wake of drainWaiters.splice(0)) wake()
  }
  socket.on('drain', wakeDrain)
  socket.on('close', wakeDrain)

  const check = (): void => {
    if (ended !== undefined || socket.destroyed) throw ended ?? endError ?? new ConnectionClosedError(`connection to ${address} is closed`, address)
    if (closing) throw new ConnectionClosedError(`connection to ${address} is closing`, address)
  }
  const abort = (reason: Error | undefined): void => {
    closing = true
    if (reason !== undefined && endError === undefined) endError = reason
    socket.destroy()
  }
  const end = async (): Promise<void> => {
    closing = true
    if (!socket.destroyed) {
      socket.end()
      const disarm = endGrace(() => socket.writableLength, () => socket.destroy())
      await closed
      disarm()
    }
    await closed
  }

  return {
    remote: address,
    closed,
    get writableLength() {
      return socket.writableLength
    },
    write(chunk) {
      checkChunk(chunk, 'write')
      check()
      socket.write(chunk)
      return socket.writableLength <= highWaterMark
    },
    writev(chunks) {
      checkChunks(chunks)
      check()
      socket.cork()
      for (const chunk of chunks) socket.write(chunk)
      socket.uncork()
      return socket.writableLength <= highWaterMark
    },
    drain() {
      if (socket.writableLength <= highWaterMark || socket.destroyed) return Promise.resolve()
      return new Promise<void>((resolve) => {
        // 'drain' fires when Node's own buffer empties; re-check against our mark.
        const wait = (): void => {
          if (socket.writableLength <= highWaterMark || socket.destroyed) resolve()
          else drainWaiters.push(wait)
        }
        drainWaiters.push(wait)
      })
    },
    pause() {
      socket.pause()
    },
    resume() {
      socket.resume()
    },
    end() {
      ending ??= end()
      return ending
    },
    abort(reason) {
      abort(reason)
    },
  }
}

export interface NodeListener {
  /** The port listened on (useful with port 0), or undefined for a Unix socket. */
  readonly port: number | undefined
  close(): Promise<void>
}

/**
 * Listen for TCP or Unix connections; `accept` gets each one as a function that opens its
 * ByteStream with the handlers it chooses. Used by the mock server; works on Deno and Bun too.
 */
export function nodeListen(
  options: { host?: string; port?: number; path?: string; highWaterMark?: number },
  accept: (open: (handlers: StreamHandlers) => ByteStream) => void,
): Promise<NodeListener> {
  if (options.port !== undefined) checkInteger('port', options.port, 0, 65535)
  if (options.highWaterMark !== undefined) checkInteger('highWaterMark', options.highWaterMark, 0)
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.setNoDelay(true)
    const remote = socket.remoteAddress === undefined ? 'unix' : `${socket.remoteAddress}:${socket.remotePort}`
    accept((handlers) => wrapSocket(socket, handlers, remote, options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK))
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    const ready = (): void => {
      server.off('error', reject)
      const where = server.address()
      resolve({
        port: typeof where === 'object' && where !== null ? where.port : undefined,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy()
            server.close(() => done())
          }),
      })
    }
    if (options.path !== undefined) server.listen(options.path, ready)
    else server.listen(options.port ?? 0, options.host ?? '127.0.0.1', ready)
  })
}

const utf8Slice = (Buffer.prototype as unknown as { utf8Slice(this: Uint8Array, start: number, end: number): string }).utf8Slice
const asciiSlice = (Buffer.prototype as unknown as { asciiSlice(this: Uint8Array, start: number, end: number): string }).asciiSlice
/** node:buffer's SIMD `isAscii` (Node 19.6+, 18.15+). */
const isAscii = (nodeBuffer as { isAscii?: (bytes: Uint8Array) => boolean }).isAscii

/** Strings at least this long are checked for ASCII, which copies 4-7x faster than UTF-8 decodes. */
const LONG_TEXT = 16 * 1024

function decodeNodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  if (end - start >= LONG_TEXT && isAscii !== undefined && isAscii(bytes.subarray(start, end))) return asciiSlice.call(bytes, start, end)
  return utf8Slice.call(bytes, start, end)
}

/**
 * Node's own UTF-8 decoding, for `new Decoder({ decodeUtf8: nodeUtf8 })`: it reads straight from
 * the bytes, where TextDecoder costs a view and a larger fixed cost per string
 * (bench/resp.ts shows both); a bulk of 128 KiB or more that came in parts is joined and
 * decoded once (bench/client.ts, GET 1 MiB). The client uses it on Node without being told.
 */
export const nodeUtf8: Utf8Decoder = Object.assign(decodeNodeUtf8, { joinAbove: 128 * 1024 })
