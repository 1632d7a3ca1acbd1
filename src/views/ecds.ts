/** `pc ecds`: extension configurations discovered over ECDS (§4.8). */
import type {ConfigDump} from '../envoy/document.js'
import {get, getArray, getString, type Json, typeUrl} from '../envoy/fields.js'
import {convertMessage} from '../envoy/protojson.js'
import {goSortSlice} from '../util/gosort.js'
import {header, table, type ViewResult} from './types.js'

export function ecdsView(dump: ConfigDump): ViewResult {
  const sections = dump.sections('ecds')
  if (sections.length === 0) dump.requireSection('ecds')
  const entries = sections.flatMap((s) => getArray(s, 'ecds_filters'))
  const rows = entries.map((e) => {
    const filter = get(e, 'ecds_filter')
    const url = typeUrl(get(filter, 'typed_config'))
    return {name: getString(filter, 'name'), url}
  })
  goSortSlice(rows, (a, b) => (a.url !== b.url ? a.url < b.url : a.name < b.name))
  return {
    blocks: [table([header('ECDS NAME', 'TYPE'), ...rows.map((r) => [r.name, r.url.replace(/^type\.googleapis\.com\//, '')])], 5)],
    data: (): Json => ({ecdsFilters: entries.map((e) => convertMessage(e))}),
  }
}
