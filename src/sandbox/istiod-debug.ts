/**
 * The sandbox istiod's debug endpoints beyond syncz and config_dump, in istiod's own JSON shapes
 * (pilot/pkg/xds/debug.go; docs/istioctl-behaviour.md §12.2-12.3), built from the mesh model and the replica's
 * connected proxies:
 * - `/debug` (the "Pilot Debug Console" HTML index) and `/debug/list` (sorted JSON array of the types);
 * - `adsz` (`{totalClients, clients: [{connectionId, connectedAt, address, labels, metadata, locality, watches}]}`,
 *   `clients` omitted when empty; `?proxyID=` keeps the first connection whose ID contains it; `?push=true` answers
 *   `Pushed to <n> servers`), `connections` (the first three client fields);
 * - `registryz` (one object per service, Go field names where istiod has no json tags), `configz` (every Istio config
 *   object: kind, apiVersion, metadata, spec), `endpointz` / `endpointShardz` (hostname -> namespace -> Shards and
 *   ServiceAccounts), `push_status` (metric -> key -> {proxy, message}, 4-space indent), `mesh` (mesh config);
 * - `edsz?proxyID=` (a config_dump with only the EndpointsConfigDump), needing a proxyID as istiod.
 * Content is the model's; which proxies and when they connected is the replica's.
 */
import {configDump} from '../gen/configdump.js'
import type {MeshModel, Service} from '../gen/model.js'
import {hash32} from '../gen/prng.js'
import type {ProxyInfo} from '../gen/proxies.js'

export interface DebugAnswer {
  status: number
  contentType: string
  body: string
  /** `body` as UTF-8, when an answer that stays the same is kept encoded (what the HTTP port sends) */
  bytes?: Buffer
}

export interface ConnectedProxy {
  id: string
  info: ProxyInfo
  /** type URLs the proxy watches */
  types: string[]
}

const TEXT = 'text/plain; charset=utf-8'
const JSON_TYPE = 'application/json'
/** JSON as istiod's writeJSON writes it: compact (istiod.ts re-indents an answer for `?pretty`) */
const json = (v: unknown, indent?: number): DebugAnswer => ({status: 200, contentType: JSON_TYPE, body: JSON.stringify(v, null, indent)})
const text = (status: number, body: string): DebugAnswer => ({status, contentType: TEXT, body})

/** What the sandbox serves, with istiod's help texts (AddDebugHandlers). */
export const DEBUG_HELP: Readonly<Record<string, string>> = {
  adsz: 'Status and debug interface for ADS',
  'adsz?push=true': 'Initiates push of the current state to all connected endpoints',
  config_dump: 'ConfigDump in the form of the Envoy admin config dump API for passed in proxyID',
  configz: 'Debug support for config',
  connections: 'Info about the connected XDS clients',
  edsz: 'Status and debug interface for EDS',
  endpointShardz: 'Info about the endpoint shards',
  endpointz: 'Debug support for endpoints',
  mesh: 'Active mesh config',
  push_status: 'Last PushContext Details',
  registryz: 'Debug support for registry',
  syncz: 'Synchronization status of all Envoys connected to this Pilot instance',
}

function indexHtml(): string {
  const rows = Object.keys(DEBUG_HELP)
    .sort()
    .map((k, i) => `      <tr class="${i % 2 === 0 ? 'even' : 'odd'}">\n        <td><a href='/debug/${k}'>/debug/${k}</a></td><td>${DEBUG_HELP[k]}</td>\n      </tr>`)
  return `<html>\n<head>\n<title>Pilot Debug Console</title>\n</head>\n<body>\n<br/>\n<table>\n  <thead>\n    <tr><th>Endpoint</th><th>Description</th></tr>\n  </thead>\n  <tbody>\n${rows.join('\n')}\n  </tbody>\n</table>\n</body>\n</html>\n`
}

const rfc3339 = (d: Date): string => d.toISOString().replace(/\.000Z$/, 'Z')

/** Debug answers of one istiod replica. */
export class IstiodDebug {
  private watchCache?: Record<string, string[]>

  constructor(
    private readonly mesh: MeshModel,
    private readonly replica: string,
    private readonly now: Date,
    private readonly connected: () => ConnectedProxy[],
  ) {}

  private connectionId(p: ConnectedProxy): string {
    return `${p.info.nodeId}-${1 + (hash32(`${this.replica}/${p.id}`) % 400)}`
  }

  private connectedAt(p: ConnectedProxy): string {
    return rfc3339(new Date(this.now.getTime() - (3600 + (hash32(`at/${this.replica}/${p.id}`) % 86400)) * 1000))
  }

  private address(p: ConnectedProxy): string {
    return `${p.info.ip}:${32768 + (hash32(`port/${this.replica}/${p.id}`) % 28000)}`
  }

  /** Resource names a sidecar watches per type: EDS the outbound clusters, RDS the HTTP route names (ports). */
  private watches(p: ConnectedProxy): Record<string, string[]> {
    if (!this.watchCache) {
      const eds: string[] = []
      const rds = new Set<string>()
      for (const s of this.mesh.services) {
        if (s.resolution !== 'ClientSideLB') continue
        for (const port of s.ports) {
          eds.push(`outbound|${port.port}||${s.hostname}`)
          if (port.protocol === 'http' || port.protocol === 'http2' || port.protocol === 'grpc') rds.add(String(port.port))
        }
      }
      this.watchCache = {eds, rds: [...rds].sort()}
    }
    const out: Record<string, string[]> = {}
    for (const t of p.types) {
      if (t.endsWith('ClusterLoadAssignment')) out[t] = this.watchCache.eds
      else if (t.endsWith('RouteConfiguration')) out[t] = p.info.kind === 'router' ? ['http.8080'] : this.watchCache.rds
      else out[t] = []
    }
    return out
  }

  private client(p: ConnectedProxy, full: boolean): Record<string, unknown> {
    const c: Record<string, unknown> = {connectionId: this.connectionId(p), connectedAt: this.connectedAt(p), address: this.address(p)}
    if (!full) return c
    const {info} = p
    c.labels = {...info.labels}
    c.metadata = {
      CLUSTER_ID: this.mesh.clusterId,
      ISTIO_VERSION: this.mesh.istio.version,
      LABELS: {...info.labels},
      NAME: info.pod,
      NAMESPACE: info.namespace,
      SERVICE_ACCOUNT: info.serviceAccount,
      WORKLOAD_NAME: info.workload,
      INSTANCE_IPS: info.ip,
      POD_PORTS: '[]',
      OWNER: `kubernetes://apis/apps/v1/namespaces/${info.namespace}/${info.workloadKind === 'Deployment' ? 'deployments' : 'statefulsets'}/${info.workload}`,
      PROXY_CONFIG: {},
    }
    c.locality = {region: info.locality.region, zone: info.locality.zone, ...(info.locality.subzone ? {sub_zone: info.locality.subzone} : {})}
    c.watches = this.watches(p)
    return c
  }

  private adsz(query: URLSearchParams, full: boolean): DebugAnswer {
    let conns = this.connected()
    if (full && query.get('push')) return text(200, `Pushed to ${conns.length} servers\n`)
    const proxyID = query.get('proxyID')
    if (proxyID) {
      const first = conns.find((p) => this.connectionId(p).includes(proxyID))
      conns = first ? [first] : []
    }
    const out: Record<string, unknown> = {totalClients: conns.length}
    if (conns.length > 0) out.clients = conns.map((p) => this.client(p, full))
    return json(out)
  }

  private registryz(): DebugAnswer {
    const resolution = {ClientSideLB: 0, DNSLB: 1, DNSRoundRobinLB: 2, Passthrough: 3} as const
    const out = [...this.mesh.services].map((s) => {
      const registry = s.kind === 'Service' ? 'Kubernetes' : 'External'
      const vip = s.clusterIP ?? '0.0.0.0'
      return {
        Attributes: {
          ServiceRegistry: registry,
          Name: s.kind === 'Service' ? s.name : s.hostname,
          Namespace: s.namespace,
          Labels: null,
          ExportTo: null,
          LabelSelectors: s.selector ? {...s.selector} : null,
          ClusterExternalAddresses: {},
          ClusterExternalPorts: null,
          K8sAttributes: {Type: s.kind === 'Service' ? 'ClusterIP' : '', ExternalName: '', NodeLocal: false, ObjectName: s.name},
        },
        ports: s.ports.map((p) => ({name: p.name, port: p.port, protocol: protocolName(p.protocol)})),
        serviceAccounts: this.serviceAccounts(s),
        creationTime: this.mesh.epoch,
        hostname: s.hostname,
        clusterVIPs: {Addresses: {[this.mesh.clusterId]: [vip]}},
        defaultAddress: vip,
        autoAllocatedIPv4Address: '',
        autoAllocatedIPv6Address: '',
        Resolution: resolution[s.resolution],
        MeshExternal: s.meshExternal ?? false,
        ResourceVersion: String(1000 + (hash32(s.hostname) % 90000)),
      }
    })
    return json(out)
  }

  private serviceAccounts(s: Service): string[] {
    const sas = new Set<string>()
    for (const w of this.mesh.lookup.workloadsOf(s)) sas.add(`spiffe://${this.mesh.trustDomain}/ns/${w.namespace}/sa/${w.serviceAccount}`)
    return [...sas].sort()
  }

  private configz(): DebugAnswer {
    const meta = (kind: string, name: string, namespace: string): Record<string, unknown> => ({
      name,
      namespace,
      resourceVersion: String(2000 + (hash32(`${kind}/${namespace}/${name}`) % 90000)),
      creationTimestamp: this.mesh.epoch,
    })
    const out: Array<Record<string, unknown>> = []
    const NET = 'networking.istio.io/v1'
    for (const vs of this.mesh.virtualServices) out.push({kind: 'VirtualService', apiVersion: NET, metadata: meta('vs', vs.name, vs.namespace), spec: {hosts: vs.hosts, ...(vs.gateways ? {gateways: vs.gateways} : {}), http: vs.http}})
    for (const dr of this.mesh.destinationRules) out.push({kind: 'DestinationRule', apiVersion: NET, metadata: meta('dr', dr.name, dr.namespace), spec: {host: dr.host, ...(dr.trafficPolicy ? {trafficPolicy: dr.trafficPolicy} : {}), subsets: dr.subsets}})
    for (const gw of this.mesh.gateways) out.push({kind: 'Gateway', apiVersion: NET, metadata: meta('gw', gw.name, gw.namespace), spec: {selector: gw.selector, servers: gw.servers}})
    for (const s of this.mesh.services) {
      if (s.kind !== 'ServiceEntry') continue
      out.push({
        kind: 'ServiceEntry',
        apiVersion: NET,
        metadata: meta('se', s.name, s.namespace),
        spec: {hosts: [s.hostname], ports: s.ports.map((p) => ({number: p.port, name: p.name, protocol: protocolName(p.protocol)})), location: s.meshExternal ? 'MESH_EXTERNAL' : 'MESH_INTERNAL', resolution: s.resolution === 'DNSLB' ? 'DNS' : s.resolution === 'Passthrough' ? 'NONE' : 'STATIC'},
      })
    }
    for (const wp of this.mesh.wasmPlugins) out.push({kind: 'WasmPlugin', apiVersion: 'extensions.istio.io/v1alpha1', metadata: meta('wp', wp.name, wp.namespace), spec: {selector: {matchLabels: wp.selector}, url: wp.url}})
    return json(out)
  }

  private endpointz(): DebugAnswer {
    const out: Record<string, Record<string, unknown>> = {}
    const shardKey = `Kubernetes/${this.mesh.clusterId}`
    for (const s of this.mesh.services) {
      if (s.kind !== 'Service' || !s.selector) continue
      const endpoints: unknown[] = []
      const sas: Record<string, Record<string, never>> = {}
      for (const w of this.mesh.lookup.workloadsOf(s)) {
        const sa = `spiffe://${this.mesh.trustDomain}/ns/${w.namespace}/sa/${w.serviceAccount}`
        sas[sa] = {}
        for (const pod of this.mesh.lookup.pods(w)) {
          for (const port of s.ports) {
            endpoints.push({
              Labels: {...pod.labels},
              Addresses: [pod.ip],
              ServicePortName: port.name,
              ServiceAccount: sa,
              Network: '',
              Locality: {Label: [pod.node.locality.region, pod.node.locality.zone, pod.node.locality.subzone ?? ''].join('/').replace(/\/$/, ''), ClusterID: this.mesh.clusterId},
              EndpointPort: port.targetPort,
              LbWeight: 0,
              TLSMode: w.proxy === 'none' ? 'disabled' : 'istio',
              Namespace: pod.namespace,
              WorkloadName: w.name,
              HostName: '',
              SubDomain: '',
              HealthStatus: pod.ready ? 1 : 2,
              SendUnhealthyEndpoints: false,
              NodeName: pod.node.name,
            })
          }
        }
      }
      out[s.hostname] = {...out[s.hostname], [s.namespace]: {Shards: {[shardKey]: endpoints}, ServiceAccounts: sas}}
    }
    return json(out)
  }

  private pushStatus(): DebugAnswer {
    const noInstances: Record<string, {proxy?: string; message?: string}> = {}
    for (const s of this.mesh.services) {
      if (s.kind !== 'Service' || !s.selector) continue
      if (this.mesh.lookup.workloadsOf(s).some((w) => this.mesh.lookup.pods(w).length > 0)) continue
      for (const p of s.ports) noInstances[`outbound|${p.port}||${s.hostname}`] = {}
    }
    const out: Record<string, unknown> = {}
    if (Object.keys(noInstances).length > 0) out.pilot_eds_no_instances = noInstances
    const conflicts: Record<string, {proxy?: string; message?: string}> = {}
    if (Object.keys(conflicts).length > 0) out.pilot_conflict_outbound_listener_tcp_over_current_tcp = conflicts
    return json(out, 4)
  }

  private edsz(query: URLSearchParams): DebugAnswer {
    const proxyID = query.get('proxyID')
    if (!proxyID) return text(400, 'You must provide a proxyID in the query string\n')
    const p = this.connected().find((c) => this.connectionId(c).includes(proxyID))
    if (!p) return text(404, 'Proxy not connected to this Pilot instance. It may be connected to another instance.\n')
    const eds = configDump(this.mesh, p.info, {includeEds: true}).configs.filter((c) => String(c['@type']).endsWith('EndpointsConfigDump'))
    return json({configs: eds})
  }

  private meshConfig(): DebugAnswer {
    return json({
      accessLogFile: '/dev/stdout',
      defaultConfig: {discoveryAddress: 'istiod.istio-system.svc:15012', proxyMetadata: {}, tracing: {zipkin: {address: 'zipkin.istio-system:9411'}}},
      enablePrometheusMerge: true,
      outboundTrafficPolicy: {mode: this.mesh.outboundTrafficPolicy},
      rootNamespace: 'istio-system',
      trustDomain: this.mesh.trustDomain,
    })
  }

  /** The answer to `GET <pathname>?<query>`, or undefined for a path this module does not serve. */
  answer(pathname: string, query: URLSearchParams): DebugAnswer | undefined {
    switch (pathname) {
      case '/debug':
      case '/debug/':
        return {status: 200, contentType: 'text/html; charset=utf-8', body: indexHtml()}
      case '/debug/list':
        return json(['adsz', 'adsz?push=true', 'config_dump', 'configz', 'connections', 'edsz', 'endpointShardz', 'endpointz', 'mesh', 'push_status', 'registryz', 'syncz'])
      case '/debug/adsz':
        return this.adsz(query, true)
      case '/debug/connections':
        return this.adsz(query, false)
      case '/debug/registryz':
        return this.registryz()
      case '/debug/configz':
        return this.configz()
      case '/debug/endpointz':
      case '/debug/endpointShardz':
        return this.endpointz()
      case '/debug/push_status':
        return this.pushStatus()
      case '/debug/edsz':
        return this.edsz(query)
      case '/debug/mesh':
        return this.meshConfig()
      default:
        return undefined
    }
  }
}

function protocolName(p: string): string {
  return ({http: 'HTTP', http2: 'HTTP2', grpc: 'GRPC', tcp: 'TCP', https: 'HTTPS', tls: 'TLS', auto: 'UnsupportedProtocol'} as Record<string, string>)[p] ?? p.toUpperCase()
}

const CONTROLZ_TOPICS: Array<[string, string]> = [
  ['argz', 'Command-Line Arguments'],
  ['envz', 'Environment Variables'],
  ['memz', 'Memory Usage'],
  ['metricz', 'Metrics'],
  ['procz', 'Process Info'],
  ['scopez', 'Logging Scopes'],
  ['signalz', 'Signals'],
  ['versionz', 'Version Info'],
]

const CONTROLZ_SCOPES = ['ads', 'adsc', 'authorization', 'ca', 'default', 'grpcgen', 'klog', 'krt', 'model', 'monitor', 'spiffe', 'status', 'validation', 'wle']

/**
 * istiod's ControlZ (pkg/ctrlz, port 9876 on the pod's loopback): the HTML home with its topics, each topic's page,
 * and the JSON forms `dashboard controlz` users script against (`/scopej/` logging scopes, `/versionj/`).
 */
export function controlzListener(version: string): import('node:http').RequestListener {
  const scopes = new Map(CONTROLZ_SCOPES.map((s) => [s, 'info']))
  const page = (title: string, body: string): string =>
    `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>ControlZ</title>\n</head>\n<body>\n<nav>${CONTROLZ_TOPICS.map(([k, t]) => `<a href="/${k}/">${t}</a>`).join(' ')}</nav>\n<h1>${title}</h1>\n${body}\n</body>\n</html>\n`
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!
    const send = (status: number, type: string, body: string): void => {
      res.statusCode = status
      res.setHeader('content-type', type)
      res.end(body)
    }
    if (path === '/') return send(200, 'text/html; charset=utf-8', page('istiod', `<ul>\n${CONTROLZ_TOPICS.map(([k, t]) => `<li><a href="/${k}/">${t}</a></li>`).join('\n')}\n</ul>`))
    if (path === '/scopej/' || path === '/scopej') {
      return send(200, JSON_TYPE, JSON.stringify([...scopes].map(([name, level]) => ({name, description: `${name} debugging`, output_level: level, stack_trace_level: 'none', log_callers: false})), null, 2))
    }
    if (path === '/versionj/' || path === '/versionj') return send(200, JSON_TYPE, JSON.stringify({version, revision: 'sandbox', golang_version: 'go1.23.4', status: 'Clean', tag: version}, null, 2))
    const topic = CONTROLZ_TOPICS.find(([k]) => path === `/${k}/` || path === `/${k}`)
    if (topic) return send(200, 'text/html; charset=utf-8', page(topic[1], topic[0] === 'scopez' ? `<table>${[...scopes].map(([n, l]) => `<tr><td>${n}</td><td>${l}</td></tr>`).join('')}</table>` : '<p></p>'))
    send(404, TEXT, '404 page not found\n')
  }
}

/** pilot-agent's `/debug/ndsz` (the DNS name table istiod sent this proxy): hostnames of the mesh's services. */
export function ndszJson(mesh: MeshModel): string {
  const table: Record<string, unknown> = {}
  for (const s of mesh.services) {
    if (!s.clusterIP) continue
    table[s.hostname] = {ips: [s.clusterIP], registry: s.kind === 'Service' ? 'Kubernetes' : 'External', ...(s.kind === 'Service' ? {shortname: s.name, namespace: s.namespace} : {})}
  }
  return JSON.stringify({table}, null, 2)
}

/** Go's net/http/pprof index (`/debug/pprof/`), which pilot-agent serves on 15020 when profiling is on (the default). */
export function pprofIndexHtml(): string {
  const profiles = ['allocs', 'block', 'cmdline', 'goroutine', 'heap', 'mutex', 'profile', 'threadcreate', 'trace']
  return `<html>\n<head>\n<title>/debug/pprof/</title>\n</head>\n<body>\n/debug/pprof/\n<br>\n<p>Set debug=1 as a query parameter to export in legacy text format</p>\n<br>\nTypes of profiles available:\n<table>\n<thead><td>Count</td><td>Profile</td></thead>\n${profiles.map((p) => `<tr><td>0</td><td><a href='${p}?debug=1'>${p}</a></td></tr>`).join('\n')}\n</table>\n</body>\n</html>\n`
}
