// Heap measurement for the memory tests and the memory property: bytes held now, after a full
// garbage collection where the runtime lets us force one (Node and Deno through node:v8 and
// node:vm, Bun through Bun.gc). Without a forced collection the figure also counts garbage, so
// it can only overstate what is held: a bound checked on it still holds.

import v8 from 'node:v8'
import vm from 'node:vm'

interface MemoryUsage {
  heapUsed: number
  arrayBuffers?: number
  external?: number
}
const g = globalThis as {
  gc?: () => void
  Bun?: { gc(force: boolean): void }
  process?: { memoryUsage?: () => MemoryUsage }
}

function findGc(): (() => void) | undefined {
  if (g.Bun !== undefined) return () => g.Bun!.gc(true)
  if (typeof g.gc === 'function') return g.gc
  try {
    v8.setFlagsFromString('--expose-gc')
    const gc = vm.runInNewContext('gc') as unknown
    if (typeof gc === 'function') return gc as () => void
  } catch {
    // not available on this runtime
  }
  return undefined
}

let gcOnce: (() => void) | undefined | null = null

/** Whether `heldBytes` forces a collection first (else it overstates). */
export function canForceGc(): boolean {
  if (gcOnce === null) gcOnce = findGc()
  return gcOnce !== undefined
}

/** The JS heap plus ArrayBuffer memory in use, after a forced collection when possible; 0 if unknown. */
export function heldBytes(): number {
  if (gcOnce === null) gcOnce = findGc()
  gcOnce?.()
  const m = g.process?.memoryUsage?.()
  if (m === undefined) return 0
  return m.heapUsed + (m.arrayBuffers ?? m.external ?? 0)
}
