/** `pc bootstrap` version summary (§4.7), `pc ecds` (§4.8) and `pc all` (§4.9). */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {type ConfigDump, decodeDocument} from '../../src/envoy/document.js'
import type {Json, JsonObject} from '../../src/envoy/fields.js'
import {InputError} from '../../src/errors/index.js'
import {render, renderShort} from '../../src/output/render.js'
import {goYaml} from '../../src/output/yaml.js'
import {type AllOptions, allView} from '../../src/views/all.js'
import {bootstrapView} from '../../src/views/bootstrap.js'
import {ecdsView} from '../../src/views/ecds.js'

const V3 = 'type.googleapis.com/envoy.admin.v3.'
const dumpOf = (...configs: JsonObject[]): ConfigDump => decodeDocument({configs}, 'test') as ConfigDump
const bootstrap = (node: JsonObject): JsonObject => ({'@type': `${V3}BootstrapConfigDump`, bootstrap: {node, static_resources: {}}, last_updated: '2024-01-02T03:04:05.678Z'})
const bv = (version: JsonObject | undefined, metadata?: JsonObject): JsonObject => ({...(version ? {version} : {}), ...(metadata ? {metadata} : {})})

describe('bootstrap -o short (version summary, padding 1)', () => {
  const cases: Array<{name: string; node: JsonObject; want: string[]}> = [
    {
      name: 'everything',
      node: {metadata: {ISTIO_VERSION: '1.30.0', ISTIO_PROXY_SHA: 'istio-proxy:4f8a2c'}, user_agent_build_version: bv({major_number: 1, minor_number: 18, patch: 3}, {'revision.status': 'Clean', 'build.type': 'RELEASE', 'ssl.version': 'BoringSSL'})},
      want: ['Istio Version:       1.30.0', 'Istio Proxy Version: 4f8a2c', 'Envoy Version:       1.18.3/Clean/RELEASE/BoringSSL'],
    },
    {
      name: 'build label, metadata in another order',
      node: {metadata: {ISTIO_VERSION: '1.30.0'}, user_agent_build_version: bv({major_number: 1, minor_number: 35}, {'ssl.version': 'BoringSSL', 'build.label': 'dev', 'build.type': 'DEBUG'})},
      want: ['Istio Version: 1.30.0', 'Envoy Version: 1.35.0-dev/DEBUG/BoringSSL'],
    },
    {name: 'SHA without a colon is kept', node: {metadata: {ISTIO_PROXY_SHA: 'abc'}}, want: ['Istio Proxy Version: abc', 'Envoy Version:       0.0.0']},
    {name: 'SHA with several colons keeps the second field', node: {metadata: {ISTIO_PROXY_SHA: 'a:b:c'}}, want: ['Istio Proxy Version: b', 'Envoy Version:       0.0.0']},
    {name: 'no metadata, no build version', node: {id: 'x'}, want: ['Envoy Version: 0.0.0']},
    {name: 'empty strings omit the lines', node: {metadata: {ISTIO_VERSION: '', ISTIO_PROXY_SHA: ''}}, want: ['Envoy Version: 0.0.0']},
    {
      name: 'camelCase (protojson) form',
      node: {metadata: {ISTIO_VERSION: '1.2.3'}, userAgentBuildVersion: {version: {majorNumber: 1, minorNumber: 2, patch: 9}, metadata: {'build.type': 'RELEASE'}}},
      want: ['Istio Version: 1.2.3', 'Envoy Version: 1.2.9/RELEASE'],
    },
  ]
  for (const c of cases) {
    test(c.name, () => {
      assert.equal(renderShort(bootstrapView(dumpOf(bootstrap(c.node)))), `${c.want.join('\n')}\n`)
    })
  }

  test('missing section is an InputError', () => {
    assert.throws(() => bootstrapView(dumpOf({'@type': `${V3}ClustersConfigDump`})), (e: unknown) => e instanceof InputError && /BootstrapConfigDump/.test(e.message))
  })

  test('-o json: the section in camelCase, node metadata kept as data and sorted', () => {
    const data = bootstrapView(dumpOf(bootstrap({id: 'n', metadata: {Z_KEY: 'z', A_KEY: {inner_key: 1}}, user_agent_build_version: bv({major_number: 1})}))).data()
    assert.equal(
      JSON.stringify(data),
      JSON.stringify({bootstrap: {node: {id: 'n', metadata: {A_KEY: {inner_key: 1}, Z_KEY: 'z'}, userAgentBuildVersion: {version: {majorNumber: 1}}}, staticResources: {}}, lastUpdated: '2024-01-02T03:04:05.678Z'}),
    )
    assert.equal(
      render(bootstrapView(dumpOf(bootstrap({id: 'n', cluster: 'y'}))), {format: 'yaml', toYaml: goYaml}),
      // "n" and "y" are YAML 1.1 booleans, so go-yaml v2 quotes them
      'bootstrap:\n  node:\n    cluster: "y"\n    id: "n"\n  staticResources: {}\nlastUpdated: "2024-01-02T03:04:05.678Z"\n\n',
    )
  })
})

describe('pc ecds', () => {
  const WASM = 'type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm'
  const RBAC = 'type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC'
  const entry = (name: string, type?: string, extra: JsonObject = {}): JsonObject => ({version_info: '1', ecds_filter: {name, ...(type ? {typed_config: {'@type': type, ...extra}} : {})}, last_updated: '2024-01-01T00:00:00Z'})
  const ecds = (...entries: JsonObject[]): JsonObject => ({'@type': `${V3}EcdsConfigDump`, ecds_filters: entries})

  test('sorted by type URL then name; entries without a type first; sections concatenated', () => {
    const d = dumpOf(ecds(entry('b', WASM), entry('c', RBAC)), {'@type': `${V3}ClustersConfigDump`}, ecds(entry('z'), entry('a', WASM)))
    assert.equal(
      renderShort(ecdsView(d)),
      [
        'ECDS NAME     TYPE',
        'z             ',
        'a             envoy.extensions.filters.http.wasm.v3.Wasm',
        'b             envoy.extensions.filters.http.wasm.v3.Wasm',
        'c             envoy.extensions.filters.network.rbac.v3.RBAC',
        '',
      ].join('\n'),
    )
  })

  test('-o json: {ecdsFilters: [...]} in dump order, camelCase outside maps', () => {
    const d = dumpOf(
      ecds(
        entry('stats', WASM, {config: {vm_config: {runtime: 'envoy.wasm.runtime.null', environment_variables: {key_values: {Z: '1', A: '2'}}}, root_id: 'stats_outbound'}}),
        entry('other', RBAC),
      ),
    )
    assert.equal(
      JSON.stringify(ecdsView(d).data()),
      JSON.stringify({
        ecdsFilters: [
          {versionInfo: '1', ecdsFilter: {name: 'stats', typedConfig: {'@type': WASM, config: {vmConfig: {runtime: 'envoy.wasm.runtime.null', environmentVariables: {keyValues: {A: '2', Z: '1'}}}, rootId: 'stats_outbound'}}}, lastUpdated: '2024-01-01T00:00:00Z'},
          {versionInfo: '1', ecdsFilter: {name: 'other', typedConfig: {'@type': RBAC}}, lastUpdated: '2024-01-01T00:00:00Z'},
        ],
      }),
    )
  })

  test('an empty ECDS section prints the header; no section is an error', () => {
    assert.equal(renderShort(ecdsView(dumpOf(ecds()))), 'ECDS NAME     TYPE\n')
    assert.throws(() => ecdsView(dumpOf()), (e: unknown) => e instanceof InputError && e.message === 'config dump has no configuration type type.googleapis.com/envoy.admin.v3.EcdsConfigDump')
  })
})

describe('pc all', () => {
  const full = (): JsonObject => ({
    configs: [
      bootstrap({metadata: {ISTIO_VERSION: '1.30.0'}, user_agent_build_version: bv({major_number: 1, minor_number: 35, patch: 1})}),
      {'@type': `${V3}ClustersConfigDump`, dynamic_active_clusters: [{cluster: {name: 'outbound|80||a.ns.svc.cluster.local', type: 'EDS'}}]},
      {
        '@type': `${V3}ListenersConfigDump`,
        dynamic_listeners: [{name: 'l', active_state: {listener: {name: 'l', address: {socket_address: {address: '0.0.0.0', port_value: 80}}, filter_chains: [{filters: [{name: 'envoy.filters.network.http_connection_manager', typed_config: {rds: {route_config_name: '80'}}}]}]}}}],
      },
      {'@type': `${V3}RoutesConfigDump`, dynamic_route_configs: [{route_config: {name: '80', virtual_hosts: [{name: 'a:80', domains: ['a'], routes: [{match: {prefix: '/'}, route: {cluster: 'c'}}]}]}}]},
      {'@type': `${V3}SecretsConfigDump`},
      {'@type': `${V3}EndpointsConfigDump`, dynamic_endpoint_configs: [{endpoint_config: {cluster_name: 'outbound|80||a.ns.svc.cluster.local', endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: '10.0.0.1', port_value: 80}}}, health_status: 'HEALTHY'}]}]}}]},
    ],
  })
  const opts = (raw: JsonObject, o: Partial<AllOptions> = {}): AllOptions => ({
    clusters: {},
    listeners: {},
    endpoints: {},
    verbose: true,
    withHeaders: false,
    now: new Date('2025-01-01T00:00:00Z'),
    rawJson: () => JSON.stringify(raw),
    ...o,
  })
  const SECTIONS = [
    ['Istio Version: 1.30.0', 'Envoy Version: 1.35.1'],
    [
      'NAME                                            SERVICE FQDN               PORT     SUBSET     DIRECTION     TYPE     DESTINATION RULE',
      'cluster/outbound|80||a.ns.svc.cluster.local     a.ns.svc.cluster.local     80       -          outbound      EDS      ',
    ],
    ['NAME       ADDRESSES PORT MATCH DESTINATION', 'listener/l 0.0.0.0   80   ALL   Route: 80'],
    ['NAME         VHOST NAME     DOMAINS     MATCH     VIRTUAL SERVICE', 'route/80     a:80           a           /*        '],
    ['No active or warming secrets found.'],
    ['NAME                     STATUS      LOCALITY     CLUSTER', 'endpoint/10.0.0.1:80     HEALTHY                  outbound|80||a.ns.svc.cluster.local'],
  ]

  test('sections in order, separated by one empty line', () => {
    const raw = full()
    const r = allView(decodeDocument(raw as Json, 'x') as ConfigDump, opts(raw))
    assert.equal(renderShort(r), `${SECTIONS.map((s) => s.join('\n')).join('\n\n')}\n`)
    assert.deepEqual(r.warnings, [])
  })

  test('--with-headers frames each section', () => {
    const raw = full()
    const out = renderShort(allView(decodeDocument(raw as Json, 'x') as ConfigDump, opts(raw, {withHeaders: true})))
    const titles = ['BOOTSTRAP', 'CLUSTER', 'LISTENER', 'ROUTE', 'SECRET', 'ENDPOINTS']
    assert.equal(out, `${SECTIONS.map((s, i) => `------ ${titles[i]} INFO ------\n\n${s.join('\n')}`).join('\n\n')}\n`)
  })

  test('filters reach their sections; --verbose=false switches listeners and routes', () => {
    const raw = full()
    const out = renderShort(allView(decodeDocument(raw as Json, 'x') as ConfigDump, opts(raw, {clusters: {fqdn: 'nomatch'}, verbose: false, endpoints: {address: '10.0.0.2'}})))
    assert.match(out, /^NAME {5}SERVICE FQDN {5}PORT/m)
    assert.doesNotMatch(out, /cluster\//)
    assert.match(out, /^NAME {7}ADDRESSES PORT TYPE\nlistener\/l 0\.0\.0\.0 {3}80 {3}HTTP\n/m)
    assert.match(out, /^NAME {9}VIRTUAL HOSTS\nroute\/80 {5}1\n/m)
    assert.doesNotMatch(out, /endpoint\//)
  })

  test('-o json echoes the input; -o yaml converts it; data() parses it', () => {
    const raw = full()
    const text = `${JSON.stringify(raw, null, 1)}`
    const r = allView(decodeDocument(raw as Json, 'x') as ConfigDump, {...opts(raw), rawJson: () => text})
    assert.equal(render(r, {format: 'json'}), `${text}\n`)
    assert.match(render(r, {format: 'yaml', toYaml: goYaml}), /^configs:\n- '@type': type\.googleapis\.com\/envoy\.admin\.v3\.BootstrapConfigDump\n {2}bootstrap:\n/)
    assert.deepEqual(r.data(), raw)
  })

  test('a missing section is skipped with a warning; the others are printed', () => {
    const raw = full()
    ;(raw.configs as JsonObject[]).splice(4, 1)
    const r = allView(decodeDocument(raw as Json, 'x') as ConfigDump, opts(raw))
    assert.equal(renderShort(r), `${SECTIONS.filter((_, i) => i !== 4).map((s) => s.join('\n')).join('\n\n')}\n`)
    assert.equal(r.warnings?.length, 1)
    assert.match(r.warnings![0], /secret section skipped: .*SecretsConfigDump/)
  })
})
