// respkit's client cost per command with no network and no server: a fake connector answers
// each GET as soon as it is written (on the next macrotask, as a socket would), so what is
// measured is the client alone: method, send, queue, flush, encode, write, decode, dispatch,
// promise. For comparing copies of src/ (proposed changes) where a real server and the kernel
// add more noise than the change is worth.
//
//   npx tsx bench/client-overhead.ts [src dir ...]      # default: ./src
//   BENCH_OVERHEAD_ROUNDS=5  BENCH_OVERHEAD_OPS=400000  BENCH_OVERHEAD_API=send|typed
//
// Each (src dir, case) runs in a fresh process per round, rounds interleaved; medians shown.

import process from 'node:process'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { resolve } from 'node:path'
import { setImmediate } from 'node:timers'
import { table } from './common.ts'

const KEY = 'bench:key:0001'
const VALUE = 'value:0123456789'
const ascii = (s: string) => new TextEncoder().encode(s)
const GET_BYTES = ascii(`*2\r\n$3\r\nGET\r\n$${KEY.length}\r\n${KEY}\r\n`).length
const REPLY = ascii(`$${VALUE.length}\r\n${VALUE}\r\n`)
const HELLO_REPLY = ascii('%3\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$5\r\n7.0.0\r\n$5\r\nproto\r\n:3\r\n')
const CASES = ['GET, 1000 in flight', 'GET, sequential'] as const

/** A ByteStream that answers the handshake, then one GET reply per GET_BYTES written. */
function fakeConnector() {
  const replies = new Uint8Array(REPLY.length * 4096)
  for (let i = 0; i < 4096; i++) replies.set(REPLY, i * REPLY.length)
  return async (_options: unknown, handlers: { onData(chunk: Uint8Array): void }) => {
    let handshaken = false
    let pending = 0
    let scheduled = false
    const deliver = (): void => {
      scheduled = false
      while (pending > 0) {
        const n = Math.min(pending, 4096)
        pending -= n
        handlers.onData(replies.subarray(0, n * REPLY.length))
      }
    }
    const written = (bytes: number): void => {
      if (!handshaken) {
        handshaken = true
        setImmediate(() => handlers.onData(HELLO_REPLY))
        return
      }
      if (bytes % GET_BYTES !== 0) throw new Error(`fake server: ${bytes} bytes is not a whole number of GETs`)
      pending += bytes / GET_BYTES
      if (!scheduled) {
        scheduled = true
        setImmediate(deliver)
      }
    }
    let settle!: (e: Error | undefined) => void
    const closed = new Promise<Error | undefined>((r) => (settle = r))
    return {
      write(chunk: Uint8Array) {
        written(chunk.length)
        return true
      },
      writev(chunks: readonly Uint8Array[]) {
        let n = 0
        for (const c of chunks) n += c.length
        written(n)
        return true
      },
      writableLength: 0,
      drain: () => Promise.resolve(),
      pause() {},
      resume() {},
      end: async () => settle(undefined),
      abort: (reason?: Error) => settle(reason),
      closed,
      remote: 'fake',
    }
  }
}

async function child(src: string, which: string, ops: number): Promise<void> {
  const { createClient } = await import(new URL('client/index.ts', `file://${src.endsWith('/') ? src : `${src}/`}`).href)
  const client = createClient({ connector: fakeConnector() })
  await client.connect()
  const send = process.env.BENCH_OVERHEAD_API === 'send'
  const get = send ? () => client.sendCommand(['GET', KEY]) : () => client.get(KEY)
  const run = async (n: number): Promise<void> => {
    if (which === CASES[1]) {
      for (let i = 0; i < n; i++) if ((await get()).length !== 16) throw new Error('reply')
      return
    }
    let next = 0
    const worker = async (): Promise<void> => {
      while (next++ < n) if ((await get()).length !== 16) throw new Error('reply')
    }
    await Promise.all(Array.from({ length: 1000 }, worker))
  }
  await run(ops / 4)
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await run(ops)
  const wall = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  process.stdout.write(`RESULT ${JSON.stringify({ nsPerOp: (wall * 1e6) / ops, cpuNsPerOp: ((cpu.user + cpu.system) * 1e3) / ops })}\n`)
  process.exit(0)
}

async function main(): Promise<void> {
  const dirs = process.argv.slice(2).length > 0 ? process.argv.slice(2).map((d) => resolve(d)) : [fileURLToPath(new URL('../src/', import.meta.url))]
  const rounds = Number(process.env.BENCH_OVERHEAD_ROUNDS ?? 5)
  const ops = Number(process.env.BENCH_OVERHEAD_OPS ?? 400_000)
  const results = new Map<string, { nsPerOp: number; cpuNsPerOp: number }[]>()
  for (let r = 0; r < rounds; r++) {
    for (const which of CASES) {
      for (const dir of dirs) {
        const n = which === CASES[1] ? ops / 4 : ops
        const out = await new Promise<string>((res, rej) => {
          const p = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
            env: { ...process.env, BENCH_OVERHEAD_CHILD: JSON.stringify({ dir, which, ops: n }) },
            stdio: ['ignore', 'pipe', 'inherit'],
          })
          let s = ''
          p.stdout!.on('data', (c: Uint8Array) => (s += new TextDecoder().decode(c)))
          p.once('close', (code) => (code === 0 ? res(s) : rej(new Error(`child exited with ${code}`))))
        })
        const line = out.split('\n').find((l) => l.startsWith('RESULT '))!
        const key = `${which}\t${dir}`
        results.set(key, [...(results.get(key) ?? []), JSON.parse(line.slice(7))])
      }
    }
  }
  const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const rows = [...results].map(([key, rs]) => {
    const [which, dir] = key.split('\t')
    return [which, dir, med(rs.map((r) => r.nsPerOp)).toFixed(0), med(rs.map((r) => r.cpuNsPerOp)).toFixed(0)]
  })
  console.log(`respkit client overhead, fake connector, ${rounds} rounds, API ${process.env.BENCH_OVERHEAD_API ?? 'typed'}, medians\n`)
  console.log(table(['case', 'src', 'wall ns/op', 'CPU ns/op'], rows))
}

if (process.env.BENCH_OVERHEAD_CHILD) {
  const { dir, which, ops } = JSON.parse(process.env.BENCH_OVERHEAD_CHILD)
  await child(dir, which, ops)
} else await main()
