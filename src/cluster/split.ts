// Multi-key commands whose keys live in several slots, split into one command per slot and
// reassembled in the caller's order. Not atomic: some parts may run while others fail, as
// hiredis-cluster documents for the same commands.

import type { CommandArgument } from '../resp/index.ts'
import { keySlot } from './slot.ts'

export interface SplitPart {
  readonly slot: number
  readonly args: CommandArgument[]
  /** For MGET: where each of this part's values goes in the caller's reply. */
  readonly positions: number[]
}

export type Combine = (replies: unknown[], parts: readonly SplitPart[], total: number) => unknown

/** How each splittable command's keys are laid out and its replies combined. */
const SPLITTABLE: Readonly<Record<string, { step: number; combine: Combine }>> = {
  MGET: { step: 1, combine: (replies, parts, total) => {
    const out = new Array<unknown>(total)
    parts.forEach((part, i) => part.positions.forEach((p, j) => (out[p] = (replies[i] as unknown[])[j])))
    return out
  } },
  MSET: { step: 2, combine: () => 'OK' },
  DEL: { step: 1, combine: sum },
  UNLINK: { step: 1, combine: sum },
  EXISTS: { step: 1, combine: sum },
  TOUCH: { step: 1, combine: sum },
}

function sum(replies: unknown[]): number {
  let n = 0
  for (const r of replies) n += Number(r)
  return n
}

export function isSplittable(name: string): boolean {
  return SPLITTABLE[name] !== undefined
}

/** One command per slot, in the order the slots first appear; undefined if not splittable. */
export function splitBySlot(name: string, args: readonly CommandArgument[]): { parts: SplitPart[]; combine: Combine; total: number } | undefined {
  const how = SPLITTABLE[name]
  if (how === undefined) return undefined
  const bySlot = new Map<number, SplitPart>()
  let index = 0
  for (let i = 1; i + how.step - 1 < args.length; i += how.step, index++) {
    const slot = keySlot(args[i])
    let part = bySlot.get(slot)
    if (part === undefined) bySlot.set(slot, (part = { slot, args: [args[0]], positions: [] }))
    for (let j = 0; j < how.step; j++) part.args.push(args[i + j])
    part.positions.push(index)
  }
  return { parts: [...bySlot.values()], combine: how.combine, total: index }
}
