// Transport throughput against a real redis-server this script starts on a free loopback port:
// round trips per second with one PING in flight, and MB/s of pipelined 16 KiB SETs with 64 in
// flight. respkit's connector for the running runtime beside a bare socket doing the same work
// (node:net everywhere, plus Deno.connect or Bun.connect on those runtimes), in the same run.
// Replies are counted by bytes, not parsed: this measures the transport, not a parser.
//
//   npx tsx bench/transport.ts
//   .runtimes/node_modules/.bin/deno run -A bench/transport.ts
//   .runtimes/node_modules/.bin/bun bench/transport.ts
// BENCH_ROUND_MS, BENCH_ROUNDS, BENCH_WARMUP_MS shorten it; REDIS_SERVER picks the binary.

import { spawn, type ChildProcess } from 'node:child_process'
import net from 'node:net'
import process from 'node:process'
import { createRequire } from 'node:module'
import { fmtMBps, fmtRate, median, runtimeName, table, timingFromEnv, type Rate } from './common.ts'

const timing = timingFromEnv(process.env)
const HOST = '127.0.0.1'
const IN_FLIGHT = 64
const VALUE_SIZE = 16 * 1024
/** A run that makes no progress for this long fails instead of hanging. */
const STALL_MS = 5000

const ascii = (text: string) => new TextEncoder().encode(text)
const PING = ascii('*1\r\n$4\r\nPING\r\n')
const PONG_LENGTH = '+PONG\r\n'.length
const OK_LENGTH = '+OK\r\n'.length
const SET = (() => {
  const head = ascii(`*3\r\n$3\r\nSET\r\n$10\r\nbench:key1\r\n$${VALUE_SIZE}\r\n`)
  const bytes = new Uint8Array(head.length + VALUE_SIZE + 2)
  bytes.set(head)
  bytes.fill(120, head.length, head.length + VALUE_SIZE) // 'x'
  bytes.set(ascii('\r\n'), head.length + VALUE_SIZE)
  return bytes
})()

// ---- the server ----

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, HOST, () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

async function startRedis(): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort()
  const bin = process.env.REDIS_SERVER ?? 'redis-server'
  const child = spawn(bin, ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  await new Promise<void>((resolve, reject) => {
    let log = ''
    const timer = setTimeout(() => reject(new Error(`redis-server not ready after 5 s:\n${log}`)), 5000)
    const onData = (chunk: Uint8Array) => {
      log += new TextDecoder().decode(chunk)
      if (log.includes('Ready to accept connections')) {
        clearTimeout(timer)
        child.stdout?.off('data', onData)
        child.stdout?.resume()
        resolve()
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Uint8Array) => (log += new TextDecoder().decode(chunk)))
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`redis-server exited with ${code}:\n${log}`))
    })
  })
  return { child, port }
}

// ---- links: one connection under test ----

/** A connection that sends bytes and reports how many came back. */
interface Link {
  write(bytes: Uint8Array): void
  /** Set by the case being run. */
  onBytes: (count: number) => void
  close(): Promise<void>
}
interface Contender {
  name: string
  open(port: number): Promise<Link>
}

function nodeNetContender(name: string): Contender {
  return {
    name,
    open: (port) =>
      new Promise((resolve, reject) => {
        const socket = net.connect({ host: HOST, port, noDelay: true })
        const link: Link = {
          write: (bytes) => void socket.write(bytes),
          onBytes: () => {},
          close: () => new Promise((done) => socket.end(done)),
        }
        socket.on('data', (chunk: Uint8Array) => link.onBytes(chunk.length))
        socket.once('error', reject)
        socket.once('connect', () => resolve(link))
      }),
  }
}

/** respkit's ByteStream interface, as far as this script uses it. */
interface OurStream {
  write(chunk: Uint8Array): boolean
  end(): Promise<void>
}
type OurConnector = (
  options: { host?: string; port?: number; noDelay?: boolean },
  handlers: { onData(chunk: Uint8Array): void },
) => Promise<OurStream>

function ourContender(name: string, connector: OurConnector): Contender {
  return {
    name,
    open: async (port) => {
      const link: Link = { write: () => {}, onBytes: () => {}, close: async () => {} }
      const stream = await connector({ host: HOST, port }, { onData: (chunk) => link.onBytes(chunk.length) })
      // write() returning false is advice to wait: in-flight work here is bounded (64 commands),
      // so we queue regardless, as the bare sockets do.
      link.write = (bytes) => void stream.write(bytes)
      link.close = () => stream.end()
      return link
    },
  }
}

// Minimal shapes of the runtime APIs used below (the repo type-checks with Node's types only).
interface DenoConn {
  read(buffer: Uint8Array): Promise<number | null>
  write(bytes: Uint8Array): Promise<number>
  setNoDelay?(on: boolean): void
  close(): void
}
interface DenoApi {
  connect(options: { hostname: string; port: number }): Promise<DenoConn>
}
interface BunSocket {
  write(bytes: Uint8Array): number
  setNoDelay?(on: boolean): boolean
  end(): void
}
interface BunApi {
  connect(options: {
    hostname: string
    port: number
    socket: {
      open?(socket: BunSocket): void
      data(socket: BunSocket, data: Uint8Array): void
      drain(socket: BunSocket): void
      close?(socket: BunSocket): void
      error?(socket: BunSocket, error: Error): void
    }
  }): Promise<BunSocket>
}

/** Deno.connect with a read loop into one reused buffer and a queue for partial writes. */
function denoContender(deno: DenoApi): Contender {
  return {
    name: 'bare Deno.connect',
    open: async (port) => {
      const conn = await deno.connect({ hostname: HOST, port })
      conn.setNoDelay?.(true)
      const queue: Uint8Array[] = []
      let writing = false
      const pump = async () => {
        writing = true
        try {
          while (queue.length > 0) {
            let chunk = queue.shift()!
            while (chunk.length > 0) chunk = chunk.subarray(await conn.write(chunk))
          }
        } finally {
          writing = false
        }
      }
      const link: Link = {
        write: (bytes) => {
          queue.push(bytes)
          if (!writing) void pump()
        },
        onBytes: () => {},
        close: async () => conn.close(),
      }
      void (async () => {
        const buffer = new Uint8Array(64 * 1024)
        try {
          for (;;) {
            const n = await conn.read(buffer)
            if (n === null) return
            link.onBytes(n)
          }
        } catch {
          // closed
        }
      })()
      return link
    },
  }
}

/** Bun.connect; Bun's write may take only part of the bytes, the rest waits for drain. */
function bunContender(bun: BunApi): Contender {
  return {
    name: 'bare Bun.connect',
    open: async (port) => {
      const queue: Uint8Array[] = []
      const link: Link = { write: () => {}, onBytes: () => {}, close: async () => {} }
      const flush = (socket: BunSocket) => {
        while (queue.length > 0) {
          const chunk = queue[0]
          const written = socket.write(chunk)
          if (written < chunk.length) {
            queue[0] = chunk.subarray(Math.max(0, written))
            return
          }
          queue.shift()
        }
      }
      const socket = await bun.connect({
        hostname: HOST,
        port,
        socket: {
          data: (_s, data) => link.onBytes(data.length),
          drain: (s) => flush(s),
        },
      })
      socket.setNoDelay?.(true)
      link.write = (bytes) => {
        if (queue.length > 0) queue.push(bytes)
        else {
          const written = socket.write(bytes)
          if (written < bytes.length) queue.push(bytes.subarray(Math.max(0, written)))
        }
      }
      link.close = async () => socket.end()
      return link
    },
  }
}

// ---- the two cases ----

/** Runs for `ms`, one PING in flight at a time. */
function pingRun(link: Link, ms: number): Promise<Rate> {
  return new Promise((resolve, reject) => {
    let pending = 0
    let done = 0
    const start = performance.now()
    let last = start
    const watchdog = setInterval(() => {
      if (performance.now() - last > STALL_MS) finish(new Error('PING run stalled'))
    }, 500)
    const finish = (error?: Error) => {
      clearInterval(watchdog)
      link.onBytes = () => {}
      if (error) reject(error)
      else {
        const seconds = (last - start) / 1000
        resolve({ opsPerSec: done / seconds, bytesPerSec: (done * PING.length) / seconds })
      }
    }
    link.onBytes = (count) => {
      pending += count
      while (pending >= PONG_LENGTH) {
        pending -= PONG_LENGTH
        done++
        last = performance.now()
        if (last - start >= ms) return finish()
        link.write(PING)
      }
    }
    link.write(PING)
  })
}

/** Runs for `ms` with IN_FLIGHT SETs outstanding, then waits for the stragglers. */
function pipelineRun(link: Link, ms: number): Promise<Rate> {
  return new Promise((resolve, reject) => {
    let pending = 0
    let inFlight = 0
    let done = 0
    let stopped = false
    let end = 0
    const start = performance.now()
    let last = start
    const watchdog = setInterval(() => {
      if (performance.now() - last > STALL_MS) finish(new Error('pipeline run stalled'))
    }, 500)
    const finish = (error?: Error) => {
      clearInterval(watchdog)
      link.onBytes = () => {}
      if (error) reject(error)
      else {
        const seconds = (end - start) / 1000
        resolve({ opsPerSec: done / seconds, bytesPerSec: (done * SET.length) / seconds })
      }
    }
    link.onBytes = (count) => {
      pending += count
      last = performance.now()
      while (pending >= OK_LENGTH) {
        pending -= OK_LENGTH
        inFlight--
        if (stopped) continue
        done++
        if (last - start >= ms) {
          stopped = true
          end = last
          continue
        }
        inFlight++
        link.write(SET)
      }
      if (stopped && inFlight === 0) finish()
    }
    for (; inFlight < IN_FLIGHT; inFlight++) link.write(SET)
  })
}

// ---- full clients, for reference (Node only) ----

interface ClientContender {
  name: string
  open(port: number): Promise<{
    ping(): Promise<unknown>
    set(key: string, value: Uint8Array): Promise<unknown>
    close(): Promise<unknown>
  }>
}

function clientContenders(): ClientContender[] {
  const require = createRequire(new URL('./package.json', import.meta.url))
  const list: ClientContender[] = []
  try {
    const Redis = require('ioredis').default
    list.push({
      name: 'ioredis 5 client (reference)',
      open: async (port) => {
        const client = new Redis({ host: HOST, port, lazyConnect: true, enableOfflineQueue: false })
        await client.connect()
        return {
          ping: () => client.ping(),
          set: (key, value) => client.set(key, value),
          close: () => client.quit(),
        }
      },
    })
  } catch {
    // not installed
  }
  try {
    const { createClient } = require('redis')
    list.push({
      name: 'node-redis 5 client (reference)',
      open: async (port) => {
        const client = createClient({ socket: { host: HOST, port, reconnectStrategy: false } })
        client.on('error', () => {})
        await client.connect()
        return {
          ping: () => client.ping(),
          set: (key, value) => client.set(key, value),
          close: () => client.quit(),
        }
      },
    })
  } catch {
    // not installed
  }
  return list
}

async function clientPingRun(client: { ping(): Promise<unknown> }, ms: number): Promise<Rate> {
  const start = performance.now()
  let done = 0
  let now = start
  do {
    await client.ping()
    done++
    now = performance.now()
  } while (now - start < ms)
  const seconds = (now - start) / 1000
  return { opsPerSec: done / seconds, bytesPerSec: (done * PING.length) / seconds }
}

async function clientPipelineRun(
  client: { set(key: string, value: Uint8Array): Promise<unknown> },
  ms: number,
): Promise<Rate> {
  // A Buffer: node-redis takes strings and Buffers only.
  const { Buffer } = await import('node:buffer')
  const value = Buffer.from(SET.subarray(SET.length - VALUE_SIZE - 2, SET.length - 2))
  const start = performance.now()
  let done = 0
  let end = 0
  // IN_FLIGHT loops, each with one command outstanding: 64 in flight in total.
  const worker = async () => {
    for (;;) {
      await client.set('bench:key1', value)
      const now = performance.now()
      if (end !== 0) return
      done++
      if (now - start >= ms) {
        end = now
        return
      }
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
  const seconds = (end - start) / 1000
  return { opsPerSec: done / seconds, bytesPerSec: (done * SET.length) / seconds }
}

// ---- main ----

/** One opened connection or client, able to run either case for a given time. */
interface Runner {
  name: string
  ping(ms: number): Promise<Rate>
  pipeline(ms: number): Promise<Rate>
  close(): Promise<unknown>
}

async function contenders(): Promise<{ list: Contender[]; missing: string[] }> {
  const g = globalThis as { Deno?: DenoApi; Bun?: BunApi }
  const list: Contender[] = []
  const missing: string[] = []
  const tryOurs = async (name: string, path: string, exportName: string) => {
    try {
      const mod = (await import(path)) as Record<string, unknown>
      const connector = mod[exportName]
      if (typeof connector !== 'function') throw new Error(`${path} has no ${exportName}`)
      list.push(ourContender(name, connector as OurConnector))
    } catch (error) {
      missing.push(`${name}: ${String(error).split('\n')[0]}`)
    }
  }
  if (g.Deno) {
    await tryOurs('respkit denoConnector', '../src/transport/deno.ts', 'denoConnector')
    list.push(denoContender(g.Deno))
  } else if (g.Bun) {
    await tryOurs('respkit bunConnector', '../src/transport/bun.ts', 'bunConnector')
    list.push(bunContender(g.Bun))
  }
  await tryOurs(
    g.Deno || g.Bun ? 'respkit nodeConnector (node compat)' : 'respkit nodeConnector',
    '../src/transport/node.ts',
    'nodeConnector',
  )
  list.push(nodeNetContender(g.Deno || g.Bun ? 'bare node:net (node compat)' : 'bare node:net'))
  return { list, missing }
}

async function openRunners(port: number, withClients: boolean): Promise<{ runners: Runner[]; failed: string[][] }> {
  const { list, missing } = await contenders()
  for (const line of missing) console.log(`not measured: ${line}\n`)
  const runners: Runner[] = []
  const failed: string[][] = []
  for (const c of list) {
    try {
      const link = await c.open(port)
      runners.push({
        name: c.name,
        ping: (ms) => pingRun(link, ms),
        pipeline: (ms) => pipelineRun(link, ms),
        close: () => link.close(),
      })
    } catch (error) {
      failed.push([c.name, 'error', 'error', String(error).split('\n')[0]])
    }
  }
  if (withClients) {
    for (const c of clientContenders()) {
      try {
        const client = await c.open(port)
        runners.push({
          name: c.name,
          ping: (ms) => clientPingRun(client, ms),
          pipeline: (ms) => clientPipelineRun(client, ms),
          close: () => client.close(),
        })
      } catch (error) {
        failed.push([c.name, 'error', 'error', String(error).split('\n')[0]])
      }
    }
  }
  return { runners, failed }
}

/**
 * Rounds are interleaved (round 1 of every contender, then round 2, ...) so that a change in
 * the machine's load during the run hits all of them alike rather than whoever ran then.
 */
async function interleaved(runners: Runner[], run: (r: Runner, ms: number) => Promise<Rate>): Promise<(Rate | Error)[]> {
  const results: Rate[][] = runners.map(() => [])
  const errors: (Error | undefined)[] = runners.map(() => undefined)
  for (let round = -1; round < timing.rounds; round++) {
    for (let i = 0; i < runners.length; i++) {
      if (errors[i]) continue
      try {
        const rate = await run(runners[i], round < 0 ? timing.warmupMs : timing.roundMs)
        if (round >= 0) results[i].push(rate)
      } catch (error) {
        errors[i] = error instanceof Error ? error : new Error(String(error))
      }
    }
  }
  return runners.map((_, i) => errors[i] ?? median(results[i]))
}

async function main(): Promise<void> {
  const g = globalThis as { Deno?: unknown; Bun?: unknown }
  const onNode = !g.Deno && !g.Bun
  const server = await startRedis()
  const stop = () => {
    if (server.child.exitCode === null) server.child.kill('SIGTERM')
  }
  process.on('exit', stop)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    try {
      process.on(signal, () => {
        stop()
        process.exit(130)
      })
    } catch {
      // the runtime cannot listen for this signal
    }
  }

  console.log(`# Transport, ${runtimeName()}, redis-server on ${HOST}:${server.port}\n`)
  console.log(
    `Rounds: ${timing.rounds} × ${timing.roundMs} ms after ${timing.warmupMs} ms warm-up, interleaved, median shown. ` +
      `Pipeline: ${IN_FLIGHT} SETs of ${VALUE_SIZE / 1024} KiB in flight; MB/s counts command bytes sent.\n`,
  )
  const rows: string[][] = []
  try {
    const { runners, failed } = await openRunners(server.port, onNode && process.env.BENCH_CLIENTS !== '0')
    const pings = await interleaved(runners, (r, ms) => r.ping(ms))
    const pipes = await interleaved(runners, (r, ms) => r.pipeline(ms))
    for (let i = 0; i < runners.length; i++) {
      const ping = pings[i]
      const pipe = pipes[i]
      const cell = (x: Rate | Error, f: (r: Rate) => string) => (x instanceof Error ? `error: ${x.message}` : f(x))
      rows.push([
        runners[i].name,
        cell(ping, (r) => fmtRate(r.opsPerSec)),
        cell(pipe, (r) => fmtRate(r.opsPerSec)),
        cell(pipe, (r) => fmtMBps(r.bytesPerSec)),
      ])
      await runners[i].close()
    }
    rows.push(...failed)
  } finally {
    stop()
  }
  console.log(table(['connection', 'PING round trips/s (1 in flight)', 'SET 16 KiB/s (64 in flight)', 'MB/s sent'], rows))
  if (onNode) {
    console.log(
      "\nThe client rows (reference) include each client's encoder, parser, promises and queue; " +
        'the other rows only move bytes.',
    )
  }
}

await main()
