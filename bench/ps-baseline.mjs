// The decoding floor of proxy-status (BENCHMARKS.md, section 5; issue 15): the least a Node program can do to list
// what istiod's /debug/syncz answers say. Reads each file whole, JSON.parses it, and prints one line per proxy: its
// ID, cluster, the five xDS types' states from the legacy sent/acked nonces (SYNCED when equal, NOT SENT without a
// nonce, else STALE), the replica it came from and its version. No sorting, no ages, no column alignment.
// A file is one replica's answer (an array) or several, keyed by replica (what `meshctl ps --file` reads).
// Usage: node bench/ps-baseline.mjs <file>...
import {readFileSync} from 'node:fs'
import {proxyLine} from './ps-line.mjs'

const lines = []
for (const file of process.argv.slice(2)) {
  const doc = JSON.parse(readFileSync(file, 'utf8'))
  const replicas = Array.isArray(doc) ? {[file]: doc} : doc
  for (const [istiod, proxies] of Object.entries(replicas)) {
    for (const p of proxies) lines.push(proxyLine(p, istiod))
  }
}
process.stdout.write(`${lines.join('\n')}\n`)
