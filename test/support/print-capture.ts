// What code under test prints through console.log and console.error, kept instead of shown:
// the node-redis documentation examples are checked by what they print.

export class PrintCapture {
  /** The arguments of each call since the current capturing() began; readable while it runs. */
  lines: unknown[][] = []

  async capturing(fn: () => Promise<void>): Promise<unknown[][]> {
    const log = console.log
    const error = console.error
    const lines: unknown[][] = (this.lines = [])
    console.log = (...args: unknown[]) => { lines.push(args) }
    console.error = (...args: unknown[]) => { lines.push(args) }
    try {
      await fn()
    } finally {
      console.log = log
      console.error = error
    }
    return lines
  }
}
