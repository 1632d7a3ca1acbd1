/**
 * diff's engine: two config graphs compared resource by resource (./resources.ts says what a resource and its
 * identity are, ./normalize.ts when two are the same), and the replicas of a workload compared with their majority.
 *
 * Memory: one resource type at a time. After each type both graphs forget what they decoded (ConfigGraph.forget),
 * so two 100 MB dumps are never held whole as objects at once, only their largest section. Time: equal resources
 * (most of them) are recognised by one allocation-free walk of both sides; only a changed resource is normalised
 * and turned into RFC 6902 operations (rfc6902's createPatch, from side a to side b).
 */
import {createHash} from 'node:crypto'
import {createPatch, type Operation} from 'rfc6902'
import type {Json} from '../envoy/fields.js'
import type {ConfigGraph} from '../graph/graph.js'
import {canonical, type PerPod, POD_IP, POD_NAME, podSubstitution, sameResource, withCertificateIdentity} from './normalize.js'
import {decodeRaw, type RawResource, type RawType, rawResources, routeResourceCount} from './bytes.js'
import {
  clusterMatches,
  type DiffType,
  inboundName,
  pick,
  podValuesOf,
  type Resource,
  type ResourceFilter,
  resourcesOf,
  routeConfigMatches,
  routeConfigResources,
  typesOf,
} from './resources.js'

export type {Operation} from 'rfc6902'

export interface DiffOptions extends ResourceFilter {
  /** compare version_info / last_updated / error_state times too (`_meta`) */
  includeMeta?: boolean
  /** per-pod normalisation when the sides are different proxies (default true; --no-normalize) */
  normalize?: boolean
  /** only dynamic resources (what a control plane sends; ps --semantic) */
  dynamicOnly?: boolean
}

export type Change = 'added' | 'removed' | 'changed'

export interface ResourceChange {
  type: DiffType
  name: string
  change: Change
  /** the changed fields as JSON Pointers into the normalised resource (empty for added/removed) */
  fields: string[]
  /** RFC 6902 operations turning side a's normalised resource into side b's; `add`/`remove` of "" for a whole resource */
  patch: Operation[]
  /** for `changed`: each operation with the value it replaces or removes (side a's), for the field-level diff */
  details?: FieldChange[]
}

/** One changed field: the value on side a (`before`, absent for an addition) and on side b (`after`, absent for a removal). */
export interface FieldChange {
  path: string
  before?: Json
  after?: Json
}

/** The value at a JSON Pointer (RFC 6901), or undefined. */
export function atPointer(doc: Json, pointer: string): Json | undefined {
  if (pointer === '') return doc
  let cur: Json | undefined = doc
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (Array.isArray(cur)) cur = cur[Number(key)]
    else if (cur !== null && typeof cur === 'object') cur = (cur as Record<string, Json>)[key]
    else return undefined
    if (cur === undefined) return undefined
  }
  return cur
}

function detailsOf(before: Json, patch: Operation[]): FieldChange[] {
  return patch.map((op) => {
    const d: FieldChange = {path: op.path}
    if (op.op === 'replace' || op.op === 'remove') d.before = atPointer(before, op.path)
    if (op.op === 'replace' || op.op === 'add') d.after = op.value as Json
    return d
  })
}

export interface TypeCounts {
  added: number
  removed: number
  changed: number
  unchanged: number
}

/** A per-pod value replaced by a placeholder on both sides (said in the output). */
export interface Normalisation {
  what: string
  a: string
  b: string
  placeholder: string
}

export interface DiffResult {
  equal: boolean
  /** the types compared */
  types: DiffType[]
  /** what could not be compared, and why (a side without that section: unknown is not empty) */
  warnings: string[]
  counts: Partial<Record<DiffType, TypeCounts>>
  changes: ResourceChange[]
  normalized: Normalisation[]
}

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** JSON Pointer paths of a patch, each once, in order. */
export function patchFields(patch: Operation[]): string[] {
  const seen = new Set<string>()
  for (const op of patch) seen.add(op.path)
  return [...seen]
}

/** The per-pod normalisation between two proxies, and what it replaces; undefined when they are the same proxy. */
export function perPodBetween(a: ConfigGraph, b: ConfigGraph): {perPod: PerPod; normalized: Normalisation[]} | undefined {
  const va = podValuesOf(a)
  const vb = podValuesOf(b)
  if (va.nodeId === '' || vb.nodeId === '' || va.nodeId === vb.nodeId) return undefined
  const normalized: Normalisation[] = []
  if (va.ips.join(',') !== vb.ips.join(',')) normalized.push({what: 'pod IP', a: va.ips.join(','), b: vb.ips.join(','), placeholder: POD_IP})
  if (va.podName !== vb.podName) normalized.push({what: 'pod name', a: va.podName, b: vb.podName, placeholder: POD_NAME})
  normalized.push({what: 'node id', a: va.nodeId, b: vb.nodeId, placeholder: 'pod IP and name replaced in it'})
  normalized.push({what: 'workload certificate', a: 'serial, validity', b: 'serial, validity', placeholder: 'subject, SANs and issuer compared'})
  return {perPod: {a: podSubstitution(va), b: podSubstitution(vb), certs: true}, normalized}
}

function docOf(r: Resource, perPod: PerPod | undefined): Json {
  return perPod?.certs && r.cert && typeof r.doc === 'object' && r.doc !== null && !Array.isArray(r.doc) ? withCertificateIdentity(r.doc) : r.doc
}

/** Compares two resources of the same identity: undefined when they are the same configuration. */
export function compareResources(ra: Resource, rb: Resource, perPod: PerPod | undefined): ResourceChange | undefined {
  const side = perPod && (ra.perPod || rb.perPod) ? perPod : undefined
  const da = docOf(ra, perPod)
  const db = docOf(rb, perPod)
  if (sameResource(da, db, side)) return undefined
  const before = canonical(da, side?.a)
  const patch = createPatch(before, canonical(db, side?.b))
  if (patch.length === 0) return undefined
  return {type: ra.type, name: ra.name, change: 'changed', fields: patchFields(patch), patch, details: detailsOf(before, patch)}
}

/**
 * Side a against side b, type by type. `perPod` normalisation applies when the two are different proxies (their
 * node ids differ) unless `normalize` is false.
 */
export function diffGraphs(a: ConfigGraph, b: ConfigGraph, opts: DiffOptions = {}): DiffResult {
  const between = opts.normalize === false ? undefined : perPodBetween(a, b)
  const perPod = between?.perPod
  const types = typesOf(opts)
  const result: DiffResult = {equal: true, types: [], warnings: [], counts: {}, changes: [], normalized: between?.normalized ?? []}
  const ropts = {includeMeta: opts.includeMeta ?? false, dynamicOnly: opts.dynamicOnly}
  for (const type of types) {
    // a side without the section says nothing about those resources (a dump taken without include_eds has no
    // EndpointsConfigDump: its endpoints are unknown, not gone): not compared, and said
    const hasA = hasSection(a, type)
    const hasB = hasSection(b, type)
    if (hasA !== hasB) {
      result.warnings.push(`${type} not compared: ${hasA ? 'b' : 'a'} has no ${SECTION_OF[type]}${type === 'endpoints' ? ' (a dump taken without ?include_eds)' : ''}`)
      continue
    }
    result.types.push(type)
    // the byte path (./bytes.ts) where both sections allow it; bookkeeping and the dynamic-only view read the graph
    const raw = type !== 'secrets' && type !== 'bootstrap' && !ropts.includeMeta && !ropts.dynamicOnly && !(type === 'listeners' && opts.port !== undefined) ? rawPair(a, b, type) : undefined
    const counts: TypeCounts = {added: 0, removed: 0, changed: 0, unchanged: 0}
    const changes: ResourceChange[] = []
    if (raw && type === 'routes') diffRawRoutes(raw.a, raw.b, opts, perPod, counts, changes)
    else if (raw && type !== 'routes') diffRaw(raw.a, raw.b, type as 'clusters' | 'endpoints' | 'listeners', opts, perPod, counts, changes)
    else compareMaps(resourcesOf(a, type, opts, {...ropts, rename: perPod?.a}), resourcesOf(b, type, opts, {...ropts, rename: perPod?.b}), perPod, counts, changes)
    changes.sort((x, y) => byteOrder(x.name, y.name))
    result.changes.push(...changes)
    result.counts[type] = counts
    a.forget()
    if (b !== a) b.forget()
  }
  result.equal = result.changes.length === 0
  return result
}

/** Two sides' resources of one type by identity, compared: each difference counted and added to `changes`. */
function compareMaps(ma: Map<string, Resource>, mb: Map<string, Resource>, perPod: PerPod | undefined, counts: TypeCounts, changes: ResourceChange[]): void {
  const names = [...new Set([...ma.keys(), ...mb.keys()])].sort(byteOrder)
  for (const name of names) {
    const ra = ma.get(name)
    const rb = mb.get(name)
    let change: ResourceChange | undefined
    if (!ra) change = {type: rb!.type, name, change: 'added', fields: [], patch: [{op: 'add', path: '', value: canonical(docOf(rb!, perPod), rb!.perPod ? perPod?.b : undefined)}]}
    else if (!rb) change = {type: ra.type, name, change: 'removed', fields: [], patch: [{op: 'remove', path: ''}]}
    else change = compareResources(ra, rb, perPod)
    if (!change) counts.unchanged++
    else {
      counts[change.change]++
      changes.push(change)
    }
  }
}

const SECTION_OF: Record<DiffType, string> = {
  clusters: 'ClustersConfigDump',
  listeners: 'ListenersConfigDump',
  routes: 'RoutesConfigDump',
  endpoints: 'EndpointsConfigDump',
  secrets: 'SecretsConfigDump',
  bootstrap: 'BootstrapConfigDump',
}

/** Whether the dump has the section of a type, in any form (a section, or `?resource=` entries), from its types alone. */
function hasSection(g: ConfigGraph, type: DiffType): boolean {
  const name = SECTION_OF[type]
  return g.dump.types.some((t) => t.endsWith(`.${name}`) || t.includes(`.${name}.`))
}

function rawPair(a: ConfigGraph, b: ConfigGraph, type: RawType): {a: Map<string, RawResource[]>; b: Map<string, RawResource[]>} | undefined {
  const ra = rawResources(a.dump, type)
  const rb = ra && rawResources(b.dump, type)
  return ra && rb ? {a: ra, b: rb} : undefined
}

const pickRaw = (type: DiffType, copies: RawResource[]): {copy: RawResource; state?: string} => (type === 'endpoints' ? {copy: copies[0]!} : pick(copies))

/** Whether a resource of the byte path holds per-pod values, as ./resources.ts decides for the graph path. */
const rawPerPod = (type: DiffType, r: RawResource): boolean => (type === 'clusters' && inboundName(r.name)) || (type === 'listeners' && (r.inbound === true || inboundName(r.name)))

/** A resource of the byte path as the graph path has it (./resources.ts): the copy that takes traffic, its state otherwise. */
function resourceOfRaw(type: DiffType, copies: RawResource[], rename: ((s: string) => string) | undefined): Resource {
  const {copy, state} = pickRaw(type, copies)
  const raw = decodeRaw(copy)
  const perPod = rawPerPod(type, copy)
  return {type, name: perPod && rename ? rename(copy.name) : copy.name, doc: state === undefined ? raw : {...raw, _state: state}, perPod}
}

/**
 * Clusters or endpoints compared on their bytes first (./bytes.ts): the same text is the same resource, undecoded;
 * different text is decoded and compared as the graph path compares. Identities get the same per-pod renaming.
 */
function diffRaw(
  ma: Map<string, RawResource[]>,
  mb: Map<string, RawResource[]>,
  type: 'clusters' | 'endpoints' | 'listeners',
  f: ResourceFilter,
  perPod: PerPod | undefined,
  counts: TypeCounts,
  changes: ResourceChange[],
): void {
  // identities after per-pod renaming (an inbound listener named for the pod IP): name → copies
  const keyed = (m: Map<string, RawResource[]>, rename: ((s: string) => string) | undefined): Map<string, RawResource[]> => {
    const out = new Map<string, RawResource[]>()
    for (const [name, copies] of m) {
      if (type === 'listeners' ? f.name !== undefined && name !== f.name : !clusterMatches(name, f)) continue
      out.set(rename && rawPerPod(type, pickRaw(type, copies).copy) ? rename(name) : name, copies)
    }
    return out
  }
  const ka = keyed(ma, perPod?.a)
  const kb = keyed(mb, perPod?.b)
  const names = [...new Set([...ka.keys(), ...kb.keys()])].sort(byteOrder)
  for (const name of names) {
    const ca = ka.get(name)
    const cb = kb.get(name)
    let change: ResourceChange | undefined
    if (!ca) {
      const r = resourceOfRaw(type, cb!, perPod?.b)
      change = {type, name, change: 'added', fields: [], patch: [{op: 'add', path: '', value: canonical(r.doc, r.perPod ? perPod?.b : undefined)}]}
    } else if (!cb) change = {type, name, change: 'removed', fields: [], patch: [{op: 'remove', path: ''}]}
    else {
      const pa = pickRaw(type, ca)
      const pb = pickRaw(type, cb)
      // the same text in the same state: the same resource, not decoded
      if (pa.state === pb.state && pa.copy.bytes.equals(pb.copy.bytes)) {
        counts.unchanged++
        continue
      }
      change = compareResources(resourceOfRaw(type, ca, perPod?.a), resourceOfRaw(type, cb, perPod?.b), perPod)
      if (change) change.name = name
    }
    if (!change) counts.unchanged++
    else {
      counts[change.change]++
      changes.push(change)
    }
  }
}

/**
 * Route configurations on their bytes: the same text counts its configuration, virtual hosts and routes unchanged,
 * undecoded; otherwise both are decoded into diff's route resources (./resources.ts routeConfigResources) and compared.
 */
function diffRawRoutes(ma: Map<string, RawResource[]>, mb: Map<string, RawResource[]>, f: ResourceFilter, perPod: PerPod | undefined, counts: TypeCounts, changes: ResourceChange[]): void {
  const resources = (r: RawResource | undefined, rename: ((s: string) => string) | undefined): Map<string, Resource> =>
    new Map(r ? routeConfigResources(r.name, decodeRaw(r), {}, {includeMeta: false, rename}).map((x) => [x.name, x]) : [])
  // identities after the per-pod renaming of an inbound configuration
  const keyed = (m: Map<string, RawResource[]>, rename: ((s: string) => string) | undefined): Map<string, RawResource> => {
    const out = new Map<string, RawResource>()
    for (const [n, copies] of m) if (routeConfigMatches(n, f)) out.set(rename && inboundName(n) ? rename(n) : n, copies[0]!)
    return out
  }
  const ka = keyed(ma, perPod?.a)
  const kb = keyed(mb, perPod?.b)
  for (const name of [...new Set([...ka.keys(), ...kb.keys()])].sort(byteOrder)) {
    const ra = ka.get(name)
    const rb = kb.get(name)
    if (ra && rb && ra.state === rb.state && ra.bytes.equals(rb.bytes)) {
      counts.unchanged += routeResourceCount(ra.bytes) ?? resources(ra, undefined).size
      continue
    }
    compareMaps(resources(ra, perPod?.a), resources(rb, perPod?.b), perPod, counts, changes)
  }
}

// ------------------------------------------------------------------ replicas

export interface ReplicaDifference {
  type: DiffType
  name: string
  /** `missing`: the majority has it, this pod not; `extra`: the other way; `changed`: both, not the same */
  change: 'missing' | 'extra' | 'changed'
  /** for `changed`: the fields that differ from the majority's */
  fields: string[]
}

export interface ReplicaPod {
  pod: string
  differences: ReplicaDifference[]
}

export interface ReplicaReport {
  pods: string[]
  types: DiffType[]
  /** per pod, how it differs from the majority (pods that do not differ have no differences) */
  results: ReplicaPod[]
  /** resources on which no single version has more pods than every other (e.g. 1 against 1) */
  noMajority: Array<{type: DiffType; name: string; versions: number}>
  /** what was normalised (per-pod values), in words */
  normalized: string[]
}

const ABSENT = '-'

interface Version {
  pods: string[]
  doc: Json
}

/**
 * Replicas of one workload against their majority: each pod is added as its graph arrives (and its graph is then
 * forgotten), each resource reduced to a fingerprint of its normalised form; for each resource the version most
 * pods have is the majority's, and a pod with another version (or without the resource) differs from it.
 */
export class ReplicaComparison {
  private readonly pods: string[] = []
  /** `type\0name` → fingerprint → version */
  private readonly versions = new Map<string, Map<string, Version>>()
  private readonly types: DiffType[]
  /** the types each pod's dump has a section for (a pod without EDS has unknown endpoints, not none) */
  private readonly known = new Map<string, Set<DiffType>>()
  private normalizedAny = false

  constructor(private readonly opts: DiffOptions = {}) {
    this.types = typesOf(opts)
  }

  add(pod: string, g: ConfigGraph): void {
    this.pods.push(pod)
    const normalize = this.opts.normalize !== false
    const values = podValuesOf(g)
    const sub = normalize ? podSubstitution(values) : undefined
    if (sub) this.normalizedAny = true
    const known = new Set<DiffType>()
    this.known.set(pod, known)
    for (const type of this.types) {
      if (!hasSection(g, type)) continue
      known.add(type)
      const rs = resourcesOf(g, type, this.opts, {includeMeta: this.opts.includeMeta ?? false, dynamicOnly: this.opts.dynamicOnly, rename: sub})
      for (const r of rs.values()) {
        const doc = normalize && r.cert && typeof r.doc === 'object' && r.doc !== null && !Array.isArray(r.doc) ? withCertificateIdentity(r.doc) : r.doc
        const canon = canonical(doc, r.perPod ? sub : undefined)
        const fp = createHash('sha1').update(JSON.stringify(canon)).digest('base64')
        const key = `${type}\0${r.name}`
        let byFp = this.versions.get(key)
        if (!byFp) {
          byFp = new Map()
          this.versions.set(key, byFp)
        }
        const v = byFp.get(fp)
        if (v) v.pods.push(pod)
        else byFp.set(fp, {pods: [pod], doc: canon})
      }
      g.forget()
    }
  }

  result(): ReplicaReport {
    const diffs = new Map<string, ReplicaDifference[]>(this.pods.map((p) => [p, []]))
    const noMajority: ReplicaReport['noMajority'] = []
    const keys = [...this.versions.keys()].sort(byteOrder)
    for (const key of keys) {
      const [type, name] = key.split('\0') as [DiffType, string]
      const byFp = this.versions.get(key)!
      const groups: Array<{fp: string; pods: string[]; doc?: Json}> = [...byFp].map(([fp, v]) => ({fp, pods: v.pods, doc: v.doc}))
      const having = new Set(groups.flatMap((g) => g.pods))
      const absent = this.pods.filter((p) => !having.has(p) && this.known.get(p)!.has(type))
      if (absent.length > 0) groups.push({fp: ABSENT, pods: absent})
      if (groups.length === 1) continue
      groups.sort((x, y) => y.pods.length - x.pods.length)
      if (groups[0]!.pods.length === groups[1]!.pods.length) {
        noMajority.push({type, name, versions: groups.length})
        continue
      }
      const major = groups[0]!
      for (const g of groups.slice(1)) {
        for (const pod of g.pods) {
          let d: ReplicaDifference
          if (major.fp === ABSENT) d = {type, name, change: 'extra', fields: []}
          else if (g.fp === ABSENT) d = {type, name, change: 'missing', fields: []}
          else d = {type, name, change: 'changed', fields: patchFields(createPatch(major.doc, g.doc))}
          diffs.get(pod)!.push(d)
        }
      }
    }
    const normalized = this.normalizedAny ? ['pod IP', 'pod name', 'node id', 'workload certificate serial and validity'] : []
    return {pods: [...this.pods], types: this.types, results: this.pods.map((pod) => ({pod, differences: diffs.get(pod)!})), noMajority, normalized}
  }
}
