/**
 * What "the same configuration" means for diff: two resources are equal when they are equal as proto3 messages,
 * whatever the JSON that carries them. Envoy's admin API writes snake_case field names, protojson/istioctl write
 * lowerCamelCase; proto3 JSON omits fields at their default value, and a reader must treat an absent field as its
 * default (https://protobuf.dev/programming-guides/json/: "If a field has the default value it is omitted", and
 * parsers accept both the proto field name and its lowerCamelCase json_name). So, in a message:
 *
 *  - a key matches its other spelling (`per_connection_buffer_limit_bytes` = `perConnectionBufferLimitBytes`);
 *  - `false`, `0`, `""`, `[]` and `null` equal an absent field (proto3 scalars and repeated fields have no presence);
 *  - an empty object `{}` does NOT: a message field set to its defaults is present (`ads: {}` means "use ADS");
 *  - key order never matters; list order always does (Envoy evaluates filter chains, routes, filters in order).
 *
 * Inside a google.protobuf.Struct (metadata, typed_struct values) and the keys of map fields, keys and values are
 * data: matched exactly and never dropped (`{"FOO": false}` is not `{}`). Which fields are Structs and maps is known
 * by name, as for the proto-JSON conversion (../envoy/protojson.ts fieldKind).
 *
 * Per-pod values (`PerPod`): comparing two replicas of a workload, each proxy's pod IP and pod name (hence its node
 * id) are replaced by placeholders in every string, and a workload certificate is reduced to what replicas share
 * (subject, SANs, issuer), dropping its per-pod serial and validity. Applied only when the two sides are different
 * proxies: a proxy against an earlier snapshot of itself keeps every value, so a rotated certificate shows.
 *
 * Two ways through a resource: `sameResource` walks both sides at once and allocates nothing (most resources of two
 * dumps are equal: this is the path that must be fast); `canonical` builds the normalised form (snake_case field
 * names, defaults dropped, keys sorted) of a resource that differs, for the patch and the field-level diff.
 * `sameResource` is never more lenient than `canonical` (if it says equal, the canonical forms are equal).
 */
import {X509Certificate} from 'node:crypto'
import {isObject, type Json, type JsonObject, toCamel} from '../envoy/fields.js'
import {type FieldKind, fieldKind} from '../envoy/protojson.js'

const snakeCache = new Map<string, string>()

/** lowerCamelCase → the proto field name (`typedConfig` → `typed_config`); snake_case and `@type` pass through. */
export function toSnake(name: string): string {
  let s = snakeCache.get(name)
  if (s === undefined) {
    s = /[A-Z]/.test(name) && !name.includes('_') ? name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : name
    snakeCache.set(name, s)
  }
  return s
}

/** The other spelling of a field name, or undefined when it has only one. */
function otherSpelling(name: string): string | undefined {
  if (name.includes('_')) return toCamel(name)
  const s = toSnake(name)
  return s === name ? undefined : s
}

/** A proto3 default: what an absent scalar or repeated field reads as. */
export function isDefault(v: Json | undefined): boolean {
  return v === undefined || v === null || v === false || v === 0 || v === '' || (Array.isArray(v) && v.length === 0)
}

/** One proxy's per-pod values and what they become. */
export interface PodValues {
  /** the proxy's pod IPs (node id's second field, INSTANCE_IPS) */
  ips: string[]
  /** the pod's name */
  podName: string
}

/** Per-pod normalisation of one comparison: each side's own substitution. */
export interface PerPod {
  a: (s: string) => string
  b: (s: string) => string
  /** workload certificates reduced to subject/SANs/issuer */
  certs: boolean
}

export const POD_IP = '<pod-ip>'
export const POD_NAME = '<pod-name>'

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * A string substitution for one proxy's per-pod values: each IP (not inside a longer address: `10.0.0.2` is not
 * replaced in `10.0.0.25`) and the pod name (not inside a longer name) become placeholders.
 */
export function podSubstitution(v: PodValues): (s: string) => string {
  const parts: string[] = []
  for (const ip of v.ips) if (ip !== '') parts.push(`(?<![\\d.:a-fA-F])${escapeRe(ip)}(?![\\d:a-fA-F]|\\.\\d)`)
  const ipRe = parts.length > 0 ? new RegExp(parts.join('|'), 'g') : undefined
  const nameRe = v.podName !== '' ? new RegExp(`(?<![a-z0-9-])${escapeRe(v.podName)}(?![a-z0-9-])`, 'g') : undefined
  const probes = [...v.ips.filter((ip) => ip !== ''), ...(v.podName !== '' ? [v.podName] : [])]
  return (s) => {
    // most strings hold neither: one includes() each before any regular expression
    if (!probes.some((p) => s.includes(p))) return s
    let out = s
    if (nameRe) out = out.replace(nameRe, POD_NAME)
    if (ipRe) out = out.replace(ipRe, POD_IP)
    return out
  }
}

const identity = (s: string): string => s

function sameString(a: string, b: string, side: PerPod | undefined): boolean {
  if (a === b) return true
  return side !== undefined && side.a(a) === side.b(b)
}

/** Struct and scalar-map values: data, compared exactly (per-pod substitution in strings aside). */
function sameData(a: Json, b: Json, side: PerPod | undefined): boolean {
  if (a === b) return true
  if (typeof a === 'string') return typeof b === 'string' && sameString(a, b, side)
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!sameData(a[i]!, b[i]!, side)) return false
    return true
  }
  if (!isObject(a) || !isObject(b)) return false
  const ka = Object.keys(a)
  if (ka.length !== Object.keys(b).length) return false
  for (const k of ka) {
    const bv = b[k]
    if (bv === undefined || !sameData(a[k]!, bv, side)) return false
  }
  return true
}

function sameMap(a: Json, b: Json, values: FieldKind, side: PerPod | undefined): boolean {
  if (!isObject(a) || !isObject(b)) return sameValue(a, b, 'message', '', side)
  const ka = Object.keys(a)
  if (ka.length !== Object.keys(b).length) return false
  for (const k of ka) {
    const bv = b[k]
    if (bv === undefined) return false
    const ok = values === 'map-message' ? sameValue(a[k]!, bv, 'message', k, side) : sameData(a[k]!, bv, side)
    if (!ok) return false
  }
  return true
}

function sameValue(a: Json, b: Json, kind: FieldKind, key: string, side: PerPod | undefined): boolean {
  if (a === b) return true
  if (kind === 'struct' || kind === 'map-scalar') return sameData(a, b, side)
  if (kind === 'map-message' || kind === 'map-struct') return sameMap(a, b, kind, side)
  if (typeof a === 'string') return typeof b === 'string' && sameString(a, b, side)
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i]!, b[i]!, 'message', key, side)) return false
    return true
  }
  if (isObject(a)) return isObject(b) && sameMessage(a, b, key, side)
  return false
}

/** Two messages, in either spelling, defaults absent. */
function sameMessage(a: JsonObject, b: JsonObject, parentKey: string, side: PerPod | undefined): boolean {
  let matched = 0
  for (const k in a) {
    const av = a[k]!
    let bv = b[k]
    if (bv === undefined) {
      const o = otherSpelling(k)
      if (o !== undefined) bv = b[o]
    }
    if (isDefault(bv)) {
      if (!isDefault(av)) return false
      continue
    }
    if (isDefault(av)) return false
    matched++
    if (!sameValue(av, bv!, fieldKind(a, k, parentKey), k, side)) return false
  }
  // every field b sets must have been matched by one of a's
  let set = 0
  for (const k in b) if (!isDefault(b[k])) set++
  return set === matched
}

/** Whether two resources (messages) are the same configuration. `perPod` when they come from different proxies. */
export function sameResource(a: Json, b: Json, perPod?: PerPod): boolean {
  if (isObject(a) && isObject(b)) return sameMessage(a, b, '', perPod)
  return sameValue(a, b, 'message', '', perPod)
}

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

function canonData(v: Json, sub: (s: string) => string): Json {
  if (typeof v === 'string') return sub(v)
  if (Array.isArray(v)) return v.map((x) => canonData(x, sub))
  if (!isObject(v)) return v
  const out: JsonObject = {}
  for (const k of Object.keys(v).sort(byteOrder)) out[k] = canonData(v[k]!, sub)
  return out
}

function canonValue(v: Json, kind: FieldKind, key: string, sub: (s: string) => string): Json {
  if (kind === 'struct' || kind === 'map-scalar') return canonData(v, sub)
  if ((kind === 'map-message' || kind === 'map-struct') && isObject(v)) {
    const out: JsonObject = {}
    for (const k of Object.keys(v).sort(byteOrder)) out[k] = kind === 'map-message' ? canonValue(v[k]!, 'message', k, sub) : canonData(v[k]!, sub)
    return out
  }
  if (typeof v === 'string') return sub(v)
  if (Array.isArray(v)) return v.map((x) => canonValue(x, 'message', key, sub))
  if (isObject(v)) return canonMessage(v, key, sub)
  return v
}

function canonMessage(m: JsonObject, parentKey: string, sub: (s: string) => string): JsonObject {
  const fields: Array<[string, Json]> = []
  for (const k of Object.keys(m)) {
    const v = m[k]!
    if (isDefault(v)) continue
    fields.push([k === '@type' ? k : toSnake(k), canonValue(v, fieldKind(m, k, parentKey), k, sub)])
  }
  fields.sort((x, y) => byteOrder(x[0], y[0]))
  const out: JsonObject = {}
  for (const [k, v] of fields) out[k] = v
  return out
}

/** The normalised form of a resource: proto field names (snake_case), defaults dropped, keys sorted, per-pod values replaced. */
export function canonical(resource: Json, sub: (s: string) => string = identity): Json {
  return isObject(resource) ? canonMessage(resource, '', sub) : canonValue(resource, 'message', '', sub)
}

// ------------------------------------------------------------------ certificates

const PEM_BLOCKS = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g

/**
 * What replicas' workload certificates share: for each certificate of a PEM chain its subject, SANs and issuer,
 * without the per-pod serial number and validity. The text given back when it holds no certificate that parses.
 */
export function certificateIdentity(pemOrBase64: string): string {
  const pem = pemOrBase64.includes('-----BEGIN') ? pemOrBase64 : Buffer.from(pemOrBase64, 'base64').toString('utf8')
  const blocks = pem.match(PEM_BLOCKS)
  if (!blocks) return pemOrBase64
  const out: string[] = []
  for (const b of blocks) {
    try {
      const c = new X509Certificate(b)
      // a workload certificate has an empty subject (its identity is the SPIFFE URI SAN): Node gives undefined then
      out.push(`subject=${(c.subject ?? '').replace(/\n/g, ',')}; san=${c.subjectAltName ?? ''}; issuer=${(c.issuer ?? '').replace(/\n/g, ',')}`)
    } catch {
      return pemOrBase64
    }
  }
  return `<certificate ${out.join(' | ')}>`
}

/**
 * A secret with its certificate chains (tls_certificate.certificate_chain, either spelling, inline_bytes or
 * inline_string) reduced to certificateIdentity; trusted CAs (validation contexts) are the mesh's and kept as they are.
 */
export function withCertificateIdentity(secret: JsonObject): JsonObject {
  const tls = (secret.tls_certificate ?? secret.tlsCertificate) as Json | undefined
  if (!isObject(tls)) return secret
  const chainKey = 'certificate_chain' in tls ? 'certificate_chain' : 'certificateChain'
  const chain = tls[chainKey]
  if (!isObject(chain)) return secret
  const out: JsonObject = {}
  for (const [k, v] of Object.entries(chain)) out[k] = typeof v === 'string' && /^inline(_b|B)ytes$|^inline(_s|S)tring$/.test(k) ? certificateIdentity(v) : v
  const tlsKey = 'tls_certificate' in secret ? 'tls_certificate' : 'tlsCertificate'
  return {...secret, [tlsKey]: {...tls, [chainKey]: out}}
}
