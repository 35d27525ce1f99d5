// Deterministic cluster cases against mock-server nodes, all in memory (no socket): each node
// is a createMockServer reached through one connector that dispatches on host:port, given to
// createCluster as `defaults: { connector }`; the tests answer CLUSTER SHARDS themselves.
// MOVED loops and the redirect cap, ASK, CLUSTERDOWN and TRYAGAIN retried, a MOVED that points
// back at its sender, a node that hangs, a node that answers malformed bytes, a write whose
// connection dies (never resent), discovery failing on every node, a MOVED storm against a
// stale layout (refreshes stay ~1/s), uncovered slots, periodic refresh, nodeAddressMap, empty
// and '?' endpoints, the CLUSTER SLOTS fallback, a node leaving (its slots served by the new
// owner, its connection closed) and coming back, useReplicas (an unreachable replica falls back
// to the master), transactions and pipelines while a node goes away, a transaction aborted by
// MOVED, destroy() ending commands that wait for an owner, events, and option checks.

import assert from 'node:assert/strict'
import { describe, test } from '../support/runtime.ts'
import { createMockServer, hang, raw, closeConnection, type MockCommand, type MockConnection, type MockServer } from '../../src/testing/index.ts'
import {
  createCluster, ClusterDiscoveryError, RedirectLimitError, SlotUnavailableError, keySlot, type ClusterOptions, type RedisCluster,
} from '../../src/cluster/index.ts'
import { CommandTimeoutError, OutcomeUnknownError } from '../../src/client/index.ts'
import { ProtocolError, ReplyError } from '../../src/resp/index.ts'
import { ConnectionRefusedError } from '../../src/transport/errors.ts'
import type { Connector } from '../../src/transport/types.ts'
import { waitFor } from './helpers.ts'

/** A key whose slot is in [from, to]. */
function keyIn(from: number, to: number, prefix = 'k'): string {
  for (let i = 0; ; i++) {
    const slot = keySlot(`${prefix}${i}`)
    if (slot >= from && slot <= to) return `${prefix}${i}`
  }
}
const LOW = keyIn(0, 8191) // served by A
const HIGH = keyIn(8192, 16383) // served by B

type Handler = (command: MockCommand, connection: MockConnection) => unknown

/** Mock nodes by `host:port`; a connection to any other address is refused. */
class MockNet {
  readonly servers = new Map<string, MockServer>()
  readonly connects: string[] = []
  /** Every command each node received, kept after its connection closed. */
  readonly log: Array<{ address: string; command: MockCommand }> = []
  readonly connector: Connector = (options, handlers) => {
    const address = `${options.host}:${options.port}`
    this.connects.push(address)
    const server = this.servers.get(address)
    if (server === undefined) return Promise.reject(new ConnectionRefusedError(`connect ECONNREFUSED ${address}`, address, { code: 'ECONNREFUSED' }))
    return server.connector()(options, handlers)
  }

  node(address: string, handler: Handler): MockServer {
    const server = createMockServer(async (command, connection) => {
      this.log.push({ address, command })
      if (command.name === 'CLIENT' || command.name === 'READONLY') return 'OK'
      return handler(command, connection)
    })
    this.servers.set(address, server)
    return server
  }

  /** Commands of one name received by one node. */
  count(address: string, name: string, arg?: string): number {
    return this.log.filter(({ address: a, command: c }) => a === address && c.name === name && (arg === undefined || c.args[0]?.toUpperCase() === arg)).length
  }

  async close(): Promise<void> {
    await Promise.all([...this.servers.values()].map((s) => s.close()))
  }
}

/** A CLUSTER SHARDS reply: shards of [from, to, master {host, port}, ...replicas]. */
function shards(...list: Array<{ slots: number[]; nodes: Array<{ endpoint: string; port: number; role?: string; health?: string; ip?: string }> }>): unknown {
  return list.map((s, i) => new Map<string, unknown>([
    ['slots', s.slots],
    ['nodes', s.nodes.map((n, j) => new Map<string, unknown>([
      ['id', `id-${i}-${j}`], ['port', n.port], ['ip', n.ip ?? n.endpoint], ['endpoint', n.endpoint],
      ['role', n.role ?? (j === 0 ? 'master' : 'replica')], ['replication-offset', 1], ['health', n.health ?? 'online'],
    ]))],
  ]))
}

const TWO = shards(
  { slots: [0, 8191], nodes: [{ endpoint: 'mock-a', port: 7001 }] },
  { slots: [8192, 16383], nodes: [{ endpoint: 'mock-b', port: 7002 }] },
)

function open(net: MockNet, extra: Partial<ClusterOptions> = {}): RedisCluster {
  const cluster = createCluster({
    rootNodes: [{ socket: { host: 'mock-a', port: 7001 } }],
    ...extra,
    defaults: { connector: net.connector, ...extra.defaults },
  })
  cluster.on('error', () => {})
  return cluster
}

/**
 * Opens and connects a cluster over `net` (see open()), runs `body` with it, then destroys the
 * cluster and closes every mock node, whatever happened. Tests that keep `net` for another
 * cluster, or must not connect, use open() directly.
 */
async function withCluster(net: MockNet, extra: Partial<ClusterOptions>, body: (cluster: RedisCluster) => Promise<void>): Promise<void> {
  const cluster = open(net, extra)
  try {
    await cluster.connect()
    await body(cluster)
  } finally {
    cluster.destroy()
    await net.close()
  }
}

/** Two nodes serving `layout`; `data` answers GET/SET/INCR per node. */
function twoNodes(layout: () => unknown, a: Handler = () => undefined, b: Handler = () => undefined): MockNet {
  const net = new MockNet()
  const store = new Map<string, string>()
  const common = (handler: Handler): Handler => async (command, connection) => {
    if (command.name === 'CLUSTER' && command.args[0]?.toUpperCase() === 'SHARDS') return layout()
    const mine = await handler(command, connection)
    if (mine !== undefined) return mine
    if (command.name === 'GET') return store.get(command.args[0]) ?? null
    if (command.name === 'SET') { store.set(command.args[0], command.args[1]); return 'OK' }
    if (command.name === 'PING') return 'PONG'
    return undefined
  }
  net.node('mock-a:7001', common(a))
  net.node('mock-b:7002', common(b))
  return net
}

describe('redirects', () => {
  test('a MOVED loop stops at maxCommandRedirections with RedirectLimitError naming the slot and the nodes', async () => {
    const slot = keySlot(HIGH)
    const net = twoNodes(() => TWO,
      (c) => (c.name === 'GET' ? new ReplyError(`MOVED ${slot} mock-b:7002`) : undefined),
      (c) => (c.name === 'GET' ? new ReplyError(`MOVED ${slot} mock-a:7001`) : undefined))
    await withCluster(net, { maxCommandRedirections: 5 }, async (cluster) => {
      const error = await cluster.get(HIGH).then(() => undefined, (e: unknown) => e)
      assert.ok(error instanceof RedirectLimitError, String(error))
      assert.equal(error.slot, slot)
      assert.ok(error.visited.includes('mock-a:7001') && error.visited.includes('mock-b:7002'), error.visited.join(' '))
      assert.match(error.message, new RegExp(`slot ${slot}\\b`))
      assert.match(error.message, /mock-a:7001/)
      assert.match(error.message, /mock-b:7002/)
      // Bounded: 1 try + 5 redirects, no more.
      assert.equal(net.count('mock-a:7001', 'GET') + net.count('mock-b:7002', 'GET'), 6)
    })
  })

  test('MOVED patches the slot at once: the next command goes straight to the new owner', async () => {
    const slot = keySlot(LOW)
    const net = twoNodes(() => TWO, (c) => (c.name === 'GET' ? new ReplyError(`MOVED ${slot} mock-b:7002`) : undefined))
    await withCluster(net, { minRefreshInterval: 60_000 }, async (cluster) => {
      await cluster.sendToNode('mock-b:7002', ['SET', LOW, 'on-b'])
      assert.equal(await cluster.get(LOW), 'on-b')
      assert.equal(await cluster.get(LOW), 'on-b')
      assert.equal(net.count('mock-a:7001', 'GET'), 1, 'the second GET went to the old owner again')
    })
  })

  test('ASK: ASKING and the command go to the target back to back; the slot map is unchanged', async () => {
    const slot = keySlot(LOW)
    const net = twoNodes(() => TWO,
      (c) => (c.name === 'GET' ? new ReplyError(`ASK ${slot} mock-b:7002`) : undefined),
      (c, conn) => {
        if (c.name === 'ASKING') { conn.state.set('asking', true); return 'OK' }
        if (c.name === 'GET') {
          const asking = conn.state.get('asking') === true
          conn.state.delete('asking')
          return asking ? 'imported' : new ReplyError(`MOVED ${slot} mock-a:7001`)
        }
        return undefined
      })
    await withCluster(net, {}, async (cluster) => {
      assert.equal(await cluster.get(LOW), 'imported')
      assert.equal(await cluster.get(LOW), 'imported')
      assert.equal(net.count('mock-a:7001', 'GET'), 2, 'ASK must not move the slot')
      assert.equal(net.count('mock-b:7002', 'ASKING'), 2)
      assert.equal(cluster.shards.find((s) => s.master.address === 'mock-a:7001')!.slots[0][0], 0)
    })
  })

  test('a MOVED pointing back at its sender recycles that connection once, then succeeds', async () => {
    const slot = keySlot(LOW)
    const confused = new Set<number>()
    let always = false
    const net = twoNodes(() => TWO, (c, conn) => {
      if (c.name !== 'GET') return undefined
      return always || confused.has(conn.id) ? new ReplyError(`MOVED ${slot} mock-a:7001`) : 'ok-after-recycle'
    })
    await withCluster(net, {}, async (cluster) => {
      // The connections open now are "confused"; a fresh one answers.
      for (const c of net.servers.get('mock-a:7001')!.connections) confused.add(c.id)
      const before = net.connects.filter((a) => a === 'mock-a:7001').length
      assert.equal(await cluster.get(LOW), 'ok-after-recycle')
      assert.equal(net.connects.filter((a) => a === 'mock-a:7001').length, before + 1, 'not exactly one new connection to the node')
      // A node that keeps saying so: recycled once, then the MOVED is the answer (no loop).
      always = true
      const gets = net.count('mock-a:7001', 'GET')
      await assert.rejects(cluster.get(LOW), (e: unknown) => e instanceof ReplyError && e.code === 'MOVED')
      assert.equal(net.count('mock-a:7001', 'GET') - gets, 2)
    })
  })

  test('CLUSTERDOWN then OK, TRYAGAIN then OK: retried within the deadline', async () => {
    let downs = 2
    let tries = 2
    const net = twoNodes(() => TWO,
      (c) => (c.name === 'GET' && downs-- > 0 ? new ReplyError('CLUSTERDOWN The cluster is down') : undefined),
      (c) => (c.name === 'GET' && tries-- > 0 ? new ReplyError('TRYAGAIN Multiple keys request during rehashing of slot') : undefined))
    await withCluster(net, {}, async (cluster) => {
      await cluster.sendToNode('mock-a:7001', ['SET', LOW, 'low'])
      await cluster.sendToNode('mock-b:7002', ['SET', HIGH, 'high'])
      assert.deepEqual(await Promise.all([cluster.get(LOW), cluster.get(HIGH)]), ['low', 'high'])
      assert.equal(net.count('mock-a:7001', 'GET'), 3)
      assert.equal(net.count('mock-b:7002', 'GET'), 3)
    })
  })

  test('CLUSTERDOWN past the command\'s timeout fails with the server\'s error', async () => {
    const net = twoNodes(() => TWO, (c) => (c.name === 'GET' ? new ReplyError('CLUSTERDOWN The cluster is down') : undefined))
    await withCluster(net, {}, async (cluster) => {
      const started = Date.now()
      await assert.rejects(cluster.sendCommand(['GET', LOW], { timeout: 300 }), (e: unknown) => e instanceof ReplyError && e.code === 'CLUSTERDOWN')
      assert.ok(Date.now() - started < 2_000)
    })
  })
})

describe('broken nodes', () => {
  test('a node that hangs: the command times out, other slots keep working', async () => {
    const net = twoNodes(() => TWO, (c) => (c.name === 'GET' ? hang() : undefined))
    const cluster = await open(net).connect()
    try {
      const started = Date.now()
      await assert.rejects(cluster.sendCommand(['GET', LOW], { timeout: 200 }), CommandTimeoutError)
      assert.ok(Date.now() - started < 2_000)
      assert.equal(await cluster.get(HIGH), null)
    } finally {
      cluster.destroy()
    }
    // The same with the timeout in defaults.commandOptions.
    await withCluster(net, { defaults: { commandOptions: { timeout: 200 } } }, async (withDefault) => {
      const started = Date.now()
      await assert.rejects(withDefault.get(LOW), CommandTimeoutError)
      assert.ok(Date.now() - started < 2_000)
    })
  })

  test('a pipeline through a node that hangs: that command times out (defaults.commandOptions), the others answer', async () => {
    const net = twoNodes(() => TWO, (c) => (c.name === 'GET' ? hang() : undefined))
    await withCluster(net, { defaults: { commandOptions: { timeout: 200 } } }, async (cluster) => {
      const started = Date.now()
      const replies = await cluster.pipeline().set(HIGH, 'h').get(LOW).get(HIGH).exec()
      assert.equal(replies[0], 'OK')
      assert.ok(replies[1] instanceof CommandTimeoutError, String(replies[1]))
      assert.equal(replies[2], 'h')
      assert.ok(Date.now() - started < 2_000)
    })
  })

  test('malformed bytes: OutcomeUnknownError with a ProtocolError cause, not resent; the cluster keeps working', async () => {
    let broken = true
    const net = twoNodes(() => TWO, (c) => {
      if (c.name === 'INCR') {
        if (broken) { broken = false; return raw('$x\r\nnot resp\r\n') }
        return 1
      }
      return undefined
    })
    await withCluster(net, {}, async (cluster) => {
      const error = await cluster.incr(LOW).then(() => undefined, (e: unknown) => e)
      assert.ok(error instanceof OutcomeUnknownError, String(error))
      assert.ok(error.cause instanceof ProtocolError, String(error.cause))
      assert.equal(net.count('mock-a:7001', 'INCR'), 1, 'an INCR that may have run was sent again')
      assert.equal(await cluster.incr(LOW), 1)
      assert.equal(await cluster.get(HIGH), null)
    })
  })

  test('a write whose connection dies is OutcomeUnknownError, never resent to any node', async () => {
    const net = twoNodes(() => TWO, (c) => (c.name === 'SET' ? closeConnection({ abort: true }) : undefined))
    await withCluster(net, {}, async (cluster) => {
      await assert.rejects(cluster.set(LOW, 'v'), OutcomeUnknownError)
      assert.equal(net.count('mock-a:7001', 'SET') + net.count('mock-b:7002', 'SET'), 1)
    })
  })

  test('a node that goes away: its slots are served by the owner the next layout names', async () => {
    let layout = TWO
    const net = twoNodes(() => layout)
    await withCluster(net, { minRefreshInterval: 0 }, async (cluster) => {
      assert.equal(await cluster.set(LOW, 'x'), 'OK')
      const removed: string[] = []
      cluster.on('node-removed', (n: { address: string }) => removed.push(n.address))
      // A "failover": A disappears, B takes all the slots.
      layout = shards({ slots: [0, 16383], nodes: [{ endpoint: 'mock-b', port: 7002 }] })
      const a = net.servers.get('mock-a:7001')!
      net.servers.delete('mock-a:7001')
      await a.close()
      assert.equal(await cluster.sendCommand(['SET', LOW, 'y'], { timeout: 5_000 }), 'OK')
      assert.equal(await cluster.sendToNode('mock-b:7002', ['GET', LOW]), 'y')
      assert.deepEqual(removed, ['mock-a:7001'])
      assert.deepEqual(cluster.masters.map((m) => m.address), ['mock-b:7002'])
    })
  })

  test('no owner within the deadline: SlotUnavailableError, not sent', async () => {
    const net = twoNodes(() => shards({ slots: [8192, 16383], nodes: [{ endpoint: 'mock-b', port: 7002 }] }))
    await withCluster(net, { minRefreshInterval: 50 }, async (cluster) => {
      await assert.rejects(cluster.sendCommand(['SET', LOW, 'v'], { timeout: 300 }), SlotUnavailableError)
      assert.equal(net.count('mock-a:7001', 'SET') + net.count('mock-b:7002', 'SET'), 0)
    })
  })
})

describe('replicas and transactions', () => {
  test('useReplicas: a replica that cannot be reached falls back to the master', async () => {
    const layout = () => shards(
      { slots: [0, 8191], nodes: [{ endpoint: 'mock-a', port: 7001 }, { endpoint: 'mock-c', port: 7003 }] },
      { slots: [8192, 16383], nodes: [{ endpoint: 'mock-b', port: 7002 }] },
    )
    // mock-c:7003 has no server: connections are refused.
    const net = twoNodes(layout)
    await withCluster(net, { useReplicas: true, minRefreshInterval: 0 }, async (cluster) => {
      assert.deepEqual(cluster.replicas.map((r) => r.address), ['mock-c:7003'])
      await cluster.sendToNode('mock-a:7001', ['SET', LOW, 'from-master'])
      const started = Date.now()
      for (let i = 0; i < 5; i++) assert.equal(await cluster.sendCommand(['GET', LOW], { timeout: 3_000 }), 'from-master')
      const took = Date.now() - started
      const tries = net.connects.filter((a) => a === 'mock-c:7003').length
      console.log(`5 reads with an unreachable replica: ${took} ms, ${tries} connection attempts to it`)
      // At once to the master, without waiting for a refresh; the replica is left alone for a while.
      assert.ok(took < 1_000, `5 reads took ${took} ms`)
      assert.ok(tries <= 3, `${tries} connection attempts to the unreachable replica`)
    })
  })

  test('useReplicas: reads go to a live replica, writes to the master', async () => {
    const layout = () => shards(
      { slots: [0, 8191], nodes: [{ endpoint: 'mock-a', port: 7001 }, { endpoint: 'mock-c', port: 7003 }] },
      { slots: [8192, 16383], nodes: [{ endpoint: 'mock-b', port: 7002 }] },
    )
    const net = twoNodes(layout)
    net.node('mock-c:7003', (c) => (c.name === 'GET' ? 'from-replica' : c.name === 'CLUSTER' ? layout() : undefined))
    await withCluster(net, { useReplicas: true }, async (cluster) => {
      assert.equal(await cluster.get(LOW), 'from-replica')
      assert.equal(await cluster.set(LOW, 'w'), 'OK')
      assert.equal(net.count('mock-c:7003', 'SET'), 0)
      assert.equal(net.count('mock-c:7003', 'READONLY'), 1, 'the replica connection was not opened with READONLY')
    })
  })

  test('multi(): a transaction aborted because its slot moved (EXECABORT of MOVED) runs once on the new owner', async () => {
    const slot = keySlot(LOW)
    let layout = TWO
    const net = twoNodes(() => layout,
      (c, conn) => {
        if (c.name === 'MULTI') return 'OK'
        if (c.name === 'SET') { layout = shards({ slots: [0, 16383], nodes: [{ endpoint: 'mock-b', port: 7002 }] }); return new ReplyError(`MOVED ${slot} mock-b:7002`) }
        if (c.name === 'EXEC') return new ReplyError('EXECABORT Transaction discarded because of previous errors.')
        void conn
        return undefined
      },
      (c) => (c.name === 'MULTI' ? 'OK' : c.name === 'SET' ? 'QUEUED' : c.name === 'EXEC' ? ['OK'] : undefined))
    await withCluster(net, { minRefreshInterval: 0 }, async (cluster) => {
      assert.deepEqual(await cluster.multi().set(LOW, 'v').exec(), ['OK'])
      assert.equal(net.count('mock-a:7001', 'EXEC'), 1)
      assert.equal(net.count('mock-b:7002', 'EXEC'), 1)
    })
  })
})

describe('batches while a node goes away', () => {
  test('pipeline() for the slots of a node that went away runs on the owner the next layout names', async () => {
    let layout = TWO
    const net = twoNodes(() => layout)
    await withCluster(net, { minRefreshInterval: 0 }, async (cluster) => {
      assert.equal(await cluster.get(LOW), null)
      layout = shards({ slots: [0, 16383], nodes: [{ endpoint: 'mock-b', port: 7002 }] })
      const a = net.servers.get('mock-a:7001')!
      net.servers.delete('mock-a:7001')
      await a.close()
      assert.deepEqual(await cluster.pipeline().get(LOW).get(HIGH).exec(), [null, null])
      assert.equal(net.count('mock-b:7002', 'GET'), 2)
    })
  })

  test('a pipeline cut before its last commands were written: those never ran, and are sent again alone', async () => {
    const net = twoNodes(() => TWO)
    const a = net.servers.get('mock-a:7001')!
    // Node A's links take one byte before asking for drain: a first command over the client's
    // 1 MiB write valve goes out alone, the rest of the pipeline waits behind it.
    const connector: Connector = (options, handlers) =>
      options.host === 'mock-a' ? a.connector({ highWaterMark: 1 })(options, handlers) : net.connector(options, handlers)
    await withCluster(net, { defaults: { connector } }, async (cluster) => {
      assert.equal(await cluster.set(LOW, 'v'), 'OK')
      const link = [...a.connections].at(-1)!
      link.faults!.stall('toServer')
      const replies = cluster.pipeline().set(LOW, 'x'.repeat(1_200_000)).get(LOW).get(LOW).exec()
      await new Promise((resolve) => setTimeout(resolve, 0)) // the first slice is written (and held)
      link.faults!.reset()
      const [set, ...gets] = await replies
      assert.ok(set instanceof OutcomeUnknownError, String(set))
      // The GETs were never written on the cut link (BatchCutError inside the node's pipeline):
      // the cluster sent them again, and the held SET never reached the server.
      assert.deepEqual(gets, ['v', 'v'])
    })
  })

  test('multi() for the slots of a node that went away runs on the owner the next layout names', async () => {
    let layout = TWO
    const net = twoNodes(() => layout, undefined,
      (c) => (c.name === 'MULTI' ? 'OK' : c.name === 'SET' ? 'QUEUED' : c.name === 'EXEC' ? ['OK'] : undefined))
    await withCluster(net, { minRefreshInterval: 0 }, async (cluster) => {
      assert.equal(await cluster.get(LOW), null)
      layout = shards({ slots: [0, 16383], nodes: [{ endpoint: 'mock-b', port: 7002 }] })
      const a = net.servers.get('mock-a:7001')!
      net.servers.delete('mock-a:7001')
      await a.close()
      assert.deepEqual(await cluster.multi().set(LOW, 'v').exec(), ['OK'])
      assert.equal(net.count('mock-b:7002', 'EXEC'), 1)
    })
  })
})

describe('discovery and refresh', () => {
  test('discovery failing on every node: ClusterDiscoveryError lists each node and why', async () => {
    const net = new MockNet()
    net.node('mock-a:7001', (c) => (c.name === 'CLUSTER' ? new ReplyError('ERR This instance has cluster support disabled') : undefined))
    net.node('mock-b:7002', (c) => (c.name === 'CLUSTER' ? [] : undefined))
    const cluster = createCluster({
      rootNodes: [{ socket: { host: 'mock-a', port: 7001 } }, { url: 'redis://mock-b:7002' }, { url: 'redis://mock-c:7003' }],
      defaults: { connector: net.connector },
    })
    cluster.on('error', () => {})
    try {
      const error = await cluster.connect().then(() => undefined, (e: unknown) => e)
      assert.ok(error instanceof ClusterDiscoveryError, String(error))
      assert.deepEqual(error.failures.map((f) => f.address), ['mock-a:7001', 'mock-b:7002', 'mock-c:7003'])
      assert.match(error.failures[0].error.message, /cluster support disabled/)
      assert.match(error.failures[1].error.message, /no slots/)
      assert.match(error.message, /mock-c:7003: .*(refused|ECONNREFUSED|gave up)/i)
      assert.equal(cluster.isOpen, false)
    } finally {
      cluster.destroy()
      await net.close()
    }
  })

  test('a MOVED storm against a stale layout does not become a refresh storm (~1 per second)', async () => {
    const slot = keySlot(LOW)
    const net = twoNodes(() => TWO, (c) => (c.name === 'GET' ? new ReplyError(`MOVED ${slot} mock-b:7002`) : undefined))
    await withCluster(net, {}, async (cluster) => {
      const started = Date.now()
      let done = 0
      // Each refresh restores the stale owner, so MOVED keeps coming for as long as we send.
      while (Date.now() - started < 2_200) {
        await Promise.all(Array.from({ length: 50 }, () => cluster.get(LOW)))
        done += 50
        // In memory every reply is a microtask: let timers (the scheduled refresh) run too.
        await new Promise((resolve) => setTimeout(resolve, 1))
      }
      const elapsed = Date.now() - started
      const shardsAsked = net.count('mock-a:7001', 'CLUSTER', 'SHARDS') + net.count('mock-b:7002', 'CLUSTER', 'SHARDS')
      const moved = net.count('mock-a:7001', 'GET')
      console.log(`MOVED storm: ${done} GETs, ${moved} MOVED replies, ${cluster.refreshCount} refreshes (CLUSTER SHARDS ${shardsAsked}) in ${elapsed} ms`)
      assert.ok(moved >= 3, `only ${moved} MOVED: the storm did not happen`)
      assert.ok(cluster.refreshCount <= 2 + Math.ceil(elapsed / 1000), `${cluster.refreshCount} refreshes in ${elapsed} ms`)
      assert.ok(shardsAsked <= cluster.refreshCount + 1)
    })
  })

  test('uncovered slots trigger a refresh; a command for an uncovered slot waits for it', async () => {
    let calls = 0
    const net = twoNodes(() => (++calls === 1 ? shards({ slots: [8192, 16383], nodes: [{ endpoint: 'mock-b', port: 7002 }] }) : TWO))
    await withCluster(net, { minRefreshInterval: 50 }, async (cluster) => {
      assert.equal(await cluster.sendCommand(['SET', LOW, 'covered-now'], { timeout: 3_000 }), 'OK')
      assert.equal(await cluster.sendToNode('mock-a:7001', ['GET', LOW]), 'covered-now')
      await waitFor('a second refresh', () => cluster.refreshCount >= 2, 3_000)
      assert.equal(cluster.masters.length, 2)
    })
  })

  test('periodic refresh (refreshInterval) picks up a new layout without any trigger', async () => {
    let layout = TWO
    const net = twoNodes(() => layout)
    await withCluster(net, { refreshInterval: 100, minRefreshInterval: 0 }, async (cluster) => {
      assert.ok(net.servers.get('mock-a:7001')!.connections.size > 0)
      layout = shards({ slots: [0, 16383], nodes: [{ endpoint: 'mock-b', port: 7002 }] })
      await waitFor('the new layout', () => cluster.masters.length === 1, 3_000)
      // The node left the cluster (though still up): its connection is closed.
      await waitFor('the connection to the node that left to close', () => net.servers.get('mock-a:7001')!.connections.size === 0, 3_000)
      // It comes back: used again.
      layout = TWO
      await waitFor('the node back in the layout', () => cluster.masters.length === 2, 3_000)
      assert.equal(await cluster.set(LOW, 'back'), 'OK')
      assert.equal(await cluster.sendToNode('mock-a:7001', ['GET', LOW]), 'back')
    })
  })

  test('nodeAddressMap (object and function) rewrites announced addresses, MOVED targets included', async () => {
    const announced = () => shards(
      { slots: [0, 8191], nodes: [{ endpoint: '10.0.0.1', port: 6379 }] },
      { slots: [8192, 16383], nodes: [{ endpoint: '10.0.0.2', port: 6379 }] },
    )
    const slot = keySlot(LOW)
    const net = twoNodes(announced, (c) => (c.name === 'GET' ? new ReplyError(`MOVED ${slot} 10.0.0.2:6379`) : undefined))
    const table = { '10.0.0.1:6379': { host: 'mock-a', port: 7001 }, '10.0.0.2:6379': { host: 'mock-b', port: 7002 } } as const
    for (const nodeAddressMap of [table, (address: string) => table[address as keyof typeof table]]) {
      const cluster = await open(net, { nodeAddressMap }).connect()
      try {
        assert.deepEqual(cluster.masters.map((m) => m.address).sort(), ['mock-a:7001', 'mock-b:7002'])
        await cluster.sendToNode('mock-b:7002', ['SET', LOW, 'mapped'])
        assert.equal(await cluster.get(LOW), 'mapped')
        assert.ok(!net.connects.some((a) => a.startsWith('10.0.0.')), 'connected to an unmapped address')
      } finally {
        cluster.destroy()
      }
    }
    await net.close()
  })

  test('empty and \'?\' endpoints mean the node that was asked; an empty MOVED host too', async () => {
    let stale = false
    const layout = () => stale ? shards({ slots: [0, 16383], nodes: [{ endpoint: '', port: 7001 }] }) : shards(
      { slots: [0, 8191], nodes: [{ endpoint: '', ip: '', port: 7001 }] },
      { slots: [8192, 16383], nodes: [{ endpoint: '?', ip: '?', port: 7002 }, { endpoint: '?', port: 7003, role: 'replica' }] },
    )
    const net = new MockNet()
    const store = new Map<string, string>()
    const handler = (port: number): Handler => (c) => {
      if (c.name === 'CLUSTER') return layout()
      if (c.name === 'GET' && port === 7001 && keySlot(c.args[0]) >= 8192) return new ReplyError(`MOVED ${keySlot(c.args[0])} :7002`)
      if (c.name === 'GET') return store.get(c.args[0]) ?? `from-${port}`
      return undefined
    }
    net.node('mock-a:7001', handler(7001))
    net.node('mock-a:7002', handler(7002))
    net.node('mock-a:7003', handler(7003))
    await withCluster(net, {}, async (cluster) => {
      assert.deepEqual(cluster.masters.map((m) => m.address).sort(), ['mock-a:7001', 'mock-a:7002'])
      assert.deepEqual(cluster.replicas.map((m) => m.address), ['mock-a:7003'])
      assert.equal(await cluster.get(HIGH), 'from-7002')
      assert.equal(await cluster.sendToNode('mock-a:7001', ['GET', HIGH]).catch((e: Error) => e.message), `MOVED ${keySlot(HIGH)} :7002`)
      // A stale layout (A owns everything): A's "MOVED <slot> :7002" (no host) leads to the sender's host.
      stale = true
      const routed = await open(net, { minRefreshInterval: 60_000 }).connect()
      try {
        assert.deepEqual(routed.masters.map((m) => m.address), ['mock-a:7001'])
        assert.equal(await routed.get(HIGH), 'from-7002')
      } finally {
        routed.destroy()
      }
    })
  })

  test('CLUSTER SHARDS unknown: the layout comes from CLUSTER SLOTS', async () => {
    const net = new MockNet()
    const slots = [
      [0, 8191, ['mock-a', 7001, 'id-a'], ['mock-a', 7003, 'id-c']],
      [8192, 16383, ['mock-b', 7002, 'id-b']],
    ]
    const handler: Handler = (c) => {
      if (c.name === 'CLUSTER' && c.args[0].toUpperCase() === 'SHARDS') return new ReplyError("ERR unknown subcommand 'SHARDS'. Try CLUSTER HELP.")
      if (c.name === 'CLUSTER') return slots
      if (c.name === 'GET') return `got ${c.args[0]}`
      return undefined
    }
    net.node('mock-a:7001', handler)
    net.node('mock-b:7002', handler)
    await withCluster(net, {}, async (cluster) => {
      assert.deepEqual(cluster.masters.map((m) => m.address).sort(), ['mock-a:7001', 'mock-b:7002'])
      assert.deepEqual(cluster.replicas.map((m) => m.address), ['mock-a:7003'])
      assert.equal(await cluster.get(HIGH), `got ${HIGH}`)
      assert.equal(net.count('mock-b:7002', 'GET'), 1)
    })
  })
})

describe('options', () => {
  test('invalid options throw a TypeError naming the option', () => {
    const base = { rootNodes: [{ url: 'redis://mock-a:7001' }] }
    assert.throws(() => createCluster({ rootNodes: [] }), /rootNodes/)
    assert.throws(() => createCluster({ ...base, maxCommandRedirections: -1 }), /maxCommandRedirections/)
    assert.throws(() => createCluster({ ...base, maxCommandRedirections: 1.5 }), /maxCommandRedirections/)
    assert.throws(() => createCluster({ ...base, minRefreshInterval: Number.NaN }), /minRefreshInterval/)
    assert.throws(() => createCluster({ ...base, refreshInterval: -5 }), /refreshInterval/)
    assert.throws(() => createCluster({ ...base, retryTimeout: 'x' as unknown as number }), /retryTimeout/)
    assert.throws(() => createCluster({ ...base, useReplicas: 1 as unknown as boolean }), /useReplicas/)
    assert.throws(() => createCluster({ ...base, nodeAddressMap: 3 as unknown as Record<string, never> }), /nodeAddressMap/)
    assert.throws(() => createCluster({ rootNodes: [{ socket: { path: '/tmp/x.sock' } as never }] }), /rootNodes\[0\]/)
  })

  test('events: node-connect, node-added, connect, ready, end; isOpen/isReady', async () => {
    const net = twoNodes(() => TWO)
    const cluster = open(net)
    const events: string[] = []
    for (const e of ['connect', 'ready', 'end']) cluster.on(e, () => events.push(e))
    cluster.on('node-added', (n: { address: string }) => events.push(`added ${n.address}`))
    assert.equal(cluster.isOpen, false)
    await cluster.connect()
    assert.ok(cluster.isOpen && cluster.isReady)
    await assert.rejects(cluster.connect(), /already open/)
    assert.deepEqual(events.filter((e) => e.startsWith('added')).sort(), ['added mock-a:7001', 'added mock-b:7002'])
    assert.deepEqual(events.filter((e) => !e.startsWith('added')), ['connect', 'ready'])
    assert.equal(await cluster.quit(), 'OK')
    assert.deepEqual(events.filter((e) => !e.startsWith('added')), ['connect', 'ready', 'end'])
    assert.equal(cluster.isOpen, false)
    await net.close()
  })

  test('close() is graceful: commands already sent get their replies', async () => {
    const slow: Handler = (c) => (c.name === 'GET' ? new Promise((resolve) => setTimeout(() => resolve('late'), 50)) : undefined)
    const net = twoNodes(() => TWO, slow, slow)
    const cluster = await open(net).connect()
    const pending = [cluster.get(LOW), cluster.get(HIGH)]
    // Let the commands be written before closing.
    await waitFor('the GETs to reach the nodes', () => net.count('mock-a:7001', 'GET') + net.count('mock-b:7002', 'GET') === 2, 2_000, 1)
    await cluster.close()
    assert.deepEqual(await Promise.all(pending), ['late', 'late'])
    await net.close()
  })

  test('destroy() ends commands waiting for a slot owner at once (ClientClosedError), not at their deadline', async () => {
    // Only B's slots are served: a command for A's slots waits for an owner (retryTimeout 30 s).
    const net = twoNodes(() => shards({ slots: [8192, 16383], nodes: [{ endpoint: 'mock-b', port: 7002 }] }))
    const cluster = await open(net, { minRefreshInterval: 20 }).connect()
    const waiting = cluster.set(LOW, 'v').then(() => 'resolved', (e: unknown) => e)
    await waitFor('a few refreshes while waiting', () => cluster.refreshCount >= 3, 3_000, 5)
    const started = Date.now()
    cluster.destroy()
    const outcome = await waiting
    assert.ok(outcome instanceof Error && outcome.name === 'ClientClosedError', String(outcome))
    assert.ok(Date.now() - started < 1_000, `the waiting command ended ${Date.now() - started} ms after destroy()`)
    await net.close()
  })

  test('commands before connect() and after close() are refused', async () => {
    const net = twoNodes(() => TWO)
    const cluster = open(net)
    await assert.rejects(cluster.get(LOW), /connect\(\)/)
    await cluster.connect()
    await cluster.close()
    await assert.rejects(cluster.get(LOW), /closed/)
    await net.close()
  })
})
