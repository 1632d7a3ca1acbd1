/**
 * The connection half of `meshctl trace`: which listener a connection lands on, what the listener filters make of
 * it, which filter chain takes it and which network filter decides what happens next, all as Envoy decides them.
 * The rules and their sources are in ../shared/docs/envoy-request-path.md §2-§5 (cited below as "spec §n") and
 * docs/trace-connection.md. Pure: JSON in, plain JSON-serialisable decisions out; nothing here throws on odd
 * input (a field of the wrong shape reads as absent).
 */
import {get, getArray, getNumber, getObject, getString, isObject, type Json, type JsonObject, typeName, typeUrl} from '../envoy/fields.js'
import {evaluateMatcher, type InputValue, inputTypeName} from './matcher.js'
import {CATCH_ALL, type Cidr, canonicalIp, cidrContains, cidrText, FAKE_ADDRESS, type Ip, isSameIpOrLoopback, makeCidr, parseIp} from './net.js'

// ---------------------------------------------------------------------------------------------------------------
// Inputs and results

export interface Connection {
  /** the original destination (what the application dialed) */
  destIp: string
  destPort: number
  /** default DEFAULT_SOURCE_IP:DEFAULT_SOURCE_PORT (a pod address), reported as an assumption */
  sourceIp?: string
  sourcePort?: number
  /** the directly connected peer when a PROXY-protocol header names another source; default = sourceIp */
  directSourceIp?: string
  /** what the client speaks */
  transport: 'tls' | 'raw_buffer'
  /** TLS only */
  sni?: string
  /** TLS: the offered ALPN list in client order */
  alpn?: string[]
  /** plaintext HTTP the http_inspector would detect; undefined = opaque TCP */
  httpProtocol?: 'http/1.0' | 'http/1.1' | 'h2c' | undefined
  /** TLS: whether the client presents a certificate; default: yes when it offers an Istio ALPN (a sidecar), else no */
  clientCertificate?: boolean
}

export interface ListenerView {
  name: string
  raw: JsonObject
}

export type Mode = 'outbound' | 'inbound' | 'direct'

export const DEFAULT_SOURCE_IP = '10.0.0.10'
export const DEFAULT_SOURCE_PORT = 40000

/** A chosen configuration object: its position, name and the object itself. */
export interface Chosen {
  index: number
  name: string
  raw: JsonObject
}

/** Something that was considered and not taken, and why (for --verbose). */
export interface Candidate {
  index?: number
  name: string
  why: string
}

export interface ListenerDecision {
  mode: Mode
  /** the listener whose filter chains take the connection; null when nothing takes it */
  listener: Chosen | null
  /** the listener the connection first entered (virtualOutbound) when it was handed off, else null */
  entry: Chosen | null
  handedOff: boolean
  destination: {ip: string; port: number}
  reason: string
  candidates: Candidate[]
  assumptions: string[]
}

export interface ListenerFilterStep {
  name: string
  kind: 'original_dst' | 'tls_inspector' | 'http_inspector' | 'proxy_protocol' | 'original_src' | 'other'
  ran: boolean
  /** why it ran or not, and what it set */
  detail: string
}

/** The connection properties filter chain matching sees (spec §3). */
export interface MatchProperties {
  destinationIp: string
  destinationPort: number
  sourceIp: string
  sourcePort: number
  directSourceIp: string
  transportProtocol: string
  /** '' = no SNI */
  serverName: string
  applicationProtocols: string[]
  /** Network::Utility::isSameIpOrLoopback */
  sourceType: 'local' | 'external'
}

export interface InspectDecision {
  filters: ListenerFilterStep[]
  properties: MatchProperties
  reason: string
  assumptions: string[]
}

export interface ChainDecision {
  /** the chosen chain; index -1 for the default_filter_chain; null ⇒ the connection is closed */
  chain: (Chosen & {isDefault: boolean}) | null
  /** 'filter_chain_match' (the classic tree) or 'filter_chain_matcher' (the unified matcher) */
  method: 'filter_chain_match' | 'filter_chain_matcher'
  reason: string
  candidates: Candidate[]
  /** candidates not listed (a listener may hold thousands of chains) */
  candidatesOmitted: number
  assumptions: string[]
}

export interface FilterRef {
  index: number
  name: string
  type: string
}

export type RouteSpecifier =
  | {rds: string}
  | {inline: JsonObject}
  | {scoped: ScopedSpecifier}

export interface ScopedSpecifier {
  scopedRoutesName?: string
  keyBuilder: JsonObject
  /** scoped_route_configurations_list, when the scopes are inline */
  inlineScopes?: JsonObject[]
}

export interface HcmInfo {
  /** null when the HCM names no route specifier (an invalid config) */
  route: RouteSpecifier | null
  stripAnyHostPort: boolean
  stripMatchingHostPort: boolean
  stripTrailingHostDot: boolean
  normalizePath: boolean
  mergeSlashes: boolean
  pathWithEscapedSlashesAction: string
  useRemoteAddress: boolean
  /** every HTTP filter in order */
  httpFilters: string[]
  /** HTTP filters before the router that may change headers and clear the route cache */
  mayAlterRouting: string[]
}

export interface TcpProxyInfo {
  statPrefix: string
  /** the cluster a connection goes to, when one is known statically */
  cluster: string
  weightedClusters: Array<{name: string; weight: number}>
  /** which setting decides: weighted_clusters (cluster empty), sni_cluster (filter state), or cluster */
  clusterSource: 'weighted_clusters' | 'sni_cluster' | 'cluster'
  sniCluster: boolean
  sniDynamicForwardProxy: boolean
  tunneling: boolean
}

export type NetworkKind = 'hcm' | 'tcp_proxy' | 'redis_proxy' | 'thrift_proxy' | 'dubbo_proxy' | 'direct_response' | 'echo' | 'other' | 'none'

export interface NetworkDecision {
  kind: NetworkKind
  /** the last network filter (the terminal one); null when the chain has none */
  filter: FilterRef | null
  /** every network filter of the chain, in order, with its role */
  filters: Array<FilterRef & {role: 'terminal' | 'routing' | 'may-close' | 'observer' | 'other'}>
  hcm?: HcmInfo
  tcpProxy?: TcpProxyInfo
  /** redis/thrift/dubbo: clusters named by their route tables; direct_response: the body */
  clusters?: string[]
  body?: string
  reason: string
  assumptions: string[]
}

export interface ScopeDecision {
  scope: Chosen | null
  routeConfigurationName: string
  /** a ScopedRouteConfiguration may carry its route configuration inline */
  inlineRouteConfiguration?: JsonObject
  /** the key that found the scope (or the first key built), null when a fragment was missing */
  key: string[] | null
  /** every key looked up, in order (Higress host masking tries several) */
  triedKeys: string[][]
  reason: string
  candidates: Candidate[]
  assumptions: string[]
}

// ---------------------------------------------------------------------------------------------------------------
// Small readers

/** A BoolValue or bool field: bare `true`, `{"value": true}`, or the string forms; `def` when absent. */
function boolField(obj: Json | undefined, name: string, def: boolean): boolean {
  const v = get(obj, name)
  if (v === undefined || v === null) return def
  if (typeof v === 'boolean') return v
  if (v === 'true') return true
  if (v === 'false') return false
  if (isObject(v)) return v.value === true || v.value === 'true'
  return def
}

/** A UInt32Value or number field: bare number, numeric string, or `{"value": N}`; undefined when absent. */
function u32Field(obj: Json | undefined, name: string): number | undefined {
  const v = get(obj, name)
  if (v === undefined || v === null) return undefined
  if (isObject(v)) return getNumber(v, 'value')
  const n = typeof v === 'number' ? v : Number(v)
  return Number.isFinite(n) ? n : undefined
}

/** The message name of a filter's config: typed_config @type, or the type_url inside a TypedStruct. */
function filterType(f: Json | undefined): string {
  const cfg = getObject(f, 'typed_config')
  let t = typeName(typeUrl(cfg))
  if (t.endsWith('.TypedStruct')) t = typeName(getString(cfg, 'type_url'))
  return t
}

function filterConfig(f: Json | undefined): JsonObject | undefined {
  const cfg = getObject(f, 'typed_config')
  if (cfg && typeName(typeUrl(cfg)).endsWith('.TypedStruct')) return getObject(cfg, 'value')
  return cfg ?? getObject(f, 'config')
}

/** Identifies a filter by its typed_config @type first and its name second (spec §1). */
function isFilter(f: Json | undefined, typeSuffixes: string[], names: string[]): boolean {
  const t = filterType(f)
  if (t !== '') return typeSuffixes.some((s) => t.endsWith(s))
  return names.includes(getString(f, 'name'))
}

interface SocketAddr {
  ip: string
  port: number
  ipv4Compat: boolean
  pipe: boolean
}

function socketAddr(address: Json | undefined): SocketAddr | undefined {
  const sock = getObject(address, 'socket_address')
  if (sock) {
    return {ip: canonicalIp(getString(sock, 'address')), port: getNumber(sock, 'port_value'), ipv4Compat: boolField(sock, 'ipv4_compat', false), pipe: false}
  }
  const pipe = getObject(address, 'pipe')
  if (pipe) return {ip: getString(pipe, 'path'), port: 0, ipv4Compat: false, pipe: true}
  return undefined
}

function listenerAddrs(raw: JsonObject): SocketAddr[] {
  const out: SocketAddr[] = []
  const main = socketAddr(get(raw, 'address'))
  if (main) out.push(main)
  for (const a of getArray(raw, 'additional_addresses')) {
    const s = socketAddr(get(a, 'address'))
    if (s) out.push(s)
  }
  return out
}

const addrText = (a: SocketAddr): string => (a.pipe ? a.ip : a.ip.includes(':') ? `[${a.ip}]:${a.port}` : `${a.ip}:${a.port}`)

type ListenerFilterKind = ListenerFilterStep['kind']

function listenerFilterKind(f: Json): ListenerFilterKind {
  const t = filterType(f)
  const n = getString(f, 'name')
  const is = (typeSuffix: string, short: string): boolean => (t !== '' ? t.endsWith(typeSuffix) : n.endsWith(short))
  if (is('.TlsInspector', 'tls_inspector')) return 'tls_inspector'
  if (is('.HttpInspector', 'http_inspector')) return 'http_inspector'
  if (is('.OriginalDst', 'original_dst')) return 'original_dst'
  if (is('.ProxyProtocol', 'proxy_protocol')) return 'proxy_protocol'
  if (is('.OriginalSrc', 'original_src')) return 'original_src'
  return 'other'
}

interface ListenerInfo {
  index: number
  name: string
  raw: JsonObject
  addrs: SocketAddr[]
  bindToPort: boolean
  useOriginalDst: boolean
  explicitOriginalDst: boolean
}

function info(l: ListenerView, index: number): ListenerInfo {
  const raw = l.raw
  return {
    index,
    name: l.name || getString(raw, 'name'),
    raw,
    addrs: listenerAddrs(raw),
    // spec §1: proto3 JSON omits defaults; bind_to_port defaults to true
    bindToPort: boolField(raw, 'bind_to_port', true),
    useOriginalDst: boolField(raw, 'use_original_dst', false),
    explicitOriginalDst: getArray(raw, 'listener_filters').some((f) => listenerFilterKind(f) === 'original_dst'),
  }
}

const chosen = (i: ListenerInfo): Chosen => ({index: i.index, name: i.name, raw: i.raw})

// ---------------------------------------------------------------------------------------------------------------
// Listeners by address

/** Active listeners with an address (main or additional) on that port. */
export function listenersOnPort(listeners: ListenerView[], port: number): Chosen[] {
  const out: Chosen[] = []
  listeners.forEach((l, index) => {
    if (listenerAddrs(l.raw).some((a) => !a.pipe && a.port === port)) out.push({index, name: l.name || getString(l.raw, 'name'), raw: l.raw})
  })
  return out
}

/** The listener bound (or registered, bind_to_port false) at exactly ip:port, e.g. a service VIP's `10.96.0.15_9080`. */
export function listenerAt(listeners: ListenerView[], ip: string, port: number): Chosen | undefined {
  const want = canonicalIp(ip)
  for (let index = 0; index < listeners.length; index++) {
    const l = listeners[index]!
    if (listenerAddrs(l.raw).some((a) => !a.pipe && a.port === port && a.ip === want)) return {index, name: l.name || getString(l.raw, 'name'), raw: l.raw}
  }
  return undefined
}

function findAt(infos: ListenerInfo[], ip: string, port: number, pred: (i: ListenerInfo) => boolean = () => true): ListenerInfo | undefined {
  return infos.find((i) => pred(i) && i.addrs.some((a) => !a.pipe && a.port === port && a.ip === ip))
}

/**
 * The wildcard listener for a port in the destination's family (spec §2.1 step 3, CH getBalancedHandlerByAddress):
 * `0.0.0.0:port` for IPv4 (a `[::]:port` listener with ipv4_compat also answers there), `[::]:port` for IPv6.
 */
function findWildcard(infos: ListenerInfo[], family: 4 | 6, port: number, pred: (i: ListenerInfo) => boolean = () => true): ListenerInfo | undefined {
  if (family === 6) return findAt(infos, '::', port, pred)
  return findAt(infos, '0.0.0.0', port, pred) ?? infos.find((i) => pred(i) && i.addrs.some((a) => !a.pipe && a.port === port && a.ip === '::' && a.ipv4Compat))
}

function sameAddressOthers(infos: ListenerInfo[], port: number, except: Set<number>, why: (i: ListenerInfo) => string): Candidate[] {
  return infos.filter((i) => !except.has(i.index) && i.addrs.some((a) => !a.pipe && a.port === port)).map((i) => ({index: i.index, name: i.name, why: why(i)}))
}

// ---------------------------------------------------------------------------------------------------------------
// §2: choose the listener

export function selectListener(listeners: ListenerView[], conn: Connection, mode: Mode): ListenerDecision {
  const infos = listeners.map(info)
  const ip = canonicalIp(conn.destIp)
  const port = conn.destPort
  const family: 4 | 6 = parseIp(ip)?.family ?? 4
  const destination = {ip, port}
  const assumptions: string[] = []
  const candidates: Candidate[] = []
  const where = family === 6 ? `[${ip}]:${port}` : `${ip}:${port}`
  const wildcard = family === 6 ? `[::]:${port}` : `0.0.0.0:${port}`

  if (mode === 'outbound') {
    // iptables sends the connection to the listener with use_original_dst (Istio virtualOutbound 0.0.0.0:15001)
    const captures = infos.filter((i) => i.useOriginalDst)
    const entry = captures.find((i) => i.addrs.some((a) => a.port === 15001)) ?? captures[0]
    if (entry) {
      for (const c of captures) if (c !== entry) candidates.push({index: c.index, name: c.name, why: 'also has use_original_dst, but iptables redirects outbound traffic to port 15001'})
      // spec §2.1 step 3: exact ip:port (bound or not), else the same-family wildcard, else stay
      const exact = findAt(infos, ip, port)
      if (exact) {
        candidates.push(...sameAddressOthers(infos, port, new Set([exact.index, entry.index]), (i) => `on port ${port} but at ${i.addrs.map(addrText).join(', ')}: the exact address ${where} wins`))
        if (exact === entry) return {mode, listener: chosen(entry), entry: null, handedOff: false, destination, reason: `${entry.name} is itself at ${where}: the connection stays on it`, candidates, assumptions}
        return {mode, listener: chosen(exact), entry: chosen(entry), handedOff: true, destination, reason: `hand-off from ${entry.name} to ${exact.name}: exact ip:port ${where}`, candidates, assumptions}
      }
      candidates.push({name: where, why: 'no active listener at the exact destination'})
      const wild = findWildcard(infos, family, port)
      if (wild) {
        candidates.push(...sameAddressOthers(infos, port, new Set([wild.index, entry.index]), (i) => `on port ${port} but bound to ${i.addrs.map(addrText).join(', ')}, not ${where}`))
        if (wild === entry) return {mode, listener: chosen(entry), entry: null, handedOff: false, destination, reason: `the wildcard listener for ${wildcard} is ${entry.name} itself: the connection stays on its own chains`, candidates, assumptions}
        return {mode, listener: chosen(wild), entry: chosen(entry), handedOff: true, destination, reason: `hand-off from ${entry.name} to ${wild.name}: ${wildcard} (no listener at ${where})`, candidates, assumptions}
      }
      candidates.push({name: wildcard, why: 'no active wildcard listener for the port'})
      candidates.push(...sameAddressOthers(infos, port, new Set([entry.index]), (i) => `on port ${port} but bound to ${i.addrs.map(addrText).join(', ')}`))
      return {mode, listener: chosen(entry), entry: null, handedOff: false, destination, reason: `no listener at ${where} or ${wildcard}: the connection stays on ${entry.name} and matches its own chains`, candidates, assumptions}
    }
    // spec §2.1 step 5 / §2.5: an explicit original_dst filter without use_original_dst (Consul outbound_listener)
    const own = infos.filter((i) => i.explicitOriginalDst && !i.addrs.some((a) => a.port === 15006) && i.name !== 'virtualInbound')
    if (own.length > 0) {
      const l = own.find((i) => i.addrs.some((a) => a.port === 15001)) ?? own[0]!
      return {
        mode,
        listener: chosen(l),
        entry: null,
        handedOff: false,
        destination,
        reason: `${l.name} has an explicit original_dst filter and no use_original_dst: it matches its own chains against the restored destination ${where} (no hand-off)`,
        candidates,
        assumptions,
      }
    }
    assumptions.push('no listener has use_original_dst or an outbound original_dst filter: the proxy does not capture outbound traffic (a gateway?); traced as a direct connection')
    const d = selectListener(listeners, conn, 'direct')
    return {...d, mode, assumptions: [...assumptions, ...d.assumptions]}
  }

  if (mode === 'inbound') {
    // iptables sends inbound traffic to 15006: virtualInbound has an explicit original_dst filter and no use_original_dst
    const inb = infos.filter((i) => i.explicitOriginalDst && !i.useOriginalDst)
    const l = inb.find((i) => i.addrs.some((a) => a.port === 15006)) ?? inb.find((i) => i.name === 'virtualInbound') ?? inb[0]
    if (!l) {
      return {
        mode,
        listener: null,
        entry: null,
        handedOff: false,
        destination,
        reason: 'no active inbound capture listener (an original_dst listener such as virtualInbound 0.0.0.0:15006): inbound connections are refused (check warming/error states)',
        candidates: infos.filter((i) => i.addrs.some((a) => a.port === 15006)).map((i) => ({index: i.index, name: i.name, why: 'on port 15006 but without an original_dst filter'})),
        assumptions,
      }
    }
    for (const o of inb) if (o !== l) candidates.push({index: o.index, name: o.name, why: 'also has an original_dst filter, but iptables redirects inbound traffic to port 15006'})
    return {mode, listener: chosen(l), entry: null, handedOff: false, destination, reason: `inbound capture: ${l.name} (${l.addrs.map(addrText).join(', ')}) matches its own chains against the restored destination ${where}`, candidates, assumptions}
  }

  // direct: a gateway or any listener that binds; no iptables, no hand-off
  const binds = (i: ListenerInfo): boolean => i.bindToPort
  const exact = findAt(infos, ip, port, binds)
  if (exact) {
    candidates.push(...sameAddressOthers(infos, port, new Set([exact.index]), (i) => (i.bindToPort ? `bound to ${i.addrs.map(addrText).join(', ')}` : 'bind_to_port false: reachable only by hand-off')))
    return {mode, listener: chosen(exact), entry: null, handedOff: false, destination, reason: `bound at ${where}`, candidates, assumptions}
  }
  const wild = findWildcard(infos, family, port, binds)
  if (wild) {
    candidates.push(...sameAddressOthers(infos, port, new Set([wild.index]), (i) => (i.bindToPort ? `bound to ${i.addrs.map(addrText).join(', ')}, not ${where}` : 'bind_to_port false: reachable only by hand-off')))
    return {mode, listener: chosen(wild), entry: null, handedOff: false, destination, reason: `bound at ${wildcard} (the connection is to ${where})`, candidates, assumptions}
  }
  candidates.push(...sameAddressOthers(infos, port, new Set(), (i) => (i.bindToPort ? `bound to ${i.addrs.map(addrText).join(', ')}` : 'bind_to_port false: reachable only by hand-off')))
  return {mode, listener: null, entry: null, handedOff: false, destination, reason: `no listener binds ${where} or ${wildcard}: the connection is refused`, candidates, assumptions}
}

// ---------------------------------------------------------------------------------------------------------------
// §3: listener filters

/**
 * ListenerFilterChainMatchPredicate (LC): true ⇒ the listener filter is disabled for this connection.
 * destination_port_range is [start, end).
 */
export function filterDisabled(pred: Json | undefined, destPort: number): boolean {
  if (!isObject(pred)) return false
  const range = getObject(pred, 'destination_port_range')
  if (range) return destPort >= getNumber(range, 'start') && destPort < getNumber(range, 'end')
  const or = getObject(pred, 'or_match')
  if (or) return getArray(or, 'rules').some((r) => filterDisabled(r, destPort))
  const and = getObject(pred, 'and_match')
  if (and) return getArray(and, 'rules').every((r) => filterDisabled(r, destPort))
  const not = get(pred, 'not_match')
  if (isObject(not)) return !filterDisabled(not, destPort)
  if (get(pred, 'any_match') !== undefined) return boolField(pred, 'any_match', true)
  return false
}

function describePredicate(pred: Json | undefined): string {
  if (!isObject(pred)) return ''
  const range = getObject(pred, 'destination_port_range')
  if (range) return `[${getNumber(range, 'start')},${getNumber(range, 'end')})`
  const or = getObject(pred, 'or_match')
  if (or) return getArray(or, 'rules').map(describePredicate).join(' or ')
  const and = getObject(pred, 'and_match')
  if (and) return getArray(and, 'rules').map(describePredicate).join(' and ')
  const not = get(pred, 'not_match')
  if (isObject(not)) return `not (${describePredicate(not)})`
  if (get(pred, 'any_match') !== undefined) return 'any'
  return '?'
}

/** Whether a connection with these properties is local (SAME_IP_OR_LOOPBACK). */
function sourceTypeOf(sourceIp: string, destIp: string): 'local' | 'external' {
  return isSameIpOrLoopback(parseIp(sourceIp), parseIp(destIp)) ? 'local' : 'external'
}

function chainsUseTls(listener: JsonObject): boolean {
  const chains = [...getArray(listener, 'filter_chains'), get(listener, 'default_filter_chain')]
  return chains.some((c) => {
    const m = get(c, 'filter_chain_match')
    return getArray(m, 'server_names').length > 0 || getString(m, 'transport_protocol') === 'tls'
  })
}

export function inspect(listener: JsonObject, conn: Connection, handedOff: boolean): InspectDecision {
  const destIp = canonicalIp(conn.destIp)
  const destPort = conn.destPort
  const assumptions: string[] = []
  let sourceIp = conn.sourceIp
  let sourcePort = conn.sourcePort
  if (sourceIp === undefined || sourcePort === undefined) {
    assumptions.push(`source ${sourceIp ?? DEFAULT_SOURCE_IP}:${sourcePort ?? DEFAULT_SOURCE_PORT} assumed (a pod address)`)
    sourceIp ??= DEFAULT_SOURCE_IP
    sourcePort ??= DEFAULT_SOURCE_PORT
  }
  sourceIp = canonicalIp(sourceIp)
  const directSourceIp = canonicalIp(conn.directSourceIp ?? sourceIp)
  const filters: ListenerFilterStep[] = []
  let transport = ''
  let serverName = ''
  let alpn: string[] = []
  const isTls = conn.transport === 'tls'

  if (boolField(listener, 'use_original_dst', false)) {
    // spec §2.1 step 2: Envoy adds an original_dst listener filter itself (LI buildOriginalDstListenerFilter)
    filters.push({
      name: 'envoy.filters.listener.original_dst (implicit: use_original_dst)',
      kind: 'original_dst',
      ran: true,
      detail: handedOff ? 'restores the original destination; this listener received the connection by hand-off, so it does not hand off again' : `restores the original destination ${destIp}:${destPort}`,
    })
  }
  for (const f of getArray(listener, 'listener_filters')) {
    const kind = listenerFilterKind(f)
    const name = getString(f, 'name') || filterType(f) || '(unnamed)'
    const disabledBy = get(f, 'filter_disabled')
    if (filterDisabled(disabledBy, destPort)) {
      filters.push({name, kind, ran: false, detail: `filter_disabled ${describePredicate(disabledBy)} holds for destination port ${destPort}`})
      continue
    }
    switch (kind) {
      case 'original_dst':
        filters.push({name, kind, ran: true, detail: `restores the original destination ${destIp}:${destPort}`})
        break
      case 'tls_inspector':
        if (isTls) {
          transport = 'tls'
          serverName = (conn.sni ?? '').toLowerCase()
          alpn = [...(conn.alpn ?? [])]
          filters.push({name, kind, ran: true, detail: `TLS ClientHello: transport tls, SNI ${serverName === '' ? '(none)' : serverName}, ALPN ${alpn.length === 0 ? '(none)' : alpn.join(',')}`})
        } else {
          filters.push({name, kind, ran: true, detail: 'no TLS ClientHello: sets nothing'})
        }
        break
      case 'http_inspector':
        // HI: only for plaintext; it does nothing once the transport is tls (and TLS bytes are not HTTP)
        if (!isTls && conn.httpProtocol) {
          alpn = [conn.httpProtocol]
          filters.push({name, kind, ran: true, detail: `plaintext ${conn.httpProtocol === 'h2c' ? 'HTTP/2 preface' : conn.httpProtocol.toUpperCase()}: ALPN ${conn.httpProtocol}`})
        } else {
          filters.push({name, kind, ran: true, detail: isTls ? 'TLS bytes are not HTTP: sets nothing' : 'not HTTP: sets nothing'})
        }
        break
      case 'proxy_protocol':
        filters.push({name, kind, ran: true, detail: 'reads a PROXY protocol header; the client is assumed to send none (or pass --source-ip for the address it names)'})
        assumptions.push('proxy_protocol: no PROXY header assumed; source and direct source are the peer')
        break
      default:
        filters.push({name, kind, ran: true, detail: kind === 'original_src' ? 'keeps the downstream source for upstream connections: no effect on matching' : 'not modelled: assumed to set nothing that chain matching reads'})
        if (kind === 'other') assumptions.push(`listener filter ${name} is not modelled: assumed to set nothing that chain matching reads`)
    }
  }
  if (isTls && transport !== 'tls') {
    // trap 5: without a TLS inspector TLS traffic is raw_buffer without SNI or ALPN
    const older = chainsUseTls(listener) ? '; Envoy before 1.14-ish injected a TLS inspector when chains matched on tls/SNI, current Envoy does not' : ''
    assumptions.push(`no tls_inspector ran: the TLS connection is matched as raw_buffer without SNI or ALPN${older}`)
  }
  // AS newConnection: Envoy sets raw_buffer when no listener filter set a transport protocol
  if (transport === '') transport = 'raw_buffer'
  const properties: MatchProperties = {
    destinationIp: destIp,
    destinationPort: destPort,
    sourceIp,
    sourcePort,
    directSourceIp,
    transportProtocol: transport,
    serverName,
    applicationProtocols: alpn,
    sourceType: sourceTypeOf(sourceIp, destIp),
  }
  const parts = [`transport ${transport}`]
  if (serverName !== '') parts.push(`SNI ${serverName}`)
  if (alpn.length > 0) parts.push(`ALPN ${alpn.join(',')}`)
  return {filters, properties, reason: `the chain match sees ${parts.join(', ')}`, assumptions}
}

// ---------------------------------------------------------------------------------------------------------------
// §4.1: classic filter_chain_match

type SourceTypeKey = 'ANY' | 'SAME_IP_OR_LOOPBACK' | 'EXTERNAL'

interface ParsedChain {
  index: number
  name: string
  raw: JsonObject
  port: number
  dst: readonly Cidr[]
  dstExplicit: boolean
  names: string[]
  transport: string
  alpn: string[]
  dsrc: readonly Cidr[]
  dsrcExplicit: boolean
  stype: SourceTypeKey
  src: readonly Cidr[]
  srcExplicit: boolean
  sports: number[]
}

function cidrs(list: Json[], problems: string[], field: string, chainName: string): Cidr[] {
  const out: Cidr[] = []
  for (const r of list) {
    const c = makeCidr(getString(r, 'address_prefix'), u32Field(r, 'prefix_len') ?? 0)
    if (c) out.push(c)
    else problems.push(`${chainName}: ${field} '${getString(r, 'address_prefix')}' is not an IP address (Envoy rejects the listener)`)
  }
  return out
}

function sourceTypeKey(v: Json | undefined): SourceTypeKey {
  if (v === 'SAME_IP_OR_LOOPBACK' || v === 1 || v === 'LOCAL') return 'SAME_IP_OR_LOOPBACK'
  if (v === 'EXTERNAL' || v === 2) return 'EXTERNAL'
  return 'ANY'
}

function parseChain(raw: JsonObject, index: number, problems: string[]): ParsedChain {
  const m = get(raw, 'filter_chain_match')
  const name = getString(raw, 'name') || `filter_chains[${index}]`
  const dst = cidrs(getArray(m, 'prefix_ranges'), problems, 'prefix_ranges', name)
  const dsrc = cidrs(getArray(m, 'direct_source_prefix_ranges'), problems, 'direct_source_prefix_ranges', name)
  const src = cidrs(getArray(m, 'source_prefix_ranges'), problems, 'source_prefix_ranges', name)
  const names: string[] = []
  for (const n of getArray(m, 'server_names')) {
    if (typeof n !== 'string') continue
    const lower = n.toLowerCase()
    if (lower.startsWith('*.')) names.push(lower.slice(1)) // FCM stores `*.example.com` as `.example.com`
    else if (lower.includes('*')) problems.push(`${name}: partial wildcard server name '${n}' (Envoy rejects the listener)`)
    else names.push(lower)
  }
  if (getString(m, 'address_suffix') !== '' || get(m, 'suffix_len') !== undefined) problems.push(`${name}: address_suffix/suffix_len are unimplemented (Envoy rejects the listener)`)
  return {
    index,
    name,
    raw,
    port: u32Field(m, 'destination_port') ?? 0,
    dst: dst.length > 0 ? dst : CATCH_ALL,
    dstExplicit: dst.length > 0,
    names: names.length > 0 ? names : [''],
    transport: getString(m, 'transport_protocol'),
    alpn: getArray(m, 'application_protocols').filter((a): a is string => typeof a === 'string'),
    dsrc: dsrc.length > 0 ? dsrc : CATCH_ALL,
    dsrcExplicit: dsrc.length > 0,
    stype: sourceTypeKey(get(m, 'source_type')),
    src: src.length > 0 ? src : CATCH_ALL,
    srcExplicit: src.length > 0,
    sports: getArray(m, 'source_ports')
      .map((p) => Number(isObject(p) ? getNumber(p, 'value') : p))
      .filter((p) => Number.isFinite(p)),
  }
}

/** The longest prefix among `ranges` that holds `ip`, or -1. */
function bestLen(ranges: readonly Cidr[], ip: Ip): number {
  let best = -1
  for (const c of ranges) if (c.len > best && cidrContains(c, ip)) best = c.len
  return best
}

const MAX_CANDIDATES = 200

interface Walk {
  set: ParsedChain[]
  matched: string[]
  out: Candidate[]
  omitted: number
}

function eliminate(w: Walk, keep: (c: ParsedChain) => boolean, why: (c: ParsedChain) => string): void {
  const kept: ParsedChain[] = []
  for (const c of w.set) {
    if (keep(c)) kept.push(c)
    else if (w.out.length < MAX_CANDIDATES) w.out.push({index: c.index, name: c.name, why: why(c)})
    else w.omitted++
  }
  w.set = kept
}

/** Longest-prefix level (destination IP, direct source IP, source IP): keep the chains on the most specific range. */
function prefixLevel(w: Walk, field: string, ip: Ip, label: string, rangesOf: (c: ParsedChain) => readonly Cidr[], explicit: (c: ParsedChain) => boolean): void {
  let max = -1
  const lens = new Map<number, number>()
  for (const c of w.set) {
    const l = bestLen(rangesOf(c), ip)
    lens.set(c.index, l)
    if (l > max) max = l
  }
  const shown = (c: ParsedChain): string => (explicit(c) ? rangesOf(c).map((r) => cidrText(r)).join(',') : 'none')
  eliminate(
    w,
    (c) => lens.get(c.index) === max && max >= 0,
    (c) => (lens.get(c.index)! < 0 ? `${field} ${shown(c)} do not contain ${label}` : `${field} ${shown(c)}: less specific than /${max} for ${label} (no backtracking)`),
  )
  const first = w.set[0]
  if (first && explicit(first)) {
    const r = rangesOf(first).find((x) => x.len === max && cidrContains(x, ip))
    if (r) w.matched.push(`${field} ${cidrText(r)}`)
  }
}

function classicWalk(listener: JsonObject, props: MatchProperties, problems: string[]): {chain: ParsedChain | null; w: Walk; portBranch: boolean; failedAt: string} {
  const raws = getArray(listener, 'filter_chains')
  const parsed: ParsedChain[] = []
  raws.forEach((r, i) => {
    if (isObject(r)) parsed.push(parseChain(r, i, problems))
  })
  const w: Walk = {set: parsed, matched: [], out: [], omitted: 0}
  const destIp = parseIp(props.destinationIp)
  const fail = (failedAt: string, portBranch: boolean) => ({chain: null, w, portBranch, failedAt})

  // 1. destination port: the exact port branch if any chain names the port (only for IP addresses)
  const port = props.destinationPort
  const portBranch = destIp !== undefined && w.set.some((c) => c.port === port && port !== 0)
  if (portBranch) {
    eliminate(w, (c) => c.port === port, (c) => (c.port === 0 ? `no destination_port, and a chain names port ${port}: Envoy takes the port branch` : `destination_port ${c.port} ≠ ${port}`))
    w.matched.push(`destination_port ${port}`)
  } else {
    eliminate(w, (c) => c.port === 0, (c) => `destination_port ${c.port} ≠ ${port}`)
  }
  if (w.set.length === 0) return fail('destination_port', portBranch)

  // 2. destination IP: longest prefix; chains without ranges sit at 0.0.0.0/0 and ::/0; non-IP ⇒ 255.255.255.255
  prefixLevel(w, 'prefix_ranges', destIp ?? FAKE_ADDRESS, props.destinationIp, (c) => c.dst, (c) => c.dstExplicit)
  if (w.set.length === 0) return fail('prefix_ranges', portBranch)

  // 3. server names: exact, then `.suffix` wildcards from the longest, then chains without server_names
  const sni = props.serverName
  const hasName = (n: string) => (c: ParsedChain) => c.names.includes(n)
  let key: string | undefined
  if (w.set.some(hasName(sni))) key = sni
  else {
    for (let pos = sni.indexOf('.', 1); pos !== -1 && pos < sni.length - 1; pos = sni.indexOf('.', pos + 1)) {
      const wild = sni.slice(pos)
      if (w.set.some(hasName(wild))) {
        key = wild
        break
      }
    }
    if (key === undefined && w.set.some(hasName(''))) key = ''
  }
  const showNames = (c: ParsedChain): string => c.names.map((n) => (n.startsWith('.') ? `*${n}` : n)).join(',')
  if (key === undefined) {
    eliminate(w, () => false, (c) => `server_names ${showNames(c)} do not match SNI ${sni === '' ? '(none)' : sni}`)
    return fail('server_names', portBranch)
  }
  const k = key
  eliminate(
    w,
    hasName(k),
    (c) => (c.names.includes('') ? `no server_names: a chain names ${k.startsWith('.') ? `*${k}` : k}, which is more specific` : `server_names ${showNames(c)} do not match SNI ${sni === '' ? '(none)' : sni}${k !== '' ? ` (or are less specific than ${k.startsWith('.') ? `*${k}` : k})` : ''}`),
  )
  if (k !== '') w.matched.push(`server_names ${k.startsWith('.') ? `*${k}` : k}`)

  // 4. transport protocol: exact, else chains without one
  const tp = props.transportProtocol
  if (w.set.some((c) => c.transport === tp && tp !== '')) {
    eliminate(w, (c) => c.transport === tp, (c) => (c.transport === '' ? `no transport_protocol: a chain names ${tp}` : `transport_protocol ${c.transport} ≠ ${tp}`))
    w.matched.push(`transport_protocol ${tp}`)
  } else {
    eliminate(w, (c) => c.transport === '', (c) => `transport_protocol ${c.transport} ≠ ${tp}`)
  }
  if (w.set.length === 0) return fail('transport_protocol', portBranch)

  // 5. application protocols: the client's list in its order; the first with a branch wins
  const offered = props.applicationProtocols
  const hit = offered.find((a) => w.set.some((c) => c.alpn.includes(a)))
  if (hit !== undefined) {
    eliminate(
      w,
      (c) => c.alpn.includes(hit),
      (c) => (c.alpn.length === 0 ? `no application_protocols: a chain matches ${hit}` : `application_protocols ${c.alpn.join(',')} ${c.alpn.some((a) => offered.includes(a)) ? `match a later ALPN than ${hit} (client order wins)` : `do not include ${offered.join(',')}`}`),
    )
    w.matched.push(`application_protocols ${hit}`)
  } else {
    eliminate(w, (c) => c.alpn.length === 0, (c) => `application_protocols ${c.alpn.join(',')} do not include ${offered.length === 0 ? '(no ALPN)' : offered.join(',')}`)
  }
  if (w.set.length === 0) return fail('application_protocols', portBranch)

  // 6. direct source IP
  prefixLevel(w, 'direct_source_prefix_ranges', parseIp(props.directSourceIp) ?? FAKE_ADDRESS, props.directSourceIp, (c) => c.dsrc, (c) => c.dsrcExplicit)
  if (w.set.length === 0) return fail('direct_source_prefix_ranges', portBranch)

  // 7. source type: a local connection takes SAME_IP_OR_LOOPBACK if present, an external one EXTERNAL; else ANY
  const local = props.sourceType === 'local'
  const want: SourceTypeKey = local && w.set.some((c) => c.stype === 'SAME_IP_OR_LOOPBACK') ? 'SAME_IP_OR_LOOPBACK' : !local && w.set.some((c) => c.stype === 'EXTERNAL') ? 'EXTERNAL' : 'ANY'
  eliminate(w, (c) => c.stype === want, (c) => `source_type ${c.stype} ≠ ${want} (the connection is ${local ? 'local' : 'external'})`)
  if (want !== 'ANY') w.matched.push(`source_type ${want}`)
  if (w.set.length === 0) return fail('source_type', portBranch)

  // 8. source IP
  prefixLevel(w, 'source_prefix_ranges', parseIp(props.sourceIp) ?? FAKE_ADDRESS, props.sourceIp, (c) => c.src, (c) => c.srcExplicit)
  if (w.set.length === 0) return fail('source_prefix_ranges', portBranch)

  // 9. source port: exact, else chains without source_ports
  const sp = props.sourcePort
  if (w.set.some((c) => c.sports.includes(sp))) {
    eliminate(w, (c) => c.sports.includes(sp), (c) => (c.sports.length === 0 ? `no source_ports: a chain names ${sp}` : `source_ports ${c.sports.join(',')} do not include ${sp}`))
    w.matched.push(`source_ports ${sp}`)
  } else {
    eliminate(w, (c) => c.sports.length === 0, (c) => `source_ports ${c.sports.join(',')} do not include ${sp}`)
  }
  if (w.set.length === 0) return fail('source_ports', portBranch)

  if (w.set.length > 1) {
    problems.push(`${w.set.map((c) => c.name).join(', ')} have overlapping matches: Envoy rejects such a listener ("multiple filter chains with overlapping matching rules"); the first is shown`)
  }
  return {chain: w.set[0]!, w, portBranch, failedAt: ''}
}

function defaultChain(listener: JsonObject): (Chosen & {isDefault: boolean}) | null {
  const d = getObject(listener, 'default_filter_chain')
  return d ? {index: -1, name: getString(d, 'name') || 'default_filter_chain', raw: d, isDefault: true} : null
}

/** The network-input values of a connection for the unified matcher (NMI; spec §4.2). */
function networkInput(props: MatchProperties): (input: JsonObject | undefined) => InputValue {
  return (input) => {
    const label = inputTypeName(input)
    switch (label) {
      case 'DestinationIPInput':
        return {label, value: props.destinationIp}
      case 'DestinationPortInput':
        return {label, value: String(props.destinationPort)}
      case 'SourceIPInput':
        return {label, value: props.sourceIp}
      case 'SourcePortInput':
        return {label, value: String(props.sourcePort)}
      case 'DirectSourceIPInput':
        return {label, value: props.directSourceIp}
      case 'SourceTypeInput':
        // "local" for a same-IP or loopback connection, no value otherwise
        return {label, value: props.sourceType === 'local' ? 'local' : undefined}
      case 'ServerNameInput':
        return {label, value: props.serverName === '' ? undefined : props.serverName}
      case 'TransportProtocolInput':
        return {label, value: props.transportProtocol === '' ? undefined : props.transportProtocol}
      case 'ApplicationProtocolInput':
        // NMI ApplicationProtocolInput::get: each protocol single-quoted, comma-joined: 'h2','http/1.1'
        return {label, value: props.applicationProtocols.length === 0 ? undefined : props.applicationProtocols.map((a) => `'${a}'`).join(',')}
      default:
        return {label, unknown: true}
    }
  }
}

function unifiedSelect(listener: JsonObject, matcher: JsonObject, props: MatchProperties): ChainDecision {
  const res = evaluateMatcher(matcher, networkInput(props))
  const assumptions = [...res.assumptions]
  const chains = getArray(listener, 'filter_chains')
  const steps = res.steps.join('; ')
  const candidates: Candidate[] = []
  let omitted = 0
  if (!res.action) {
    const def = defaultChain(listener)
    chains.forEach((c, index) => {
      if (candidates.length < MAX_CANDIDATES) candidates.push({index, name: getString(c, 'name'), why: 'not selected by filter_chain_matcher'})
      else omitted++
    })
    return {
      chain: def,
      method: 'filter_chain_matcher',
      reason: def ? `filter_chain_matcher: no match (${steps}): default_filter_chain` : `filter_chain_matcher: no match (${steps}) and no default_filter_chain: Envoy closes the connection`,
      candidates,
      candidatesOmitted: omitted,
      assumptions,
    }
  }
  const cfg = getObject(res.action, 'typed_config')
  const target = typeof get(cfg, 'value') === 'string' ? getString(cfg, 'value') : ''
  if (!typeName(typeUrl(cfg)).endsWith('StringValue')) assumptions.push(`the matcher's action is ${typeName(typeUrl(cfg)) || 'untyped'}, not a google.protobuf.StringValue chain name`)
  let found: Chosen & {isDefault: boolean} = {index: -1, name: '', raw: {}, isDefault: false}
  let ok = false
  chains.forEach((c, index) => {
    if (!ok && isObject(c) && getString(c, 'name') === target) {
      found = {index, name: target, raw: c, isDefault: false}
      ok = true
    } else if (candidates.length < MAX_CANDIDATES) candidates.push({index, name: getString(c, 'name'), why: `not the chain the matcher named (${target})`})
    else omitted++
  })
  if (!ok) {
    // FCM FilterChainNameAction::get: a name without a chain gives no chain (not the default): the connection closes
    return {chain: null, method: 'filter_chain_matcher', reason: `filter_chain_matcher selected '${target}' (${steps}), but no filter chain has that name: Envoy closes the connection`, candidates, candidatesOmitted: omitted, assumptions}
  }
  return {chain: found, method: 'filter_chain_matcher', reason: `filter_chain_matcher: ${steps} → ${target}`, candidates, candidatesOmitted: omitted, assumptions}
}

export function selectFilterChain(listener: JsonObject, props: MatchProperties): ChainDecision {
  // spec §4.2: a filter_chain_matcher replaces every filter_chain_match
  const matcher = getObject(listener, 'filter_chain_matcher')
  if (matcher) return unifiedSelect(listener, matcher, props)
  const problems: string[] = []
  const {chain, w, portBranch, failedAt} = classicWalk(listener, props, problems)
  const assumptions = problems
  if (chain) {
    const how = w.matched.length > 0 ? w.matched.join(', ') : 'no criteria (matches any connection)'
    return {
      chain: {index: chain.index, name: chain.name, raw: chain.raw, isDefault: false},
      method: 'filter_chain_match',
      reason: `filter_chain_match: ${how}`,
      candidates: w.out,
      candidatesOmitted: w.omitted,
      assumptions,
    }
  }
  const def = defaultChain(listener)
  // FCM findFilterChain: a port branch that yields nothing goes to the default chain, not to the port-less chains
  const why = portBranch ? `the destination_port ${props.destinationPort} branch has no chain matching at ${failedAt} (Envoy does not fall back to chains without a port)` : getArray(listener, 'filter_chains').length === 0 ? 'the listener has no filter_chains' : `no filter chain matches at ${failedAt}`
  return {
    chain: def,
    method: 'filter_chain_match',
    reason: def ? `${why}: default_filter_chain` : `${why} and there is no default_filter_chain: Envoy closes the connection (NR "no matching filter chain")`,
    candidates: w.out,
    candidatesOmitted: w.omitted,
    assumptions,
  }
}

// ---------------------------------------------------------------------------------------------------------------
// §5: network filters

const HCM: [string[], string[]] = [['.HttpConnectionManager'], ['envoy.filters.network.http_connection_manager', 'envoy.http_connection_manager']]
const TCP: [string[], string[]] = [['.TcpProxy'], ['envoy.filters.network.tcp_proxy', 'envoy.tcp_proxy']]
const TERMINALS: Array<[NetworkKind, string[], string[]]> = [
  ['hcm', ...HCM],
  ['tcp_proxy', ...TCP],
  ['redis_proxy', ['.RedisProxy'], ['envoy.filters.network.redis_proxy', 'envoy.redis_proxy']],
  ['thrift_proxy', ['.ThriftProxy'], ['envoy.filters.network.thrift_proxy', 'envoy.thrift_proxy']],
  ['dubbo_proxy', ['.DubboProxy'], ['envoy.filters.network.dubbo_proxy', 'envoy.dubbo_proxy']],
  ['direct_response', ['direct_response.v3.Config'], ['envoy.filters.network.direct_response']],
  ['echo', ['.Echo'], ['envoy.filters.network.echo', 'envoy.echo']],
]
const SNI_CLUSTER: [string[], string[]] = [['.SniCluster'], ['envoy.filters.network.sni_cluster']]
const SNI_DFP: [string[], string[]] = [['sni_dynamic_forward_proxy.v3.FilterConfig'], ['envoy.filters.network.sni_dynamic_forward_proxy']]
const MAY_CLOSE: [string[], string[]] = [['rbac.v3.RBAC', 'ext_authz.v3.ExtAuthz', 'local_ratelimit.v3.LocalRateLimit', 'ratelimit.v3.RateLimit', 'connection_limit.v3.ConnectionLimit'], ['envoy.filters.network.rbac', 'envoy.filters.network.ext_authz', 'envoy.filters.network.local_ratelimit', 'envoy.filters.network.ratelimit', 'envoy.filters.network.connection_limit']]
const OBSERVERS: [string[], string[]] = [['.MongoProxy', '.MySQLProxy', '.PostgresProxy', '.KafkaBroker', '.ZooKeeperProxy'], ['envoy.filters.network.mongo_proxy', 'envoy.filters.network.mysql_proxy', 'envoy.filters.network.postgres_proxy', 'envoy.filters.network.kafka_broker', 'envoy.filters.network.zookeeper_proxy']]

/** HTTP filters that may change headers and clear the route cache before the router (spec §5.3). */
const ROUTING_HTTP_FILTERS = ['lua', 'wasm', 'ext_authz', 'header_mutation', 'jwt_authn', 'ext_proc', 'golang', 'composite', 'credential_injector', 'set_filter_state']

function httpFilterMayAlterRouting(f: Json): boolean {
  const name = getString(f, 'name')
  const t = filterType(f).toLowerCase()
  const hit = ROUTING_HTTP_FILTERS.some((k) => t.includes(`.${k}.`) || name === `envoy.filters.http.${k}` || name === `envoy.${k}`)
  if (!hit) return false
  // Istio's own null-VM Wasm filters (istio.metadata_exchange, istio.stats) do not touch routing headers
  const runtime = getString(getObject(getObject(filterConfig(f), 'config'), 'vm_config'), 'runtime')
  return !(name.startsWith('istio.') && runtime === 'envoy.wasm.runtime.null')
}

function hcmInfo(cfg: JsonObject | undefined): HcmInfo {
  let route: RouteSpecifier | null = null
  const rds = getObject(cfg, 'rds')
  const inline = getObject(cfg, 'route_config')
  const scoped = getObject(cfg, 'scoped_routes')
  if (rds) route = {rds: getString(rds, 'route_config_name')}
  else if (inline) route = {inline}
  else if (scoped) {
    const list = getObject(scoped, 'scoped_route_configurations_list')
    const spec: ScopedSpecifier = {keyBuilder: getObject(scoped, 'scope_key_builder') ?? {}}
    const n = getString(scoped, 'name')
    if (n !== '') spec.scopedRoutesName = n
    if (list) spec.inlineScopes = getArray(list, 'scoped_route_configurations').filter(isObject)
    route = {scoped: spec}
  }
  const filters = getArray(cfg, 'http_filters')
  const routerAt = filters.findIndex((f) => filterType(f).endsWith('.Router') || getString(f, 'name') === 'envoy.filters.http.router' || getString(f, 'name') === 'envoy.router')
  const before = routerAt >= 0 ? filters.slice(0, routerAt) : filters
  return {
    route,
    stripAnyHostPort: boolField(cfg, 'strip_any_host_port', false),
    stripMatchingHostPort: boolField(cfg, 'strip_matching_host_port', false),
    stripTrailingHostDot: boolField(cfg, 'strip_trailing_host_dot', false),
    normalizePath: boolField(cfg, 'normalize_path', false),
    mergeSlashes: boolField(cfg, 'merge_slashes', false),
    // unset and IMPLEMENTATION_SPECIFIC_DEFAULT both keep escaped slashes (spec §5.3 step 3)
    pathWithEscapedSlashesAction: getString(cfg, 'path_with_escaped_slashes_action') || 'KEEP_UNCHANGED',
    useRemoteAddress: boolField(cfg, 'use_remote_address', false),
    httpFilters: filters.map((f) => getString(f, 'name') || filterType(f)),
    mayAlterRouting: before.filter(httpFilterMayAlterRouting).map((f) => getString(f, 'name') || filterType(f)),
  }
}

function tcpProxyInfo(cfg: JsonObject | undefined, earlier: Json[], sni: string | undefined): TcpProxyInfo {
  const cluster = getString(cfg, 'cluster')
  const weighted = getArray(getObject(cfg, 'weighted_clusters'), 'clusters').map((c) => ({name: getString(c, 'name'), weight: getNumber(c, 'weight')}))
  const sniCluster = earlier.some((f) => isFilter(f, ...SNI_CLUSTER))
  const sniDfp = earlier.some((f) => isFilter(f, ...SNI_DFP))
  // TCP getRouteFromEntries: weighted_clusters (cluster empty) > filter state envoy.tcp_proxy.cluster (sni_cluster) > cluster
  let clusterSource: TcpProxyInfo['clusterSource'] = 'cluster'
  let effective = cluster
  if (weighted.length > 0 && cluster === '') {
    clusterSource = 'weighted_clusters'
    effective = ''
  } else if (sniCluster && sni !== '') {
    clusterSource = 'sni_cluster'
    effective = sni ?? ''
  }
  return {statPrefix: getString(cfg, 'stat_prefix'), cluster: effective, weightedClusters: weighted, clusterSource, sniCluster, sniDynamicForwardProxy: sniDfp, tunneling: getObject(cfg, 'tunneling_config') !== undefined}
}

/**
 * The terminal (last) network filter of a chain and what it routes by. `sni` (lowercased SNI of the connection)
 * resolves sni_cluster; without it an sni_cluster chain reports the SNI as unknown.
 */
export function terminalFilter(chain: JsonObject, sni?: string): NetworkDecision {
  const list = getArray(chain, 'filters')
  const assumptions: string[] = []
  const refs = list.map((f, index) => ({index, name: getString(f, 'name') || filterType(f) || '(unnamed)', type: filterType(f)}))
  const roles = list.map((f, i): NetworkDecision['filters'][number]['role'] => {
    if (i === list.length - 1 && TERMINALS.some(([, t, n]) => isFilter(f, t, n))) return 'terminal'
    if (isFilter(f, ...SNI_CLUSTER) || isFilter(f, ...SNI_DFP)) return 'routing'
    if (isFilter(f, ...MAY_CLOSE)) return 'may-close'
    if (isFilter(f, ...OBSERVERS)) return 'observer'
    return 'other'
  })
  const filters = refs.map((r, i) => ({...r, role: roles[i]!}))
  for (const f of filters) if (f.role === 'may-close') assumptions.push(`${f.name} runs before the terminal filter and may close the connection (not evaluated)`)
  if (list.length === 0) {
    // LC: a chain without filters closes every connection
    return {kind: 'none', filter: null, filters, reason: 'the chain has no network filters: Envoy closes the connection', assumptions}
  }
  const last = list[list.length - 1]
  const ref = refs[refs.length - 1]!
  const kind = TERMINALS.find(([, t, n]) => isFilter(last, t, n))?.[0] ?? 'other'
  const cfg = filterConfig(last)
  switch (kind) {
    case 'hcm': {
      const hcm = hcmInfo(cfg)
      const r = hcm.route
      const how = !r ? 'no route specifier' : 'rds' in r ? `RDS route config "${r.rds}"` : 'inline' in r ? `inline route config "${getString(r.inline, 'name')}"` : `scoped routes${r.scoped.scopedRoutesName ? ` "${r.scoped.scopedRoutesName}"` : ''}`
      if (hcm.mayAlterRouting.length > 0) assumptions.push(`HTTP filters before the router may change headers and the route: ${hcm.mayAlterRouting.join(', ')}`)
      return {kind, filter: ref, filters, hcm, reason: `HTTP connection manager (${ref.name}) with ${how}`, assumptions}
    }
    case 'tcp_proxy': {
      const tcp = tcpProxyInfo(cfg, list.slice(0, -1), sni)
      let how: string
      if (tcp.clusterSource === 'weighted_clusters') how = `weighted clusters ${tcp.weightedClusters.map((c) => `${c.name}=${c.weight}`).join(', ')} (random pick by weight)`
      else if (tcp.clusterSource === 'sni_cluster') how = `cluster "${tcp.cluster}" from the SNI (sni_cluster)`
      else how = `cluster "${tcp.cluster}"`
      if (tcp.sniCluster && sni === undefined) assumptions.push('sni_cluster precedes tcp_proxy: the cluster is the connection SNI when there is one')
      if (tcp.sniCluster && sni === '') how += ' (sni_cluster has no SNI to use)'
      if (tcp.sniDynamicForwardProxy) assumptions.push('sni_dynamic_forward_proxy resolves the SNI through DNS at runtime')
      if (tcp.tunneling) assumptions.push('tcp_proxy tunnels the connection over HTTP (tunneling_config)')
      return {kind, filter: ref, filters, tcpProxy: tcp, reason: `TCP proxy to ${how}`, assumptions}
    }
    case 'redis_proxy': {
      const pr = getObject(cfg, 'prefix_routes')
      const clusters = [getString(getObject(pr, 'catch_all_route'), 'cluster'), ...getArray(pr, 'routes').map((r) => getString(r, 'cluster'))].filter((c) => c !== '')
      return {kind, filter: ref, filters, clusters, reason: `not HTTP/TCP: Redis proxy (${ref.name}) stops here; clusters ${clusters.join(', ') || '(none)'}`, assumptions}
    }
    case 'thrift_proxy':
    case 'dubbo_proxy': {
      const rc = getObject(cfg, 'route_config') ?? getArray(cfg, 'route_config')[0]
      const clusters = getArray(rc, 'routes')
        .map((r) => getString(getObject(r, 'route'), 'cluster'))
        .filter((c) => c !== '')
      return {kind, filter: ref, filters, clusters, reason: `not HTTP/TCP: ${kind === 'thrift_proxy' ? 'Thrift' : 'Dubbo'} proxy (${ref.name}) stops here${clusters.length > 0 ? `; clusters ${clusters.join(', ')}` : ''}`, assumptions}
    }
    case 'direct_response': {
      const resp = getObject(cfg, 'response')
      const body = getString(resp, 'inline_string') || getString(resp, 'inline_bytes')
      return {kind, filter: ref, filters, body, reason: `not HTTP/TCP: direct_response writes ${body === '' ? 'nothing' : `${body.length} bytes`} and closes`, assumptions}
    }
    case 'echo':
      return {kind, filter: ref, filters, reason: 'not HTTP/TCP: echo writes back what it reads', assumptions}
    default:
      return {kind: 'other', filter: ref, filters, reason: `not HTTP/TCP: ${ref.name} stops here`, assumptions}
  }
}

// ---------------------------------------------------------------------------------------------------------------
// §5.2: scoped routes

const HIGRESS_DEFAULT_MAX_RECOMPUTE = 100

/** HG maskFirstDNSLabel: `a.b.com` → `*.b.com`; `*.com` → `*`. */
function maskFirstDnsLabel(host: string): string {
  if (host === '*') return host
  if (host.length < 2) return '*'
  const start = host[0] === '*' && host[1] === '.' ? 2 : 0
  const dot = host.indexOf('.', start)
  return dot >= 0 ? `*${host.slice(dot)}` : '*'
}

/** HU getPortStart: the host without a trailing `:port` (an IPv6 literal keeps its brackets). */
function hostWithoutPort(authority: string): string {
  const close = authority.lastIndexOf(']')
  const colon = authority.lastIndexOf(':')
  if (colon > close && /^\d+$/.test(authority.slice(colon + 1))) return authority.slice(0, colon)
  return authority
}

interface FragmentPlan {
  kind: 'header' | 'local_port' | 'host' | 'unknown'
  /** the first value; null when missing */
  value: string | null
  describe: string
  maxRecompute: number
}

function headerFragment(hve: JsonObject, headers: Array<[string, string]>, assumptions: string[]): {value: string | null; describe: string} {
  const name = getString(hve, 'name').toLowerCase()
  const first = headers.find(([k]) => k.toLowerCase() === name)
  const describe = `header ${name}`
  if (!first) return {value: null, describe: `${describe} (absent)`}
  // "an implicitly untrusted header ... only the first value is used"
  const sep = getString(hve, 'element_separator')
  const elements = sep.length > 0 ? first[1].split(sep) : [first[1]]
  const element = getObject(hve, 'element')
  if (element) {
    const esep = getString(element, 'separator')
    const key = getString(element, 'key')
    for (const e of elements) {
      const at = esep === '' ? -1 : e.indexOf(esep)
      const [k, v] = at >= 0 ? [e.slice(0, at), e.slice(at + esep.length)] : [e, '']
      if (k === key) return {value: v, describe: `${describe} element ${key}`}
    }
    return {value: null, describe: `${describe} has no element ${key}`}
  }
  if (get(hve, 'index') === undefined) assumptions.push(`header_value_extractor for ${name} sets neither index nor element: index 0 assumed (Envoy rejects a config without either)`)
  const index = getNumber(hve, 'index')
  return index < elements.length ? {value: elements[index]!, describe: `${describe}[${index}]`} : {value: null, describe: `${describe} has no element ${index}`}
}

export function selectScope(scoped: ScopedSpecifier, scopes: JsonObject[], req: {authority: string; headers: Array<[string, string]>; localPort: number}): ScopeDecision {
  const assumptions: string[] = []
  const all = scopes.length > 0 ? scopes : (scoped.inlineScopes ?? [])
  const plans: FragmentPlan[] = getArray(scoped.keyBuilder, 'fragments').map((f) => {
    const hve = getObject(f, 'header_value_extractor')
    if (hve) {
      const {value, describe} = headerFragment(hve, req.headers, assumptions)
      return {kind: 'header', value, describe, maxRecompute: 0}
    }
    if (get(f, 'local_port_value_extractor') !== undefined) {
      return {kind: 'local_port', value: String(req.localPort), describe: 'local port (Higress)', maxRecompute: 0}
    }
    const host = get(f, 'host_value_extractor')
    if (host !== undefined) {
      const max = u32Field(host, 'max_recompute_num') ?? HIGRESS_DEFAULT_MAX_RECOMPUTE
      return {kind: 'host', value: hostWithoutPort(req.authority), describe: 'host without port (Higress, wildcards on a miss)', maxRecompute: max}
    }
    assumptions.push('a scope key fragment builder of an unknown kind: no key')
    return {kind: 'unknown', value: null, describe: 'unknown fragment', maxRecompute: 0}
  })
  // index the scopes by key (the last with a key wins, as ScopedConfigImpl's map)
  const byKey = new Map<string, {index: number; scope: JsonObject}>()
  all.forEach((s, index) => {
    const frags = getArray(get(s, 'key'), 'fragments').map((f) => getString(f, 'string_key'))
    if (frags.length > 0) byKey.set(JSON.stringify(frags), {index, scope: s})
  })
  const candidates: Candidate[] = []
  const missing = plans.find((p) => p.value === null)
  if (plans.length === 0 || missing) {
    return {
      scope: null,
      routeConfigurationName: '',
      key: null,
      triedKeys: [],
      reason: plans.length === 0 ? 'the scope key builder has no fragments: no key, no route configuration (404 NR)' : `scope key fragment missing (${missing!.describe}): no key, no route configuration (404 NR)`,
      candidates,
      assumptions,
    }
  }
  let key = plans.map((p) => p.value!)
  const tried: string[][] = []
  // HG computeScopeKey/recompute: host fragments are masked one label at a time until found, `*`, or the limit
  let seq = 0
  for (;;) {
    tried.push(key)
    const hit = byKey.get(JSON.stringify(key))
    if (hit) {
      const s = hit.scope
      const name = getString(s, 'name')
      for (const [k, v] of byKey) if (v.index !== hit.index && candidates.length < MAX_CANDIDATES) candidates.push({index: v.index, name: getString(v.scope, 'name'), why: `key ${k} ≠ ${JSON.stringify(key)}`})
      const inline = getObject(s, 'route_configuration')
      const rcName = getString(s, 'route_configuration_name') || getString(inline, 'name')
      return {
        scope: {index: hit.index, name, raw: s},
        routeConfigurationName: rcName,
        ...(inline ? {inlineRouteConfiguration: inline} : {}),
        key,
        triedKeys: tried,
        reason: `scope key [${key.map((k) => JSON.stringify(k)).join(', ')}] from ${plans.map((p) => p.describe).join(', ')} → scope ${name} → route config ${rcName}`,
        candidates,
        assumptions,
      }
    }
    const hostAt = plans.map((p, i) => (p.kind === 'host' ? i : -1)).filter((i) => i >= 0)
    if (hostAt.length === 0 || seq >= Math.min(...hostAt.map((i) => plans[i]!.maxRecompute))) break
    if (hostAt.some((i) => key[i] === '*')) break
    key = key.map((v, i) => (plans[i]!.kind === 'host' ? maskFirstDnsLabel(v) : v))
    seq++
  }
  for (const [k, v] of byKey) if (candidates.length < MAX_CANDIDATES) candidates.push({index: v.index, name: getString(v.scope, 'name'), why: `key ${k} matches none of the keys tried`})
  return {
    scope: null,
    routeConfigurationName: '',
    key: tried[0] ?? null,
    triedKeys: tried,
    reason: `no scope has the key ${tried.map((k) => `[${k.map((x) => JSON.stringify(x)).join(', ')}]`).join(' or ')}: no route configuration (404 NR)`,
    candidates,
    assumptions,
  }
}

// ---------------------------------------------------------------------------------------------------------------
// §4.3: after selection

function tlsContext(chain: JsonObject): JsonObject | undefined {
  const ts = getObject(chain, 'transport_socket')
  if (!ts) return undefined
  const t = filterType(ts)
  if (t !== '' ? t.endsWith('.DownstreamTlsContext') : ['envoy.transport_sockets.tls', 'tls'].includes(getString(ts, 'name'))) return filterConfig(ts) ?? {}
  return undefined
}

/**
 * Whether the connection can speak to the chosen chain, worded as the Istio simulator's errors (IS traffic.go
 * ErrTLSError "invalid TLS", ErrMTLSError "invalid mTLS", ErrProtocolError "protocol error"). undefined = fine.
 */
export function chainCompatibility(chain: JsonObject, conn: Connection): string | undefined {
  const tls = tlsContext(chain)
  const isTls = conn.transport === 'tls'
  if (tls && !isTls) return 'invalid TLS: the chain terminates TLS (DownstreamTlsContext) but the client sends plaintext; the handshake fails'
  if (tls && boolField(tls, 'require_client_certificate', false)) {
    const presents = conn.clientCertificate ?? (conn.alpn ?? []).some((a) => a === 'istio' || a.startsWith('istio-'))
    if (!presents) return 'invalid mTLS: the chain requires a client certificate (require_client_certificate) and the client presents none'
  }
  const last = getArray(chain, 'filters').at(-1)
  if (last !== undefined && isFilter(last, ...HCM)) {
    if (isTls && !tls) return 'protocol error: TLS into an HTTP connection manager that does not terminate TLS (no DownstreamTlsContext on the chain)'
    if (!isTls && !conn.httpProtocol) return 'protocol error: opaque TCP bytes into an HTTP connection manager (the codec rejects them: DPE)'
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------------------------
// Conveniences for the caller

export interface ConnectionTrace {
  listener: ListenerDecision
  /** null when no listener takes the connection */
  inspect: InspectDecision | null
  /** null when no listener takes the connection */
  chain: ChainDecision | null
  /** null when no chain takes the connection */
  network: NetworkDecision | null
  /** the Istio simulator's TLS/mTLS/protocol error for the chosen chain, or null */
  compatibility: string | null
}

/** The connection steps in order: listener, listener filters, filter chain, compatibility, terminal network filter. */
export function traceConnection(listeners: ListenerView[], conn: Connection, mode: Mode): ConnectionTrace {
  const listener = selectListener(listeners, conn, mode)
  if (!listener.listener) return {listener, inspect: null, chain: null, network: null, compatibility: null}
  const insp = inspect(listener.listener.raw, conn, listener.handedOff)
  const chain = selectFilterChain(listener.listener.raw, insp.properties)
  if (!chain.chain) return {listener, inspect: insp, chain, network: null, compatibility: null}
  return {
    listener,
    inspect: insp,
    chain,
    network: terminalFilter(chain.chain.raw, insp.properties.serverName),
    compatibility: chainCompatibility(chain.chain.raw, conn) ?? null,
  }
}
