/**
 * `ps <pod>`: does the proxy run what istiod computed for it? Clusters, listeners and routes of both sides
 * are normalised as istioctl does (docs/istioctl-behaviour.md §6: dynamic resources only, sorted, versions
 * and timestamps dropped) and compared as text; a difference is shown as a unified diff (7 lines of context),
 * from istiod's side to Envoy's.
 */
import {structuredPatch} from 'diff'
import type {ConfigDump} from '../envoy/document.js'
import {get, getArray, getString, isObject, type Json, type JsonObject} from '../envoy/fields.js'
import {convertMessage} from '../envoy/protojson.js'
import {goJson} from '../output/json.js'
import {text, type ViewResult} from './types.js'

type Kind = 'clusters' | 'listeners' | 'routes'

const byName = (name: (x: Json) => string) => (a: Json, b: Json): number => {
  const na = name(a)
  const nb = name(b)
  return na < nb ? -1 : na > nb ? 1 : 0
}

/** Drops the version and timestamp fields of a dynamic entry (either spelling). */
function strip(entry: Json, extra: string[] = []): JsonObject {
  const out: JsonObject = {}
  if (!isObject(entry)) return out
  const drop = new Set(['version_info', 'versionInfo', 'last_updated', 'lastUpdated', ...extra])
  for (const [k, v] of Object.entries(entry)) if (!drop.has(k)) out[k] = v
  return out
}

/** The canonical text of one side, or the reason it has none. */
export function canonical(dump: ConfigDump, kind: Kind): string {
  try {
    if (kind === 'clusters') {
      const list = getArray(dump.requireSection('clusters'), 'dynamic_active_clusters')
        .slice()
        .sort(byName((e) => getString(get(e, 'cluster'), 'name')))
        .map((e) => strip(e))
      return goJson(convertMessage({dynamic_active_clusters: list}))
    }
    if (kind === 'listeners') {
      const list = getArray(dump.requireSection('listeners', 'listener dump: '), 'dynamic_listeners')
        .filter((e) => isObject(get(e, 'active_state')))
        .slice()
        .sort(byName((e) => getString(e, 'name')))
        .map((e) => {
          const s = strip(e, ['name', 'draining_state', 'drainingState', 'warming_state', 'warmingState', 'error_state', 'errorState'])
          const active = get(s, 'active_state') ?? get(s, 'activeState')
          const key = 'active_state' in s ? 'active_state' : 'activeState'
          return {...s, [key]: strip(active as Json)}
        })
      return goJson(convertMessage({dynamic_listeners: list}))
    }
    const list = getArray(dump.requireSection('routes'), 'dynamic_route_configs')
      .slice()
      .sort(byName((e) => getString(get(e, 'route_config'), 'name')))
      .map((e) => {
        const s = strip(e)
        const key = 'route_config' in s ? 'route_config' : 'routeConfig'
        const rc = s[key]
        if (isObject(rc)) {
          const vhKey = 'virtual_hosts' in rc ? 'virtual_hosts' : 'virtualHosts'
          const vhs = getArray(rc, 'virtual_hosts').slice().sort(byName((v) => getString(v, 'name')))
          s[key] = {...rc, [vhKey]: vhs}
        }
        return s
      })
    return goJson(convertMessage({dynamic_route_configs: list}))
  } catch (err) {
    return (err as Error).message
  }
}

/** A unified diff with `--- Istiod X` / `+++ Envoy X` headers, or '' when the texts are equal. */
export function unifiedDiff(label: string, istiod: string, envoy: string): string {
  if (istiod === envoy) return ''
  const patch = structuredPatch(`Istiod ${label}`, `Envoy ${label}`, `${istiod}\n`, `${envoy}\n`, '', '', {context: 7})
  const lines = [`--- Istiod ${label}`, `+++ Envoy ${label}`]
  for (const h of patch.hunks) {
    lines.push(`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, ...h.lines.filter((l) => !l.startsWith('\\')))
  }
  return `${lines.join('\n')}\n`
}

/** RFC 1123 in the given time zone (istioctl prints local time): `Mon, 02 Jan 2006 15:04:05 MST`. */
export function rfc1123(d: Date, timeZone?: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      day: '2-digit',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  )
  const zone = parts.timeZoneName === 'GMT' || parts.timeZoneName === 'UTC' ? 'UTC' : parts.timeZoneName
  return `${parts.weekday}, ${parts.day} ${parts.month} ${parts.year} ${parts.hour}:${parts.minute}:${parts.second} ${zone}`
}

/** The most recent RDS update Envoy recorded, if any. */
function lastRdsLoad(envoy: ConfigDump): Date | undefined {
  let latest: Date | undefined
  for (const e of getArray(envoy.section('routes'), 'dynamic_route_configs')) {
    const t = getString(e, 'last_updated')
    const d = t ? new Date(t) : undefined
    if (d && !Number.isNaN(d.getTime()) && (!latest || d > latest)) latest = d
  }
  return latest
}

export interface SyncDiffResult extends ViewResult {
  /** true when all three kinds match */
  inSync: boolean
}

export function syncDiffView(istiod: ConfigDump, envoy: ConfigDump, opts: {timeZone?: string} = {}): SyncDiffResult {
  const kinds: Array<[Kind, string]> = [
    ['clusters', 'Clusters'],
    ['listeners', 'Listeners'],
    ['routes', 'Routes'],
  ]
  const parts: string[] = []
  const data: JsonObject = {}
  let inSync = true
  for (const [kind, label] of kinds) {
    const diff = unifiedDiff(label, canonical(istiod, kind), canonical(envoy, kind))
    const loaded = kind === 'routes' ? lastRdsLoad(envoy) : undefined
    const suffix = loaded ? ` (RDS last loaded at ${rfc1123(loaded, opts.timeZone)})` : ''
    if (diff === '') parts.push(`${label} Match${suffix}\n`)
    else {
      inSync = false
      parts.push(`${label} Don't Match${suffix}\n${diff}\n`)
    }
    data[kind] = {match: diff === '', ...(diff === '' ? {} : {diff}), ...(loaded ? {rdsLastLoaded: loaded.toISOString()} : {})}
  }
  return {blocks: [text(parts.join(''))], data: () => data, inSync}
}
