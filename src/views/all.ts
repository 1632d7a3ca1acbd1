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
}

const SECTIONS = ['BOOTSTRAP', 'CLUSTER', 'LISTENER', 'ROUTE', 'SECRET', 'ENDPOINTS'] as const

export function allView(dump: ConfigDump, o: AllOptions): ViewResult {
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
  return {blocks, data: () => JSON.parse(o.rawJson()), rawJson: o.rawJson, warnings}
}
