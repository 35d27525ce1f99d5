// Health checks of a live connection. `pingInterval`: when idle that long, send PING; no reply
// within one interval means a dead peer (no traffic, no RST), so the connection is replaced.
// `socket.socketTimeout`: replies are awaited and no byte came for that long since the last
// write or byte: replaced too.

import type { Connection } from './connection.ts'
import { CommandTimeoutError } from './errors.ts'
import type { ResolvedOptions } from './options.ts'

export interface HealthHooks {
  /** The connection is still the client's (also while it closes). */
  isCurrent(): boolean
  /** The client is ready: idle pings make sense. */
  isReady(): boolean
  /** Commands queued and not yet written. */
  waiting(): number
  /** PING on this connection, failing with CommandTimeoutError after `timeout` ms. */
  ping(timeout: number): Promise<unknown>
}

/** Starts the checks the options ask for; returns the function that stops them. */
export function startHealthChecks(connection: Connection, options: ResolvedOptions, hooks: HealthHooks): () => void {
  let pingTimer: ReturnType<typeof setInterval> | undefined
  let socketTimer: ReturnType<typeof setInterval> | undefined
  const ping = options.pingInterval
  if (ping > 0) {
    pingTimer = setInterval(() => {
      if (!hooks.isCurrent() || !hooks.isReady() || connection.inflight.length > 0 || hooks.waiting() > 0) return
      hooks.ping(ping).catch((err) => {
        if (hooks.isCurrent() && err instanceof CommandTimeoutError) {
          connection.destroy(new Error(`no reply to the health-check PING within ${ping} ms (pingInterval)`))
        }
      })
    }, ping)
  }
  const idle = options.socketTimeout
  if (idle > 0) {
    connection.lastData = Date.now()
    socketTimer = setInterval(() => {
      if (!hooks.isCurrent()) return
      if (connection.inflight.length > 0 && Date.now() - connection.lastData > idle) {
        connection.destroy(new Error(`no data from the server for ${idle} ms while replies were awaited (socket.socketTimeout)`))
      }
    }, Math.max(10, Math.floor(idle / 4)))
  }
  return () => {
    if (pingTimer !== undefined) clearInterval(pingTimer)
    if (socketTimer !== undefined) clearInterval(socketTimer)
  }
}
