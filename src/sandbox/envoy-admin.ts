/**
 * Envoy admin API emulation (what listens on an istio-proxy's 127.0.0.1:15000), as an `http.RequestListener`:
 *
 * ```ts
 * pod.ports = {15000: envoyAdminHandler({configDump: () => dump, clustersJson: () => clusters})}
 * ```
 *
 * Behaviour follows Envoy's source/server/admin/*.cc:
 * - Handlers match the request path exactly (admin.cc makeRequest); unknown path -> 404 `invalid path. admin commands
 *   are:` + the help text. Endpoints that mutate state (`/logging`, `/quitquitquit`, `/healthcheck/fail`, ...) answer
 *   a non-POST with 405 `Method GET not allowed, POST required.`.
 * - `GET /config_dump` (config_dump_handler.cc):
 *   - `include_eds` (any value, even `false`): the EndpointsConfigDump section is only returned when present;
 *   - `mask=a,b.c` without `resource`: a protobuf FieldMask applied to each config section (TrimMessage). A section
 *     for which one of the paths is not a valid field is left out; `@type` is always kept; no section left ->
 *     400 `FieldMask <mask> could not be successfully applied to any configs.`;
 *   - `resource=<repeated field>` (e.g. dynamic_active_clusters): every element of that field becomes its own config
 *     entry typed with the element's message (`...ClustersConfigDump.DynamicCluster`); with `mask`, the mask applies to
 *     each element and may reach into its single `Any` field (`mask=cluster.name` trims the Cluster itself); a field
 *     that is not repeated -> 400 `<f> is not a repeated field. Use ?mask=<f> to get only this field`; an unknown
 *     field -> 404 `<f> not found in config dump`; a bad mask -> 400 `FieldMask paths: "<p>"\n could not be
 *     successfully used.`;
 *   - `name_regex=<re2>`: keeps only named resources whose name fully matches (clusters, listeners, route configs,
 *     secrets, endpoint configs, ECDS filters), with or without `resource`.
 *   Field validity is checked against the admin protos' field lists for the top level of each section and item;
 *   below that (inside bootstrap, or inside an Any) a path is accepted unless it runs through a list or into a
 *   nested Any, which protobuf rejects too.
 * - `GET /clusters?format=json` (clustersJson as given) and `GET /clusters` as Envoy's text lines
 *   (`<cluster>::<host:port>::health_flags::healthy`, circuit breakers, added_via_api, per-host stats...).
 * - `POST /logging` (`?level=<l>`, `?<logger>=<l>`, `?paths=a:l,b:l`) answering `active loggers:` + one
 *   `  <name>: <level>` line per logger; errors -> 400 with Envoy's usage text.
 * - `/server_info` JSON, `/ready` (`LIVE`), `/stats` (text or `?format=json`), `/stats/prometheus`, `/listeners`,
 *   `/help`, an HTML home page `/`, and plausible answers for the other admin endpoints.
 * JSON is pretty-printed like Envoy's protobuf printer (one space per level).
 */
import type {IncomingMessage, RequestListener, ServerResponse} from 'node:http'

type JsonObj = Record<string, unknown>

export interface EnvoyConfigDump {
  configs: JsonObj[]
}

export interface EnvoyStats {
  counters?: Record<string, number>
  gauges?: Record<string, number>
}

export interface EnvoyAdminOptions {
  /** the full dump, as Envoy prints it with ?include_eds (EndpointsConfigDump included if the proxy has EDS) */
  configDump: () => EnvoyConfigDump | Promise<EnvoyConfigDump>
  /** the `/clusters?format=json` document (`{cluster_statuses: [...]}`); default `{}` */
  clustersJson?: () => JsonObj | Promise<JsonObj>
  /** merged over the default `/server_info` document */
  serverInfo?: JsonObj | (() => JsonObj)
  /** `/stats` and `/stats/prometheus`; default: a few server and per-cluster stats */
  stats?: () => EnvoyStats
  /** initial logger levels, merged over the defaults (every Envoy logger at `warning`, `misc` at `error`, as Istio sets) */
  loggers?: Record<string, string>
  /** server state for `/ready` and `/server_info`; default LIVE */
  state?: 'LIVE' | 'DRAINING' | 'PRE_INITIALIZING' | 'INITIALIZING'
}

/** The request listener, plus its mutable logger table (for assertions after `POST /logging`). */
export type EnvoyAdminHandler = RequestListener & {loggers: Map<string, string>}

const T = 'type.googleapis.com/envoy.admin.v3.'

export const ENVOY_LOGGERS = [
  'admin', 'alternate_protocols_cache', 'aws', 'assert', 'backtrace', 'basic_auth', 'cache_filter', 'client', 'config',
  'connection', 'conn_handler', 'compression', 'credential_injector', 'decompression', 'dns', 'dubbo', 'envoy_bug',
  'ext_authz', 'ext_proc', 'rocketmq', 'file', 'filter', 'forward_proxy', 'geolocation', 'grpc', 'happy_eyeballs', 'hc',
  'health_checker', 'http', 'http2', 'http3', 'hystrix', 'init', 'io', 'jwt', 'kafka', 'key_value_store', 'lua', 'main',
  'matcher', 'misc', 'mongo', 'multi_connection', 'oauth2', 'quic', 'quic_stream', 'pool', 'rate_limit_quota', 'rbac',
  'rds', 'redis', 'router', 'runtime', 'stats', 'secret', 'tap', 'testing', 'thrift', 'tracing', 'upstream', 'udp',
  'wasm', 'websocket', 'golang',
]
const LEVELS = ['trace', 'debug', 'info', 'warning', 'error', 'critical', 'off']

// ---------------------------------------------------------------------------------------------------------------
// config_dump schema: the fields of envoy.admin.v3 config dump messages (admin/v3/config_dump*.proto)

interface ItemSchema {
  type: string
  /** the single Any field a mask may reach into (absent for DynamicListener, which has several) */
  anyField?: string
  fields: string[]
  name(item: JsonObj): string | undefined
}

type FieldKind = 'scalar' | 'message' | ItemSchema

const get = (o: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as JsonObj)[k] : undefined), o)
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)
const DYN = ['version_info', 'last_updated', 'error_state', 'client_status']

const staticCluster: ItemSchema = {type: 'ClustersConfigDump.StaticCluster', anyField: 'cluster', fields: ['cluster', 'last_updated'], name: (i) => str(get(i, 'cluster', 'name'))}
const dynamicCluster: ItemSchema = {type: 'ClustersConfigDump.DynamicCluster', anyField: 'cluster', fields: ['cluster', ...DYN], name: (i) => str(get(i, 'cluster', 'name'))}
const staticListener: ItemSchema = {type: 'ListenersConfigDump.StaticListener', anyField: 'listener', fields: ['listener', 'last_updated'], name: (i) => str(get(i, 'listener', 'name'))}
const dynamicListener: ItemSchema = {
  type: 'ListenersConfigDump.DynamicListener',
  fields: ['name', 'active_state', 'warming_state', 'draining_state', 'error_state', 'client_status'],
  name: (i) => str(i.name),
}
const staticRoute: ItemSchema = {type: 'RoutesConfigDump.StaticRouteConfig', anyField: 'route_config', fields: ['route_config', 'last_updated'], name: (i) => str(get(i, 'route_config', 'name'))}
const dynamicRoute: ItemSchema = {type: 'RoutesConfigDump.DynamicRouteConfig', anyField: 'route_config', fields: ['route_config', ...DYN], name: (i) => str(get(i, 'route_config', 'name'))}
const inlineScoped: ItemSchema = {type: 'ScopedRoutesConfigDump.InlineScopedRouteConfigs', fields: ['name', 'scoped_route_configs', 'last_updated'], name: (i) => str(i.name)}
const dynamicScoped: ItemSchema = {type: 'ScopedRoutesConfigDump.DynamicScopedRouteConfigs', fields: ['name', 'scoped_route_configs', ...DYN], name: (i) => str(i.name)}
const staticSecret: ItemSchema = {type: 'SecretsConfigDump.StaticSecret', anyField: 'secret', fields: ['name', 'last_updated', 'secret'], name: (i) => str(i.name)}
const dynamicSecret: ItemSchema = {type: 'SecretsConfigDump.DynamicSecret', anyField: 'secret', fields: ['name', 'secret', ...DYN], name: (i) => str(i.name)}
const staticEndpoint: ItemSchema = {type: 'EndpointsConfigDump.StaticEndpointConfig', anyField: 'endpoint_config', fields: ['endpoint_config', 'last_updated'], name: (i) => str(get(i, 'endpoint_config', 'cluster_name'))}
const dynamicEndpoint: ItemSchema = {type: 'EndpointsConfigDump.DynamicEndpointConfig', anyField: 'endpoint_config', fields: ['endpoint_config', ...DYN], name: (i) => str(get(i, 'endpoint_config', 'cluster_name'))}
const ecdsFilter: ItemSchema = {type: 'EcdsConfigDump.EcdsFilterConfig', anyField: 'ecds_filter', fields: ['ecds_filter', ...DYN], name: (i) => str(get(i, 'ecds_filter', 'name'))}

const SECTIONS: Record<string, Record<string, FieldKind>> = {
  BootstrapConfigDump: {bootstrap: 'message', last_updated: 'message'},
  ClustersConfigDump: {version_info: 'scalar', static_clusters: staticCluster, dynamic_active_clusters: dynamicCluster, dynamic_warming_clusters: dynamicCluster},
  ListenersConfigDump: {version_info: 'scalar', static_listeners: staticListener, dynamic_listeners: dynamicListener},
  ScopedRoutesConfigDump: {inline_scoped_route_configs: inlineScoped, dynamic_scoped_route_configs: dynamicScoped},
  RoutesConfigDump: {static_route_configs: staticRoute, dynamic_route_configs: dynamicRoute},
  SecretsConfigDump: {static_secrets: staticSecret, dynamic_active_secrets: dynamicSecret, dynamic_warming_secrets: dynamicSecret},
  EndpointsConfigDump: {static_endpoint_configs: staticEndpoint, dynamic_endpoint_configs: dynamicEndpoint},
  EcdsConfigDump: {ecds_filters: ecdsFilter},
}

function sectionName(section: JsonObj): string {
  const t = String(section['@type'] ?? '')
  return t.startsWith(T) ? t.slice(T.length) : t
}

/** Field kinds of a section; for unknown types, derived from the data (arrays = repeated). */
function schemaOf(section: JsonObj): Record<string, FieldKind> {
  const known = SECTIONS[sectionName(section)]
  if (known) return known
  const out: Record<string, FieldKind> = {}
  for (const [k, v] of Object.entries(section)) {
    if (k === '@type') continue
    out[k] = Array.isArray(v) ? {type: `${sectionName(section)}.Item`, fields: [], name: (i) => str(i.name)} : typeof v === 'object' ? 'message' : 'scalar'
  }
  return out
}

type MaskTree = Map<string, MaskTree | true>

function parseMask(mask: string): string[] {
  return mask.split(',').map((p) => p.trim()).filter((p) => p.length > 0)
}

function maskTree(paths: string[]): MaskTree {
  const root: MaskTree = new Map()
  for (const p of paths) {
    let node = root
    const frags = p.split('.')
    frags.forEach((f, i) => {
      const existing = node.get(f)
      if (existing === true) return
      if (i === frags.length - 1) node.set(f, true)
      else {
        const next = existing ?? new Map()
        node.set(f, next)
        node = next as MaskTree
      }
    })
  }
  return root
}

/** FieldMaskUtil::TrimMessage on JSON: keep only the masked fields (a covered field is kept whole). */
function trim(obj: JsonObj, tree: MaskTree, keepType = true): JsonObj {
  const out: JsonObj = {}
  if (keepType && obj['@type'] !== undefined) out['@type'] = obj['@type']
  for (const [k, sub] of tree) {
    if (!(k in obj)) continue
    const v = obj[k]
    if (sub === true) out[k] = v
    else if (v && typeof v === 'object' && !Array.isArray(v)) out[k] = trim(v as JsonObj, sub, true)
  }
  return out
}

/** Can protobuf index `frags` below a message value? Not through lists, not into an Any (an object with @type). */
function deepPathOk(value: unknown, frags: string[]): boolean {
  let v = value
  for (const f of frags) {
    if (Array.isArray(v)) return false
    if (v && typeof v === 'object') {
      if ('@type' in (v as JsonObj)) return false
      v = (v as JsonObj)[f]
    } else if (v !== undefined) return false
  }
  return true
}

/** GetFieldDescriptors for a section-level path. */
function sectionPathOk(section: JsonObj, path: string): boolean {
  const [first, ...rest] = path.split('.')
  const kind = schemaOf(section)[first!]
  if (kind === undefined) return false
  if (rest.length === 0) return true
  if (kind !== 'message') return false
  return deepPathOk(section[first!], rest)
}

/** trimResourceMessage: outer mask on the item, inner mask on its single Any field. */
function trimItem(item: JsonObj, schema: ItemSchema, paths: string[]): JsonObj | undefined {
  const outer: string[] = []
  const inner: string[] = []
  for (const p of paths) {
    const [first, ...rest] = p.split('.')
    if (schema.anyField && first === schema.anyField && rest.length > 0) {
      outer.push(first)
      inner.push(rest.join('.'))
    } else outer.push(p)
  }
  const validFields = schema.fields.length ? schema.fields : Object.keys(item)
  for (const p of outer) {
    const [first, ...rest] = p.split('.')
    if (!validFields.includes(first!)) return undefined
    if (rest.length && (first === schema.anyField || !deepPathOk(item[first!], rest))) return undefined
  }
  const out = trim(item, maskTree(outer), false)
  if (inner.length && schema.anyField && item[schema.anyField] && typeof item[schema.anyField] === 'object') {
    const anyVal = item[schema.anyField] as JsonObj
    for (const p of inner) if (!deepPathOk(Object.fromEntries(Object.entries(anyVal).filter(([k]) => k !== '@type')), p.split('.'))) return undefined
    out[schema.anyField] = trim(anyVal, maskTree(inner), true)
  }
  return out
}

function filterByName(section: JsonObj, re: RegExp | undefined): JsonObj {
  if (!re) return section
  const out: JsonObj = {...section}
  for (const [field, kind] of Object.entries(schemaOf(section))) {
    if (typeof kind === 'object' && Array.isArray(section[field])) {
      out[field] = (section[field] as JsonObj[]).filter((i) => re.test(kind.name(i) ?? ''))
    }
  }
  return out
}

export interface ConfigDumpQuery {
  resource?: string
  mask?: string
  nameRegex?: string
  includeEds: boolean
}

/** The /config_dump logic, separate from HTTP: returns status + body + content type. */
export function configDumpResponse(dump: EnvoyConfigDump, q: ConfigDumpQuery): {status: number; body: string; json: boolean} {
  let re: RegExp | undefined
  if (q.nameRegex) {
    try {
      re = new RegExp(`^(?:${q.nameRegex})$`)
    } catch (err) {
      return {status: 400, json: false, body: `INVALID_ARGUMENT: Error while parsing name_regex from ${q.nameRegex}: ${(err as Error).message}`}
    }
  }
  const sections = (dump.configs ?? [])
    .filter((s) => q.includeEds || sectionName(s) !== 'EndpointsConfigDump')
    .map((s) => filterByName(s, re))
  const configs: JsonObj[] = []
  if (q.resource !== undefined) {
    const resource = q.resource
    for (const s of sections) {
      const kind = schemaOf(s)[resource]
      if (kind === undefined) continue
      if (typeof kind !== 'object') {
        return {status: 400, json: false, body: `${resource} is not a repeated field. Use ?mask=${resource} to get only this field`}
      }
      for (const item of (s[resource] as JsonObj[] | undefined) ?? []) {
        let out: JsonObj | undefined = item
        if (q.mask !== undefined) {
          const paths = parseMask(q.mask)
          out = trimItem(item, kind, paths)
          if (!out) {
            return {status: 400, json: false, body: `FieldMask ${paths.map((p) => `paths: "${p}"\n`).join('')} could not be successfully used.`}
          }
        }
        configs.push({'@type': `${T}${kind.type}`, ...out})
      }
      return {status: 200, json: true, body: pretty(configs.length ? {configs} : {})}
    }
    return {status: 404, json: false, body: `${resource} not found in config dump`}
  }
  for (const s of sections) {
    if (q.mask !== undefined) {
      const paths = parseMask(q.mask)
      if (!paths.every((p) => sectionPathOk(s, p))) continue
      configs.push(trim(s, maskTree(paths)))
    } else configs.push(s)
  }
  if (configs.length === 0 && q.mask !== undefined) {
    return {status: 400, json: false, body: `FieldMask ${q.mask} could not be successfully applied to any configs.`}
  }
  return {status: 200, json: true, body: pretty(configs.length ? {configs} : {})}
}

/** Envoy's protobuf JSON printer: one space of indentation per level. */
function pretty(o: unknown): string {
  return `${JSON.stringify(o, null, 1)}\n`
}

// ---------------------------------------------------------------------------------------------------------------
// /clusters text

function addressString(addr: unknown): string {
  const sa = get(addr, 'socket_address') as JsonObj | undefined
  if (sa) {
    const a = String(sa.address ?? '')
    const port = sa.port_value ?? 0
    return a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`
  }
  const pipe = get(addr, 'pipe', 'path')
  if (typeof pipe === 'string') return pipe
  const internal = get(addr, 'envoy_internal_address') as JsonObj | undefined
  if (internal) return `envoy://${internal.server_listener_name ?? ''}/${internal.endpoint_id ?? ''}`
  return ''
}

function healthFlags(h: JsonObj | undefined): string {
  if (!h) return 'healthy'
  let s = ''
  if (h.failed_active_health_check) s += '/failed_active_hc'
  if (h.failed_outlier_check) s += '/failed_outlier_check'
  if (h.eds_health_status === 'UNHEALTHY') s += '/failed_eds_health'
  if (h.failed_active_degraded_check) s += '/degraded_active_hc'
  if (h.eds_health_status === 'DEGRADED') s += '/degraded_eds_health'
  if (h.pending_dynamic_removal) s += '/pending_dynamic_removal'
  if (h.pending_active_hc) s += '/pending_active_hc'
  if (h.excluded_via_immediate_hc_fail) s += '/excluded_via_immediate_hc_fail'
  if (h.active_hc_timeout) s += '/active_hc_timeout'
  if (h.eds_health_status === 'DRAINING') s += '/eds_status_draining'
  return s || 'healthy'
}

export function clustersText(doc: JsonObj): string {
  const lines: string[] = []
  for (const c of (doc.cluster_statuses as JsonObj[] | undefined) ?? []) {
    const name = String(c.name ?? '')
    lines.push(`${name}::observability_name::${c.observability_name ?? name}`)
    const thresholds = (get(c, 'circuit_breakers', 'thresholds') as JsonObj[] | undefined) ?? []
    for (const prio of ['default', 'high']) {
      const t = thresholds.find((x) => String(x.priority ?? 'DEFAULT').toLowerCase() === prio) ?? {}
      const val = (k: string, d: number): unknown => get(t, k, 'value') ?? d
      lines.push(`${name}::${prio}_priority::max_connections::${val('max_connections', 1024)}`)
      lines.push(`${name}::${prio}_priority::max_pending_requests::${val('max_pending_requests', 1024)}`)
      lines.push(`${name}::${prio}_priority::max_requests::${val('max_requests', 1024)}`)
      lines.push(`${name}::${prio}_priority::max_retries::${val('max_retries', 3)}`)
    }
    lines.push(`${name}::added_via_api::${c.added_via_api === true}`)
    if (c.eds_service_name) lines.push(`${name}::eds_service_name::${c.eds_service_name}`)
    for (const h of (c.host_statuses as JsonObj[] | undefined) ?? []) {
      const addr = addressString(h.address)
      const stats = [...((h.stats as JsonObj[] | undefined) ?? [])].sort((a, b) => String(a.name).localeCompare(String(b.name)))
      for (const s of stats) lines.push(`${name}::${addr}::${s.name}::${s.value ?? 0}`)
      lines.push(`${name}::${addr}::hostname::${h.hostname ?? ''}`)
      lines.push(`${name}::${addr}::health_flags::${healthFlags(h.health_status as JsonObj | undefined)}`)
      lines.push(`${name}::${addr}::weight::${h.weight ?? 1}`)
      lines.push(`${name}::${addr}::region::${get(h, 'locality', 'region') ?? ''}`)
      lines.push(`${name}::${addr}::zone::${get(h, 'locality', 'zone') ?? ''}`)
      lines.push(`${name}::${addr}::sub_zone::${get(h, 'locality', 'sub_zone') ?? ''}`)
      lines.push(`${name}::${addr}::canary::false`)
      lines.push(`${name}::${addr}::priority::${h.priority ?? 0}`)
      lines.push(`${name}::${addr}::success_rate::${get(h, 'success_rate', 'value') ?? -1}`)
      lines.push(`${name}::${addr}::local_origin_success_rate::${get(h, 'local_origin_success_rate', 'value') ?? -1}`)
    }
  }
  return lines.map((l) => `${l}\n`).join('')
}

// ---------------------------------------------------------------------------------------------------------------
// stats

function prometheusName(name: string, clusterNames: string[]): {metric: string; labels: string} {
  const clean = (s: string): string => s.replace(/[^a-zA-Z0-9_]/g, '_')
  if (name.startsWith('cluster.')) {
    const cluster = clusterNames.filter((c) => name.startsWith(`cluster.${c}.`)).sort((a, b) => b.length - a.length)[0]
    if (cluster) return {metric: `envoy_cluster_${clean(name.slice(`cluster.${cluster}.`.length))}`, labels: `{cluster_name="${cluster}"}`}
  }
  const m = /^listener\.([^.]+_\d+|[\d.]+_\d+)\.(.+)$/.exec(name)
  if (m) return {metric: `envoy_listener_${clean(m[2]!)}`, labels: `{listener_address="${m[1]}"}`}
  return {metric: `envoy_${clean(name)}`, labels: ''}
}

export function prometheusText(stats: EnvoyStats, clusterNames: string[]): string {
  const groups = new Map<string, {type: string; lines: string[]}>()
  const add = (type: string, entries: Record<string, number> | undefined): void => {
    for (const name of Object.keys(entries ?? {}).sort()) {
      const {metric, labels} = prometheusName(name, clusterNames)
      let g = groups.get(metric)
      if (!g) {
        g = {type, lines: []}
        groups.set(metric, g)
      }
      g.lines.push(`${metric}${labels} ${entries![name]}`)
    }
  }
  add('counter', stats.counters)
  add('gauge', stats.gauges)
  let out = ''
  for (const [metric, g] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) out += `# TYPE ${metric} ${g.type}\n${g.lines.join('\n')}\n`
  return out
}

// ---------------------------------------------------------------------------------------------------------------
// the listener

interface Endpoint {
  help: string
  post?: boolean
  params?: string[]
  run(ctx: AdminCtx): Promise<Reply> | Reply
}

interface Reply {
  status?: number
  body: string
  type?: 'text' | 'json' | 'html'
}

interface AdminCtx {
  method: string
  query: URLSearchParams
  rawQuery: string
}

const CONTENT_TYPES = {text: 'text/plain; charset=UTF-8', json: 'application/json', html: 'text/html; charset=UTF-8'}

export function envoyAdminHandler(opts: EnvoyAdminOptions): EnvoyAdminHandler {
  const started = Date.now()
  const loggers = new Map<string, string>(ENVOY_LOGGERS.map((l) => [l, l === 'misc' ? 'error' : 'warning']))
  for (const [k, v] of Object.entries(opts.loggers ?? {})) loggers.set(k, v)
  const state = (): string => opts.state ?? 'LIVE'
  const clusters = async (): Promise<JsonObj> => (opts.clustersJson ? await opts.clustersJson() : {})
  const clusterNames = async (): Promise<string[]> => ((await clusters()).cluster_statuses as JsonObj[] | undefined)?.map((c) => String(c.name)) ?? []

  const defaultStats = async (): Promise<EnvoyStats> => {
    const counters: Record<string, number> = {}
    const gauges: Record<string, number> = {'server.live': state() === 'LIVE' ? 1 : 0, 'server.state': state() === 'LIVE' ? 0 : 1, 'server.uptime': Math.floor((Date.now() - started) / 1000), 'server.concurrency': 2}
    for (const c of ((await clusters()).cluster_statuses as JsonObj[] | undefined) ?? []) {
      counters[`cluster.${c.name}.upstream_cx_total`] = 0
      counters[`cluster.${c.name}.upstream_rq_total`] = 0
      gauges[`cluster.${c.name}.membership_healthy`] = ((c.host_statuses as JsonObj[] | undefined) ?? []).filter((h) => healthFlags(h.health_status as JsonObj) === 'healthy').length
      gauges[`cluster.${c.name}.membership_total`] = ((c.host_statuses as JsonObj[] | undefined) ?? []).length
    }
    return {counters, gauges}
  }
  const stats = async (): Promise<EnvoyStats> => (opts.stats ? opts.stats() : defaultStats())

  const loggingUsage = (err: string): string =>
    `error: ${err}\n\n` +
    'usage: /logging?<name>=<level> (change single level)\n' +
    'usage: /logging?paths=name1:level1,name2:level2,... (change multiple levels)\n' +
    'usage: /logging?level=<level> (change all levels)\n' +
    `levels: ${LEVELS.map((l) => `${l} `).join('')}\n`

  const changeLevels = (ctx: AdminCtx): string | undefined => {
    const keys = [...new Set([...ctx.query.keys()])]
    if (keys.length === 0) return undefined
    if (keys.length !== 1) return 'invalid number of parameters'
    const key = keys[0]!
    const value = ctx.query.get(key) ?? ''
    if (key === 'level') {
      if (!LEVELS.includes(value)) return 'unknown logger level'
      for (const k of loggers.keys()) loggers.set(k, value)
      return undefined
    }
    const changes = new Map<string, string>()
    if (key === 'paths') {
      for (const pair of value.split(',').map((s) => s.trim()).filter(Boolean)) {
        const i = pair.indexOf(':')
        const name = i < 0 ? pair : pair.slice(0, i)
        const level = i < 0 ? '' : pair.slice(i + 1)
        if (!name || !level) return 'empty logger name or empty logger level'
        if (!LEVELS.includes(level)) return 'unknown logger level'
        changes.set(name, level)
      }
    } else {
      if (!LEVELS.includes(value)) return 'unknown logger level'
      changes.set(key, value)
    }
    for (const name of changes.keys()) if (!loggers.has(name)) return 'unknown logger name'
    for (const [name, level] of changes) loggers.set(name, level)
    return undefined
  }

  const serverInfo = async (): Promise<JsonObj> => {
    const dump = await opts.configDump()
    const bootstrap = dump.configs?.find((c) => sectionName(c) === 'BootstrapConfigDump')
    const uptime = `${Math.floor((Date.now() - started) / 1000) + 3600}s`
    const extra = typeof opts.serverInfo === 'function' ? opts.serverInfo() : (opts.serverInfo ?? {})
    return {
      version: '6c72b2179f5a58988b920a55b0be8346de3f7b35/1.32.3-dev/Clean/RELEASE/BoringSSL',
      state: state(),
      hot_restart_version: 'disabled',
      command_line_options: {
        base_id: '0',
        use_dynamic_base_id: false,
        skip_hot_restart_on_no_parent: false,
        skip_hot_restart_parent_stats: false,
        base_id_path: '',
        concurrency: 2,
        config_path: 'etc/istio/proxy/envoy-rev.json',
        config_yaml: '',
        allow_unknown_static_fields: true,
        reject_unknown_dynamic_fields: false,
        ignore_unknown_dynamic_fields: false,
        admin_address_path: '',
        local_address_ip_version: 'v4',
        log_level: 'warning',
        component_log_level: 'misc:error',
        log_format: '%Y-%m-%dT%T.%fZ\t%l\tenvoy %n %g:%#\t%v\tthread=%t',
        log_format_escaped: false,
        log_path: '',
        service_cluster: '',
        service_node: '',
        service_zone: '',
        drain_strategy: 'Immediate',
        mode: 'Serve',
        disable_hot_restart: true,
        enable_mutex_tracing: false,
        restart_epoch: 0,
        cpuset_threads: false,
        disabled_extensions: [],
        enable_fine_grain_logging: false,
        socket_path: '@envoy_domain_socket',
        socket_mode: 0,
        enable_core_dump: false,
        stats_tag: [],
        drain_time: '45s',
        parent_shutdown_time: '60s',
        file_flush_interval: '10s',
      },
      node: get(bootstrap, 'bootstrap', 'node') ?? {},
      uptime_current_epoch: uptime,
      uptime_all_epochs: uptime,
      ...extra,
    }
  }

  const ok = (): Reply => ({body: 'OK\n'})
  const endpoints: Record<string, Endpoint> = {
    '/': {help: 'Admin home page', run: () => ({type: 'html', body: homePage(endpoints)})},
    '/certs': {help: 'print certs on machine', run: () => ({type: 'json', body: pretty({certificates: []})})},
    '/clusters': {
      help: 'upstream cluster status',
      params: ['format: File format to use; One of (text, json)'],
      run: async (ctx) => (ctx.query.get('format') === 'json' ? {type: 'json', body: pretty(await clusters())} : {body: clustersText(await clusters())}),
    },
    '/config_dump': {
      help: 'dump current Envoy configs (experimental)',
      params: [
        'resource: The resource to dump',
        'mask: The mask to apply. When both resource and mask are specified, the mask is applied to every element in the desired repeated field so that only a subset of fields are returned. The mask is parsed as a ProtobufWkt::FieldMask',
        'name_regex: Dump only the currently loaded configurations whose names match the specified regex. Can be used with both resource and mask query parameters.',
        'include_eds: Dump currently loaded configuration including EDS. See the response definition for more information',
      ],
      run: async (ctx) => {
        const r = configDumpResponse(await opts.configDump(), {
          resource: ctx.query.get('resource') ?? undefined,
          mask: ctx.query.get('mask') ?? undefined,
          nameRegex: ctx.query.get('name_regex') ?? undefined,
          includeEds: ctx.query.has('include_eds'),
        })
        return {status: r.status, body: r.body, type: r.json ? 'json' : 'text'}
      },
    },
    '/contention': {help: 'dump current Envoy mutex contention stats (if enabled)', run: () => ({body: 'Mutex contention tracing is not enabled. To enable, run Envoy with flag --enable-mutex-tracing.'})},
    '/cpuprofiler': {help: 'enable/disable the CPU profiler', post: true, params: ['enable: enables the CPU profiler; One of (y, n)'], run: () => ({status: 500, body: 'CPU profiler is not available'})},
    '/drain_listeners': {help: 'drain listeners', post: true, params: ['graceful', 'skip_exit', 'inboundonly'], run: ok},
    '/healthcheck/fail': {help: 'cause the server to fail health checks', post: true, run: ok},
    '/healthcheck/ok': {help: 'cause the server to pass health checks', post: true, run: ok},
    '/heap_dump': {help: 'dump current Envoy heap (if supported)', run: () => ({status: 501, body: 'Heap dump is not supported'})},
    '/heapprofiler': {help: 'enable/disable the heap profiler', post: true, params: ['enable: enable/disable the heap profiler; One of (y, n)'], run: () => ({status: 501, body: 'Heap profiling is not available'})},
    '/help': {help: 'print out list of admin commands', run: () => ({body: helpText(endpoints)})},
    '/hot_restart_version': {help: 'print the hot restart compatibility version', run: () => ({body: 'disabled'})},
    '/init_dump': {help: 'dump current Envoy init manager information (experimental)', params: ['mask: The desired component to dump unready targets.'], run: () => ({type: 'json', body: pretty({})})},
    '/listeners': {
      help: 'print listener info',
      params: ['format: File format to use; One of (text, json)'],
      run: async (ctx) => {
        const dump = await opts.configDump()
        const section = dump.configs?.find((c) => sectionName(c) === 'ListenersConfigDump') ?? {}
        const listeners: JsonObj[] = [
          ...(((section.static_listeners as JsonObj[] | undefined) ?? []).map((l) => l.listener as JsonObj)),
          ...(((section.dynamic_listeners as JsonObj[] | undefined) ?? []).map((l) => get(l, 'active_state', 'listener') as JsonObj).filter(Boolean)),
        ]
        if (ctx.query.get('format') === 'json') {
          return {type: 'json', body: pretty({listener_statuses: listeners.map((l) => ({name: l.name, local_address: l.address}))})}
        }
        return {body: listeners.map((l) => `${l.name}::${addressString(l.address)}\n`).join('')}
      },
    },
    '/logging': {
      help: 'query/change logging levels',
      post: true,
      params: ['paths: Change multiple logging levels by setting to <logger_name1>:<desired_level1>,<logger_name2>:<desired_level2>.', `level: desired logging level, this will change all loggers's level; One of (, ${LEVELS.join(', ')})`],
      run: (ctx) => {
        const err = changeLevels(ctx)
        let body = err ? loggingUsage(err) : ''
        body += 'active loggers:\n'
        for (const [name, level] of loggers) body += `  ${name}: ${level}\n`
        body += '\n'
        return {status: err ? 400 : 200, body}
      },
    },
    '/memory': {
      help: 'print current allocation/heap usage',
      run: () => ({type: 'json', body: pretty({allocated: '9837712', heap_size: '16777216', pageheap_unmapped: '0', pageheap_free: '2449408', total_thread_cache: '2817616', total_physical_bytes: '19202048'})}),
    },
    '/quitquitquit': {help: 'exit the server', post: true, run: ok},
    '/ready': {help: 'print server state, return 200 if LIVE, otherwise return 503', run: () => ({status: state() === 'LIVE' ? 200 : 503, body: `${state()}\n`})},
    '/reopen_logs': {help: 'reopen access logs', post: true, run: ok},
    '/reset_counters': {help: 'reset all counters to zero', post: true, run: ok},
    '/runtime': {help: 'print runtime values', run: () => ({type: 'json', body: pretty({entries: {}, layers: ['global_config', 'admin']})})},
    '/runtime_modify': {help: 'Adds or modifies runtime values as passed in query parameters.', post: true, run: ok},
    '/server_info': {help: 'print server version/status information', run: async () => ({type: 'json', body: pretty(await serverInfo())})},
    '/stats': {
      help: 'print server stats',
      params: ['usedonly', 'filter: Regular expression (Google re2) for filtering stats', 'format: Format to use; One of (html, active-html, text, json)'],
      run: async (ctx) => {
        const s = await stats()
        let filter: RegExp | undefined
        try {
          filter = ctx.query.get('filter') ? new RegExp(ctx.query.get('filter')!) : undefined
        } catch {
          return {status: 400, body: `Invalid re2 regex`}
        }
        const all = {...(s.counters ?? {}), ...(s.gauges ?? {})}
        const names = Object.keys(all).filter((n) => !filter || filter.test(n)).sort()
        if (ctx.query.get('format') === 'json') return {type: 'json', body: pretty({stats: names.map((n) => ({name: n, value: all[n]}))})}
        return {body: names.map((n) => `${n}: ${all[n]}\n`).join('')}
      },
    },
    '/stats/prometheus': {
      help: 'print server stats in prometheus format',
      params: ['usedonly', 'text_readouts', 'filter: Regular expression (Google re2) for filtering stats', 'histogram_buckets: Histogram bucket display mode; One of (cumulative, summary)'],
      run: async () => ({body: prometheusText(await stats(), await clusterNames())}),
    },
    '/stats/recentlookups': {help: 'Show recent stat-name lookups', run: () => ({body: 'Lookup tracking is not enabled. Use /stats/recentlookups/enable to enable.\n'})},
    '/stats/recentlookups/clear': {help: 'clear list of stat-name lookups and counter', post: true, run: ok},
    '/stats/recentlookups/disable': {help: 'disable recording of reset stat-name lookup names', post: true, run: ok},
    '/stats/recentlookups/enable': {help: 'enable recording of reset stat-name lookup names', post: true, run: ok},
  }

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const raw = req.url ?? '/'
    const q = raw.indexOf('?')
    const pathname = q < 0 ? raw : raw.slice(0, q)
    const rawQuery = q < 0 ? '' : raw.slice(q + 1)
    const method = req.method ?? 'GET'
    const send = (r: Reply): void => {
      const body = Buffer.from(r.body)
      res.writeHead(r.status ?? 200, {
        'content-type': CONTENT_TYPES[r.type ?? 'text'],
        'cache-control': 'no-cache, max-age=0',
        'x-content-type-options': 'nosniff',
        'content-length': body.length,
        server: 'envoy',
      })
      res.end(method === 'HEAD' ? undefined : body)
    }
    // drain the request body (POST /logging has none, but be tolerant)
    req.resume()
    const ep = endpoints[pathname]
    if (!ep) {
      send({status: 404, body: `invalid path. ${helpText(endpoints)}`})
      return
    }
    if (ep.post && method !== 'POST') {
      send({status: 405, body: `Method ${method} not allowed, POST required.`})
      return
    }
    Promise.resolve(ep.run({method, query: new URLSearchParams(rawQuery), rawQuery}))
      .then(send)
      .catch((err: unknown) => send({status: 500, body: `internal error: ${err instanceof Error ? err.message : String(err)}`}))
  }
  return Object.assign(listener, {loggers})
}

function helpText(endpoints: Record<string, Endpoint>): string {
  let out = 'admin commands are:\n'
  for (const p of Object.keys(endpoints).sort()) {
    const e = endpoints[p]!
    out += `  ${p}${e.post ? ' (POST)' : ''}: ${e.help}\n`
    for (const param of e.params ?? []) out += `      ${param.includes(':') ? param : `${param}: `}\n`
  }
  return out
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'})[c]!)
}

function homePage(endpoints: Record<string, Endpoint>): string {
  const rows = Object.keys(endpoints)
    .filter((p) => p !== '/')
    .sort()
    .map((p) => {
      const e = endpoints[p]!
      const link = e.post
        ? `<form action='${p}' method='post'><button class='button-as-link'>${escapeHtml(p.slice(1))}</button></form>`
        : `<a href='${p.slice(1)}'>${escapeHtml(p.slice(1))}</a>`
      return `    <tr class='vert-space'><td class='home-data'>${link}</td><td class='home-data'>${escapeHtml(e.help)}</td></tr>\n`
    })
    .join('')
  return (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n  <title>Envoy Admin</title>\n' +
    '  <link rel="shortcut icon" href="data:image/x-icon;base64,AA=="/>\n' +
    '  <style>.home-table{font-family:sans-serif;font-size:medium;border-collapse:collapse}.home-data{padding:.2em .5em}.button-as-link{background:none;border:none;color:#00e;text-decoration:underline;cursor:pointer;padding:0;font:inherit}</style>\n' +
    "</head>\n<body>\n<table class='home-table'>\n  <thead><th class='home-data'>Command</th><th class='home-data'>Description</th></thead>\n  <tbody>\n" +
    rows +
    '  </tbody>\n</table>\n</body>\n</html>\n'
  )
}
