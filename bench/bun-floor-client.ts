// The least a JavaScript client can do on Bun's own socket API, as a floor for bench/client.ts
// on Bun (BENCH_CLIENTS=respkit,bun,floor): GET and SET only, no options, no error handling
// beyond failing loudly, no reconnects. Commands of one tick are encoded into one reused buffer
// (TextEncoder.encodeInto) and written once; replies are parsed in the data handler: `+...`, `-...`,
// `$<n>` and `$-1` only. A bulk that spans reads is joined into one reused buffer and decoded
// once. Whatever this cannot beat Bun's RedisClient at, no JavaScript client on Bun.connect can.
// With `respkitDecoder`, replies are parsed by respkit's Decoder instead (contender `floor+decoder`):
// the gap between the two is the decoder's share, the rest up to respkit is the client's.

import { Buffer } from 'node:buffer'

const encoder = new TextEncoder()
const utf8Slice = (Buffer.prototype as unknown as { utf8Slice(this: Uint8Array, a: number, b: number): string }).utf8Slice

interface FloorClient {
  get(key: string): Promise<string | null>
  set(key: string, value: string): Promise<string>
  close(): void
}

export async function openFloorClient(host: string, port: number, respkitDecoder: boolean): Promise<FloorClient> {
  const waiting: { resolve(v: string | null): void; reject(e: Error): void }[] = []
  let head = 0
  // This tick's commands, encoded; what a partial write left is copied to the front.
  let out = new Uint8Array(64 * 1024)
  let outLen = 0
  let flushing = false
  // A reply's header line cut by a read, and a bulk's parts while it arrives.
  let carry = ''
  let bulkLeft = -1
  let parts: Uint8Array[] = []
  let scratch = new Uint8Array(0)

  const settle = (value: string | null, error?: Error): void => {
    const w = waiting[head]
    waiting[head++] = undefined!
    if (head > 4096 && head * 2 > waiting.length) {
      waiting.splice(0, head)
      head = 0
    }
    if (error !== undefined) w.reject(error)
    else w.resolve(value)
  }

  const finishBulk = (): void => {
    let bytes: Uint8Array
    let total = 0
    for (const p of parts) total += p.length
    if (parts.length === 1) bytes = parts[0]
    else {
      if (scratch.length < total) scratch = new Uint8Array(total)
      let at = 0
      for (const p of parts) {
        scratch.set(p, at)
        at += p.length
      }
      bytes = scratch
    }
    parts = []
    settle(utf8Slice.call(bytes, 0, total - 2)) // without the CRLF
  }

  const onData = (d: Uint8Array): void => {
    let i = 0
    while (i < d.length) {
      if (bulkLeft >= 0) {
        const take = Math.min(bulkLeft, d.length - i)
        parts.push(d.subarray(i, i + take))
        bulkLeft -= take
        i += take
        if (bulkLeft === 0) {
          bulkLeft = -1
          finishBulk()
        }
        continue
      }
      const lf = d.indexOf(10, i)
      if (lf < 0) {
        carry += utf8Slice.call(d, i, d.length)
        return
      }
      // The CR may have come at the end of the previous read, in `carry`.
      let line = carry + utf8Slice.call(d, i, lf)
      line = line.slice(0, line.length - 1)
      carry = ''
      i = lf + 1
      const type = line.charCodeAt(0)
      if (type === 43) settle(line.slice(1)) // +
      else if (type === 45) settle(null, new Error(line.slice(1))) // -
      else if (type === 36) {
        const n = Number(line.slice(1))
        if (n < 0) settle(null)
        else bulkLeft = n + 2
      } else throw new Error(`floor client: unexpected reply ${line.slice(0, 40)}`)
    }
  }

  let onChunk = onData
  if (respkitDecoder) {
    const { Decoder } = await import('../src/resp/index.ts')
    const { bunUtf8 } = await import('../src/transport/bun.ts')
    const decoder = new Decoder({ onReply: (r) => settle(r as string | null), decodeUtf8: bunUtf8 })
    onChunk = (d) => decoder.feed(d)
  }

  const socket = await (globalThis as unknown as { Bun: { connect(o: unknown): Promise<{ write(b: Uint8Array): number; end(): void }> } }).Bun.connect({
    hostname: host,
    port,
    socket: {
      binaryType: 'uint8array',
      data: (_s: unknown, d: Uint8Array) => onChunk(d),
      drain: () => flush(),
      error: (_s: unknown, e: Error) => { throw e },
    },
  })

  function flush(): void {
    flushing = false
    if (outLen === 0) return
    const n = Math.max(0, socket.write(out.subarray(0, outLen)))
    out.copyWithin(0, n, outLen)
    outLen -= n
  }

  const send = (command: string): Promise<string | null> => {
    if (out.length - outLen < command.length * 3) {
      const bigger = new Uint8Array(Math.max(out.length * 2, outLen + command.length * 3))
      bigger.set(out.subarray(0, outLen))
      out = bigger
    }
    outLen += encoder.encodeInto(command, out.subarray(outLen)).written
    if (!flushing) {
      flushing = true
      queueMicrotask(flush)
    }
    return new Promise((resolve, reject) => waiting.push({ resolve, reject }))
  }

  return {
    get: (key) => send(`*2\r\n$3\r\nGET\r\n$${key.length}\r\n${key}\r\n`),
    set: (key, value) => send(`*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$${value.length}\r\n${value}\r\n`) as Promise<string>,
    close: () => socket.end(),
  }
}
