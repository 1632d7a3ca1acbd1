// Writes sample dumps of the Bookinfo mesh (made by the project's generator) for the README's quick start:
// samples/<app>.json (config_dump with EDS), samples/<app>.clusters.json (/clusters?format=json).
import {mkdirSync} from 'node:fs'
import {bookinfo, proxies, writeDumpToFile} from '../dist/src/gen/index.js'

const dir = process.argv[2] ?? new URL('../samples/', import.meta.url).pathname
mkdirSync(dir, {recursive: true})
const mesh = bookinfo()
const wanted = ['productpage', 'reviews-v2', 'istio-ingressgateway']
for (const p of proxies(mesh)) {
  const short = wanted.find((w) => p.pod.startsWith(`${w}-`))
  if (!short) continue
  await writeDumpToFile(mesh, p, `${dir}/${short}.json`, {includeEds: true})
  await writeDumpToFile(mesh, p, `${dir}/${short}.clusters.json`, {format: 'clusters'})
  process.stderr.write(`wrote ${dir}/${short}.json and ${short}.clusters.json (pod ${p.pod}.${p.namespace})\n`)
}
