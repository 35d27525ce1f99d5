// What a client uses when not told otherwise: the connector of the runtime it runs on and, on
// Node, Node's own UTF-8 decoding (faster than TextDecoder for short strings; bench/resp.ts).
// Detection happens on the first call, never at import.

import type { Utf8Decoder } from '../resp/text.ts'
import type { Connector } from './types.ts'

export interface RuntimeDefaults {
  readonly connector: Connector
  readonly decodeUtf8: Utf8Decoder | undefined
}

let picked: Promise<RuntimeDefaults> | undefined

function pick(): Promise<RuntimeDefaults> {
  const g = globalThis as { Deno?: unknown; Bun?: unknown }
  if (g.Deno !== undefined) return import('./deno.ts').then((m) => ({ connector: m.denoConnector, decodeUtf8: undefined }))
  if (g.Bun !== undefined) return import('./bun.ts').then((m) => ({ connector: m.bunConnector, decodeUtf8: undefined }))
  return import('./node.ts').then((m) => ({ connector: m.nodeConnector, decodeUtf8: m.nodeUtf8 }))
}

export function runtimeDefaults(): Promise<RuntimeDefaults> {
  picked ??= pick()
  return picked
}
