/**
 * Turns the friendly sandbox spec (SandboxPod, SandboxWorkload, SandboxService) into the JSON objects the API server
 * returns. Only the fields kubectl, client-node and meshctl read are filled, but those are filled the way a real
 * cluster fills them (ownerReferences, selectors, status counters, container statuses, conditions).
 */
import {createHash} from 'node:crypto'
import {formatLabelSelector, isSelectorSpec} from './selectors.js'
import type {
  KubeObject,
  LabelSelectorSpec,
  SandboxContainer,
  SandboxNamespace,
  SandboxPod,
  SandboxService,
  SandboxWorkload,
} from './types.js'

export type Json = Record<string, unknown>

/** Stable UUID (v5-like layout) from a string: the same spec gives the same uids in every run. */
export function stableUid(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
}

/** A containerd-style 64-hex id (container ids, pod sandbox ids). */
export function stableId(seed: string): string {
  return createHash('sha256').update(seed).digest('hex')
}

export function isKubeObject(x: unknown): x is KubeObject {
  return typeof x === 'object' && x !== null && typeof (x as KubeObject).metadata === 'object'
}

export function iso(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

const SIDECAR_IMAGE = 'docker.io/istio/proxyv2:1.24.2'

export function imageOf(c: {name: string; image?: string}): string {
  if (c.image) return c.image
  if (c.name === 'istio-proxy' || c.name === 'istio-init' || c.name === 'istio-validation') return SIDECAR_IMAGE
  if (c.name === 'discovery') return 'docker.io/istio/pilot:1.24.2'
  return `docker.io/library/${c.name}:latest`
}

function compact<T extends Json>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k]
  return o
}

export function podPhase(p: SandboxPod): string {
  return p.phase ?? 'Running'
}

export function podReady(p: SandboxPod): boolean {
  return p.ready ?? podPhase(p) === 'Running'
}

export function podNodeName(p: SandboxPod): string | undefined {
  return p.nodeName === null ? undefined : (p.nodeName ?? 'sandbox-node')
}

export function podUid(p: SandboxPod): string {
  return p.uid ?? stableUid(`pod/${p.namespace}/${p.name}`)
}

/** containerd's pod sandbox id: what the kubelet/CRI put in port-forward error messages. */
export function podSandboxId(p: SandboxPod): string {
  return stableId(`sandbox/${podUid(p)}`)
}

/** The STATUS column kubectl shows. */
export function podStatusReason(p: SandboxPod): string {
  if (p.reason) return p.reason
  const phase = podPhase(p)
  if (phase === 'Pending') return podNodeName(p) ? 'ContainerCreating' : 'Pending'
  if (phase === 'Succeeded') return 'Completed'
  if (phase === 'Failed') return 'Error'
  return phase
}

function containerJson(c: SandboxContainer): Json {
  return compact({
    name: c.name,
    image: imageOf(c),
    ports: c.ports?.map((p) => compact({name: p.name, containerPort: p.containerPort, protocol: p.protocol ?? 'TCP'})),
    resources: {},
    restartPolicy: c.restartPolicy,
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: 'IfNotPresent',
  })
}

function containerStatus(p: SandboxPod, c: SandboxContainer, started: string, init: boolean): Json {
  const phase = podPhase(p)
  const ready = phase === 'Running' && (c.ready ?? podReady(p))
  let state: Json
  if (phase === 'Running') state = {running: {startedAt: started}}
  else if (phase === 'Pending') state = {waiting: {reason: p.reason ?? 'ContainerCreating'}}
  else if (phase === 'Succeeded') state = {terminated: {exitCode: 0, reason: 'Completed', startedAt: started, finishedAt: started}}
  else if (phase === 'Failed') state = {terminated: {exitCode: 1, reason: 'Error', startedAt: started, finishedAt: started}}
  else state = {waiting: {reason: p.reason ?? 'Unknown'}}
  const running = phase === 'Running' || phase === 'Succeeded' || phase === 'Failed'
  const image = imageOf(c)
  return compact({
    name: c.name,
    state,
    lastState: {},
    ready,
    restartCount: c.restartCount ?? 0,
    image,
    imageID: running ? `${image.replace(/:[^:/]+$/, '')}@sha256:${stableId(`image/${image}`)}` : '',
    containerID: running ? `containerd://${stableId(`container/${podUid(p)}/${c.name}`)}` : undefined,
    started: phase === 'Running' ? true : init ? undefined : false,
  })
}

export function podToObject(p: SandboxPod, index: number, start: Date, resourceVersion: string): Json {
  const created = new Date(start.getTime() - (p.ageSeconds ?? 3600) * 1000)
  const createdIso = iso(created)
  const startedIso = iso(new Date(created.getTime() + 2000))
  const phase = podPhase(p)
  const node = podNodeName(p)
  const scheduled = node !== undefined
  const hasIp = scheduled && phase !== 'Pending'
  const ip = p.ip ?? `10.244.${Math.floor(index / 250)}.${(index % 250) + 2}`
  const ready = phase === 'Running' && podReady(p)
  const cond = (type: string, status: boolean, reason?: string): Json =>
    compact({type, status: status ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: startedIso, reason})
  const conditions: Json[] = scheduled
    ? [
        cond('PodReadyToStartContainers', phase !== 'Pending'),
        cond('Initialized', phase !== 'Pending' || (p.initContainers ?? []).length === 0),
        cond('Ready', ready, ready ? undefined : phase === 'Running' ? 'ContainersNotReady' : 'PodCompleted'),
        cond('ContainersReady', ready, ready ? undefined : phase === 'Running' ? 'ContainersNotReady' : 'PodCompleted'),
        cond('PodScheduled', true),
      ]
    : [cond('PodScheduled', false, 'Unschedulable')]
  if (phase === 'Pending' && scheduled) {
    conditions[2] = cond('Ready', false, 'ContainersNotReady')
    conditions[3] = cond('ContainersReady', false, 'ContainersNotReady')
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: compact({
      name: p.name,
      generateName: p.ownerReferences?.length ? p.name.replace(/[^-]+$/, '') : undefined,
      namespace: p.namespace,
      uid: podUid(p),
      resourceVersion,
      creationTimestamp: createdIso,
      labels: p.labels,
      annotations: p.annotations,
      ownerReferences: p.ownerReferences?.map((o) =>
        compact({
          apiVersion: o.apiVersion,
          kind: o.kind,
          name: o.name,
          uid: o.uid ?? stableUid(`${o.kind}/${p.namespace}/${o.name}`),
          controller: o.controller ?? true,
          blockOwnerDeletion: o.blockOwnerDeletion ?? true,
        }),
      ),
    }),
    spec: compact({
      initContainers: p.initContainers?.map(containerJson),
      containers: p.containers.map(containerJson),
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      serviceAccount: 'default',
      nodeName: node,
      securityContext: {},
      schedulerName: 'default-scheduler',
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 0,
    }),
    status: compact({
      phase,
      conditions,
      hostIP: scheduled ? '172.18.0.2' : undefined,
      hostIPs: scheduled ? [{ip: '172.18.0.2'}] : undefined,
      podIP: hasIp ? ip : undefined,
      podIPs: hasIp ? [{ip}] : undefined,
      startTime: scheduled ? startedIso : undefined,
      initContainerStatuses: scheduled && p.initContainers?.length ? p.initContainers.map((c) => containerStatus(p, c, startedIso, true)) : undefined,
      containerStatuses: scheduled ? p.containers.map((c) => containerStatus(p, c, startedIso, false)) : undefined,
      qosClass: 'BestEffort',
    }),
  }
}

function selectorSpec(sel: Record<string, string> | LabelSelectorSpec): LabelSelectorSpec {
  return isSelectorSpec(sel) ? sel : {matchLabels: sel}
}

/** Labels that satisfy a selector (used for pod templates): matchLabels plus `In` values. */
function templateLabels(sel: LabelSelectorSpec): Record<string, string> {
  const out: Record<string, string> = {...(sel.matchLabels ?? {})}
  for (const e of sel.matchExpressions ?? []) if (e.operator === 'In' && e.values?.length) out[e.key] = e.values[0]!
  return out
}

function baseMeta(kind: string, ns: string, name: string, labels: Record<string, string> | undefined, annotations: Record<string, string> | undefined, start: Date, ageSeconds: number | undefined, rv: string): Json {
  return compact({
    name,
    namespace: ns,
    uid: stableUid(`${kind}/${ns}/${name}`),
    resourceVersion: rv,
    generation: 1,
    creationTimestamp: iso(new Date(start.getTime() - (ageSeconds ?? 3600) * 1000)),
    labels,
    annotations,
  })
}

export type WorkloadKind = 'Deployment' | 'ReplicaSet' | 'StatefulSet' | 'DaemonSet' | 'Job'

export function workloadToObject(kind: WorkloadKind, w: SandboxWorkload, start: Date, rv: string): Json {
  const sel = selectorSpec(w.selector)
  const replicas = w.replicas ?? 1
  const ready = w.readyReplicas ?? replicas
  const containers = (w.containers ?? [{name: w.name}]).map((c) => ({name: c.name, image: imageOf(c), resources: {}, imagePullPolicy: 'IfNotPresent'}))
  const template = {metadata: {labels: templateLabels(sel)}, spec: {containers, restartPolicy: kind === 'Job' ? 'Never' : 'Always'}}
  const metadata = baseMeta(kind, w.namespace, w.name, w.labels, w.annotations, start, w.ageSeconds, rv)
  if (w.ownerReferences) {
    metadata.ownerReferences = w.ownerReferences.map((o) => ({
      apiVersion: o.apiVersion,
      kind: o.kind,
      name: o.name,
      uid: o.uid ?? stableUid(`${o.kind}/${w.namespace}/${o.name}`),
      controller: o.controller ?? true,
      blockOwnerDeletion: o.blockOwnerDeletion ?? true,
    }))
  }
  const apiVersion = kind === 'Job' ? 'batch/v1' : 'apps/v1'
  const createdIso = metadata.creationTimestamp as string
  switch (kind) {
    case 'Deployment':
      return {
        apiVersion,
        kind,
        metadata: {...metadata, annotations: {'deployment.kubernetes.io/revision': '1', ...(w.annotations ?? {})}},
        spec: {replicas, selector: sel, template, strategy: {type: 'RollingUpdate', rollingUpdate: {maxUnavailable: '25%', maxSurge: '25%'}}, revisionHistoryLimit: 10, progressDeadlineSeconds: 600},
        status: compact({
          observedGeneration: 1,
          replicas,
          updatedReplicas: replicas,
          readyReplicas: ready || undefined,
          availableReplicas: ready || undefined,
          unavailableReplicas: replicas - ready || undefined,
          conditions: [
            {type: 'Available', status: ready >= replicas ? 'True' : 'False', reason: ready >= replicas ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable', lastUpdateTime: createdIso, lastTransitionTime: createdIso},
            {type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', lastUpdateTime: createdIso, lastTransitionTime: createdIso},
          ],
        }),
      }
    case 'ReplicaSet':
      return {
        apiVersion,
        kind,
        metadata,
        spec: {replicas, selector: sel, template},
        status: compact({replicas, fullyLabeledReplicas: replicas, readyReplicas: ready || undefined, availableReplicas: ready || undefined, observedGeneration: 1}),
      }
    case 'StatefulSet':
      return {
        apiVersion,
        kind,
        metadata,
        spec: {replicas, selector: sel, template, serviceName: w.name, podManagementPolicy: 'OrderedReady', updateStrategy: {type: 'RollingUpdate'}},
        status: compact({observedGeneration: 1, replicas, readyReplicas: ready || undefined, currentReplicas: replicas, updatedReplicas: replicas, availableReplicas: ready}),
      }
    case 'DaemonSet':
      return {
        apiVersion,
        kind,
        metadata,
        spec: {selector: sel, template, updateStrategy: {type: 'RollingUpdate'}},
        status: {
          currentNumberScheduled: replicas,
          numberMisscheduled: 0,
          desiredNumberScheduled: replicas,
          numberReady: ready,
          observedGeneration: 1,
          updatedNumberScheduled: replicas,
          numberAvailable: ready,
        },
      }
    case 'Job': {
      const completions = w.completions ?? 1
      const succeeded = w.succeeded ?? (w.active ? 0 : completions)
      const complete = succeeded >= completions
      return {
        apiVersion,
        kind,
        metadata,
        spec: {parallelism: 1, completions, backoffLimit: 6, selector: sel, manualSelector: true, template},
        status: compact({
          startTime: createdIso,
          completionTime: complete ? iso(new Date(Date.parse(createdIso) + 5000)) : undefined,
          succeeded: succeeded || undefined,
          failed: w.failed || undefined,
          active: w.active || undefined,
          conditions: complete ? [{type: 'Complete', status: 'True', lastProbeTime: createdIso, lastTransitionTime: createdIso}] : undefined,
        }),
      }
    }
  }
}

export function serviceToObject(s: SandboxService, index: number, start: Date, rv: string): Json {
  const type = s.type ?? 'ClusterIP'
  const clusterIP = s.clusterIP ?? (type === 'ExternalName' ? undefined : `10.96.${Math.floor(index / 250)}.${(index % 250) + 10}`)
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {...baseMeta('Service', s.namespace, s.name, s.labels, s.annotations, start, s.ageSeconds, rv), generation: undefined},
    spec: compact({
      ports: s.ports?.map((p) => compact({name: p.name, protocol: p.protocol ?? 'TCP', port: p.port, targetPort: p.targetPort ?? p.port, nodePort: p.nodePort})),
      selector: s.selector,
      clusterIP,
      clusterIPs: clusterIP ? [clusterIP] : undefined,
      type,
      sessionAffinity: 'None',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
    }),
    status: {loadBalancer: {}},
  }
}

export function namespaceToObject(n: SandboxNamespace, start: Date, rv: string): Json {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: n.name,
      uid: stableUid(`Namespace/${n.name}`),
      resourceVersion: rv,
      creationTimestamp: iso(new Date(start.getTime() - (n.ageSeconds ?? 86400) * 1000)),
      labels: {'kubernetes.io/metadata.name': n.name, ...(n.labels ?? {})},
    },
    spec: {finalizers: ['kubernetes']},
    status: {phase: 'Active'},
  }
}

/** Fills what a verbatim object lacks (uid, resourceVersion, creationTimestamp, namespace). */
export function normalizeRaw(o: KubeObject, apiVersion: string, kind: string, namespaced: boolean, start: Date, rv: string): Json {
  const meta = {...o.metadata}
  if (namespaced && !meta.namespace) meta.namespace = 'default'
  meta.uid ??= stableUid(`${kind}/${meta.namespace ?? ''}/${meta.name}`)
  meta.resourceVersion ??= rv
  meta.creationTimestamp ??= iso(new Date(start.getTime() - 3600_000))
  return {...o, apiVersion: o.apiVersion ?? apiVersion, kind: o.kind ?? kind, metadata: meta}
}

export {formatLabelSelector}
