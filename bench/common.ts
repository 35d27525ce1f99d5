// Shared by the benchmark scripts: a timing loop, an allocation probe and markdown tables.
// Runtime-neutral on purpose (performance.now, no node:* at load) so that transport.ts can
// import it under Deno and Bun as well.

/** How long to run, from the environment so a quick smoke run is one variable away. */
export interface TimingOptions {
  /** Warm-up before the measured rounds, in ms. */
  warmupMs: number
  /** Length of one measured round, in ms. */
  roundMs: number
  /** Measured rounds; the median is reported. */
  rounds: number
}

export function timingFromEnv(env: Record<string, string | undefined>): TimingOptions {
  const num = (name: string, fallback: number): number => {
    const raw = env[name]
    const value = raw === undefined ? NaN : Number(raw)
    return Number.isFinite(value) && value > 0 ? value : fallback
  }
  return {
    warmupMs: num('BENCH_WARMUP_MS', 300),
    roundMs: num('BENCH_ROUND_MS', 1000),
    rounds: Math.round(num('BENCH_ROUNDS', 3)),
  }
}

/** One round's result: units of work done per second. */
export interface Rate {
  opsPerSec: number
  bytesPerSec: number
}

/**
 * Calls `pass` until `ms` elapsed. Each pass does `opsPerPass` units of work over
 * `bytesPerPass` bytes; the clock is read between passes only, so a pass should be short
 * (well under the round length) and not trivially short (clock reads are not free).
 */
export function runFor(ms: number, pass: () => void, opsPerPass: number, bytesPerPass: number): Rate {
  const start = performance.now()
  let passes = 0
  let now = start
  do {
    pass()
    passes++
    now = performance.now()
  } while (now - start < ms)
  const seconds = (now - start) / 1000
  return { opsPerSec: (passes * opsPerPass) / seconds, bytesPerSec: (passes * bytesPerPass) / seconds }
}

/**
 * Warm up each pass, then run `rounds` rounds, interleaved (round 1 of every pass, then round
 * 2, ...) so that a change in the machine's load hits all contenders alike. Returns the median
 * round of each.
 */
export function interleave(
  timing: TimingOptions,
  passes: { pass: () => void; opsPerPass: number; bytesPerPass: number }[],
): Rate[] {
  for (const p of passes) runFor(timing.warmupMs, p.pass, p.opsPerPass, p.bytesPerPass)
  const results: Rate[][] = passes.map(() => [])
  for (let round = 0; round < timing.rounds; round++) {
    passes.forEach((p, i) => results[i].push(runFor(timing.roundMs, p.pass, p.opsPerPass, p.bytesPerPass)))
  }
  return results.map(median)
}

export function median(results: Rate[]): Rate {
  const sorted = [...results].sort((a, b) => a.opsPerSec - b.opsPerSec)
  return sorted[Math.floor(sorted.length / 2)]
}

/**
 * Bytes allocated per unit of work, measured as the growth of the JS heap (`heapUsed`) plus
 * ArrayBuffer backing stores (`arrayBuffers`, where Buffers live) across `passes` passes, with
 * a full GC just before and no GC allowed during: a GC inside the window would hide garbage,
 * so the window is watched with a PerformanceObserver and, when one happened, retried with
 * fewer passes. Needs Node with `--expose-gc` (and a large young generation, see run.sh);
 * returns undefined when that is not available or no clean window was found.
 */
export async function allocationPerOp(
  pass: () => void,
  opsPerPass: number,
  passes: number,
): Promise<number | undefined> {
  const gc = (globalThis as { gc?: () => void }).gc
  const proc = (globalThis as { process?: { memoryUsage(): { heapUsed: number; arrayBuffers: number } } })
    .process
  if (gc === undefined || proc === undefined) return undefined
  const { PerformanceObserver } = await import('node:perf_hooks')
  for (let attempt = 0; attempt < 6 && passes >= 1; attempt++) {
    let gcs: { startTime: number }[] = []
    const observer = new PerformanceObserver((list) => {
      gcs = gcs.concat(list.getEntries())
    })
    observer.observe({ entryTypes: ['gc'] })
    gc()
    gc()
    // Let the observer deliver the forced GCs before the window opens.
    await new Promise((resolve) => setTimeout(resolve, 0))
    const before = proc.memoryUsage()
    const t0 = performance.now()
    for (let i = 0; i < passes; i++) pass()
    const t1 = performance.now()
    const after = proc.memoryUsage()
    await new Promise((resolve) => setTimeout(resolve, 0))
    observer.disconnect()
    const dirty = gcs.some((entry) => entry.startTime >= t0 && entry.startTime <= t1)
    if (!dirty) {
      const grown = after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers)
      return Math.max(0, grown) / (passes * opsPerPass)
    }
    passes = Math.floor(passes / 2)
  }
  return undefined
}

// ---- formatting ----

export function fmtRate(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return 'n/a'
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M`
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)} k`
  return value.toFixed(1)
}

export function fmtMBps(bytesPerSec: number | undefined): string {
  if (bytesPerSec === undefined || !Number.isFinite(bytesPerSec)) return 'n/a'
  return (bytesPerSec / 1e6).toFixed(bytesPerSec >= 1e8 ? 0 : 1)
}

export function fmtBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return 'n/a'
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(2)} MiB`
  if (bytes >= 10 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return bytes.toFixed(bytes >= 100 ? 0 : 1)
}

/** A markdown table with aligned columns (readable as plain text too). */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`
  return [line(headers), rule, ...rows.map(line)].join('\n')
}

/** The runtime running this script, for headings. */
export function runtimeName(): string {
  const g = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string }; process?: { version: string } }
  if (g.Deno) return `Deno ${g.Deno.version.deno}`
  if (g.Bun) return `Bun ${g.Bun.version}`
  return `Node ${g.process?.version ?? '?'}`
}
