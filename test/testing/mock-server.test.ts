// The mock server, as a client sees it: the same cases over the in-memory connector and over
// real loopback TCP (the runtime's own connector). Commands go out with encodeCommand and
// replies come back through the Decoder, with every raw byte kept for byte-exact checks.
//
// "Nothing arrives" is never waited for on the clock: it is checked once a round trip on a
// second connection, started after the silent command was sent, has completed. Every wait is
// bounded.

import assert from 'node:assert/strict'
import { after, before, describe, test } from '../support/runtime.ts'
import { Decoder, ProtocolError, ReplyError, bigNumber, bulkError, double, encodeCommand, push, simple, verbatim } from '../../src/resp/index.ts'
import { concatBytes } from '../../src/resp/bytes.ts'
import {
  type MockServer, closeConnection, createMockServer, delayed, hang, raw, replies,
} from '../../src/testing/mock-server.ts'
import { autoConnector } from '../../src/transport/auto.ts'
import { ConnectionClosedError, ConnectionError, ConnectionResetError } from '../../src/transport/errors.ts'
import type { ByteStream, ConnectOptions, Connector, StreamHandlers } from '../../src/transport/types.ts'

const WAIT = 5_000
const latin1 = new TextDecoder('latin1')
const utf8 = new TextEncoder()

/** Bytes no RESP decoder accepts: a bad type byte, NUL, 0xff, a lone LF. */
const MALFORMED = Uint8Array.from([...utf8.encode('+OK\r\n?junk'), 0, 0xff, 10, ...utf8.encode('\r\n')])

/** The handler every case talks to: one command per behaviour under test. */
function handler(): Parameters<typeof createMockServer>[0] {
  return (command, connection) => {
    const [first] = command.args
    switch (command.name) {
      case 'PING': return simple('PONG')
      case 'ECHO': return command.raw[1]
      case 'MYID': return connection.id
      case 'MAP': return new Map<string, unknown>([['a', 1], ['b', [true, null]]])
      case 'BOOM': throw new Error('ERR boom')
      case 'THROWSTRING': throw 'oops' // eslint-disable-line no-throw-literal
      case 'TWOLINES': return new ReplyError('ERR first\r\nsecond')
      case 'HANG': return hang()
      case 'RAW': return raw(MALFORMED)
      case 'CLOSE': return closeConnection()
      case 'ABORT': return closeConnection({ abort: true })
      case 'SLOW': return delayed(Number(first), command.args[1])
      case 'MANY': return replies(...command.args.map(Number))
      case 'NOTIFY':
        connection.send(push(['message', 'news', first]))
        return 'notified'
      case 'TYPES':
        return [double(1.5), bigNumber(10n ** 20n), verbatim('txt', 'hi'), new Set(['a']), new Map([['k', true]]), null, false, bulkError('ERR x\ny')]
      case 'EVIL':
        throw { toString() { throw new Error('no text for you') } } // eslint-disable-line no-throw-literal
      case 'CYCLE': {
        const cycle: unknown[] = ['a']
        cycle.push(cycle)
        return cycle
      }
      case 'GARBAGE':
        return raw('+OK\r\n\x00garbage')
      case 'SIZE':
        return command.raw[1].byteLength
    }
    return undefined
  }
}

/** One client connection: replies and pushes decoded in order, raw bytes kept. */
class Client {
  readonly stream: ByteStream
  /** Every reply and push, in arrival order. */
  readonly events: Array<{ kind: 'reply' | 'push'; value: unknown }> = []
  readonly chunks: Uint8Array[] = []
  received = 0
  decodeError: unknown
  private taken = 0
  private wakers: Array<() => void> = []

  private constructor(stream: ByteStream) {
    this.stream = stream
  }

  static async open(connector: Connector, options: ConnectOptions): Promise<Client> {
    let client: Client | undefined
    const early: Uint8Array[] = []
    const decoder = new Decoder({
      onReply: (value) => client!.add('reply', value),
      onPush: (value) => client!.add('push', value),
    })
    const onData = (chunk: Uint8Array): void => {
      client!.chunks.push(chunk)
      client!.received += chunk.byteLength
      try {
        if (client!.decodeError === undefined) decoder.feed(chunk)
      } catch (err) {
        client!.decodeError = err
      }
      client!.wake()
    }
    const stream = await connector(options, { onData: (chunk) => (client ? onData(chunk) : early.push(chunk)) })
    client = new Client(stream)
    for (const chunk of early) onData(chunk)
    return client
  }

  send(...args: Array<string | Uint8Array | number>): void {
    this.stream.write(encodeCommand(args))
  }

  /** The next reply or push not yet taken; rejects if the stream closes first or after WAIT ms. */
  async next(): Promise<{ kind: 'reply' | 'push'; value: unknown }> {
    await this.until(() => this.events.length > this.taken, 'a reply', true)
    return this.events[this.taken++]
  }

  async reply(): Promise<unknown> {
    const event = await this.next()
    if (event.kind !== 'reply') assert.fail(`expected a reply, got a push ${JSON.stringify(event.value)}`)
    return event.value
  }

  async call(...args: Array<string | Uint8Array | number>): Promise<unknown> {
    this.send(...args)
    return this.reply()
  }

  /** Resolves once `count` raw bytes have arrived. */
  bytes(count: number): Promise<void> {
    return this.until(() => this.received >= count, `${count} bytes`, false)
  }

  text(): string {
    return this.chunks.map((c) => latin1.decode(c)).join('')
  }

  close(): void {
    this.stream.abort()
  }

  private add(kind: 'reply' | 'push', value: unknown): void {
    this.events.push({ kind, value })
  }

  private wake(): void {
    for (const wake of this.wakers.splice(0)) wake()
  }

  private async until(ready: () => boolean, what: string, failOnClose: boolean): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no ${what} within ${WAIT} ms`)), WAIT)
    })
    const closed = this.stream.closed.then((err) => err ?? new Error('stream closed'))
    try {
      while (!ready()) {
        const woke = await Promise.race([new Promise<undefined>((resolve) => this.wakers.push(() => resolve(undefined))), closed, expired])
        if (woke !== undefined && !ready()) {
          if (failOnClose) throw woke
          throw new Error(`stream closed before ${what}: ${String(woke)}`)
        }
      }
    } finally {
      clearTimeout(timer)
    }
  }
}

/** Where the mock server is, and how to reach it. */
interface Setup {
  connector: Connector
  options: ConnectOptions
  stop(): Promise<void>
}

const transports: Array<{ name: string; setup(mock: MockServer): Promise<Setup> }> = [
  {
    name: 'memory connector',
    setup: async (mock) => ({
      connector: mock.connector(),
      options: { host: '127.0.0.1', port: 6379 },
      stop: () => mock.close(),
    }),
  },
  {
    name: 'TCP',
    setup: async (mock) => {
      const listener = await mock.listen({ port: 0 })
      return {
        connector: autoConnector,
        options: { host: '127.0.0.1', port: listener.port },
        stop: async () => {
          await listener.close()
          await mock.close()
        },
      }
    },
  },
]

for (const transport of transports) {
  describe(`mock server over the ${transport.name}`, () => {
    let mock: MockServer
    let setup: Setup
    const open = (): Promise<Client> => Client.open(setup.connector, setup.options)
    /** Runs fn with a fresh connection, closed afterwards whatever happens. */
    const withClient = async (fn: (client: Client) => Promise<void>): Promise<void> => {
      const client = await open()
      try {
        await fn(client)
      } finally {
        client.close()
      }
    }

    before(async () => {
      mock = createMockServer(handler())
      setup = await transport.setup(mock)
    })
    after(async () => {
      await setup?.stop()
    })

    test('HELLO 3 switches to RESP3 (a map), HELLO 2 back (a flat array); another version is NOPROTO', async () => {
      await withClient(async (client) => {
        const before = client.received
        assert.deepEqual(await client.call('MAP'), ['a', 1, 'b', [1, null]], 'RESP2 flattens maps and booleans')
        assert.equal(client.text()[before], '*')

        const hello3 = await client.call('HELLO', '3')
        assert.ok(hello3 instanceof Map, `HELLO 3 replied ${String(hello3)}`)
        assert.equal(hello3.get('proto'), 3)
        assert.equal(hello3.get('server'), 'redis')
        const at = client.received
        assert.deepEqual(await client.call('MAP'), new Map<string, unknown>([['a', 1], ['b', [true, null]]]))
        assert.equal(client.text()[at], '%')

        const bad = await client.call('HELLO', '4')
        assert.ok(bad instanceof ReplyError, `HELLO 4 replied ${String(bad)}`)
        assert.equal(bad.code, 'NOPROTO')
        assert.ok((await client.call('HELLO')) instanceof Map, 'a bad HELLO leaves the protocol as it was')

        const hello2 = await client.call('HELLO', '2')
        assert.ok(Array.isArray(hello2), `HELLO 2 replied ${String(hello2)}`)
        assert.equal(hello2[hello2.indexOf('proto') + 1], 2)
        assert.deepEqual(await client.call('MAP'), ['a', 1, 'b', [1, null]])
      })
    })

    test('an unknown command gets Redis\'s "ERR unknown command"', async () => {
      await withClient(async (client) => {
        const reply = await client.call('NOSUCH', 'a', 'b')
        assert.ok(reply instanceof ReplyError, `got ${String(reply)}`)
        assert.match(reply.message, /^ERR unknown command 'NOSUCH'/)
        assert.equal(await client.call('PING'), 'PONG', 'the connection goes on')
      })
    })

    test('a thrown Error (or anything thrown) becomes an error reply; newlines become spaces', async () => {
      await withClient(async (client) => {
        const boom = await client.call('BOOM')
        assert.ok(boom instanceof ReplyError, `got ${String(boom)}`)
        assert.equal(boom.message, 'ERR boom')
        const oops = await client.call('THROWSTRING')
        assert.ok(oops instanceof ReplyError, `got ${String(oops)}`)
        assert.equal(oops.message, 'ERR oops')
        const two = await client.call('TWOLINES')
        assert.ok(two instanceof ReplyError, `got ${String(two)}`)
        assert.equal(two.message, 'ERR first second')
        assert.equal(await client.call('PING'), 'PONG')
      })
    })

    test('hang(): no reply for it nor for later commands, and the connection stays open', async () => {
      await withClient(async (hung) => {
        hung.send('HANG')
        hung.send('PING')
        // A full round trip on a second connection, started after both commands were sent.
        await withClient(async (other) => {
          assert.equal(await other.call('PING'), 'PONG')
        })
        assert.equal(hung.received, 0, `the hung connection received ${JSON.stringify(hung.text())}`)
        let closed = false
        void hung.stream.closed.then(() => { closed = true })
        await withClient(async (other) => {
          assert.equal(await other.call('PING'), 'PONG')
        })
        assert.equal(closed, false, 'hang() closed the connection')
        assert.equal(hung.received, 0)
      })
    })

    test('raw(): malformed bytes reach the client exactly as given', async () => {
      await withClient(async (client) => {
        client.send('RAW')
        await client.bytes(MALFORMED.byteLength)
        assert.deepEqual(Uint8Array.from(client.chunks.flatMap((c) => [...c])), MALFORMED)
        assert.deepEqual(client.events, [{ kind: 'reply', value: 'OK' }], 'the valid part decoded')
        assert.ok(client.decodeError !== undefined, 'the decoder refused the rest')
      })
    })

    test('closeConnection(): replies before it are sent, then the client sees the server close', async () => {
      await withClient(async (client) => {
        client.stream.writev([encodeCommand(['PING']), encodeCommand(['CLOSE']), encodeCommand(['PING'])])
        assert.equal(await client.reply(), 'PONG')
        const err = await client.stream.closed
        assert.ok(err instanceof ConnectionClosedError, `closed with ${String(err)}`)
        assert.equal(client.events.length, 1, 'nothing after CLOSE was answered')
      })
    })

    test('closeConnection({ abort: true }): the connection is cut', async () => {
      await withClient(async (client) => {
        const id = await client.call('MYID')
        const connection = [...mock.connections].find((c) => c.id === id)
        assert.ok(connection)
        client.send('ABORT')
        const err = await client.stream.closed
        assert.ok(err instanceof ConnectionError, `closed with ${String(err)}`)
        assert.equal(client.events.length, 1)
        // The server forgets the connection when its own end has closed.
        await connection.stream.closed
        assert.ok(!mock.connections.has(connection), 'the server still lists the connection')
      })
    })

    test('delayed(): a slow reply holds back the fast ones after it', async () => {
      await withClient(async (client) => {
        client.send('SLOW', 20, 'slow')
        client.send('ECHO', 'fast')
        client.send('SLOW', 1, 'slower still first')
        assert.equal(await client.reply(), 'slow')
        assert.equal(await client.reply(), 'fast')
        assert.equal(await client.reply(), 'slower still first')
      })
    })

    test('replies(): several replies to one command, in order, before the next command\'s', async () => {
      await withClient(async (client) => {
        client.send('MANY', 1, 2, 3)
        client.send('PING')
        assert.deepEqual([await client.reply(), await client.reply(), await client.reply(), await client.reply()], [1, 2, 3, 'PONG'])
      })
    })

    test('connection.send(push(...)): out of band, from a handler or from outside', async () => {
      await withClient(async (client) => {
        const hello = await client.call('HELLO', '3')
        assert.ok(hello instanceof Map)
        client.send('NOTIFY', 'first')
        assert.deepEqual(await client.next(), { kind: 'push', value: ['message', 'news', 'first'] })
        assert.deepEqual(await client.next(), { kind: 'reply', value: 'notified' })
        const connection = [...mock.connections].find((c) => c.id === hello.get('id'))
        assert.ok(connection, 'the HELLO id names a live connection')
        connection.send(push(['message', 'news', 'unasked']))
        assert.deepEqual(await client.next(), { kind: 'push', value: ['message', 'news', 'unasked'] })
      })
    })

    test('connection.commands logs each command: name upper-cased, args, exact raw bytes', async () => {
      await withClient(async (client) => {
        const binary = Uint8Array.from([0, 13, 10, 0xff, 0xc3, 0x28])
        assert.deepEqual(await client.call('echo', binary), '\u0000\r\n\ufffd\ufffd(')
        const id = await client.call('MyId')
        const connection = [...mock.connections].find((c) => c.id === id)
        assert.ok(connection)
        assert.deepEqual(connection.commands.map((c) => [c.name, c.args]), [['ECHO', ['\u0000\r\n\ufffd\ufffd(']], ['MYID', []]])
        assert.deepEqual(connection.commands[0].raw, [utf8.encode('echo'), binary])
        assert.ok(mock.commands.includes(connection.commands[1]), 'mock.commands holds every connection\'s')
      })
    })

    test('malformed bytes from the client: "-ERR Protocol error", then the server closes', async () => {
      await withClient(async (client) => {
        assert.equal(await client.call('PING'), 'PONG')
        client.stream.write(utf8.encode('?not resp\r\n'))
        const err = await client.stream.closed
        assert.ok(err instanceof ConnectionClosedError, `closed with ${String(err)}`)
        const text = client.text()
        assert.match(text, /^\+PONG\r\n-ERR Protocol error[^\r\n]*\r\n$/)
        assert.equal(client.events.length, 2)
      })
    })

    // As Redis does: commands complete before the bad bytes are answered first, in order.
    test('commands before malformed bytes in the same chunk are answered before the protocol error', async () => {
      await withClient(async (client) => {
        client.stream.write(utf8.encode('*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n?not resp\r\n'))
        const err = await client.stream.closed
        assert.ok(err instanceof ConnectionClosedError, `closed with ${String(err)}`)
        assert.match(client.text(), /^\+PONG\r\n\$2\r\nhi\r\n-ERR Protocol error[^\r\n]*\r\n$/)
      })
    })

    test('a RESP2 connection gets RESP2 shapes (pushes as arrays...); after HELLO 3, RESP3 ones', async () => {
      await withClient(async (client) => {
        // RESP2 has no pushes: the client reads an array where the push was, as from Redis.
        assert.deepEqual(await client.call('NOTIFY', 'x'), ['message', 'news', 'x'])
        assert.equal(await client.reply(), 'notified')
        await client.call('TYPES')
        const types2 = '*8\r\n$3\r\n1.5\r\n$21\r\n100000000000000000000\r\n$2\r\nhi\r\n*1\r\n$1\r\na\r\n*2\r\n$1\r\nk\r\n:1\r\n$-1\r\n:0\r\n-ERR x y\r\n'
        assert.equal(client.text(), `*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$1\r\nx\r\n$8\r\nnotified\r\n${types2}`)
        await client.call('HELLO', '3')
        const mark = client.text().length
        client.send('NOTIFY', 'y')
        assert.equal((await client.next()).kind, 'push')
        assert.equal(await client.reply(), 'notified')
        await client.call('TYPES')
        const types3 = '*8\r\n,1.5\r\n(100000000000000000000\r\n=6\r\ntxt:hi\r\n~1\r\n$1\r\na\r\n%1\r\n$1\r\nk\r\n#t\r\n_\r\n#f\r\n!7\r\nERR x\ny\r\n'
        assert.equal(client.text().slice(mark), `>3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$1\r\ny\r\n$8\r\nnotified\r\n${types3}`)
      })
    })

    test('a handler that throws a value with a throwing toString, or returns a cycle: an error reply, and the connection goes on', async () => {
      await withClient(async (client) => {
        const evil = await client.call('EVIL')
        assert.ok(evil instanceof ReplyError, `got ${String(evil)}`)
        const cycle = await client.call('CYCLE')
        assert.ok(cycle instanceof ReplyError && /cannot be encoded.*cyclic/.test(cycle.message), `got ${String(cycle)}`)
        assert.equal(await client.call('PING'), 'PONG')
      })
    })

    test('an 8 MiB command from the client is read whole and answered', async () => {
      await withClient(async (client) => {
        const big = new Uint8Array(8 * 1024 * 1024).fill(120)
        client.stream.writev([encodeCommand(['SIZE', big])])
        assert.equal(await client.reply(), big.byteLength)
      })
    })

    test('a client that goes away with replies still owed: the server stays up, nothing unhandled', async () => {
      const unhandled: unknown[] = []
      const onRejection = (reason: unknown): void => { unhandled.push(reason) }
      process.on('unhandledRejection', onRejection)
      try {
        const client = await open()
        client.send('SLOW', 20, 'late')
        client.send('NOTIFY', 'z')
        client.close()
        await client.stream.closed
        await withClient(async (other) => {
          assert.equal(await other.call('SLOW', 30, 'x'), 'x')
          assert.equal(await other.call('PING'), 'PONG')
        })
        await new Promise((resolve) => setTimeout(resolve, 0))
        assert.deepEqual(unhandled, [])
      } finally {
        process.off('unhandledRejection', onRejection)
      }
    })

    test("the README's onData: decoder.feed against a server answering +OK then garbage: closed settles with the ProtocolError", async () => {
      const replies: unknown[] = []
      const decoder = new Decoder({ onReply: (r) => { replies.push(r) } })
      const stream = await setup.connector(setup.options, { onData: (c) => decoder.feed(c) })
      stream.write(encodeCommand(['GARBAGE']))
      const reason = await stream.closed
      assert.ok(reason instanceof ProtocolError, `closed with ${String(reason)}`)
      assert.deepEqual(replies, ['OK'])
    })

    test('limits: a command past the configured limits gets "-ERR Protocol error", then the server closes', async () => {
      const strict = createMockServer(handler(), { limits: { maxBulkLength: 1024 } })
      const strictSetup = await transport.setup(strict)
      try {
        const client = await Client.open(strictSetup.connector, strictSetup.options)
        assert.equal(await client.call('ECHO', 'x'.repeat(1024)), 'x'.repeat(1024))
        client.send('ECHO', 'x'.repeat(1025))
        const err = await client.stream.closed
        assert.ok(err instanceof ConnectionClosedError, `closed with ${String(err)}`)
        assert.match(client.text(), /-ERR Protocol error[^\r\n]*\r\n$/)
      } finally {
        await strictSetup.stop()
      }
    })
  })
}

describe('mock.connector()', () => {
  test("each connection's fault knobs: a reply cut mid-frame resets both ends", async () => {
    const mock = createMockServer(() => 'a reply long enough to be cut')
    const received: Uint8Array[] = []
    const stream = await mock.connector()({}, { onData: (chunk) => received.push(chunk) })
    const [connection] = mock.connections
    assert.ok(connection.faults !== undefined, 'an in-memory connection has fault knobs')
    connection.faults.dropAfter(7, 'toClient')
    stream.write(encodeCommand(['GET', 'k']))
    const error = await stream.closed
    assert.ok(error instanceof ConnectionResetError, `closed with ${String(error)}`)
    assert.equal(utf8d.decode(concatBytes(received)), '$29\r\na ')
    assert.ok((await connection.stream.closed) instanceof ConnectionResetError)
  })
})

const utf8d = new TextDecoder()
