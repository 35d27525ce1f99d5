// Deno without --allow-net: connecting fails with a ConnectionError that says which flag to run
// with, not with Deno's raw NotCapable error. Deno only (elsewhere there is no permission to
// lack): the test exists only when the suite runs on Deno. It runs a fixture in a child Deno
// that denies the network and the socket path explicitly: a test cannot drop the permissions it
// was started with, and a child Deno started from `deno test -A` got them all too (Deno 2.9).

import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, runtime, test } from '../support/runtime.ts'

const fixture = fileURLToPath(new URL('./fixtures/connect-without-permission.ts', import.meta.url))

interface Outcome { name?: string; message?: string; address?: string; cause?: string; connected?: boolean }

function runWithoutPermissions(): Promise<Outcome[]> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['run', '--no-prompt', '--deny-net', '--deny-read=/tmp/respkit-no-such.sock', '--no-lock', '--no-check', fixture], { env: { ...process.env, NO_COLOR: '1' }, timeout: 20_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`the fixture failed: ${error.message}\n${stderr}`))
      else resolve(stdout.trim().split('\n').map((line) => JSON.parse(line) as Outcome))
    })
  })
}

if (runtime === 'deno') {
  describe('denoConnector without permissions', () => {
    test('TCP: a ConnectionError naming --allow-net; Unix socket: naming --allow-read and --allow-write', async () => {
      const [tcp, unix] = await runWithoutPermissions()
      assert.deepEqual(tcp, {
        name: 'ConnectionError',
        message: 'connecting to 127.0.0.1:1 needs a permission Deno did not grant: run with --allow-net (or --allow-net=127.0.0.1:1 for this address only)',
        address: '127.0.0.1:1',
        cause: 'NotCapable',
      })
      assert.equal(unix?.name, 'ConnectionError')
      assert.equal(unix?.cause, 'NotCapable')
      assert.match(unix?.message ?? '', /run with --allow-read and --allow-write \(or --allow-read=\/tmp\/respkit-no-such\.sock --allow-write=/)
    })
  })
}
