// The transport floor of live proxy-status for a Node.js program (BENCHMARKS.md, section 5; issue 15): the least a
// Node program can do to list what every istiod replica's /debug/syncz says, through the Kubernetes API as meshctl
// does. Reads the kubeconfig's current context (js-yaml, the parser client-node uses; a bearer token or a client
// certificate), lists the running istiod pods, opens one port-forward WebSocket (ws) to port 15014 of each at once,
// sends `GET /debug/syncz` over it, JSON.parses each answer and prints one line per proxy as bench/ps-baseline.mjs
// does. No client library, no command-line framework, no validation beyond what it needs to run, no sorting, no
// ages, no column alignment: what is left is Node's start, its TLS and WebSocket stacks and the parse.
// Usage: KUBECONFIG=... node bench/ps-live-baseline.mjs [istio-namespace]
import {readFileSync} from 'node:fs'
import https from 'node:https'
import module from 'node:module'
import {homedir} from 'node:os'
import {proxyLine} from './ps-line.mjs'

// what any Node CLI can do for its own start (meshctl's bin/run.js does the same)
module.enableCompileCache?.()
const require = module.createRequire(import.meta.url)
const yaml = require('js-yaml')
const {WebSocket} = require('ws')

const istioNamespace = process.argv[2] ?? 'istio-system'
const fail = (message) => {
  process.stderr.write(`ps-live-baseline: ${message}\n`)
  process.exit(1)
}
const kc = yaml.load(readFileSync(process.env.KUBECONFIG?.split(':')[0] || `${homedir()}/.kube/config`, 'utf8'))
const context = kc.contexts.find((c) => c.name === kc['current-context'])?.context ?? fail('no current context')
const cluster = kc.clusters.find((c) => c.name === context.cluster)?.cluster ?? fail(`no cluster ${context.cluster}`)
const user = kc.users.find((u) => u.name === context.user)?.user ?? {}
const b64 = (s) => (s ? Buffer.from(s, 'base64') : undefined)
const tls = {
  ca: b64(cluster['certificate-authority-data']),
  cert: b64(user['client-certificate-data']),
  key: b64(user['client-key-data']),
  rejectUnauthorized: !cluster['insecure-skip-tls-verify'],
}
const headers = user.token ? {Authorization: `Bearer ${user.token}`} : {}
const server = cluster.server.replace(/\/$/, '')

const pods = await new Promise((resolve, reject) => {
  const path = `/api/v1/namespaces/${istioNamespace}/pods?labelSelector=${encodeURIComponent('app=istiod')}`
  https
    .get(`${server}${path}`, {...tls, headers}, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')).items) : reject(new Error(`pods: HTTP ${res.statusCode}`))))
    })
    .on('error', reject)
})

/** The body of one HTTP/1.1 answer that ends with its connection (Connection: close). */
function body(bytes) {
  const end = bytes.indexOf('\r\n\r\n')
  if (end < 0) fail('an answer without its headers')
  const head = bytes.subarray(0, end).toString('latin1')
  if (!/^HTTP\/1\.1 200 /.test(head)) fail(`syncz answered ${head.split('\r\n')[0]}`)
  let rest = bytes.subarray(end + 4)
  if (!/\r\ntransfer-encoding: *chunked/i.test(head)) return rest
  const parts = []
  for (;;) {
    const eol = rest.indexOf('\r\n')
    const size = Number.parseInt(rest.subarray(0, eol).toString('latin1'), 16)
    if (!(size > 0)) return Buffer.concat(parts)
    parts.push(rest.subarray(eol + 2, eol + 2 + size))
    rest = rest.subarray(eol + 4 + size)
  }
}

/** GET /debug/syncz over a port-forward WebSocket (channel 0: data, 1: errors; each starts with the port). */
const syncz = (pod) =>
  new Promise((resolve, reject) => {
    const url = `${server.replace(/^http/, 'ws')}/api/v1/namespaces/${istioNamespace}/pods/${pod}/portforward?ports=15014`
    const ws = new WebSocket(url, ['v4.channel.k8s.io'], {...tls, headers, perMessageDeflate: false})
    const chunks = []
    const started = [false, false]
    ws.on('open', () => ws.send(Buffer.from('\0GET /debug/syncz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n', 'latin1')))
    ws.on('message', (m) => {
      const channel = m[0]
      if (channel > 1) return
      const data = m.subarray(started[channel] ? 1 : 3)
      started[channel] = true
      if (channel === 0) chunks.push(data)
      else if (data.length > 0) reject(new Error(`${pod}: ${data.toString('utf8')}`))
    })
    ws.on('close', () => resolve(body(Buffer.concat(chunks))))
    ws.on('error', reject)
  })

const lines = []
const running = pods.filter((p) => p.status?.phase === 'Running').map((p) => p.metadata.name)
if (running.length === 0) fail(`no running istiod in ${istioNamespace}`)
await Promise.all(
  running.map(async (istiod) => {
    for (const p of JSON.parse((await syncz(istiod)).toString('utf8'))) lines.push(proxyLine(p, istiod))
  }),
)
process.stdout.write(`${lines.join('\n')}\n`)
