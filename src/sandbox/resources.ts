/**
 * The resource types the sandbox serves: discovery data (what `/api/v1`, `/apis/apps/v1`, `/apis/batch/v1` list, so
 * kubectl's RESTMapper resolves `deploy/x`, `svc`, `po`...), selectable fields, and the server-side table printing
 * kubectl asks for (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), with the columns of
 * k8s.io/kubernetes/pkg/printers/internalversion/printers.go.
 */
import {formatLabelSelector} from './selectors.js'
import type {Json} from './objects.js'

export interface ColumnDefinition {
  name: string
  type: string
  format: string
  description: string
  priority: number
}

export interface SubresourceInfo {
  name: string
  kind: string
  verbs: string[]
}

export interface ResourceType {
  group: string
  version: string
  plural: string
  singular: string
  kind: string
  namespaced: boolean
  shortNames: string[]
  categories: string[]
  verbs: string[]
  subresources: SubresourceInfo[]
  /** selectable fields for fieldSelector */
  fields(obj: Json): Record<string, string>
  columns: ColumnDefinition[]
  cells(obj: Json, now: Date): unknown[]
}

const RW_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']

function col(name: string, type: string, description: string, priority = 0, format = ''): ColumnDefinition {
  return {name, type, format, description, priority}
}

const NAME_COL = col('Name', 'string', 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names', 0, 'name')
const AGE_COL = col('Age', 'string', 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata')

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  if (seconds < -1) return '<invalid>'
  if (seconds < 0) return '0s'
  if (seconds < 60 * 2) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 10) {
    const s = seconds % 60
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`
  }
  if (minutes < 60 * 3) return `${minutes}m`
  const hours = Math.floor(seconds / 3600)
  if (hours < 8) {
    const m = minutes % 60
    return m === 0 ? `${hours}h` : `${hours}h${m}m`
  }
  if (hours < 48) return `${hours}h`
  if (hours < 24 * 8) {
    const h = hours % 24
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365
    return dy === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${dy}d`
  }
  return `${Math.floor(hours / 24 / 365)}y`
}

// biome-ignore lint/suspicious/noExplicitAny: API objects are read loosely here, the way kubectl's printers do
type AnyJson = Record<string, any>

function meta(o: Json): AnyJson {
  return (o.metadata ?? {}) as AnyJson
}

function age(o: Json, now: Date): string {
  const ts = meta(o).creationTimestamp
  return ts ? humanDuration(now.getTime() - Date.parse(ts)) : '<unknown>'
}

function metaFields(o: Json): Record<string, string> {
  return {'metadata.name': String(meta(o).name ?? ''), 'metadata.namespace': String(meta(o).namespace ?? '')}
}

function containersOf(o: Json): AnyJson[] {
  return ((o as AnyJson).spec?.template?.spec?.containers ?? []) as AnyJson[]
}

function containerNames(o: Json): string {
  return containersOf(o).map((c) => c.name).join(',') || '<none>'
}

function images(o: Json): string {
  return containersOf(o).map((c) => c.image).join(',') || '<none>'
}

function selectorText(o: Json): string {
  return formatLabelSelector((o as AnyJson).spec?.selector) || '<none>'
}

const WORKLOAD_WIDE = [
  col('Containers', 'string', 'Names of each container in the template.', 1),
  col('Images', 'string', 'Images referenced by each container in the template.', 1),
  col('Selector', 'string', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.', 1),
]

const pods: ResourceType = {
  group: '',
  version: 'v1',
  plural: 'pods',
  singular: 'pod',
  kind: 'Pod',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  verbs: RW_VERBS,
  subresources: [
    {name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get']},
    {name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get']},
    {name: 'log', kind: 'Pod', verbs: ['get']},
    {name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get']},
    {name: 'status', kind: 'Pod', verbs: ['get', 'patch', 'update']},
  ],
  fields(o) {
    const p = o as AnyJson
    return {
      ...metaFields(o),
      'spec.nodeName': p.spec?.nodeName ?? '',
      'spec.restartPolicy': p.spec?.restartPolicy ?? '',
      'spec.schedulerName': p.spec?.schedulerName ?? '',
      'spec.serviceAccountName': p.spec?.serviceAccountName ?? '',
      'spec.hostNetwork': String(p.spec?.hostNetwork ?? false),
      'status.phase': p.status?.phase ?? '',
      'status.podIP': p.status?.podIP ?? '',
      'status.nominatedNodeName': p.status?.nominatedNodeName ?? '',
    }
  },
  columns: [
    NAME_COL,
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    AGE_COL,
    col('IP', 'string', 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', 1),
    col('Node', 'string', "NodeName is a request to schedule this pod onto a specific node. If it is non-empty, the scheduler simply schedules this pod onto that node, assuming that it fits resource requirements.", 1),
    col('Nominated Node', 'string', 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.', 1),
    col('Readiness Gates', 'string', 'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates', 1),
  ],
  cells(o, now) {
    const p = o as AnyJson
    const statuses: AnyJson[] = p.status?.containerStatuses ?? []
    const sidecars: AnyJson[] = (p.status?.initContainerStatuses ?? []).filter((s: AnyJson) =>
      (p.spec?.initContainers ?? []).some((c: AnyJson) => c.name === s.name && c.restartPolicy === 'Always'),
    )
    const nativeSidecars = (p.spec?.initContainers ?? []).filter((c: AnyJson) => c.restartPolicy === 'Always').length
    const total = (p.spec?.containers ?? []).length + nativeSidecars
    const ready = [...statuses, ...sidecars].filter((s) => s.ready).length
    const restarts = [...statuses, ...sidecars].reduce((n, s) => n + (s.restartCount ?? 0), 0)
    return [
      meta(o).name,
      `${ready}/${total}`,
      statusColumn(p),
      String(restarts),
      age(o, now),
      p.status?.podIP ?? '<none>',
      p.spec?.nodeName ?? '<none>',
      p.status?.nominatedNodeName ?? '<none>',
      '<none>',
    ]
  },
}

function statusColumn(p: AnyJson): string {
  if (p.status?.reason) return p.status.reason
  for (const s of p.status?.containerStatuses ?? []) {
    if (s.state?.waiting?.reason) return s.state.waiting.reason
    if (s.state?.terminated?.reason) return s.state.terminated.reason
  }
  return p.status?.phase ?? 'Unknown'
}

const services: ResourceType = {
  group: '',
  version: 'v1',
  plural: 'services',
  singular: 'service',
  kind: 'Service',
  namespaced: true,
  shortNames: ['svc'],
  categories: ['all'],
  verbs: RW_VERBS.filter((v) => v !== 'deletecollection'),
  subresources: [
    {name: 'proxy', kind: 'ServiceProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update']},
    {name: 'status', kind: 'Service', verbs: ['get', 'patch', 'update']},
  ],
  fields: metaFields,
  columns: [
    NAME_COL,
    col('Type', 'string', 'The type of service.'),
    col('Cluster-IP', 'string', 'The cluster IP of the service.'),
    col('External-IP', 'string', 'The external IP of the service.'),
    col('Port(s)', 'string', 'The ports of the service.'),
    AGE_COL,
    col('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.', 1),
  ],
  cells(o, now) {
    const s = o as AnyJson
    const ports = (s.spec?.ports ?? []).map((p: AnyJson) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p.port}/${p.protocol}`)).join(',')
    const sel = s.spec?.selector ? Object.keys(s.spec.selector).sort().map((k) => `${k}=${s.spec.selector[k]}`).join(',') : '<none>'
    return [meta(o).name, s.spec?.type ?? 'ClusterIP', s.spec?.clusterIP ?? '<none>', s.spec?.type === 'LoadBalancer' ? '<pending>' : '<none>', ports || '<none>', age(o, now), sel]
  },
}

const namespaces: ResourceType = {
  group: '',
  version: 'v1',
  plural: 'namespaces',
  singular: 'namespace',
  kind: 'Namespace',
  namespaced: false,
  shortNames: ['ns'],
  categories: [],
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: [
    {name: 'finalize', kind: 'Namespace', verbs: ['update']},
    {name: 'status', kind: 'Namespace', verbs: ['get', 'patch', 'update']},
  ],
  fields(o) {
    return {'metadata.name': String(meta(o).name ?? ''), 'status.phase': String((o as AnyJson).status?.phase ?? '')}
  },
  columns: [NAME_COL, col('Status', 'string', 'The status of the namespace'), AGE_COL],
  cells(o, now) {
    return [meta(o).name, (o as AnyJson).status?.phase ?? 'Active', age(o, now)]
  },
}

const deployments: ResourceType = {
  group: 'apps',
  version: 'v1',
  plural: 'deployments',
  singular: 'deployment',
  kind: 'Deployment',
  namespaced: true,
  shortNames: ['deploy'],
  categories: ['all'],
  verbs: RW_VERBS,
  subresources: [
    {name: 'scale', kind: 'Scale', verbs: ['get', 'patch', 'update']},
    {name: 'status', kind: 'Deployment', verbs: ['get', 'patch', 'update']},
  ],
  fields: metaFields,
  columns: [
    NAME_COL,
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    col('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    AGE_COL,
    ...WORKLOAD_WIDE,
  ],
  cells(o, now) {
    const d = o as AnyJson
    return [meta(o).name, `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`, d.status?.updatedReplicas ?? 0, d.status?.availableReplicas ?? 0, age(o, now), containerNames(o), images(o), selectorText(o)]
  },
}

const replicasets: ResourceType = {
  group: 'apps',
  version: 'v1',
  plural: 'replicasets',
  singular: 'replicaset',
  kind: 'ReplicaSet',
  namespaced: true,
  shortNames: ['rs'],
  categories: ['all'],
  verbs: RW_VERBS,
  subresources: [
    {name: 'scale', kind: 'Scale', verbs: ['get', 'patch', 'update']},
    {name: 'status', kind: 'ReplicaSet', verbs: ['get', 'patch', 'update']},
  ],
  fields: (o) => ({...metaFields(o), 'status.replicas': String((o as AnyJson).status?.replicas ?? 0)}),
  columns: [
    NAME_COL,
    col('Desired', 'integer', 'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller'),
    col('Current', 'integer', 'Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller'),
    col('Ready', 'integer', 'readyReplicas is the number of pods targeted by this ReplicaSet with a Ready Condition.'),
    AGE_COL,
    ...WORKLOAD_WIDE,
  ],
  cells(o, now) {
    const r = o as AnyJson
    return [meta(o).name, r.spec?.replicas ?? 1, r.status?.replicas ?? 0, r.status?.readyReplicas ?? 0, age(o, now), containerNames(o), images(o), selectorText(o)]
  },
}

const statefulsets: ResourceType = {
  group: 'apps',
  version: 'v1',
  plural: 'statefulsets',
  singular: 'statefulset',
  kind: 'StatefulSet',
  namespaced: true,
  shortNames: ['sts'],
  categories: ['all'],
  verbs: RW_VERBS,
  subresources: [
    {name: 'scale', kind: 'Scale', verbs: ['get', 'patch', 'update']},
    {name: 'status', kind: 'StatefulSet', verbs: ['get', 'patch', 'update']},
  ],
  fields: metaFields,
  columns: [
    NAME_COL,
    col('Ready', 'string', 'Number of the pod with ready state'),
    AGE_COL,
    col('Containers', 'string', 'Names of each container in the template.', 1),
    col('Images', 'string', 'Images referenced by each container in the template.', 1),
  ],
  cells(o, now) {
    const s = o as AnyJson
    return [meta(o).name, `${s.status?.readyReplicas ?? 0}/${s.spec?.replicas ?? 1}`, age(o, now), containerNames(o), images(o)]
  },
}

const daemonsets: ResourceType = {
  group: 'apps',
  version: 'v1',
  plural: 'daemonsets',
  singular: 'daemonset',
  kind: 'DaemonSet',
  namespaced: true,
  shortNames: ['ds'],
  categories: ['all'],
  verbs: RW_VERBS,
  subresources: [{name: 'status', kind: 'DaemonSet', verbs: ['get', 'patch', 'update']}],
  fields: metaFields,
  columns: [
    NAME_COL,
    col('Desired', 'integer', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).'),
    col('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
    col('Ready', 'integer', 'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.'),
    col('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
    col('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)'),
    col('Node Selector', 'string', 'NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node\'s labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/'),
    AGE_COL,
    ...WORKLOAD_WIDE,
  ],
  cells(o, now) {
    const d = o as AnyJson
    const st = d.status ?? {}
    return [meta(o).name, st.desiredNumberScheduled ?? 0, st.currentNumberScheduled ?? 0, st.numberReady ?? 0, st.updatedNumberScheduled ?? 0, st.numberAvailable ?? 0, '<none>', age(o, now), containerNames(o), images(o), selectorText(o)]
  },
}

const jobs: ResourceType = {
  group: 'batch',
  version: 'v1',
  plural: 'jobs',
  singular: 'job',
  kind: 'Job',
  namespaced: true,
  shortNames: [],
  categories: ['all'],
  verbs: RW_VERBS,
  subresources: [{name: 'status', kind: 'Job', verbs: ['get', 'patch', 'update']}],
  fields: (o) => ({...metaFields(o), 'status.successful': String((o as AnyJson).status?.succeeded ?? 0)}),
  columns: [
    NAME_COL,
    col('Status', 'string', 'Status of the job.'),
    col('Completions', 'string', 'The completion status of the job.'),
    col('Duration', 'string', 'Time required to complete the job.'),
    AGE_COL,
    ...WORKLOAD_WIDE,
  ],
  cells(o, now) {
    const j = o as AnyJson
    const conds: AnyJson[] = j.status?.conditions ?? []
    const status = conds.some((c) => c.type === 'Complete' && c.status === 'True')
      ? 'Complete'
      : conds.some((c) => c.type === 'Failed' && c.status === 'True')
        ? 'Failed'
        : 'Running'
    const start = j.status?.startTime ? Date.parse(j.status.startTime) : undefined
    const end = j.status?.completionTime ? Date.parse(j.status.completionTime) : now.getTime()
    return [meta(o).name, status, `${j.status?.succeeded ?? 0}/${j.spec?.completions ?? 1}`, start ? humanDuration(end - start) : '', age(o, now), containerNames(o), images(o), selectorText(o)]
  },
}

export const RESOURCES: ResourceType[] = [pods, services, namespaces, deployments, replicasets, statefulsets, daemonsets, jobs]

export const API_GROUPS: Array<{group: string; version: string}> = [
  {group: 'apps', version: 'v1'},
  {group: 'batch', version: 'v1'},
]

export function findResource(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural)
}

/** `/api/v1`, `/apis/apps/v1`: an APIResourceList. */
export function resourceList(group: string, version: string): Json {
  const resources: Json[] = []
  for (const r of RESOURCES.filter((x) => x.group === group && x.version === version)) {
    const entry: Json = {name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs}
    if (r.shortNames.length) entry.shortNames = r.shortNames
    if (r.categories.length) entry.categories = r.categories
    entry.storageVersionHash = Buffer.from(`${group}/${version}/${r.kind}`).toString('base64').slice(0, 11)
    resources.push(entry)
    for (const s of r.subresources) {
      resources.push({name: `${r.plural}/${s.name}`, singularName: '', namespaced: r.namespaced, kind: s.kind, verbs: s.verbs})
    }
  }
  return {kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources}
}

export function apiGroup(group: string, version: string): Json {
  const gv = {groupVersion: `${group}/${version}`, version}
  return {name: group, versions: [gv], preferredVersion: gv}
}
