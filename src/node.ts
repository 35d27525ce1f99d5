// The Node entry point: everything in respkit, plus what only Node has. Deno and Bun can import
// it too (through their Node compatibility), but their own entries are leaner.

export * from './index.ts'
export { nodeConnector, nodeListen, nodeUtf8, type NodeListener } from './transport/node.ts'
