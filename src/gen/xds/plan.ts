/**
 * What one proxy sees of the mesh, decided once per dump: which clusters, listeners and route configurations
 * exist and what they point at. The builders in this folder render these plans into Envoy JSON. Plans hold
 * indexes (service i, port j) and names rather than rendered objects, so a 70k-service dump can be
 * rendered item by item.
 *
 * Istio conventions encoded here (pilot/pkg/networking/core):
 * - every service port gets `outbound|<port>||<host>` and one `outbound|<port>|<subset>|<host>` per
 *   DestinationRule subset; sidecars also get `inbound|<targetPort>||` for the ports of services selecting
 *   their pod, plus BlackHoleCluster, PassthroughCluster and InboundPassthroughCluster;
 * - HTTP ports share one wildcard listener `0.0.0.0_<port>` whose RDS route is named `<port>`;
 * - TCP/TLS ports of services with a VIP get a listener on that VIP, `<ip>_<port>`, with a tcp_proxy;
 *   headless services get one per endpoint IP; VIP-less TLS ServiceEntries share `0.0.0.0_<port>` by SNI;
 * - unnamed ports (protocol sniffing) get a VIP listener with an HTTP chain (RDS `<host>:<port>`) and a
 *   TCP default chain;
 * - gateways get one listener per Gateway server port (`0.0.0.0_8080`), HTTP routes `http.<port>`, HTTPS
 *   routes `https.<port>.<portName>.<gateway>.<namespace>` on SNI filter chains.
 */
import type {DestinationRule, Gateway, GatewayServer, PortProtocol, Service, ServicePort} from '../model.js'
import {clusterName, labelsMatch} from '../model.js'
import type {ProxyContext} from './common.js'

export function isHttp(p: PortProtocol): boolean {
  return p === 'http' || p === 'http2' || p === 'grpc'
}

export interface OutboundClusterRef {
  kind: 'outbound'
  name: string
  /** service index in mesh.services */
  s: number
  /** port index in the service's ports */
  p: number
  /** subset index in the DestinationRule, -1 for the base cluster */
  sub: number
}

export interface SpecialClusterRef {
  kind: 'blackhole' | 'passthrough' | 'inboundPassthrough'
  name: string
}

export interface InboundClusterRef {
  kind: 'inbound'
  name: string
  inbound: InboundPort
}

export type ClusterRef = OutboundClusterRef | SpecialClusterRef | InboundClusterRef

export interface InboundPort {
  targetPort: number
  protocol: PortProtocol
  /** the services (and their port) that select this pod on this target port */
  services: {service: Service; port: ServicePort}[]
}

/** Reference to one port of one service. */
export interface SvcPort {
  s: number
  p: number
}

export type ListenerRef =
  | {kind: 'vip'; name: string; address: string; port: number; ref: SvcPort; sniff: boolean}
  | {kind: 'endpoint'; name: string; address: string; port: number; ref: SvcPort}
  | {kind: 'wildcard'; name: string; port: number; http: boolean; sni: SvcPort[]; tcp?: SvcPort}
  | {kind: 'virtualOutbound'; name: string}
  | {kind: 'virtualInbound'; name: string}
  | {kind: 'gateway'; name: string; port: number; servers: GatewayServerRef[]}

export interface GatewayServerRef {
  gateway: Gateway
  server: GatewayServer
  /** RDS route name for HTTP/HTTPS servers */
  route: string
}

export type RouteRef =
  | {kind: 'port'; name: string; port: number; entries: SvcPort[]}
  | {kind: 'sniffed'; name: string; ref: SvcPort}
  | {kind: 'gateway'; name: string; port: number; servers: GatewayServerRef[]}

export interface ProxyPlan {
  /** dynamic clusters, sorted by name as Envoy lists them */
  clusters: ClusterRef[]
  inbound: InboundPort[]
  listeners: ListenerRef[]
  routes: RouteRef[]
  /** gateway credentials (`kubernetes://<credentialName>`) this proxy needs */
  credentials: {name: string; hosts: readonly string[]}[]
}

/** Resolves the DestinationRule subsets of a service host. */
export function subsetsOf(ctx: ProxyContext, svc: Service): {dr?: DestinationRule; names: string[]} {
  const dr = ctx.mesh.lookup.destinationRuleFor(svc.hostname)
  return {dr, names: dr ? dr.subsets.map((x) => x.name) : []}
}

export function buildPlan(ctx: ProxyContext): ProxyPlan {
  const {mesh} = ctx
  const clusters: ClusterRef[] = []
  const listeners: ListenerRef[] = []
  const routes: RouteRef[] = []
  const wildcard = new Map<number, Extract<ListenerRef, {kind: 'wildcard'}>>()
  const portRoutes = new Map<number, SvcPort[]>()
  const endpointListeners = new Set<string>()

  const n = mesh.services.size
  for (let s = 0; s < n; s++) {
    const svc = mesh.services.at(s)
    const {names: subsets} = subsetsOf(ctx, svc)
    for (let p = 0; p < svc.ports.length; p++) {
      const port = svc.ports[p]
      clusters.push({kind: 'outbound', name: clusterName('outbound', port.port, '', svc.hostname), s, p, sub: -1})
      for (let k = 0; k < subsets.length; k++) {
        clusters.push({kind: 'outbound', name: clusterName('outbound', port.port, subsets[k], svc.hostname), s, p, sub: k})
      }
      if (ctx.router) continue // gateways have no outbound service listeners
      const ref = {s, p}
      if (isHttp(port.protocol)) {
        wildcardFor(wildcard, port.port).http = true
        const list = portRoutes.get(port.port) ?? []
        list.push(ref)
        portRoutes.set(port.port, list)
      } else if (svc.clusterIP !== undefined) {
        const name = `${svc.clusterIP}_${port.port}`
        listeners.push({kind: 'vip', name, address: svc.clusterIP, port: port.port, ref, sniff: port.protocol === 'auto'})
        if (port.protocol === 'auto') routes.push({kind: 'sniffed', name: `${svc.hostname}:${port.port}`, ref})
      } else if (svc.resolution === 'Passthrough' && svc.kind === 'Service') {
        // headless: one listener per endpoint address
        for (const w of mesh.lookup.workloadsOf(svc)) {
          for (const pod of mesh.lookup.pods(w)) {
            const name = `${pod.ip}_${port.targetPort}`
            if (endpointListeners.has(name)) continue // two headless services on one pod port share it
            endpointListeners.add(name)
            listeners.push({kind: 'endpoint', name, address: pod.ip, port: port.targetPort, ref})
          }
        }
      } else if (port.protocol === 'tls' || port.protocol === 'https') {
        wildcardFor(wildcard, port.port).sni.push(ref)
      } else {
        wildcardFor(wildcard, port.port).tcp ??= ref
      }
    }
  }

  const inbound: InboundPort[] = []
  const credentials: ProxyPlan['credentials'] = []
  if (!ctx.router) {
    clusters.push({kind: 'blackhole', name: 'BlackHoleCluster'})
    clusters.push({kind: 'passthrough', name: 'PassthroughCluster'})
    clusters.push({kind: 'inboundPassthrough', name: ctx.inboundPassthrough})
    const byTarget = new Map<number, InboundPort>()
    for (const svc of mesh.lookup.servicesOf(ctx.pod.workload)) {
      for (const port of svc.ports) {
        let ip = byTarget.get(port.targetPort)
        if (!ip) {
          ip = {targetPort: port.targetPort, protocol: port.protocol, services: []}
          byTarget.set(port.targetPort, ip)
          inbound.push(ip)
        }
        ip.services.push({service: svc, port})
      }
    }
    inbound.sort((a, b) => a.targetPort - b.targetPort)
    for (const ip of inbound) clusters.push({kind: 'inbound', name: clusterName('inbound', ip.targetPort, '', ''), inbound: ip})

    for (const w of wildcard.values()) listeners.push(w)
    for (const [port, entries] of portRoutes) routes.push({kind: 'port', name: String(port), port, entries})
  } else {
    clusters.push({kind: 'blackhole', name: 'BlackHoleCluster'})
    const byPort = new Map<number, GatewayServerRef[]>()
    for (const gw of mesh.gateways) {
      if (!labelsMatch(gw.selector, ctx.pod.labels)) continue
      for (const server of gw.servers) {
        const proto = server.port.protocol
        if (proto !== 'HTTP' && !(proto === 'HTTPS' && server.tls?.mode !== 'PASSTHROUGH')) continue
        const route =
          proto === 'HTTP' ? `http.${server.port.number}` : `https.${server.port.number}.${server.port.name}.${gw.name}.${gw.namespace}`
        const list = byPort.get(server.port.number) ?? []
        list.push({gateway: gw, server, route})
        byPort.set(server.port.number, list)
        if (server.tls?.credentialName && !credentials.some((c) => c.name === `kubernetes://${server.tls!.credentialName}`)) {
          credentials.push({name: `kubernetes://${server.tls.credentialName}`, hosts: server.hosts})
        }
      }
    }
    for (const [port, servers] of [...byPort].sort((a, b) => a[0] - b[0])) {
      listeners.push({kind: 'gateway', name: `0.0.0.0_${port}`, port, servers})
      // HTTP servers on one port share `http.<port>`; each HTTPS server has its own route
      const seen = new Set<string>()
      for (const ref of servers) {
        if (seen.has(ref.route)) continue
        seen.add(ref.route)
        routes.push({kind: 'gateway', name: ref.route, port, servers: servers.filter((x) => x.route === ref.route)})
      }
    }
  }

  clusters.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  listeners.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  if (!ctx.router) {
    listeners.push({kind: 'virtualOutbound', name: 'virtualOutbound'})
    listeners.push({kind: 'virtualInbound', name: 'virtualInbound'})
  }
  // numeric route names (`80`, `9080`) in numeric order first, then the others by name
  routes.sort((a, b) => {
    const na = /^\d+$/.test(a.name)
    const nb = /^\d+$/.test(b.name)
    if (na && nb) return Number(a.name) - Number(b.name)
    if (na !== nb) return na ? -1 : 1
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0
  })
  return {clusters, inbound, listeners, routes, credentials}
}

function wildcardFor(map: Map<number, Extract<ListenerRef, {kind: 'wildcard'}>>, port: number): Extract<ListenerRef, {kind: 'wildcard'}> {
  let w = map.get(port)
  if (!w) {
    w = {kind: 'wildcard', name: `0.0.0.0_${port}`, port, http: false, sni: []}
    map.set(port, w)
  }
  return w
}

