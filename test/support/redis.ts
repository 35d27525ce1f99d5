// Real redis-server processes for tests, each on its own free loopback ports and temp dir: never
// 6379, never a server that happens to be running. Works under Node, Deno and Bun (only
// node:child_process, node:net and node:fs are used, which all three implement).
//
//   const redis = await startRedis({ ipv6: true, unix: true, tls: true })
//   ... connect to redis.port / redis.tlsPort / redis.socketPath ...
//   await redis.stop()
//
// A test that needs a server and cannot get one fails: startRedis throws, it never skips.

import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import * as net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type TestCerts, ensureCommand, onProcessExit, testCerts, unrefChild, watchdog } from './certs.ts'
import { freePort } from './ports.ts'

export interface RedisOptions {
  /** Also listen on ::1 (same port as 127.0.0.1). */
  ipv6?: boolean
  /** Also listen on a Unix socket in the temp dir. */
  unix?: boolean
  /**
   * Also listen with TLS on `tlsPort`, with certificates from certs.ts. `authClients`: whether
   * clients must show a certificate signed by the test CA (Redis' tls-auth-clients).
   */
  tls?: boolean | { authClients?: 'no' | 'optional' | 'yes' }
  /** ACL users besides `default`, e.g. `{ name: 'app', password: 'pw', rules: '~* +@all' }`. */
  users?: ReadonlyArray<{ name: string; password: string; rules?: string }>
  /** Password of the `default` user (requirepass). */
  password?: string
  /** Any other configuration directives, e.g. `{ 'maxmemory': '64mb' }`. */
  config?: Readonly<Record<string, string>>
  /** Give up waiting for the server after this many ms. Default 15 000. */
  startTimeout?: number
}

export interface RedisServer {
  readonly host: '127.0.0.1'
  readonly port: number
  /** `::1` when started with `ipv6`. */
  readonly ipv6Host: '::1' | undefined
  readonly socketPath: string | undefined
  readonly tlsPort: number | undefined
  readonly certs: TestCerts | undefined
  readonly pid: number
  readonly dir: string
  /** What the server printed so far (its log goes to stdout). */
  log(): string
  /** SIGTERM, then SIGKILL after a bounded wait; removes the temp dir. Safe to call twice. */
  stop(): Promise<void>
}

const live = new Set<{ child: ChildProcess; dir: string }>()
let exitHookInstalled = false

// Whatever a test forgot to stop is killed when the test process exits. `deno test` does not
// emit process 'exit', but it dispatches 'unload' on globalThis.
function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  onProcessExit(() => {
    for (const entry of live) {
      try {
        if (entry.child.exitCode === null && entry.child.pid !== undefined) process.kill(entry.child.pid, 'SIGKILL')
      } catch {
        // already gone
      }
      rmSync(entry.dir, { recursive: true, force: true })
    }
    live.clear()
  })
}

function configText(lines: Array<[string, string]>): string {
  return lines.map(([key, value]) => `${key} ${value}`).join('\n') + '\n'
}

/** Starts a redis-server; retries on a port taken in the meantime. */
export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  ensureCommand('redis-server', ['redis-server', 'redis-tools'])
  const certs = options.tls ? await testCerts() : undefined
  let lastError: Error | undefined
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      return await startOnce(options, certs)
    } catch (err) {
      lastError = err as Error
      if (!/address already in use/i.test(lastError.message)) throw lastError
    }
  }
  throw lastError
}

async function startOnce(options: RedisOptions, certs: TestCerts | undefined, samePort?: number): Promise<RedisServer> {
  const hosts = options.ipv6 ? ['127.0.0.1', '::1'] : ['127.0.0.1']
  const port = samePort ?? await freePort(hosts)
  const tlsPort = certs ? await freePort(hosts) : undefined
  const dir = mkdtempSync(join(tmpdir(), 'respkit-redis-'))
  const socketPath = options.unix ? join(dir, 'redis.sock') : undefined

  const config: Array<[string, string]> = [
    ['port', String(port)],
    ['bind', hosts.join(' ')],
    ['dir', dir],
    ['daemonize', 'no'],
    ['save', '""'],
    ['appendonly', 'no'],
    ['logfile', '""'],
    ['loglevel', 'notice'],
    ['databases', '16'],
  ]
  if (socketPath) config.push(['unixsocket', socketPath], ['unixsocketperm', '700'])
  if (certs && tlsPort !== undefined) {
    const authClients = typeof options.tls === 'object' ? options.tls.authClients ?? 'no' : 'no'
    config.push(
      ['tls-port', String(tlsPort)],
      ['tls-cert-file', certs.serverCertPath],
      ['tls-key-file', certs.serverKeyPath],
      ['tls-ca-cert-file', certs.caPath],
      ['tls-auth-clients', authClients],
    )
  }
  if (options.password !== undefined) config.push(['requirepass', quote(options.password)])
  for (const user of options.users ?? []) {
    config.push(['user', `${user.name} on >${user.password} ${user.rules ?? '~* &* +@all'}`])
  }
  for (const [key, value] of Object.entries(options.config ?? {})) config.push([key, value])
  const configPath = join(dir, 'redis.conf')
  writeFileSync(configPath, configText(config))

  installExitHook()
  const child = spawn('redis-server', [configPath], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
  const entry = { child, dir }
  live.add(entry)
  // Three nets for a forgotten server: unref (it cannot keep the test process alive), the
  // exit hook (Node, Deno), and the watchdog (any exit, Bun's included).
  unrefChild(child)
  const disarm = watchdog(child.pid, [dir])
  let output = ''
  const append = (chunk: Buffer) => {
    // Keep the head (startup errors) and the tail; a test's server never logs much anyway.
    output = output.length > 200_000 ? output.slice(0, 100_000) + output.slice(-100_000) : output
    output += chunk.toString('utf8')
  }
  child.stdout?.on('data', append)
  child.stderr?.on('data', append)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.once('error', (err) => { output += `\nspawn error: ${err.message}` })

  let stopped: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      disarm()
      await kill(child, exited)
      live.delete(entry)
      rmSync(dir, { recursive: true, force: true })
    })()
    return stopped
  }

  const deadline = Date.now() + (options.startTimeout ?? 15_000)
  try {
    await waitReady(child, () => output, socketPath ? { path: socketPath } : { host: '127.0.0.1', port }, options.password, deadline)
  } catch (err) {
    await stop()
    throw err
  }

  return {
    host: '127.0.0.1',
    port,
    ipv6Host: options.ipv6 ? '::1' : undefined,
    socketPath,
    tlsPort,
    certs,
    pid: child.pid ?? -1,
    dir,
    log: () => output,
    stop,
  }
}

/**
 * Kills `server` with SIGKILL (no shutdown, no goodbye to its clients) and starts a fresh one
 * (empty dataset) on the same port with `options`, which should be those it was started with.
 * Retries while the port is still held by the dead process' sockets, up to `timeout` ms.
 */
export async function killAndRestartRedis(server: RedisServer, options: RedisOptions = {}, timeout = 10_000): Promise<RedisServer> {
  try {
    process.kill(server.pid, 'SIGKILL')
  } catch {
    // already gone
  }
  await server.stop()
  const certs = options.tls ? await testCerts() : undefined
  const deadline = Date.now() + timeout
  for (let attempt = 0; ; attempt++) {
    try {
      return await startOnce(options, certs, server.port)
    } catch (err) {
      if (!/address already in use/i.test((err as Error).message) || Date.now() > deadline) throw err
      await new Promise((resolve) => setTimeout(resolve, Math.min(5 * 2 ** attempt, 100)))
    }
  }
}

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`
}

async function kill(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
  child.kill('SIGTERM')
  if (await within(exited, 5_000)) return
  child.kill('SIGKILL')
  if (await within(exited, 5_000)) return
  throw new Error(`redis-server pid ${child.pid} did not exit after SIGKILL`)
}

/** True if the promise settled within ms. */
function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), ms) })
  return Promise.race([promise.then(() => true, () => true), late]).finally(() => clearTimeout(timer))
}

type Endpoint = { host: string; port: number } | { path: string }

/**
 * Polls the server with a raw PING until it answers, the process exits, or the deadline
 * passes. Redis binds every listener before it serves the first command, so one answer on
 * one listener means all of them are up.
 */
async function waitReady(child: ChildProcess, log: () => string, endpoint: Endpoint, password: string | undefined, deadline: number): Promise<void> {
  let delay = 5
  let lastError = 'no attempt'
  for (let attempt = 0; attempt < 1000; attempt++) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`redis-server exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${log()}`)
    }
    const left = deadline - Date.now()
    if (left <= 0) break
    const reply = await rawCommand(endpoint, password ? `AUTH ${password}\r\nPING\r\n` : 'PING\r\n', Math.min(left, 1_000))
      .catch((err: Error) => { lastError = err.message; return undefined })
    if (reply !== undefined) {
      if (reply.includes('+PONG')) return
      lastError = `unexpected reply ${JSON.stringify(reply.slice(0, 200))}`
    }
    // Poll again soon: the delay only paces the polling, it is not what we wait for.
    await new Promise((resolve) => setTimeout(resolve, delay))
    delay = Math.min(delay * 2, 100)
  }
  throw new Error(`redis-server (pid ${child.pid}) not ready in time; last attempt: ${lastError}\n${log()}`)
}

/**
 * Sends inline commands on a fresh connection and returns what came back once the reply to
 * the last one has arrived (or the peer closed). For harness checks, not for the tests proper.
 */
export function rawCommand(endpoint: Endpoint, text: string, timeout = 5_000): Promise<string> {
  const expected = text.split('\r\n').filter(Boolean).length
  return new Promise((resolve, reject) => {
    const socket = 'path' in endpoint ? net.connect(endpoint.path) : net.connect(endpoint.port, endpoint.host)
    let received = ''
    const timer = setTimeout(() => finish(new Error(`no reply within ${timeout} ms`)), timeout)
    const finish = (err?: Error) => {
      clearTimeout(timer)
      socket.destroy()
      if (err) reject(err)
      else resolve(received)
    }
    socket.setEncoding('utf8')
    socket.on('connect', () => socket.write(text))
    socket.on('data', (data: string) => {
      received += data
      // Simple replies only (+, -, :): one line each.
      if (received.split('\r\n').length - 1 >= expected) finish()
    })
    socket.on('error', (err) => finish(err))
    socket.on('close', () => finish())
  })
}
