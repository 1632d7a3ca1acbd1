// The decoding baseline of BENCHMARKS.md (target 2): the least a Node program can do to list a dump's clusters.
// Reads the whole file, JSON.parses it and prints one cluster name per line: from a /config_dump, the
// ClustersConfigDump's static and dynamic active clusters; from a /clusters?format=json answer, cluster_statuses.
// Usage: node bench/baseline.mjs <file>
import {readFileSync} from 'node:fs'

const doc = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const names = []
if (Array.isArray(doc.cluster_statuses)) {
  for (const c of doc.cluster_statuses) names.push(c.name)
} else {
  for (const section of doc.configs ?? []) {
    if (!String(section['@type']).endsWith('.ClustersConfigDump')) continue
    for (const c of section.static_clusters ?? []) names.push(c.cluster.name)
    for (const c of section.dynamic_active_clusters ?? []) names.push(c.cluster.name)
  }
}
process.stdout.write(`${names.join('\n')}\n`)
