// What the client does when a command fails, in one table: by the server's error prefix when it
// answered, by the I/O phase when it did not. An error reply proves the command did not run
// (except where the table says otherwise), so those rows may retry; a command written to a
// connection that then broke may have run, so it is never resent unless the user opted in.

import { ReplyError } from '../resp/index.ts'
import { TlsError } from '../transport/errors.ts'
import { HandshakeError } from './errors.ts'

export type Action =
  /** Reject the command with the server's error. */
  | 'fail'
  /** Send it again after a backoff, while its timeout allows (the server is busy or loading). */
  | 'retry-after-backoff'
  /** Replace the connection (redo the handshake), then send it again. */
  | 'reconnect-and-retry'

/**
 * Server error prefixes with an action other than `fail`. Everything else (ERR, WRONGTYPE,
 * NOPERM, WRONGPASS, OOM, EXECABORT, NOSCRIPT, MOVED, ASK, CROSSSLOT...) fails: retrying would
 * give the same answer, or a layer above handles it (scripts reload on NOSCRIPT; the cluster
 * client follows MOVED and ASK and retries TRYAGAIN and CLUSTERDOWN itself).
 */
export const SERVER_ERROR_ACTIONS: Readonly<Record<string, Action>> = Object.freeze({
  /** The server is loading its dataset into memory: it runs nothing yet. */
  LOADING: 'retry-after-backoff',
  /** A script or function is running: the server runs nothing else until it ends. */
  BUSY: 'retry-after-backoff',
  /** A replica whose link to its master is down refuses reads (replica-serve-stale-data no). */
  MASTERDOWN: 'retry-after-backoff',
  /** We reach a replica where we expected a master (a failover moved it): reconnect to re-resolve. */
  READONLY: 'reconnect-and-retry',
  /** The server forgot our authentication (it restarted with a password): redo the handshake. */
  NOAUTH: 'reconnect-and-retry',
})

/** I/O phases and what happens to a command in each (documentation of the client's rules). */
export const IO_PHASE_ACTIONS = Object.freeze({
  /** Could not connect: the command waits in the offline queue while the reconnect strategy runs. */
  'connect-failed': 'wait for the reconnect, then send',
  /** The connection broke before the command was written: it is sent on the next connection. */
  'not-written': 'send after the reconnect',
  /** The connection broke after the command was written: OutcomeUnknownError (or resent if retryWritten allows). */
  'written-no-reply': 'fail with OutcomeUnknownError',
} as const)

export function actionFor(error: unknown): Action {
  if (!(error instanceof ReplyError)) return 'fail'
  return SERVER_ERROR_ACTIONS[error.code] ?? 'fail'
}

/** Most attempts of a command that the server keeps refusing with a retryable error. */
export const MAX_SERVER_RETRIES = 20

/**
 * Most resends of a written command whose connection broke (retryWritten). A read whose reply
 * breaks the connection every time (one over replyLimits, say) would otherwise loop forever;
 * past this it fails with OutcomeUnknownError.
 */
export const MAX_RESENDS = 3

/** Backoff before retry `attempt` (1 first) of a refused command, in ms. */
export function serverRetryDelay(attempt: number): number {
  return Math.min(1_000, 25 * 2 ** Math.min(attempt, 10))
}

/** Errors that retrying cannot fix: connecting again would fail the same way. */
export function isPermanent(error: unknown): boolean {
  if (error instanceof HandshakeError) return true
  // An untrusted certificate, a wrong host name, or a client certificate the server demands.
  return error instanceof TlsError && (error.failure !== 'handshake' || /client certificate/i.test(error.message))
}
