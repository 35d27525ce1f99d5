// One connection: a byte stream, its decoder, and the commands written to it and awaiting their
// replies, in order. Replies are positional, so each reply goes to the oldest written command;
// a command settled early (timeout, abort) keeps its place and its late reply is dropped, so it
// can never reach another caller. The connection dies whole: any error ends it, and the client
// decides what happens to the commands it still held.

import { CommandEncoder, Decoder, ProtocolError, ReplyError, type DecoderLimits, type Utf8Decoder } from '../resp/index.ts'
import type { ByteStream, ConnectOptions, Connector } from '../transport/types.ts'
import { Command, Fifo, QUEUED, SETTLED, WRITTEN } from './command.ts'
import { applyForm } from './type-mapping.ts'
import { CONFIRMATIONS, pushKind } from './pubsub.ts'

/** Stop encoding into one write past this many bytes, so a huge batch is sent in slices. */
const WRITE_VALVE_BYTES = 1024 * 1024

export interface ConnectionHooks {
  /** A push (pub/sub message, invalidation...): RESP3's `>`, or a RESP2 subscribed connection's message. */
  onPush(push: unknown): void
  /** Whether pub/sub messages must be decoded as bytes. */
  pushesAsBytes(): boolean
  /** An error reply for a command; the client decides to fail or retry it. */
  onErrorReply(command: Command, error: ReplyError): void
  /** Every written command has its reply. */
  onIdle(): void
  /** The last late reply awaited (see `lateReplies`) came: the connection may take writes again. */
  onLateReply?(): void
  /** The connection ended; `held` are the commands written to it and not settled. */
  onClose(connection: Connection, error: Error, held: Command[]): void
}

export interface ConnectionSettings {
  readonly connector: Connector
  readonly connect: ConnectOptions
  readonly decodeUtf8: Utf8Decoder | undefined
  readonly limits: DecoderLimits | undefined
  readonly socketTimeout: number
}

export class Connection {
  /** RESP version in force: 2 until HELLO 3 succeeds. */
  resp: 2 | 3 = 2
  readonly inflight: Fifo<Command> = new Fifo<Command>()
  private readonly encoder = new CommandEncoder()
  private readonly decoder: Decoder
  private stream: ByteStream | undefined
  private readonly hooks: ConnectionHooks
  private dead: Error | undefined
  private ctx2 = { resp: 2 as const, mapAsMap: false }
  private ctx3 = { resp: 3 as const, mapAsMap: false }
  /** RESP2 only: subscriptions the server counts (channels and patterns; shard channels). */
  private classicCount = 0
  private shardCount = 0
  /** RESP2 only: the connection is subscribed, or a (un)subscribe is awaiting confirmations. */
  private pubsubActive = false
  private pubsubInflight = 0
  /**
   * Commands given up on after their write whose replies have not come. While there are any,
   * the client writes nothing new here: if the replies never come the connection is replaced,
   * and what waited goes out on the next one, unwritten and so safe, instead of outcome-unknown.
   */
  lateReplies = 0
  /** Time of the last byte received, kept only when a socket timeout is set. */
  lastData = 0
  private readonly trackData: boolean

  private constructor(settings: ConnectionSettings, hooks: ConnectionHooks) {
    this.hooks = hooks
    this.trackData = settings.socketTimeout > 0
    this.decoder = new Decoder({
      ...settings.limits,
      mapAs: 'object',
      setAs: 'array',
      decodeUtf8: settings.decodeUtf8,
      onReply: (value) => this.dispatch(value),
      onPush: (value) => {
        if (!this.confirm(value)) this.hooks.onPush(value)
      },
      binaryForNextReply: (push) => (push || this.pubsubActive ? this.hooks.pushesAsBytes() : this.inflight.peek()?.form.binary === true),
    })
  }

  /** Connects. Rejects with the connector's ConnectionError. */
  static async open(settings: ConnectionSettings, hooks: ConnectionHooks): Promise<Connection> {
    const connection = new Connection(settings, hooks)
    let early: Error | undefined
    const stream = await settings.connector(settings.connect, {
      onData: (chunk) => {
        if (connection.trackData) connection.lastData = Date.now()
        try {
          connection.decoder.feed(chunk)
        } catch (err) {
          // Bad bytes from the peer (or a broken hook): this connection cannot be trusted any more.
          const error = err instanceof Error ? err : new Error(String(err))
          if (connection.stream === undefined) early = error
          else connection.stream.abort(error)
        }
      },
    })
    connection.stream = stream
    if (early !== undefined) stream.abort(early)
    void stream.closed.then((error) => connection.onClosed(error))
    return connection
  }

  get remote(): string {
    return this.stream?.remote ?? ''
  }

  get isDead(): boolean {
    return this.dead !== undefined
  }

  get writableLength(): number {
    return this.stream?.writableLength ?? 0
  }

  /**
   * Encodes and writes commands from `queue`, oldest first, skipping those already settled,
   * until the queue is empty or the transport asks us to wait. Returns false when it must wait
   * for `drain()`. A command whose arguments cannot be encoded is rejected alone.
   */
  writeFrom(queue: Fifo<Command>): boolean {
    const stream = this.stream!
    const encoder = this.encoder
    // The socket timeout counts from the first reply awaited, not from the last byte of an idle spell.
    if (this.trackData && this.inflight.length === 0) this.lastData = Date.now()
    let more = true
    while (more && queue.length > 0) {
      let batch = 0
      while (queue.length > 0 && encoder.byteLength < WRITE_VALVE_BYTES) {
        const command = queue.shift()!
        if (command.state === SETTLED) continue
        try {
          encoder.write(command.args)
        } catch (err) {
          command.reject(err)
          continue
        }
        command.state = WRITTEN
        if (command.batch !== undefined) command.batch.written = true
        if (command.pubsubLeft > 0) this.pubsubWritten()
        this.inflight.push(command)
        batch++
      }
      if (batch === 0) break
      try {
        more = stream.writev(encoder.take())
      } catch (err) {
        // The stream closed before we heard of it (its close is reported a tick later): it threw
        // before sending anything, so this slice was never written. Back to the queue with it,
        // for the next connection; thrown on, it would crash the process from a microtask.
        const unsent = this.inflight.takeLast(batch)
        for (const c of unsent) c.state = QUEUED
        queue.unshiftAll(unsent)
        stream.abort(err instanceof Error ? err : new Error(String(err)))
        return true
      }
    }
    return more
  }

  /** Writes one command now, ahead of the client's queue (handshake, health checks). */
  writeNow(command: Command): void {
    if (this.trackData && this.inflight.length === 0) this.lastData = Date.now()
    this.encoder.write(command.args)
    command.state = WRITTEN
    if (command.pubsubLeft > 0) this.pubsubWritten()
    this.inflight.push(command)
    this.stream!.writev(this.encoder.take())
  }

  drain(): Promise<void> {
    return this.stream!.drain()
  }

  /** Sends what is buffered, then closes. */
  end(): Promise<void> {
    return this.stream!.end()
  }

  /** Closes now; `reason` reaches every command still held, as the cause. */
  destroy(reason?: Error): void {
    this.stream?.abort(reason)
  }

  /** True while a RESP2 connection is subscribed: it then takes only pub/sub commands and PING. */
  get subscribedResp2(): boolean {
    return this.resp === 2 && (this.classicCount > 0 || this.shardCount > 0)
  }

  private pubsubWritten(): void {
    this.pubsubInflight++
    if (this.resp === 2) this.pubsubActive = true
  }

  /**
   * A (un)subscribe confirmation for the command at the head: counts it down, settles the
   * command after its last one. False if `push` is no confirmation the head is waiting for.
   */
  private confirm(push: unknown): boolean {
    const head = this.inflight.peek()
    if (head === undefined || head.pubsubLeft === 0) return false
    const kind = CONFIRMATIONS[pushKind(push) ?? '']
    if (kind === undefined) return false
    const count = (push as unknown[])[2]
    if (typeof count === 'number') {
      if (kind === 'shard') this.shardCount = count
      else this.classicCount = count
    }
    if (--head.pubsubLeft > 0) return true
    this.inflight.shift()
    head.replied = true
    if (head.late) {
      head.late = false
      if (--this.lateReplies === 0) this.hooks.onLateReply?.()
    }
    this.pubsubInflight--
    this.pubsubActive = this.resp === 2 && (this.pubsubInflight > 0 || this.subscribedResp2)
    head.resolve(undefined)
    if (this.inflight.length === 0) this.hooks.onIdle()
    return true
  }

  private dispatch(value: unknown): void {
    // A RESP2 connection in pub/sub mode: confirmations and messages come as plain arrays.
    if (this.pubsubActive && Array.isArray(value)) {
      if (this.confirm(value)) return
      if (this.subscribedResp2) {
        const kind = pushKind(value)
        if (kind === 'message' || kind === 'pmessage' || kind === 'smessage') {
          this.hooks.onPush(value)
          return
        }
        // PING in pub/sub mode answers ['pong', message]: give what PING gives elsewhere.
        if (kind === 'pong') value = value[1] === '' || value[1] === undefined ? 'PONG' : value[1]
      }
    }
    const command = this.inflight.shift()
    if (command === undefined) {
      throw new ProtocolError('misplaced', 'the server sent a reply no command was waiting for', 0)
    }
    command.replied = true
    if (command.late) {
      command.late = false
      if (--this.lateReplies === 0) this.hooks.onLateReply?.()
    }
    this.settle(command, value)
    if (this.inflight.length === 0) this.hooks.onIdle()
  }

  private settle(command: Command, value: unknown): void {
    if (command.state === SETTLED) return
    if (value instanceof ReplyError) {
      this.hooks.onErrorReply(command, value)
      return
    }
    if (command.onRaw !== undefined) command.onRaw(value)
    const form = command.form
    if (form.mapAsMap || form.mapAsArray || form.bytesClass !== undefined) value = applyForm(value, form)
    const shape = command.shape
    if (shape === undefined) {
      command.resolve(value)
      return
    }
    let shaped: unknown
    try {
      const ctx = this.resp === 3 ? this.ctx3 : this.ctx2
      shaped = shape(value, form.mapAsMap ? { resp: ctx.resp, mapAsMap: true } : ctx)
    } catch (err) {
      command.reject(err)
      return
    }
    command.resolve(shaped)
  }

  private onClosed(error: Error | undefined): void {
    this.dead = error ?? new Error('connection closed')
    const held: Command[] = []
    for (let c = this.inflight.shift(); c !== undefined; c = this.inflight.shift()) {
      if (c.state !== SETTLED) held.push(c)
    }
    this.hooks.onClose(this, this.dead, held)
  }
}
