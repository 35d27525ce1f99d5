// Topology refreshes: at most one in flight, triggers that arrive meanwhile merged into it, and
// no more than one start per `minInterval` (a MOVED storm must not become a CLUSTER SHARDS
// storm). A trigger inside the interval is served by one refresh at the interval's end.

export class Refresher {
  readonly #run: () => Promise<void>
  readonly #minInterval: number
  #inFlight: Promise<void> | undefined
  #scheduled: Promise<void> | undefined
  #timer: ReturnType<typeof setTimeout> | undefined
  #wake: (() => void) | undefined
  #lastStart = -Infinity
  #stopped = false
  /** Refreshes started so far (for tests and stats). */
  count = 0

  constructor(run: () => Promise<void>, minInterval: number) {
    this.#run = run
    this.#minInterval = minInterval
  }

  /** Asks for a refresh; resolves when the refresh serving this request has ended (never rejects). */
  request(): Promise<void> {
    if (this.#stopped) return Promise.resolve()
    if (this.#inFlight !== undefined) return this.#inFlight
    if (this.#scheduled !== undefined) return this.#scheduled
    const wait = this.#lastStart + this.#minInterval - Date.now()
    if (wait <= 0) return this.#start()
    this.#scheduled = new Promise<void>((resolve) => {
      this.#wake = resolve
      this.#timer = setTimeout(() => {
        this.#timer = undefined
        this.#wake = undefined
        this.#scheduled = undefined
        void this.#start().then(resolve)
      }, wait)
    })
    return this.#scheduled
  }

  /** Runs a refresh now, whatever the interval (the first discovery). */
  now(): Promise<void> {
    return this.#inFlight ?? this.#start()
  }

  stop(): void {
    this.#stopped = true
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    this.#scheduled = undefined
    this.#wake?.()
    this.#wake = undefined
  }

  #start(): Promise<void> {
    this.#lastStart = Date.now()
    this.count++
    this.#inFlight = this.#run().catch(() => undefined).finally(() => {
      this.#inFlight = undefined
    })
    return this.#inFlight
  }
}
