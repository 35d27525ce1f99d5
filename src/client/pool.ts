// node-redis v5's client pool: commands that hold a connection (blocking reads, WATCH...MULTI,
// long scripts) each get a client of their own, so they never stall other callers. Bounded:
// at most `maximum` clients; a caller that cannot get one within `acquireTimeout` fails.

import { brand } from '../resp/errors.ts'
import { RedisClient } from './client.ts'
import { ClientClosedError, ClientError } from './errors.ts'
import { Emitter } from './events.ts'
import { installMethods, type CommandMethods } from './methods.ts'
import type { ClientOptions } from './options.ts'

export interface PoolOptions {
  /** Clients kept connected even when idle. Default 1. */
  minimum?: number
  /** Most clients at once. Default 100. */
  maximum?: number
  /** A caller waiting longer than this for a free client fails with PoolTimeoutError. Default 3000 ms. */
  acquireTimeout?: number
  /** Idle clients beyond `minimum` are closed after this many ms. Default 3000. */
  cleanupDelay?: number
}

/** No client of the pool became free within `acquireTimeout`: the command was not sent. */
export class PoolTimeoutError extends ClientError {
  constructor(ms: number, maximum: number, connecting = false) {
    super(connecting
      ? `no new client of the pool could connect within ${ms} ms (acquireTimeout): the command was not sent; is the server up?`
      : `all ${maximum} clients of the pool stayed busy for ${ms} ms (acquireTimeout): the command was not sent; raise maximum or acquireTimeout`)
  }
}
brand(PoolTimeoutError, 'PoolTimeoutError')

function checkCount(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw new TypeError(`createClientPool: option \`${name}\` must be an integer, ${min} or more (got ${String(value)})`)
  return value
}

interface Waiter {
  resolve(client: RedisClient): void
  reject(error: Error): void
  timer: ReturnType<typeof setTimeout> | undefined
}

export class RedisClientPool extends Emitter {
  readonly #clientOptions: ClientOptions | undefined
  readonly #minimum: number
  readonly #maximum: number
  readonly #acquireTimeout: number
  readonly #cleanupDelay: number
  readonly #idle: RedisClient[] = []
  readonly #busy = new Set<RedisClient>()
  readonly #waiters: Waiter[] = []
  /** Clients still connecting: counted in the size, destroyed with the pool. */
  readonly #connecting = new Set<RedisClient>()
  #closed = false
  #cleanup: ReturnType<typeof setTimeout> | undefined

  /** Use `createClientPool()`. */
  constructor(clientOptions?: ClientOptions, options: PoolOptions = {}) {
    super()
    new RedisClient(clientOptions) // checks the client options now, as createClient does
    this.#clientOptions = clientOptions
    this.#minimum = checkCount('minimum', options.minimum, 1, 0)
    this.#maximum = checkCount('maximum', options.maximum, 100, 1)
    if (this.#minimum > this.#maximum) throw new TypeError('createClientPool: option `minimum` is larger than `maximum`')
    this.#acquireTimeout = checkCount('acquireTimeout', options.acquireTimeout, 3000, 0)
    this.#cleanupDelay = checkCount('cleanupDelay', options.cleanupDelay, 3000, 0)
  }

  /** Connects `minimum` clients; resolves with the pool. */
  async connect(): Promise<this> {
    const clients = await Promise.all(Array.from({ length: this.#minimum }, () => this.#open()))
    this.#idle.push(...clients)
    return this
  }

  get totalClients(): number {
    return this.#idle.length + this.#busy.size + this.#connecting.size
  }

  get idleClients(): number {
    return this.#idle.length
  }

  get tasksQueueLength(): number {
    return this.#waiters.length
  }

  /** Runs `fn` with a client of its own; the client goes back to the pool when `fn` settles. */
  async execute<T>(fn: (client: RedisClient) => T | Promise<T>): Promise<T> {
    const client = await this.#acquire()
    try {
      return await fn(client)
    } finally {
      this.#release(client)
    }
  }

  /** @internal A typed method: one command on a client of its own. */
  _send(args: Parameters<RedisClient['_send']>[0], options: Parameters<RedisClient['_send']>[1], shape: Parameters<RedisClient['_send']>[2]): Promise<unknown> {
    return this.execute((client) => client._send(args, options, shape))
  }

  sendCommand<T = unknown>(args: Parameters<RedisClient['sendCommand']>[0], options?: Parameters<RedisClient['sendCommand']>[1]): Promise<T> {
    return this.execute((client) => client.sendCommand<T>(args, options))
  }

  /** Waits for the busy clients to finish, then closes every client. Waiting callers fail. */
  async close(): Promise<void> {
    this.#closed = true
    this.#failWaiters(new ClientClosedError('the pool was closed: the command was not sent'))
    if (this.#cleanup !== undefined) clearTimeout(this.#cleanup)
    for (const c of this.#connecting) c.destroy()
    await Promise.all([...this.#idle.splice(0), ...this.#busy].map((c) => c.close()))
  }

  /** Closes every client now; their pending commands fail. */
  destroy(): void {
    this.#closed = true
    this.#failWaiters(new ClientClosedError('the pool was destroyed: the command was not sent'))
    if (this.#cleanup !== undefined) clearTimeout(this.#cleanup)
    for (const c of [...this.#idle.splice(0), ...this.#busy, ...this.#connecting]) c.destroy()
    this.#busy.clear()
    this.#connecting.clear()
  }

  async #open(): Promise<RedisClient> {
    const client = new RedisClient(this.#clientOptions)
    client.on('error', (err: unknown) => this.emit('error', err))
    this.#connecting.add(client)
    try {
      await client.connect()
      return client
    } finally {
      this.#connecting.delete(client)
    }
  }

  /**
   * A new client for one caller, within acquireTimeout: a server that is down must not hold the
   * caller forever. A client that connects after its caller gave up joins the pool.
   */
  #openFor(): Promise<RedisClient> {
    const opening = this.#open().then((client) => {
      if (this.#closed) {
        client.destroy()
        throw new ClientClosedError('the pool was closed while a client was connecting')
      }
      this.#busy.add(client)
      return client
    })
    if (this.#acquireTimeout === 0) return opening
    return new Promise((resolve, reject) => {
      let late = false
      const timer = setTimeout(() => {
        late = true
        reject(new PoolTimeoutError(this.#acquireTimeout, this.#maximum, true))
      }, this.#acquireTimeout)
      opening.then((client) => {
        clearTimeout(timer)
        if (late) this.#release(client)
        else resolve(client)
      }, (error) => {
        clearTimeout(timer)
        reject(error)
      })
    })
  }

  #acquire(): Promise<RedisClient> {
    if (this.#closed) return Promise.reject(new ClientClosedError('the pool is closed'))
    while (this.#idle.length > 0) {
      const client = this.#idle.pop()!
      if (!client.isOpen) continue // gave up reconnecting: leave it
      this.#busy.add(client)
      return Promise.resolve(client)
    }
    if (this.totalClients < this.#maximum) return this.#openFor()
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, timer: undefined }
      if (this.#acquireTimeout > 0) {
        waiter.timer = setTimeout(() => {
          const i = this.#waiters.indexOf(waiter)
          if (i !== -1) this.#waiters.splice(i, 1)
          reject(new PoolTimeoutError(this.#acquireTimeout, this.#maximum))
        }, this.#acquireTimeout)
      }
      this.#waiters.push(waiter)
    })
  }

  #release(client: RedisClient): void {
    this.#busy.delete(client)
    // A task that WATCHed and never ran EXEC (it threw, say) must not hand its watch to the next
    // task, whose transaction would then fail for keys it never watched. UNWATCH goes out ahead of
    // the next task's commands on the same connection.
    // TODO(lead): read a public `watching` getter of ClientCore instead of its private field.
    if (client._core.watching && client.isOpen) {
      client.unwatch().catch(() => undefined)
    }
    if (this.#closed) {
      void client.close()
      return
    }
    if (!client.isOpen) {
      // It gave up reconnecting and leaves the pool: a waiting caller gets a new client instead.
      const waiter = this.#waiters.shift()
      if (waiter === undefined) return
      if (waiter.timer !== undefined) clearTimeout(waiter.timer)
      this.#openFor().then(waiter.resolve, waiter.reject)
      return
    }
    const waiter = this.#waiters.shift()
    if (waiter !== undefined) {
      if (waiter.timer !== undefined) clearTimeout(waiter.timer)
      this.#busy.add(client)
      waiter.resolve(client)
      return
    }
    this.#idle.push(client)
    if (this.#idle.length > this.#minimum && this.#cleanup === undefined) {
      this.#cleanup = setTimeout(() => {
        this.#cleanup = undefined
        while (this.#idle.length > this.#minimum) void this.#idle.shift()!.close()
      }, this.#cleanupDelay)
    }
  }

  #failWaiters(error: Error): void {
    for (const w of this.#waiters.splice(0)) {
      if (w.timer !== undefined) clearTimeout(w.timer)
      w.reject(error)
    }
  }
}

export interface RedisClientPool extends CommandMethods {}
installMethods(RedisClientPool.prototype, {
  invoke: (self: RedisClientPool, args, options, shape) => self._send(args, options, shape),
  fail: (error) => Promise.reject(error),
})

/** node-redis v5's createClientPool: `await createClientPool(clientOptions, { maximum: 10 }).connect()`. */
export function createClientPool(clientOptions?: ClientOptions, options?: PoolOptions): RedisClientPool {
  return new RedisClientPool(clientOptions, options)
}
