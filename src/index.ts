// respkit: a zero-dependency toolkit for the Redis protocol.
// Layers, each usable alone: respkit/resp (parser and encoder), respkit/transport (byte streams
// for Node, Deno and Bun), respkit/client (the async client), respkit/cluster (Redis Cluster),
// respkit/testing (the mock server).
export * from './resp/index.ts'
export * from './transport/index.ts'
export * from './client/index.ts'
export * from './cluster/index.ts'
