// The fuzz properties of fuzz/properties.ts on the short budget, and the corpus of inputs that
// once failed, inside the test suite. The long budget: `npm run fuzz`.

import assert from 'node:assert/strict'
import { describe, test } from '../support/runtime.ts'
import { properties } from '../../fuzz/properties.ts'
import { SHORT_RUNS, replayCorpus, runProperties } from '../../fuzz/run.ts'

// A fixed seed keeps the suite reproducible; fuzz/run.ts picks a fresh one each time.
const SEED = 20261121

describe('resp fuzz (short budget)', () => {
  test('corpus replays', () => {
    const failures = replayCorpus()
    assert.deepEqual(failures, [], failures.join('\n'))
  })
  for (const p of properties) {
    test(p.name, () => {
      const failures = runProperties({ runs: SHORT_RUNS, seed: SEED, only: p.name })
      assert.deepEqual(failures, [], failures.join('\n'))
    }, { timeout: 60_000 })
  }
})
