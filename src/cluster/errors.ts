// Errors of the cluster client. Each names what a user needs to act: the slots a command
// spans, the nodes a redirect chain visited, why every node failed at discovery.

import { brand } from '../resp/errors.ts'
import { ClientError } from '../client/errors.ts'

export class ClusterError extends ClientError {}
brand(ClusterError, 'ClusterError')

/** The keys of one command (or transaction) live in different slots and it cannot be split. It was not sent. */
export class CrossSlotError extends ClusterError {
  readonly slots: readonly number[]
  constructor(command: string, slots: readonly number[]) {
    super(`${command} has keys in ${slots.length} slots (${slots.slice(0, 8).join(', ')}${slots.length > 8 ? ', ...' : ''}): it was not sent; give its keys one hash tag, e.g. {user1}.a and {user1}.b`)
    this.slots = slots
  }
}
brand(CrossSlotError, 'CrossSlotError')

/** More MOVED/ASK redirects than `maxCommandRedirections`: the command was not run (each redirect proves it). */
export class RedirectLimitError extends ClusterError {
  readonly slot: number | undefined
  readonly visited: readonly string[]
  constructor(command: string, slot: number | undefined, visited: readonly string[], cause: unknown) {
    super(`${command} was redirected ${visited.length - 1} times for slot ${slot ?? '(none)'} (maxCommandRedirections), visiting ${visited.join(' -> ')}: it did not run`, { cause })
    this.slot = slot
    this.visited = visited
  }
}
brand(RedirectLimitError, 'RedirectLimitError')

/** No node could tell the cluster's layout. `failures` says why for each node tried. */
export class ClusterDiscoveryError extends ClusterError {
  readonly failures: ReadonlyArray<{ readonly address: string; readonly error: Error }>
  constructor(failures: ReadonlyArray<{ readonly address: string; readonly error: Error }>) {
    super(`could not read the cluster's layout from any node:\n${failures.map((f) => `  ${f.address}: ${f.error.message}`).join('\n')}`, { cause: failures[0]?.error })
    this.failures = failures
  }
}
brand(ClusterDiscoveryError, 'ClusterDiscoveryError')

/** The slot has no owner (or its owner cannot be reached) and the command's deadline passed. It was not sent. */
export class SlotUnavailableError extends ClusterError {
  readonly slot: number | undefined
  constructor(command: string, slot: number | undefined, waited: number, cause: unknown) {
    super(`${command}: no reachable node served slot ${slot ?? '(any)'} for ${waited} ms: it was not sent`, { cause })
    this.slot = slot
  }
}
brand(SlotUnavailableError, 'SlotUnavailableError')
