// @node-only: runs the README's demo (`npm run demo`) as a user would, with a real redis-server
// and, with redis-server hidden from PATH, against the mock server it falls back to.

import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, test } from '../support/runtime.ts'
import { ensureCommand } from '../support/certs.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))

function runDemo(env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', 'examples/demo.ts'], { cwd: root, env, timeout: 90_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`the demo failed: ${error.message}\n${stderr}`))
      else resolve(stdout)
    })
  })
}

/** The lines every run must show, whichever server answered. */
function assertReplies(out: string): void {
  const line = (call: string): string => out.split('\n').find((l) => l.trimStart().startsWith(call)) ?? ''
  assert.match(out, /connected over RESP3/)
  assert.match(line("set('greeting'"), /→ "OK"$/)
  assert.match(line("get('greeting')"), /→ "héllo, wörld"$/)
  assert.match(line("hSet('user:1'"), /→ 2$/)
  assert.match(line("hGetAll('user:1')"), /→ \{"name":"Ada","lang":"TypeScript"\}$/)
  assert.match(line("sendCommand(['INCRBY'"), /→ 9007199254740993n$/, 'a reply past 2^53 arrives as an exact bigint')
  assert.match(line("lPush('greeting'"), /→ ReplyError WRONGTYPE /)
  assert.match(out, /10000 × incr\('counter'\) issued at once, auto-pipelined: last reply 10000 after/)
  assert.match(line("del(['greeting'"), /→ 4$/)
  assert.match(out, /→ tree → the same bytes$/m)
  assert.match(line('mGet across slots'), /→ \["v1","v2","v3","v4"\]$/)
  assert.match(line('pipeline over nodes'), /→ \[1,1,1,"v2"\]$/)
  assert.match(line('slot of {user:1}.cart'), /→ 10778$/, 'a hash tag puts the key in its tag\'s slot')
}

describe('examples/demo.ts', () => {
  test('against a throwaway redis-server', async () => {
    ensureCommand('redis-server', ['redis-server', 'redis-tools'])
    const out = await runDemo(process.env)
    assert.match(out, /^A throwaway redis-server \(v=\d+\.\d+\.\d+, pid \d+\) on .*redis\.sock\./)
    assert.match(out, /A throwaway Redis Cluster: 3 masters, 3 replicas/)
    assert.match(out, /discovered 3 master\(s\), 3 replica\(s\)/)
    assertReplies(out)
  }, { timeout: 100_000 })

  test('without redis-server: the built-in mock server, and it says so', async () => {
    const out = await runDemo({ ...process.env, PATH: '/nonexistent' })
    assert.match(out, /^redis-server is not installed: running against the built-in mock server instead/)
    assert.match(out, /The cluster part runs against one mock node that owns every slot/)
    assertReplies(out)
  }, { timeout: 100_000 })
})
