// INFO's text parsed: `# Server` headings become sections, `field:value` lines their fields;
// numbers stay text where they are not plain numbers (versions, addresses), and the
// `keyN=..,..` lines of `# Keyspace` (and `cmdstat_...`, `errorstat_...`, latency percentiles)
// become small objects.

export type InfoValue = string | number | Record<string, string | number>
export type ParsedInfo = Record<string, Record<string, InfoValue>>

function scalar(text: string): string | number {
  return /^-?\d+(\.\d+)?$/.test(text) && text.length < 16 ? Number(text) : text
}

export function parseInfo(text: string): ParsedInfo {
  const out: ParsedInfo = Object.create(null)
  let section: Record<string, InfoValue> = Object.create(null)
  out.default = section
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '') continue
    if (line.startsWith('#')) {
      const name = line.slice(1).trim().toLowerCase()
      section = out[name] ??= Object.create(null)
      continue
    }
    const colon = line.indexOf(':')
    if (colon === -1) continue
    const field = line.slice(0, colon)
    const value = line.slice(colon + 1)
    // `keys=1,expires=0`, `count=1` (errorstats), `p50=1.003,p99.9=2.1` (latencystats).
    if (/^[a-z_][a-z0-9_.]*=/i.test(value) && value.split(',').every((part) => part.includes('='))) {
      const pairs: Record<string, string | number> = Object.create(null)
      for (const part of value.split(',')) {
        const eq = part.indexOf('=')
        if (eq !== -1) pairs[part.slice(0, eq)] = scalar(part.slice(eq + 1))
      }
      section[field] = pairs
    } else section[field] = scalar(value)
  }
  if (Object.keys(out.default).length === 0) delete out.default
  return out
}
