// What bench/client.ts and bench/cluster.ts share: each (scenario, contender) runs in a fresh
// process of its own, which prints one `RESULT {json}` line (or `CANNOT reason`), and the parent
// reads it back.

import process from 'node:process'
import { spawn } from 'node:child_process'

/** A child that has not reported by then is killed and its round counted as failed. */
const CHILD_TIMEOUT_MS = 90_000

/** Thrown when a client has no API for a scenario (or refuses it): the table says "cannot" and why. */
export class Cannot extends Error {}

export interface ChildResult {
  opsPerSec: number
  cpuUsPerOp: number
  peakRssBytes: number
}

/** Runs a command; resolves with its output, rejects on a non-zero exit or a timeout. */
export function runProcess(cmd: string, args: string[], env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    proc.stdout!.on('data', (c: Uint8Array) => (stdout += new TextDecoder().decode(c)))
    proc.stderr!.on('data', (c: Uint8Array) => (stderr += new TextDecoder().decode(c)))
    const timer = setTimeout(() => proc.kill('SIGKILL'), CHILD_TIMEOUT_MS)
    proc.once('error', reject)
    proc.once('close', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) resolve({ stdout, stderr })
      else reject(new Error(`${cmd} exited with ${code ?? signal}: ${stderr.slice(-2000)}`))
    })
  })
}

/**
 * Runs `script` again as a child with `spec` in the environment variable `envName`, under the
 * parent's runtime flags (and --cpu-prof into `profDir/<client>-<scenario>` if given).
 */
export async function measureInChild(script: string, envName: string, spec: { scenario: number; client: string; port: number }, profDir: string | undefined): Promise<ChildResult> {
  // Default profile names: they carry pid and thread id (tsx's loader runs on a thread of its own).
  const prof = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}/${spec.client.replace(/[^\w-]/g, '_')}-${spec.scenario}`] : []
  const { stdout, stderr } = await runProcess(process.execPath, [...process.execArgv, ...prof, script], { [envName]: JSON.stringify(spec) })
  if (stderr.trim() !== '') process.stderr.write(stderr)
  const cannot = stdout.split('\n').find((l) => l.startsWith('CANNOT '))
  if (cannot !== undefined) throw new Cannot(cannot.slice(7))
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '))
  if (line === undefined) throw new Error(`no result from ${spec.client}: ${stdout.slice(-500)}`)
  return JSON.parse(line.slice(7))
}
