// Connection errors, normalised from whatever the runtime threw (kept as `cause`). Messages
// name the address and what to check; nothing in options that could hold a secret goes in.

import { RespkitError, brand } from '../resp/errors.ts'

export class ConnectionError extends RespkitError {
  /** `host:port`, `[::1]:port` or the socket path. */
  readonly address: string
  /** The runtime's error code when it had one (`ECONNREFUSED`...). */
  readonly code: string | undefined
  constructor(message: string, address: string, options?: { cause?: unknown; code?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.address = address
    this.code = options?.code ?? errorCode(options?.cause)
  }
}
brand(ConnectionError, 'ConnectionError')

export class ConnectionRefusedError extends ConnectionError {}
brand(ConnectionRefusedError, 'ConnectionRefusedError')
export class HostNotFoundError extends ConnectionError {}
brand(HostNotFoundError, 'HostNotFoundError')
export class ConnectTimeoutError extends ConnectionError {}
brand(ConnectTimeoutError, 'ConnectTimeoutError')
export class ConnectAbortedError extends ConnectionError {}
brand(ConnectAbortedError, 'ConnectAbortedError')
export class ConnectionResetError extends ConnectionError {}
brand(ConnectionResetError, 'ConnectionResetError')
export class ConnectionClosedError extends ConnectionError {}
brand(ConnectionClosedError, 'ConnectionClosedError')

/** What part of TLS failed: the certificate chain, the name in it, or the handshake itself. */
export type TlsFailure = 'certificate' | 'hostname' | 'handshake'
export class TlsError extends ConnectionError {
  readonly failure: TlsFailure
  constructor(failure: TlsFailure, message: string, address: string, options?: { cause?: unknown; code?: string }) {
    super(message, address, options)
    this.failure = failure
  }
}
brand(TlsError, 'TlsError')

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

const HOSTNAME_CODES = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_TLS_CERT_ALTNAME_FORMAT'])
const CERT_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED', 'CERT_REJECTED', 'CERT_SIGNATURE_FAILURE', 'INVALID_CA',
])

/**
 * Map a runtime's error to ours, by its code, name and message (Node and Bun set POSIX-like
 * codes; Deno sets error class names). `phase` says whether the stream was up yet.
 */
export function toConnectionError(err: unknown, address: string, phase: 'connect' | 'open', tls = false): ConnectionError {
  if (err instanceof ConnectionError) return err
  const code = errorCode(err) ?? ''
  const name = (err as { name?: unknown } | null)?.name
  const text = String((err as { message?: unknown } | null)?.message ?? err)
  const lower = text.toLowerCase()
  const opts = { cause: err, code: code || undefined }
  // A TLS peer that closes without close_notify (Redis does; Deno names it) is a close, not a failure.
  if (phase === 'open' && name === 'UnexpectedEof') {
    return new ConnectionClosedError(`connection to ${address} closed by the server`, address, opts)
  }
  if (code === 'ECONNREFUSED' || name === 'ConnectionRefused' || lower.includes('connection refused')) {
    return new ConnectionRefusedError(`connection to ${address} refused: is the server running and listening there?`, address, opts)
  }
  if ((code === 'ENOENT' || name === 'NotFound') && phase === 'connect' && !address.includes(':')) {
    return new ConnectionRefusedError(`no server at ${address}: the socket file does not exist; is the server running with this unixsocket?`, address, opts)
  }
  // TLS before DNS: certificate messages name `DNS:localhost` and such.
  if (/certificate.?required/.test(lower)) {
    return new TlsError('handshake', `TLS to ${address} failed: the server requires a client certificate; set tls.cert and tls.key`, address, opts)
  }
  if (HOSTNAME_CODES.has(code) || lower.includes('hostname mismatch') || lower.includes('not valid for name') ||
      lower.includes('altname') || lower.includes('certificate is not valid for')) {
    return new TlsError('hostname', `TLS to ${address} failed: the server certificate does not match the host name; set tls.servername to a name it holds`, address, opts)
  }
  if (CERT_CODES.has(code) || code.startsWith('CERT_') || lower.includes('certificate') || lower.includes('unknown issuer') ||
      lower.includes('unknownissuer') || lower.includes('self signed') || lower.includes('self-signed')) {
    return new TlsError('certificate', `TLS to ${address} failed: the server certificate is not trusted; pass its CA in tls.ca`, address, opts)
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL' || code === 'DNSException' ||
      lower.includes('failed to lookup address') || lower.includes('name or service not known') || lower.includes('getaddrinfo')) {
    return new HostNotFoundError(`host of ${address} not found: check the host name and DNS`, address, opts)
  }
  if (tls && (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || lower.includes('tls') || lower.includes('ssl') || lower.includes('handshake') || name === 'InvalidData')) {
    return new TlsError('handshake', `TLS handshake with ${address} failed: ${text}`, address, opts)
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || name === 'ConnectionReset' || name === 'BrokenPipe' ||
      lower.includes('connection reset') || lower.includes('broken pipe')) {
    return new ConnectionResetError(`connection to ${address} reset by the peer`, address, opts)
  }
  const what = phase === 'connect' ? 'could not connect to' : 'connection to'
  return new ConnectionError(`${what} ${address} failed: ${text}`, address, opts)
}
