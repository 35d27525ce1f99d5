// A scriptable RESP server for tests: a handler gets each command and answers with any value,
// an error, silence, a delay, raw (even malformed) bytes, or a closed connection. It runs over
// any ByteStream: the in-memory pair (no sockets at all) or real TCP (see ./tcp.ts).

import { Decoder, encode, ReplyError, type DecoderLimits } from '../resp/index.ts'
import type { ByteStream, Connector, StreamHandlers } from '../transport/types.ts'
import { memoryConnector, type MemoryFaults, type MemoryPairOptions } from '../transport/memory.ts'

/** One command as the client sent it. */
export interface MockCommand {
  /** The command name, upper-cased: `GET`, `HELLO`... */
  readonly name: string
  /** The arguments after the name, as UTF-8 strings. */
  readonly args: string[]
  /** Every part, name included, as the exact bytes sent. */
  readonly raw: Uint8Array[]
}

/** What a handler returns for a command. */
export type MockReply = unknown

/**
 * Answers one command. Return any natural value or RespNode to reply with it; an Error (or
 * throw one) to reply with an error; `undefined` for Redis's "unknown command" error; or one of
 * `hang()`, `raw()`, `closeConnection()`, `delayed()`, `replies()`.
 */
export type MockHandler = (command: MockCommand, connection: MockConnection) => MockReply | Promise<MockReply>

const ACTION = Symbol('respkit.mock.action')
type Action =
  | { [ACTION]: 'hang' }
  | { [ACTION]: 'raw'; bytes: Uint8Array }
  | { [ACTION]: 'close'; abort: boolean }
  | { [ACTION]: 'delay'; ms: number; reply: MockReply }
  | { [ACTION]: 'many'; replies: MockReply[] }

/** Never answer: this connection answers nothing more, as a blocked Redis client would. */
export const hang = (): MockReply => ({ [ACTION]: 'hang' })
/** Send these bytes exactly as given, valid RESP or not. */
export const raw = (bytes: Uint8Array | string): MockReply => ({
  [ACTION]: 'raw',
  bytes: typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes,
})
/** Close the connection instead of answering: gracefully, or at once (`abort`). */
export const closeConnection = (options?: { abort?: boolean }): MockReply => ({ [ACTION]: 'close', abort: options?.abort === true })
/** Answer after `ms` milliseconds; later commands wait their turn, as on a real server. */
export const delayed = (ms: number, reply: MockReply): MockReply => ({ [ACTION]: 'delay', ms, reply })
/** Several answers to one command, in order (SUBSCRIBE to several channels, say). */
export const replies = (...list: MockReply[]): MockReply => ({ [ACTION]: 'many', replies: list })

export interface MockServerOptions {
  /** Answer HELLO like Redis 7 (switching the connection to RESP3 on `HELLO 3`). Default true. */
  hello?: boolean
  /** Fields of the HELLO reply. */
  serverInfo?: { server?: string; version?: string }
  /**
   * Limits on what a client may send, as the decoder's limits (default: the decoder's, which
   * are the server's own). A command past them gets `-ERR Protocol error`, then the
   * connection closes, as Redis does.
   */
  limits?: DecoderLimits
}

let nextId = 1

/** One client's connection to the mock server. */
export class MockConnection {
  readonly id: number = nextId++
  /** RESP version of the replies: 2 until the client sends `HELLO 3`. */
  protocol: 2 | 3 = 2
  /** Free space for handlers to keep per-connection state. */
  readonly state: Map<string, unknown> = new Map<string, unknown>()
  /** Every command received, in order, answered or not (after `hang()`, say). */
  readonly commands: MockCommand[] = []
  stream!: ByteStream
  /** Over the in-memory pair: its fault knobs (split, latency, stall, drop, inject). */
  faults: MemoryFaults | undefined

  /**
   * Send a value now, outside the command/reply order (a push, say), in the connection's
   * protocol: on a RESP2 connection a push goes out as an array, a map flattened, and so on.
   */
  send(value: unknown): void {
    this.write(encode(value, { protocol: this.protocol }))
  }

  /** Send bytes now, exactly as given. */
  sendRaw(bytes: Uint8Array | string): void {
    this.write(typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes)
  }

  /** Close: gracefully (flush, then close) or at once. */
  close(options?: { abort?: boolean }): Promise<void> {
    if (options?.abort === true) {
      this.stream.abort()
      return this.stream.closed.then(() => undefined)
    }
    return this.stream.end()
  }

  private write(bytes: Uint8Array): void {
    try {
      this.stream.write(bytes)
    } catch {
      // The client went away; a test double has nobody to tell.
    }
  }
}

export class MockServer {
  /** Connections open now; a connection leaves the set when it closes. */
  readonly connections: Set<MockConnection> = new Set<MockConnection>()
  private readonly handler: MockHandler
  private readonly options: MockServerOptions

  constructor(handler: MockHandler, options: MockServerOptions = {}) {
    this.handler = handler
    this.options = options
  }

  /** Every command received on every connection, in arrival order per connection. */
  get commands(): MockCommand[] {
    return [...this.connections].flatMap((c) => c.commands)
  }

  /**
   * Serve one connection. `open` opens the server end of a byte stream with our handlers; the
   * in-memory connector and the TCP listener both come through here.
   */
  serve(open: (handlers: StreamHandlers) => ByteStream): MockConnection {
    const connection = new MockConnection()
    const queue: MockCommand[] = []
    let busy = false
    let answering = true // false after hang(), a close, or a protocol error
    let badInput: string | undefined // the protocol error to send once earlier commands are answered
    const decoder = new Decoder({
      ...this.options.limits,
      binary: true,
      onReply: (value) => {
        const command = toCommand(value)
        connection.commands.push(command)
        if (!answering) return
        queue.push(command)
        if (!busy) void pump()
      },
    })
    const pump = async (): Promise<void> => {
      busy = true
      try {
        while (queue.length > 0 && answering) {
          if (!(await this.answer(queue.shift()!, connection))) {
            answering = false
            queue.length = 0
          }
        }
        if (badInput !== undefined && answering) {
          // What Redis does with bytes it cannot parse: answer what came before, say so, hang up.
          answering = false
          connection.sendRaw(`-ERR Protocol error: ${badInput}\r\n`)
          void connection.close()
        }
      } catch (error) {
        // Nothing a handler does may escape as an unhandled rejection: the connection ends.
        answering = false
        queue.length = 0
        connection.stream.abort(error instanceof Error ? error : new Error(safeText(error)))
      } finally {
        busy = false
      }
    }
    connection.stream = open({
      onData: (chunk) => {
        if (badInput !== undefined) return
        try {
          decoder.feed(chunk)
        } catch (error) {
          badInput = (error as Error).message.replace(/[\r\n]/g, ' ')
          if (!busy) void pump()
        }
      },
    })
    this.connections.add(connection)
    void connection.stream.closed.then(() => {
      answering = false
      this.connections.delete(connection)
    })
    return connection
  }

  /**
   * A connector that reaches this server over the in-memory pair: no socket, no port. Hand it
   * to the code under test; each connection's fault knobs are on `connection.faults`.
   */
  connector(options?: Omit<MemoryPairOptions, 'clientHandlers' | 'serverHandlers' | 'remote'>): Connector {
    return memoryConnector((server, faults) => {
      let handlers: StreamHandlers | undefined
      const connection = this.serve((h) => {
        handlers = h
        return server
      })
      connection.faults = faults
      return handlers!
    }, options)
  }

  /**
   * Listen on a real loopback socket too (TCP, or a Unix socket with `path`). Loaded on demand,
   * so users of the in-memory connector never load a socket module.
   */
  async listen(options?: import('./tcp.ts').ListenOptions): Promise<{ readonly port: number | undefined; close(): Promise<void> }> {
    const { listenTcp } = await import('./tcp.ts')
    return listenTcp(this, options)
  }

  /** Close every connection. */
  async close(): Promise<void> {
    await Promise.all([...this.connections].map((c) => c.close({ abort: true })))
  }

  /** Reply to one command; false when the connection is to answer nothing more. */
  private async answer(command: MockCommand, connection: MockConnection): Promise<boolean> {
    let reply: MockReply
    try {
      reply = command.name === 'HELLO' && this.options.hello !== false
        ? this.hello(command, connection)
        : await this.handler(command, connection)
    } catch (error) {
      reply = error instanceof Error ? error : new ReplyError(`ERR ${safeText(error)}`)
    }
    return this.perform(reply, command, connection)
  }

  private async perform(reply: MockReply, command: MockCommand, connection: MockConnection): Promise<boolean> {
    const action = isAction(reply) ? reply : undefined
    if (action === undefined) {
      if (reply === undefined) reply = new ReplyError(`ERR unknown command '${command.name}', with args beginning with: ${command.args.slice(0, 3).map((a) => `'${a}'`).join(' ')}`)
      let bytes: Uint8Array
      try {
        bytes = encode(errorLine(reply), { protocol: connection.protocol })
      } catch (error) {
        bytes = encode(new ReplyError(`ERR mock handler returned a value that cannot be encoded: ${safeText((error as Error)?.message).replace(/[\r\n]+/g, ' ')}`))
      }
      return this.send(connection, bytes)
    }
    switch (action[ACTION]) {
      case 'hang':
        return false
      case 'raw':
        return this.send(connection, action.bytes)
      case 'close':
        await connection.close({ abort: action.abort })
        return false
      case 'delay':
        await new Promise<void>((resolve) => setTimeout(resolve, action.ms))
        return this.perform(action.reply, command, connection)
      case 'many':
        for (const one of action.replies) if (!(await this.perform(one, command, connection))) return false
        return true
    }
  }

  private async send(connection: MockConnection, bytes: Uint8Array): Promise<boolean> {
    try {
      if (!connection.stream.write(bytes)) await connection.stream.drain()
      return true
    } catch {
      return false
    }
  }

  private hello(command: MockCommand, connection: MockConnection): MockReply {
    const version = command.args[0]
    if (version !== undefined && version !== '2' && version !== '3') {
      return new ReplyError('NOPROTO unsupported protocol version')
    }
    if (version !== undefined) connection.protocol = version === '3' ? 3 : 2
    return new Map<string, unknown>([
      ['server', this.options.serverInfo?.server ?? 'redis'],
      ['version', this.options.serverInfo?.version ?? '7.0.0'],
      ['proto', connection.protocol],
      ['id', connection.id],
      ['mode', 'standalone'],
      ['role', 'master'],
      ['modules', []],
    ])
  }
}

/**
 * A thrown or returned error becomes one line, as Redis's own errors are: its newlines become
 * spaces. A handler that wants a multi-line error sends `bulkError()` (RESP3).
 */
function errorLine(reply: MockReply): MockReply {
  if (reply instanceof Error && /[\r\n]/.test(reply.message)) return new ReplyError(reply.message.replace(/[\r\n]+/g, ' '))
  return reply
}

/** `String(x)`, or a placeholder when even that throws (a hostile `toString`). */
function safeText(x: unknown): string {
  try {
    return String(x)
  } catch {
    return 'a value that cannot be turned into text'
  }
}

function isAction(x: unknown): x is Action {
  return typeof x === 'object' && x !== null && ACTION in x
}

const utf8 = new TextDecoder()

function toCommand(value: unknown): MockCommand {
  const parts = Array.isArray(value) ? value : [value]
  const raw = parts.map((p) => (p instanceof Uint8Array ? p : new TextEncoder().encode(String(p))))
  const strings = raw.map((p) => utf8.decode(p))
  return { name: (strings[0] ?? '').toUpperCase(), args: strings.slice(1), raw }
}

/** Build a mock server around a handler. */
export function createMockServer(handler: MockHandler, options?: MockServerOptions): MockServer {
  return new MockServer(handler, options)
}
