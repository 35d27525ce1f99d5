// The demo behind `npm run demo`: pipeline a batch of commands to a throwaway redis-server over
// our transport, decode the RESP3 replies, and show the lossless mode reproducing bytes exactly.
// Without redis-server on this machine it runs against the built-in mock server and says so.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CommandEncoder, Decoder, decode, encode, type CommandArgument } from '../src/resp/index.ts'
import { autoConnector, type ConnectOptions } from '../src/transport/index.ts'
import { createMockServer } from '../src/testing/index.ts'

const commands: CommandArgument[][] = [
  ['HELLO', '3'],
  ['SET', 'greeting', 'héllo, wörld'],
  ['GET', 'greeting'],
  ['HSET', 'user:1', 'name', 'Ada', 'lang', 'TypeScript'],
  ['HGETALL', 'user:1'],
  ['INCRBY', 'counter', 9007199254740993n],
  ['SADD', 'tags', 'fast', 'honest'],
  ['SMEMBERS', 'tags'],
  ['LPUSH', 'greeting', 'x'],
  ['DEL', 'greeting', 'user:1', 'counter', 'tags'],
]

async function main(): Promise<void> {
  const server = await startServer()
  console.log(server.note)
  try {
    await run(server.connect)
  } finally {
    await server.stop()
  }
}

async function run(where: ConnectOptions): Promise<void> {
  const replies: unknown[] = []
  let wake: (() => void) | undefined
  const decoder = new Decoder({
    onReply: (reply) => {
      replies.push(reply)
      wake?.()
    },
  })
  const stream = await autoConnector(where, { onData: (chunk) => decoder.feed(chunk) })

  // Every command into one buffer, one write: that is pipelining.
  const encoder = new CommandEncoder()
  for (const command of commands) encoder.write(command)
  const bytes = encoder.byteLength
  stream.writev(encoder.take())
  while (replies.length < commands.length) await new Promise<void>((resolve) => (wake = resolve))
  console.log(`\n${commands.length} commands pipelined in one ${bytes}-byte write to ${stream.remote}:\n`)
  for (let i = 0; i < commands.length; i++) {
    console.log(`  ${commands[i].join(' ').padEnd(44)} → ${show(replies[i])}`)
  }
  await stream.end()

  // Lossless mode: a tagged tree that encodes back to the very same bytes (for proxies and tests).
  const wire = new TextEncoder().encode('%2\r\n+first\r\n:1\r\n$6\r\nsecond\r\n,3.50\r\n')
  const tree = decode(wire, { mode: 'lossless' })
  const same = encode(tree).every((b, i) => b === wire[i]) && encode(tree).length === wire.length
  console.log(`\nlossless: ${JSON.stringify(new TextDecoder().decode(wire))} → tree → ${same ? 'the same bytes' : 'DIFFERENT bytes'}`)
}

function show(value: unknown): string {
  if (value instanceof Error) return `${value.name} ${value.message}`
  if (value instanceof Map) return `Map { ${[...value].map(([k, v]) => `${show(k)} => ${show(v)}`).join(', ')} }`
  if (value instanceof Set) return `Set { ${[...value].map(show).join(', ')} }`
  if (Array.isArray(value)) return `[ ${value.map(show).join(', ')} ]`
  if (typeof value === 'bigint') return `${value}n`
  return JSON.stringify(value)
}

interface DemoServer {
  note: string
  connect: ConnectOptions
  stop(): Promise<void>
}

async function startServer(): Promise<DemoServer> {
  if (spawnSync('redis-server', ['--version']).status !== 0) return startMock()
  // A Unix socket in a fresh folder: no port to collide with, nothing reachable from outside.
  const dir = mkdtempSync(join(tmpdir(), 'respkit-demo-'))
  const path = join(dir, 'redis.sock')
  const child: ChildProcess = spawn('redis-server', ['--port', '0', '--unixsocket', path, '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' })
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
    rmSync(dir, { recursive: true, force: true })
  }
  for (let i = 0; i < 100 && !existsSync(path); i++) {
    if (child.exitCode !== null) break
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  if (!existsSync(path)) {
    await stop()
    return startMock('redis-server did not start')
  }
  const version = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout.trim().split(' ')[2]
  return { note: `A throwaway redis-server (${version}, pid ${child.pid}) on ${path}.`, connect: { path }, stop }
}

async function startMock(why = 'redis-server is not installed'): Promise<DemoServer> {
  // Just enough of Redis for the commands above.
  const data = new Map<string, string | bigint | Map<string, string> | Set<string>>()
  const wrongType = new Error('WRONGTYPE Operation against a key holding the wrong kind of value')
  const mock = createMockServer(({ name, args: [key, ...rest] }) => {
    const value = data.get(key)
    switch (name) {
      case 'SET': data.set(key, rest[0]); return 'OK'
      case 'GET': return value === undefined ? null : typeof value === 'string' ? value : wrongType
      case 'HSET': {
        const hash = value instanceof Map ? value : new Map<string, string>()
        const before = hash.size
        for (let i = 0; i < rest.length; i += 2) hash.set(rest[i], rest[i + 1])
        data.set(key, hash)
        return hash.size - before
      }
      case 'HGETALL': return value instanceof Map ? value : new Map()
      case 'INCRBY': {
        const next = (typeof value === 'bigint' ? value : 0n) + BigInt(rest[0])
        data.set(key, next)
        return next
      }
      case 'SADD': {
        const set = value instanceof Set ? value : new Set<string>()
        const before = set.size
        for (const member of rest) set.add(member)
        data.set(key, set)
        return set.size - before
      }
      case 'SMEMBERS': return value instanceof Set ? value : new Set()
      case 'LPUSH': return value === undefined ? 1 : wrongType
      case 'DEL': return [key, ...rest].filter((k) => data.delete(k)).length
    }
  })
  const listener = await mock.listen({ host: '127.0.0.1', port: 0 })
  return {
    note: `${why}: running against the built-in mock server instead (install redis-server for the real thing).`,
    connect: { host: '127.0.0.1', port: listener.port },
    stop: () => listener.close(),
  }
}

await main()
