// The package as users get it (a step of `npm test`): build, `npm pack`, install the tarball
// into a fresh project, then use it the ways users do:
// - every subpath with plain `node` (no tsx), by import and by require, on this machine's Node
//   and on Node 20.19 (the floor of `engines`), 22, 24 and 26 from .runtimes/nodes/
//   (scripts/install-runtimes.sh);
// - test/package/consumer.mts type-checked by tsc as a user's code (module nodenext, then
//   moduleResolution bundler; strict, noUncheckedIndexedAccess, exactOptionalPropertyTypes, no
//   skipLibCheck), then run, compiled, on each Node;
// - the same consumer and subpaths on Deno through `npm:`, and through the JSR layout: `deno
//   publish --dry-run`, then the files it lists, copied and imported by path as JSR serves them;
// - the same on Bun after `bun add` of the tarball.
// Each check is one `pass`/`fail` line in $RESPKIT_TEST_RESULTS; a failure names the runtime and
// the subpath. The work happens in .runtimes/package-test/ (gitignored), emptied at the start
// of each run and left for a look afterwards: stable paths let Deno reuse its type-check cache.

import { spawnSync } from 'node:child_process'
import { appendFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const here = fileURLToPath(new URL('.', import.meta.url))
const runtimes = join(root, '.runtimes')
const deno = join(runtimes, 'node_modules/.bin/deno')
const bun = join(runtimes, 'node_modules/.bin/bun')
const tsc = join(root, 'node_modules/typescript/bin/tsc')
const work = join(runtimes, 'package-test')
rmSync(work, { recursive: true, force: true })
mkdirSync(work, { recursive: true })
const started = Date.now()

// Plain output from every runtime: Deno reads any FORCE_COLOR, even 0, as "force colour".
const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', NODE_DISABLE_COLORS: '1', npm_config_progress: 'false' }
delete env.FORCE_COLOR

let failures = 0
let lastCheck = Date.now()

/** One check: printed with the time it took, and counted in the suite's results file. */
function record(ok: boolean, name: string, detail = ''): void {
  if (!ok) failures++
  const seconds = ((Date.now() - lastCheck) / 1000).toFixed(1)
  lastCheck = Date.now()
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name} (${seconds} s)`)
  // Deno colours some hints even under NO_COLOR; its publish file list is noise here.
  const plain = detail.replace(/\x1b\[[0-9;]*m/g, '').replace(/^\s+file:\/\/.*\n/gm, '')
  if (!ok && plain !== '') console.log(plain.trimEnd().replace(/^/gm, '       '))
  const results = process.env.RESPKIT_TEST_RESULTS
  if (results) appendFileSync(results, `${ok ? 'pass' : 'fail'} package: ${name}\n`)
}

interface Ran { ok: boolean; stdout: string; output: string }

/** Run a program to completion (60 s at most), stdin closed. */
function run(command: string, args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}): Ran {
  const r = spawnSync(command, args, { cwd, env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] })
  const stdout = r.stdout ?? ''
  const why = r.error ? `${r.error.message}\n` : r.status !== 0 ? `exit ${r.status ?? r.signal}\n` : ''
  return { ok: r.status === 0, stdout, output: `$ ${command} ${args.join(' ')}\n${why}${stdout}${r.stderr ?? ''}` }
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, text)
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; exports: Record<string, string | { default: string }> }
const jsr = JSON.parse(readFileSync(join(root, 'deno.json'), 'utf8')) as { exports: Record<string, string> }
/** `respkit/resp` -> its source file, for every subpath but ./package.json. */
const subpaths = new Map(Object.entries(pkg.exports).flatMap(([subpath, target]) => typeof target === 'string' ? [] : [[
  `respkit${subpath.slice(1)}`, join(root, target.default.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')),
] as const]))

// What each subpath must export: the names its source exports (loaded here through tsx).
const expected = new Map<string, string>()
for (const [specifier, source] of subpaths) {
  try {
    expected.set(specifier, Object.keys(await import(pathToFileURL(source).href)).sort().join(','))
  } catch (error) {
    expected.set(specifier, '(its source does not load)')
    record(false, `${specifier}: its source does not load`, String((error as Error).stack ?? error))
  }
}

/**
 * A script that loads every subpath and prints, as JSON, each one's export names or the error.
 * `require` makes the CommonJS form (a .cjs file), which also does one real thing with it.
 */
function subpathScript(kind: 'import' | 'require'): string {
  const list = JSON.stringify([...subpaths.keys()])
  const load = kind === 'import' ? 'await import(s)' : 'require(s)'
  const body = `const out = {}
for (const s of ${list}) {
  try {
    const m = ${load}
    out[s] = Object.keys(m).filter((k) => k !== 'default' && k !== '__esModule' && k !== 'module.exports').sort().join(',')
  } catch (e) {
    out[s] = { error: String(e && e.stack || e).split('\\n').slice(0, 3).join(' | ') }
  }
}
`
  const extra = kind === 'require'
    ? `const { encodeCommand, decode } = require('respkit/resp')
if (new TextDecoder().decode(encodeCommand(['PING'])) !== '*1\\r\\n$4\\r\\nPING\\r\\n' || decode(new TextEncoder().encode(':7\\r\\n')) !== 7) {
  out['respkit/resp'] = { error: 'encodeCommand/decode gave the wrong answer through require' }
}
`
    : ''
  return `${body}${extra}console.log(JSON.stringify(out))\n`
}

/** Compare a subpath script's output with the sources; one check naming the broken subpaths. */
function checkSubpaths(runtime: string, ran: Ran): void {
  let got: Record<string, string | { error: string }> = {}
  try {
    got = JSON.parse(ran.stdout.trim().split('\n').pop() ?? '')
  } catch {
    record(false, `${runtime}: could not load the subpaths`, ran.output)
    return
  }
  const broken: string[] = []
  const details: string[] = []
  for (const [specifier, names] of expected) {
    const actual = got[specifier]
    if (actual === names) continue
    broken.push(specifier)
    details.push(typeof actual === 'object' && actual !== null
      ? `${specifier}: ${actual.error}`
      : `${specifier}: exports ${actual ?? 'nothing'}, expected ${names}`)
  }
  record(broken.length === 0, `${runtime}: ${broken.length === 0 ? `all ${expected.size} subpaths` : broken.join(', ')}`, details.join('\n'))
}

function checkConsumer(runtime: string, ran: Ran): void {
  record(ran.ok && ran.stdout.trimEnd().endsWith('consumer ok'), `${runtime}: consumer (resp, memory pair, mock server over memory and TCP)`, ran.output)
}

/** Deno without --allow-net: the connect error must say which permission to grant. */
function checkDenoPermission(runtime: string, cwd: string): void {
  const ran = run(deno, ['run', '--no-lock', '--no-prompt', 'permission.mjs'], cwd)
  const message = ran.stdout.trim()
  record(ran.ok && message.startsWith('ConnectionError: ') && message.includes('run with --allow-net'), `${runtime}: without --allow-net, the error names the flag`, `${ran.output}`)
}

const permissionScript = `import { autoConnector } from 'respkit/transport'
try {
  await autoConnector({ host: '127.0.0.1', port: 9 }, { onData() {} })
  console.log('connected without a permission')
} catch (e) {
  console.log(e.name + ': ' + e.message)
}
`

/** The consumer as a user would have it: without the line that hides it from our own tsc. */
const consumer = readFileSync(join(here, 'consumer.mts'), 'utf8').replace(/^\/\/ @ts-nocheck.*\n(\/\/.*\n)*?\/\/\n/, '')

function copyConsumer(dir: string, cjs = true): void {
  write(join(dir, 'consumer.mts'), consumer)
  write(join(dir, 'subpaths.mjs'), subpathScript('import'))
  if (cjs) write(join(dir, 'subpaths.cjs'), subpathScript('require'))
  write(join(dir, 'permission.mjs'), permissionScript)
}

try {
  // Runtimes: Node 20.19, 22, 24 and 26, Deno, Bun (a no-op when all are there).
  const installed = run('bash', [join(root, 'scripts/install-runtimes.sh')], root)
  console.log(installed.stdout.trimEnd())
  if (!installed.ok) record(false, 'install runtimes', installed.output)
  const nodes: Array<{ name: string; bin: string }> = [{ name: `node ${process.version}`, bin: process.execPath }]
  for (const line of installed.stdout.split('\n')) {
    const m = /^node (\d+\.\d+\.\d+): (.+)$/.exec(line)
    if (m) nodes.push({ name: `node v${m[1]}`, bin: m[2]! })
  }

  // Build and pack.
  const built = run(process.execPath, [join(root, 'scripts/build.mjs')], root)
  record(built.ok, 'npm run build', built.output)
  if (!built.ok) throw new Error('no build, nothing to pack')
  const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], root)
  if (!packed.ok) {
    record(false, 'npm pack', packed.output)
    throw new Error('no tarball')
  }
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; size: number; unpackedSize: number; files: Array<{ path: string; size: number }> }>
  const tarball = join(work, info!.filename)
  console.log(`\n${info!.filename}: ${info!.size} bytes packed, ${info!.unpackedSize} unpacked, ${info!.files.length} files:`)
  for (const f of info!.files) console.log(`  ${String(f.size).padStart(7)}  ${f.path}`)
  const stray = info!.files.map((f) => f.path).filter((p) =>
    !/^(package\.json|README\.md|LICENSE|dist\/.+\.(js|d\.ts))$/.test(p) || /(^|\/)(test|tests|bench|fuzz|corpus)(\/|$)|\.test\.|\.tgz$/.test(p))
  record(stray.length === 0, 'tarball holds only dist/, package.json, README.md, LICENSE', `unexpected: ${stray.join(', ')}`)
  const missing = [...subpaths.values()].map((s) => `dist/${relative(join(root, 'src'), s).replace(/\.ts$/, '.js')}`).filter((p) => !info!.files.some((f) => f.path === p))
  record(missing.length === 0, 'tarball holds every subpath', `missing: ${missing.join(', ')}`)

  // npm: a fresh project with the tarball installed, and the consumer.
  const app = join(work, 'npm')
  write(join(app, 'package.json'), '{ "name": "consumer", "private": true, "type": "module" }\n')
  const npmInstalled = run('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], app)
  record(npmInstalled.ok, 'npm install of the tarball', npmInstalled.output)
  copyConsumer(app)
  // Every subpath's declarations, not only those the consumer reaches.
  write(join(app, 'every-subpath.mts'), [...subpaths.keys()].map((s, i) => `import type * as s${i} from '${s}'\nexport type S${i} = typeof s${i}\n`).join(''))
  const strict = {
    strict: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, skipLibCheck: false,
    target: 'ES2022', lib: ['ES2022'], types: ['node'], typeRoots: [join(root, 'node_modules/@types')],
  }
  write(join(app, 'tsconfig.nodenext.json'), JSON.stringify({
    compilerOptions: { ...strict, module: 'nodenext', moduleResolution: 'nodenext', outDir: 'out', rootDir: '.' }, files: ['consumer.mts', 'every-subpath.mts'],
  }, null, 2))
  write(join(app, 'tsconfig.bundler.json'), JSON.stringify({
    compilerOptions: { ...strict, module: 'esnext', moduleResolution: 'bundler', noEmit: true }, files: ['consumer.mts', 'every-subpath.mts'],
  }, null, 2))
  for (const mode of ['nodenext', 'bundler']) {
    const checked = run(process.execPath, [tsc, '-p', `tsconfig.${mode}.json`, '--pretty', 'false'], app)
    record(checked.ok, `tsc: consumer and every subpath's types check (${mode === 'nodenext' ? 'module nodenext' : 'moduleResolution bundler'}, strictest flags)`, checked.output)
  }
  for (const node of nodes) {
    checkSubpaths(`${node.name} import`, run(node.bin, ['subpaths.mjs'], app))
    checkSubpaths(`${node.name} require`, run(node.bin, ['subpaths.cjs'], app))
    checkConsumer(node.name, run(node.bin, ['out/consumer.mjs'], app))
  }

  // Deno through npm: the same project, `npm:` specifiers resolved from its node_modules.
  write(join(app, 'deno.json'), JSON.stringify({ nodeModulesDir: 'manual', imports: { respkit: 'npm:respkit@^0', 'respkit/': 'npm:/respkit@^0/' } }, null, 2))
  checkSubpaths('deno (npm:)', run(deno, ['run', '-A', '--no-lock', 'subpaths.mjs'], app))
  // Not --check: tsc has type-checked this consumer against these declarations already.
  checkConsumer('deno (npm:)', run(deno, ['run', '-A', '--no-lock', 'consumer.mts'], app))
  checkDenoPermission('deno (npm:)', app)

  // Deno through JSR: what `deno publish` would upload, imported by path.
  const published = run(deno, ['publish', '--dry-run', '--allow-dirty'], root)
  const listed = [...published.output.matchAll(/^\s+file:\/\/(\S+)/gm)].map((m) => m[1]!)
  // The problems only, one or two lines each: what and where.
  const problems = published.output.split('\n').filter((l) => /^(error|warning)\b|-->|TS\d+ \[ERROR\]|^\s+at file:/.test(l.replace(/\x1b\[[0-9;]*m/g, '')))
  record(published.ok && !/errors for slow types|slow types is not recommended|^error/im.test(published.output), 'deno publish --dry-run (no slow types)', problems.join('\n'))
  const layout = join(work, 'jsr')
  for (const file of listed) cpSync(file, join(layout, relative(root, file)))
  // A failed dry run lists nothing: go on with src/ so that the checks below still say something.
  if (listed.length === 0) cpSync(join(root, 'src'), join(layout, 'src'), { recursive: true })
  const jsrApp = join(work, 'jsr-app')
  copyConsumer(jsrApp, false)
  const imports = Object.fromEntries(Object.entries(jsr.exports).map(([subpath, file]) => [`respkit${subpath.slice(1)}`, `../jsr/${file.slice(2)}`]))
  write(join(jsrApp, 'deno.json'), JSON.stringify({ imports }, null, 2))
  checkSubpaths('deno (JSR layout)', run(deno, ['run', '-A', '--no-lock', 'subpaths.mjs'], jsrApp))
  checkConsumer('deno (JSR layout)', run(deno, ['run', '-A', '--no-lock', '--check', 'consumer.mts'], jsrApp))
  checkDenoPermission('deno (JSR layout)', jsrApp)

  // Bun: `bun add` of the tarball into a fresh project, with a cache of its own.
  const bunApp = join(work, 'bun')
  write(join(bunApp, 'package.json'), '{ "name": "consumer", "private": true, "type": "module" }\n')
  const added = run(bun, ['add', tarball], bunApp, { BUN_INSTALL_CACHE_DIR: join(work, 'bun-cache') })
  record(added.ok, 'bun add of the tarball', added.output)
  copyConsumer(bunApp)
  checkSubpaths('bun import', run(bun, ['subpaths.mjs'], bunApp))
  checkSubpaths('bun require', run(bun, ['subpaths.cjs'], bunApp))
  checkConsumer('bun', run(bun, ['consumer.mts'], bunApp))
} catch (error) {
  record(false, 'packaging test stopped', String((error as Error).stack ?? error))
}

console.log(`\npackaging: ${failures === 0 ? 'all checks passed' : `${failures} failed (files in ${work})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`)
process.exitCode = failures === 0 ? 0 : 1
