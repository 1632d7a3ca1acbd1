/**
 * One small hand-written sidecar dump (test/fixtures/dumps/mini-sidecar.json) through every view, in every
 * accepted input form: Envoy's snake_case JSON, the camelCase form, YAML, an array of sections. All forms
 * must print the same tables and the same -o json documents.
 */
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, test} from 'node:test'
import {type ConfigDump, parseAdminDocument} from '../../src/envoy/document.js'
import type {Json, JsonObject} from '../../src/envoy/fields.js'
import {convertMessage} from '../../src/envoy/protojson.js'
import {goJson} from '../../src/output/json.js'
import {renderShort} from '../../src/output/render.js'
import {goYaml} from '../../src/output/yaml.js'
import {bootstrapView} from '../../src/views/bootstrap.js'
import {clustersView} from '../../src/views/clusters.js'
import {ecdsView} from '../../src/views/ecds.js'
import {edsView} from '../../src/views/endpoints.js'
import {listenersView} from '../../src/views/listeners.js'
import {routesView} from '../../src/views/routes.js'
import {secretsView} from '../../src/views/secrets.js'
import type {ViewResult} from '../../src/views/types.js'

const FIXTURE = new URL('../../../test/fixtures/dumps/mini-sidecar.json', import.meta.url)
const bytes = readFileSync(FIXTURE)
const value = JSON.parse(bytes.toString('utf8')) as {configs: JsonObject[]}
const NOW = new Date('2025-06-01T00:00:00Z')

const forms: Record<string, Buffer> = {
  'snake_case JSON': bytes,
  'camelCase JSON': Buffer.from(JSON.stringify(convertMessage(value as unknown as Json))),
  'YAML (keys sorted)': Buffer.from(goYaml(value)),
  'camelCase YAML': Buffer.from(goYaml(convertMessage(value as unknown as Json))),
  'array of sections': Buffer.from(JSON.stringify(value.configs)),
  'compact JSON with CRLF and leading blank lines': Buffer.from(`\r\n\r\n${JSON.stringify(value)}\r\n`),
}

const views: Record<string, (d: ConfigDump) => ViewResult> = {
  clusters: (d) => clustersView(d, {}),
  listeners: (d) => listenersView(d, {}, true),
  'listeners --verbose=false': (d) => listenersView(d, {}, false),
  routes: (d) => routesView(d, {}, true),
  'routes --verbose=false': (d) => routesView(d, {}, false),
  secrets: (d) => secretsView(d, NOW),
  eds: (d) => edsView(d, {}),
  bootstrap: (d) => bootstrapView(d),
  ecds: (d) => ecdsView(d),
}

const expected: Record<string, string[]> = {
  clusters: [
    'SERVICE FQDN                          PORT     SUBSET     DIRECTION     TYPE             DESTINATION RULE',
    '                                      9080     -          inbound       ORIGINAL_DST     ',
    'PassthroughCluster                    -        -          -             ORIGINAL_DST     ',
    'agent                                 -        -          -             STATIC           ',
    'ratings.default.svc.cluster.local     9080     v1         outbound      EDS              ratings.default',
    'xds-grpc                              -        -          -             STATIC           ',
  ],
  listeners: [
    'ADDRESSES PORT  MATCH                                          DESTINATION',
    '0.0.0.0   9080  Trans: raw_buffer; App: http/1.1,h2c           Route: 9080',
    '0.0.0.0   9080  ALL                                            PassthroughCluster',
    '0.0.0.0   15006 Addr: *:15006                                  Non-HTTP/Non-TCP',
    '0.0.0.0   15006 Trans: tls; App: TCP TLS; Addr: 0.0.0.0/0:9080 Cluster: inbound|9080||',
  ],
  'listeners --verbose=false': ['ADDRESSES PORT  TYPE', '0.0.0.0   9080  HTTP+TCP', '0.0.0.0   15006 HTTP'],
  routes: [
    'NAME     VHOST NAME                                 DOMAINS                                  MATCH     VIRTUAL SERVICE',
    '9080     ratings.default.svc.cluster.local:9080     ratings, ratings.default + 1 more...     /*        ratings.default',
  ],
  'routes --verbose=false': ['NAME     VIRTUAL HOSTS', '9080     2'],
  secrets: [
    'RESOURCE NAME                          TYPE     STATUS      VALID CERT     SERIAL NUMBER     NOT AFTER     NOT BEFORE',
    'file-root:/etc/certs/root-cert.pem              WARMING     false                                          ',
  ],
  eds: ['NAME                 STATUS      LOCALITY                      CLUSTER', '10.244.0.12:9080     HEALTHY     us-central1/us-central1-a     outbound|9080|v1|ratings.default.svc.cluster.local'],
  bootstrap: ['Istio Version:       1.30.0', 'Istio Proxy Version: 0123abcd', 'Envoy Version:       1.35.2/Clean/RELEASE/BoringSSL'],
  ecds: ['ECDS NAME       TYPE', 'istio.stats     envoy.extensions.filters.http.wasm.v3.Wasm'],
}

const reference = parseAdminDocument(bytes, 'mini-sidecar.json') as ConfigDump

describe('mini-sidecar fixture: expected tables', () => {
  for (const [name, view] of Object.entries(views)) {
    test(name, () => assert.equal(renderShort(view(reference)), `${expected[name].join('\n')}\n`))
  }
})

describe('every input form gives the same tables and JSON', () => {
  for (const [form, buf] of Object.entries(forms)) {
    test(form, () => {
      const doc = parseAdminDocument(buf, 'input')
      assert.equal(doc.kind, 'config_dump')
      for (const [name, view] of Object.entries(views)) {
        const got = view(doc as ConfigDump)
        const want = view(reference)
        assert.equal(renderShort(got), renderShort(want), `${name} table differs`)
        // a YAML input has its keys sorted, so only the data (not the key order) can match
        if (form.includes('YAML')) assert.deepEqual(got.data(), want.data(), `${name} JSON differs`)
        else assert.equal(goJson(got.data()), goJson(want.data()), `${name} JSON differs`)
      }
    })
  }
})

describe('-o json of the fixture', () => {
  test('clusters: camelCase, map keys untouched, Any @type kept inside', () => {
    const xds = (clustersView(reference, {fqdn: 'xds-grpc'}).data() as JsonObject[])[0]
    assert.equal(
      JSON.stringify(xds),
      JSON.stringify({
        name: 'xds-grpc',
        type: 'STATIC',
        typedExtensionProtocolOptions: {
          'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {'@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions', explicitHttpConfig: {http2ProtocolOptions: {}}},
        },
      }),
    )
  })

  test('eds: filter_metadata keys sorted, struct contents kept', () => {
    const cla = (edsView(reference, {}).data() as JsonObject[])[0]
    const lb = ((cla.endpoints as JsonObject[])[0].lbEndpoints as JsonObject[])[0]
    assert.equal(
      JSON.stringify(lb.metadata),
      JSON.stringify({filterMetadata: {'envoy.transport_socket_match': {tlsMode: 'istio'}, istio: {workload: 'ratings-v1;default;ratings;v1;Kubernetes'}}}),
    )
  })

  test('listeners keep dump order; routes keep typed_per_filter_config keys', () => {
    assert.deepEqual(
      (listenersView(reference, {}, true).data() as JsonObject[]).map((l) => l.name),
      ['0.0.0.0_9080', 'virtualInbound'],
    )
    const route = (((routesView(reference, {}, true).data() as JsonObject[])[0].virtualHosts as JsonObject[])[0].routes as JsonObject[])[0]
    assert.deepEqual(Object.keys(route.typedPerFilterConfig as JsonObject), ['envoy.filters.http.fault'])
  })
})
