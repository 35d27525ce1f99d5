// The mock server on a real socket. node:net is also there on Deno and Bun.
import { nodeListen, type NodeListener } from '../transport/node.ts'
import type { MockServer } from './mock-server.ts'

export interface ListenOptions {
  /** Default 127.0.0.1. */
  host?: string
  /** Default 0: a free port, read it back from `port`. */
  port?: number
  /** A Unix socket path instead of host and port. */
  path?: string
}

export function listenTcp(server: MockServer, options: ListenOptions = {}): Promise<NodeListener> {
  return nodeListen(options, (open) => server.serve(open))
}
