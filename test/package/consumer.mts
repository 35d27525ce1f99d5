// @ts-nocheck: respkit/* resolves to the built package, which the repository's own type check
// does not have; test/package/run.ts drops these lines and type-checks the file as a user's.
//
// A user's program, run by test/package/run.ts against the installed package: compiled by tsc
// (module nodenext) and run on plain Node 20.19 to 26, and run as is on Deno (npm: and
// the JSR layout) and Bun. It does what a user would do with each layer and throws on anything
// unexpected; the last line it prints is `consumer ok`.
import { Decoder, ReplyError, decode, encode, encodeCommand, push, type CommandArgument } from 'respkit/resp'
import { autoConnector, createMemoryPair, type ByteStream, type Connector } from 'respkit/transport'
import { createMockServer, type MockCommand } from 'respkit/testing'
import * as everything from 'respkit'

const utf8 = new TextEncoder()
const text = new TextDecoder()

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`consumer: ${what}`)
}

// respkit/resp: a command out, replies in, a chunk split anywhere.
const command = encodeCommand(['SET', 'key', 'välue', 42])
check(text.decode(command) === '*4\r\n$3\r\nSET\r\n$3\r\nkey\r\n$6\r\nvälue\r\n$2\r\n42\r\n', 'encodeCommand bytes')
const replies: unknown[] = []
const decoder = new Decoder({ onReply: (reply) => replies.push(reply) })
const input = utf8.encode('+OK\r\n:9007199254740993\r\n-WRONGTYPE no\r\n%1\r\n$4\r\nname\r\n$3\r\nAda\r\n')
decoder.feed(input.subarray(0, 7))
decoder.feed(input.subarray(7))
check(replies[0] === 'OK', 'simple string')
check(replies[1] === 9007199254740993n, 'integer past 2^53 as bigint')
check(replies[2] instanceof ReplyError && replies[2].code === 'WRONGTYPE', 'error reply')
check(replies[3] instanceof Map && replies[3].get('name') === 'Ada', 'map')
check(decoder.idle, 'decoder idle after whole replies')
check(decode(encode(push(['message', 'news', 'hi']))) !== undefined, 'encode and decode a push')
check(everything.encodeCommand === encodeCommand, 'respkit re-exports respkit/resp')

// respkit/transport: the in-memory pair.
const received: Uint8Array[] = []
const pair = createMemoryPair({ serverHandlers: { onData: (chunk) => received.push(chunk) } })
pair.client.write(utf8.encode('ping'))
await new Promise((resolve) => setTimeout(resolve, 0))
check(received.length === 1 && text.decode(received[0]) === 'ping', 'memory pair delivers bytes')
pair.client.abort()
await pair.client.closed

// respkit/testing: a mock server, over memory and over loopback TCP.
const mock = createMockServer(({ name, args }: MockCommand, connection) => {
  if (name === 'GET') return args[0] === 'missing' ? null : `value of ${args[0]}`
  if (name === 'LOGGED') return connection.commands.length
  return undefined
})

/** Send commands over a fresh connection; resolves with their replies. */
async function ask(connector: Connector, port: number | undefined, commands: CommandArgument[][]): Promise<unknown[]> {
  const got: unknown[] = []
  let done!: () => void
  const all = new Promise<void>((resolve) => (done = resolve))
  const replyDecoder = new Decoder({
    onReply: (reply) => {
      got.push(reply)
      if (got.length === commands.length) done()
    },
  })
  const stream: ByteStream = await connector(
    port === undefined ? { host: 'mock' } : { host: '127.0.0.1', port, connectTimeout: 5_000 },
    { onData: (chunk) => replyDecoder.feed(chunk) },
  )
  for (const c of commands) stream.write(encodeCommand(c))
  await all
  await stream.end()
  return got
}

const commands: CommandArgument[][] = [['HELLO', '3'], ['GET', 'a'], ['GET', 'missing'], ['NOPE'], ['LOGGED']]
const checkReplies = (got: unknown[], where: string): void => {
  check(got[0] instanceof Map && got[0].get('proto') === 3, `${where}: HELLO 3`)
  check(got[1] === 'value of a', `${where}: GET`)
  check(got[2] === null, `${where}: null`)
  check(got[3] instanceof ReplyError && got[3].code === 'ERR', `${where}: unknown command`)
  check(got[4] === commands.length, `${where}: the connection's command log`)
}
checkReplies(await ask(mock.connector(), undefined, commands), 'mock over memory')
const listener = await mock.listen({ port: 0 })
try {
  checkReplies(await ask(autoConnector, listener.port, commands), 'mock over TCP')
} finally {
  await listener.close()
}
await mock.close()
console.log('consumer ok')
