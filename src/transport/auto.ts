// The default connector: the transport of the runtime we run on. Detection happens on the first
// connect, never at import, so importing this module does nothing on any runtime.

import type { Connector } from './types.ts'

let picked: Promise<Connector> | undefined

function pick(): Promise<Connector> {
  const g = globalThis as { Deno?: unknown; Bun?: unknown }
  if (g.Deno !== undefined) return import('./deno.ts').then((m) => m.denoConnector)
  if (g.Bun !== undefined) return import('./bun.ts').then((m) => m.bunConnector)
  return import('./node.ts').then((m) => m.nodeConnector)
}

/** Connects with the transport of the current runtime (Deno, Bun, else Node). */
export const autoConnector: Connector = async (options, handlers) => {
  picked ??= pick()
  return (await picked)(options, handlers)
}
