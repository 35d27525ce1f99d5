// The commands that open every connection, replayed on each reconnect before anything queued:
// HELLO 3 with AUTH and SETNAME (falling back to RESP2's AUTH and CLIENT SETNAME when the server
// has no RESP3), then SELECT. Refusals that retrying cannot fix become HandshakeErrors.

import { ReplyError, type CommandArgument } from '../resp/index.ts'
import { AuthenticationError, HandshakeError } from './errors.ts'
import type { ResolvedOptions, Secret } from './options.ts'

export type Send = (args: CommandArgument[]) => Promise<unknown>

export interface HandshakeResult {
  /** The protocol in force. */
  resp: 2 | 3
  /** RESP3 was asked for, but the server only speaks RESP2. */
  fellBack: boolean
  /** The HELLO reply's fields (server, version, id...), when HELLO ran. */
  server: Record<string, unknown> | undefined
}

const AUTH_CODES = new Set(['WRONGPASS', 'NOAUTH', 'NOPERM'])

function isAuthFailure(err: ReplyError): boolean {
  return AUTH_CODES.has(err.code) || /invalid (username-)?password|without any password configured/i.test(err.message)
}

function authError(step: string, err: ReplyError, password: Secret): AuthenticationError {
  const hint = !password.isSet
    ? 'the server requires a password: set `password` (and `username` for an ACL user), or put them in the URL'
    : err.code === 'NOPERM'
      ? 'the user lacks permission for the handshake commands; check its ACL rules'
      : 'check `username` and `password`'
  return new AuthenticationError(step, `authentication failed (${err.code}): ${hint}`, err)
}

/**
 * The server's refusal of a command that carried the password, without the password: some
 * servers and proxies repeat a refused command's arguments in the error (Redis does for
 * unknown commands), and the error becomes a message, a cause, an event.
 */
function scrubbed(err: ReplyError, password: Secret): ReplyError {
  const secret = password.value
  if (secret === undefined || secret === '' || !err.message.includes(secret)) return err
  return new ReplyError(err.message.split(secret).join('[redacted]'))
}

/** Runs the handshake. Rejects with a HandshakeError (permanent) or whatever a transient failure was. */
export async function runHandshake(send: Send, options: ResolvedOptions, password: Secret, database: number): Promise<HandshakeResult> {
  const result: HandshakeResult = { resp: 2, fellBack: false, server: undefined }
  let needResp2Setup = true
  if (options.RESP === 3) {
    const hello: CommandArgument[] = ['HELLO', '3']
    if (password.isSet) hello.push('AUTH', options.username ?? 'default', password.value!)
    if (options.name !== undefined) hello.push('SETNAME', options.name)
    try {
      const reply = await send(hello)
      result.resp = 3
      result.server = reply !== null && typeof reply === 'object' ? (reply as Record<string, unknown>) : undefined
      needResp2Setup = false
    } catch (thrown) {
      if (!(thrown instanceof ReplyError)) throw thrown
      const err = scrubbed(thrown, password)
      if (err.code === 'NOPROTO' || /unknown command/i.test(err.message)) {
        result.fellBack = true
      } else if (isAuthFailure(err)) {
        throw authError('HELLO', err, password)
      } else if (err.code === 'LOADING' || err.code === 'BUSY') {
        throw err
      } else {
        throw new HandshakeError('HELLO', `the server refused HELLO: ${err.message}`, err)
      }
    }
  }
  if (needResp2Setup) {
    if (password.isSet) {
      const auth: CommandArgument[] = options.username === undefined ? ['AUTH', password.value!] : ['AUTH', options.username, password.value!]
      try {
        await send(auth)
      } catch (thrown) {
        const err = thrown instanceof ReplyError ? scrubbed(thrown, password) : thrown
        if (err instanceof ReplyError && err.code !== 'LOADING' && err.code !== 'BUSY') throw authError('AUTH', err, password)
        throw err
      }
    }
    if (options.name !== undefined) await step(send, 'CLIENT SETNAME', ['CLIENT', 'SETNAME', options.name])
  }
  if (database !== 0) await step(send, 'SELECT', ['SELECT', String(database)])
  if (options.readonly) await step(send, 'READONLY', ['READONLY'])
  return result
}

async function step(send: Send, name: string, args: CommandArgument[]): Promise<void> {
  try {
    await send(args)
  } catch (err) {
    if (err instanceof ReplyError && err.code !== 'LOADING' && err.code !== 'BUSY') {
      if (err.code === 'NOAUTH') throw new AuthenticationError(name, 'the server requires a password: set `password` (and `username` for an ACL user), or put them in the URL', err)
      throw new HandshakeError(name, `the server refused ${name}: ${err.message}`, err)
    }
    throw err
  }
}
