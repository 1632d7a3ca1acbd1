/**
 * `meshctl version`, as `istioctl version`: the client's version; with a cluster, the control plane's (every istiod
 * pod, `app=istiod` in the Istio namespace, each with its revision) and the data plane's (the Istio version of every
 * proxy connected to an istiod, counted per version, from istiod's sync status as `ps` reads it).
 *
 * istioctl's rules kept here (istio/pkg/version/cobra.go): when every istiod runs the same version the control plane
 * is one version (`coalesceVersions`); the data plane is `<version> (<n> proxies)` per distinct version, versions in
 * byte order, joined by `, ` (`renderProxyVersions`); the JSON keys are istioctl's (`clientVersion`, `meshVersion`
 * with `Component`/`Revision`/`Info.version`, `dataPlaneVersion` with `ID`/`IstioVersion`).
 */
import {asError, type MeshctlError} from '../errors/index.js'
import type {KubeApi} from '../kube/api.js'
import {goJson} from '../output/json.js'
import {goYaml} from '../output/yaml.js'

export interface ServerInfo {
  /** always `istiod` (the `app` label istiod's pods carry) */
  Component: string
  /** the pod's `istio.io/rev` label; `default` when absent, as istiod's own default revision */
  Revision: string
  /** `<pod>.<namespace>` */
  Pod: string
  Info: {version: string}
}

export interface ProxyInfo {
  /** proxy ID, `<pod>.<namespace>` */
  ID: string
  IstioVersion: string
}

export interface VersionReport {
  clientVersion: {version: string}
  meshVersion?: ServerInfo[]
  dataPlaneVersion?: ProxyInfo[]
}

export type VersionFormat = 'short' | 'json' | 'yaml'

interface IstiodPodWithImages {
  metadata: {name: string; namespace: string; labels?: Record<string, string>}
  spec?: {containers?: Array<{name: string; image?: string}>}
}

/**
 * The version an image reference names: its tag (`docker.io/istio/pilot:1.24.3` → `1.24.3`, a digest dropped
 * first); `unknown` without a tag (a registry port is not a tag: the tag is after the last `/`).
 */
export function imageVersion(image: string | undefined): string {
  if (!image) return 'unknown'
  const name = image.split('@')[0]!
  const last = name.slice(name.lastIndexOf('/') + 1)
  const colon = last.indexOf(':')
  return colon >= 0 && colon < last.length - 1 ? last.slice(colon + 1) : 'unknown'
}

/**
 * One ServerInfo per istiod pod: the version from the image tag of its `discovery` container (the container
 * istiod's charts name; else the pod's only container), sorted by revision then pod.
 */
export function meshVersionOf(pods: readonly IstiodPodWithImages[]): ServerInfo[] {
  return pods
    .map((p) => {
      const containers = p.spec?.containers ?? []
      const discovery = containers.find((c) => c.name === 'discovery') ?? (containers.length === 1 ? containers[0] : undefined)
      return {
        Component: 'istiod',
        Revision: p.metadata.labels?.['istio.io/rev'] || 'default',
        Pod: `${p.metadata.name}.${p.metadata.namespace}`,
        Info: {version: imageVersion(discovery?.image)},
      }
    })
    .sort((a, b) => cmp(a.Revision, b.Revision) || cmp(a.Pod, b.Pod))
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** The control plane line's value: one version when all agree (istioctl), else `<version> (revision <rev>)` per distinct pair. */
export function renderControlPlane(mesh: readonly ServerInfo[]): string {
  const versions = new Set(mesh.map((s) => s.Info.version))
  if (versions.size === 1) return [...versions][0]!
  const pairs = [...new Set(mesh.map((s) => `${s.Info.version} (revision ${s.Revision})`))]
  return pairs.join(', ')
}

/** istioctl's renderProxyVersions: `<version> (<n> proxies)` per version (`proxies` even for one, as istioctl), byte order; `none (0 proxies)` when no proxy is connected. */
export function renderDataPlane(proxies: readonly ProxyInfo[]): string {
  const counts = new Map<string, number>()
  for (const p of proxies) counts.set(p.IstioVersion, (counts.get(p.IstioVersion) ?? 0) + 1)
  if (counts.size === 0) return 'none (0 proxies)'
  return [...counts.keys()]
    .sort(cmp)
    .map((v) => `${v} (${counts.get(v)} proxies)`)
    .join(', ')
}

/** The report as printed: istioctl's lines for `short` (the table format name), else JSON or YAML of the report. */
export function renderVersion(report: VersionReport, format: VersionFormat): string {
  if (format === 'json') return `${goJson(report, 2)}\n`
  if (format === 'yaml') return goYaml(report)
  const lines = [`client version: ${report.clientVersion.version}`]
  if (report.meshVersion) lines.push(`control plane version: ${renderControlPlane(report.meshVersion)}`)
  if (report.dataPlaneVersion) lines.push(`data plane version: ${renderDataPlane(report.dataPlaneVersion)}`)
  return `${lines.join('\n')}\n`
}

export interface RemoteVersionOptions {
  istioNamespace: string
  revision?: string
  /** how syncz is fetched, as `ps --via` */
  via?: 'auto' | 'http' | 'xds'
  warn: (message: string) => void
}

/** The control plane's istiod pods (every revision unless one is asked for). Throws ClusterError when there is none. */
export async function fetchMeshVersion(api: KubeApi, opts: Pick<RemoteVersionOptions, 'istioNamespace' | 'revision'>): Promise<ServerInfo[]> {
  const {istiodPods} = await import('../istiod/live.js')
  return meshVersionOf((await istiodPods(api, opts.istioNamespace, opts.revision)) as IstiodPodWithImages[])
}

/**
 * Every proxy connected to an istiod and its Istio version, from each replica's sync status (istiod's syncz, as `ps`
 * asks it; a replica that does not answer is a warning). A proxy reported by two replicas counts once.
 */
export async function fetchDataPlaneVersion(api: KubeApi, opts: RemoteVersionOptions): Promise<ProxyInfo[]> {
  const {liveStatusSource} = await import('../istiod/live.js')
  const {decodeStatusDocument} = await import('../istiod/decode.js')
  const source = liveStatusSource(api, opts.via ?? 'auto', {port: 15012, plaintext: false}, opts.warn)
  const istiods = (await source.fetch({istioNamespace: opts.istioNamespace, revision: opts.revision}, decodeStatusDocument)).flat()
  const byId = new Map<string, ProxyInfo>()
  for (const i of istiods) {
    for (const p of i.proxies) {
      // istiod ≤ 1.1 reported proxy_version only (the decoder keeps it apart)
      if (!byId.has(p.id)) byId.set(p.id, {ID: p.id, IstioVersion: p.istioVersion || p.proxyVersion || 'unknown'})
    }
  }
  return [...byId.values()].sort((a, b) => cmp(a.ID, b.ID))
}

/**
 * The whole report. A failure to reach the cluster or istiod does not lose what was found: the report holds the
 * parts gathered so far and `error` the reason the rest is missing.
 */
export async function collectVersion(
  clientVersion: string,
  openApi: (() => Promise<KubeApi>) | undefined,
  opts: RemoteVersionOptions,
): Promise<{report: VersionReport; error?: MeshctlError | Error}> {
  const report: VersionReport = {clientVersion: {version: clientVersion}}
  if (!openApi) return {report}
  try {
    const api = await openApi()
    report.meshVersion = await fetchMeshVersion(api, opts)
    report.dataPlaneVersion = await fetchDataPlaneVersion(api, opts)
    return {report}
  } catch (err) {
    return {report, error: asError(err)}
  }
}
