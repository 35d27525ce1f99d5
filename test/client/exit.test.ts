// @node-only: spawns `node --import tsx` on a script, which Deno and Bun run differently.
//
// After close() or destroy(), no timer or socket may keep the process alive. A child process
// runs the client through the paths that arm timers (command timeouts given up after the write,
// pingInterval, socketTimeout, offlineQueueTimeout, a server-error backoff, a reconnect strategy
// that gives up, a handshake that never comes), then closes or destroys, prints `done` and
// returns. It must exit on its own, promptly: nothing calls process.exit.

import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { after, before, describe, test } from '../support/runtime.ts'
import { startRedis, type RedisServer } from '../support/redis.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))
const src = (path: string): string => pathToFileURL(join(root, 'src', path)).href

function script(port: number): string {
  return `
import { createClient } from ${JSON.stringify(src('client/index.ts'))}
import { ReplyError } from ${JSON.stringify(src('resp/index.ts'))}
import { createMockServer, hang, delayed } from ${JSON.stringify(src('testing/index.ts'))}
import * as net from 'node:net'

const settle = (p) => p.then(() => 'ok', (e) => e.name)
const log = []

// 1. A real server: commands, every timer-arming option, then close().
{
  const client = createClient({ socket: { port: ${port}, socketTimeout: 5_000 }, pingInterval: 20, offlineQueueTimeout: 5_000, commandOptions: { timeout: 5_000 } })
  client.on('error', () => {})
  await client.connect()
  await client.sendCommand(['SET', 'exit:k', 'v'])
  log.push(await client.sendCommand(['GET', 'exit:k']))
  await new Promise((r) => setTimeout(r, 50)) // let pingInterval fire
  await client.close()
}
// 2. The mock: a command in a BUSY backoff, a command given up on after its write (its grace
//    check armed for one more timeout, 1.2 s), then destroy().
{
  const mock = createMockServer((c) => c.name === 'HANG' ? hang() : c.name === 'BUSY' ? new ReplyError('BUSY busy') : c.name === 'SLOW' ? delayed(20, 'x') : 'OK')
  const client = createClient({ connector: mock.connector(), pingInterval: 5_000, socket: { socketTimeout: 5_000 } })
  client.on('error', () => {})
  await client.connect()
  const busy = settle(client.sendCommand(['BUSY']))
  log.push(await client.sendCommand(['SLOW']))
  log.push(await settle(client.sendCommand(['HANG'], { timeout: 1_200 })))
  client.destroy()
  log.push(typeof (await busy))
}
// 3. A timed-out command whose reply never comes, then close(): close waits for the grace check.
{
  const mock = createMockServer((c) => c.name === 'HANG' ? hang() : 'OK')
  const client = createClient({ connector: mock.connector() })
  client.on('error', () => {})
  await client.connect()
  log.push(await settle(client.sendCommand(['HANG'], { timeout: 20 })))
  await client.close()
}
// 4. A port nobody listens on, a strategy that gives up.
{
  const server = net.createServer()
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  const port = server.address().port
  await new Promise((r) => server.close(r))
  const client = createClient({ socket: { port, reconnectStrategy: (n) => n < 2 ? 10 : false } })
  client.on('error', () => {})
  log.push(await settle(client.connect()))
}
// 5. A server that accepts and never answers the handshake (connectTimeout 5 s), destroyed while waiting.
{
  const sockets = []
  const server = net.createServer((s) => sockets.push(s))
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  const client = createClient({ socket: { port: server.address().port, connectTimeout: 5_000 } })
  client.on('error', () => {})
  const connecting = settle(client.connect())
  while (sockets.length === 0) await new Promise((r) => setTimeout(r, 5))
  client.destroy()
  log.push(await connecting)
  for (const s of sockets) s.destroy()
  server.close()
}
console.log(JSON.stringify(log))
console.log('done')
`
}

describe('client lifecycle: nothing keeps the process alive', () => {
  let redis: RedisServer
  let dir: string
  before(async () => {
    redis = await startRedis()
    dir = mkdtempSync(join(tmpdir(), 'respkit-exit-'))
  })
  after(async () => {
    await redis?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  test('a script that connects, runs commands through every timer path, closes or destroys, exits by itself promptly', async () => {
    const file = join(dir, 'exit.mts')
    writeFileSync(file, script(redis.port))
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    let doneAt = 0
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d
      if (doneAt === 0 && out.includes('done\n')) doneAt = Date.now()
    })
    child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d })
    const code = await new Promise<number | string>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        resolve('killed: still running after 20 s')
      }, 20_000)
      child.once('exit', (c, signal) => {
        clearTimeout(timer)
        resolve(c ?? String(signal))
      })
    })
    assert.equal(code, 0, `exit ${code}\nstdout: ${out}\nstderr: ${err}`)
    assert.ok(doneAt > 0, `the script did not finish: ${out}\n${err}`)
    const lingered = Date.now() - doneAt
    // Armed timers were 1.2 s or more: anything left behind would hold the process that long.
    assert.ok(lingered < 900, `the process lived ${lingered} ms after the client was closed`)
    const log = JSON.parse(out.split('\n').find((l) => l.startsWith('['))!)
    assert.deepEqual(log, ['v', 'x', 'CommandTimeoutError', 'string', 'CommandTimeoutError', 'ReconnectGaveUpError', 'ClientClosedError'])
  }, { timeout: 30_000 })
})
