// Binds the transport conformance suite to the runtime running it: its own connector, plus the
// Node transport through that runtime's node:net (Deno and Bun run node.ts too).
//
//   npx tsx --test test/transport/conformance.test.ts
//   deno test -A test/transport/conformance.test.ts
//   bun test ./test/transport/conformance.test.ts
//
// Runtime-specific files are imported dynamically, so Node never loads deno.ts or bun.ts.

import type { Connector } from '../../src/transport/types.ts'
import { runtime } from '../support/runtime.ts'
import { type ConformanceTarget, conformanceSuite } from './conformance.ts'

async function load(file: string, name: string): Promise<Connector> {
  const url = new URL(`../../src/transport/${file}`, import.meta.url).href
  const module = (await import(url)) as Record<string, unknown>
  const connector = module[name]
  if (typeof connector !== 'function') throw new Error(`src/transport/${file} does not export ${name}`)
  return connector as Connector
}

async function targets(): Promise<ConformanceTarget[]> {
  const { nodeConnector } = await import('../../src/transport/node.ts')
  switch (runtime) {
    case 'node':
      return [{ name: 'node', connector: nodeConnector }]
    case 'deno':
      return [
        { name: 'deno', connector: await load('deno.ts', 'denoConnector') },
        { name: 'node:net on deno', connector: nodeConnector },
      ]
    case 'bun':
      return [
        { name: 'bun', connector: await load('bun.ts', 'bunConnector') },
        { name: 'node:net on bun', connector: nodeConnector },
      ]
  }
}

for (const target of await targets()) conformanceSuite(target)
