/**
 * Live istiod access for proxy-status: find the running istiod pods (label `app=istiod`, narrowed by
 * `istio.io/rev`), ask every replica in parallel for its sync status, and, for `ps <pod>`, find the replica
 * the proxy is connected to and get istiod's config for it. HTTP debug interface on the monitoring port
 * (the pod's `prometheus.io/port` annotation, else 15014) over a port-forward.
 */
import {asError, ClusterError, isMeshctlError, ProxyError} from '../errors/index.js'
import type {KubeApi} from '../kube/api.js'
import {listPods, type Pod, podId} from '../kube/pods.js'
import {portForwardRequest} from '../kube/transport.js'
import type {RawStatusDocument} from './decode.js'
import type {DecodeDocument, StatusRequest, StatusSource} from './source.js'

export const NOT_CONNECTED = 'Proxy not connected to this Pilot instance'

export interface IstiodPod extends Pod {
  metadata: Pod['metadata'] & {annotations?: Record<string, string>}
}

/** The running istiod pods of a namespace (and revision). */
export async function istiodPods(api: KubeApi, istioNamespace: string, revision?: string): Promise<IstiodPod[]> {
  const selector = `app=istiod${revision ? `,istio.io/rev=${revision}` : ''}`
  const pods = (await listPods(api, istioNamespace, selector)).filter((p) => p.status?.phase === 'Running') as IstiodPod[]
  if (pods.length === 0) {
    throw new ClusterError(`no running Istio pods in "${istioNamespace}"${revision ? ` for revision "${revision}"` : ''}`, {
      code: 'E_NO_ISTIOD',
      hint: 'check -i/--istio-namespace and -r/--revision (selector ' + selector + ')',
    })
  }
  return pods
}

/** istiod's monitoring port: the numeric `prometheus.io/port` annotation, else 15014. */
export function monitoringPort(pod: IstiodPod): number {
  const a = pod.metadata.annotations?.['prometheus.io/port']
  return a && /^\d+$/.test(a) ? Number(a) : 15014
}

async function debugGet(api: KubeApi, pod: IstiodPod, path: string): Promise<{status: number; body: Buffer}> {
  return portForwardRequest(api, pod.metadata.namespace, pod.metadata.name, monitoringPort(pod), 'GET', path)
}

/**
 * Asks every pod at once and decodes each answer the moment it is complete (the others keep arriving meanwhile);
 * a replica that fails, or whose answer does not decode, is reported and the others are shown. All failing:
 * the first failure.
 */
async function askEvery<T>(pods: IstiodPod[], ask: (pod: IstiodPod) => Promise<RawStatusDocument>, decode: DecodeDocument<T>, warn: (message: string) => void): Promise<T[]> {
  const answers = await Promise.all(
    pods.map(async (pod): Promise<{ok: T} | {err: Error}> => {
      try {
        return {ok: decode(await ask(pod))}
      } catch (err) {
        return {err: asError(err)}
      }
    }),
  )
  const decoded = answers.flatMap((a) => ('ok' in a ? [a.ok] : []))
  const errors = answers.flatMap((a) => ('err' in a ? [a.err] : []))
  if (decoded.length === 0) throw errors[0]
  for (const e of errors) warn(`${isMeshctlError(e) ? e.oneLine : e.message} (the other istiods answered)`)
  return decoded
}

const synczPath = (req: StatusRequest): string => `debug/syncz${req.namespace ? `?namespace=${encodeURIComponent(req.namespace)}` : ''}`

/** One replica's `/debug/syncz` over HTTP; an answer other than 200 is an error naming the replica. */
async function httpSyncz(api: KubeApi, pod: IstiodPod, path: string): Promise<RawStatusDocument> {
  const res = await debugGet(api, pod, path)
  if (res.status !== 200) {
    throw new ProxyError(`istiod ${podId(pod)} answered ${res.status} for /${path}: ${res.body.toString('utf8').trim().split('\n')[0]}`)
  }
  return {bytes: res.body, source: `istiod ${podId(pod)}`, istiod: pod.metadata.name}
}

/** A StatusSource that asks every istiod replica's `/debug/syncz`; a replica that fails is reported, not fatal. */
export function httpStatusSource(api: KubeApi, warn: (message: string) => void): StatusSource {
  return {
    async fetch<T>(req: StatusRequest, decode: DecodeDocument<T>): Promise<T[]> {
      const pods = await istiodPods(api, req.istioNamespace, req.revision)
      const path = synczPath(req)
      return askEvery(pods, (pod) => httpSyncz(api, pod, path), decode, warn)
    },
  }
}

/**
 * istiod's config for one proxy: asks the replicas in turn and keeps the first that has the proxy
 * connected (istioctl's rule). Undefined when none has it.
 */
export async function istiodConfigFor(api: KubeApi, pods: IstiodPod[], proxyId: string): Promise<{bytes: Buffer; istiod: string} | undefined> {
  let lastError: Error | undefined
  for (const pod of pods) {
    try {
      const res = await debugGet(api, pod, `debug/config_dump?proxyID=${encodeURIComponent(proxyId)}`)
      const text = res.body.toString('utf8', 0, Math.min(res.body.length, 200))
      if (res.status === 200 && !text.includes(NOT_CONNECTED)) return {bytes: res.body, istiod: pod.metadata.name}
      if (res.status !== 200 && !text.includes(NOT_CONNECTED)) lastError = new ProxyError(`istiod ${podId(pod)} answered ${res.status}: ${text.trim().split('\n')[0]}`)
    } catch (err) {
      lastError = asError(err)
    }
  }
  if (lastError) throw lastError
  return undefined
}

export interface XdsAccess {
  /** istiod's xDS port on its pods: 15012 (TLS + token) or 15010 (plaintext) */
  port: number
  plaintext: boolean
  /** talk to this `host:port` only, without a port-forward (an istiod outside the cluster) */
  address?: string
}

/** Asks one istiod (pod or address) for `istio.io/debug/syncz` over the xDS debug interface. */
async function xdsSyncz(api: KubeApi, istioNamespace: string, access: XdsAccess, pod?: IstiodPod, token?: () => Promise<string>): Promise<RawStatusDocument> {
  const {fetchDebug, DEBUG_SYNCZ} = await import('../xds/client.js')
  const {openPodStream} = await import('../kube/transport.js')
  const res = await fetchDebug(
    {
      ...(access.address
        ? {address: access.address}
        : {socketFactory: async () => (await openPodStream(api, pod!.metadata.namespace, pod!.metadata.name, access.port)).socket, authority: `istiod.${istioNamespace}.svc:${access.port}`}),
      tls: access.plaintext ? 'plaintext' : {insecure: true},
      token: access.plaintext || !token ? undefined : await token(),
      timeoutMs: api.timeoutMs,
      pod: pod?.metadata.name ?? access.address,
      namespace: istioNamespace,
    },
    DEBUG_SYNCZ,
  )
  const name = pod?.metadata.name ?? access.address ?? 'istiod'
  return {bytes: Buffer.from(JSON.stringify(res)), source: `istiod ${name} (xDS)`, istiod: pod?.metadata.name}
}

export type Via = 'auto' | 'http' | 'xds'

/**
 * Every istiod's sync status: HTTP `/debug/syncz` by default, the xDS debug interface when asked (`--via xds`,
 * `--xds-address`) or, with `auto`, for a replica whose HTTP interface does not answer.
 */
export function liveStatusSource(api: KubeApi, via: Via, access: XdsAccess, warn: (message: string) => void): StatusSource {
  if (via === 'http' && !access.address) return httpStatusSource(api, warn)
  return {
    async fetch<T>(req: StatusRequest, decode: DecodeDocument<T>): Promise<T[]> {
      let token: Promise<string> | undefined
      const getToken = (): Promise<string> => {
        token ??= import('../xds/token.js').then((m) => m.requestIstiodToken(api, {namespace: req.istioNamespace}))
        return token
      }
      if (access.address) return [decode(await xdsSyncz(api, req.istioNamespace, access, undefined, getToken))]
      const pods = await istiodPods(api, req.istioNamespace, req.revision)
      const path = synczPath(req)
      const ask = async (pod: IstiodPod): Promise<RawStatusDocument> => {
        if (via === 'xds') return xdsSyncz(api, req.istioNamespace, access, pod, getToken)
        try {
          return await httpSyncz(api, pod, path)
        } catch (httpErr) {
          // auto: the HTTP debug interface is not reachable; ask over xDS instead
          const viaXds = await xdsSyncz(api, req.istioNamespace, access, pod, getToken)
          warn(`istiod ${podId(pod)}: HTTP /debug/syncz failed (${(httpErr as Error).message}); used the xDS debug interface`)
          return viaXds
        }
      }
      return askEvery(pods, ask, decode, warn)
    },
  }
}
