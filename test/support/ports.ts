// Loopback ports for tests: free ones to start servers on, closed ones to be refused by, and a
// listener that accepts and then says nothing (for connect and TLS handshake timeouts).

import * as net from 'node:net'

function listenOnce(host: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject)
      resolve(server)
    })
  })
}

function close(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()))
}

function portOf(server: net.Server): number {
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('listener has no TCP port')
  return address.port
}

/**
 * A port nothing listens on right now, on every host given (default 127.0.0.1). Another
 * process may take it before we use it: starters retry on "address in use".
 */
export async function freePort(hosts: readonly string[] = ['127.0.0.1']): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = await listenOnce(hosts[0], 0)
    const port = portOf(first)
    const others: net.Server[] = []
    let ok = true
    for (const host of hosts.slice(1)) {
      try {
        others.push(await listenOnce(host, port))
      } catch {
        ok = false
        break
      }
    }
    await Promise.all([first, ...others].map(close))
    if (ok) return port
  }
  throw new Error(`no port free on all of ${hosts.join(', ')} after 20 attempts`)
}

/** A loopback port that refuses connections: it was free a moment ago and nothing listens. */
export function closedPort(host = '127.0.0.1'): Promise<number> {
  return freePort([host])
}

export interface SilentListener {
  readonly host: string
  readonly port: number
  /** Sockets accepted so far (never written to, and not read from unless `read`). */
  readonly sockets: net.Socket[]
  /** Resolves with the next accepted socket (or the first one, if one is already there). */
  accepted(): Promise<net.Socket>
  close(): Promise<void>
}

/**
 * Accepts TCP connections and never sends a byte: a TLS handshake against it never finishes.
 * With `read: false` it does not read either, so the peer's writes back up. With `keepOpen`
 * it never closes its side, not even after the peer's FIN (a half-open socket), so a graceful
 * close from the peer never completes on its own.
 */
export async function silentListener(options: { host?: string; read?: boolean; keepOpen?: boolean } = {}): Promise<SilentListener> {
  const host = options.host ?? '127.0.0.1'
  const sockets: net.Socket[] = []
  const waiters: Array<(socket: net.Socket) => void> = []
  const server = net.createServer({ allowHalfOpen: options.keepOpen === true }, (socket) => {
    sockets.push(socket)
    socket.on('error', () => {})
    if (options.read === false) socket.pause()
    else socket.on('data', () => {})
    for (const waiter of waiters.splice(0)) waiter(socket)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host, port: 0 }, () => resolve())
  })
  const port = portOf(server)
  return {
    host,
    port,
    sockets,
    accepted: () => (sockets.length > 0 ? Promise.resolve(sockets[0]) : new Promise((resolve) => waiters.push(resolve))),
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await close(server)
    },
  }
}
