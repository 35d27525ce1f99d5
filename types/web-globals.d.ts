// The web-standard globals that Node, Deno and Bun all provide, declared narrowly so that the
// runtime-neutral layers can use them and nothing else. Checked by tsconfig.pure.json.
declare class TextEncoder {
  encode(input?: string): Uint8Array
  encodeInto(source: string, destination: Uint8Array): { read: number; written: number }
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean })
  decode(input?: Uint8Array): string
}
declare function setTimeout(callback: () => void, ms?: number): unknown
declare function clearTimeout(handle: unknown): void
declare function queueMicrotask(callback: () => void): void
declare class AbortSignal {
  readonly aborted: boolean
  readonly reason: unknown
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void
  removeEventListener(type: 'abort', listener: () => void): void
}
interface ErrorConstructor {
  captureStackTrace?(target: object, constructorOpt?: Function): void
  stackTraceLimit?: number
}
interface ErrorOptions { cause?: unknown }
declare function setInterval(callback: () => void, ms?: number): unknown
declare function clearInterval(handle: unknown): void
declare class URL {
  constructor(url: string, base?: string)
  readonly protocol: string
  readonly username: string
  readonly password: string
  readonly hostname: string
  readonly port: string
  readonly pathname: string
  readonly searchParams: { get(name: string): string | null; has(name: string): boolean }
}
declare function decodeURIComponent(text: string): string
declare const console: { error(...data: unknown[]): void; warn(...data: unknown[]): void }
declare function structuredClone<T>(value: T): T
interface ImportMeta { readonly url: string }
