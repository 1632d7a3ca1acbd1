/**
 * `meshctl trace` as a user runs it, on the generator's Bookinfo dumps: the walk reaches an endpoint (exit 0), the
 * failures Envoy would produce are verdicts with their code and flag (exit 10), and bad input is one line (2 or 3).
 */
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, test} from 'node:test'
import {ROOT, runCli} from '../helpers/cli.js'

const PRODUCTPAGE = join(ROOT, 'test/fixtures/gen/bookinfo-productpage.config_dump.json')
const PRODUCTPAGE_CLUSTERS = join(ROOT, 'test/fixtures/gen/bookinfo-productpage.clusters.json')
const GATEWAY = join(ROOT, 'test/fixtures/gen/bookinfo-ingressgateway.config_dump.json')
const tmp = mkdtempSync(join(tmpdir(), 'meshctl-trace-'))

type Dump = {configs: Array<Record<string, unknown> & {'@type': string}>}
/** The productpage dump with `edit` applied to a copy, written to a temporary file. */
function edited(name: string, edit: (d: Dump) => void): string {
  const d = JSON.parse(readFileSync(PRODUCTPAGE, 'utf8')) as Dump
  edit(d)
  const p = join(tmp, name)
  writeFileSync(p, JSON.stringify(d, null, 2))
  return p
}
const section = (d: Dump, suffix: string): Record<string, unknown> => d.configs.find((c) => c['@type'].endsWith(`.${suffix}`))!

interface Step {
  step: string
  name: string
  result: string
  ok: boolean
}
interface Trace {
  steps: Step[]
  verdict: {outcome: string; code?: number; flag?: string; summary: string; hint?: string}
}
const json = (stdout: string): Trace => JSON.parse(stdout) as Trace

describe('trace from a saved dump', () => {
  test("the seeds' walk: productpage → reviews reaches a reviews endpoint through every hop", async () => {
    const r = await runCli(['trace', '-f', PRODUCTPAGE, 'http://reviews:9080/reviews/0', '--pick', '0', '-o', 'json'])
    assert.equal(r.code, 0, r.stderr)
    const t = json(r.stdout)
    assert.deepEqual(
      t.steps.map((s) => s.step),
      ['listener', 'listener-filters', 'filter-chain', 'network-filter', 'route-config', 'virtual-host', 'route', 'action', 'cluster', 'endpoints'],
    )
    assert.match(t.steps[0]!.name, /virtualOutbound → 0\.0\.0\.0_9080/)
    assert.equal(t.steps[4]!.name, '9080')
    assert.match(t.steps[8]!.name, /^outbound\|9080\|v\d\|reviews\.default\.svc\.cluster\.local/)
    assert.equal(t.verdict.outcome, 'endpoint')
  })
  test('the table: one row per hop, then the verdict; piped output has no box characters', async () => {
    const r = await runCli(['trace', '-f', PRODUCTPAGE, 'http://reviews:9080/reviews/0', '--pick', '0'])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /^STEP +RESOURCE +WHY +RESULT$/m)
    assert.match(r.stdout, /^OK: reaches \S+:9080/m)
    assert.doesNotMatch(r.stdout, /[│┌─]/)
  })
  test('a header match picks the route that needs it (end-user: jason → v2)', async () => {
    const r = await runCli(['trace', '-f', PRODUCTPAGE, 'http://reviews:9080/reviews/0', '-H', 'end-user: jason', '-o', 'json'])
    assert.equal(r.code, 0, r.stderr)
    assert.match(json(r.stdout).steps.find((s) => s.step === 'cluster')!.name, /\|v2\|/)
  })
  test('endpoint health from --clusters-file', async () => {
    const r = await runCli(['trace', '-f', PRODUCTPAGE, '--clusters-file', PRODUCTPAGE_CLUSTERS, 'http://ratings:9080/ratings/0', '-o', 'json'])
    assert.ok(r.code === 0 || r.code === 10, r.stderr)
    assert.equal(json(r.stdout).steps.at(-1)!.step, 'endpoints')
  })
  test('an unknown host on a shared HTTP port goes to PassthroughCluster (ALLOW_ANY)', async () => {
    const r = await runCli(['trace', '-f', PRODUCTPAGE, 'http://unknown.example.org:9080/', '-o', 'json'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(json(r.stdout).steps.find((s) => s.step === 'cluster')!.name, 'PassthroughCluster')
  })
  test('a gateway is traced from its listener (Service port 80 → container port 8080)', async () => {
    const r = await runCli(['trace', '-f', GATEWAY, 'http://bookinfo.example.com/productpage', '-o', 'json'])
    assert.equal(r.code, 0, r.stderr)
    const t = json(r.stdout)
    assert.equal(t.steps[0]!.name, '0.0.0.0_8080')
    assert.match(t.steps.find((s) => s.step === 'cluster')!.name, /productpage/)
  })
  test('--inbound: virtualInbound, the per-port chain, the inbound cluster', async () => {
    const r = await runCli(['trace', '-f', PRODUCTPAGE, 'http://productpage:9080/productpage', '--inbound', '-o', 'json'])
    assert.equal(r.code, 0, r.stderr)
    const t = json(r.stdout)
    assert.equal(t.steps[0]!.name, 'virtualInbound')
    assert.equal(t.steps.find((s) => s.step === 'cluster')!.name, 'inbound|9080||')
  })
})

describe('trace: failures inside the proxy are verdicts (exit 10)', () => {
  test('a route to a cluster the proxy lacks: 503 NC, with the missing-subset hint', async () => {
    const f = edited('no-v1.json', (d) => {
      const c = section(d, 'ClustersConfigDump') as {dynamic_active_clusters: Array<{cluster: {name: string}}>}
      c.dynamic_active_clusters = c.dynamic_active_clusters.filter((x) => !x.cluster.name.startsWith('outbound|9080|v1|reviews'))
    })
    const r = await runCli(['trace', '-f', f, 'http://reviews:9080/reviews/0', '--pick', '0', '-o', 'json'])
    assert.equal(r.code, 10, r.stderr)
    const v = json(r.stdout).verdict
    assert.equal(v.code, 503)
    assert.equal(v.flag, 'NC')
    assert.match(v.hint!, /subset "v1".*DestinationRule/)
  })
  test('without --pick, a weighted split says what share of requests fails', async () => {
    const f = join(tmp, 'no-v1.json')
    const r = await runCli(['trace', '-f', f, 'http://reviews:9080/reviews/0'])
    assert.equal(r.code, 10, r.stderr)
    assert.match(r.stdout, /^FAILS \(503 NC\): 50% of requests fail/m)
  })
  test('a missing RDS configuration: 404 NR', async () => {
    const f = edited('no-rds.json', (d) => {
      const rs = section(d, 'RoutesConfigDump') as {dynamic_route_configs: Array<{route_config: {name: string}}>}
      rs.dynamic_route_configs = rs.dynamic_route_configs.filter((x) => x.route_config.name !== '9080')
    })
    const r = await runCli(['trace', '-f', f, 'http://reviews:9080/reviews/0', '-o', 'json'])
    assert.equal(r.code, 10, r.stderr)
    const v = json(r.stdout).verdict
    assert.equal(v.code, 404)
    assert.equal(v.flag, 'NR')
  })
  test('an EDS cluster without endpoints: 503 UH', async () => {
    const f = edited('no-eps.json', (d) => {
      const e = section(d, 'EndpointsConfigDump') as {dynamic_endpoint_configs: Array<{endpoint_config: {cluster_name: string; endpoints?: unknown[]}}>}
      for (const x of e.dynamic_endpoint_configs) if (x.endpoint_config.cluster_name.includes('|v1|reviews')) x.endpoint_config.endpoints = []
    })
    const r = await runCli(['trace', '-f', f, 'http://reviews:9080/reviews/0', '--pick', '0', '-o', 'json'])
    assert.equal(r.code, 10, r.stderr)
    const v = json(r.stdout).verdict
    assert.equal(v.code, 503)
    assert.equal(v.flag, 'UH')
  })
})

describe('trace: bad input is one line, exit 2 or 3', () => {
  const cases: Array<[string[], number, RegExp]> = [
    [['trace', '-f', PRODUCTPAGE, 'ftp://reviews/'], 2, /unknown scheme "ftp"/],
    [['trace', '-f', PRODUCTPAGE, 'reviews:9080'], 2, /is not a URL/],
    [['trace', '-f', PRODUCTPAGE, 'http://reviews:9080/', '-H', 'nocolon'], 2, /has no colon/],
    [['trace', '-f', PRODUCTPAGE], 2, /needs the request as a URL/],
    [['trace', 'http://reviews:9080/'], 2, /a pod before the URL, or --file/],
    [['trace', '-f', PRODUCTPAGE_CLUSTERS, 'http://reviews:9080/'], 3, /is a \/clusters answer/],
    [['trace', '-f', join(ROOT, 'no-such-file.json'), 'http://a/'], 3, /no such file/],
    [['trace', '-f', GATEWAY, 'http://a:1234/'], 2, /no listener on port 1234; it listens on/],
  ]
  for (const [args, code, re] of cases) {
    test(args.slice(1).join(' ').replace(ROOT, ''), async () => {
      const r = await runCli(args)
      assert.equal(r.code, code, r.stderr)
      assert.equal(r.stdout, '')
      assert.match(r.stderr, re)
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
    })
  }
  test('a dump without listeners', async () => {
    const f = edited('no-listeners.json', (d) => {
      d.configs = d.configs.filter((c) => !c['@type'].endsWith('ListenersConfigDump'))
    })
    const r = await runCli(['trace', '-f', f, 'http://a/'])
    assert.equal(r.code, 3)
    assert.match(r.stderr, /no active listeners/)
  })
})

describe('trace --tests: router_check_tool route tests through the command', () => {
  const tests = join(tmp, 'tests.yaml')
  writeFileSync(
    tests,
    [
      'tests:',
      '- test_name: jason gets v2',
      '  input: {authority: "reviews:9080", path: /reviews/0, method: GET, additional_request_headers: [{key: end-user, value: jason}]}',
      '  validate: {cluster_name: "outbound|9080|v2|reviews.default.svc.cluster.local"}',
      '- test_name: random 0 picks v1',
      '  input: {authority: "reviews:9080", path: /, method: GET, random_value: 0}',
      '  validate: {cluster_name: "outbound|9080|v1|reviews.default.svc.cluster.local"}',
      '- test_name: random 60 does not pick v1',
      '  input: {authority: "reviews:9080", path: /, method: GET, random_value: 60}',
      '  validate: {cluster_name: "outbound|9080|v1|reviews.default.svc.cluster.local"}',
      '',
    ].join('\n'),
  )
  test('failing tests are listed with expected vs actual, then N passed, M failed; exit 10', async () => {
    const r = await runCli(['trace', '--tests', tests, '-f', PRODUCTPAGE, '--route-name', '9080'])
    assert.equal(r.code, 10, r.stderr)
    assert.match(r.stdout, /random 60 does not pick v1: cluster_name expected "outbound\|9080\|v1\|reviews\.default\.svc\.cluster\.local", actual "outbound\|9080\|v3\|/)
    assert.match(r.stdout, /^2 passed, 1 failed$/m)
  })
  test('a dump with several route configurations needs --route-name (exit 3, names listed)', async () => {
    const r = await runCli(['trace', '--tests', tests, '-f', PRODUCTPAGE])
    assert.equal(r.code, 3)
    assert.match(r.stderr, /choose one with --route-name; names: .*9080/)
  })
  test('--tests without -f is a usage error', async () => {
    const r = await runCli(['trace', '--tests', tests])
    assert.equal(r.code, 2)
  })
})

describe('trace reads a large dump by name lookups (the reader path) and decides the same', () => {
  // MESHCTL_READER_MIN_BYTES=0: every file takes the path of a dump of 8 MB or more, where trace looks clusters,
  // EDS assignments and route configurations up by name in the section bytes instead of decoding the sections
  const cases: string[][] = [
    [PRODUCTPAGE, 'http://reviews:9080/reviews/0'],
    [PRODUCTPAGE, 'http://reviews:9080/reviews/0', '-H', 'end-user: jason'],
    [PRODUCTPAGE, 'http://unknown.example.org:9080/'],
    [PRODUCTPAGE, 'http://productpage:9080/productpage', '--inbound'],
    [GATEWAY, 'http://bookinfo.example.com/productpage'],
    [join(tmp, 'no-v1.json'), 'http://reviews:9080/reviews/0'],
    [join(tmp, 'no-eps.json'), 'http://reviews:9080/reviews/0', '--pick', '0'],
    [join(tmp, 'no-rds.json'), 'http://reviews:9080/reviews/0'],
  ]
  for (const [file, ...rest] of cases) {
    test(`${file!.replace(ROOT, '').replace(tmp, '')} ${rest.join(' ')}`, async () => {
      const args = ['trace', '-f', file!, ...rest, '-o', 'json']
      const whole = await runCli(args)
      const byName = await runCli(args, {env: {MESHCTL_READER_MIN_BYTES: '0'}})
      assert.equal(byName.code, whole.code, byName.stderr)
      assert.equal(byName.stdout, whole.stdout)
    })
  }
})
