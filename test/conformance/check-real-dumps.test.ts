/**
 * `check -f` over every real dump in ../shared/conformance/real-dumps: it runs clean (exit 0 or 10, no crash, no
 * stack trace) and reports the dangling references and faults those dumps really contain.
 */
import assert from 'node:assert/strict'
import {readdirSync} from 'node:fs'
import {join} from 'node:path'
import {describe, test} from 'node:test'
import {runCli, SHARED} from '../helpers/cli.js'

const DIR = join(SHARED, 'conformance/real-dumps')

interface Row {
  code: string
  severity: string
  resource: {type: string; name: string}
  message: string
}

async function check(file: string, extra: string[] = []): Promise<{code: number | null; rows: Row[]; stderr: string}> {
  const res = await runCli(['check', '-f', join(DIR, file), '-o', 'json', ...extra], {timeoutMs: 60_000})
  assert.ok(res.code === 0 || res.code === 10, `${file}: exit ${res.code}: ${res.stderr}`)
  assert.doesNotMatch(res.stderr, /\n\s+at /, 'no stack trace')
  return {code: res.code, rows: JSON.parse(res.stdout) as Row[], stderr: res.stderr}
}

const count = (rows: Row[], code: string): number => rows.filter((r) => r.code === code).length

describe('check -f on the real dumps', () => {
  test('every config dump runs clean (exit 0 or 10)', async () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.json') && !f.includes('clusters'))
    assert.ok(files.length >= 6)
    for (const f of files) await check(f)
  })
  test('Higress gateway: routes to higress-console that no cluster backs (503 NC), and the TLS secret the SDS server never sent', async () => {
    const {code, rows} = await check('higress__gateway-scoped-routes.json')
    assert.equal(code, 10)
    const missing = rows.filter((r) => r.code === 'ROUTE_CLUSTER_MISSING')
    assert.equal(missing.length, 2)
    for (const r of missing) assert.match(r.message, /outbound\|8080\|\|higress-console\.default\.svc\.cluster\.local.*503 NC/)
    assert.deepEqual(
      rows.filter((r) => r.code === 'SECRET_MISSING').map((r) => r.resource.name),
      ['0.0.0.0_443/#0'],
    )
    assert.match(rows.find((r) => r.code === 'SECRET_MISSING')!.message, /kubernetes-ingress:\/\/Kubernetes\/default\/default/)
    assert.equal(count(rows, 'SECRET_WARMING'), 1)
  })
  test('DeathStarBench (Istio 1.18): virtualInbound rejected (Lua), 13 used services without endpoints', async () => {
    const {code, rows} = await check('deathstarbench__istio-1.18-sidecar.json')
    assert.equal(code, 10)
    // the dump lists the rejection twice (once without a name or time): reported once
    const rejected = rows.filter((r) => r.code === 'CONFIG_REJECTED')
    assert.equal(rejected.length, 1)
    assert.match(rejected[0]!.message, /at 2025-02-17T15:17:48\.372Z/)
    for (const r of rejected) {
      assert.equal(r.resource.name, 'virtualInbound')
      assert.match(r.message, /LuaValidationError/)
    }
    assert.equal(count(rows, 'ENDPOINTS_NONE'), 13)
    assert.ok(rows.some((r) => r.code === 'ENDPOINTS_NONE' && r.resource.name === 'outbound|8083||geo.hotel-res.svc.cluster.local'))
    assert.equal(count(rows, 'PASSTHROUGH_USED'), 1)
    assert.equal(count(rows, 'ROUTE_CLUSTER_MISSING'), 0)
  })
  test('Consul: the workload certificate had expired when the dump was taken, ROOTCA still warming', async () => {
    const {rows} = await check('consul__config_dump.json', ['--clusters-file', join(DIR, 'consul__clusters.json')])
    assert.match(rows.find((r) => r.code === 'CERT_EXPIRED')!.message, /spiffe:\/\/cluster\.local\/ns\/foo\/sa\/default expired/)
    assert.equal(rows.find((r) => r.code === 'SECRET_WARMING')?.resource.name, 'ROOTCA')
  })
  test('--at moves the time checks: before the expiry the Consul certificate is valid', async () => {
    const {rows} = await check('consul__config_dump.json', ['--at', '2022-03-15T12:00:00Z'])
    assert.equal(count(rows, 'CERT_EXPIRED'), 0)
  })
  test('OpenShift dumps (no include_eds): endpoint checks skipped and said so, nothing else wrong', async () => {
    for (const f of ['openshift-mesh__sidecar.json', 'openshift-mesh__ingress-gateway.json']) {
      const {code, rows} = await check(f)
      assert.equal(code, 0, f)
      assert.equal(count(rows, 'ENDPOINTS_UNKNOWN'), 1, f)
      assert.deepEqual(rows.filter((r) => r.severity !== 'info'), [], f)
    }
  })
  test('Envoy Gateway (egctl): clean', async () => {
    const {code, rows} = await check('envoy-gateway__egctl-in.all.json')
    assert.equal(code, 0)
    assert.deepEqual(rows, [])
  })
})
