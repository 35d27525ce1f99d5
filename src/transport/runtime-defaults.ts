// What a client uses when not told otherwise: the connector of the runtime it runs on and its
// own UTF-8 decoding (faster than TextDecoder alone for short strings; bench/resp.ts).
// Detection happens on the first call, never at import.

import type { Utf8Decoder } from '../resp/text.ts'
import type { Connector } from './types.ts'

export interface RuntimeDefaults {
  readonly connector: Connector
  readonly decodeUtf8: Utf8Decoder | undefined
}

let picked: Promise<RuntimeDefaults> | undefined

// The specifiers are variables so that type-checking the runtime-neutral layers (which import
// this file) does not pull in each runtime's transport and its runtime's types. A bundler
// cannot follow them either: bundled code passes `connector` (and `decodeUtf8`) explicitly.
// Built to JavaScript, this file is runtime-defaults.js and so are its siblings.

function pick(): Promise<RuntimeDefaults> {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js'
  const NODE = `./node${ext}`
  const DENO = `./deno${ext}`
  const BUN = `./bun${ext}`
  const g = globalThis as { Deno?: unknown; Bun?: unknown }
  if (g.Deno !== undefined) return import(DENO).then((m) => ({ connector: m.denoConnector, decodeUtf8: m.denoUtf8 }))
  if (g.Bun !== undefined) return import(BUN).then((m) => ({ connector: m.bunConnector, decodeUtf8: m.bunUtf8 }))
  return import(NODE).then((m) => ({ connector: m.nodeConnector, decodeUtf8: m.nodeUtf8 }))
}

export function runtimeDefaults(): Promise<RuntimeDefaults> {
  picked ??= pick()
  return picked
}
