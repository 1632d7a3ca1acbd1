/**
 * The `ztunnel-config` (`zc`) views: istioctl's tables and JSON for a ztunnel config dump
 * (docs/istioctl-behaviour.md §11.4–11.6). Pure: a decoded dump in, a ViewResult out.
 */
import type {Row} from '../output/tabwriter.js'
import {goSorted} from '../util/gosort.js'
import type {Cert, Certificate, Connection, Policy, PolicyMatch, Service, StringMatch, Workload, WorkloadState, ZtunnelDump} from '../ztunnel/dump.js'
import {type GoValue, goIndent, toJson} from '../ztunnel/json.js'
import {type Block, header, table, text, type ViewResult} from './types.js'

/** Go's strings.EqualFold, for the ASCII and common Unicode cases meshctl meets in names. */
const equalFold = (a: string, b: string): boolean => a === b || a.toLowerCase() === b.toLowerCase()

/** Table padding of istioctl's ztunnel writers: 1, except the certificates table (5). */
const PADDING = 1
const CERT_PADDING = 5

function result(blocks: Block[], value: () => GoValue): ViewResult {
  let cached: GoValue | undefined
  const get = (): GoValue => {
    if (cached === undefined) cached = value()
    return cached
  }
  return {blocks, data: () => toJson(get()), rawJson: () => goIndent(get())}
}

// ---- waypoints -------------------------------------------------------------------------------------------

/**
 * The name shown for a waypoint address: the first service whose `namespace/hostname` or one of whose VIPs is
 * the waypoint's destination (`NA` when none is, `None` when there is no waypoint).
 */
function waypointName(waypoint: {destination: string} | null, services: readonly Service[]): string {
  if (!waypoint) return 'None'
  const dest = waypoint.destination
  for (const s of services) {
    if (`${s.namespace}/${s.hostname}` === dest || (s.vips ?? []).includes(dest)) return s.name
  }
  return 'NA'
}

// ---- workloads ------------------------------------------------------------------------------------------

export interface WorkloadFilter {
  /** a target workload pod's name (set when a workload pod was given instead of a ztunnel) */
  name?: string
  namespace?: string
  address?: string
  node?: string
}

function filterWorkloads(ws: readonly Workload[], f: WorkloadFilter): Workload[] {
  return ws.filter(
    (w) =>
      (!f.name || equalFold(w.name, f.name)) &&
      (!f.namespace || equalFold(w.namespace, f.namespace)) &&
      (!f.address || (w.workloadIps ?? []).includes(f.address)) &&
      (!f.node || equalFold(w.node, f.node)),
  )
}

function workloadRows(dump: ZtunnelDump, f: WorkloadFilter): Row[] {
  // the sort key is the concatenated string, so `a-b.x` sorts before `a.x` (istioctl's workload.go)
  const sorted = goSorted(filterWorkloads(dump.workloads, f), (a, b) => {
    const ka = `${a.namespace}.${a.name}`
    const kb = `${b.namespace}.${b.name}`
    return ka !== kb ? ka < kb : a.node < b.node
  })
  const rows: Row[] = [header('NAMESPACE', 'POD NAME', 'ADDRESS', 'NODE', 'WAYPOINT', 'PROTOCOL')]
  for (const w of sorted) {
    const ips = w.workloadIps ?? []
    rows.push([w.namespace, w.name, ips.length > 0 ? ips.join(',') : w.hostname, w.node, waypointName(w.waypoint, dump.services), w.protocol])
  }
  return rows
}

const gateway = (g: {destination: string} | null): GoValue | undefined => (g ? {destination: g.destination} : undefined)

/** Drops keys whose value is undefined (Go's omitempty), keeping the order of the others. */
function compact(o: {[key: string]: GoValue | undefined}): {[key: string]: GoValue} {
  const out: {[key: string]: GoValue} = {}
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v
  return out
}

/** A Go slice: nil stays null. */
const mapOrNull = <T>(l: readonly T[] | null, f: (x: T) => GoValue): GoValue[] | null => (l === null ? null : l.map(f))

const omitEmpty = (s: string): string | undefined => (s === '' ? undefined : s)
const omitEmptyList = <T extends GoValue>(l: T[] | null): T[] | undefined => (l && l.length > 0 ? l : undefined)

function workloadJson(w: Workload): GoValue {
  return compact({
    uid: w.uid,
    workloadIps: w.workloadIps,
    waypoint: gateway(w.waypoint),
    networkGateway: gateway(w.networkGateway),
    protocol: w.protocol,
    name: w.name,
    namespace: w.namespace,
    serviceAccount: w.serviceAccount,
    workloadName: w.workloadName,
    workloadType: w.workloadType,
    canonicalName: w.canonicalName,
    canonicalRevision: w.canonicalRevision,
    clusterId: w.clusterId,
    trustDomain: omitEmpty(w.trustDomain),
    locality: compact({region: omitEmpty(w.locality.region), zone: omitEmpty(w.locality.zone), subzone: omitEmpty(w.locality.subzone)}),
    node: w.node,
    network: omitEmpty(w.network),
    status: w.status,
    hostname: w.hostname,
    capacity: w.capacity,
    applicationTunnel: compact({protocol: w.applicationTunnel.protocol, port: w.applicationTunnel.port ?? undefined}),
    authorizationPolicies: omitEmptyList(w.authorizationPolicies),
  })
}

/** `zc workloads`: the table sorted by namespace.name then node; JSON in dump order (istioctl does not sort it). */
export function workloadsView(dump: ZtunnelDump, f: WorkloadFilter): ViewResult {
  return result([table(workloadRows(dump, f), PADDING)], () => filterWorkloads(dump.workloads, f).map(workloadJson))
}

// ---- services -------------------------------------------------------------------------------------------

function sortedServices(dump: ZtunnelDump, namespace: string | undefined): Service[] {
  const kept = dump.services.filter((s) => !namespace || equalFold(s.namespace, namespace))
  return goSorted(kept, (a, b) => (a.namespace !== b.namespace ? a.namespace < b.namespace : a.name !== b.name ? a.name < b.name : a.hostname < b.hostname))
}

function serviceRows(dump: ZtunnelDump, namespace: string | undefined): Row[] {
  const healthy = new Set(dump.workloads.filter((w) => w.status === 'Healthy').map((w) => w.uid))
  const rows: Row[] = [header('NAMESPACE', 'SERVICE NAME', 'SERVICE VIP', 'WAYPOINT', 'ENDPOINTS')]
  for (const s of sortedServices(dump, namespace)) {
    // a VIP is `network/ip`: the text after the first `/` (empty without one)
    const vips = (s.vips ?? []).map((v) => (v.includes('/') ? v.slice(v.indexOf('/') + 1) : '')).join(',')
    const eps = [...(s.endpoints?.values() ?? [])]
    const up = eps.filter((e) => healthy.has(e?.workloadUid ?? '')).length
    rows.push([s.namespace, s.name, vips, waypointName(s.waypoint, dump.services), `${up}/${eps.length}`])
  }
  return rows
}

function serviceJson(s: Service): GoValue {
  const endpoints = s.endpoints && new Map<string, GoValue>()
  for (const [k, e] of s.endpoints ?? []) {
    endpoints!.set(
      k,
      e &&
        compact({
          workloadUid: e.workloadUid,
          service: e.service,
          address: omitEmpty(e.address),
          port: e.port && new Map([...e.port].map(([p, t]) => [String(p), t])),
        }),
    )
  }
  return compact({
    name: s.name,
    namespace: s.namespace,
    hostname: s.hostname,
    vips: s.vips,
    cidrVips: omitEmptyList(s.cidrVips),
    ports: s.ports,
    loadBalancer: s.loadBalancer ? {mode: s.loadBalancer.mode, routingPreferences: s.loadBalancer.routingPreferences, healthPolicy: s.loadBalancer.healthPolicy} : undefined,
    waypoint: gateway(s.waypoint),
    endpoints,
    subjectAltNames: omitEmptyList(s.subjectAltNames),
    ipFamilies: s.ipFamilies,
    canonical: s.canonical ? true : undefined,
    visibility: omitEmpty(s.visibility),
  })
}

/** `zc services`: filtered by namespace and sorted by namespace, name, hostname (table and JSON alike). */
export function servicesView(dump: ZtunnelDump, namespace?: string): ViewResult {
  return result([table(serviceRows(dump, namespace), PADDING)], () => sortedServices(dump, namespace).map(serviceJson))
}

// ---- policies -------------------------------------------------------------------------------------------

function sortedPolicies(dump: ZtunnelDump, namespace: string | undefined): Policy[] {
  const kept = dump.policies.filter((p) => !namespace || equalFold(p.namespace, namespace))
  return goSorted(kept, (a, b) => (a.namespace !== b.namespace ? a.namespace < b.namespace : a.name < b.name))
}

function policyJson(p: Policy): GoValue {
  const stringMatches = (l: StringMatch[] | null): GoValue | undefined =>
    l && l.length > 0 ? l.map((m) => compact({Exact: omitEmpty(m.Exact), Suffix: omitEmpty(m.Suffix), Prefix: omitEmpty(m.Prefix), Presence: m.Presence ?? undefined})) : undefined
  const sas = (l: Array<{namespace: string; serviceAccount: string}> | null) =>
    l && l.length > 0 ? l.map((m) => ({namespace: m.namespace, serviceAccount: m.serviceAccount})) : undefined
  const match = (m: PolicyMatch | null): GoValue =>
    m &&
    compact({
      namespaces: stringMatches(m.namespaces),
      notNamespaces: stringMatches(m.notNamespaces),
      principals: stringMatches(m.principals),
      notPrincipals: stringMatches(m.notPrincipals),
      sourceIps: omitEmptyList(m.sourceIps),
      notSourceIps: omitEmptyList(m.notSourceIps),
      destinationIps: omitEmptyList(m.destinationIps),
      notDestinationIps: omitEmptyList(m.notDestinationIps),
      destinationPorts: omitEmptyList(m.destinationPorts),
      notDestinationPorts: omitEmptyList(m.notDestinationPorts),
      serviceAccounts: sas(m.serviceAccounts),
      notServiceAccounts: sas(m.notServiceAccounts),
    })
  return {
    name: p.name,
    namespace: p.namespace,
    scope: p.scope,
    action: p.action,
    rules: mapOrNull(p.rules, (a) => mapOrNull(a, (b) => mapOrNull(b, match))),
  }
}

function policyRows(dump: ZtunnelDump, namespace: string | undefined): Row[] {
  const rows: Row[] = [header('NAMESPACE', 'POLICY NAME', 'ACTION', 'SCOPE')]
  for (const p of sortedPolicies(dump, namespace)) rows.push([p.namespace, p.name, p.action, p.scope])
  return rows
}

/** `zc policies`: filtered by namespace, sorted by namespace and name. */
export function policiesView(dump: ZtunnelDump, namespace?: string): ViewResult {
  return result([table(policyRows(dump, namespace), PADDING)], () => sortedPolicies(dump, namespace).map(policyJson))
}

// ---- certificates ---------------------------------------------------------------------------------------

/** RFC 3339 as Go's time.Parse(time.RFC3339) accepts it (seconds required, optional fraction, Z or offset). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/

function parseTime(s: string): number | undefined {
  if (!RFC3339.test(s)) return undefined
  const t = Date.parse(s)
  return Number.isNaN(t) ? undefined : t
}

/** VALID CERT: strictly after validFrom and before expirationTime; false when either is missing or unreadable. */
function validNow(from: string, until: string, now: number): boolean {
  const a = parseTime(from)
  const b = parseTime(until)
  return a !== undefined && b !== undefined && now > a && now < b
}

/** A decimal serial number in lowercase hex, not zero-padded; `<nil>` when it is not a decimal integer (Go's %x of a nil big.Int). */
export function serialHex(serial: string): string {
  if (!/^[+-]?\d+$/.test(serial)) return '<nil>'
  return BigInt(serial).toString(16)
}

function certificateRows(certs: readonly Certificate[], now: number): Row[] {
  const rows: Row[] = [header('CERTIFICATE NAME', 'TYPE', 'STATUS', 'VALID CERT', 'SERIAL NUMBER', 'NOT AFTER', 'NOT BEFORE')]
  const row = (identity: string, type: string, status: string, c: Cert | null): Row => {
    const cert = c ?? {pem: '', serialNumber: '', validFrom: '', expirationTime: ''}
    return [
      identity,
      type,
      status,
      String(validNow(cert.validFrom, cert.expirationTime, now)),
      serialHex(cert.serialNumber),
      cert.expirationTime || 'NA',
      cert.validFrom || 'NA',
    ]
  }
  for (const c of certs) {
    const status = c.state.includes('Unavailable') ? 'Unavailable' : c.state
    const chain = c.certChain ?? []
    const roots = c.rootCerts ?? []
    if (chain.length === 0) {
      rows.push([c.identity, 'NA', status, 'false', 'NA', 'NA', 'NA'])
      continue
    }
    chain.forEach((cert, i) => {
      // older ztunnels put the root at the end of the chain; newer ones list it in rootCerts
      const type = i === 0 ? 'Leaf' : i === chain.length - 1 && roots.length === 0 ? 'Root' : 'Intermediate'
      rows.push(row(c.identity, type, status, cert))
    })
    for (const r of roots) rows.push(row(c.identity, 'Root', status, r))
  }
  return rows
}

function certJson(c: Certificate['certChain']): GoValue {
  return mapOrNull(c, (x) => x && {pem: x.pem, serialNumber: x.serialNumber, validFrom: x.validFrom, expirationTime: x.expirationTime})
}

/** `zc certificates`: one block per identity in dump order; VALID CERT is computed against `now` (ms). */
export function certificatesView(dump: ZtunnelDump, now: number): ViewResult {
  return result([table(certificateRows(dump.certificates, now), CERT_PADDING)], () =>
    dump.certificates.length === 0
      ? null
      : dump.certificates.map((c) => ({identity: c.identity, state: c.state, certChain: certJson(c.certChain), rootCerts: certJson(c.rootCerts)})),
  )
}

// ---- connections ----------------------------------------------------------------------------------------

export interface ConnectionsFilter {
  /** a workload name, or `name.namespace` when namespace is not set */
  workload?: string
  /** compared exactly (case-sensitive), as istioctl does */
  namespace?: string
  /** `inbound` or `outbound` leave the other direction out; anything else shows both */
  direction?: string
  /** addresses as they are, not resolved to service or workload names */
  raw?: boolean
}

function filteredStates(dump: ZtunnelDump, f: ConnectionsFilter): WorkloadState[] {
  let name = f.workload ?? ''
  let namespace = f.namespace ?? ''
  if (namespace === '' && name.includes('.')) {
    namespace = name.slice(name.indexOf('.') + 1)
    name = name.slice(0, name.indexOf('.'))
  }
  const kept = dump.workloadState.filter((s) => (namespace === '' || s.info.namespace === namespace) && (name === '' || equalFold(s.info.name, name)))
  return goSorted(kept, (a, b) => (a.info.namespace !== b.info.namespace ? a.info.namespace < b.info.namespace : a.info.name < b.info.name))
}

/** Go's net.SplitHostPort; undefined when the text is not `host:port` / `[host]:port`. */
export function splitHostPort(addr: string): {host: string; port: string} | undefined {
  if (addr.startsWith('[')) {
    const end = addr.indexOf(']')
    if (end < 0 || addr[end + 1] !== ':' || addr.indexOf(':', end + 2) >= 0) return undefined
    const host = addr.slice(1, end)
    if (host.includes('[') || host.includes(']')) return undefined
    return {host, port: addr.slice(end + 2)}
  }
  const colon = addr.lastIndexOf(':')
  if (colon < 0) return undefined
  const host = addr.slice(0, colon)
  if (host.includes(':') || host.includes('[') || host.includes(']')) return undefined
  const port = addr.slice(colon + 1)
  if (port.includes('[') || port.includes(']')) return undefined
  return {host, port}
}

const joinHostPort = (host: string, port: string): string => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`)

/** Names for addresses: a service's first VIP -> its hostname, a workload's first IP -> name.namespace. */
function addressNamer(dump: ZtunnelDump, raw: boolean): (addr: string) => string {
  if (raw) return (a) => a
  const services = new Map<string, string>()
  for (const s of dump.services) {
    const first = s.vips?.[0]
    services.set(first === undefined ? 'None' : first.includes('/') ? first.slice(first.indexOf('/') + 1) : first, s.hostname)
  }
  const workloads = new Map<string, string>()
  for (const w of dump.workloads) workloads.set(w.workloadIps?.[0] ?? 'None', `${w.name}.${w.namespace}`)
  return (addr) => {
    const hp = splitHostPort(addr)
    if (!hp) return addr
    const svc = services.get(hp.host)
    if (svc !== undefined) return joinHostPort(svc, hp.port)
    const wl = workloads.get(hp.host)
    if (wl !== undefined) return joinHostPort(wl, hp.port)
    return addr
  }
}

function connectionRows(dump: ZtunnelDump, f: ConnectionsFilter): Row[] {
  const name = addressNamer(dump, f.raw ?? false)
  const rows: Row[] = [header('WORKLOAD', 'DIRECTION', 'LOCAL', 'REMOTE', 'REMOTE TARGET', 'PROTOCOL')]
  for (const s of filteredStates(dump, f)) {
    const id = `${s.info.name}.${s.info.namespace}`
    if (f.direction !== 'outbound') {
      for (const c of s.connections.inbound ?? []) rows.push([id, 'Inbound', name(c.actualDst), name(c.src), c.originalDst, c.protocol])
    }
    if (f.direction !== 'inbound') {
      for (const c of s.connections.outbound ?? []) rows.push([id, 'Outbound', name(c.src), name(c.actualDst), name(c.originalDst), c.protocol])
    }
  }
  return rows
}

const connJson = (l: Connection[] | null): GoValue => mapOrNull(l, (c) => ({src: c.src, originalDst: c.originalDst, actualDst: c.actualDst, protocol: c.protocol}))

/** `zc connections`: per workload (sorted by namespace, name) its inbound then outbound connections. */
export function connectionsView(dump: ZtunnelDump, f: ConnectionsFilter): ViewResult {
  return result([table(connectionRows(dump, f), PADDING)], () =>
    filteredStates(dump, f).map((s) =>
      compact({
        state: omitEmpty(s.state),
        connections: {inbound: connJson(s.connections.inbound), outbound: connJson(s.connections.outbound)},
        info: {name: s.info.name, namespace: s.info.namespace, trustDomain: s.info.trustDomain, serviceAccount: s.info.serviceAccount},
      }),
    ),
  )
}

// ---- all ------------------------------------------------------------------------------------------------

/**
 * `zc all`: an empty line, then the five tables unfiltered, separated by an empty line (with headers, each
 * preceded by `------ <NAME> INFO ------` and an empty line). `-o json|yaml` echo the dump itself (`raw`).
 */
export function allView(dump: ZtunnelDump, opts: {withHeaders: boolean; now: number; raw: () => string}): ViewResult {
  const sections: Array<[string, Row[], number]> = [
    ['WORKLOAD', workloadRows(dump, {}), PADDING],
    ['SERVICE', serviceRows(dump, undefined), PADDING],
    ['POLICY', policyRows(dump, undefined), PADDING],
    ['SECRET', certificateRows(dump.certificates, opts.now), CERT_PADDING],
    ['CONNECTIONS', connectionRows(dump, {}), PADDING],
  ]
  const blocks: Block[] = [text('\n')]
  sections.forEach(([name, rows, padding], i) => {
    if (i > 0) blocks.push(text('\n'))
    if (opts.withHeaders) blocks.push(text(`------ ${name} INFO ------\n\n`))
    blocks.push(table(rows, padding))
  })
  return {blocks, data: () => JSON.parse(opts.raw()), rawJson: opts.raw}
}
