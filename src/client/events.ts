// A small event emitter with node-redis's spelling (on, once, off, emit), without node:events so
// the client runs unchanged on every runtime. A listener that throws does not stop the others,
// and never escapes into the code that emitted (a reply handler, a socket callback): its error
// is reported on `error`, or printed once when no one listens.

type Listener = (...args: any[]) => void

export class Emitter {
  #listeners = new Map<string | symbol, Listener[]>()
  #warnedNoErrorListener = false

  on(event: string | symbol, listener: Listener): this {
    const list = this.#listeners.get(event)
    if (list === undefined) this.#listeners.set(event, [listener])
    else list.push(listener)
    return this
  }

  addListener(event: string | symbol, listener: Listener): this {
    return this.on(event, listener)
  }

  once(event: string | symbol, listener: Listener): this {
    const wrapper = (...args: unknown[]): void => {
      this.off(event, wrapper)
      listener(...args)
    }
    ;(wrapper as { listener?: Listener }).listener = listener
    return this.on(event, wrapper)
  }

  off(event: string | symbol, listener: Listener): this {
    const list = this.#listeners.get(event)
    if (list === undefined) return this
    const i = list.findIndex((l) => l === listener || (l as { listener?: Listener }).listener === listener)
    if (i !== -1) list.splice(i, 1)
    if (list.length === 0) this.#listeners.delete(event)
    return this
  }

  removeListener(event: string | symbol, listener: Listener): this {
    return this.off(event, listener)
  }

  removeAllListeners(event?: string | symbol): this {
    if (event === undefined) this.#listeners.clear()
    else this.#listeners.delete(event)
    return this
  }

  listenerCount(event: string | symbol): number {
    return this.#listeners.get(event)?.length ?? 0
  }

  /**
   * Calls the listeners in order. `error` with no listener does not throw (that would crash the
   * process from inside a socket callback): the first one is printed with advice, later ones
   * are not, so a server that is down cannot flood the log.
   */
  emit(event: string | symbol, ...args: unknown[]): boolean {
    const list = this.#listeners.get(event)
    if (list === undefined) {
      if (event === 'error' && !this.#warnedNoErrorListener) {
        this.#warnedNoErrorListener = true
        console.error('respkit: an error was emitted with no `error` listener (add client.on(\'error\', ...) to handle them; later ones are not printed):', args[0])
      }
      return false
    }
    for (const listener of list.slice()) {
      try {
        listener(...args)
      } catch (err) {
        if (event === 'error') {
          console.error('respkit: an `error` listener threw:', err)
        } else {
          this.emit('error', err)
        }
      }
    }
    return true
  }
}
