// Test certificates, made with the `openssl` command at test time (nothing secret is stored in
// the repository): a CA, a server certificate for localhost/127.0.0.1/::1 signed by it, a
// client certificate signed by it (mutual TLS), and a second, unrelated CA ("wrong CA" tests).
// EC P-256 keys: fast to make, and accepted by OpenSSL (Node, Redis), BoringSSL (Bun) and
// rustls (Deno), which is the strictest about extensions; hence the explicit ones below.
//
// Also here, shared with redis.ts: finding or installing a command the tests need, and making
// sure what the tests start or create is gone when the test process ends, whatever the runner.

import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process'
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'

export interface TestCerts {
  readonly dir: string
  /** PEM of the CA that signed the server and client certificates. */
  readonly ca: string
  readonly caPath: string
  readonly serverCertPath: string
  readonly serverKeyPath: string
  /** Client certificate and key (PEM), signed by `ca`, for mutual TLS. */
  readonly clientCert: string
  readonly clientKey: string
  /** PEM of a CA that signed nothing we use. */
  readonly otherCa: string
  /** Names and addresses in the server certificate. */
  readonly serverNames: readonly string[]
}

/** Whether an executable of that name is on PATH. */
export function hasCommand(name: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue
    try {
      accessSync(join(dir, name), constants.X_OK)
      return true
    } catch {
      // not in this directory
    }
  }
  return false
}

/**
 * Makes sure a command the tests need is installed: as root on Debian, installs the packages
 * with apt-get (what .ci/run does too); otherwise throws saying exactly what to install.
 */
export function ensureCommand(name: string, debianPackages: readonly string[]): void {
  if (hasCommand(name)) return
  const how = `apt-get install -y ${debianPackages.join(' ')}`
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
  if (!isRoot || !hasCommand('apt-get')) {
    throw new Error(`the tests need \`${name}\`, which is not on PATH: install it (Debian/Ubuntu: sudo ${how}; macOS: brew install ${debianPackages[0]})`)
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  try {
    execFileSync('apt-get', ['update'], { stdio: 'ignore', env, timeout: 300_000 })
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...debianPackages], { stdio: 'ignore', env, timeout: 300_000 })
  } catch (err) {
    throw new Error(`the tests need \`${name}\`; \`${how}\` failed: ${(err as Error).message}`)
  }
  if (!hasCommand(name)) throw new Error(`\`${how}\` ran but \`${name}\` is still not on PATH`)
}

/**
 * Runs fn once when the process exits, on every runtime: `deno test` does not emit process
 * 'exit' but dispatches 'unload' on globalThis. Synchronous work only. `bun test` emits
 * neither: see `watchdog`.
 */
export function onProcessExit(fn: () => void): void {
  let done = false
  const once = () => {
    if (done) return
    done = true
    fn()
  }
  process.once('exit', once)
  const target = globalThis as { Deno?: unknown; addEventListener?: (type: string, listener: () => void) => void }
  if (target.Deno !== undefined && typeof target.addEventListener === 'function') target.addEventListener('unload', once)
}

/** Releases a child process' hold on the event loop, so a forgotten one cannot hang a test run. */
export function unrefChild(child: ChildProcess): void {
  child.unref()
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as { unref?: () => void } | null)?.unref?.()
  }
}

/**
 * A shell that waits for end-of-file on a pipe only this process holds, then kills `pid` and
 * removes `dirs`. The pipe closes when this process ends however it ends (even SIGKILL, or a
 * runner that emits no exit event), so nothing is left behind. Returns a function that
 * disarms it, for a normal stop.
 */
export function watchdog(pid: number | undefined, dirs: readonly string[]): () => void {
  // It ignores the signals a whole process group gets (Ctrl-C, `timeout`), so it outlives us.
  const script = 'trap "" INT TERM HUP; read -r _; if [ "$1" != none ]; then kill -KILL "$1" 2>/dev/null; fi; shift; rm -rf -- "$@"'
  const guard = spawn('sh', ['-c', script, 'respkit-watchdog', pid === undefined ? 'none' : String(pid), ...dirs], {
    stdio: ['pipe', 'ignore', 'ignore'],
  })
  guard.on('error', () => {})
  guard.stdin?.on('error', () => {})
  unrefChild(guard)
  return () => {
    if (guard.exitCode === null && guard.signalCode === null) guard.kill('SIGKILL')
  }
}

const CA_CONFIG = `[req]
distinguished_name = dn
prompt = no
x509_extensions = v3_ca
[dn]
CN = respkit test CA
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
`

function leafExtensions(usage: 'serverAuth' | 'clientAuth', altNames?: string): string {
  return [
    'basicConstraints = critical,CA:FALSE',
    'keyUsage = critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage = ${usage}`,
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid,issuer',
    ...(altNames ? [`subjectAltName = ${altNames}`] : []),
    '',
  ].join('\n')
}

function openssl(dir: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { cwd: dir, timeout: 20_000 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`openssl ${args.join(' ')} failed: ${String(stderr).trim() || err.message}`))
      else resolve()
    })
  })
}

const NEW_EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']

let serial = 0
function nextSerial(): string {
  serial += 1
  return `0x${Date.now().toString(16)}${serial.toString(16).padStart(4, '0')}`
}

async function makeCa(dir: string, name: string): Promise<void> {
  writeFileSync(join(dir, `${name}.cnf`), CA_CONFIG.replace('respkit test CA', `respkit test ${name}`))
  await openssl(dir, ['req', '-x509', '-config', `${name}.cnf`, ...NEW_EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '3'])
}

async function makeLeaf(dir: string, name: string, cn: string, usage: 'serverAuth' | 'clientAuth', altNames?: string): Promise<void> {
  writeFileSync(join(dir, `${name}.ext`), leafExtensions(usage, altNames))
  await openssl(dir, ['req', '-new', ...NEW_EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`])
  await openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', nextSerial(),
    '-days', '3', '-extfile', `${name}.ext`, '-out', `${name}.crt`])
}

let cached: Promise<TestCerts> | undefined

/** Makes the certificates once per process, in a temporary directory removed at exit. */
export function testCerts(): Promise<TestCerts> {
  cached ??= makeCerts()
  return cached
}

async function makeCerts(): Promise<TestCerts> {
  ensureCommand('openssl', ['openssl'])
  const dir = mkdtempSync(join(tmpdir(), 'respkit-certs-'))
  onProcessExit(() => rmSync(dir, { recursive: true, force: true }))
  watchdog(undefined, [dir])
  const serverNames = ['localhost', '127.0.0.1', '::1']
  await Promise.all([makeCa(dir, 'ca'), makeCa(dir, 'other-ca')])
  await Promise.all([
    makeLeaf(dir, 'server', 'localhost', 'serverAuth', 'DNS:localhost,IP:127.0.0.1,IP:::1'),
    makeLeaf(dir, 'client', 'respkit test client', 'clientAuth'),
  ])
  const read = (file: string) => readFileSync(join(dir, file), 'utf8')
  return {
    dir,
    ca: read('ca.crt'),
    caPath: join(dir, 'ca.crt'),
    serverCertPath: join(dir, 'server.crt'),
    serverKeyPath: join(dir, 'server.key'),
    clientCert: read('client.crt'),
    clientKey: read('client.key'),
    otherCa: read('other-ca.crt'),
    serverNames,
  }
}
