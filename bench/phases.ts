/**
 * Where the time and memory of one `pc <view> -f <file>` go, phase by phase, for BENCHMARKS.md's explanations.
 * Runs meshctl's own modules the way src/cli/run-view.ts does (read the file, parseAdminDocument, build the view,
 * render the short output, write it), with each phase timed separately and the memory after it:
 *
 *   node dist/bench/phases.js <view> <file>     view: clusters listeners routes endpoints secret bootstrap ecds eds all
 *   node dist/bench/phases.js baseline <file>   the same split for bench/baseline.mjs (read, utf8, JSON.parse, print)
 *
 * `decode` is the JSON.parse of the config sections the view shows (meshctl decodes sections lazily; they are
 * loaded here before the view is built so that building is timed alone). Prints one JSON object.
 */
import {closeSync, openSync, readFileSync, writeSync} from 'node:fs'
import {performance} from 'node:perf_hooks'

interface Phase {
  name: string
  ms: number
  rssMB: number
  heapMB: number
  externalMB: number
  /** process peak RSS so far (getrusage maxrss) */
  peakMB: number
}

const phases: Phase[] = []
let last = performance.now()
const mb = (b: number): number => Math.round(b / 1e6)
function mark(name: string): void {
  const now = performance.now()
  const m = process.memoryUsage()
  // `external` includes every Buffer/ArrayBuffer (memoryUsage().arrayBuffers is a part of it)
  phases.push({
    name,
    ms: Math.round((now - last) * 10) / 10,
    rssMB: mb(m.rss),
    heapMB: mb(m.heapUsed),
    externalMB: mb(m.external),
    peakMB: mb(process.resourceUsage().maxRSS * 1024),
  })
  last = performance.now()
}

const [view, file] = process.argv.slice(2)
if (!view || !file) {
  process.stderr.write('usage: node dist/bench/phases.js <view|baseline> <file>\n')
  process.exit(2)
}

const SECTIONS: Record<string, string[]> = {
  clusters: ['clusters'],
  listeners: ['listeners'],
  routes: ['routes'],
  secret: ['secrets'],
  bootstrap: ['bootstrap'],
  ecds: ['ecds'],
  eds: ['endpoints'],
  all: ['bootstrap', 'clusters', 'listeners', 'routes', 'secrets', 'endpoints'],
}

let outputBytes = 0
const sections: Array<{type: string; bytes: number}> = []

if (view === 'baseline') {
  const buf = readFileSync(file)
  mark('read')
  const text = buf.toString('utf8')
  mark('utf8')
  const doc = JSON.parse(text)
  mark('JSON.parse')
  const names: string[] = []
  if (Array.isArray(doc.cluster_statuses)) for (const c of doc.cluster_statuses) names.push(c.name)
  else
    for (const s of doc.configs ?? []) {
      if (!String(s['@type']).endsWith('.ClustersConfigDump')) continue
      for (const c of s.static_clusters ?? []) names.push(c.cluster.name)
      for (const c of s.dynamic_active_clusters ?? []) names.push(c.cluster.name)
    }
  const out = `${names.join('\n')}\n`
  mark('build')
  const fd = openSync('/dev/null', 'w')
  writeSync(fd, out)
  closeSync(fd)
  outputBytes = Buffer.byteLength(out)
  mark('write')
} else {
  const {parseAdminDocument, parseAdminReader, asConfigDump} = await import('../src/envoy/document.js')
  const {locateConfigEntries, locateConfigEntriesIn} = await import('../src/envoy/scan.js')
  const {readInput} = await import('../src/sources/file.js')
  const {renderShort} = await import('../src/output/render.js')
  const views = {
    clusters: await import('../src/views/clusters.js'),
    listeners: await import('../src/views/listeners.js'),
    routes: await import('../src/views/routes.js'),
    endpoints: await import('../src/views/endpoints.js'),
    secrets: await import('../src/views/secrets.js'),
    bootstrap: await import('../src/views/bootstrap.js'),
    ecds: await import('../src/views/ecds.js'),
    all: await import('../src/views/all.js'),
  }
  mark('import')
  // as the CLI reads it: whole, or (a large file) through a ByteReader, section by section
  const input = await readInput(file)
  const reader = input.reader
  const buf = reader ? undefined : input.bytes
  mark('read')
  const doc = reader ? parseAdminReader(reader, file) : parseAdminDocument(buf!, file)
  mark(doc.kind === 'config_dump' ? 'scan' : 'parse')
  if (doc.kind === 'config_dump') {
    for (const e of (reader ? locateConfigEntriesIn(reader) : locateConfigEntries(buf!)) ?? []) sections.push({type: e.type.split('.').pop() ?? e.type, bytes: e.end - e.start})
    last = performance.now()
    // `all` decodes each section while it builds its table and lets it go (ConfigDump.forgetDecoded): not here
    if (view !== 'all') for (const kind of SECTIONS[view] ?? []) doc.sections(kind as Parameters<typeof doc.sections>[0])
    mark('decode')
  }
  const now = new Date()
  let result: import('../src/views/types.js').ViewResult
  switch (view) {
    case 'clusters':
      result = views.clusters.clustersView(asConfigDump(doc, 'clusters'), {})
      break
    case 'listeners':
      result = views.listeners.listenersView(asConfigDump(doc, 'listeners'), {}, true)
      break
    case 'routes':
      result = views.routes.routesView(asConfigDump(doc, 'routes'), {}, true)
      break
    case 'endpoints':
      result = views.endpoints.endpointsView(doc, {})
      break
    case 'secret':
      result = views.secrets.secretsView(asConfigDump(doc, 'secret'), now)
      break
    case 'bootstrap':
      result = views.bootstrap.bootstrapView(asConfigDump(doc, 'bootstrap'))
      break
    case 'ecds':
      result = views.ecds.ecdsView(asConfigDump(doc, 'ecds'))
      break
    case 'eds':
      result = views.endpoints.edsView(asConfigDump(doc, 'eds'), {})
      break
    case 'all':
      result = views.all.allView(asConfigDump(doc, 'all'), {
        clusters: {},
        listeners: {},
        endpoints: {},
        verbose: true,
        withHeaders: false,
        now,
        rawJson: () => '',
      })
      break
    default:
      process.stderr.write(`unknown view ${view}\n`)
      process.exit(2)
  }
  mark('build')
  const out = renderShort(result)
  mark('render')
  const fd = openSync('/dev/null', 'w')
  writeSync(fd, out)
  closeSync(fd)
  outputBytes = Buffer.byteLength(out)
  mark('write')
}

process.stdout.write(
  `${JSON.stringify({view, file, phases, totalMs: Math.round(phases.reduce((a, p) => a + p.ms, 0)), maxRssMB: mb(process.resourceUsage().maxRSS * 1024), outputBytes, sections})}\n`,
)
