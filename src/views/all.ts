/** `pc all`: every section in one go, names typed (`cluster/...`), as istioctl (§4.9). */
import type {ConfigDump} from '../envoy/document.js'
import {InputError} from '../errors/index.js'
import {versionRows} from './bootstrap.js'
import {type ClusterFilter, clustersView} from './clusters.js'
import {edsView} from './endpoints.js'
import {type ListenerFilter, listenersView} from './listeners.js'
import {routesView} from './routes.js'
import {secretsView} from './secrets.js'
import {type Block, table, text, type ViewResult} from './types.js'

export interface AllOptions {
  clusters: ClusterFilter
  listeners: ListenerFilter
  routeName?: string
  endpoints: {address?: string; port?: number}
  verbose: boolean
  withHeaders: boolean
  now: Date
  /** the input as JSON text, echoed by -o json|yaml */
  rawJson: () => string
  /** false when only the document is printed (-o json|yaml, --query): no table is built */
  tables?: boolean
  /** the input's bytes when it is JSON (trimmed), for `-o json` of a dump too large for one string */
  rawBytes?: () => Uint8Array | undefined
}

const SECTIONS = ['BOOTSTRAP', 'CLUSTER', 'LISTENER', 'ROUTE', 'SECRET', 'ENDPOINTS'] as const

export function allView(dump: ConfigDump, o: AllOptions): ViewResult {
  if (o.tables === false) return {blocks: [], data: () => JSON.parse(o.rawJson()), rawJson: o.rawJson, rawBytes: o.rawBytes}
  const builders: Array<() => Block[]> = [
    () => [table(versionRows(dump), 1, true)],
    () => clustersView(dump, o.clusters, true).blocks,
    () => listenersView(dump, o.listeners, o.verbose, true).blocks,
    () => routesView(dump, {name: o.routeName}, o.verbose, 'route/').blocks,
    () => secretsView(dump, o.now, 'secret/').blocks,
    () => edsView(dump, o.endpoints, 'endpoint/').blocks,
  ]
  const blocks: Block[] = []
  const warnings: string[] = []
  builders.forEach((build, i) => {
    let section: Block[]
    try {
      section = build()
    } catch (err) {
      dump.forgetDecoded()
      // a dump without one section still shows the others; the gap is reported on stderr
      if (err instanceof InputError) {
        warnings.push(`${SECTIONS[i].toLowerCase()} section skipped: ${err.message}`)
        return
      }
      throw err
    }
    // the rows are built: let the decoded section go before the next one is decoded (a huge dump's sections
    // would not all fit in memory at once); -o json|yaml echoes the input and does not need them
    dump.forgetDecoded()
    if (blocks.length > 0) blocks.push(text('\n'))
    if (o.withHeaders) blocks.push(text(`------ ${SECTIONS[i]} INFO ------\n\n`))
    blocks.push(...section)
  })
  // nothing at all to show (`{}`, or a dump of sections pc all does not read): an input error, as for each view
  if (blocks.length === 0) {
    throw new InputError(`the config dump has none of the sections pc all shows (${SECTIONS.map((s) => s.toLowerCase()).join(', ')})`, {
      code: 'E_NO_SECTION',
      hint: "capture one with: kubectl exec <pod> -c istio-proxy -- pilot-agent request GET 'config_dump?include_eds' > dump.json",
    })
  }
  return {blocks, data: () => JSON.parse(o.rawJson()), rawJson: o.rawJson, rawBytes: o.rawBytes, warnings}
}

/** V8's longest string, 2^29 - 24 characters */
const MAX_STRING = 0x1fffffe8

/** The input's bytes without a byte order mark and trailing white space, when they are JSON (as inputJsonText's text). */
export function inputJsonBytes(bytes: Uint8Array): Uint8Array | undefined {
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0
  const ws = (c: number | undefined): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
  let first = start
  while (first < bytes.length && ws(bytes[first])) first++
  if (bytes[first] !== 0x7b && bytes[first] !== 0x5b) return undefined
  let end = bytes.length
  while (end > start && ws(bytes[end - 1])) end--
  return bytes.subarray(start, end)
}

/** The input as JSON text: the bytes themselves when they are JSON, else the parsed document re-encoded. */
export function inputJsonText(raw: () => unknown, bytes: Uint8Array, source: string, maxChars = MAX_STRING): string {
  // V8's longest string (2^29 - 24 characters): -o yaml and --query need the dump as one
  if (bytes.length > maxChars) {
    throw new InputError(`${source} is ${(bytes.length / 1e6).toFixed(0)} MB, more than -o yaml and --query can hold as one string`, {
      code: 'E_TOO_LARGE',
      hint: 'use -o json (printed as it is), a table view, or a narrower command such as pc clusters',
    })
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8').replace(/^\uFEFF/, '')
  return /^\s*[[{]/.test(text) ? text.replace(/\s+$/, '') : JSON.stringify(raw(), null, 2)
}
