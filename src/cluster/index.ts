// The cluster layer's public face: createCluster, its errors, and the slot function.
export { createCluster, RedisCluster, type ClusterOptions, type RedisClusterType } from './cluster.ts'
export { ClusterBatch } from './batch.ts'
export { ClusterError, CrossSlotError, RedirectLimitError, ClusterDiscoveryError, SlotUnavailableError } from './errors.ts'
export { keySlot, SLOTS } from './slot.ts'
export type { ClusterNode, Shard } from './slot-map.ts'
export type { NodeAddressMap } from './topology.ts'
