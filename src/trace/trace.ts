/**
 * The walk of `meshctl trace`: one request through one proxy's config graph, hop by hop, as Envoy decides it
 * (docs/envoy-request-path.md): listener (with the original-destination hand-off), listener filters, filter
 * chain, terminal network filter, route configuration, virtual host, route, action, cluster, endpoints. Each hop's
 * rules live in their own module (connection.ts, http.ts, upstream.ts); this one orders them, carries the request
 * from one to the next, and turns the first hop that fails into the verdict Envoy's access log would show
 * (§10: code and response flag, or a closed connection) with a hint in Istio's terms. Pure.
 */
import {get, getObject, getString, type Json} from '../envoy/fields.js'
import {InputError, UsageError} from '../errors/index.js'
import type {ChainNode, ConfigGraph, ListenerNode, RouteConfigNode} from '../graph/graph.js'
import {type Connection, type ListenerView, type Mode, type NetworkDecision, selectScope, traceConnection} from './connection.js'
import {type ActionDecision, type HttpRequest, routeHttp} from './http.js'
import {prepareRequest} from './http-prepare.js'
import {isIpLiteral, type RequestSpec} from './request.js'
import type {Candidate, TraceResult, TraceStep, Verdict} from './result.js'
import {decideCluster, decideEndpoints} from './upstream.js'

export interface TraceOptions {
  /** how to name the proxy in the output */
  proxy: string
  /** the URL as the user wrote it */
  url: string
  inbound?: boolean
  /** inbound: the client is a mesh sidecar speaking Istio mTLS (default true) */
  mtls?: boolean
  destIp?: string
  sourceIp?: string
  /** gateways: the listener port */
  port?: number
  /** weighted clusters: which entry to follow */
  pick?: number
}

/** The namespace and DNS domain of the proxy, from its node id (`sidecar~ip~pod.ns~ns.svc.cluster.local`) or metadata. */
function proxyPlace(graph: ConfigGraph): {namespace: string; domain: string; ips: string[]} {
  const node = graph.node
  const parts = node.id.split('~')
  const namespace = getString(node.metadata, 'NAMESPACE') || (parts[3]?.split('.')[0] ?? '') || 'default'
  const dnsDomain = parts[3] ? parts[3].split('.').slice(2).join('.') : ''
  const ips = getString(node.metadata, 'INSTANCE_IPS')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
  if (ips.length === 0 && parts[1] && isIpLiteral(parts[1])) ips.push(parts[1])
  return {namespace, domain: dnsDomain || 'cluster.local', ips}
}

/** The FQDNs a short host may stand for, as the pod's DNS search path expands it (Kubernetes' ndots:5 search list). */
export function fqdnCandidates(host: string, namespace: string, domain: string): string[] {
  const h = host.replace(/\.$/, '')
  const out = [h]
  const dots = h.split('.').length - 1
  if (dots === 0) out.unshift(`${h}.${namespace}.svc.${domain}`)
  else if (dots === 1) out.unshift(`${h}.svc.${domain}`)
  else if (h.endsWith('.svc')) out.unshift(`${h}.${domain}`)
  return out
}

/** The clusters and RDS names a listener's chains point at (to find the listener a service's VIP binds). */
function listenerTargets(l: ListenerNode): string[] {
  const out: string[] = []
  for (const c of [...l.chains, ...(l.defaultChain ? [l.defaultChain] : [])]) {
    const t = c.terminal
    if (t.kind === 'tcp_proxy') for (const x of t.clusters) out.push(x.name)
    if (t.kind === 'http_connection_manager' && t.routes.kind === 'rds') out.push(t.routes.name)
  }
  return out
}

/**
 * Where the application's connection goes (the original destination the sidecar sees): an IP in the URL as it is;
 * a name resolves to the service VIP of a listener bound to it for that port (Istio names those `<VIP>_<port>`, and
 * they point at `outbound|<port>||<fqdn>` or RDS `<fqdn>:<port>`); otherwise the VIP is not in the dump, and any
 * address that no listener binds lands on `0.0.0.0:<port>`, which the trace says.
 */
function resolveDestination(graph: ConfigGraph, spec: RequestSpec, assumptions: string[]): string {
  if (isIpLiteral(spec.host)) return spec.host
  const place = proxyPlace(graph)
  const names = fqdnCandidates(spec.host, place.namespace, place.domain)
  for (const fqdn of names) {
    const wanted = new Set([`outbound|${spec.port}||${fqdn}`, `${fqdn}:${spec.port}`])
    for (const l of graph.activeListeners) {
      if (l.port !== spec.port || l.address === '0.0.0.0' || l.address === '::' || l.address === '') continue
      if (listenerTargets(l).some((t) => wanted.has(t))) return l.address
    }
  }
  const fqdn = names.find((n) => graph.anyCluster(`outbound|${spec.port}||${n}`) !== undefined)
  assumptions.push(
    fqdn
      ? `${spec.host} is ${fqdn}; no listener is bound to its service address, so any address takes the 0.0.0.0:${spec.port} path (--dest-ip sets one)`
      : `${spec.host} is no service this proxy knows on port ${spec.port}; traced to an address no listener binds (--dest-ip sets one)`,
  )
  // 240.0.0.0/4 is reserved: an address that no Istio listener or chain prefix names
  return '240.0.0.1'
}

// ---------------------------------------------------------------------------------------------------------------
// the walk

const cand = (cs: ReadonlyArray<{name: string; why: string}> | undefined, omitted = 0): Candidate[] | undefined => {
  if (!cs || cs.length === 0) return undefined
  const out = cs.map((c) => ({name: c.name, why: c.why}))
  if (omitted > 0) out.push({name: `(${omitted} more)`, why: 'not listed'})
  return out
}

/** Drops the raw config objects from a decision (they can be huge) before it becomes a step's detail. */
function plain(value: unknown): {[key: string]: Json} {
  return JSON.parse(
    JSON.stringify(value, (k, v) => (k === 'raw' || k === 'virtualHost' || k === 'route' || k === 'candidates' || k === 'inlineRouteConfiguration' ? undefined : v)),
  ) as {[key: string]: Json}
}

/** The client's port: only a filter chain's source_ports looks at it, and none of Istio's do. */
const EPHEMERAL_PORT = 40000

/** Istio's client-side mTLS ALPN for a protocol (`istio.alpn` filter; cluster_tls.go), as a client sidecar offers it. */
function istioAlpn(spec: RequestSpec): string[] {
  if (spec.httpProtocol === 'h2c' || (spec.tls && spec.scheme === 'https')) return ['istio-h2', 'istio', 'h2']
  if (spec.httpProtocol === 'http/1.0') return ['istio-http/1.0', 'istio', 'http/1.0']
  if (spec.httpProtocol === 'http/1.1') return ['istio-http/1.1', 'istio', 'http/1.1']
  return ['istio-peer-exchange', 'istio']
}

function connectionFor(graph: ConfigGraph, spec: RequestSpec, opts: TraceOptions, mode: Mode, assumptions: string[]): Connection {
  const place = proxyPlace(graph)
  if (mode === 'inbound') {
    const ip = opts.destIp ?? place.ips[0]
    if (!ip) assumptions.push('the pod IP is not in the dump (node metadata INSTANCE_IPS): traced to 10.0.0.1; use --dest-ip')
    const mtls = opts.mtls ?? true
    if (opts.sourceIp === undefined) assumptions.push('the client is at 10.0.0.2 (--source-ip sets it)')
    const conn: Connection = {
      destIp: ip ?? '10.0.0.1',
      destPort: spec.port,
      sourceIp: opts.sourceIp ?? '10.0.0.2',
      sourcePort: EPHEMERAL_PORT,
      transport: mtls || spec.tls ? 'tls' : 'raw_buffer',
      httpProtocol: mtls ? undefined : spec.httpProtocol,
    }
    if (mtls) {
      conn.alpn = istioAlpn(spec)
      conn.sni = `outbound_.${spec.port}_._.${fqdnCandidates(spec.host, place.namespace, place.domain)[0]}`
      conn.clientCertificate = true
      assumptions.push(`the client is a mesh sidecar speaking Istio mTLS (ALPN ${conn.alpn.join(', ')}); --no-mtls traces a plaintext client`)
    } else if (spec.tls) {
      conn.sni = spec.sni
      conn.alpn = spec.alpn
    }
    return conn
  }
  let destIp = opts.destIp
  if (destIp === undefined) {
    if (mode === 'direct') destIp = isIpLiteral(spec.host) ? spec.host : undefined
    else destIp = resolveDestination(graph, spec, assumptions)
  }
  // outbound, the client is the application in this pod; at a gateway, someone outside
  const sourceIp = opts.sourceIp ?? (mode === 'outbound' ? place.ips[0] : undefined) ?? '10.0.0.10'
  if (opts.sourceIp === undefined && (mode !== 'outbound' || place.ips.length === 0)) assumptions.push(`the client is at ${sourceIp} (--source-ip sets it)`)
  const conn: Connection = {
    destIp: destIp ?? '0.0.0.0',
    destPort: mode === 'direct' ? (opts.port ?? spec.port) : spec.port,
    sourceIp,
    sourcePort: EPHEMERAL_PORT,
    transport: spec.tls ? 'tls' : 'raw_buffer',
    sni: spec.sni,
    alpn: spec.alpn,
    httpProtocol: spec.httpProtocol,
  }
  return conn
}

/** The graph's chain node for a chain decision (its terminal filter, route specifier and raw HCM). */
function chainNodeOf(graph: ConfigGraph, listenerName: string, index: number, isDefault: boolean): ChainNode | undefined {
  const l = graph.activeListeners.find((x) => x.name === listenerName)
  if (!l) return undefined
  return isDefault ? l.defaultChain : l.chains[index]
}

function fail(code: number | undefined, flag: string | undefined, summary: string, hint?: string, connection?: 'closed'): Verdict {
  return {outcome: 'failure', ...(code !== undefined ? {code} : {}), ...(flag ? {flag} : {}), ...(connection ? {connection} : {}), summary, ...(hint ? {hint} : {})}
}

/**
 * Traces `spec` through the proxy whose config is `graph`. Throws an InputError when the dump cannot be traced at
 * all (no listeners); every other dead end is a verdict.
 */
export function traceRequest(graph: ConfigGraph, spec: RequestSpec, opts: TraceOptions): TraceResult {
  const listenersAll = graph.activeListeners
  if (listenersAll.length === 0) {
    throw new InputError(`${opts.proxy} has no active listeners to trace through`, {
      code: 'E_NO_LISTENERS',
      hint: graph.listeners.length > 0 ? 'its listeners are all warming, draining or rejected (see meshctl check)' : 'take the dump with config_dump (not ?mask=...), or check that this is an Envoy proxy',
    })
  }
  const listeners: ListenerView[] = listenersAll.map((l) => ({name: l.name, raw: l.raw}))
  const hasVirtualOutbound = listenersAll.some((l) => get(l.raw, 'use_original_dst') === true || get(getObject(l.raw, 'use_original_dst'), 'value') === true)
  const mode: Mode = opts.inbound ? 'inbound' : hasVirtualOutbound ? 'outbound' : 'direct'
  if (opts.port !== undefined && mode !== 'direct') throw new UsageError('--port picks a gateway listener; this proxy is a sidecar (it has a virtualOutbound listener): the URL port is the destination port')
  const assumptions: string[] = []
  const steps: TraceStep[] = []
  const conn = connectionFor(graph, spec, opts, mode, assumptions)
  const result = (verdict: Verdict): TraceResult => ({
    proxy: opts.proxy,
    mode,
    request: {
      url: opts.url,
      ...(spec.httpProtocol || spec.scheme === 'https' ? {method: spec.method, authority: spec.authority, path: spec.path, ...(spec.headers.length ? {headers: spec.headers} : {})} : {}),
      destination: `${conn.destIp.includes(':') ? `[${conn.destIp}]` : conn.destIp}:${conn.destPort}`,
      transport: conn.transport,
      ...(conn.sni ? {sni: conn.sni} : {}),
      ...(conn.alpn ? {alpn: conn.alpn} : {}),
    },
    steps,
    verdict,
    assumptions: [...new Set(assumptions)],
  })

  // 1. listener
  // Istio's gateway charts map Service ports 80/443 to container ports 8080/8443: a URL on 80 reaches the 8080 listener
  if (mode === 'direct' && opts.port === undefined && !listenersAll.some((l) => l.port === conn.destPort) && listenersAll.some((l) => l.port === conn.destPort + 8000)) {
    assumptions.push(`no listener on port ${conn.destPort}: traced on ${conn.destPort + 8000}, the container port Istio's gateway Service maps ${conn.destPort} to (--port sets another)`)
    conn.destPort += 8000
  }
  if (mode === 'direct' && !listenersAll.some((l) => l.port === conn.destPort)) {
    const ports = [...new Set(listenersAll.map((l) => l.port).filter((p) => p > 0))].sort((a, b) => a - b)
    throw new UsageError(`${opts.proxy} has no listener on port ${conn.destPort}`, {hint: `it listens on ${ports.join(', ') || 'no port'}; a gateway listens on its container port (e.g. 8080 for a Service port 80): pick one with --port`})
  }
  const ct = traceConnection(listeners, conn, mode)
  const ld = ct.listener
  assumptions.push(...ld.assumptions)
  steps.push({
    step: 'listener',
    name: ld.listener ? (ld.handedOff && ld.entry ? `${ld.entry.name} → ${ld.listener.name}` : ld.listener.name) : '',
    why: ld.reason,
    result: ld.listener ? (ld.handedOff ? 'hand-off' : 'matched') : 'no listener',
    ok: ld.listener !== null,
    candidates: cand(ld.candidates),
  })
  if (!ld.listener) return result(fail(undefined, undefined, `no listener takes a connection to ${conn.destIp}:${conn.destPort}: connection refused or reset`, mode === 'direct' ? 'the Gateway has no server for this port' : undefined, 'closed'))

  // 2. listener filters
  if (ct.inspect) {
    assumptions.push(...ct.inspect.assumptions)
    steps.push({step: 'listener-filters', name: ct.inspect.filters.filter((f) => f.ran).map((f) => f.name.replace(/^envoy\.filters\.listener\./, '')).join(', ') || '(none)', why: ct.inspect.reason, result: 'inspected', ok: true, detail: plain({filters: ct.inspect.filters, properties: ct.inspect.properties})})
  }
  // 3. filter chain
  const cd = ct.chain!
  assumptions.push(...cd.assumptions)
  steps.push({step: 'filter-chain', name: cd.chain ? (cd.chain.isDefault ? `${cd.chain.name || 'default'} (default)` : cd.chain.name || `#${cd.chain.index}`) : '', why: cd.reason, result: cd.chain ? 'matched' : 'no chain', ok: cd.chain !== null, candidates: cand(cd.candidates, cd.candidatesOmitted)})
  if (!cd.chain) return result(fail(undefined, 'NR', `no filter chain of ${ld.listener.name} matches and it has no default chain: Envoy closes the connection`, 'the listener has no chain for this protocol/SNI/port (for a gateway: no server for this host on this port)', 'closed'))
  if (ct.compatibility) return result(fail(undefined, undefined, `${ct.compatibility}: the connection fails on chain ${cd.chain.name || `#${cd.chain.index}`}`, conn.transport === 'tls' ? 'check the PeerAuthentication mode and the client TLS settings (DestinationRule tls.mode)' : undefined, 'closed'))

  // 4. network filter
  const nd = ct.network!
  assumptions.push(...nd.assumptions)
  const node = chainNodeOf(graph, ld.listener.name, cd.chain.index, cd.chain.isDefault)
  steps.push({step: 'network-filter', name: nd.filter?.name ?? '', why: nd.reason, result: nd.kind === 'none' ? 'no filters' : nd.kind, ok: nd.kind !== 'none', detail: plain({kind: nd.kind, hcm: nd.hcm, tcpProxy: nd.tcpProxy})})
  const origDst = {ip: conn.destIp, port: conn.destPort}
  if (nd.kind === 'none') return result(fail(undefined, undefined, 'the chain has no network filters: Envoy closes the connection', undefined, 'closed'))
  if (nd.kind === 'tcp_proxy') return traceTcp(graph, nd, opts, steps, origDst, result)
  if (nd.kind !== 'hcm') return result({outcome: 'unknown', summary: `${nd.filter?.name ?? nd.kind} decides where the connection goes (not HTTP or TCP proxying: the trace stops here)`})
  if (!spec.httpProtocol && !(spec.tls && (spec.scheme === 'https' || (mode === 'inbound' && (opts.mtls ?? true))))) {
    return result(fail(400, 'DPE', 'opaque TCP bytes reach an HTTP connection manager: Envoy cannot parse them as HTTP and closes the connection', 'the port is declared HTTP (Service port name/appProtocol) but the client speaks another protocol', 'closed'))
  }
  return traceHttp(graph, nd, node, spec, conn, opts, steps, origDst, result)
}

type Finish = (verdict: Verdict) => TraceResult

/** The upstream hops (cluster, endpoints) and the verdict, for HTTP (`http`) or TCP. */
function traceUpstream(graph: ConfigGraph, clusterName: string, steps: TraceStep[], origDst: {ip: string; port: number}, finish: Finish, http: {notFoundCode: number} | undefined, via?: string): TraceResult {
  const {decision, cluster} = decideCluster(graph, clusterName)
  steps.push({
    step: 'cluster',
    name: clusterName || '(empty)',
    why: decision.found ? [`${decision.discovery}`, via, decision.destinationRule ? `DestinationRule ${decision.destinationRule}` : '', decision.tls ?? ''].filter((s) => s).join('; ') : decision.warming ? 'only a warming copy exists' : 'the proxy has no cluster of this name',
    result: decision.found ? 'found' : http ? `${http.notFoundCode} NC` : 'not found',
    ok: decision.found,
    detail: plain(decision),
  })
  if (!cluster) {
    return finish(
      http
        ? fail(http.notFoundCode, 'NC', `route to cluster "${clusterName}", which the proxy does not have${decision.warming ? ' in use yet (warming)' : ''}: ${http.notFoundCode} (cluster not found)`, decision.hint)
        : fail(undefined, 'NC', `tcp_proxy to cluster "${clusterName}", which the proxy does not have: the connection is closed`, decision.hint, 'closed'),
    )
  }
  const eps = decideEndpoints(graph, cluster, origDst)
  steps.push({
    step: 'endpoints',
    name: eps.usable.length > 0 ? eps.usable.slice(0, 3).map((h) => `${h.address}:${h.port}`).join(', ') + (eps.usable.length > 3 ? ` (+${eps.usable.length - 3})` : '') : eps.knowledge === 'unknown' ? '(unknown)' : '(none)',
    why: eps.summary,
    result: eps.knowledge === 'unknown' ? 'unknown' : eps.usable.length > 0 ? (eps.panic ? 'panic' : 'healthy') : http ? '503 UH' : 'no host',
    ok: eps.knowledge !== 'known' || eps.usable.length > 0,
    detail: plain(eps),
  })
  if (eps.knowledge === 'unknown') return finish({outcome: 'unknown', summary: `routed to cluster ${clusterName}; its endpoints are not in the input`, hint: 'take the dump with config_dump?include_eds (meshctl does, live) or give --clusters-file'})
  if (eps.usable.length === 0) {
    const blackhole = clusterName === 'BlackHoleCluster'
    const hint = blackhole
      ? 'Istio sends here what it must drop: outbound traffic policy REGISTRY_ONLY and no ServiceEntry for the destination, or a direct connection to the proxy\'s own port'
      : 'no endpoint is ready: check the pods behind the service (kubectl get endpointslices), their readiness, and the DestinationRule subset labels'
    return finish(http ? fail(503, 'UH', `cluster ${clusterName} has no healthy upstream host: 503 (no healthy upstream)`, hint) : fail(undefined, 'UH', `cluster ${clusterName} has no host: the connection is closed`, hint, 'closed'))
  }
  const target = `${eps.usable[0]!.address}:${eps.usable[0]!.port}`
  if (eps.panic) {
    return finish({outcome: 'endpoint', summary: `reaches ${clusterName}, but in panic mode: requests go to unhealthy hosts too and may fail there (503 UF, timeouts)`, target, hint: 'most endpoints are unhealthy or ejected: look at the pods and at outlier detection (pc endpoints)'})
  }
  return finish({outcome: 'endpoint', summary: `reaches ${target}${eps.usable.length > 1 ? ` (one of ${eps.usable.length} hosts)` : ''} through ${clusterName}`, target, ...(http ? {} : {connection: 'forwarded' as const})})
}

/**
 * A weighted route without --pick: every entry is followed (cluster and endpoints), and the verdict says what share
 * of requests ends where: all reach an endpoint, or N% fail (e.g. one subset's cluster is missing: 503 NC for its
 * share). The first failing entry gives the code and flag.
 */
function traceWeightedAll(graph: ConfigGraph, a: ActionDecision, steps: TraceStep[], origDst: {ip: string; port: number}, finish: Finish): TraceResult {
  const w = a.weighted!
  let failedShare = 0
  let firstFail: Verdict | undefined
  const reached: string[] = []
  for (const e of w.entries) {
    const sub: TraceStep[] = []
    let verdict: Verdict | undefined
    if (e.name === '') {
      verdict = fail(a.effects.clusterNotFoundResponseCode, 'NC', `weighted entry ${e.index} takes its cluster from header ${e.clusterHeader}, which the request does not carry`)
    } else {
      traceUpstream(graph, e.name, sub, origDst, (v) => {
        verdict = v
        return undefined as unknown as TraceResult
      }, {notFoundCode: a.effects.clusterNotFoundResponseCode})
    }
    for (const st of sub) steps.push({...st, name: st.step === 'cluster' ? `${st.name} (${e.percent.toFixed(e.percent % 1 ? 1 : 0)}%)` : st.name})
    if (verdict?.outcome === 'failure') {
      failedShare += e.percent
      firstFail ??= verdict
    } else if (verdict?.target) reached.push(verdict.target)
  }
  const pct = (n: number): string => `${n.toFixed(n % 1 ? 1 : 0)}%`
  if (firstFail) {
    return finish({...firstFail, summary: `${pct(failedShare)} of requests fail (weighted split): ${firstFail.summary}`})
  }
  return finish({outcome: 'endpoint', summary: `every weighted entry reaches an endpoint (${w.entries.map((e) => `${pct(e.percent)} ${e.name}`).join(', ')})`, target: reached[0]})
}

function traceTcp(graph: ConfigGraph, nd: NetworkDecision, opts: TraceOptions, steps: TraceStep[], origDst: {ip: string; port: number}, finish: Finish): TraceResult {
  const tp = nd.tcpProxy!
  let cluster = tp.cluster
  let via = `tcp_proxy (${tp.clusterSource})`
  if (tp.clusterSource === 'weighted_clusters' && tp.weightedClusters.length > 0) {
    const total = tp.weightedClusters.reduce((s, c) => s + c.weight, 0)
    const pick = opts.pick ?? 0
    if (pick >= tp.weightedClusters.length) throw new UsageError(`--pick ${pick}: the tcp_proxy has ${tp.weightedClusters.length} weighted clusters (0-${tp.weightedClusters.length - 1})`)
    const chosen = tp.weightedClusters[pick]!
    steps.push({
      step: 'action',
      name: chosen.name,
      why: `weighted clusters: ${tp.weightedClusters.map((c, i) => `${i}: ${c.name} ${total > 0 ? ((c.weight * 100) / total).toFixed(1) : '0'}%`).join(', ')}; following ${opts.pick === undefined ? 'the first' : `--pick ${pick}`}`,
      result: 'weighted',
      ok: true,
      detail: plain({weightedClusters: tp.weightedClusters, picked: pick}),
    })
    cluster = chosen.name
    via = `weighted pick ${pick}`
  }
  if (tp.clusterSource === 'sni_cluster' && !cluster) {
    return finish(fail(undefined, 'NC', 'sni_cluster takes the cluster name from the SNI, and the client sent none: the connection is closed', undefined, 'closed'))
  }
  return traceUpstream(graph, cluster, steps, origDst, finish, undefined, via)
}

function traceHttp(graph: ConfigGraph, nd: NetworkDecision, node: ChainNode | undefined, spec: RequestSpec, conn: Connection, opts: TraceOptions, steps: TraceStep[], origDst: {ip: string; port: number}, finish: Finish): TraceResult {
  const hcm = nd.hcm!
  const hcmRaw = node?.terminal.kind === 'http_connection_manager' ? node.terminal.config : undefined
  // x-forwarded-proto: Envoy fills it from the downstream connection when the client sends none (§5.3)
  const xfp = spec.headers.find(([n]) => n === 'x-forwarded-proto')?.[1]
  const req: HttpRequest = {method: spec.method, authority: spec.authority, path: spec.path, scheme: xfp === 'https' || (xfp === undefined && conn.transport === 'tls') ? 'https' : 'http', headers: spec.headers}
  const prepared = prepareRequest(hcmRaw, req, {localPort: conn.destPort})
  if (prepared.steps.length > 0) steps.push({step: 'network-filter', name: 'request normalisation', why: prepared.steps.join('; '), result: 'rewritten', ok: true})
  if (prepared.outcome) {
    const o = prepared.outcome
    return finish(o.status >= 300 && o.status < 400 ? {outcome: 'redirect', code: o.status, summary: `the connection manager redirects (${o.details})${o.location ? ` to ${o.location}` : ''}`, target: o.location} : fail(o.status, o.flag, `the connection manager rejects the request before routing (${o.details}): ${o.status}`))
  }
  const route = hcm.route
  let rc: RouteConfigNode | undefined
  if (route === null) return finish(fail(404, 'NR', 'the HTTP connection manager names no route configuration: 404'))
  if ('rds' in route) {
    rc = graph.routeConfig(route.rds)
    steps.push({step: 'route-config', name: route.rds, why: 'RDS', result: rc ? 'found' : 'missing', ok: rc !== undefined})
    if (!rc) return finish(fail(404, 'NR', `route configuration "${route.rds}" (RDS) is not in the proxy: every request gets 404`, 'istiod has not sent it (xDS ordering, or a push that failed: see meshctl ps)'))
  } else if ('inline' in route) {
    rc = node ? graph.routeConfigOf(node) : undefined
    const name = getString(route.inline, 'name')
    steps.push({step: 'route-config', name: name || '(inline)', why: 'inline in the connection manager', result: 'found', ok: true})
    rc ??= {type: 'routeConfig', name, origin: 'inline', raw: route.inline, meta: {}, virtualHosts: []}
  } else {
    const scopes = graph.scopedRoutes
    const sd = selectScope(route.scoped, scopes, {authority: prepared.request.authority, headers: prepared.request.headers, localPort: conn.destPort})
    steps.push({step: 'route-config', name: sd.routeConfigurationName || '', why: `scoped routes: ${sd.reason}`, result: sd.scope ? 'scope found' : 'no scope', ok: sd.scope !== null, candidates: cand(sd.candidates)})
    if (!sd.scope) return finish(fail(404, 'NR', 'no route scope matches the request: 404', 'the scope key (header or host fragment) matches no ScopedRouteConfiguration'))
    const inline = sd.inlineRouteConfiguration
    rc = inline ? {type: 'routeConfig', name: getString(inline, 'name'), origin: 'inline', raw: inline, meta: {}, virtualHosts: []} : graph.routeConfig(sd.routeConfigurationName)
    if (!rc) return finish(fail(404, 'NR', `route configuration "${sd.routeConfigurationName}" of the scope is not in the proxy: 404`))
  }
  const hd = routeHttp(rc.raw, prepared.request, {pick: opts.pick})
  const vh = hd.virtualHost
  steps.push({step: 'virtual-host', name: vh.name, why: vh.reason, result: vh.matched ? (vh.outcome ? `${vh.outcome.status}` : 'matched') : '404 NR', ok: vh.matched && (vh.outcome === undefined || vh.outcome.status < 400), candidates: cand(vh.candidates)})
  if (hd.route) {
    const r = hd.route
    const why = !r.matched || r.reason === '' || r.reason === r.match ? r.reason || r.match : r.reason.includes(r.match) ? r.reason : `${r.match}: ${r.reason}`
    steps.push({step: 'route', name: r.matched ? r.name || `#${r.index}` : '', why, result: r.matched ? 'matched' : '404 NR', ok: r.matched, candidates: cand(r.candidates)})
  }
  const a = hd.action
  if (a) {
    const e = a.effects
    const notes: string[] = [a.reason]
    if (e.pathRewrite) notes.push(`path ${e.pathRewrite.from} → ${e.pathRewrite.to} (${e.pathRewrite.how})`)
    if (e.hostRewrite) notes.push(`host ${e.hostRewrite.from} → ${e.hostRewrite.to ?? '?'} (${e.hostRewrite.how})`)
    if (e.timeout) notes.push(`timeout ${e.timeout.disabled ? 'none' : e.timeout.value}${e.timeout.source === 'envoyDefault' ? ' (Envoy default)' : ''}`)
    if (e.retryPolicy) notes.push(`retries ${e.retryPolicy.numRetries} on ${e.retryPolicy.retryOn}`)
    for (const m of e.mirrors) notes.push(`mirror ${m.percent}% to ${m.cluster || m.clusterHeader}`)
    if (e.fault?.abort) notes.push(`fault: abort ${e.fault.abort.httpStatus ?? `grpc ${e.fault.abort.grpcStatus}`} for ${e.fault.abort.percent}%`)
    if (e.fault?.delay) notes.push(`fault: delay ${e.fault.delay.fixed ?? '(header)'} for ${e.fault.delay.percent}%`)
    if (e.istio) notes.push(`from ${e.istio.kind} ${e.istio.name}.${e.istio.namespace}`)
    const name = a.kind === 'redirect' ? a.redirect!.url : a.kind === 'direct_response' ? `${a.directResponse!.status}` : a.kind === 'weighted' && a.weighted && a.weighted.picked < 0 ? `${a.weighted.entries.length} weighted clusters` : a.clusterName || a.clusterHeader || ''
    steps.push({step: 'action', name, why: notes.join('; '), result: a.kind, ok: true, detail: plain({kind: a.kind, weighted: a.weighted, redirect: a.redirect, directResponse: a.directResponse, effects: e})})
  }
  const o = hd.outcome
  if (o && !(a && a.kind !== 'redirect' && a.kind !== 'direct_response' && a.clusterName !== '')) {
    if (a?.kind === 'redirect') return finish({outcome: 'redirect', code: o.status, summary: `redirect ${o.status} to ${o.location ?? a.redirect?.url}`, target: o.location ?? a.redirect?.url})
    if (a?.kind === 'direct_response') {
      const blockAll = o.status === 502 && vh.name === 'block_all'
      return finish({
        outcome: 'direct_response',
        code: o.status,
        summary: `the proxy answers ${o.status} itself (direct response${o.body ? `: "${o.body.slice(0, 60)}"` : ''})`,
        ...(blockAll ? {hint: 'outbound traffic policy REGISTRY_ONLY: the host is not in the service registry; add a ServiceEntry for it'} : {}),
      })
    }
    if (!vh.matched) return finish(fail(o.status, o.flag, `no virtual host of ${rc.name} matches Host "${prepared.request.authority}": ${o.status}`, 'the host is not among the VirtualService hosts / Service names this route configuration serves (check the Host header, and the Gateway/VirtualService hosts)'))
    if (vh.outcome) return finish(o.status >= 300 && o.status < 400 ? {outcome: 'redirect', code: o.status, summary: `the virtual host requires TLS: ${o.status} to ${o.location}`, target: o.location} : fail(o.status, o.flag, `${o.details}: ${o.status}`))
    if (hd.route && !hd.route.matched) return finish(fail(o.status, o.flag, `no route of virtual host ${vh.name} matches ${spec.method} ${prepared.request.path}: ${o.status}`, 'no VirtualService http match covers this path/method/headers (routes are tried in order; the first match wins)'))
    return finish(fail(o.status, o.flag, `${o.details}: ${o.status}`))
  }
  if (!a) return finish({outcome: 'unknown', summary: 'routing stopped without an action'})
  if (a.kind === 'weighted' && a.weighted && a.weighted.picked < 0) return traceWeightedAll(graph, a, steps, origDst, finish)
  if (a.kind === 'non_forwarding' || a.kind === 'filter_action' || a.kind === 'unknown') return finish({outcome: 'unknown', summary: `the route's action (${a.kind}) does not forward to a cluster`})
  if (a.clusterName === '') return finish(fail(a.effects.clusterNotFoundResponseCode, 'NC', `the route takes its cluster from header ${a.clusterHeader}, which the request does not carry: ${a.effects.clusterNotFoundResponseCode}`, `send the header (-H '${a.clusterHeader}: <cluster>')`))
  const fault = a.effects.fault?.abort
  if (fault && fault.percent >= 100 && fault.httpStatus) {
    return finish(fail(fault.httpStatus, 'FI', `fault injection aborts every request with ${fault.httpStatus}`, `the VirtualService ${a.effects.istio ? `${a.effects.istio.name}.${a.effects.istio.namespace} ` : ''}has a fault.abort`))
  }
  return traceUpstream(graph, a.clusterName, steps, origDst, finish, {notFoundCode: a.effects.clusterNotFoundResponseCode})
}
