// The client's engine, shared by a client and its views (withTypeMapping, withCommandOptions):
// the state (idle, connecting, ready, reconnecting, closing, closed), the queue of commands not
// yet written, one live connection at a time, reconnects, timeouts and aborts, and the rules
// of what happens to a command when things go wrong (see retry-policy.ts).

import { ReplyError, type CommandArgument } from '../resp/index.ts'
import type { Connector } from '../transport/types.ts'
import { nextDelay } from './backoff.ts'
import { Command, Fifo, QUEUED, SETTLED, WRITTEN, type Shaper } from './command.ts'
import { Connection, type ConnectionSettings } from './connection.ts'
import {
  BatchCutError, ClientClosedError, ClientOfflineError, ClientStateError, CommandAbortedError, CommandTimeoutError, HandshakeError,
  OfflineTimeoutError, OutcomeUnknownError, QueueFullError,
} from './errors.ts'
import { Emitter } from './events.ts'
import { runHandshake, type HandshakeResult } from './handshake.ts'
import type { CommandOptions, ResolvedOptions, Secret } from './options.ts'
import { MAX_RESENDS, MAX_SERVER_RETRIES, actionFor, isPermanent, serverRetryDelay } from './retry-policy.ts'
import { formOf } from './type-mapping.ts'
import { blockingTimeout } from './blocking.ts'
import { startHealthChecks } from './health.ts'
import { serveFromCache, type ClientSideCache } from './cache.ts'
import { PUBSUB_COMMANDS, Subscriptions, pushKind, type PubSubKind, type PubSubListener } from './pubsub.ts'
import { isReadOnly } from './command-keys.ts'
import { badArguments, badOptions, prefixKeys, subscribedRefusal } from './command-checks.ts'
import { sendBatch, type BatchEntry } from './batch-send.ts'
import { subscribe, unsubscribe } from './pubsub-commands.ts'
import { runtimeDefaults } from '../transport/runtime-defaults.ts'

export type State = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'closing' | 'closed'

export class ClientCore extends Emitter {
  state: State = 'idle'
  /** The protocol in force on the current connection. */
  resp: 2 | 3 = 2
  /** Set when RESP3 was asked for and the server only spoke RESP2. */
  fellBackToResp2 = false
  server: HandshakeResult['server'] = undefined
  /** Counts connections that became ready: a WATCH belongs to the one it ran on. */
  private epoch = 0
  private watchEpoch: number | undefined = undefined
  /** Selected on every new connection: the option, then whatever SELECT last chose. */
  database: number

  readonly queue: Fifo<Command> = new Fifo<Command>()
  readonly subscriptions: Subscriptions = new Subscriptions()
  connection: Connection | undefined
  private retries = 0
  private flushScheduled = false
  private blocked = false
  private waitTimer: ReturnType<typeof setTimeout> | undefined = undefined
  private wakeWait: (() => void) | undefined
  /** Stops the current connection's health checks (pingInterval, socketTimeout). */
  private health: (() => void) | undefined = undefined
  /** Checks that a connection answers a command given up on after its write (see giveUpOn). */
  private readonly graceTimers = new Set<ReturnType<typeof setTimeout>>()
  /** Commands refused with a retryable error, waiting out their backoff (in no queue). */
  private readonly backoffs = new Map<Command, { timer: ReturnType<typeof setTimeout>; error: ReplyError }>()
  /** Commands settled while in the queue (offline timeout, timeout, abort): they still take room until compacted. */
  private settledInQueue = 0
  private connectWaiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = []
  private closeWaiters: Array<() => void> = []
  private settings: ConnectionSettings | undefined
  private readonly flushBound = (): void => this.flush()

  readonly options: ResolvedOptions
  readonly password: Secret

  constructor(options: ResolvedOptions, password: Secret) {
    super()
    this.options = options
    this.password = password
    this.database = options.database
  }

  /** WATCH on the current connection; EXEC checks that the connection is still the same. */
  async watch(keys: readonly CommandArgument[]): Promise<string> {
    const epoch = this.epoch
    const reply = await this.send(['WATCH', ...keys], undefined, undefined)
    this.watchEpoch ??= epoch
    return reply as string
  }

  async unwatch(): Promise<string> {
    const reply = await this.send(['UNWATCH'], undefined, undefined)
    this.watchEpoch = undefined
    return reply as string
  }

  /** A WATCH is in force (until EXEC, UNWATCH or a reconnect). */
  get watching(): boolean {
    return this.watchEpoch !== undefined
  }

  /** Ends the current WATCH (EXEC does); true if it was lost to a reconnect since. */
  takeWatch(): boolean {
    const lost = this.watchEpoch !== undefined && this.watchEpoch !== this.epoch
    this.watchEpoch = undefined
    return lost
  }

  /** SELECT, remembered so that a reconnect selects the same database. */
  async select(db: number): Promise<string> {
    if (!Number.isInteger(db) || db < 0) throw new TypeError(`SELECT: the database must be an integer, 0 or more (got ${String(db)})`)
    const reply = await this.send(['SELECT', String(db)], undefined, undefined)
    this.database = db
    return reply as string
  }

  get isOpen(): boolean {
    return this.state === 'connecting' || this.state === 'ready' || this.state === 'reconnecting'
  }

  /** Resolves when ready; rejects on a permanent error or when the reconnect strategy gives up. */
  connect(): Promise<void> {
    if (this.state !== 'idle' && this.state !== 'closed') {
      return Promise.reject(new ClientStateError(`connect() was called on a client that is already ${this.state}: call it once, or after close()`))
    }
    this.state = 'connecting'
    this.retries = 0
    const ready = new Promise<void>((resolve, reject) => this.connectWaiters.push({ resolve, reject }))
    void this.dial()
    return ready
  }

  // ---- sending

  /** Queues a command; the returned promise settles exactly once, whatever happens. */
  send(args: readonly CommandArgument[], options: CommandOptions | undefined, shape: Shaper | undefined): Promise<unknown> {
    if (this.options.keyPrefix !== undefined && badArguments(args) === undefined) args = prefixKeys(args, this.options.keyPrefix)
    const defaults = this.options.commandOptions
    // A blocking command waits as long as its own timeout says, whatever the client's default
    // (a caller's own per-call timeout still wins); one that blocks forever gets no default.
    const blocking = options?.timeout === undefined ? blockingTimeout(args) : undefined
    const timeout = options?.timeout ?? (blocking === undefined ? defaults.timeout : blocking === 0 ? undefined : Math.max(defaults.timeout ?? 0, blocking))
    const signal = options?.abortSignal ?? defaults.abortSignal
    const form = formOf(options?.typeMapping ?? defaults.typeMapping)
    let command!: Command
    const promise = new Promise<unknown>((resolve, reject) => {
      command = new Command(args, form, shape, resolve, reject)
    })
    const refusal = badArguments(args) ?? (options !== undefined ? badOptions(options) : undefined) ?? this.refusal() ?? (this.resp === 2 && !this.subscriptions.isEmpty ? subscribedRefusal(args) : undefined)
    if (refusal !== undefined) {
      command.reject(refusal)
      return promise
    }
    if (signal !== undefined) {
      if (signal.aborted) {
        command.reject(new CommandAbortedError(command.name, false, signal.reason))
        return promise
      }
      command.signal = signal
      command.onAbort = () => this.giveUpOn(command, new CommandAbortedError(command.name, command.state === WRITTEN, signal.reason))
      signal.addEventListener('abort', command.onAbort, { once: true })
    }
    if (this.cache !== undefined && serveFromCache(this.cache, command, this.resp)) return promise
    if (timeout !== undefined && timeout > 0) {
      command.timer = setTimeout(() => this.giveUpOn(command, new CommandTimeoutError(command.name, timeout, command.state === WRITTEN)), timeout)
    }
    this.enqueue(command)
    // A SELECT sent by hand is remembered as select() remembers it: a reconnect must not move
    // the commands that follow to another database.
    if (args.length === 2 && typeof args[0] === 'string' && args[0].length === 6 && args[0].toUpperCase() === 'SELECT') {
      const db = typeof args[1] === 'string' || typeof args[1] === 'number' ? Number(args[1]) : Number.NaN
      // Cached replies belong to the database they were read from.
      this.cache?.flush()
      if (Number.isInteger(db) && db >= 0) {
        return promise.then((reply) => {
          this.database = db
          this.cache?.flush()
          return reply
        })
      }
    }
    return promise
  }

  private get cache(): ClientSideCache | undefined {
    return this.options.clientSideCache
  }

  /** Sends commands as one unit (transactions, pipelines): see batch-send.ts. */
  sendBatch(list: readonly BatchEntry[], options: CommandOptions | undefined): Promise<unknown[]> {
    return sendBatch(this, list, options)
  }

  /** Why a new command cannot be taken now, if it cannot. */
  /** @internal */
  refusal(adding = 1): Error | undefined {
    const s = this.state
    if (s === 'closing' || s === 'closed' || s === 'idle') {
      return new ClientClosedError(s === 'idle' ? 'the client is not connected: call connect() first' : undefined)
    }
    if (s !== 'ready' && this.options.disableOfflineQueue) return new ClientOfflineError()
    let waiting = this.queue.length + (this.connection?.inflight.length ?? 0)
    if (waiting + adding > this.options.commandsQueueMaxLength && this.settledInQueue > 0) {
      // Commands that expired while waiting count for nothing: drop them before refusing.
      this.compactQueue()
      waiting = this.queue.length + (this.connection?.inflight.length ?? 0)
    }
    if (waiting + adding > this.options.commandsQueueMaxLength) return new QueueFullError(this.options.commandsQueueMaxLength)
    return undefined
  }

  /** @internal */
  enqueue(command: Command): void {
    this.queue.push(command)
    if (this.state === 'ready') {
      if (!this.flushScheduled && !this.blocked) {
        this.flushScheduled = true
        queueMicrotask(this.flushBound)
      }
    } else this.armOfflineTimer(command)
  }

  /** offlineQueueTimeout: a command waiting while disconnected fails after that long, unsent. */
  private armOfflineTimer(command: Command): void {
    if (this.options.offlineQueueTimeout > 0 && command.offlineTimer === undefined && command.state === QUEUED) {
      const ms = this.options.offlineQueueTimeout
      command.offlineTimer = setTimeout(() => {
        command.offlineTimer = undefined
        if (command.state !== QUEUED) return
        command.reject(new OfflineTimeoutError(ms))
        this.settledInQueue++
        // During a long outage expired commands would pile up in the queue: memory must stay
        // proportional to the commands still waiting. Compacting when they are the majority
        // costs O(1) per expired command.
        if (this.settledInQueue * 2 > this.queue.length) this.compactQueue()
      }, ms)
    }
  }

  private compactQueue(): void {
    this.queue.unshiftAll(this.queue.drain().filter((c) => c.state !== SETTLED))
    this.settledInQueue = 0
  }

  /** Everything queued in this tick goes out in one write (or slices of 1 MiB), respecting backpressure. */
  private flush(): void {
    this.flushScheduled = false
    const connection = this.connection
    if (this.state !== 'ready' && this.state !== 'closing') return
    if (connection === undefined || connection.isDead || this.blocked || connection.lateReplies > 0) return
    if (!connection.writeFrom(this.queue)) {
      this.blocked = true
      void connection.drain().then(() => {
        this.blocked = false
        if (this.connection === connection) this.flush()
      })
    }
    if (this.state === 'closing') this.maybeFinishClose()
  }

  /** A timeout or abort: settle now; if the command was written, its connection cannot be trusted to answer in time. */
  /** @internal */
  giveUpOn(command: Command, error: Error): void {
    if (command.state === SETTLED) return
    const written = command.state === WRITTEN
    command.reject(error)
    if (!written) this.settledInQueue++
    if (written) {
      // Its reply may still come: the connection drops it (the command is settled). But a
      // server that did not answer in time may never answer: replace the connection unless
      // the reply arrives within one more timeout, so commands behind it are not held forever.
      const connection = this.connection
      const grace = error instanceof CommandTimeoutError ? error.timeout : 0
      if (grace > 0 && connection !== undefined && !command.internal) {
        // Drained before reuse: new commands wait (unwritten) for the late reply or a new connection.
        command.late = true
        connection.lateReplies++
      }
      const check = (): void => {
        if (!command.replied && connection !== undefined && this.connection === connection) {
          connection.destroy(new Error(`replaced: ${command.name} was given up on and its reply did not come`))
        }
      }
      if (grace > 0) {
        // Cleared with the connection's other timers, so it keeps no closed client's process alive.
        const timer = setTimeout(() => {
          this.graceTimers.delete(timer)
          check()
        }, grace)
        this.graceTimers.add(timer)
      } else check()
    }
  }

  // ---- connection life

  private async dial(): Promise<void> {
    for (;;) {
      if (this.state !== 'connecting' && this.state !== 'reconnecting') return
      let connection: Connection | undefined
      try {
        this.settings ??= await this.connectionSettings()
        connection = await Connection.open(this.settings, {
          onPush: (push) => {
            if (this.subscriptions.deliver(push, (error) => this.emit('error', error))) return
            if (this.cache !== undefined && pushKind(push) === 'invalidate') {
              // A list of keys, or null for everything; anything else from a confused server: drop everything.
              const keys = (push as unknown[])[1]
              this.cache.invalidate(Array.isArray(keys) ? keys : null)
            } else this.emit('push', push)
          },
          pushesAsBytes: () => this.subscriptions.wantsBytes,
          onErrorReply: (command, error) => this.onErrorReply(command, error),
          onClose: (c, error, held) => this.onConnectionClosed(c, error, held),
          onIdle: () => {
            if (this.state === 'closing') this.maybeFinishClose()
          },
          onLateReply: () => {
            if (this.connection === connection) this.flush()
          },
        })
        if (this.state !== 'connecting' && this.state !== 'reconnecting') {
          connection.destroy()
          return
        }
        this.connection = connection
        this.emit('connect')
        // A server that accepts the connection but never answers (stopped, paused, not Redis)
        // must not hold connect() forever: each handshake step gets connectTimeout.
        const stepTimeout = this.options.connect.connectTimeout ?? 0
        const hello = await runHandshake((args) => this.sendInternal(connection!, args, stepTimeout), this.options, this.password, this.database)
        if (this.connection !== connection || connection.isDead) throw connection.isDead ? new Error('connection closed during the handshake') : new Error('superseded')
        if (this.state !== 'connecting' && this.state !== 'reconnecting') return
        connection.resp = hello.resp
        if (this.cache !== undefined) {
          if (hello.resp !== 3) throw new HandshakeError('CLIENT TRACKING', 'clientSideCache needs RESP3, and this server only speaks RESP2: remove clientSideCache', undefined)
          try {
            await this.sendInternal(connection, this.cache.trackingCommand())
          } catch (err) {
            if (err instanceof ReplyError) throw new HandshakeError('CLIENT TRACKING', `the server refused CLIENT TRACKING: ${err.message}`, err)
            throw err
          }
        }
        await this.resubscribe(connection)
        this.resp = hello.resp
        this.server = hello.server
        if (hello.fellBack && !this.fellBackToResp2) {
          this.fellBackToResp2 = true
          this.emit('resp2-fallback')
        }
        this.retries = 0
        this.epoch++
        this.state = 'ready'
        this.startTimers(connection)
        this.emit('ready')
        for (const w of this.connectWaiters.splice(0)) w.resolve()
        this.flush()
        return
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err))
        if (connection !== undefined) {
          if (this.connection === connection) this.connection = undefined
          connection.destroy(error)
        }
        if (this.state !== 'connecting' && this.state !== 'reconnecting') return
        if (isPermanent(error)) {
          this.fail(error)
          return
        }
        this.emit('error', error)
        const delay = nextDelay(this.options.reconnectStrategy, this.retries, error)
        if (delay instanceof Error) {
          this.fail(delay)
          return
        }
        this.retries++
        this.state = 'reconnecting'
        this.emit('reconnecting')
        await this.wait(delay)
      }
    }
  }

  private async connectionSettings(): Promise<ConnectionSettings> {
    let connector: Connector | undefined = this.options.connector
    let decodeUtf8 = this.options.decodeUtf8
    if (connector === undefined || decodeUtf8 === undefined) {
      const runtime = await runtimeDefaults()
      connector ??= runtime.connector
      // A user's own connector may not be Node's, but the decoder only depends on the runtime.
      decodeUtf8 ??= runtime.decodeUtf8
    }
    return { connector, connect: this.options.connect, decodeUtf8, limits: this.options.replyLimits, socketTimeout: this.options.socketTimeout }
  }

  /** Every channel, pattern and shard channel again, before any other traffic on a new connection. */
  private async resubscribe(connection: Connection): Promise<void> {
    const pending: Promise<unknown>[] = []
    for (const kind of ['channel', 'pattern', 'shard'] as const) {
      const names = this.subscriptions.names(kind)
      if (names.length > 0) pending.push(this.sendInternal(connection, [PUBSUB_COMMANDS[kind].subscribe, ...names], 0, names.length))
    }
    await Promise.all(pending)
  }

  /** Listens to channels (patterns, shard channels): see pubsub-commands.ts. */
  subscribe(kind: PubSubKind, names: string[], listener: PubSubListener<any>, buffer: boolean): Promise<void> {
    return subscribe(this, kind, names, listener, buffer)
  }

  unsubscribe(kind: PubSubKind, names: string[] | undefined, listener: PubSubListener<any> | undefined, buffer: boolean): Promise<void> {
    return unsubscribe(this, kind, names, listener, buffer)
  }

  private sendInternal(connection: Connection, args: CommandArgument[], timeout = 0, confirmations = 0): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const command = new Command(args, formOf(undefined), undefined, resolve, reject)
      command.internal = true
      command.pubsubLeft = confirmations
      if (timeout > 0) command.timer = setTimeout(() => this.giveUpOn(command, new CommandTimeoutError(command.name, timeout, command.state === WRITTEN)), timeout)
      try {
        connection.writeNow(command)
      } catch (err) {
        command.reject(err)
      }
    })
  }

  /** A wait that close() and destroy() can cut short. */
  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeWait = resolve
      this.waitTimer = setTimeout(() => {
        this.waitTimer = undefined
        this.wakeWait = undefined
        resolve()
      }, ms)
    })
  }

  private onErrorReply(command: Command, error: ReplyError): void {
    if (command.internal || command.batch !== undefined) {
      command.reject(error)
      return
    }
    const action = this.options.serverErrorActions?.[error.code] ?? actionFor(error)
    if (action === 'fail' || command.attempts >= MAX_SERVER_RETRIES || this.state === 'closing') {
      // While closing, nothing is sent again: the caller gets the server's answer.
      command.reject(error)
      return
    }
    // The server refused it, so it did not run: it may be sent again.
    command.attempts++
    command.state = QUEUED
    if (action === 'reconnect-and-retry') {
      this.queue.unshiftAll([command])
      this.connection?.destroy(new Error(`replaced after ${error.code} from the server`, { cause: error }))
      return
    }
    const timer = setTimeout(() => {
      this.backoffs.delete(command)
      if (command.state !== QUEUED) return
      if (this.state === 'closing' || this.state === 'closed') command.reject(error)
      else this.enqueue(command)
    }, serverRetryDelay(command.attempts))
    this.backoffs.set(command, { timer, error })
  }

  private onConnectionClosed(connection: Connection, error: Error, held: Command[]): void {
    if (this.connection !== connection) {
      // A connection that never became current (failed handshake): its commands were internal.
      for (const c of held) c.reject(error)
      return
    }
    this.connection = undefined
    this.blocked = false
    this.stopTimers()
    // Invalidations may have been lost with the connection.
    this.cache?.flush()
    const resend: Command[] = []
    for (const command of held) {
      if (command.internal) command.reject(error)
      else if (command.batch === undefined && this.state !== 'closing' && (command.idempotent || command.resends < MAX_RESENDS) && this.mayResend(command)) {
        command.resends++
        command.state = QUEUED
        resend.push(command)
      } else command.reject(new OutcomeUnknownError(command.name, error))
    }
    this.queue.unshiftAll(resend)
    this.cutBatches(error)
    if (this.state === 'closing') {
      this.finishClose()
      return
    }
    if (this.state !== 'ready') return // the dial loop handles failures during the handshake
    // Not ready any more, before anyone hears of it (node-redis's order).
    this.state = 'reconnecting'
    if (this.options.offlineQueueTimeout > 0) {
      // Commands queued while ready and not yet written (backpressure, resends) wait offline now too.
      const waiting = this.queue.drain()
      for (const c of waiting) this.armOfflineTimer(c)
      this.queue.unshiftAll(waiting)
    }
    this.emit('error', error)
    if (this.state !== 'reconnecting') return // an error listener closed the client
    const delay = nextDelay(this.options.reconnectStrategy, 0, error)
    if (delay instanceof Error) {
      this.fail(delay)
      return
    }
    this.retries = 1
    this.emit('reconnecting')
    void this.wait(delay).then(() => this.dial())
  }

  /** Members of a batch that was partly written stay unsent: they fail instead of going out alone. */
  private cutBatches(error: Error): void {
    const kept: Command[] = []
    for (const c of this.queue.drain()) {
      if (c.batch?.written === true && c.state === QUEUED) c.reject(new BatchCutError(c.name, error))
      else kept.push(c)
    }
    this.queue.unshiftAll(kept)
  }

  private mayResend(command: Command): boolean {
    if (command.idempotent) return true
    const rule = this.options.retryWritten
    if (rule === false || rule === undefined) return false
    if (rule === 'read-only') return isReadOnly(command.args)
    try {
      return rule(command.args) === true
    } catch {
      return false
    }
  }

  private startTimers(connection: Connection): void {
    this.health = startHealthChecks(connection, this.options, {
      isCurrent: () => this.connection === connection,
      isReady: () => this.state === 'ready',
      waiting: () => this.queue.length,
      ping: (timeout) => this.sendInternal(connection, ['PING'], timeout),
    })
  }

  private stopTimers(): void {
    this.health?.()
    this.health = undefined
    for (const timer of this.graceTimers) clearTimeout(timer)
    this.graceTimers.clear()
  }

  /** Commands waiting out a server-error backoff: settled now (close, destroy, giving up). */
  private dropBackoffs(make: (error: ReplyError) => Error): void {
    for (const [command, { timer, error }] of this.backoffs) {
      clearTimeout(timer)
      command.reject(make(error))
    }
    this.backoffs.clear()
  }

  /** Gives up for good: every waiting command and connect() call is rejected. */
  private fail(error: Error): void {
    this.state = 'closed'
    this.stopTimers()
    this.emit('error', error)
    for (const c of this.queue.drain()) c.reject(new ClientClosedError(`the client gave up connecting (${error.message}): the command was not sent`, { cause: error }))
    this.dropBackoffs((refusal) => new ClientClosedError(`the client gave up connecting (${error.message}): the command was refused (${refusal.code}) and not sent again`, { cause: error }))
    for (const w of this.connectWaiters.splice(0)) w.reject(error)
    this.emit('end')
  }

  // ---- closing

  /** Graceful: refuses new commands, sends what is queued, waits for every reply, then closes. */
  close(): Promise<void> {
    if (this.state === 'closed' || this.state === 'idle') return Promise.resolve()
    const done = new Promise<void>((resolve) => this.closeWaiters.push(resolve))
    if (this.state === 'closing') return done
    const wasReady = this.state === 'ready'
    this.state = 'closing'
    this.cancelWait()
    if (!wasReady || this.connection === undefined) {
      // Nothing can be sent without a connection: what waits was never sent.
      for (const c of this.queue.drain()) c.reject(new ClientClosedError('the client was closed before this command could be sent: it never ran'))
      const connection = this.connection
      this.connection = undefined
      connection?.destroy()
      this.finishClose()
      return done
    }
    this.flush()
    this.maybeFinishClose()
    return done
  }

  /** Ends the connection once nothing is queued or awaited; called again when the connection goes idle. */
  private maybeFinishClose(): void {
    const c = this.connection
    if (c !== undefined && this.queue.length === 0 && c.inflight.length === 0) void c.end()
  }

  private finishClose(): void {
    this.state = 'closed'
    this.stopTimers()
    // Left when the connection broke while closing (waiting for drain, say): never written.
    for (const c of this.queue.drain()) c.reject(new ClientClosedError('the client was closed before this command could be sent: it never ran'))
    // The server refused them (LOADING, BUSY...) and they were not sent again: that answer stands.
    this.dropBackoffs((refusal) => refusal)
    for (const w of this.connectWaiters.splice(0)) w.reject(new ClientClosedError('the client was closed before it connected'))
    this.emit('end')
    for (const w of this.closeWaiters.splice(0)) w()
  }

  /** Immediate: every pending command is rejected, the connection dropped. */
  destroy(): void {
    if (this.state === 'closed' || this.state === 'idle') return
    const connection = this.connection
    this.connection = undefined
    this.state = 'closed'
    this.cancelWait()
    this.stopTimers()
    const reason = new ClientClosedError('the client was destroyed')
    for (const c of this.queue.drain()) c.reject(new ClientClosedError('the client was destroyed before this command was sent: it never ran'))
    this.dropBackoffs((refusal) => new ClientClosedError(`the client was destroyed while this command waited to be sent again after ${refusal.code}: it never ran`, { cause: refusal }))
    if (connection !== undefined) {
      for (let c = connection.inflight.shift(); c !== undefined; c = connection.inflight.shift()) {
        if (c.state !== SETTLED) c.reject(new OutcomeUnknownError(c.name, reason))
      }
      connection.destroy(reason)
    }
    for (const w of this.connectWaiters.splice(0)) w.reject(reason)
    this.emit('end')
    for (const w of this.closeWaiters.splice(0)) w()
  }

  private cancelWait(): void {
    if (this.waitTimer !== undefined) clearTimeout(this.waitTimer)
    this.waitTimer = undefined
    const wake = this.wakeWait
    this.wakeWait = undefined
    wake?.()
  }
}
