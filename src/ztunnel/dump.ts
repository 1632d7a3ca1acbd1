/**
 * Decoding ztunnel's `/config_dump` (its admin port 15000) into the shape istioctl's `ztunnel-config` reads
 * (docs/istioctl-behaviour.md §11.3). Pure: bytes in, typed values out.
 *
 * istioctl decodes with Go's encoding/json, so this follows its rules:
 * - object keys match field names case-insensitively (ztunnel writes `workloadState`, istioctl asks for
 *   `workloadstate`); when several keys fold to one field the last one wins;
 * - unknown keys are ignored, `null` gives the zero value (`""`, 0, an empty list);
 * - a value of the wrong JSON type is an error (Go's `cannot unmarshal ... into ...`), as are numbers out of
 *   an integer field's range;
 * - `workloads`, `services`, `policies` and `certificates` may be an array or an object whose values are the
 *   items (ztunnel keys them by uid / address); the object's keys are dropped. Go iterates such a map in random
 *   order; meshctl keeps the dump's order, which is one of the orders istioctl may print.
 */
import {parseJsonBytes} from '../envoy/document.js'
import type {Json, JsonObject} from '../envoy/fields.js'
import {InputError, isMeshctlError} from '../errors/index.js'

export interface GatewayAddress {
  destination: string
}

export interface Locality {
  region: string
  zone: string
  subzone: string
}

export interface Workload {
  uid: string
  /** `null` when the dump has none (Go's nil slice prints as `null`) */
  workloadIps: string[] | null
  waypoint: GatewayAddress | null
  networkGateway: GatewayAddress | null
  protocol: string
  name: string
  namespace: string
  serviceAccount: string
  workloadName: string
  workloadType: string
  canonicalName: string
  canonicalRevision: string
  clusterId: string
  trustDomain: string
  locality: Locality
  node: string
  network: string
  status: string
  hostname: string
  capacity: number
  applicationTunnel: {protocol: string; port: number | null}
  authorizationPolicies: string[] | null
}

export interface Endpoint {
  workloadUid: string
  service: string
  address: string
  /** service port -> target port; keys are uint16 in istioctl */
  port: Map<number, number> | null
}

export interface Service {
  name: string
  namespace: string
  hostname: string
  vips: string[] | null
  /** always `network/cidr` (the dump may give `{cidr, network}` objects or such strings) */
  cidrVips: string[] | null
  ports: Map<string, number> | null
  loadBalancer: {mode: string; routingPreferences: string[] | null; healthPolicy: string} | null
  waypoint: GatewayAddress | null
  endpoints: Map<string, Endpoint | null> | null
  subjectAltNames: string[] | null
  ipFamilies: string
  canonical: boolean
  visibility: string
}

export interface StringMatch {
  Exact: string
  Suffix: string
  Prefix: string
  /** any JSON value; omitted when null */
  Presence: Json | null
}

export interface ServiceAccountMatch {
  namespace: string
  serviceAccount: string
}

export interface PolicyMatch {
  namespaces: StringMatch[] | null
  notNamespaces: StringMatch[] | null
  principals: StringMatch[] | null
  notPrincipals: StringMatch[] | null
  sourceIps: string[] | null
  notSourceIps: string[] | null
  destinationIps: string[] | null
  notDestinationIps: string[] | null
  destinationPorts: number[] | null
  notDestinationPorts: number[] | null
  serviceAccounts: ServiceAccountMatch[] | null
  notServiceAccounts: ServiceAccountMatch[] | null
}

export interface Policy {
  name: string
  namespace: string
  scope: string
  action: string
  rules: Array<Array<Array<PolicyMatch | null> | null> | null> | null
}

export interface Cert {
  pem: string
  serialNumber: string
  validFrom: string
  expirationTime: string
}

export interface Certificate {
  identity: string
  state: string
  certChain: Array<Cert | null> | null
  rootCerts: Array<Cert | null> | null
}

export interface Connection {
  src: string
  originalDst: string
  actualDst: string
  protocol: string
}

export interface WorkloadState {
  state: string
  connections: {inbound: Connection[] | null; outbound: Connection[] | null}
  info: {name: string; namespace: string; trustDomain: string; serviceAccount: string}
}

export interface ZtunnelDump {
  workloads: Workload[]
  services: Service[]
  policies: Policy[]
  certificates: Certificate[]
  workloadState: WorkloadState[]
}

const PREFIX = 'error unmarshalling config dump response from ztunnel'

/** Go's name for a JSON value's type in `cannot unmarshal <type> into ...`. */
function jsonKind(v: Json): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (typeof v === 'object') return 'object'
  return typeof v === 'boolean' ? 'bool' : typeof v === 'number' ? 'number' : 'string'
}

class Reader {
  /** a dotted path for messages, as Go names the field (`workloads.name`) */
  constructor(readonly where: string) {}

  fail(v: Json, goType: string, field: string): never {
    const kind = typeof v === 'number' ? `number ${v}` : jsonKind(v)
    throw new InputError(`json: cannot unmarshal ${kind} into Go struct field ${this.where}${field ? `.${field}` : ''} of type ${goType}`, {
      code: 'E_ZTUNNEL_DUMP',
    })
  }
}

/** An object's members by lower-cased key (last one wins, as Go assigns fields in key order). */
function folded(obj: JsonObject): Map<string, Json> {
  const m = new Map<string, Json>()
  for (const k of Object.keys(obj)) m.set(k.toLowerCase(), obj[k])
  return m
}

type Fields = Map<string, Json>

function str(f: Fields, name: string, r: Reader): string {
  const v = f.get(name.toLowerCase())
  if (v === undefined || v === null) return ''
  if (typeof v !== 'string') r.fail(v, 'string', name)
  return v
}

function bool(f: Fields, name: string, r: Reader): boolean {
  const v = f.get(name.toLowerCase())
  if (v === undefined || v === null) return false
  if (typeof v !== 'boolean') r.fail(v, 'bool', name)
  return v
}

const INT_MAX: Record<string, number> = {uint16: 0xffff, uint32: 0xffffffff, int: Number.MAX_SAFE_INTEGER}

function intValue(v: Json, goType: 'uint16' | 'uint32' | 'int', name: string, r: Reader): number {
  const min = goType === 'int' ? -Number.MAX_SAFE_INTEGER : 0
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > INT_MAX[goType]) r.fail(v, goType, name)
  return v as number
}

function int(f: Fields, name: string, goType: 'uint16' | 'uint32', r: Reader): number {
  const v = f.get(name.toLowerCase())
  if (v === undefined || v === null) return 0
  return intValue(v, goType, name, r)
}

function obj(f: Fields, name: string, r: Reader): Fields | null {
  const v = f.get(name.toLowerCase())
  if (v === undefined || v === null) return null
  if (typeof v !== 'object' || Array.isArray(v)) r.fail(v, 'struct', name)
  return folded(v as JsonObject)
}

function list<T>(f: Fields, name: string, r: Reader, item: (v: Json, r: Reader) => T, goType = '[]'): T[] | null {
  const v = f.get(name.toLowerCase())
  if (v === undefined || v === null) return null
  if (!Array.isArray(v)) r.fail(v, goType, name)
  const inner = new Reader(`${r.where}.${name}`)
  return (v as Json[]).map((x) => item(x, inner))
}

const stringItem = (v: Json, r: Reader): string => {
  if (v === null) return ''
  if (typeof v !== 'string') r.fail(v, 'string', '')
  return v as string
}

const strings = (f: Fields, name: string, r: Reader): string[] | null => list(f, name, r, stringItem, '[]string')

function asObject(v: Json, r: Reader, goType: string): Fields | null {
  if (v === null) return null
  if (typeof v !== 'object' || Array.isArray(v)) r.fail(v, goType, '')
  return folded(v as JsonObject)
}

function gateway(f: Fields, name: string, r: Reader): GatewayAddress | null {
  const g = obj(f, name, r)
  return g ? {destination: str(g, 'destination', new Reader(`${r.where}.${name}`))} : null
}

function workload(v: Json, parent: Reader): Workload {
  const r = new Reader('ZtunnelWorkload')
  const f = asObject(v, parent, 'configdump.ZtunnelWorkload') ?? new Map()
  const loc = obj(f, 'locality', r) ?? new Map()
  const tunnel = obj(f, 'applicationTunnel', r) ?? new Map()
  const tunnelPort = tunnel.get('port')
  const lr = new Reader('ZtunnelWorkload.locality')
  const tr = new Reader('ZtunnelWorkload.applicationTunnel')
  return {
    uid: str(f, 'uid', r),
    workloadIps: strings(f, 'workloadIps', r),
    waypoint: gateway(f, 'waypoint', r),
    networkGateway: gateway(f, 'networkGateway', r),
    protocol: str(f, 'protocol', r),
    name: str(f, 'name', r),
    namespace: str(f, 'namespace', r),
    serviceAccount: str(f, 'serviceAccount', r),
    workloadName: str(f, 'workloadName', r),
    workloadType: str(f, 'workloadType', r),
    canonicalName: str(f, 'canonicalName', r),
    canonicalRevision: str(f, 'canonicalRevision', r),
    clusterId: str(f, 'clusterId', r),
    trustDomain: str(f, 'trustDomain', r),
    locality: {region: str(loc, 'region', lr), zone: str(loc, 'zone', lr), subzone: str(loc, 'subzone', lr)},
    node: str(f, 'node', r),
    network: str(f, 'network', r),
    status: str(f, 'status', r),
    hostname: str(f, 'hostname', r),
    capacity: int(f, 'capacity', 'uint32', r),
    applicationTunnel: {
      protocol: str(tunnel, 'protocol', tr),
      port: tunnelPort === undefined || tunnelPort === null ? null : intValue(tunnelPort, 'uint16', 'port', tr),
    },
    authorizationPolicies: strings(f, 'authorizationPolicies', r),
  }
}

/** A JSON object as a Go map: keys kept as they are (map keys are not case-folded), values decoded. */
function map<T>(f: Fields, name: string, r: Reader, value: (v: Json, r: Reader) => T, goType: string): Map<string, T> | null {
  const v = f.get(name.toLowerCase())
  if (v === undefined || v === null) return null
  if (typeof v !== 'object' || Array.isArray(v)) r.fail(v, goType, name)
  const inner = new Reader(`${r.where}.${name}`)
  const out = new Map<string, T>()
  for (const [k, x] of Object.entries(v as JsonObject)) out.set(k, value(x, inner))
  return out
}

function endpoint(v: Json, parent: Reader): Endpoint | null {
  const f = asObject(v, parent, 'configdump.ZtunnelEndpoint')
  if (!f) return null
  const r = new Reader('ZtunnelEndpoint')
  let port: Map<number, number> | null = null
  const ports = map(f, 'port', r, (x, pr) => intValue(x, 'uint16', '', pr), 'map[uint16]uint16')
  if (ports) {
    port = new Map()
    for (const [k, x] of ports) {
      // Go decodes an integer map key from its text; anything else is an error
      if (!/^\d+$/.test(k) || Number(k) > 0xffff) throw new InputError(`json: cannot unmarshal number ${k} into Go value of type uint16`, {code: 'E_ZTUNNEL_DUMP'})
      port.set(Number(k), x)
    }
  }
  return {workloadUid: str(f, 'workloadUid', r), service: str(f, 'service', r), address: str(f, 'address', r), port}
}

/** `{cidr, network?}` or `network/cidr` -> `network/cidr` (a string without `/` is an error, as in istioctl). */
function cidrVip(v: Json, r: Reader): string {
  if (typeof v === 'string') {
    if (!v.includes('/')) throw new InputError(`invalid cidrVip "${v}"`, {code: 'E_ZTUNNEL_DUMP'})
    return v
  }
  const f = asObject(v, r, 'configdump.CidrVip') ?? new Map()
  return `${str(f, 'network', r)}/${str(f, 'cidr', r)}`
}

function service(v: Json, parent: Reader): Service {
  const r = new Reader('ZtunnelService')
  const f = asObject(v, parent, 'configdump.ZtunnelService') ?? new Map()
  const lb = obj(f, 'loadBalancer', r)
  const lr = new Reader('ZtunnelService.loadBalancer')
  return {
    name: str(f, 'name', r),
    namespace: str(f, 'namespace', r),
    hostname: str(f, 'hostname', r),
    vips: strings(f, 'vips', r),
    cidrVips: list(f, 'cidrVips', r, cidrVip),
    ports: map(f, 'ports', r, (x, pr) => intValue(x, 'int', '', pr), 'map[string]int'),
    loadBalancer: lb ? {mode: str(lb, 'mode', lr), routingPreferences: strings(lb, 'routingPreferences', lr), healthPolicy: str(lb, 'healthPolicy', lr)} : null,
    waypoint: gateway(f, 'waypoint', r),
    endpoints: map(f, 'endpoints', r, endpoint, 'map[string]*configdump.ZtunnelEndpoint'),
    subjectAltNames: strings(f, 'subjectAltNames', r),
    ipFamilies: str(f, 'ipFamilies', r),
    canonical: bool(f, 'canonical', r),
    visibility: str(f, 'visibility', r),
  }
}

function stringMatch(v: Json, parent: Reader): StringMatch {
  const f = asObject(v, parent, 'configdump.StringMatch') ?? new Map()
  const r = new Reader('StringMatch')
  const presence = f.get('presence')
  return {Exact: str(f, 'Exact', r), Suffix: str(f, 'Suffix', r), Prefix: str(f, 'Prefix', r), Presence: presence === undefined ? null : presence}
}

function saMatch(v: Json, parent: Reader): ServiceAccountMatch {
  const f = asObject(v, parent, 'configdump.ServiceAccountMatch') ?? new Map()
  const r = new Reader('ServiceAccountMatch')
  return {namespace: str(f, 'namespace', r), serviceAccount: str(f, 'serviceAccount', r)}
}

const portItem = (v: Json, r: Reader): number => (v === null ? 0 : intValue(v, 'uint16', '', r))

function policyMatch(v: Json, parent: Reader): PolicyMatch | null {
  const f = asObject(v, parent, 'configdump.PolicyMatch')
  if (!f) return null
  const r = new Reader('PolicyMatch')
  return {
    namespaces: list(f, 'namespaces', r, stringMatch),
    notNamespaces: list(f, 'notNamespaces', r, stringMatch),
    principals: list(f, 'principals', r, stringMatch),
    notPrincipals: list(f, 'notPrincipals', r, stringMatch),
    sourceIps: strings(f, 'sourceIps', r),
    notSourceIps: strings(f, 'notSourceIps', r),
    destinationIps: strings(f, 'destinationIps', r),
    notDestinationIps: strings(f, 'notDestinationIps', r),
    destinationPorts: list(f, 'destinationPorts', r, portItem, '[]uint16'),
    notDestinationPorts: list(f, 'notDestinationPorts', r, portItem, '[]uint16'),
    serviceAccounts: list(f, 'serviceAccounts', r, saMatch),
    notServiceAccounts: list(f, 'notServiceAccounts', r, saMatch),
  }
}

function arrayOf<T>(v: Json, r: Reader, item: (x: Json, r: Reader) => T): T[] | null {
  if (v === null) return null
  if (!Array.isArray(v)) r.fail(v, '[]', '')
  return (v as Json[]).map((x) => item(x, r))
}

function policy(v: Json, parent: Reader): Policy {
  const f = asObject(v, parent, 'configdump.ZtunnelPolicy') ?? new Map()
  const r = new Reader('ZtunnelPolicy')
  return {
    name: str(f, 'name', r),
    namespace: str(f, 'namespace', r),
    scope: str(f, 'scope', r),
    action: str(f, 'action', r),
    rules: list(f, 'rules', r, (x, rr) => arrayOf(x, rr, (y, ry) => arrayOf(y, ry, policyMatch)), '[][][]*configdump.PolicyMatch'),
  }
}

function cert(v: Json, parent: Reader): Cert | null {
  const f = asObject(v, parent, 'configdump.Cert')
  if (!f) return null
  const r = new Reader('Cert')
  return {pem: str(f, 'pem', r), serialNumber: str(f, 'serialNumber', r), validFrom: str(f, 'validFrom', r), expirationTime: str(f, 'expirationTime', r)}
}

function certificate(v: Json, parent: Reader): Certificate {
  const f = asObject(v, parent, 'configdump.CertsDump') ?? new Map()
  const r = new Reader('CertsDump')
  return {identity: str(f, 'identity', r), state: str(f, 'state', r), certChain: list(f, 'certChain', r, cert), rootCerts: list(f, 'rootCerts', r, cert)}
}

function connection(v: Json, parent: Reader): Connection {
  const f = asObject(v, parent, 'configdump.Connection') ?? new Map()
  const r = new Reader('Connection')
  return {src: str(f, 'src', r), originalDst: str(f, 'originalDst', r), actualDst: str(f, 'actualDst', r), protocol: str(f, 'protocol', r)}
}

function workloadState(v: Json, parent: Reader): WorkloadState {
  const f = asObject(v, parent, 'configdump.WorkloadState') ?? new Map()
  const r = new Reader('WorkloadState')
  const c = obj(f, 'connections', r) ?? new Map()
  const cr = new Reader('WorkloadState.connections')
  const info = obj(f, 'info', r) ?? new Map()
  const ir = new Reader('WorkloadState.info')
  return {
    state: str(f, 'state', r),
    connections: {inbound: list(c, 'inbound', cr, connection), outbound: list(c, 'outbound', cr, connection)},
    info: {name: str(info, 'name', ir), namespace: str(info, 'namespace', ir), trustDomain: str(info, 'trustDomain', ir), serviceAccount: str(info, 'serviceAccount', ir)},
  }
}

/** A section given as an array, or as an object whose values are the items. */
function section<T>(f: Fields, name: string, item: (v: Json, r: Reader) => T): T[] {
  const v = f.get(name.toLowerCase())
  if (v === undefined || v === null) return []
  const r = new Reader(`ZtunnelDump.${name}`)
  if (Array.isArray(v)) return v.map((x) => item(x, r))
  if (typeof v === 'object') return Object.values(v).map((x) => item(x, r))
  return r.fail(v, '[]', '')
}

/** Does this parsed document look like a ztunnel config dump (and not an Envoy one)? */
export function looksLikeZtunnelDump(doc: unknown): boolean {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return false
  const keys = Object.keys(doc).map((k) => k.toLowerCase())
  return !keys.includes('configs') && ['workloads', 'services', 'workloadstate'].some((k) => keys.includes(k))
}

/** Decodes a parsed ztunnel dump. Throws InputError (exit 3) with istioctl's messages. */
export function decodeZtunnelDump(doc: Json): ZtunnelDump {
  if (doc === null) return {workloads: [], services: [], policies: [], certificates: [], workloadState: []}
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new InputError(`${PREFIX}: json: cannot unmarshal ${jsonKind(doc)} into Go value of type configdump.ZtunnelDump`, {
      code: 'E_ZTUNNEL_DUMP',
      hint: 'expected the JSON object ztunnel answers on /config_dump (port 15000)',
    })
  }
  const f = folded(doc)
  const ws = f.get('workloadstate')
  if (ws !== undefined && ws !== null && (typeof ws !== 'object' || Array.isArray(ws))) {
    new Reader('ZtunnelDump').fail(ws, 'map[string]configdump.WorkloadState', 'workloadState')
  }
  return {
    workloads: section(f, 'workloads', workload),
    services: section(f, 'services', service),
    policies: section(f, 'policies', policy),
    certificates: section(f, 'certificates', certificate),
    workloadState: ws ? Object.values(ws as JsonObject).map((x) => workloadState(x, new Reader('ZtunnelDump.workloadState'))) : [],
  }
}

/** Parses and decodes the bytes of a ztunnel `/config_dump` (or a saved copy). */
export function parseZtunnelDump(bytes: Uint8Array, source: string): ZtunnelDump {
  let i = 0
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++
  if (i === bytes.length) {
    throw new InputError(`${PREFIX}: unexpected end of JSON input`, {code: 'E_EMPTY', hint: `${source} is empty`})
  }
  let doc: Json
  try {
    doc = parseJsonBytes(bytes, source)
  } catch (err) {
    if (isMeshctlError(err)) throw new InputError(`${PREFIX}: ${err.message}`, {code: err.code, cause: err})
    throw err
  }
  return decodeZtunnelDump(doc)
}
