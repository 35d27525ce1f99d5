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

/** What runRounds gathered: each `scenario/contender`'s results, the refusals, the failures. */
export interface Rounds {
  results: Map<string, ChildResult[]>
  cannot: Map<string, string>
  failures: string[]
}

/**
 * Every (scenario, contender) pair `rounds` times, interleaved: round after round of every
 * scenario, the contenders' order rotated each round so that none always runs first (after
 * another scenario's heaviest run, while the server may still be returning memory) or last.
 * `skip(key)` leaves a pair out; a contender that throws Cannot is not asked again.
 */
export async function runRounds(
  rounds: number,
  scenarios: readonly string[],
  contenders: readonly string[],
  skip: (key: string, scenario: number, contender: string) => boolean,
  measure: (scenario: number, contender: string) => Promise<ChildResult>,
): Promise<Rounds> {
  const out: Rounds = { results: new Map(), cannot: new Map(), failures: [] }
  for (let round = 0; round < rounds; round++) {
    for (let s = 0; s < scenarios.length; s++) {
      const order = contenders.map((_, i) => contenders[(i + round) % contenders.length])
      for (const contender of order) {
        const key = `${scenarios[s]}/${contender}`
        if (out.cannot.has(key) || skip(key, s, contender)) continue
        try {
          const r = await measure(s, contender)
          out.results.set(key, [...(out.results.get(key) ?? []), r])
        } catch (err) {
          if (err instanceof Cannot) out.cannot.set(key, err.message)
          else out.failures.push(`round ${round + 1}, ${key}: ${(err as Error).message.split('\n')[0]}`)
        }
      }
    }
    process.stderr.write(`round ${round + 1}/${rounds} done\n`)
  }
  return out
}

/** The median of one figure over a pair's rounds. */
export function medianOf(rs: readonly ChildResult[], figure: (r: ChildResult) => number): number {
  const sorted = rs.map(figure).sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

/** `respkit@/some/src` -> ['respkit', '/some/src']. */
export function splitContender(name: string): [string, string | undefined] {
  const at = name.indexOf('@')
  return at < 0 ? [name, undefined] : [name.slice(0, at), name.slice(at + 1)]
}

/**
 * The child's side: `run` once for `warmup` operations (a Cannot there is reported as CANNOT),
 * then timed for `ops`, printed as one RESULT line for measureInChild; `close` either way, then
 * the process exits.
 */
export async function reportFromChild(run: (ops: number) => Promise<void>, warmup: number, ops: number, close: () => unknown): Promise<never> {
  try {
    await run(warmup)
  } catch (err) {
    if (!(err instanceof Cannot)) throw err
    process.stdout.write(`CANNOT ${err.message}\n`)
    await close()
    process.exit(0)
  }
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await run(ops)
  const t1 = performance.now()
  const cpu = process.cpuUsage(cpu0)
  const result: ChildResult = {
    opsPerSec: ops / ((t1 - t0) / 1000),
    cpuUsPerOp: (cpu.user + cpu.system) / ops,
    // maxRSS is in KiB on Linux (Node and Bun alike).
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  }
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`)
  await close()
  process.exit(0)
}
