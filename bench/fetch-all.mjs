// The floor of `check -A` (BENCHMARKS.md, check): fetch what check fetches from every proxy of the mesh, with the
// same transport and the same concurrency, and do nothing with it: /config_dump?include_eds=true and
// /clusters?format=json of every pod with an istio-proxy container, both at once over one port-forward as check
// asks them (adminGetEach), --max-concurrency proxies at a time (default 8).
// With a namespace and a label selector, the floor of `check -n <namespace> -l <selector>`: the pods they select.
// The summary (proxies, bytes, failures) goes to stderr.
// Usage: KUBECONFIG=... node bench/fetch-all.mjs [concurrency [namespace selector]]

import {adminGetEach} from '../dist/src/kube/admin.js'
import {KubeApi} from '../dist/src/kube/api.js'
import {listPods} from '../dist/src/kube/pods.js'

const limit = Number(process.argv[2] ?? 8)
const [namespace, selector] = process.argv.slice(3)
if ((namespace === undefined) !== (selector === undefined)) {
  process.stderr.write('usage: node bench/fetch-all.mjs [concurrency [namespace selector]]\n')
  process.exit(2)
}
const api = await KubeApi.open({timeoutMs: 30_000})
const opts = {transport: 'port-forward', adminPort: 15000, container: 'istio-proxy'}
const pods = (await listPods(api, namespace, selector ?? '')).filter((p) => (p.spec?.containers ?? []).some((c) => c.name === 'istio-proxy'))
let next = 0
let bytes = 0
let failed = 0
const worker = async () => {
  while (next < pods.length) {
    const p = pods[next++]
    try {
      // awaited before adding: `bytes += await x` reads `bytes` before the await, losing other workers' sums
      const answers = await Promise.all(adminGetEach(api, p, ['config_dump?include_eds=true', 'clusters?format=json'], opts))
      bytes += answers[0].length + answers[1].length
    } catch {
      failed++
    }
  }
}
await Promise.all(Array.from({length: Math.min(limit, pods.length)}, worker))
process.stderr.write(`${pods.length} proxies, ${bytes} bytes, ${failed} failed\n`)
process.exit(0)
