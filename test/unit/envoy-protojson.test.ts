/**
 * Envoy JSON → istioctl's proto-JSON (§1.3): message fields renamed to lowerCamelCase, map and Struct keys
 * kept and sorted byte-wise, `@type` kept. Key ORDER matters (byte parity), so results are compared as text.
 */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {get, getNumber, getString, type Json, path, toCamel, typeName} from '../../src/envoy/fields.js'
import {convertMessage, resourceJson} from '../../src/envoy/protojson.js'

/** Same data and same key order. */
const same = (actual: Json, expected: Json): void => assert.equal(JSON.stringify(actual), JSON.stringify(expected))

describe('toCamel (proto json_name)', () => {
  const cases: Array<[string, string]> = [
    ['socket_address', 'socketAddress'],
    ['port_value', 'portValue'],
    ['http2_protocol_options', 'http2ProtocolOptions'],
    ['ipv4_compat', 'ipv4Compat'],
    ['sub_zone', 'subZone'],
    ['name', 'name'],
    ['alreadyCamel', 'alreadyCamel'],
    ['typed_per_filter_config', 'typedPerFilterConfig'],
  ]
  for (const [snake, camel] of cases) test(`${snake} → ${camel}`, () => assert.equal(toCamel(snake), camel))
})

describe('field access reads both spellings', () => {
  test('get/path/getString/getNumber', () => {
    assert.equal(get({socketAddress: 1}, 'socket_address'), 1)
    assert.equal(get({socket_address: 2, socketAddress: 1}, 'socket_address'), 2)
    assert.equal(get([1], 'x'), undefined)
    assert.equal(path({address: {socketAddress: {portValue: 80}}}, 'address', 'socket_address', 'port_value'), 80)
    assert.equal(getNumber({port_value: '8080'}, 'port_value'), 8080)
    assert.equal(getNumber({port_value: 'x'}, 'port_value'), 0)
    assert.equal(getNumber({port_value: ''}, 'port_value'), 0)
    assert.equal(getString({n: 5}, 'n'), '5')
    assert.equal(getString({n: {}}, 'n'), '')
    assert.equal(typeName('type.googleapis.com/envoy.admin.v3.ClustersConfigDump'), 'envoy.admin.v3.ClustersConfigDump')
  })
})

describe('convertMessage', () => {
  test('message fields become lowerCamelCase, order kept, arrays converted', () => {
    same(convertMessage({cluster_name: 'c', endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: '1.1.1.1', port_value: 80}}}, health_status: 'HEALTHY', load_balancing_weight: 1}]}]}), {
      clusterName: 'c',
      endpoints: [{lbEndpoints: [{endpoint: {address: {socketAddress: {address: '1.1.1.1', portValue: 80}}}, healthStatus: 'HEALTHY', loadBalancingWeight: 1}]}],
    })
  })

  test('filter_metadata: map keys kept and sorted, Struct contents kept and sorted recursively', () => {
    same(
      convertMessage({
        metadata: {
          filter_metadata: {
            istio: {services: [{namespace: 'default', name: 'reviews', host: 'reviews.default.svc.cluster.local'}], config: '/apis/x', default_original_port: 9080},
            'envoy.lb': {z_key: 1, a_key: {b_b: 1, a_a: 2}},
          },
        },
      }),
      {
        metadata: {
          filterMetadata: {
            'envoy.lb': {a_key: {a_a: 2, b_b: 1}, z_key: 1},
            istio: {config: '/apis/x', default_original_port: 9080, services: [{host: 'reviews.default.svc.cluster.local', name: 'reviews', namespace: 'default'}]},
          },
        },
      },
    )
  })

  test('typed_per_filter_config: keys kept and sorted, values are messages (converted, @type kept first)', () => {
    same(
      convertMessage({
        typed_per_filter_config: {
          'istio.stats': {'@type': 'type.googleapis.com/stats.PluginConfig', disable_host_header_fallback: true},
          'envoy.filters.http.fault': {'@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault', max_active_faults: 1},
        },
      }),
      {
        typedPerFilterConfig: {
          'envoy.filters.http.fault': {'@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault', maxActiveFaults: 1},
          'istio.stats': {'@type': 'type.googleapis.com/stats.PluginConfig', disableHostHeaderFallback: true},
        },
      },
    )
  })

  test('typed_extension_protocol_options (map of messages)', () => {
    same(
      convertMessage({typed_extension_protocol_options: {'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {'@type': 't', explicit_http_config: {http2_protocol_options: {}}}}}),
      {typedExtensionProtocolOptions: {'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {'@type': 't', explicitHttpConfig: {http2ProtocolOptions: {}}}}},
    )
  })

  test('wasm key_values: map of scalars kept and sorted', () => {
    same(convertMessage({env: {key_values: {ZED_VAR: 'z', a_var: 'a', 'b.c': 'x'}}}), {env: {keyValues: {ZED_VAR: 'z', a_var: 'a', 'b.c': 'x'}}})
    // byte-wise: upper case before lower case
    assert.deepEqual(Object.keys((convertMessage({key_values: {b: '1', B: '2', a: '3'}}) as {keyValues: object}).keyValues), ['B', 'a', 'b'])
  })

  test('node.metadata is a Struct; user_agent_build_version.metadata too', () => {
    same(
      convertMessage({
        bootstrap: {
          node: {
            id: 'sidecar~10.0.0.1~x.ns~ns.svc.cluster.local',
            metadata: {ISTIO_VERSION: '1.30.0', LABELS: {'app.kubernetes.io/name': 'x', app: 'x'}, CLUSTER_ID: 'Kubernetes', PROXY_CONFIG: {proxy_stats_matcher: {}, binary_path: '/usr/local/bin/envoy'}},
            user_agent_build_version: {version: {major_number: 1, minor_number: 35}, metadata: {'ssl.version': 'BoringSSL', 'build.type': 'RELEASE'}},
          },
        },
      }),
      {
        bootstrap: {
          node: {
            id: 'sidecar~10.0.0.1~x.ns~ns.svc.cluster.local',
            metadata: {CLUSTER_ID: 'Kubernetes', ISTIO_VERSION: '1.30.0', LABELS: {app: 'x', 'app.kubernetes.io/name': 'x'}, PROXY_CONFIG: {binary_path: '/usr/local/bin/envoy', proxy_stats_matcher: {}}},
            userAgentBuildVersion: {version: {majorNumber: 1, minorNumber: 35}, metadata: {'build.type': 'RELEASE', 'ssl.version': 'BoringSSL'}},
          },
        },
      },
    )
  })

  test('TypedStruct value and google.protobuf.Struct Any value: contents kept and sorted', () => {
    same(
      convertMessage({
        typed_config: {'@type': 'type.googleapis.com/udpa.type.v1.TypedStruct', type_url: 'type.googleapis.com/x.Y', value: {z_z: 1, a_a: {c_c: [{y_y: 1, b_b: 2}], b_b: 2}}},
        other: {'@type': 'type.googleapis.com/xds.type.v3.TypedStruct', value: {b_b: 1, a_a: 2}},
        plain: {'@type': 'type.googleapis.com/google.protobuf.Struct', value: {k_2: 1, k_1: 2}},
      }),
      {
        typedConfig: {'@type': 'type.googleapis.com/udpa.type.v1.TypedStruct', typeUrl: 'type.googleapis.com/x.Y', value: {a_a: {b_b: 2, c_c: [{b_b: 2, y_y: 1}]}, z_z: 1}},
        other: {'@type': 'type.googleapis.com/xds.type.v3.TypedStruct', value: {a_a: 2, b_b: 1}},
        plain: {'@type': 'type.googleapis.com/google.protobuf.Struct', value: {k_1: 2, k_2: 1}},
      },
    )
  })

  test('runtime static_layer is a Struct', () => {
    same(convertMessage({layered_runtime: {layers: [{name: 'global config', static_layer: {'re2.max_program_size.error_level': 1024, 'envoy.deprecated_features:x': true}}]}}), {
      layeredRuntime: {layers: [{name: 'global config', staticLayer: {'envoy.deprecated_features:x': true, 're2.max_program_size.error_level': 1024}}]},
    })
  })

  test('@type is kept where it is and never renamed', () => {
    same(convertMessage({name: 'x', '@type': 'type.googleapis.com/T', some_field: 1}), {name: 'x', '@type': 'type.googleapis.com/T', someField: 1})
  })

  test('scalars, nulls, empty containers pass through', () => {
    same(convertMessage([1, 'a_b', null, true, [], {}]), [1, 'a_b', null, true, [], {}])
    same(convertMessage({empty_list: [], empty_obj: {}}), {emptyList: [], emptyObj: {}})
  })

  test('camelCase input is unchanged', () => {
    const camel: Json = {
      clusterName: 'c',
      metadata: {filterMetadata: {istio: {config: 'x'}}},
      typedPerFilterConfig: {a: {'@type': 't', someField: 1}},
      node: {metadata: {A: 1}},
    }
    same(convertMessage(camel), camel)
  })

  test('converting twice gives the same result', () => {
    const input: Json = {cluster_name: 'c', metadata: {filter_metadata: {z: {b: 1, a: 2}, a: {}}}, key_values: {b: 'x', a: 'y'}}
    const once = convertMessage(input)
    same(convertMessage(once), once)
  })

  test('does not modify its input', () => {
    const input = {cluster_name: 'c', metadata: {filter_metadata: {z: {b: 1, a: 2}}}}
    const copy = structuredClone(input)
    convertMessage(input)
    assert.deepEqual(input, copy)
    assert.deepEqual(Object.keys(input.metadata.filter_metadata.z), ['b', 'a'])
  })

  test('resourceJson drops only the top-level @type', () => {
    same(resourceJson({'@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster', name: 'c', transport_socket: {typed_config: {'@type': 't', common_tls_context: {}}}}), {
      name: 'c',
      transportSocket: {typedConfig: {'@type': 't', commonTlsContext: {}}},
    })
  })
})
