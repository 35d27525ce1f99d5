// Errors of the client. Each says what happened to the command, because that is what a caller
// must decide on: a command rejected before it was written never ran; one rejected after it was
// written may or may not have run (OutcomeUnknownError, or a timeout or abort with `written`).

import { RespkitError, brand } from '../resp/errors.ts'

export class ClientError extends RespkitError {}
brand(ClientError, 'ClientError')

/** The client was closed (or destroyed) before this command could be sent. It never ran. */
export class ClientClosedError extends ClientError {
  constructor(message = 'the client is closed: create a new client, or call connect() again', options?: ErrorOptions) {
    super(message, options)
  }
}
brand(ClientClosedError, 'ClientClosedError')

/** Not connected and `disableOfflineQueue` is set: the command was refused, it never ran. */
export class ClientOfflineError extends ClientError {
  constructor() {
    super('the client is not connected and disableOfflineQueue is set: the command was not sent; wait for the `ready` event')
  }
}
brand(ClientOfflineError, 'ClientOfflineError')

/** More commands are waiting than `commandsQueueMaxLength` allows: this one was refused, it never ran. */
export class QueueFullError extends ClientError {
  readonly maxLength: number
  constructor(maxLength: number) {
    super(`${maxLength} commands are already waiting (commandsQueueMaxLength): this one was not sent; slow down or raise the limit`)
    this.maxLength = maxLength
  }
}
brand(QueueFullError, 'QueueFullError')

/** Waited in the offline queue longer than `offlineQueueTimeout`: it was never sent. */
export class OfflineTimeoutError extends ClientError {
  constructor(ms: number, options?: ErrorOptions) {
    super(`the server could not be reached for ${ms} ms (offlineQueueTimeout): the command was not sent`, options)
  }
}
brand(OfflineTimeoutError, 'OfflineTimeoutError')

/**
 * The command was written to a connection that broke before its reply came: it may or may not
 * have run on the server. It is never sent again on its own; check and retry if that is safe.
 */
export class OutcomeUnknownError extends ClientError {
  /** The command's name, upper-cased. */
  readonly command: string
  constructor(command: string, cause: unknown) {
    super(`${command} was sent but the connection broke before its reply: it may or may not have run`, { cause })
    this.command = command
  }
}
brand(OutcomeUnknownError, 'OutcomeUnknownError')

/**
 * No reply within the command's timeout. `written` says whether it had been sent: if so it may
 * still run, and the connection was replaced so that its late reply reaches no one.
 */
export class CommandTimeoutError extends ClientError {
  readonly command: string
  readonly timeout: number
  readonly written: boolean
  constructor(command: string, timeout: number, written: boolean) {
    super(written
      ? `${command} got no reply within ${timeout} ms: it was sent and may still run; the connection was replaced`
      : `${command} could not be sent within ${timeout} ms: it never ran`)
    this.command = command
    this.timeout = timeout
    this.written = written
  }
}
brand(CommandTimeoutError, 'CommandTimeoutError')

/** The caller's AbortSignal fired. `written` as for timeouts; the signal's reason is the cause. */
export class CommandAbortedError extends ClientError {
  readonly command: string
  readonly written: boolean
  constructor(command: string, written: boolean, reason: unknown) {
    super(written
      ? `${command} was aborted after it was sent: it may still run; the connection was replaced`
      : `${command} was aborted before it was sent: it never ran`, { cause: reason })
    this.command = command
    this.written = written
  }
}
brand(CommandAbortedError, 'CommandAbortedError')

/**
 * The connection handshake (HELLO, AUTH, CLIENT SETNAME, SELECT) was refused for a reason that
 * retrying will not fix: a wrong password, an unknown user, a database that does not exist.
 * The server's reply is the cause.
 */
export class HandshakeError extends ClientError {
  /** The handshake step that failed: `HELLO`, `AUTH`, `CLIENT SETNAME` or `SELECT`. */
  readonly step: string
  constructor(step: string, message: string, cause: unknown) {
    super(message, { cause })
    this.step = step
  }
}
brand(HandshakeError, 'HandshakeError')

/** The credentials were refused (WRONGPASS, NOAUTH, NOPERM...). Never holds the password. */
export class AuthenticationError extends HandshakeError {}
brand(AuthenticationError, 'AuthenticationError')

/** The reconnect strategy gave up (returned `false`); the last connection error is the cause. */
export class ReconnectGaveUpError extends ClientError {
  readonly attempts: number
  constructor(attempts: number, cause: unknown) {
    super(`gave up reconnecting after ${attempts} attempt${attempts === 1 ? '' : 's'} (reconnectStrategy returned false)`, { cause })
    this.attempts = attempts
  }
}
brand(ReconnectGaveUpError, 'ReconnectGaveUpError')

/**
 * A transaction or pipeline was cut by a broken connection before this command of it was
 * written: it never ran, and it is not sent alone on a new connection.
 */
export class BatchCutError extends ClientError {
  readonly command: string
  constructor(command: string, cause: unknown) {
    super(`${command} was not sent: its transaction or pipeline was cut by a broken connection (it never ran)`, { cause })
    this.command = command
  }
}
brand(BatchCutError, 'BatchCutError')

/**
 * EXEC did not run the transaction because a watched key changed, or because the connection
 * was re-established after WATCH (the watch was lost with the old connection).
 */
export class WatchError extends ClientError {}
brand(WatchError, 'WatchError')

/**
 * EXEC refused the whole transaction (EXECABORT) because commands failed when queued:
 * `errors[i]` is the error of the i-th command, or undefined for those that queued fine.
 */
export class ExecAbortError extends ClientError {
  readonly errors: ReadonlyArray<Error | undefined>
  constructor(message: string, errors: ReadonlyArray<Error | undefined>, cause: unknown) {
    super(message, { cause })
    this.errors = errors
  }
}
brand(ExecAbortError, 'ExecAbortError')

/** A WATCH, MULTI or pub/sub rule of the connection forbids this command now. */
export class ClientStateError extends ClientError {}
brand(ClientStateError, 'ClientStateError')
