/** xDS type URLs as istiod reports them, and istio's short names for them (`pilot/pkg/model/xds.go` GetShortType). */

const PREFIX = 'type.googleapis.com/'

export const TYPE_URL = {
  CDS: `${PREFIX}envoy.config.cluster.v3.Cluster`,
  LDS: `${PREFIX}envoy.config.listener.v3.Listener`,
  EDS: `${PREFIX}envoy.config.endpoint.v3.ClusterLoadAssignment`,
  RDS: `${PREFIX}envoy.config.route.v3.RouteConfiguration`,
  SDS: `${PREFIX}envoy.extensions.transport_sockets.tls.v3.Secret`,
  ECDS: `${PREFIX}envoy.config.core.v3.TypedExtensionConfig`,
  NDS: `${PREFIX}istio.networking.nds.v1.NameTable`,
  PCDS: `${PREFIX}istio.mesh.v1alpha1.ProxyConfig`,
  WDS_ADDRESS: `${PREFIX}istio.workload.Address`,
  WDS_WORKLOAD: `${PREFIX}istio.workload.Workload`,
  WADS: `${PREFIX}istio.security.Authorization`,
} as const

export const CLIENT_CONFIG_TYPE = `${PREFIX}envoy.service.status.v3.ClientConfig`

const SHORT: Record<string, string> = {
  [TYPE_URL.CDS]: 'CDS',
  [TYPE_URL.LDS]: 'LDS',
  [TYPE_URL.RDS]: 'RDS',
  [TYPE_URL.EDS]: 'EDS',
  [TYPE_URL.SDS]: 'SDS',
  [TYPE_URL.NDS]: 'NDS',
  [TYPE_URL.PCDS]: 'PCDS',
  [TYPE_URL.ECDS]: 'ECDS',
  [TYPE_URL.WDS_ADDRESS]: 'WDS',
  [TYPE_URL.WDS_WORKLOAD]: 'WDS',
  [TYPE_URL.WADS]: 'WADS',
}

/** `CDS`, `LDS`, ... or the type URL itself for a type istio has no short name for. */
export function shortType(typeUrl: string): string {
  return SHORT[typeUrl] ?? typeUrl
}

/** The five types of istioctl's fixed-column table, in its column order. */
export const CORE_COLUMNS = [TYPE_URL.CDS, TYPE_URL.LDS, TYPE_URL.EDS, TYPE_URL.RDS, TYPE_URL.ECDS] as const

/** The four types istioctl ≥ 1.27 lists first (SUBSCRIBED TYPES and its column order). */
const LEADING = [TYPE_URL.CDS, TYPE_URL.LDS, TYPE_URL.EDS, TYPE_URL.RDS] as const

/** Byte-wise string order, as Go's `<` on strings and sort.Strings (JS `<` compares UTF-16 units). */
export function goLess(a: string, b: string): boolean {
  if (a === b) return false
  // UTF-8 byte order is code point order; UTF-16 order differs only where the first difference is a surrogate
  const n = Math.min(a.length, b.length)
  let i = 0
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++
  if (i === n) return a.length < b.length
  const x = a.charCodeAt(i)
  const y = b.charCodeAt(i)
  if ((x < 0xd800 || x > 0xdfff) && (y < 0xd800 || y > 0xdfff)) return x < y
  return a.codePointAt(i)! < b.codePointAt(i)!
}

const FROM_SURROGATES = /[\uD800-\uFFFF]/
const nativeLess = (a: string, b: string): boolean => a < b

/**
 * A `less` in Go's byte order for sorting these values: JS's own `<` when none of them has a UTF-16 unit from
 * U+D800 up (UTF-16 order is then byte order, and the native comparison is several times faster on thousands
 * of proxy IDs), else goLess.
 */
export function goLessOver(values: Iterable<string>): (a: string, b: string) => boolean {
  for (const v of values) if (FROM_SURROGATES.test(v)) return goLess
  return nativeLess
}

/**
 * Whether JS's string order (UTF-16 units, what `<` and a sort without a comparison function use) is Go's byte
 * order for these values: none has a unit from U+D800 up.
 */
export function jsOrderIsGoOrder(values: readonly string[]): boolean {
  for (let i = 0; i < values.length; i++) if (FROM_SURROGATES.test(values[i]!)) return false
  return true
}

/** Sorts strings in Go's byte order (a proper total order, so any algorithm gives Go's result). */
export function goSortStrings(values: Iterable<string>): string[] {
  return [...values].sort((a, b) => (a === b ? 0 : goLess(a, b) ? -1 : 1))
}

/** istioctl ≥ 1.27's type order: CDS, LDS, EDS, RDS when present, then the others by type URL. */
export function subscribedOrder(typeUrls: Iterable<string>): string[] {
  const set = new Set(typeUrls)
  const lead = LEADING.filter((t) => set.has(t))
  return [...lead, ...goSortStrings([...set].filter((t) => !(LEADING as readonly string[]).includes(t)))]
}

/** Flat fields of the HTTP `/debug/syncz` entry per core type (`cluster_sent`, ...), as istioctl ≤ 1.21 read them. */
export const FLAT_FIELDS: ReadonlyArray<{typeUrl: string; prefix: string}> = [
  {typeUrl: TYPE_URL.CDS, prefix: 'cluster'},
  {typeUrl: TYPE_URL.LDS, prefix: 'listener'},
  {typeUrl: TYPE_URL.RDS, prefix: 'route'},
  {typeUrl: TYPE_URL.EDS, prefix: 'endpoint'},
  {typeUrl: TYPE_URL.ECDS, prefix: 'extensionconfig'},
]

/** The deprecated `ClientConfig.xds_config[]` (PerXdsConfig) names its type by which oneof field is set. */
export const PER_XDS_FIELDS: ReadonlyArray<{field: string; typeUrl: string}> = [
  {field: 'listener_config', typeUrl: TYPE_URL.LDS},
  {field: 'cluster_config', typeUrl: TYPE_URL.CDS},
  {field: 'route_config', typeUrl: TYPE_URL.RDS},
  {field: 'endpoint_config', typeUrl: TYPE_URL.EDS},
]
