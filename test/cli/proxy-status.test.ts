/**
 * `proxy-status` / `ps` as a user runs it: the built CLI in its own process. Output as istioctl's goldens,
 * errors as one `Error:` line with the documented exit code, `--fail-on` as exit 10 plus one stderr line.
 */
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, test} from 'node:test'
import {parse as parseYaml} from 'yaml'
import {assertOneLineError, runCli, SHARED} from '../helpers/cli.js'

const BASE = join(SHARED, 'conformance/istioctl')
const XDS = join(BASE, 'derived/proxy-status-xds')
const SYNCZ = join(BASE, 'derived/proxy-status-syncz-legacy')
const MULTI = join(XDS, 'multi-istiod.input.json')
const TWO_NS = join(XDS, 'single-istiod-two-namespaces.input.json')
const LEGACY = join(SYNCZ, 'printall-multi-istiod.input.json')
// live attempts in this file must not reach a developer's real cluster
process.env.KUBECONFIG = '/nonexistent/meshctl-test/kubeconfig'

const tmp = mkdtempSync(join(tmpdir(), 'meshctl-ps-'))

function file(name: string, content: string): string {
  const p = join(tmp, name)
  writeFileSync(p, content)
  return p
}


describe('the conformance cases (cases.json, ps)', () => {
  const {cases} = JSON.parse(readFileSync(join(BASE, 'cases.json'), 'utf8')) as {cases: Array<{id: string; args: string[]; golden: string; compare: string}>}
  const ps = cases.filter((c) => c.args[0] === 'ps')
  test('there are six', () => assert.equal(ps.length, 6))
  for (const c of ps) {
    test(c.id, async () => {
      const res = await runCli(c.args.map((a) => (a.startsWith('@') ? join(BASE, a.slice(1)) : a)))
      assert.equal(res.code, 0, res.stderr)
      assert.equal(res.stderr, '')
      const golden = readFileSync(join(BASE, c.golden), 'utf8')
      if (c.compare === 'trim') assert.equal(res.stdout.trim(), golden.trim())
      else if (c.compare === 'json') assert.deepEqual(JSON.parse(res.stdout), JSON.parse(golden))
      else assert.deepEqual(parseYaml(res.stdout), parseYaml(golden))
    })
  }
})

describe('tables', () => {
  test('proxy-status and ps are the same command; the legacy HTTP syncz shows Never Acknowledged', async () => {
    const a = await runCli(['proxy-status', '--file', LEGACY])
    const b = await runCli(['ps', '--file', LEGACY])
    assert.equal(a.code, 0)
    assert.equal(a.stdout, b.stdout)
    assert.equal(a.stdout.trim(), readFileSync(join(BASE, 'istio-1.21.6/istioctl/pkg/writer/pilot/testdata/multiStatusMultiPilot.txt'), 'utf8').trim())
  })

  test('-n keeps one namespace', async () => {
    const res = await runCli(['ps', '--file', TWO_NS, '-n', 'bar'])
    assert.equal(res.code, 0)
    assert.deepEqual(
      res.stdout.trimEnd().split('\n').map((l) => l.split(/\s+/)[0]),
      ['NAME', 'proxy2'],
    )
  })

  test('-n without a match: the header, and a note on stderr', async () => {
    const res = await runCli(['ps', '--file', TWO_NS, '-n', 'nope'])
    assert.equal(res.code, 0)
    assert.equal(res.stdout, 'NAME     CLUSTER     CDS     LDS     EDS     RDS     ECDS     ISTIOD     VERSION\n')
    assert.equal(res.stderr, 'Warning: no proxies in namespace "nope" (2 in other namespaces, checked 1 istiod)\n')
  })

  test('an empty /debug/syncz from stdin: the header alone, nothing on stderr (istioctl ≥ 1.28)', async () => {
    const res = await runCli(['ps', '--file', '-'], {stdin: '[]\n'})
    assert.equal(res.code, 0)
    assert.equal(res.stdout, 'NAME     CLUSTER     CDS     LDS     EDS     RDS     ECDS     ISTIOD     VERSION\n')
    assert.equal(res.stderr, '')
  })

  test('an empty DiscoveryResponse with -o json prints `{`, blank line, `}` and nothing else (proxy-status-cli vectors)', async () => {
    const res = await runCli(['ps', '--file', file('empty-dr.json', '{\n\n}\n'), '-o', 'json'])
    assert.equal(res.code, 0)
    assert.equal(res.stdout + res.stderr, '{\n\n}\n')
  })

  test('a current istiod /debug/syncz: per-type resources with push ages', async () => {
    const syncz = [
      {
        cluster_id: 'Kubernetes',
        proxy: 'productpage-v1-1.bookinfo',
        proxy_type: 'sidecar',
        istio_version: '1.26.2',
        resources: {
          'type.googleapis.com/envoy.config.cluster.v3.Cluster': {sent: 'a', acked: 'a', sentTime: '2001-01-01T00:00:00Z'},
          'type.googleapis.com/envoy.config.listener.v3.Listener': {sent: 'b', acked: 'a', sentTime: new Date(Date.now() - 90_000).toISOString()},
          'type.googleapis.com/envoy.config.route.v3.RouteConfiguration': {sent: 'c', lastError: 'NACK'},
        },
      },
    ]
    const res = await runCli(['ps', '--file', file('modern.json', JSON.stringify(syncz))])
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stdout, /^productpage-v1-1\.bookinfo\s+Kubernetes\s+SYNCED \(\d+y\)\s+STALE \(9\ds\)\s+IGNORED\s+ERROR\s+IGNORED\s+1\.26\.2$/m)
  })

  test('--color forces colour, statuses styled', async () => {
    const res = await runCli(['ps', '--file', MULTI, '--color'], {env: {NO_COLOR: undefined}})
    assert.equal(res.code, 0)
    assert.match(res.stdout, /\u001b\[32mSYNCED\u001b\[39m/)
    assert.match(res.stdout, /\u001b\[31mERROR\u001b\[39m/)
    assert.match(res.stdout, /\u001b\[33mNOT SENT\u001b\[39m/)
  })

  test('-v 1: a column per type', async () => {
    const res = await runCli(['ps', '--file', MULTI, '-v', '1'])
    assert.match(res.stdout, /^NAME\s+CLUSTER\s+CDS\s+ECDS\s+EDS\s+LDS\s+RDS\s+ISTIOD\s+VERSION$/m)
  })
})

describe('-o json / yaml and --query', () => {
  test('several istiods: one JSON document keyed by istiod, which --file reads back', async () => {
    const res = await runCli(['ps', '--file', LEGACY, '-o', 'json'])
    assert.equal(res.code, 0)
    const doc = JSON.parse(res.stdout) as Record<string, unknown>
    assert.deepEqual(Object.keys(doc), ['istiod1', 'istiod2', 'istiod3', 'istiod4'])
    const back = await runCli(['ps', '--file', file('back.json', res.stdout)])
    const orig = await runCli(['ps', '--file', LEGACY])
    // the round trip keeps every state; only the legacy "(Never Acknowledged)" detail becomes plain STALE
    const cells = (t: string): string => t.replaceAll(' (Never Acknowledged)', '').replace(/ {2,}/g, '|')
    assert.equal(cells(back.stdout), cells(orig.stdout))
  })

  test('-o yaml of several istiods is one YAML document too', async () => {
    const res = await runCli(['ps', '--file', MULTI, '-o', 'yaml'])
    assert.deepEqual(Object.keys(parseYaml(res.stdout) as object), ['istiod1', 'istiod2', 'istiod3', 'istiod4'])
  })

  test('--query runs on the proxy list', async () => {
    const res = await runCli(['ps', '--file', MULTI, '--query', "[?sync.LDS=='ERROR'].{name: name, istiod: istiod}"])
    assert.equal(res.code, 0, res.stderr)
    assert.deepEqual(JSON.parse(res.stdout), [{name: 'proxy3', istiod: 'istiod3'}])
    const yaml = await runCli(['ps', '--file', TWO_NS, '-n', 'foo', '--query', '[].name', '-o', 'yaml'])
    assert.equal(yaml.stdout, '- proxy1\n\n')
  })
})

describe('--fail-on (exit 10 after the output, one summary line on stderr)', () => {
  test('stale,error: the proxies and their types', async () => {
    const res = await runCli(['ps', '--file', MULTI, '--fail-on', 'stale,error'])
    assert.equal(res.code, 10)
    assert.equal(res.stdout.trim(), readFileSync(join(BASE, 'istio-1.26.8/istioctl/pkg/writer/pilot/testdata/multiXdsStatusMultiPilot.txt'), 'utf8').trim(), 'full output first')
    assert.equal(res.stderr, 'proxy-status: 3 proxies not in sync: proxy1 (CDS STALE), proxy2 (CDS STALE, EDS STALE, ECDS STALE), proxy3 (LDS ERROR, EDS STALE)\n')
  })

  test('error only', async () => {
    const res = await runCli(['ps', '--file', MULTI, '--fail-on', 'error'])
    assert.equal(res.code, 10)
    assert.equal(res.stderr, 'proxy-status: 1 proxy not in sync: proxy3 (LDS ERROR)\n')
  })

  test('nothing matches: exit 0, nothing on stderr (IGNORED never counts)', async () => {
    const synced = file('synced.json', JSON.stringify([{proxy: 'a.ns', cluster_sent: 'x', cluster_acked: 'x', listener_sent: 'y', listener_acked: 'y'}]))
    const res = await runCli(['ps', '--file', synced, '--fail-on', 'stale,error'])
    assert.equal(res.code, 0)
    assert.equal(res.stderr, '')
    const z = await runCli(['ps', '--file', join(SYNCZ, 'printall-multi-istiod.input.json'), '-n', 'none', '--fail-on', 'any'])
    assert.equal(z.code, 0)
  })

  test('counts only what -n keeps, and works with -o json and --query', async () => {
    const res = await runCli(['ps', '--file', TWO_NS, '-n', 'bar', '--fail-on', 'not-sent', '-o', 'json'])
    assert.equal(res.code, 10)
    assert.ok(JSON.parse(res.stdout))
    assert.equal(res.stderr, 'proxy-status: 1 proxy not in sync: proxy2 (RDS NOT SENT)\n')
    const q = await runCli(['ps', '--file', TWO_NS, '--fail-on', 'stale', '--query', 'length(@)'])
    assert.equal(q.code, 10)
    assert.equal(q.stdout, '2\n')
  })
})

describe('errors', () => {
  const bad: Array<[string, string[], number, RegExp]> = [
    ['missing file', ['ps', '--file', join(tmp, 'nope.json')], 3, /cannot read .*nope\.json: no such file/],
    ['gobbledygook', ['ps', '--file', file('g.txt', 'gobbledygook')], 3, /g\.txt: invalid JSON at byte 0 \(line 1, column 1\)/],
    ['empty', ['ps', '--file', file('e.json', '\n')], 3, /e\.json is empty; save one with: kubectl exec -n istio-system deploy\/istiod -- curl -s localhost:15014\/debug\/syncz > syncz\.json/],
    ['a config dump', ['ps', '--file', join(BASE, 'head-86c9f01/istioctl/pkg/writer/envoy/configdump/testdata/configdump.json')], 3, /is an Envoy config dump, not istiod sync status/],
    ['bad -o', ['ps', '--file', MULTI, '-o', 'wide'], 2, /output format "wide" not supported; use one of table, json, yaml/],
    ['bad -v', ['ps', '--file', MULTI, '-v', 'max'], 2, /--verbosity "max" must be a whole number/],
    ['bad --fail-on', ['ps', '--file', MULTI, '--fail-on', 'stale,late'], 2, /--fail-on "late" is not a condition; use a comma-separated list of stale, error, not-sent \(or any\)/],
    ['bad --query', ['ps', '--file', MULTI, '--query', '[?'], 2, /invalid --query expression/],
    ['-f is not --file (istioctl ≥ 1.27)', ['ps', '-f', MULTI], 2, /Nonexistent flag: -f/],
    ['two pods', ['ps', 'a', 'b'], 2, /Unexpected argument: b/],
    ['live, with no cluster configured', ['ps'], 4, /cannot load kubeconfig|no Kubernetes cluster is configured|cannot reach the Kubernetes API server|no kubeconfig found/],
    ['a pod (live sync diff), with no cluster configured', ['ps', 'productpage-v1-abc.bookinfo'], 4, /cannot load kubeconfig|no Kubernetes cluster is configured|cannot reach the Kubernetes API server|no kubeconfig found/],
  ]
  for (const [name, args, code, pattern] of bad) {
    test(name, async () => await assertOneLineError(await runCli(args), code, pattern))
  }

})
