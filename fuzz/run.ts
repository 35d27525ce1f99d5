// Runs the RESP fuzz properties: first every input saved in fuzz/corpus, then each property.
//
//   npx tsx fuzz/run.ts                 short budget (a few seconds)
//   npx tsx fuzz/run.ts --long          long budget
//   npx tsx fuzz/run.ts --runs 5000     explicit number of runs per property (before weights)
//   npx tsx fuzz/run.ts --seed 42       fixed seed (default: random, printed)
//   npx tsx fuzz/run.ts --seed 42 --path "3:1:0" --only "hostile input"   replay one failure
//
// On failure it prints the property, seed, path and counterexample, and exits 1.

import { readFileSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { properties, replayEntry, type CorpusEntry } from './properties.ts'

export interface FuzzOptions {
  runs: number
  seed: number
  path?: string
  only?: string
  log?: (line: string) => void
}

export const SHORT_RUNS = 150
export const LONG_RUNS = 20_000

// Typed by hand so the file type-checks without any runtime's globals (Deno checks it so).
const here = fileURLToPath((import.meta as { url: string }).url)
const corpusDir = join(dirname(here), 'corpus')
const out = (globalThis as { console?: { log(line: string): void } }).console

/** Replays the corpus; returns failure messages. */
export function replayCorpus(log: (line: string) => void = () => {}): string[] {
  const failures: string[] = []
  const files = readdirSync(corpusDir).filter((f) => f.endsWith('.json')).sort()
  for (const file of files) {
    const entries = JSON.parse(readFileSync(join(corpusDir, file), 'utf8')) as CorpusEntry | CorpusEntry[]
    for (const entry of Array.isArray(entries) ? entries : [entries]) {
      try {
        replayEntry(entry)
      } catch (x) {
        failures.push(`corpus ${file}: ${entry.description} (${entry.hex}): ${x instanceof Error ? x.message : String(x)}`)
      }
    }
  }
  log(`corpus: ${files.length} files replayed, ${failures.length} failures`)
  return failures
}

/** Runs every property; returns failure reports (empty when all pass). */
export function runProperties(o: FuzzOptions): string[] {
  const log = o.log ?? (() => {})
  const failures: string[] = []
  for (const p of properties) {
    if (o.only !== undefined && p.name !== o.only) continue
    const numRuns = Math.max(1, Math.round(o.runs * p.weight))
    const start = Date.now()
    const details = p.run({ numRuns, seed: o.seed, path: o.path })
    if (details.failed) {
      const lines = [
        `FAILED: ${p.name}`,
        `  seed ${details.seed}, path "${details.counterexamplePath}" (replay: npx tsx fuzz/run.ts --seed ${details.seed} --path "${details.counterexamplePath}" --only "${p.name}")`,
        `  counterexample: ${show(details.counterexample)}`,
        `  error: ${details.errorInstance instanceof Error ? details.errorInstance.stack ?? details.errorInstance.message : String(details.errorInstance)}`,
      ]
      failures.push(lines.join('\n'))
      log(lines.join('\n'))
    } else {
      log(`ok: ${p.name} (${details.numRuns} runs, ${Date.now() - start} ms)`)
    }
  }
  return failures
}

/** Counterexamples hold bytes and bigints: print bytes as latin-1 strings with their hex. */
function show(x: unknown): string {
  return JSON.stringify(x, (_k, v) => {
    if (v instanceof Uint8Array) return { bytes: Array.from(v, (c) => String.fromCharCode(c)).join(''), hex: Array.from(v, (c) => c.toString(16).padStart(2, '0')).join('') }
    if (typeof v === 'bigint') return `${v}n`
    if (typeof v === 'number' && !Number.isFinite(v)) return String(v)
    if (v instanceof Map) return { Map: [...v] }
    if (v instanceof Set) return { Set: [...v] }
    if (v instanceof Error) return { [v.name]: v.message }
    return v
  })
}

function main(argv: string[]): number {
  const arg = (name: string) => {
    const i = argv.indexOf(name)
    return i === -1 ? undefined : argv[i + 1]
  }
  const long = argv.includes('--long')
  const runs = Number(arg('--runs') ?? (long ? LONG_RUNS : SHORT_RUNS))
  const seed = arg('--seed') !== undefined ? Number(arg('--seed')) : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0
  const log = (line: string) => out?.log(line)
  log(`fuzz: ${runs} runs per property, seed ${seed}`)
  const failures = [...replayCorpus(log)]
  for (const f of failures) log(`FAILED: ${f}`)
  failures.push(...runProperties({ runs, seed, path: arg('--path'), only: arg('--only'), log }))
  log(failures.length === 0 ? 'fuzz: all passed' : `fuzz: ${failures.length} failures`)
  return failures.length === 0 ? 0 : 1
}

// Run only as a script, not when imported by test/resp/fuzz.test.ts.
const proc = (globalThis as { process?: { argv: string[]; exitCode?: number } }).process
if (proc?.argv[1] !== undefined && here === proc.argv[1]) {
  proc.exitCode = main(proc.argv.slice(2))
}
