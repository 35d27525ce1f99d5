// Test doubles for users' own tests: a scriptable RESP server over an in-memory pair or TCP.
export {
  createMockServer, MockServer, MockConnection, hang, raw, closeConnection, delayed, replies,
} from './mock-server.ts'
export type { MockCommand, MockHandler, MockReply, MockServerOptions } from './mock-server.ts'
export type { ListenOptions } from './tcp.ts'
