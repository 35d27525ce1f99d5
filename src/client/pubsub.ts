// Pub/sub state: which channels, patterns and shard channels this client listens to, and who
// listens. The client keeps it so that a reconnect subscribes to everything again before any
// other traffic, and so that UNSUBSCRIBE always names its channels (the server's answer to a
// bare UNSUBSCRIBE has a length we could not know in advance).

export type PubSubKind = 'channel' | 'pattern' | 'shard'

/** node-redis's listener: the message, then the channel it came on (strings, or bytes in buffer mode). */
export type PubSubListener<T extends string | Uint8Array = string> = (message: T, channel: T) => unknown

/** The commands of each kind. */
export const PUBSUB_COMMANDS = {
  channel: { subscribe: 'SUBSCRIBE', unsubscribe: 'UNSUBSCRIBE', message: 'message' },
  pattern: { subscribe: 'PSUBSCRIBE', unsubscribe: 'PUNSUBSCRIBE', message: 'pmessage' },
  shard: { subscribe: 'SSUBSCRIBE', unsubscribe: 'SUNSUBSCRIBE', message: 'smessage' },
} as const

/** Push kinds that confirm a (un)subscription, and the kind they belong to. */
export const CONFIRMATIONS: Readonly<Record<string, PubSubKind>> = {
  subscribe: 'channel', unsubscribe: 'channel',
  psubscribe: 'pattern', punsubscribe: 'pattern',
  ssubscribe: 'shard', sunsubscribe: 'shard',
}

const MESSAGES: Readonly<Record<string, PubSubKind>> = { message: 'channel', pmessage: 'pattern', smessage: 'shard' }

const utf8 = new TextDecoder()
const encoder = new TextEncoder()
const text = (x: unknown): string => (typeof x === 'string' ? x : x instanceof Uint8Array ? utf8.decode(x) : String(x))
const bytes = (x: unknown): Uint8Array => (x instanceof Uint8Array ? x : encoder.encode(String(x)))

class Listeners {
  readonly strings = new Set<PubSubListener<string>>()
  readonly buffers = new Set<PubSubListener<Uint8Array>>()
  get size(): number {
    return this.strings.size + this.buffers.size
  }
}

export class Subscriptions {
  private readonly kinds: Record<PubSubKind, Map<string, Listeners>> = { channel: new Map(), pattern: new Map(), shard: new Map() }
  private bufferListeners = 0

  /** True when some listener wants bytes: then messages must be decoded as bytes. */
  get wantsBytes(): boolean {
    return this.bufferListeners > 0
  }

  get isEmpty(): boolean {
    return this.kinds.channel.size === 0 && this.kinds.pattern.size === 0 && this.kinds.shard.size === 0
  }

  names(kind: PubSubKind): string[] {
    return [...this.kinds[kind].keys()]
  }

  /** Adds a listener; returns the names the server is not yet subscribed to. */
  add(kind: PubSubKind, names: readonly string[], listener: PubSubListener<any>, buffer: boolean): string[] {
    const map = this.kinds[kind]
    const fresh: string[] = []
    for (const name of names) {
      let set = map.get(name)
      if (set === undefined) {
        set = new Listeners()
        map.set(name, set)
        fresh.push(name)
      }
      const target = buffer ? set.buffers : set.strings
      if (!target.has(listener)) {
        target.add(listener)
        if (buffer) this.bufferListeners++
      }
    }
    return fresh
  }

  /**
   * Removes a listener (or all, when none is given) from the names (or every name of the kind);
   * returns the names left with no listener, to unsubscribe from.
   */
  remove(kind: PubSubKind, names: readonly string[] | undefined, listener: PubSubListener<any> | undefined, buffer: boolean): string[] {
    const map = this.kinds[kind]
    const gone: string[] = []
    for (const name of names ?? [...map.keys()]) {
      const set = map.get(name)
      if (set === undefined) continue
      if (listener === undefined) {
        this.bufferListeners -= set.buffers.size
        set.strings.clear()
        set.buffers.clear()
      } else if (buffer ? set.buffers.delete(listener) : set.strings.delete(listener)) {
        if (buffer) this.bufferListeners--
      }
      if (set.size === 0) {
        map.delete(name)
        gone.push(name)
      }
    }
    return gone
  }

  /**
   * Delivers a message push (`message`, `pmessage`, `smessage`). Returns false if it is not one.
   * A listener that throws does not stop the others: its error goes to `onError`.
   */
  deliver(push: unknown, onError: (error: unknown) => void): boolean {
    if (!Array.isArray(push) || push.length < 3) return false
    const kind = MESSAGES[text(push[0])]
    if (kind === undefined) return false
    const pattern = kind === 'pattern'
    const key = text(push[1])
    const channel = pattern ? push[2] : push[1]
    const message = pattern ? push[3] : push[2]
    const set = this.kinds[kind].get(key)
    if (set === undefined) return true
    if (set.strings.size > 0) {
      const m = text(message)
      const c = text(channel)
      for (const l of set.strings) call(l, m, c, onError)
    }
    if (set.buffers.size > 0) {
      const m = bytes(message)
      const c = bytes(channel)
      for (const l of set.buffers) call(l, m, c, onError)
    }
    return true
  }
}

function call<T>(listener: PubSubListener<any>, message: T, channel: T, onError: (error: unknown) => void): void {
  try {
    const result = listener(message, channel)
    if (result instanceof Promise) result.catch(onError)
  } catch (err) {
    onError(err)
  }
}

/** A push's first element as text: `message`, `subscribe`, `invalidate`... */
export function pushKind(push: unknown): string | undefined {
  if (!Array.isArray(push) || push.length === 0) return undefined
  const first = push[0]
  return typeof first === 'string' ? first : first instanceof Uint8Array ? utf8.decode(first) : undefined
}

/** The names as strings (channel names given as bytes are decoded). */
export function channelNames(input: string | Uint8Array | ReadonlyArray<string | Uint8Array>): string[] {
  const list = Array.isArray(input) ? input : [input]
  const names: string[] = []
  for (const n of list) {
    if (typeof n !== 'string' && !(n instanceof Uint8Array)) throw new TypeError(`a channel or pattern must be a string or Uint8Array (got ${n === null ? 'null' : typeof n})`)
    names.push(text(n))
  }
  return [...new Set(names)]
}
