// `npm run demo`: a short tour of meshctl on the Bookinfo sample mesh. Prints each command and its output,
// and exits non-zero if any command fails. (With issue 3 the tour runs against the sandbox cluster.)
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const bin = join(root, 'bin/run.js')
const dir = mkdtempSync(join(tmpdir(), 'meshctl-demo-'))
const s = (name) => join(dir, name)

const gen = spawnSync(process.execPath, [join(root, 'scripts/sample.js'), dir], {stdio: ['ignore', 'inherit', 'inherit']})
if (gen.status !== 0) process.exit(gen.status ?? 1)

const tour = [
  ['Which clusters does productpage know for reviews, and which DestinationRule made them?', ['pc', 'clusters', '-f', s('productpage.json'), '--fqdn', 'reviews']],
  ['Its listeners on port 9080, one row per filter chain:', ['pc', 'listeners', '-f', s('productpage.json'), '--port', '9080']],
  ['The routes behind RDS 9080, with the VirtualService of each:', ['pc', 'routes', '-f', s('productpage.json'), '--name', '9080']],
  ['Endpoints as Envoy sees them (health, outlier detection):', ['pc', 'endpoints', '-f', s('productpage.clusters.json'), '--cluster', 'outbound|9080||reviews.default.svc.cluster.local']],
  ['Certificates it holds:', ['pc', 'secret', '-f', s('productpage.json')]],
  ['Versions:', ['pc', 'bootstrap', '-f', s('productpage.json'), '-o', 'short']],
  ['The ingress gateway, everything at once:', ['pc', 'all', '-f', s('istio-ingressgateway.json'), '--with-headers']],
  ['For scripts: EDS clusters of reviews-v2, as JSON through a JMESPath query:', ['pc', 'clusters', '-f', s('reviews-v2.json'), '--query', "[?type=='EDS'].name | [:5]"]],
]

let failed = 0
try {
  for (const [why, args] of tour) {
    process.stdout.write(`\n# ${why}\n$ meshctl ${args.map((a) => (/[\s|?*'[\]]/.test(a) ? `'${a}'` : a)).join(' ').replaceAll(dir + '/', '')}\n`)
    const r = spawnSync(process.execPath, [bin, ...args], {encoding: 'utf8', env: {...process.env, NO_COLOR: process.env.NO_COLOR ?? ''}})
    process.stdout.write(r.stdout)
    if (r.stderr) process.stderr.write(r.stderr)
    if (r.status !== 0) {
      failed++
      process.stderr.write(`demo: that command exited ${r.status}\n`)
    }
  }
} finally {
  rmSync(dir, {recursive: true, force: true})
}
process.stdout.write(failed ? `\n${failed} demo command(s) failed\n` : '\nDemo complete: every command succeeded.\n')
process.exit(failed ? 1 : 0)
