// The handshake against the mock server (in memory, byte-exact commands): the RESP2 fallback
// when the server has no HELLO or answers NOPROTO (said once, by event and property), the order
// of the handshake commands, the handshake replayed on a new connection before any queued
// command, a transient refusal (LOADING) retried, and a server that accepts the connection but
// never answers the handshake (connect() must still settle).

import assert from 'node:assert/strict'
import { describe, test } from '../support/runtime.ts'
import { silentListener } from '../support/ports.ts'
import { closeConnection, createMockServer, type MockCommand } from '../../src/testing/index.ts'
import { ReplyError } from '../../src/resp/index.ts'
import { OutcomeUnknownError, createClient, type RedisClient } from '../../src/client/index.ts'

function helloReply(id: number, proto: number): Map<string, unknown> {
  return new Map<string, unknown>([['server', 'redis'], ['version', '7.2.0'], ['proto', proto], ['id', id], ['mode', 'standalone'], ['role', 'master'], ['modules', []]])
}

const line = (c: MockCommand) => [c.name, ...c.args].join(' ')

function next(client: RedisClient, event: string): Promise<void> {
  return new Promise((resolve) => client.once(event, () => resolve()))
}

describe('handshake: RESP2 fallback', () => {
  const servers: Array<[string, (args: string[]) => unknown]> = [
    ['a server without HELLO (unknown command)', () => undefined],
    ['a server answering NOPROTO', () => new ReplyError('NOPROTO unsupported protocol version')],
  ]
  for (const [what, helloAnswer] of servers) {
    test(`${what}: AUTH, CLIENT SETNAME, SELECT; fellBackToResp2 and one resp2-fallback event, also after a reconnect`, async () => {
      const perConnection = new Map<number, string[]>()
      const mock = createMockServer((command, connection) => {
        const list = perConnection.get(connection.id) ?? []
        perConnection.set(connection.id, list)
        list.push(line(command))
        if (command.name === 'HELLO') return helloAnswer(command.args)
        if (command.name === 'DROP') return closeConnection()
        return 'OK'
      }, { hello: false })
      const client = createClient({ connector: mock.connector(), username: 'u', password: 'pw', name: 'legacy', database: 2, socket: { reconnectStrategy: 0 } })
      let fallbacks = 0
      client.on('resp2-fallback', () => fallbacks++)
      client.on('error', () => {})
      try {
        await client.connect()
        assert.equal(client.fellBackToResp2, true)
        assert.equal(client.RESP, 2)
        assert.equal(fallbacks, 1)
        const ready = next(client, 'ready')
        await assert.rejects(client.sendCommand(['DROP']), OutcomeUnknownError)
        await ready
        assert.equal(await client.sendCommand(['PING']), 'OK')
        assert.equal(fallbacks, 1, 'said once')
        const connections = [...perConnection.values()]
        assert.equal(connections.length, 2)
        assert.deepEqual(connections[0], ['HELLO 3 AUTH u pw SETNAME legacy', 'AUTH u pw', 'CLIENT SETNAME legacy', 'SELECT 2', 'DROP'])
        assert.deepEqual(connections[1], ['HELLO 3 AUTH u pw SETNAME legacy', 'AUTH u pw', 'CLIENT SETNAME legacy', 'SELECT 2', 'PING'])
      } finally {
        client.destroy()
        await mock.close()
      }
    })
  }
})

describe('handshake: order and replay', () => {
  test('RESP3: one HELLO with AUTH and SETNAME, then SELECT; replayed before a command queued while reconnecting', async () => {
    const perConnection = new Map<number, string[]>()
    const mock = createMockServer((command, connection) => {
      const list = perConnection.get(connection.id) ?? []
      perConnection.set(connection.id, list)
      list.push(line(command))
      if (command.name === 'HELLO') {
        connection.protocol = 3
        return helloReply(connection.id, 3)
      }
      if (command.name === 'DROP') return closeConnection()
      if (command.name === 'GET') return 'value'
      return 'OK'
    }, { hello: false })
    const client = createClient({ connector: mock.connector(), password: 'pw', name: 'app', database: 4, socket: { reconnectStrategy: 0 } })
    client.on('error', () => {})
    try {
      await client.connect()
      assert.equal(client.RESP, 3)
      // A command issued while reconnecting waits in the queue and goes out after the handshake.
      let queued: Promise<unknown> | undefined
      client.once('reconnecting', () => {
        queued = client.sendCommand(['GET', 'k'])
      })
      const ready = next(client, 'ready')
      await assert.rejects(client.sendCommand(['DROP']), OutcomeUnknownError)
      await ready
      assert.ok(queued !== undefined, 'reconnecting was emitted')
      assert.equal(await queued, 'value')
      const connections = [...perConnection.values()]
      assert.deepEqual(connections[0], ['HELLO 3 AUTH default pw SETNAME app', 'SELECT 4', 'DROP'])
      assert.deepEqual(connections[1], ['HELLO 3 AUTH default pw SETNAME app', 'SELECT 4', 'GET k'])
    } finally {
      client.destroy()
      await mock.close()
    }
  })

  test('RESP 2 asked for: AUTH, CLIENT SETNAME, SELECT and no HELLO', async () => {
    const seen: string[] = []
    const mock = createMockServer((command) => {
      seen.push(line(command))
      return 'OK'
    }, { hello: false })
    const client = createClient({ connector: mock.connector(), password: 'pw', name: 'two', database: 1, RESP: 2 })
    try {
      await client.connect()
      assert.deepEqual(seen, ['AUTH pw', 'CLIENT SETNAME two', 'SELECT 1'])
      assert.equal(client.fellBackToResp2, false, 'asked for, not a fallback')
    } finally {
      client.destroy()
      await mock.close()
    }
  })

  test('LOADING during the handshake is transient: retried by the strategy, then ready', async () => {
    let hellos = 0
    const mock = createMockServer((command, connection) => {
      if (command.name === 'HELLO') {
        if (++hellos === 1) return new ReplyError('LOADING Redis is loading the dataset in memory')
        connection.protocol = 3
        return helloReply(connection.id, 3)
      }
      return 'OK'
    }, { hello: false })
    const retries: number[] = []
    const client = createClient({ connector: mock.connector(), socket: { reconnectStrategy: (n) => (retries.push(n), 0) } })
    const events: string[] = []
    for (const e of ['connect', 'ready', 'error', 'reconnecting']) client.on(e, () => events.push(e))
    try {
      await client.connect()
      assert.deepEqual(retries, [0])
      assert.deepEqual(events, ['connect', 'error', 'reconnecting', 'connect', 'ready'])
    } finally {
      client.destroy()
      await mock.close()
    }
  })
})

describe('handshake: a server that never answers', () => {
  test('connect() settles (within connectTimeout and the strategy), not never', async () => {
    const listener = await silentListener()
    const client = createClient({ socket: { port: listener.port, connectTimeout: 200, reconnectStrategy: false } })
    client.on('error', () => {})
    let guard: ReturnType<typeof setTimeout> | undefined
    try {
      // The guard only bounds the test: a pending connect() after it is the failure.
      const outcome = await Promise.race([
        client.connect().then(() => 'connected', (err: Error) => `rejected: ${err.name}`),
        new Promise<string>((resolve) => { guard = setTimeout(() => resolve('still pending'), 3_000) }),
      ])
      assert.match(outcome, /^rejected/, `connect() to a server that accepts and never answers: ${outcome} after 3 s (connectTimeout 200 ms)`)
    } finally {
      clearTimeout(guard)
      client.destroy()
      await listener.close()
    }
  })
})
