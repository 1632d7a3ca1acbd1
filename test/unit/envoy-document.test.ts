/**
 * Decoding input documents (spec §2.4, §2.5): JSON/YAML/plain-text /clusters, error messages and exit codes,
 * ?resource= regrouping, v2 type URLs, repeated sections.
 */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {
  type AdminDocument,
  asConfigDump,
  ClustersStatus,
  ConfigDump,
  decodeDocument,
  parseAdminDocument,
  parseClustersText,
} from '../../src/envoy/document.js'
import type {Json, JsonObject} from '../../src/envoy/fields.js'
import {InputError} from '../../src/errors/index.js'
import {renderShort} from '../../src/output/render.js'
import {clusterStatusView} from '../../src/views/endpoints.js'
import {clustersView} from '../../src/views/clusters.js'
import {ecdsView} from '../../src/views/ecds.js'
import {listenersView} from '../../src/views/listeners.js'
import {routesView} from '../../src/views/routes.js'
import {secretsView} from '../../src/views/secrets.js'

const V3 = 'type.googleapis.com/envoy.admin.v3.'
const parse = (text: string | Buffer): AdminDocument => parseAdminDocument(typeof text === 'string' ? Buffer.from(text) : text, 'dump.json')
const dumpOf = (...configs: JsonObject[]): ConfigDump => decodeDocument({configs}, 'test') as ConfigDump
const cluster = (name: string, extra: JsonObject = {}): JsonObject => ({name, type: 'EDS', ...extra})
const clusterNames = (d: ConfigDump): string[] => (clustersView(d, {}).data() as JsonObject[]).map((c) => c.name as string)

/** Runs fn, which must throw an InputError (exit 3, one-line message), and returns it. */
function inputError(fn: () => unknown): InputError {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof InputError, `expected an InputError, got ${String(err)}`)
    assert.equal(err.exitCode, 3)
    assert.doesNotMatch(err.oneLine, /\n/)
    assert.ok(err.oneLine.startsWith(err.message))
    return err
  }
  assert.fail('no error thrown')
}

describe('JSON syntax errors', () => {
  const cases: Array<{name: string; text: string; byte: number; line: number; col: number; also?: RegExp; todo?: string}> = [
    {name: 'trailing comma in object', text: '{"a":1,}', byte: 7, line: 1, col: 8},
    {name: 'missing colon on line 3', text: '\n\n  {"a" 1}', byte: 9, line: 3, col: 8},
    // é and ü are two bytes each in UTF-8: the offset counts bytes, not characters
    {name: 'multi-byte UTF-8 before the error', text: '{"é": "ü", x}', byte: 13, line: 1, col: 14},
    {name: 'multi-byte UTF-8 on an earlier line', text: '{"名前": "日本",\n "k" 1}', byte: 26, line: 2, col: 6},
    {name: 'unexpected character in a value', text: '{"a": x, "b": 2}', byte: 6, line: 1, col: 7, also: /\bx\b/},
    {name: 'bad literal', text: '{"configs": [tru]}', byte: 16, line: 1, col: 17},
    {name: 'garbage after the document', text: '{"a":1}}', byte: 7, line: 1, col: 8},
    {name: 'control character in a string', text: '{"a":"\u0001"}', byte: 6, line: 1, col: 7},
  ]
  for (const c of cases) {
    test(c.name, {todo: c.todo}, () => {
      const err = inputError(() => parse(c.text))
      assert.equal(err.code, 'E_JSON_PARSE')
      assert.match(err.message, new RegExp(`\\bbyte ${c.byte}\\b`))
      assert.match(err.message, new RegExp(`line ${c.line}, column ${c.col}\\b`))
      assert.match(err.message, /^dump\.json: /)
      assert.doesNotMatch(err.message, /truncated/)
      if (c.also) assert.match(err.message, c.also)
    })
  }

  const truncated = ['{"a":', '{"configs":[', '{"configs":[{"@type":"type.goo', '[1,2', '{"configs":[{"a":1}', '{"a":"b"', '{"a": tr']
  for (const text of truncated) {
    test(`truncated document ${JSON.stringify(text)} says truncated, at its end`, () => {
      const err = inputError(() => parse(text))
      assert.match(err.message, /truncated/)
      assert.match(err.message, new RegExp(`\\bbyte ${Buffer.byteLength(text)}\\b`))
    })
  }

  const BOM = Buffer.from([0xef, 0xbb, 0xbf])
  const bomCases: Array<{name: string; value: Json; todo?: string}> = [
    {name: 'a config_dump', value: {configs: [{'@type': `${V3}ClustersConfigDump`}]}},
    {name: 'a /clusters answer', value: {cluster_statuses: []}},
    {name: 'an array of sections', value: [{'@type': `${V3}ClustersConfigDump`}]},
  ]
  test('a UTF-8 byte order mark before a config_dump: the views work', () => {
    const doc = parse(Buffer.concat([BOM, Buffer.from(JSON.stringify({configs: [{'@type': `${V3}ClustersConfigDump`, static_clusters: [{cluster: cluster('a')}]}]}))]))
    assert.deepEqual(clusterNames(doc as ConfigDump), ['a'])
  })
  for (const c of bomCases) {
    test(`a UTF-8 byte order mark before ${c.name} is accepted`, {todo: c.todo}, () => {
      const doc = parse(Buffer.concat([BOM, Buffer.from(JSON.stringify(c.value))]))
      assert.deepEqual(doc.raw, c.value)
    })
  }
})

describe('lazily scanned config_dump sections', () => {
  const C = (name: string): string => `{"@type":"${V3}ClustersConfigDump","static_clusters":[{"cluster":{"name":"${name}"}}]}`
  // each text must read exactly as JSON.parse + decodeDocument reads it
  const same: Array<{name: string; text: string}> = [
    {name: 'escaped @type key and value', text: `{"configs":[{"\\u0040type":"type.googleapis.com\\/envoy.admin.v3.ClustersConfigDump","static_clusters":[{"cluster":{"name":"esc"}}]}]}`},
    {name: '@type after the content', text: `{"configs":[{"static_clusters":[{"cluster":{"name":"late"}}],"@type":"${V3}ClustersConfigDump"}]}`},
    {name: 'duplicate configs key: the last wins', text: `{"configs":[${C('first')}], "configs": [${C('second')}]}`},
    {name: 'configs after other keys, nested configs keys', text: `{"x": {"configs": 1}, "y": ["]", "}", "\\"{"], "configs": [${C('a')}], "z": null}`},
    {name: 'braces and escaped quotes inside strings', text: `{"configs":[{"@type":"${V3}ClustersConfigDump","static_clusters":[{"cluster":{"name":"a\\"}{]\\\\"}}]}]}`},
    {name: 'white space everywhere', text: `\n {\n "configs" :\t[\r\n ${C('ws')} \n , {"@type": "${V3}RoutesConfigDump"} ] \n}\n\n`},
    {name: 'empty configs', text: '{"configs": []}'},
    {name: 'non-string @type', text: '{"configs": [{"@type": 5}]}'},
  ]
  for (const c of same) {
    test(c.name, () => {
      const lazy = parse(c.text) as ConfigDump
      const eager = decodeDocument(JSON.parse(c.text) as Json, 'dump.json') as ConfigDump
      assert.deepEqual(lazy.configs, eager.configs)
      assert.deepEqual(lazy.raw, eager.raw)
      assert.equal(lazy.describeSections(), eager.describeSections())
      if (eager.section('clusters')) assert.deepEqual(clusterNames(lazy), clusterNames(eager))
    })
  }

  test('a syntax error inside one section is reported, with its byte offset, when that section is read', () => {
    const text = `{"configs":[${C('a')},{"@type":"${V3}RoutesConfigDump","static_route_configs":[{"route_config":{"name":"r","x":tru}}]}]}`
    const at = text.indexOf('tru}') + 3
    let doc: AdminDocument | undefined
    try {
      doc = parse(text)
    } catch {
      // rejecting the whole file up front (as istioctl does) is fine too
      assert.match(inputError(() => parse(text)).message, new RegExp(`byte ${at}\\b`))
      return
    }
    assert.deepEqual(clusterNames(doc as ConfigDump), ['a'])
    const err = inputError(() => routesView(doc as ConfigDump, {}, true))
    assert.equal(err.code, 'E_JSON_PARSE')
    assert.match(err.message, new RegExp(`byte ${at}\\b`))
  })

  const lenient = [`{"configs":[${C('a')},]}`, `{"configs":[${C('a')}],}`, `{"configs":[${C('a')}],"x":hello}`, `{"configs":[${C('a')}],"x":tru}`]
  for (const text of lenient) {
    test(`malformed JSON outside the sections ${JSON.stringify(text.slice(-10))} is rejected`, () => {
      inputError(() => parse(text))
    })
  }
})

describe('documents that are not a dump', () => {
  const cases: Array<{name: string; text: string; code: string; match: RegExp[]}> = [
    {name: 'empty input', text: '', code: 'E_EMPTY', match: [/dump\.json is empty/]},
    {name: 'whitespace only', text: ' \n\t\r\n', code: 'E_EMPTY', match: [/is empty/]},
    {name: 'object without configs', text: '{"foo":1}', code: 'E_NOT_DUMP', match: [/"configs"/, /\bfoo\b/, /cluster_statuses/]},
    {name: 'many unknown keys are abbreviated', text: '{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6}', code: 'E_NOT_DUMP', match: [/a, b, c, d, e, \.\.\./]},
    {name: 'configs is an object', text: '{"configs":{}}', code: 'E_NOT_DUMP', match: [/"configs" is an empty object/, /expected an array/]},
    {name: 'configs is a string', text: '{"configs":"x"}', code: 'E_NOT_DUMP', match: [/"configs" is a string/]},
    {name: 'configs has a non-object', text: '{"configs":[{"@type":"x"},3]}', code: 'E_NOT_DUMP', match: [/configs\[1\] is a number/]},
    {name: 'empty array', text: '[]', code: 'E_NOT_DUMP', match: [/not an Envoy config dump/, /an array of 0 items/]},
    {name: 'array of non-sections', text: '[{"a":1}]', code: 'E_NOT_DUMP', match: [/an array of 1 item\b/]},
    {name: 'plain text', text: 'hello world', code: 'E_NOT_DUMP', match: [/plain text/]},
    {name: 'a number', text: '42', code: 'E_NOT_DUMP', match: [/not an Envoy config dump/]},
    {name: 'broken YAML', text: 'configs: [\n  - a', code: 'E_YAML_PARSE', match: [/neither JSON nor YAML/, /line \d+, column \d+/]},
  ]
  for (const c of cases) {
    test(c.name, () => {
      const err = inputError(() => parse(c.text))
      assert.equal(err.code, c.code)
      for (const m of c.match) assert.match(err.message, m)
    })
  }

  test('the hint tells how to capture a dump, on the same line', () => {
    const err = inputError(() => parse('{"foo":1}'))
    assert.match(err.oneLine, /; capture one with: kubectl exec .* config_dump/)
  })
})

describe('accepted forms', () => {
  const clustersSection = {'@type': `${V3}ClustersConfigDump`, static_clusters: [{cluster: cluster('a')}], dynamic_active_clusters: [{cluster: cluster('b')}]}

  test('Envoy JSON', () => {
    const doc = parse(JSON.stringify({configs: [clustersSection]}))
    assert.ok(doc instanceof ConfigDump)
    assert.deepEqual(clusterNames(doc), ['a', 'b'])
  })

  test('YAML dump', () => {
    const yaml = [
      'configs:',
      `- '@type': ${V3}ClustersConfigDump`,
      '  dynamic_active_clusters:',
      '  - cluster: {name: b, type: EDS}',
      '  static_clusters:',
      '  - cluster:',
      '      name: a',
    ].join('\n')
    const doc = parse(yaml)
    assert.ok(doc instanceof ConfigDump)
    assert.deepEqual(clusterNames(doc), ['a', 'b'])
  })

  test('a bare section object', () => {
    const doc = parse(JSON.stringify(clustersSection))
    assert.ok(doc instanceof ConfigDump)
    assert.equal(doc.configs.length, 1)
    assert.deepEqual(clusterNames(doc), ['a', 'b'])
  })

  test('an array of sections', () => {
    const doc = parse(JSON.stringify([clustersSection, {'@type': `${V3}RoutesConfigDump`}]))
    assert.ok(doc instanceof ConfigDump)
    assert.equal(doc.configs.length, 2)
  })

  test('{} is an empty dump whose missing sections are explained', () => {
    const doc = parse('{}')
    assert.ok(doc instanceof ConfigDump)
    const err = inputError(() => clustersView(doc as ConfigDump, {}).blocks)
    assert.equal(err.message, 'config dump has no configuration type type.googleapis.com/envoy.admin.v3.ClustersConfigDump')
    assert.match(err.oneLine, /no config sections at all/)
  })

  test('camelCase keys (configs and clusterStatuses)', () => {
    const doc = parse(JSON.stringify({clusterStatuses: [{name: 'c', hostStatuses: []}]}))
    assert.ok(doc instanceof ClustersStatus)
    assert.equal(doc.clusterStatuses.length, 1)
  })

  test('raw keeps the document as given', () => {
    const value = {configs: [clustersSection], extra: {x: 1}}
    const doc = parse(JSON.stringify(value)) as ConfigDump
    assert.deepEqual(doc.raw, value)
  })
})

describe('sections (§2.5)', () => {
  test('missing section names the type URL; listeners are prefixed; the hint lists what exists', () => {
    const d = dumpOf({'@type': `${V3}ClustersConfigDump`}, {'@type': `${V3}BootstrapConfigDump`})
    const err = inputError(() => listenersView(d, {}, true))
    assert.equal(err.message, 'listener dump: config dump has no configuration type type.googleapis.com/envoy.admin.v3.ListenersConfigDump')
    assert.match(err.oneLine, /ClustersConfigDump, BootstrapConfigDump/)
    assert.equal(inputError(() => routesView(d, {}, true)).message, 'config dump has no configuration type type.googleapis.com/envoy.admin.v3.RoutesConfigDump')
    assert.equal(inputError(() => secretsView(d, new Date())).message, 'config dump has no configuration type type.googleapis.com/envoy.admin.v3.SecretsConfigDump')
    assert.equal(inputError(() => ecdsView(d)).message, 'config dump has no configuration type type.googleapis.com/envoy.admin.v3.EcdsConfigDump')
  })

  test('the last section of a type wins', () => {
    const d = dumpOf(
      {'@type': `${V3}ClustersConfigDump`, static_clusters: [{cluster: cluster('first')}]},
      {'@type': `${V3}ListenersConfigDump`},
      {'@type': `${V3}ClustersConfigDump`, static_clusters: [{cluster: cluster('second')}]},
    )
    assert.deepEqual(clusterNames(d), ['second'])
    assert.equal(d.sections('clusters').length, 2)
  })

  test('ECDS sections are concatenated', () => {
    const ecds = (name: string): JsonObject => ({
      '@type': `${V3}EcdsConfigDump`,
      ecds_filters: [{ecds_filter: {name, typed_config: {'@type': 'type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm'}}}],
    })
    const d = dumpOf(ecds('one'), ecds('two'))
    assert.equal(renderShort(ecdsView(d)).split('\n').filter((l) => /\b(one|two)\b/.test(l)).length, 2)
  })

  test('v2 type URLs (envoy.admin.v2alpha) are recognised', () => {
    const d = dumpOf(
      {'@type': 'type.googleapis.com/envoy.admin.v2alpha.ClustersConfigDump', static_clusters: [{cluster: cluster('v2c')}]},
      {
        '@type': 'type.googleapis.com/envoy.admin.v2alpha.ListenersConfigDump',
        dynamic_active_listeners: [{listener: {name: 'l', address: {socket_address: {address: '0.0.0.0', port_value: 80}}, filter_chains: [{filters: [{name: 'envoy.tcp_proxy', config: {cluster: 'x'}}]}]}}],
      },
    )
    assert.deepEqual(clusterNames(d), ['v2c'])
    assert.match(renderShort(listenersView(d, {}, true)), /0\.0\.0\.0 {3}80 {3}ALL {3}Cluster: x\n/)
  })

  test('an unknown section type is ignored', () => {
    const d = dumpOf({'@type': `${V3}SomethingNewConfigDump`}, {'@type': `${V3}ClustersConfigDump`, static_clusters: [{cluster: cluster('a')}]})
    assert.deepEqual(clusterNames(d), ['a'])
  })
})

describe('?resource= dumps are regrouped into sections', () => {
  const resourceDump = (): ConfigDump =>
    dumpOf(
      {'@type': `${V3}ClustersConfigDump.DynamicCluster`, version_info: '1', cluster: cluster('outbound|80||b.ns.svc.cluster.local')},
      {'@type': `${V3}ListenersConfigDump.DynamicListener`, name: 'l1', active_state: {listener: {name: 'l1', address: {socket_address: {address: '10.0.0.1', port_value: 8080}}, filter_chains: [{filters: [{name: 'envoy.filters.network.tcp_proxy', typed_config: {cluster: 'outbound|8080||x'}}]}]}}},
      {'@type': `${V3}ClustersConfigDump.StaticCluster`, cluster: cluster('agent', {type: 'STATIC'})},
      {'@type': `${V3}ClustersConfigDump.DynamicCluster`, cluster: cluster('outbound|80||a.ns.svc.cluster.local')},
      {'@type': `${V3}SecretsConfigDump.DynamicSecret`, name: 'default', secret: {name: 'default'}},
      {'@type': `${V3}RoutesConfigDump.DynamicRouteConfig`, route_config: {name: '80', virtual_hosts: [{name: 'vh', domains: ['*'], routes: [{match: {prefix: '/'}, route: {cluster: 'c'}}]}]}},
    )

  test('clusters: dynamic entries into dynamic_active_clusters, static into static_clusters', () => {
    const d = resourceDump()
    const section = d.section('clusters')!
    assert.equal(section['@type'], `${V3}ClustersConfigDump`)
    assert.equal((section.dynamic_active_clusters as Json[]).length, 2)
    assert.equal((section.static_clusters as Json[]).length, 1)
    assert.deepEqual(clusterNames(d), ['outbound|80||a.ns.svc.cluster.local', 'agent', 'outbound|80||b.ns.svc.cluster.local'])
  })

  test('listeners, routes, secrets work through their views', () => {
    const d = resourceDump()
    assert.match(renderShort(listenersView(d, {}, true)), /10\.0\.0\.1 {2}8080 ALL {3}Cluster: outbound\|8080\|\|x/)
    assert.match(renderShort(routesView(d, {}, true)), /^80 +vh /m)
    assert.match(renderShort(secretsView(d, new Date())), /^default +ACTIVE/m)
  })

  test('a whole section after resource entries: both are kept, the last one wins', () => {
    const d = dumpOf(
      {'@type': `${V3}ClustersConfigDump.DynamicCluster`, cluster: cluster('from-resource')},
      {'@type': `${V3}ClustersConfigDump`, static_clusters: [{cluster: cluster('from-section')}]},
    )
    assert.equal(d.sections('clusters').length, 2)
    assert.deepEqual(clusterNames(d), ['from-section'])
  })

  test('a bare resource entry is a dump', () => {
    const doc = parse(JSON.stringify({'@type': `${V3}ClustersConfigDump.DynamicCluster`, cluster: cluster('solo')}))
    assert.ok(doc instanceof ConfigDump)
    assert.deepEqual(clusterNames(doc), ['solo'])
  })
})

describe("Envoy's plain-text /clusters", () => {
  const c = 'outbound|9080||reviews.default.svc.cluster.local'
  const text = [
    `${c}::observability_name::${c}`,
    `${c}::default_priority::max_connections::4294967295`,
    `${c}::default_priority::max_pending_requests::4294967295`,
    `${c}::high_priority::max_connections::1024`,
    `${c}::added_via_api::true`,
    `${c}::eds_service_name::${c}`,
    `${c}::10.244.0.7:9080::cx_active::2`,
    `${c}::10.244.0.7:9080::rq_total::17`,
    `${c}::10.244.0.7:9080::hostname::`,
    `${c}::10.244.0.7:9080::health_flags::healthy`,
    `${c}::10.244.0.7:9080::weight::1`,
    `${c}::10.244.0.7:9080::region::us-east1`,
    `${c}::10.244.0.7:9080::zone::us-east1-b`,
    `${c}::10.244.0.7:9080::sub_zone::`,
    `${c}::10.244.0.7:9080::success_rate::-1`,
    `${c}::10.244.0.8:9080::cx_active::0`,
    `${c}::10.244.0.8:9080::health_flags::/failed_outlier_check`,
    `${c}::[fd00::1]:9080::health_flags::/failed_eds_health`,
    'BlackHoleCluster::observability_name::BlackHoleCluster',
    'BlackHoleCluster::default_priority::max_connections::1024',
    'BlackHoleCluster::added_via_api::false',
    '',
  ].join('\n')

  test('is recognised as a /clusters answer', () => {
    const doc = parse(text)
    assert.ok(doc instanceof ClustersStatus)
    assert.deepEqual(
      doc.clusterStatuses.map((s) => s.name),
      [c, 'BlackHoleCluster'],
    )
    assert.throws(() => asConfigDump(doc, 'cluster'), (err: unknown) => err instanceof InputError && /\/clusters answer, not a config_dump/.test(err.message))
  })

  test('hosts: address, port, health, outlier, locality, numeric stats', () => {
    const statuses = parseClustersText(text).cluster_statuses as JsonObject[]
    const hosts = statuses[0].host_statuses as JsonObject[]
    const byAddr = new Map(hosts.map((h) => [JSON.stringify(h.address), h]))
    const h7 = byAddr.get(JSON.stringify({socket_address: {address: '10.244.0.7', port_value: 9080}}))!
    assert.deepEqual(h7.health_status, {eds_health_status: 'HEALTHY'})
    assert.deepEqual(h7.locality, {region: 'us-east1', zone: 'us-east1-b'})
    assert.equal(h7.weight, 1)
    assert.deepEqual(h7.stats, [
      {name: 'cx_active', value: '2'},
      {name: 'rq_total', value: '17'},
    ])
    const h8 = byAddr.get(JSON.stringify({socket_address: {address: '10.244.0.8', port_value: 9080}}))!
    assert.equal((h8.health_status as JsonObject).failed_outlier_check, true)
  })

  test('IPv6 hosts ([fd00::1]:9080) are parsed', () => {
    const hosts = (parseClustersText(text).cluster_statuses as JsonObject[])[0].host_statuses as JsonObject[]
    const v6 = hosts.find((h) => JSON.stringify(h.address) === JSON.stringify({socket_address: {address: 'fd00::1', port_value: 9080}}))
    assert.ok(v6, 'no host fd00::1')
    assert.equal((v6.health_status as JsonObject).eds_health_status, 'UNHEALTHY')
  })

  test('circuit-breaker lines (default_priority/high_priority) are not hosts', () => {
    const statuses = parseClustersText(text).cluster_statuses as JsonObject[]
    assert.equal((statuses[0].host_statuses as Json[]).length, 3)
    assert.equal(statuses[1].host_statuses, undefined)
    const out = renderShort(clusterStatusView(parse(text) as ClustersStatus, {}))
    assert.doesNotMatch(out, /priority/)
  })

  test('pc endpoints table from the text form', () => {
    const out = renderShort(clusterStatusView(parse(text) as ClustersStatus, {cluster: c}))
    assert.match(out, /^10\.244\.0\.7:9080 +HEALTHY +OK +outbound/m)
    assert.match(out, /^10\.244\.0\.8:9080 +UNKNOWN +FAILED +outbound/m)
  })

  const flags: Array<{flags: string; status?: string; outlier?: boolean; todo?: string}> = [
    {flags: 'healthy', status: 'HEALTHY'},
    {flags: '/failed_eds_health', status: 'UNHEALTHY'},
    {flags: '/eds_status_draining', status: 'DRAINING'},
    {flags: '/failed_outlier_check', outlier: true},
    // Envoy (source/common/upstream/host_utility.cc) appends flags without a separator
    {flags: '/failed_outlier_check/failed_eds_health', status: 'UNHEALTHY', outlier: true},
    {flags: '/degraded_eds_health', status: 'DEGRADED'},
  ]
  for (const f of flags) {
    test(`health_flags::${f.flags}`, {todo: f.todo}, () => {
      const hosts = (parseClustersText(`x::1.2.3.4:80::health_flags::${f.flags}\n`).cluster_statuses as JsonObject[])[0].host_statuses as JsonObject[]
      const hs = hosts[0].health_status as JsonObject
      assert.equal(hs.eds_health_status, f.status)
      assert.equal(hs.failed_outlier_check, f.outlier)
    })
  }
})

describe('plain-text /clusters with CRLF line ends', () => {
  test('parsed like LF', () => {
    const lf = 'c::observability_name::c\nc::10.0.0.1:80::cx_active::3\nc::10.0.0.1:80::health_flags::healthy\n'
    assert.deepEqual(parse(lf.replaceAll('\n', '\r\n')).raw, parse(lf).raw)
  })
})

describe('error classes', () => {
  test('oneLine appends the hint and never spans lines', () => {
    const e = new InputError('bad\n  input', {code: 'E_X', hint: 'try\nthis'})
    assert.equal(e.oneLine, 'bad input; try this')
    assert.equal(e.code, 'E_X')
    assert.equal(e.exitCode, 3)
    assert.equal(e.name, 'InputError')
    assert.equal(new InputError('plain').oneLine, 'plain')
    assert.equal(new InputError('plain').code, 'E_INPUT')
  })

  test('exit codes by class', async () => {
    const {ClusterError, ExitCode, isMeshctlError, MeshctlError, ProxyError, UsageError} = await import('../../src/errors/index.js')
    assert.equal(new UsageError('u').exitCode, ExitCode.USAGE)
    assert.equal(new InputError('i').exitCode, ExitCode.INPUT)
    assert.equal(new ClusterError('c').exitCode, ExitCode.CLUSTER)
    assert.equal(new ProxyError('p').exitCode, ExitCode.PROXY)
    assert.deepEqual([ExitCode.USAGE, ExitCode.INPUT, ExitCode.CLUSTER, ExitCode.PROXY], [2, 3, 4, 5])
    assert.ok(new ProxyError('p') instanceof MeshctlError)
    assert.equal(isMeshctlError(new UsageError('u')), true)
    assert.equal(isMeshctlError(new Error('x')), false)
    const cause = new Error('root')
    assert.equal(new InputError('x', {cause}).cause, cause)
  })

  test('asConfigDump passes a dump through', () => {
    const d = dumpOf()
    assert.equal(asConfigDump(d, 'cluster'), d)
  })
})

describe('ClustersStatus.named: one cluster status by name', () => {
  const statuses: JsonObject[] = [
    {name: 'outbound|9080||a.default.svc.cluster.local', host_statuses: [{address: {socket_address: {address: '10.0.0.1', port_value: 9080}}, stats: [{name: 'cx_active', value: '1'}]}]},
    // not opened by its name: found by decoding it
    {added_via_api: true, name: 'late-name', host_statuses: []},
    {name: 'tab\there "q" é', host_statuses: [{address: {socket_address: {address: '10.0.0.2', port_value: 1}}}]},
    {name: 'twice', host_statuses: [], observability_name: 'first'},
    {name: 'twice', host_statuses: [], observability_name: 'second'},
  ]
  // Envoy's layout (one space per level) and a compact one, both split into entries; and the decoded document
  const forms: Array<[string, ClustersStatus]> = [
    ['pretty', parse(JSON.stringify({cluster_statuses: statuses}, null, 1)) as ClustersStatus],
    ['two spaces', parse(JSON.stringify({cluster_statuses: statuses}, null, 2)) as ClustersStatus],
    ['decoded', decodeDocument({cluster_statuses: statuses}, 'test') as ClustersStatus],
  ]
  for (const [form, doc] of forms) {
    test(`${form}: the status named, the last of a repeated name, undefined for none; stats left out on request`, () => {
      assert.ok(doc instanceof ClustersStatus)
      for (const s of statuses.slice(0, 3)) assert.deepEqual(doc.named(s.name as string)?.name, s.name)
      assert.equal(doc.named('twice')?.observability_name, 'second')
      assert.equal(doc.named('missing'), undefined)
      assert.equal(doc.named('late'), undefined)
      const full = doc.named(statuses[0]!.name as string)!
      assert.deepEqual(full, statuses[0])
      const lean = doc.named(statuses[0]!.name as string, 'stats')!
      assert.deepEqual((lean.host_statuses as JsonObject[])[0]!.address, (statuses[0]!.host_statuses as JsonObject[])[0]!.address)
      // the same answers as a search through every status
      for (const s of statuses) {
        const all = [...doc.statuses()].map(([, x]) => x).filter((x) => x.name === s.name)
        assert.deepEqual(doc.named(s.name as string), all.at(-1))
      }
    })
  }
})
