/**
 * What istiod says about a proxy (its sync view, as `ps` reads it): types the proxy rejected (ERROR), pushes it has
 * not acknowledged (STALE) or types not sent (NOT SENT) for longer than a grace period, a proxy no istiod lists,
 * and a proxy/istiod version skew Istio does not support: the control plane may be one minor version ahead of the
 * data plane, and the data plane never ahead (istio.io/latest/docs/releases/supported-releases, "Control
 * Plane/Data Plane Skew").
 */
import type {ProxySync} from '../istiod/model.js'
import {shortType} from '../istiod/xds-types.js'
import {humanDuration} from '../istiod/age.js'
import {makeFinding} from './registry.js'
import type {Finding} from './types.js'

export interface SyncCheckOptions {
  proxy: string
  now: Date
  graceMs: number
  /** istiod versions by control plane ID / pod name (from its pod's image), when known */
  istiodVersions?: ReadonlyMap<string, string>
}

/** `1.24.3` → [1, 24]; undefined when not a version. */
export function minorOf(version: string): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)/.exec(version)
  return m ? [Number(m[1]), Number(m[2])] : undefined
}

/** Why a proxy/istiod pair is outside Istio's supported skew, or undefined when it is within it. */
export function skewProblem(proxyVersion: string, istiodVersion: string): string | undefined {
  const p = minorOf(proxyVersion)
  const i = minorOf(istiodVersion)
  if (!p || !i) return undefined
  if (p[0] !== i[0]) return `proxy ${proxyVersion} and istiod ${istiodVersion} are of different major versions`
  if (p[1] > i[1]) return `proxy ${proxyVersion} is newer than its istiod ${istiodVersion} (the data plane may never be ahead)`
  if (i[1] - p[1] > 1) return `proxy ${proxyVersion} is ${i[1] - p[1]} minor versions behind its istiod ${istiodVersion} (at most one is supported)`
  return undefined
}

/** Findings from istiod's view of one proxy; `entries` are what each istiod reported for it (none: not connected). */
export function checkSync(entries: readonly ProxySync[], opts: SyncCheckOptions): Finding[] {
  const out: Finding[] = []
  const resource = {type: 'proxy', name: opts.proxy}
  if (entries.length === 0) {
    out.push(makeFinding(opts.proxy, 'SYNC_NOT_CONNECTED', resource, 'no istiod lists this proxy as connected: it gets no config updates', 'istio-agent cannot reach istiod, or the proxy belongs to another control plane (revision)'))
    return out
  }
  for (const e of entries) {
    for (const t of e.types) {
      const type = shortType(t.typeUrl)
      const since = t.lastUpdated ? opts.now.getTime() - t.lastUpdated.getTime() : undefined
      const beyondGrace = since === undefined || since > opts.graceMs
      const ago = since !== undefined ? ` (last push ${humanDuration(since)} ago)` : ''
      if (t.status === 'ERROR') {
        out.push(makeFinding(opts.proxy, 'SYNC_ERROR', {type: 'xds', name: type}, `istiod ${e.istiod} says the proxy rejected ${type}${t.error ? `: ${t.error}` : ''}`, 'the proxy runs older config; see CONFIG_REJECTED for what Envoy refused'))
      } else if (t.status === 'STALE' && beyondGrace) {
        out.push(makeFinding(opts.proxy, 'SYNC_STALE', {type: 'xds', name: type}, `istiod ${e.istiod}: ${type} pushed but not acknowledged${ago}`))
      } else if (t.status === 'NOT SENT' && beyondGrace) {
        out.push(makeFinding(opts.proxy, 'SYNC_NOT_SENT', {type: 'xds', name: type}, `istiod ${e.istiod}: ${type} not sent${ago}`))
      }
    }
    const iv = opts.istiodVersions?.get(e.istiod)
    const problem = iv && e.istioVersion ? skewProblem(e.istioVersion, iv) : undefined
    if (problem) out.push(makeFinding(opts.proxy, 'VERSION_SKEW', resource, problem, 'restart the workload to get the current sidecar image, or upgrade the control plane before the data plane'))
  }
  return out
}
