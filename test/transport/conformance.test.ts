// Binds the transport conformance suite to the runtime running it. Targets on every runtime:
// - real redis-server with the runtime's own connector, and with the Node transport through the
//   runtime's node:net (Deno and Bun run node.ts too);
// - the mock server over the in-memory pair (memoryConnector), behind a tiny in-memory
//   "network" that routes by address, so refused ports and silent listeners exist there too;
// - the mock server listening on real loopback TCP (and ::1, and a Unix socket), reached with
//   the runtime's own connector.
//
//   npx tsx --test test/transport/conformance.test.ts
//   deno test -A test/transport/conformance.test.ts
//   bun test ./test/transport/conformance.test.ts
//
// Runtime-specific files are imported dynamically, so Node never loads deno.ts or bun.ts.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ByteStream, ConnectOptions, Connector, StreamHandlers } from '../../src/transport/types.ts'
import { memoryConnector } from '../../src/transport/memory.ts'
import { runtime } from '../support/runtime.ts'
import { startRedis } from '../support/redis.ts'
import { closedPort, silentListener } from '../support/ports.ts'
import {
  type Capability, type ConformanceServer, type ConformanceTarget, type SilentServer, conformanceMock, conformanceSuite,
} from './conformance.ts'

async function load(file: string, name: string): Promise<Connector> {
  const url = new URL(`../../src/transport/${file}`, import.meta.url).href
  const module = (await import(url)) as Record<string, unknown>
  const connector = module[name]
  if (typeof connector !== 'function') throw new Error(`src/transport/${file} does not export ${name}`)
  return connector as Connector
}

/** Loopback helpers shared by the targets that use real sockets. */
const loopback = {
  closedPort: () => closedPort(),
  silentListener: (options?: { read?: boolean; keepOpen?: boolean }) => silentListener(options),
}

/** Real redis-server: every capability. */
function redisTarget(name: string, connector: Connector): ConformanceTarget {
  return {
    name,
    connector,
    capabilities: ['dns', 'tls', 'output-buffers', 'ipv6', 'unix'],
    ...loopback,
    async start(): Promise<ConformanceServer> {
      const [redis, mtls] = await Promise.all([
        startRedis({ ipv6: true, unix: true, tls: true }),
        startRedis({ tls: { authClients: 'yes' } }),
      ])
      return {
        port: redis.port,
        ipv6Port: redis.port,
        socketPath: redis.socketPath,
        tls: { port: redis.tlsPort!, certs: redis.certs! },
        mtls: { port: mtls.tlsPort!, certs: mtls.certs! },
        stop: async () => { await Promise.all([redis.stop(), mtls.stop()]) },
      }
    },
  }
}

/** The mock server on 127.0.0.1, ::1 and a Unix socket, through the runtime's connector. */
function mockTcpTarget(name: string, connector: Connector): ConformanceTarget {
  return {
    name,
    connector,
    capabilities: ['dns', 'ipv6', 'unix'],
    ...loopback,
    async start(): Promise<ConformanceServer> {
      const mock = conformanceMock()
      const dir = mkdtempSync(join(tmpdir(), 'respkit-mock-'))
      const socketPath = join(dir, 'mock.sock')
      const listeners = await Promise.all([
        mock.listen({ host: '127.0.0.1', port: 0 }),
        mock.listen({ host: '::1', port: 0 }),
        mock.listen({ path: socketPath }),
      ])
      return {
        port: listeners[0].port!,
        ipv6Port: listeners[1].port!,
        socketPath,
        stop: async () => {
          await Promise.all(listeners.map((l) => l.close()))
          await mock.close()
          rmSync(dir, { recursive: true, force: true })
        },
      }
    },
  }
}

/**
 * The mock server over the in-memory pair. Connecting looks the address up in a table: the mock
 * at its port (also at ::1 and at a socket path, which only checks how `remote` is named),
 * silent listeners at theirs, and anything else is refused the way a real connect is (an
 * ECONNREFUSED error, which memoryConnector normalises).
 */
function memoryTarget(name: string): ConformanceTarget {
  const routes = new Map<string, (server: ByteStream) => StreamHandlers>()
  let nextPort = 7000
  const key = (options: ConnectOptions): string => options.path ?? `${options.host ?? '127.0.0.1'} ${options.port ?? 6379}`
  const connector: Connector = (options, handlers) => {
    const route = routes.get(key(options))
    return memoryConnector((server) => {
      if (route === undefined) throw Object.assign(new Error('connect ECONNREFUSED (in memory)'), { code: 'ECONNREFUSED' })
      return route(server)
    })(options, handlers)
  }
  const capabilities: Capability[] = ['ipv6', 'unix']
  return {
    name,
    connector,
    capabilities,
    async start(): Promise<ConformanceServer> {
      const mock = conformanceMock()
      const port = nextPort++
      const socketPath = `/memory/respkit-${port}.sock`
      const serve = (server: ByteStream): StreamHandlers => {
        let handlers: StreamHandlers | undefined
        mock.serve((h) => {
          handlers = h
          return server
        })
        return handlers!
      }
      const names = [key({ host: '127.0.0.1', port }), key({ host: '::1', port }), socketPath]
      for (const n of names) routes.set(n, serve)
      return {
        port,
        ipv6Port: port,
        socketPath,
        stop: async () => {
          for (const n of names) routes.delete(n)
          await mock.close()
        },
      }
    },
    async closedPort() {
      return nextPort++
    },
    async silentListener(options?: { read?: boolean; keepOpen?: boolean }): Promise<SilentServer> {
      const port = nextPort++
      const sockets: ByteStream[] = []
      const waiters: Array<(socket: ByteStream) => void> = []
      routes.set(key({ host: '127.0.0.1', port }), (server) => {
        sockets.push(server)
        // A paused end takes nothing in: the client's writes stay queued in the pair.
        if (options?.read === false) server.pause()
        for (const wake of waiters.splice(0)) wake(server)
        return { onData() {} }
      })
      return {
        host: '127.0.0.1',
        port,
        sockets,
        accepted: () => (sockets.length > 0 ? Promise.resolve(sockets[0]) : new Promise((resolve) => waiters.push(resolve))),
        close: async () => {
          routes.delete(key({ host: '127.0.0.1', port }))
          for (const socket of sockets) socket.abort()
        },
      }
    },
  }
}

async function targets(): Promise<ConformanceTarget[]> {
  const { nodeConnector } = await import('../../src/transport/node.ts')
  const memory = memoryTarget('memory pair + mock server')
  switch (runtime) {
    case 'node':
      return [
        redisTarget('node', nodeConnector),
        memory,
        mockTcpTarget('mock server over TCP, node', nodeConnector),
      ]
    case 'deno': {
      const denoConnector = await load('deno.ts', 'denoConnector')
      return [
        redisTarget('deno', denoConnector),
        redisTarget('node:net on deno', nodeConnector),
        memory,
        mockTcpTarget('mock server over TCP, deno', denoConnector),
      ]
    }
    case 'bun': {
      const bunConnector = await load('bun.ts', 'bunConnector')
      return [
        redisTarget('bun', bunConnector),
        redisTarget('node:net on bun', nodeConnector),
        memory,
        mockTcpTarget('mock server over TCP, bun', bunConnector),
      ]
    }
  }
}

for (const target of await targets()) conformanceSuite(target)
