// `npm run build` (and `prepack`): compiles src/ to dist/ (JavaScript and .d.ts) with tsc and
// tsconfig.build.json, then checks that what package.json promises is there. Plain Node, no
// tsx, so it runs wherever `npm pack` does.
//
// - tsc's rewriteRelativeImportExtensions turns `./x.ts` into `./x.js` in the JavaScript but
//   leaves `.ts` in the declarations; we rewrite those too, so a consumer's tsc (any version,
//   any module resolution) reads .d.ts files that point at .d.ts files.
// - package.json `exports` is the one list of subpaths: a new subpath is one line there. The
//   build checks each entry against src/ and dist/, and writes the same subpaths (pointing at
//   the .ts sources) and the version into deno.json, so JSR publishes what npm does.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const dist = join(root, 'dist')
const fail = (message) => {
  console.error(`build: ${message}`)
  process.exit(1)
}

rmSync(dist, { recursive: true, force: true })
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc')
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' })
if (compiled.status !== 0) fail(`tsc -p tsconfig.build.json failed (exit ${compiled.status ?? compiled.signal})`)

/** Every file under dir, recursively. */
function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)])
}

// Relative specifiers in `from '...'`, `import '...'` and `import('...')`.
const RELATIVE_TS = /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*?)\.ts(['"])/g
for (const file of files(dist)) {
  const text = readFileSync(file, 'utf8')
  if (file.endsWith('.d.ts')) {
    const rewritten = text.replace(RELATIVE_TS, '$1$2.js$3')
    if (rewritten !== text) writeFileSync(file, rewritten)
  } else if (file.endsWith('.js') && RELATIVE_TS.test(text)) {
    fail(`${relative(root, file)} still imports a .ts file`)
  }
  RELATIVE_TS.lastIndex = 0
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const jsrExports = {}
for (const [subpath, target] of Object.entries(pkg.exports)) {
  if (subpath === './package.json') continue
  const { types, default: js } = target
  if (typeof types !== 'string' || typeof js !== 'string') fail(`exports["${subpath}"] needs both "types" and "default"`)
  for (const path of [types, js]) if (!existsSync(join(root, path))) fail(`exports["${subpath}"]: ${path} was not built`)
  const source = js.replace(/^\.\/dist\//, './src/').replace(/\.js$/, '.ts')
  if (!existsSync(join(root, source))) fail(`exports["${subpath}"]: no source ${source}`)
  jsrExports[subpath] = source
}

const jsrPath = join(root, 'deno.json')
const jsr = JSON.parse(readFileSync(jsrPath, 'utf8'))
if (jsr.version !== pkg.version || JSON.stringify(jsr.exports) !== JSON.stringify(jsrExports)) {
  jsr.version = pkg.version
  jsr.exports = jsrExports
  writeFileSync(jsrPath, `${JSON.stringify(jsr, null, 2)}\n`)
  console.log('build: deno.json updated from package.json (version, exports)')
}
console.log(`build: dist/ has ${files(dist).length} files for ${Object.keys(jsrExports).length} subpaths`)
