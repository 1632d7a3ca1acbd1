/** `pc bootstrap`: the bootstrap config, or with `-o short` the version summary (§4.7). */
import type {ConfigDump} from '../envoy/document.js'
import {get, getObject, getString, isObject, type Json, path} from '../envoy/fields.js'
import {resourceJson} from '../envoy/protojson.js'
import type {Row} from '../output/tabwriter.js'
import {table, type ViewResult} from './types.js'

/** Struct values in node metadata may be plain strings or `{"stringValue": ...}`-style. */
function structString(v: Json | undefined): string {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  if (isObject(v) && typeof v.stringValue === 'string') return v.stringValue
  return ''
}

export function versionRows(dump: ConfigDump): Row[] {
  const section = dump.requireSection('bootstrap')
  const node = path(section, 'bootstrap', 'node')
  const meta = getObject(node, 'metadata')
  const rows: Row[] = []
  const istioVersion = structString(get(meta, 'ISTIO_VERSION'))
  if (istioVersion !== '') rows.push(['Istio Version:', istioVersion])
  let sha = structString(get(meta, 'ISTIO_PROXY_SHA'))
  if (sha.includes(':')) sha = sha.split(':')[1]
  if (sha !== '') rows.push(['Istio Proxy Version:', sha])
  const build = getObject(node, 'user_agent_build_version')
  const version = getObject(build, 'version')
  let envoy = `${Number(getString(version, 'major_number') || 0)}.${Number(getString(version, 'minor_number') || 0)}.${Number(getString(version, 'patch') || 0)}`
  // build metadata keys contain dots: they are Struct keys, never renamed
  const bm = isObject(build) ? (build.metadata as Json) : undefined
  const label = get(bm, 'build.label')
  if (label !== undefined) envoy += `-${structString(label)}`
  for (const key of ['revision.status', 'build.type', 'ssl.version']) {
    const v = get(bm, key)
    if (v !== undefined) envoy += `/${structString(v)}`
  }
  rows.push(['Envoy Version:', envoy])
  return rows
}

export function bootstrapView(dump: ConfigDump): ViewResult {
  return {
    blocks: [table(versionRows(dump), 1, true)],
    data: (): Json => resourceJson(dump.requireSection('bootstrap')),
  }
}
