/**
 * Asking live istiod replicas a debug question: the running istiod pods (`app=istiod`, `-r` narrowing by
 * `istio.io/rev`, or one named pod), each asked in parallel over the transports `ps` uses: HTTP `GET /debug/<type>`
 * through a port-forward to the monitoring port, or xDS `istio.io/debug` (resource `<type>?<query>`) on 15012 with
 * a TokenRequest token (or 15010 plaintext, or --xds-address); `auto` tries HTTP and falls back to xDS per replica.
 */
import {asError, ClusterError, isMeshctlError} from '../errors/index.js'
import type {KubeApi} from '../kube/api.js'
import {getPod, podId} from '../kube/pods.js'
import {portForwardRequest} from '../kube/transport.js'
import type {ReplicaAnswer} from './debug.js'
import {type IstiodPod, istiodPods, monitoringPort, type Via, type XdsAccess} from './live.js'

export interface DebugTargets {
  istioNamespace: string
  revision?: string
  /** one istiod pod by name */
  pod?: string
  /** only the first replica (the index) */
  first?: boolean
}

/** The replicas to ask. */
export async function debugPods(api: KubeApi, t: DebugTargets): Promise<IstiodPod[]> {
  if (t.pod) {
    const pod = (await getPod(api, t.istioNamespace, t.pod).catch((err: unknown) => {
      if (err instanceof ClusterError && err.code === 'E_NOT_FOUND') {
        throw new ClusterError(`istiod pod "${t.pod}" not found in namespace "${t.istioNamespace}"`, {code: 'E_NOT_FOUND', hint: 'check the name and -i/--istio-namespace'})
      }
      throw err
    })) as IstiodPod
    if (pod.status?.phase !== 'Running') throw new ClusterError(`istiod pod ${podId(pod)} is not running (phase ${pod.status?.phase ?? 'Unknown'})`, {code: 'E_POD_NOT_RUNNING'})
    return [pod]
  }
  const pods = await istiodPods(api, t.istioNamespace, t.revision)
  return t.first ? pods.slice(0, 1) : pods
}

async function viaHttp(api: KubeApi, pod: IstiodPod, path: string): Promise<ReplicaAnswer> {
  const res = await portForwardRequest(api, pod.metadata.namespace, pod.metadata.name, monitoringPort(pod), 'GET', path)
  return {istiod: pod.metadata.name, status: res.status, body: res.body.toString('utf8')}
}

async function viaXds(api: KubeApi, istioNamespace: string, access: XdsAccess, path: string, pod: IstiodPod | undefined, token: () => Promise<string>): Promise<ReplicaAnswer> {
  const {fetchDebug, debugText, DEBUG_ANY} = await import('../xds/client.js')
  const {openPodStream} = await import('../kube/transport.js')
  // istiod's debug generator takes the path after /debug/ (and `list` for the index)
  const type = path === 'debug' ? 'list' : path.replace(/^debug\//, '')
  const res = await fetchDebug(
    {
      ...(access.address
        ? {address: access.address}
        : {socketFactory: async () => (await openPodStream(api, pod!.metadata.namespace, pod!.metadata.name, access.port)).socket, authority: `istiod.${istioNamespace}.svc:${access.port}`}),
      tls: access.plaintext ? 'plaintext' : {insecure: true},
      token: access.plaintext ? undefined : await token(),
      timeoutMs: api.timeoutMs,
      pod: pod?.metadata.name ?? access.address,
      namespace: istioNamespace,
    },
    DEBUG_ANY,
    [type],
  )
  return {istiod: pod?.metadata.name ?? access.address ?? 'istiod', status: 200, body: debugText(res)}
}

/**
 * Every replica's answer to `path` (e.g. `debug/adsz?proxyID=x`); a replica that cannot be reached is reported by
 * `warn` while another answered, else its error is thrown.
 */
export async function askIstiods(api: KubeApi, t: DebugTargets, path: string, via: Via, access: XdsAccess, warn: (m: string) => void): Promise<ReplicaAnswer[]> {
  let token: Promise<string> | undefined
  const getToken = (): Promise<string> => {
    token ??= import('../xds/token.js').then((m) => m.requestIstiodToken(api, {namespace: t.istioNamespace}))
    return token
  }
  if (access.address) return [await viaXds(api, t.istioNamespace, access, path, undefined, getToken)]
  const pods = await debugPods(api, t)
  const results = await Promise.all(
    pods.map(async (pod): Promise<{ok: ReplicaAnswer} | {err: Error}> => {
      try {
        if (via === 'xds') return {ok: await viaXds(api, t.istioNamespace, access, path, pod, getToken)}
        try {
          return {ok: await viaHttp(api, pod, path)}
        } catch (httpErr) {
          if (via === 'http') throw httpErr
          const ok = await viaXds(api, t.istioNamespace, access, path, pod, getToken)
          warn(`istiod ${podId(pod)}: HTTP /${path} failed (${(httpErr as Error).message}); used the xDS debug interface`)
          return {ok}
        }
      } catch (err) {
        return {err: asError(err)}
      }
    }),
  )
  const ok = results.flatMap((r) => ('ok' in r ? [r.ok] : []))
  const errs = results.flatMap((r) => ('err' in r ? [r.err] : []))
  if (ok.length === 0) throw errs[0]
  for (const e of errs) warn(`${isMeshctlError(e) ? e.oneLine : e.message} (the other istiods answered)`)
  return ok
}
