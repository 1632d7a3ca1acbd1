/**
 * router_check_tool-compatible route tests (src/trace/route-tests.ts, src/cli/route-tests.ts): the schema, the
 * tool's semantics (random_value, runtime, finalised headers, "" = none), YAML and JSON, a config_dump with a route
 * name, errors, and the runner's output and exit codes (spawned on the built files).
 */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, test} from 'node:test'
import {fileURLToPath} from 'node:url'
import {parse as parseYaml} from 'yaml'
import {formatRouteTestsReport} from '../../src/cli/route-tests.js'
import {InputError} from '../../src/errors/index.js'
import type {Json, JsonObject} from '../../src/envoy/fields.js'
import {parseRouteTests, parseStructured, runRouteTestsOn, selectRouteConfig} from '../../src/trace/route-tests.js'
import {SHARED} from '../helpers/shared.js'

/** A route table in the style of Envoy's router_check examples. */
const ROUTES = `
name: local_route
virtual_hosts:
- name: www
  domains: ["www.lyft.com"]
  virtual_clusters:
  - name: posts
    headers: [{name: ":method", string_match: {exact: POST}}]
  response_headers_to_add:
  - header: {key: x-vhost, value: www}
  routes:
  - match: {prefix: "/new_endpoint"}
    route: {cluster: www2, prefix_rewrite: "/api/new_endpoint", host_rewrite_literal: "api.lyft.com"}
    request_headers_to_add:
    - header: {key: x-added, value: "yes"}
  - match: {path: "/"}
    route: {cluster: root_www2}
  - match: {prefix: "/canary", runtime_fraction: {default_value: {numerator: 0}, runtime_key: canary.enabled}}
    route: {cluster: canary}
  - match: {prefix: "/split"}
    route:
      weighted_clusters:
        clusters:
        - {name: split-a, weight: 30}
        - {name: split-b, weight: 70}
  - match: {prefix: "/"}
    route: {cluster: www2}
- name: redirect
  domains: ["redirect.lyft.com"]
  routes:
  - match: {path: "/foo"}
    redirect: {host_redirect: "new.lyft.com", path_redirect: "/new_bar", response_code: FOUND}
  - match: {prefix: "/gone"}
    direct_response: {status: 410, body: {inline_string: "gone"}}
- name: secure
  domains: ["secure.lyft.com"]
  require_tls: ALL
  routes:
  - match: {prefix: "/"}
    route: {cluster: secure}
`

const routeConfig = parseYaml(ROUTES) as JsonObject

function run(tests: string | Json, source = 'tests.yaml') {
  const doc = typeof tests === 'string' ? (parseYaml(tests) as Json) : tests
  return runRouteTestsOn(routeConfig, parseRouteTests(doc, source))
}

describe('router_check_tool semantics', () => {
  test('a passing suite (YAML)', () => {
    const r = run(`
tests:
- test_name: rewrite and host
  input: {authority: www.lyft.com, path: /new_endpoint/x?y=1, method: GET}
  validate:
    cluster_name: www2
    virtual_host_name: www
    path_rewrite: /api/new_endpoint/x?y=1
    host_rewrite: api.lyft.com
    request_header_matches:
    - {name: x-added, string_match: {exact: "yes"}}
    - {name: x-envoy-original-path, string_match: {exact: /new_endpoint/x?y=1}}
    response_header_matches:
    - {name: x-vhost, string_match: {exact: www}}
    - {name: x-from-test, present_match: false}
`)
    assert.equal(r.failed, 0, JSON.stringify(r.results, null, 1))
    assert.equal(r.passed, 1)
    assert.equal(r.routeConfigName, 'local_route')
  })
  test('a failing check reports expected and actual per field', () => {
    const r = run(`
tests:
- test_name: root
  input: {authority: www.lyft.com, path: /, method: GET}
  validate: {cluster_name: www2, virtual_host_name: www}
`)
    assert.equal(r.failed, 1)
    assert.deepEqual(r.results[0].checks, [
      {field: 'cluster_name', expected: 'www2', actual: 'root_www2', passed: false},
      {field: 'virtual_host_name', expected: 'www', actual: 'www', passed: true},
    ])
  })
  test('"" expects none: no route, redirects and direct responses have no cluster', () => {
    const r = run(`
tests:
- test_name: unknown host
  input: {authority: nowhere.com, path: /, method: GET}
  validate: {cluster_name: "", virtual_host_name: "", path_redirect: "", code_redirect: 0}
- test_name: redirect
  input: {authority: redirect.lyft.com, path: /foo?q=1, method: GET, ssl: true}
  validate: {cluster_name: "", path_redirect: "https://new.lyft.com/new_bar?q=1", code_redirect: 302, path_rewrite: ""}
- test_name: direct response
  input: {authority: redirect.lyft.com, path: /gone, method: GET}
  validate:
    cluster_name: ""
    code_redirect: 410
    response_header_matches:
    - {name: ":status", string_match: {exact: "410"}}
    - {name: content-type, string_match: {exact: text/plain}}
`)
    assert.equal(r.failed, 0, JSON.stringify(r.results, null, 1))
  })
  test('require_tls: the SSL redirect is a direct response entry (301, https URL)', () => {
    const r = run(`
tests:
- test_name: plain http
  input: {authority: secure.lyft.com, path: /a, method: GET}
  validate: {cluster_name: "", path_redirect: "https://secure.lyft.com/a", code_redirect: 301}
- test_name: https
  input: {authority: secure.lyft.com, path: /a, method: GET, ssl: true}
  validate: {cluster_name: secure, code_redirect: 0, path_redirect: ""}
`)
    assert.equal(r.failed, 0, JSON.stringify(r.results, null, 1))
  })
  test('random_value picks weighted clusters: value % total in list order, default 0', () => {
    const tests = [0, 29, 30, 99, 100].map((rv) => ({test_name: `rv ${rv}`, input: {authority: 'www.lyft.com', path: '/split', method: 'GET', random_value: rv}, validate: {cluster_name: 'x'}}))
    const r = run({tests})
    assert.deepEqual(
      r.results.map((t) => t.checks[0].actual),
      ['split-a', 'split-a', 'split-b', 'split-b', 'split-a'],
    )
    const d = run({tests: [{test_name: 'default', input: {authority: 'www.lyft.com', path: '/split', method: 'GET'}, validate: {cluster_name: 'split-a'}}]})
    assert.equal(d.failed, 0)
  })
  test('runtime: enabled only for the named key and random_value below the fraction (numerator 0 counts as 1)', () => {
    const t = (runtime: string | undefined, rv: number) => ({test_name: `${runtime} ${rv}`, input: {authority: 'www.lyft.com', path: '/canary', method: 'GET', random_value: rv, ...(runtime ? {runtime} : {})}, validate: {cluster_name: 'x'}})
    const r = run({tests: [t('canary.enabled', 0), t('canary.enabled', 1), t(undefined, 0), t('other.key', 0)]})
    assert.deepEqual(
      r.results.map((x) => x.checks[0].actual),
      ['canary', 'www2', 'www2', 'www2'],
    )
    // a top-level runtime is the default (meshctl's addition)
    const top = run({runtime: 'canary.enabled', tests: [{test_name: 'top', input: {authority: 'www.lyft.com', path: '/canary', method: 'GET'}, validate: {cluster_name: 'canary'}}]})
    assert.equal(top.failed, 0)
  })
  test('virtual clusters are judged on the finalised request: first match, else other', () => {
    const r = run(`
tests:
- test_name: post
  input: {authority: www.lyft.com, path: /x, method: POST}
  validate: {virtual_cluster_name: posts}
- test_name: get
  input: {authority: www.lyft.com, path: /x, method: GET}
  validate: {virtual_cluster_name: other}
`)
    assert.equal(r.failed, 0, JSON.stringify(r.results, null, 1))
  })
  test('header matchers after rewrites, invert, and the deprecated *_header_fields', () => {
    const r = run(`
tests:
- test_name: headers
  input:
    authority: www.lyft.com
    path: /new_endpoint
    method: GET
    internal: true
    additional_request_headers: [{key: x-user, value: alice}]
    additional_response_headers: [{key: x-from-test, value: "1"}]
  validate:
    request_header_matches:
    - {name: ":path", string_match: {exact: /api/new_endpoint}}
    - {name: x-envoy-internal, string_match: {exact: "true"}}
    - {name: x-user, string_match: {prefix: al}}
    - {name: x-missing, present_match: true, invert_match: true}
    request_header_fields: [{key: ":authority", value: api.lyft.com}]
    response_header_fields: [{key: x-from-test, value: "1"}]
- test_name: failing matcher
  input: {authority: www.lyft.com, path: /, method: GET}
  validate:
    request_header_matches: [{name: x-user, string_match: {exact: bob}}]
`)
    assert.equal(r.results[0].passed, true, JSON.stringify(r.results[0], null, 1))
    assert.equal(r.results[1].passed, false)
    assert.deepEqual(r.results[1].checks[0], {field: 'request_header_matches[0]', expected: 'x-user exact "bob"', actual: 'x-user absent', passed: false})
    assert.equal(formatRouteTestsReport(r, {details: false}).split('\n')[0], 'FAIL failing matcher: request_header_matches[0] expected x-user exact "bob", actual x-user absent')
  })
  test('JSON, and the legacy JSON schema (a top-level array, :authority, additional_headers)', () => {
    const modern = parseStructured(Buffer.from(JSON.stringify({tests: [{test_name: 'j', input: {authority: 'www.lyft.com', path: '/', method: 'GET'}, validate: {cluster_name: 'root_www2'}}]})), 'tests.json')
    assert.equal(run(modern).passed, 1)
    const legacy = [{test_name: 'old', input: {':authority': 'www.lyft.com', ':path': '/other', additional_headers: [{field: 'x-a', value: '1'}]}, validate: {cluster_name: 'www2', header_fields: [{field: 'x-a', value: '1'}]}}]
    assert.equal(run(legacy).passed, 1)
    // lenient JSON (a trailing comma) is read as YAML
    const lenient = parseStructured(Buffer.from('{"tests": [{"test_name": "l", "input": {"authority": "www.lyft.com", "path": "/", "method": "GET"}, "validate": {"cluster_name": "root_www2"},},]}'), 'tests.json')
    assert.equal(run(lenient).passed, 1)
  })
  test('camelCase fields are accepted', () => {
    const r = run({tests: [{testName: 'camel', input: {authority: 'www.lyft.com', path: '/split', method: 'GET', randomValue: 50}, validate: {clusterName: 'split-b'}}]})
    assert.equal(r.failed, 0, JSON.stringify(r.results))
  })
})

describe('reading tests and route configs', () => {
  const bad = (doc: Json, re: RegExp) => assert.throws(() => parseRouteTests(doc, 't.yaml'), (e: unknown) => e instanceof InputError && re.test(e.message + (e.hint ?? '')))
  test('schema errors are one-line InputErrors naming the test', () => {
    bad({}, /expected an object with a "tests" array/)
    bad({tests: []}, /has no tests/)
    bad({tests: [{test_name: 'a', input: {authority: 'h', path: '/'}, validate: {cluster_nam: 'x'}}]}, /tests\[0\] \(a\) validate has an unknown field "cluster_nam"/)
    bad({tests: [{test_name: 'a', input: {authority: 'h'}, validate: {cluster_name: 'x'}}]}, /input.path is required/)
    bad({tests: [{test_name: 'a', input: {authority: 'h', path: '/'}, validate: {}}]}, /validates nothing/)
    bad({tests: [{test_name: 'a', input: {authority: 'h', path: '/', random_value: -1}, validate: {cluster_name: ''}}]}, /random_value must be a non-negative integer/)
    bad({tests: [{test_name: 'a', validate: {cluster_name: ''}}]}, /has no input/)
  })
  test('a bare RouteConfiguration is used as is; --route-name must then agree', () => {
    assert.equal(selectRouteConfig(routeConfig, undefined, 'r.yaml'), routeConfig)
    assert.equal(selectRouteConfig(routeConfig, 'local_route', 'r.yaml'), routeConfig)
    assert.throws(() => selectRouteConfig(routeConfig, 'other', 'r.yaml'), /single RouteConfiguration named "local_route"/)
  })
  const dump = (configs: JsonObject[]): Json => ({
    configs: [{'@type': 'type.googleapis.com/envoy.admin.v3.RoutesConfigDump', dynamic_route_configs: configs.map((route_config) => ({version_info: '1', route_config}))}],
  })
  test('a config_dump needs a route name when it holds several, and lists the names', () => {
    const d = dump([routeConfig, {name: '9080', virtual_hosts: []}])
    assert.equal(selectRouteConfig(d, 'local_route', 'dump.json'), routeConfig)
    assert.throws(
      () => selectRouteConfig(d, undefined, 'dump.json'),
      (e: unknown) => e instanceof InputError && /holds 2 route configurations; choose one with --route-name/.test(e.message) && /local_route, 9080/.test(e.hint ?? ''),
    )
    assert.throws(() => selectRouteConfig(d, 'nope', 'dump.json'), (e: unknown) => e instanceof InputError && /no route configuration named "nope"/.test(e.message) && /names: local_route, 9080/.test(e.hint ?? ''))
    assert.equal(selectRouteConfig(dump([routeConfig]), undefined, 'dump.json'), routeConfig)
  })
  test('identical duplicates are one config; different ones with one name are ambiguous', () => {
    assert.deepEqual(selectRouteConfig(dump([routeConfig, structuredClone(routeConfig)]), 'local_route', 'd'), routeConfig)
    assert.throws(() => selectRouteConfig(dump([routeConfig, {name: 'local_route', virtual_hosts: []}]), 'local_route', 'd'), /2 different route configurations named "local_route"/)
    assert.throws(() => selectRouteConfig({configs: []}, undefined, 'd'), /has no route configurations/)
  })
  test('real dumps: an Istio gateway route by name, and the OpenShift sidecar’s duplicated inline configs', () => {
    const gw = JSON.parse(readFileSync(join(SHARED, 'conformance/real-dumps/openshift-mesh__ingress-gateway.json'), 'utf8')) as Json
    const rc = selectRouteConfig(gw, 'http.8080', 'gw.json')
    const r = runRouteTestsOn(
      rc,
      parseRouteTests(
        {
          tests: [
            {test_name: 'dani', input: {authority: 'anything:8080', path: '/dani', method: 'GET'}, validate: {cluster_name: 'outbound|8080||hello-openshift.vanilla-playground.svc.cluster.local', virtual_host_name: '*:8080'}},
            {test_name: 'other path', input: {authority: 'anything', path: '/other', method: 'GET'}, validate: {cluster_name: ''}},
          ],
        },
        't',
      ),
    )
    assert.equal(r.failed, 0, JSON.stringify(r.results, null, 1))
    const sidecar = JSON.parse(readFileSync(join(SHARED, 'conformance/real-dumps/openshift-mesh__sidecar.json'), 'utf8')) as Json
    assert.equal(selectRouteConfig(sidecar, 'InboundPassthroughClusterIpv4', 'sc.json').name, 'InboundPassthroughClusterIpv4')
  })
})

describe('the runner', () => {
  test('formatting: failures always, every test with details, then N passed, M failed', () => {
    const r = run(`
tests:
- test_name: good
  input: {authority: www.lyft.com, path: /, method: GET}
  validate: {cluster_name: root_www2}
- test_name: bad
  input: {authority: www.lyft.com, path: /, method: GET}
  validate: {cluster_name: www2}
`)
    assert.equal(formatRouteTestsReport(r, {details: false}), 'FAIL bad: cluster_name expected "www2", actual "root_www2"\n1 passed, 1 failed')
    const details = formatRouteTestsReport(r, {details: true}).split('\n')
    assert.deepEqual(details, ['PASS good', '  cluster_name: "root_www2"', 'FAIL bad: cluster_name expected "www2", actual "root_www2"', '1 passed, 1 failed'])
  })

  const dir = mkdtempSync(join(tmpdir(), 'meshctl-route-tests-'))
  after(() => rmSync(dir, {recursive: true, force: true}))
  const runner = fileURLToPath(new URL('../../src/cli/route-tests.js', import.meta.url))
  const spawnRunner = (opts: JsonObject, env: Record<string, string> = {}) =>
    spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import {runRouteTests} from ${JSON.stringify(runner)}
try { process.exitCode = await runRouteTests(${JSON.stringify(opts)}) }
catch (e) { process.stderr.write('Error: ' + (e.oneLine ?? e.message) + '\\n'); process.exitCode = e.exitCode ?? 1 }`,
      ],
      {encoding: 'utf8', env: {...process.env, NO_COLOR: '1', ...env}},
    )
  writeFileSync(join(dir, 'routes.yaml'), ROUTES)
  writeFileSync(join(dir, 'dump.json'), JSON.stringify(dump2()))
  writeFileSync(
    join(dir, 'pass.yaml'),
    'tests:\n- test_name: root\n  input: {authority: www.lyft.com, path: /, method: GET}\n  validate: {cluster_name: root_www2}\n',
  )
  writeFileSync(join(dir, 'fail.json'), JSON.stringify({tests: [{test_name: 'wrong', input: {authority: 'www.lyft.com', path: '/', method: 'GET'}, validate: {cluster_name: 'www2'}}]}))
  function dump2(): Json {
    return {configs: [{'@type': 'type.googleapis.com/envoy.admin.v3.RoutesConfigDump', dynamic_route_configs: [{route_config: routeConfig}, {route_config: {name: '80', virtual_hosts: []}}]}]}
  }
  test('all pass: exit 0', () => {
    const res = spawnRunner({tests: join(dir, 'pass.yaml'), routes: join(dir, 'routes.yaml'), details: false})
    assert.equal(res.stderr, '')
    assert.equal(res.stdout, '1 passed, 0 failed\n')
    assert.equal(res.status, 0)
  })
  test('a failure: exit 10, one line per failing test', () => {
    const res = spawnRunner({tests: join(dir, 'fail.json'), routes: join(dir, 'routes.yaml'), details: false})
    assert.equal(res.stdout, 'FAIL wrong: cluster_name expected "www2", actual "root_www2"\n0 passed, 1 failed\n')
    assert.equal(res.status, 10)
  })
  test('a config_dump with --route-name; a missing name is exit 3 with the names', () => {
    const ok = spawnRunner({tests: join(dir, 'pass.yaml'), routes: join(dir, 'dump.json'), routeName: 'local_route', details: true})
    assert.equal(ok.status, 0, ok.stderr)
    assert.match(ok.stdout, /^PASS root\n/)
    const missing = spawnRunner({tests: join(dir, 'pass.yaml'), routes: join(dir, 'dump.json'), details: false})
    assert.equal(missing.status, 3)
    assert.match(missing.stderr, /^Error: .*holds 2 route configurations; choose one with --route-name; names: local_route, 80\n$/)
    // a large file is read through its ByteReader (only the routes section decoded); a bare config still works
    const big = {MESHCTL_READER_MIN_BYTES: '0'}
    assert.equal(spawnRunner({tests: join(dir, 'pass.yaml'), routes: join(dir, 'dump.json'), routeName: 'local_route', details: false}, big).status, 0)
    assert.equal(spawnRunner({tests: join(dir, 'pass.yaml'), routes: join(dir, 'dump.json'), details: false}, big).status, 3)
    assert.equal(spawnRunner({tests: join(dir, 'pass.yaml'), routes: join(dir, 'routes.yaml'), details: false}, big).status, 0)
    writeFileSync(join(dir, 'routes.json'), JSON.stringify(routeConfig))
    assert.equal(spawnRunner({tests: join(dir, 'pass.yaml'), routes: join(dir, 'routes.json'), details: false}, big).stdout, '1 passed, 0 failed\n')
    const nofile = spawnRunner({tests: join(dir, 'nope.yaml'), routes: join(dir, 'routes.yaml'), details: false})
    assert.equal(nofile.status, 3)
    assert.match(nofile.stderr, /cannot read .*nope.yaml: no such file/)
  })
})
