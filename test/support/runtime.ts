// One small test API over three runners, so each test file is written once and runs under
// `node --test` (via tsx), `deno test` and `bun test`.
//
// Node and Deno get node:test (Deno implements it on top of Deno.test, with its resource
// sanitizers off, which suits tests that start servers in hooks). Bun gets bun:test, its native
// runner (its node:test is a shim over the same thing). Timeouts are enforced here, the same on
// every runner, because the runners disagree on defaults (Bun: 5 s, Node and Deno: none).
//
// When RESPKIT_TEST_RESULTS names a file, one line `pass <name>` or `fail <name>` is appended to
// it per test and hook, so scripts/test.sh can print one total over all runners.

import { appendFileSync } from 'node:fs'

export type Runtime = 'node' | 'deno' | 'bun'
export type TestFn = () => void | Promise<void>
export interface TestOptions {
  /** Fail the test after this many ms. Default 30 000. */
  timeout?: number
}

/** Which runtime runs this code; looked at when called, not cached. */
export function detectRuntime(): Runtime {
  const g = globalThis as { Bun?: unknown; Deno?: unknown }
  if (g.Bun !== undefined) return 'bun'
  if (g.Deno !== undefined) return 'deno'
  return 'node'
}

export const runtime: Runtime = detectRuntime()

const DEFAULT_TIMEOUT = 30_000
// The runner's own timeout stays above ours, so ours fires first and says which test.
const RUNNER_SLACK = 5_000

interface Runner {
  test(name: string, fn: TestFn, timeout: number): void
  describe(name: string, fn: () => void): void
  before(fn: TestFn, timeout: number): void
  after(fn: TestFn, timeout: number): void
}

interface BunTest {
  test(name: string, fn: () => Promise<void>, timeout?: number): void
  describe(name: string, fn: () => void): void
  beforeAll(fn: () => Promise<void>, timeout?: number): void
  afterAll(fn: () => Promise<void>, timeout?: number): void
}

async function loadRunner(rt: Runtime): Promise<Runner> {
  if (rt === 'bun') {
    // A variable specifier keeps tsc (which has no Bun types here) and Node from resolving it.
    const specifier = 'bun:test'
    const bun = (await import(specifier)) as BunTest
    return {
      test: (name, fn, timeout) => bun.test(name, async () => { await fn() }, timeout + RUNNER_SLACK),
      describe: (name, fn) => bun.describe(name, fn),
      before: (fn, timeout) => bun.beforeAll(async () => { await fn() }, timeout + RUNNER_SLACK),
      after: (fn, timeout) => bun.afterAll(async () => { await fn() }, timeout + RUNNER_SLACK),
    }
  }
  const nt = await import('node:test')
  return {
    // Wrapped so the runner never sees a function taking arguments (that means callback style).
    test: (name, fn, timeout) => { nt.test(name, { timeout: timeout + RUNNER_SLACK }, async () => { await fn() }) },
    describe: (name, fn) => { nt.describe(name, fn) },
    before: (fn, timeout) => { nt.before(async () => { await fn() }, { timeout: timeout + RUNNER_SLACK }) },
    after: (fn, timeout) => { nt.after(async () => { await fn() }, { timeout: timeout + RUNNER_SLACK }) },
  }
}

const runner = await loadRunner(runtime)
// Names of the enclosing describes, for the results file. Captured at registration because
// some runners call describe bodies later than others.
let path: readonly string[] = []

function record(outcome: 'pass' | 'fail', name: string): void {
  const file = typeof process === 'undefined' ? undefined : process.env.RESPKIT_TEST_RESULTS
  if (!file) return
  try {
    appendFileSync(file, `${outcome} ${runtime} ${name.replace(/\s+/g, ' ')}\n`)
  } catch {
    // Counting is a convenience; never fail a test over it.
  }
}

/** Runs fn, failing after `timeout` ms with a message that names the test. */
async function withTimeout(name: string, fn: TestFn, timeout: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name}: timed out after ${timeout} ms`)), timeout)
  })
  try {
    await Promise.race([Promise.resolve().then(fn), expired])
  } finally {
    clearTimeout(timer)
  }
}

/** Tests count as pass or fail; hooks count only when they fail, so a broken hook shows. */
async function counted(name: string, fn: TestFn, timeout: number, isHook: boolean): Promise<void> {
  try {
    await withTimeout(name, fn, timeout)
    if (!isHook) record('pass', name)
  } catch (err) {
    record('fail', name)
    throw err
  }
}

function fullName(name: string): string {
  return [...path, name].join(' > ')
}

export function test(name: string, fn: TestFn, options?: TestOptions): void {
  const timeout = options?.timeout ?? DEFAULT_TIMEOUT
  const full = fullName(name)
  runner.test(name, () => counted(full, fn, timeout, false), timeout)
}

export function describe(name: string, fn: () => void): void {
  const inner = [...path, name]
  runner.describe(name, () => {
    const outer = path
    path = inner
    try {
      fn()
    } finally {
      path = outer
    }
  })
}

/** Runs once before the tests of the enclosing describe (or of the file). */
export function before(fn: TestFn, options?: TestOptions): void {
  const timeout = options?.timeout ?? DEFAULT_TIMEOUT
  const full = fullName('(before)')
  runner.before(() => counted(full, fn, timeout, true), timeout)
}

/** Runs once after the tests of the enclosing describe (or of the file). */
export function after(fn: TestFn, options?: TestOptions): void {
  const timeout = options?.timeout ?? DEFAULT_TIMEOUT
  const full = fullName('(after)')
  runner.after(() => counted(full, fn, timeout, true), timeout)
}
