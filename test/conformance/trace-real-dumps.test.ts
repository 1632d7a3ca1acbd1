/**
 * trace over the real dumps of ../shared/conformance/real-dumps: every request (each virtual host's domain on its
 * port, each listener as TCP and as TLS, outbound and inbound) ends in a verdict or a documented usage/input error,
 * never an unexpected one; and known requests give what the dump really says.
 */
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {describe, test} from 'node:test'
import {type ClustersStatus, type ConfigDump, parseAdminDocument} from '../../src/envoy/document.js'
import {isMeshctlError} from '../../src/errors/index.js'
import {buildGraph, type ConfigGraph} from '../../src/graph/graph.js'
import {parseRequest} from '../../src/trace/request.js'
import type {TraceResult} from '../../src/trace/result.js'
import {type TraceOptions, traceRequest} from '../../src/trace/trace.js'
import {sharedUrl} from '../helpers/shared.js'

const DIR = sharedUrl('conformance/real-dumps/')
const graphs = new Map<string, ConfigGraph>()
function graph(file: string): ConfigGraph {
  let g = graphs.get(file)
  if (!g) {
    const doc = parseAdminDocument(readFileSync(new URL(file, DIR)), file)
    if (doc.kind !== 'config_dump') throw new Error(`${file} is not a config dump`)
    g = buildGraph(doc)
    graphs.set(file, g)
  }
  return g
}
const trace = (file: string, url: string, opts: Partial<TraceOptions> = {}): TraceResult => traceRequest(graph(file), parseRequest(url), {proxy: file, url, ...opts})
const stepNames = (r: TraceResult): string[] => r.steps.map((s) => `${s.step}:${s.name}`)

const dumps = readdirSync(DIR).filter((f) => f.endsWith('.json') && !f.includes('clusters'))

describe('trace never fails unexpectedly on a real dump', () => {
  assert.ok(dumps.length >= 5)
  for (const file of dumps) {
    test(file, () => {
      const g = graph(file)
      const urls: string[] = []
      for (const rc of g.routeConfigs.values()) {
        const port = Number(/(\d+)$/.exec(rc.name)?.[1] ?? 80) || 80
        for (const vh of rc.virtualHosts.slice(0, 40)) urls.push(`http://${(vh.domains.find((d) => d !== '*') ?? 'x.example.com').replace(/\*/g, 'a')}:${port}/`)
      }
      for (const l of g.activeListeners) if (l.port > 0) urls.push(`tcp://${l.address === '0.0.0.0' || l.address === '' ? '10.1.2.3' : l.address}:${l.port}`, `https://svc.example.com:${l.port}/`)
      let verdicts = 0
      for (const url of urls.slice(0, 300)) {
        for (const inbound of [false, true]) {
          try {
            const r = trace(file, url, {inbound})
            assert.ok(['endpoint', 'redirect', 'direct_response', 'failure', 'unknown'].includes(r.verdict.outcome))
            assert.ok(r.steps.length > 0 && r.verdict.summary !== '')
            JSON.stringify(r)
            verdicts++
          } catch (err) {
            assert.ok(isMeshctlError(err) && (err.exitCode === 2 || err.exitCode === 3), `${url} (inbound ${inbound}): ${err instanceof Error ? err.stack : String(err)}`)
          }
        }
      }
      assert.ok(verdicts > 0, 'no request could be traced at all')
    })
  }
})

describe('trace: what the real dumps say', () => {
  test('Istio 1.18 sidecar: a service port with a VIP listener is handed off there; the service really has no endpoints (503 UH)', () => {
    const r = trace('deathstarbench__istio-1.18-sidecar.json', 'http://recommendation.hotel-res:8085/')
    assert.match(stepNames(r)[0]!, /^listener:virtualOutbound → 10\.68\.186\.179_8085$/)
    assert.ok(stepNames(r).includes('route-config:recommendation.hotel-res.svc.cluster.local:8085'))
    assert.equal(r.verdict.code, 503)
    assert.equal(r.verdict.flag, 'UH')
  })
  test('Istio 1.18 sidecar: redis over TCP reaches its endpoint through tcp_proxy', () => {
    const r = trace('deathstarbench__istio-1.18-sidecar.json', 'tcp://home-timeline-redis.social-network:6379')
    assert.equal(r.verdict.outcome, 'endpoint')
    assert.ok(stepNames(r).includes('cluster:outbound|6379||home-timeline-redis.social-network.svc.cluster.local'))
  })
  test('Istio 1.18 sidecar: the shared HTTP port 9080 hands off to 0.0.0.0_9080 and RDS "9080"', () => {
    const r = trace('deathstarbench__istio-1.18-sidecar.json', 'http://10.99.99.99:9080/')
    assert.equal(stepNames(r)[0], 'listener:virtualOutbound → 0.0.0.0_9080')
    assert.ok(stepNames(r).includes('route-config:9080'))
  })
  test('Higress gateway: the scoped route sends to a cluster the gateway does not have (503 NC)', () => {
    const r = trace('higress__gateway-scoped-routes.json', 'http://foo.com/')
    assert.equal(r.verdict.code, 503)
    assert.equal(r.verdict.flag, 'NC')
    assert.match(r.verdict.summary, /higress-console/)
  })
  test('Envoy Gateway: Host www.example.com on the 10080 listener reaches its backend', () => {
    const r = trace('envoy-gateway__egctl-in.all.json', 'http://www.example.com/', {port: 10080})
    assert.equal(r.verdict.outcome, 'endpoint')
    assert.ok(stepNames(r).includes('cluster:default-backend-rule-0-match-0-www.example.com'))
  })
  test('Envoy Gateway: without ignore_port_in_host_matching, a Host with a port matches no virtual host (404 NR)', () => {
    const r = trace('envoy-gateway__egctl-in.all.json', 'http://www.example.com:10080/')
    assert.equal(r.verdict.code, 404)
    assert.equal(r.verdict.flag, 'NR')
  })
})

describe('a lean graph from the bytes (lookups by name, /clusters by name) decides as the whole graph', () => {
  const ROOT = new URL('../../../', import.meta.url)
  const cases: Array<{dump: URL; clusters?: URL}> = [
    ...dumps.map((f) => ({dump: new URL(f, DIR), clusters: f === 'consul__config_dump.json' ? new URL('consul__clusters.json', DIR) : undefined})),
    {dump: new URL('test/fixtures/gen/bookinfo-productpage.config_dump.json', ROOT), clusters: new URL('test/fixtures/gen/bookinfo-productpage.clusters.json', ROOT)},
    {dump: new URL('test/fixtures/gen/bookinfo-ingressgateway.config_dump.json', ROOT)},
  ]
  for (const {dump, clusters} of cases) {
    test(dump.pathname.split('/').pop()!, () => {
      const read = (u: URL) => parseAdminDocument(readFileSync(u), u.pathname)
      const status = (): ClustersStatus | undefined => (clusters ? (read(clusters) as ClustersStatus) : undefined)
      const whole = buildGraph(read(dump) as ConfigDump, status())
      const lean = buildGraph(read(dump) as ConfigDump, status(), {lean: true})
      const urls: string[] = []
      for (const rc of whole.routeConfigs.values()) {
        const port = Number(/(\d+)$/.exec(rc.name)?.[1] ?? 80) || 80
        for (const vh of rc.virtualHosts.slice(0, 15)) urls.push(`http://${(vh.domains.find((d) => d !== '*') ?? 'x.example.com').replace(/\*/g, 'a')}:${port}/`)
      }
      for (const l of whole.activeListeners.slice(0, 20)) if (l.port > 0) urls.push(`tcp://${l.address === '0.0.0.0' || l.address === '' ? '10.1.2.3' : l.address}:${l.port}`)
      let compared = 0
      for (const url of urls.slice(0, 120)) {
        const outcome = (g: ConfigGraph): string => {
          try {
            return JSON.stringify(traceRequest(g, parseRequest(url), {proxy: 'p', url}))
          } catch (err) {
            return `error: ${err instanceof Error ? err.message : String(err)}`
          }
        }
        assert.equal(outcome(lean), outcome(whole), url)
        compared++
      }
      assert.ok(compared > 0)
    })
  }
})
