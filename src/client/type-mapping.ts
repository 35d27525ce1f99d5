// node-redis's type mapping: which JavaScript type a RESP type comes out as. We honour the
// mappings that change what a program can do with a reply (strings as bytes, maps as Map or
// flat arrays); others are accepted and ignored. Sets always come as arrays, as node-redis's
// default.

/** The RESP3 type bytes, under node-redis's names. */
export const RESP_TYPES = {
  NULL: 95,
  BOOLEAN: 35,
  NUMBER: 58,
  BIG_NUMBER: 40,
  DOUBLE: 44,
  SIMPLE_STRING: 43,
  BLOB_STRING: 36,
  VERBATIM_STRING: 61,
  SIMPLE_ERROR: 45,
  BLOB_ERROR: 33,
  ARRAY: 42,
  SET: 126,
  MAP: 37,
  PUSH: 62,
} as const

/** `{ [RESP_TYPES.BLOB_STRING]: Uint8Array }` (or node's `Buffer`), `{ [RESP_TYPES.MAP]: Map }`... */
export type TypeMapping = { readonly [type: number]: unknown }

/** What a mapping asks of the decoding of one reply. */
export interface ReplyForm {
  /** Strings as bytes. */
  readonly binary: boolean
  /** A Uint8Array subclass to give the bytes (node's Buffer), or undefined for plain Uint8Array. */
  readonly bytesClass: { prototype: object } | undefined
  readonly mapAsMap: boolean
  readonly mapAsArray: boolean
}

export const DEFAULT_FORM: ReplyForm = Object.freeze({
  binary: false, bytesClass: undefined, mapAsMap: false, mapAsArray: false,
})

const forms = new WeakMap<object, ReplyForm>()

/** The reply form a mapping asks for (cached per mapping object). */
export function formOf(mapping: TypeMapping | undefined): ReplyForm {
  if (mapping === undefined) return DEFAULT_FORM
  let form = forms.get(mapping)
  if (form !== undefined) return form
  const strings = mapping[RESP_TYPES.BLOB_STRING] ?? mapping[RESP_TYPES.SIMPLE_STRING]
  const binary = typeof strings === 'function' && (strings === Uint8Array || strings.prototype instanceof Uint8Array)
  form = Object.freeze({
    binary,
    bytesClass: binary && strings !== Uint8Array ? (strings as { prototype: object }) : undefined,
    mapAsMap: mapping[RESP_TYPES.MAP] === Map,
    mapAsArray: mapping[RESP_TYPES.MAP] === Array,
  })
  forms.set(mapping, form)
  return form
}

/**
 * Turns a reply decoded in the client's base form (maps as plain objects, sets as arrays) into
 * the asked form. Only called when a mapping asks for more than the base form.
 */
export function applyForm(value: unknown, form: ReplyForm): unknown {
  if (value === null || typeof value !== 'object') return value
  if (value instanceof Uint8Array) {
    if (form.bytesClass !== undefined) Object.setPrototypeOf(value, form.bytesClass.prototype)
    return value
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = applyForm(value[i], form)
    return value
  }
  if (value instanceof Error || value instanceof Set || value instanceof Map) return value
  // A map, decoded as a null-prototype-safe object.
  const entries = Object.entries(value)
  if (form.mapAsMap) {
    const map = new Map<unknown, unknown>()
    for (const [k, v] of entries) map.set(k, applyForm(v, form))
    return map
  }
  if (form.mapAsArray) return entries.flatMap(([k, v]) => [k, applyForm(v, form)])
  for (const [k, v] of entries) (value as Record<string, unknown>)[k] = applyForm(v, form)
  return value
}
