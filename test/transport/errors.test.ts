// toConnectionError: what each runtime throws (Node and Bun: POSIX-like codes; Deno: error
// class names and rustls messages) maps to our classes, keeping the original as `cause`.
// And the branded `instanceof`, which must hold across two copies of the package.

import assert from 'node:assert/strict'
import { describe, test } from '../support/runtime.ts'
import { RespkitError, brand } from '../../src/resp/errors.ts'
import {
  ConnectAbortedError, ConnectTimeoutError, ConnectionClosedError, ConnectionError, ConnectionRefusedError,
  ConnectionResetError, HostNotFoundError, TlsError, toConnectionError,
} from '../../src/transport/errors.ts'

const ADDRESS = '127.0.0.1:6380'

/** An error as a runtime would throw it. */
function runtimeError(message: string, fields: { code?: string; name?: string } = {}): Error {
  const err = new Error(message)
  if (fields.code !== undefined) Object.assign(err, { code: fields.code })
  if (fields.name !== undefined) err.name = fields.name
  return err
}

type Expected = { cls: abstract new (...args: never[]) => Error; name: string; failure?: string }
const REFUSED: Expected = { cls: ConnectionRefusedError, name: 'ConnectionRefusedError' }
const NOT_FOUND: Expected = { cls: HostNotFoundError, name: 'HostNotFoundError' }
const RESET: Expected = { cls: ConnectionResetError, name: 'ConnectionResetError' }
const CERTIFICATE: Expected = { cls: TlsError, name: 'TlsError', failure: 'certificate' }
const HOSTNAME: Expected = { cls: TlsError, name: 'TlsError', failure: 'hostname' }
const HANDSHAKE: Expected = { cls: TlsError, name: 'TlsError', failure: 'handshake' }
const GENERIC: Expected = { cls: ConnectionError, name: 'ConnectionError' }

const cases: Array<{ what: string; err: unknown; tls?: boolean; expected: Expected }> = [
  // Node and Bun
  { what: 'Node ECONNREFUSED', err: runtimeError('connect ECONNREFUSED 127.0.0.1:6380', { code: 'ECONNREFUSED' }), expected: REFUSED },
  { what: 'Node ENOTFOUND', err: runtimeError('getaddrinfo ENOTFOUND nosuchhost.invalid', { code: 'ENOTFOUND' }), expected: NOT_FOUND },
  { what: 'Node EAI_AGAIN', err: runtimeError('getaddrinfo EAI_AGAIN somehost', { code: 'EAI_AGAIN' }), expected: NOT_FOUND },
  { what: 'Node ECONNRESET', err: runtimeError('read ECONNRESET', { code: 'ECONNRESET' }), expected: RESET },
  { what: 'Node EPIPE', err: runtimeError('write EPIPE', { code: 'EPIPE' }), expected: RESET },
  {
    what: 'Node hostname mismatch (message names DNS: altnames)',
    err: runtimeError("Hostname/IP does not match certificate's altnames: Host: wrong.example. is not in the cert's altnames: DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1", { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }),
    tls: true,
    expected: HOSTNAME,
  },
  {
    what: 'Node IP mismatch',
    err: runtimeError("IP: 10.0.0.1 is not in the cert's list: 127.0.0.1", { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }),
    tls: true,
    expected: HOSTNAME,
  },
  { what: 'Node unknown CA', err: runtimeError('unable to verify the first certificate', { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }), tls: true, expected: CERTIFICATE },
  { what: 'Node self-signed in chain', err: runtimeError('self-signed certificate in certificate chain', { code: 'SELF_SIGNED_CERT_IN_CHAIN' }), tls: true, expected: CERTIFICATE },
  { what: 'Node self-signed leaf', err: runtimeError('self-signed certificate', { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), tls: true, expected: CERTIFICATE },
  { what: 'Node expired', err: runtimeError('certificate has expired', { code: 'CERT_HAS_EXPIRED' }), tls: true, expected: CERTIFICATE },
  { what: 'Node TLS to a plain port', err: runtimeError('wrong version number', { code: 'ERR_SSL_WRONG_VERSION_NUMBER' }), tls: true, expected: HANDSHAKE },
  { what: 'Node socket hang up during TLS', err: runtimeError('Client network socket disconnected before secure TLS connection was established', { code: 'ECONNRESET' }), tls: true, expected: HANDSHAKE },
  // Deno
  { what: 'Deno ConnectionRefused', err: runtimeError('Connection refused (os error 111)', { name: 'ConnectionRefused' }), expected: REFUSED },
  { what: 'Deno lookup failure', err: runtimeError('failed to lookup address information: Name or service not known', { name: 'Error' }), expected: NOT_FOUND },
  { what: 'Deno ConnectionReset', err: runtimeError('Connection reset by peer (os error 104)', { name: 'ConnectionReset' }), expected: RESET },
  { what: 'Deno BrokenPipe', err: runtimeError('Broken pipe (os error 32)', { name: 'BrokenPipe' }), expected: RESET },
  { what: 'Deno unknown issuer', err: runtimeError('invalid peer certificate: UnknownIssuer', { name: 'InvalidData' }), tls: true, expected: CERTIFICATE },
  {
    // rustls' message, as Deno 2.9 reports it.
    what: 'Deno name mismatch (message names DnsName)',
    err: runtimeError('invalid peer certificate: certificate not valid for name "localhost"; certificate is only valid for DnsName("other.example")', { name: 'InvalidData' }),
    tls: true,
    expected: HOSTNAME,
  },
  { what: 'Deno handshake eof', err: runtimeError('peer closed connection without sending TLS close_notify', { name: 'UnexpectedEof' }), tls: true, expected: HANDSHAKE },
  // Bun
  { what: 'Bun refused', err: runtimeError('Failed to connect', { code: 'ECONNREFUSED', name: 'Error' }), expected: REFUSED },
  { what: 'Bun DNS', err: runtimeError('getaddrinfo ENOTFOUND', { code: 'ENOTFOUND', name: 'DNSException' }), expected: NOT_FOUND },
  // Anything else
  { what: 'an unknown error', err: runtimeError('something odd', { code: 'EWHATEVER' }), expected: GENERIC },
  { what: 'a string', err: 'weird failure', expected: GENERIC },
  { what: 'null', err: null, expected: GENERIC },
  { what: 'a handshake-ish message without tls', err: runtimeError('ssl alert'), tls: false, expected: GENERIC },
]

describe('toConnectionError', () => {
  for (const c of cases) {
    test(`${c.what} -> ${c.expected.name}${c.expected.failure ? ` ${c.expected.failure}` : ''}`, () => {
      const mapped = toConnectionError(c.err, ADDRESS, 'connect', c.tls)
      assert.equal(mapped.name, c.expected.name, `mapped to ${mapped.name}: ${mapped.message}`)
      assert.ok(mapped instanceof c.expected.cls)
      assert.ok(mapped instanceof ConnectionError)
      assert.ok(mapped instanceof RespkitError)
      assert.ok(mapped instanceof Error)
      if (c.expected.failure !== undefined) assert.equal((mapped as TlsError).failure, c.expected.failure)
      assert.equal(mapped.address, ADDRESS)
      assert.equal(mapped.cause, c.err)
      assert.ok(mapped.message.includes(ADDRESS), `message names the address: ${mapped.message}`)
      const code = (c.err as { code?: unknown } | null)?.code
      assert.equal(mapped.code, typeof code === 'string' ? code : undefined)
    })
  }

  test('a ConnectionError passes through unchanged', () => {
    const original = new ConnectTimeoutError('took too long', ADDRESS)
    assert.equal(toConnectionError(original, 'elsewhere:1', 'open'), original)
  })

  test('the phase shows in the generic message', () => {
    assert.match(toConnectionError(new Error('x'), ADDRESS, 'connect').message, /could not connect to 127\.0\.0\.1:6380/)
    assert.match(toConnectionError(new Error('x'), ADDRESS, 'open').message, /connection to 127\.0\.0\.1:6380 failed/)
  })

  test('code comes from the cause unless given', () => {
    const fromCause = new ConnectionError('m', ADDRESS, { cause: { code: 'ECONNRESET' } })
    assert.equal(fromCause.code, 'ECONNRESET')
    const given = new ConnectionError('m', ADDRESS, { cause: { code: 'ECONNRESET' }, code: 'OURS' })
    assert.equal(given.code, 'OURS')
    const none = new ConnectionError('m', ADDRESS)
    assert.equal(none.code, undefined)
    assert.equal('cause' in none, false)
  })
})

describe('branded errors', () => {
  const classes = [
    ['ConnectionError', ConnectionError], ['ConnectionRefusedError', ConnectionRefusedError],
    ['HostNotFoundError', HostNotFoundError], ['ConnectTimeoutError', ConnectTimeoutError],
    ['ConnectAbortedError', ConnectAbortedError], ['ConnectionResetError', ConnectionResetError],
    ['ConnectionClosedError', ConnectionClosedError],
  ] as const

  test('each class has its stable name and is a ConnectionError and a RespkitError', () => {
    for (const [name, Cls] of classes) {
      const err = new Cls('message', ADDRESS)
      assert.equal(err.name, name)
      assert.ok(err instanceof Cls)
      assert.ok(err instanceof ConnectionError)
      assert.ok(err instanceof RespkitError)
      assert.ok(err instanceof Error)
      assert.ok(String(err).startsWith(`${name}: `))
    }
    const tls = new TlsError('hostname', 'message', ADDRESS)
    assert.equal(tls.name, 'TlsError')
    assert.equal(tls.failure, 'hostname')
    assert.ok(tls instanceof ConnectionError)
  })

  test('siblings are not instances of each other', () => {
    const refused = new ConnectionRefusedError('m', ADDRESS)
    assert.equal(refused instanceof HostNotFoundError, false)
    assert.equal(refused instanceof TlsError, false)
    assert.equal(new ConnectionError('m', ADDRESS) instanceof ConnectionRefusedError, false)
    assert.equal(new Error('plain') instanceof ConnectionError, false)
    assert.equal(({}) instanceof ConnectionError, false)
    assert.equal((null as unknown) instanceof ConnectionError, false)
  })

  test('instanceof holds across a second copy of the package', () => {
    // What a second copy of src/resp/errors.ts and src/transport/errors.ts would define.
    class OtherRespkitError extends Error {}
    brand(OtherRespkitError, 'RespkitError')
    class OtherConnectionError extends OtherRespkitError {}
    brand(OtherConnectionError, 'ConnectionError')
    class OtherRefused extends OtherConnectionError {}
    brand(OtherRefused, 'ConnectionRefusedError')

    const theirs = new OtherRefused('from the other copy')
    assert.ok(theirs instanceof ConnectionRefusedError)
    assert.ok(theirs instanceof ConnectionError)
    assert.ok(theirs instanceof RespkitError)
    assert.equal(theirs instanceof HostNotFoundError, false)

    const ours = new ConnectionRefusedError('m', ADDRESS)
    assert.ok(ours instanceof OtherRefused)
    assert.ok(ours instanceof OtherConnectionError)
    assert.equal(new HostNotFoundError('m', ADDRESS) instanceof OtherRefused, false)
  })
})
