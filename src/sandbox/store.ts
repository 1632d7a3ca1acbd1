/**
 * The sandbox's object store: the spec converted to API objects, kept per resource type, sorted by
 * namespace/name (the order etcd returns keys in), with a cluster-wide resourceVersion counter.
 * Pods keep their SandboxPod next to the JSON: the streaming endpoints need ports/exec/containers.
 */
import {EventEmitter} from 'node:events'
import {
  isKubeObject,
  type Json,
  namespaceToObject,
  normalizeRaw,
  podToObject,
  serviceToObject,
  type WorkloadKind,
  workloadToObject,
} from './objects.js'
import {findResource, type ResourceType} from './resources.js'
import type {KubeObject, SandboxNamespace, SandboxPod, SandboxService, SandboxSpec, SandboxWorkload} from './types.js'

const WORKLOADS: Array<{key: keyof SandboxSpec; kind: WorkloadKind; group: string; plural: string}> = [
  {key: 'deployments', kind: 'Deployment', group: 'apps', plural: 'deployments'},
  {key: 'replicasets', kind: 'ReplicaSet', group: 'apps', plural: 'replicasets'},
  {key: 'statefulsets', kind: 'StatefulSet', group: 'apps', plural: 'statefulsets'},
  {key: 'daemonsets', kind: 'DaemonSet', group: 'apps', plural: 'daemonsets'},
  {key: 'jobs', kind: 'Job', group: 'batch', plural: 'jobs'},
]

function rkey(group: string, plural: string): string {
  return `${group}/${plural}`
}

function okey(ns: string | undefined, name: string): string {
  return `${ns ?? ''}/${name}`
}

export class ObjectStore {
  private rv = 1000
  private readonly objects = new Map<string, Map<string, Json>>()
  private readonly pods = new Map<string, SandboxPod>()
  private podIndex = 0
  private serviceIndex = 0
  /** ('ADDED' | 'MODIFIED' | 'DELETED', plural, object): feeds watches */
  readonly events = new EventEmitter<{change: [string, string, Json]}>()

  constructor(
    spec: SandboxSpec,
    private readonly start: Date,
  ) {
    for (const p of spec.pods ?? []) this.setPod(p)
    for (const w of WORKLOADS) {
      for (const item of (spec[w.key] ?? []) as Array<SandboxWorkload | KubeObject>) {
        const rv = this.nextRv()
        const obj = isKubeObject(item)
          ? normalizeRaw(item, w.group === 'apps' ? 'apps/v1' : 'batch/v1', w.kind, true, start, rv)
          : workloadToObject(w.kind, item, start, rv)
        this.put(w.group, w.plural, obj)
      }
    }
    for (const s of spec.services ?? []) {
      const rv = this.nextRv()
      const obj = isKubeObject(s) ? normalizeRaw(s, 'v1', 'Service', true, start, rv) : serviceToObject(s as SandboxService, this.serviceIndex++, start, rv)
      this.put('', 'services', obj)
    }
    const names = new Map<string, SandboxNamespace>()
    for (const n of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) names.set(n, {name: n})
    for (const r of this.objects.values()) {
      for (const o of r.values()) {
        const ns = (o.metadata as Json).namespace as string | undefined
        if (ns && !names.has(ns)) names.set(ns, {name: ns})
      }
    }
    for (const n of spec.namespaces ?? []) {
      const ns = typeof n === 'string' ? {name: n} : n
      names.set(ns.name, ns)
    }
    for (const n of names.values()) this.put('', 'namespaces', namespaceToObject(n, start, this.nextRv()))
  }

  nextRv(): string {
    return String(++this.rv)
  }

  get resourceVersion(): string {
    return String(this.rv)
  }

  private put(group: string, plural: string, obj: Json): void {
    const k = rkey(group, plural)
    let m = this.objects.get(k)
    if (!m) {
      m = new Map()
      this.objects.set(k, m)
    }
    const md = obj.metadata as Json
    m.set(okey(md.namespace as string | undefined, md.name as string), obj)
  }

  setPod(p: SandboxPod): void {
    const key = okey(p.namespace, p.name)
    this.pods.set(key, p)
    const existing = this.objects.get(rkey('', 'pods'))?.get(key)
    const index = existing ? ((existing as {_index?: number})._index ?? 0) : this.podIndex++
    const obj = podToObject(p, index, this.start, this.nextRv())
    Object.defineProperty(obj, '_index', {value: index, enumerable: false})
    this.put('', 'pods', obj)
    this.events.emit('change', existing ? 'MODIFIED' : 'ADDED', 'pods', obj)
    if (!this.objects.get(rkey('', 'namespaces'))?.has(okey(undefined, p.namespace)) && this.objects.has(rkey('', 'namespaces'))) {
      this.put('', 'namespaces', namespaceToObject({name: p.namespace}, this.start, this.nextRv()))
    }
  }

  deletePod(namespace: string, name: string): boolean {
    const key = okey(namespace, name)
    const obj = this.objects.get(rkey('', 'pods'))?.get(key)
    this.pods.delete(key)
    if (!obj) return false
    this.objects.get(rkey('', 'pods'))!.delete(key)
    const gone = {...obj, metadata: {...(obj.metadata as Json), resourceVersion: this.nextRv()}}
    this.events.emit('change', 'DELETED', 'pods', gone)
    return true
  }

  getPod(namespace: string, name: string): SandboxPod | undefined {
    return this.pods.get(okey(namespace, name))
  }

  allPods(): SandboxPod[] {
    return [...this.pods.values()]
  }

  get(r: ResourceType, namespace: string | undefined, name: string): Json | undefined {
    return this.objects.get(rkey(r.group, r.plural))?.get(okey(r.namespaced ? namespace : undefined, name))
  }

  /** Sorted by namespace, then name. `namespace` undefined = all namespaces. */
  list(r: ResourceType, namespace: string | undefined): Json[] {
    const m = this.objects.get(rkey(r.group, r.plural))
    if (!m) return []
    // only the namespace's entries are copied and sorted (a namespaced list of a 5,000-pod store sorted every pod)
    const all = namespace === undefined || !r.namespaced
    const prefix = `${namespace}/`
    const picked: Array<[string, Json]> = []
    for (const e of m) if (all || e[0].startsWith(prefix)) picked.push(e)
    return picked.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v)
  }

  /** Any one object of the type (no order), e.g. to learn which fields the type has. */
  any(r: ResourceType): Json | undefined {
    return this.objects.get(rkey(r.group, r.plural))?.values().next().value
  }

  resource(group: string, version: string, plural: string): ResourceType | undefined {
    return findResource(group, version, plural)
  }
}
