/** `pc endpoint` from /clusters?format=json (§4.4) and `pc eds` / the ENDPOINTS of `pc all` (§4.5). */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {type ClustersStatus, type ConfigDump, decodeDocument} from '../../src/envoy/document.js'
import {describeLocality, edsAddress, hostAddress} from '../../src/envoy/endpoints.js'
import type {Json, JsonObject} from '../../src/envoy/fields.js'
import {InputError} from '../../src/errors/index.js'
import {renderShort} from '../../src/output/render.js'
import {clusterStatusView, type EndpointFilter, edsView, endpointsView} from '../../src/views/endpoints.js'

const sock = (address: string, port: number): JsonObject => ({socket_address: {address, port_value: port}})
/** An independent oracle for tables whose rows all have the same number of cells. */
const table = (rows: string[][], padding: number): string => {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => [...r[j]].length)) + padding)
  return rows.map((r) => r.map((cell, j) => (j === r.length - 1 ? cell : cell + ' '.repeat(widths[j] - [...cell].length))).join('')).join('\n') + '\n'
}

describe('address rendering', () => {
  const cases: Array<{address: Json | undefined; host: string; port: number; eds: string}> = [
    {address: sock('10.0.0.1', 80), host: '10.0.0.1', port: 80, eds: '10.0.0.1:80'},
    {address: sock('fd00::1', 80), host: 'fd00::1', port: 80, eds: 'fd00::1:80'},
    {address: {socket_address: {address: '10.0.0.1'}}, host: '10.0.0.1', port: 0, eds: '10.0.0.1:0'},
    {address: {pipe: {path: '/var/run/x.sock'}}, host: 'unix:///var/run/x.sock', port: 0, eds: '/var/run/x.sock'},
    {address: {envoy_internal_address: {server_listener_name: 'connect_originate', endpoint_id: '10.0.0.5:80'}}, host: 'envoy://connect_originate/10.0.0.5:80', port: 0, eds: 'envoy://connect_originate/10.0.0.5:80'},
    {address: {envoyInternalAddress: {serverListenerName: 'l', endpointId: 'id'}}, host: 'envoy://l/id', port: 0, eds: 'envoy://l/id'},
    {address: {}, host: 'unknown', port: 0, eds: 'unknown'},
    {address: undefined, host: 'unknown', port: 0, eds: 'unknown'},
  ]
  for (const c of cases) {
    test(JSON.stringify(c.address), () => {
      assert.deepEqual(hostAddress(c.address), {address: c.host, port: c.port})
      assert.equal(edsAddress(c.address), c.eds)
    })
  }

  const localities: Array<[Json | undefined, string]> = [
    [undefined, ''],
    [{}, ''],
    [{region: 'us-east1'}, 'us-east1'],
    [{region: 'us-east1', zone: 'us-east1-b'}, 'us-east1/us-east1-b'],
    [{region: 'us-east1', zone: 'us-east1-b', sub_zone: 'rack1'}, 'us-east1/us-east1-b/rack1'],
    [{region: 'r', sub_zone: 's'}, 'r/s'],
    [{zone: 'z'}, '/z'],
    [{sub_zone: 's'}, ''],
    [{region: 'r', zone: 'z', subZone: 's'}, 'r/z/s'],
  ]
  for (const [loc, want] of localities) test(`locality ${JSON.stringify(loc)} → ${JSON.stringify(want)}`, () => assert.equal(describeLocality(loc), want))
})

describe('pc endpoint (/clusters?format=json)', () => {
  const A = 'outbound|9080||reviews.default.svc.cluster.local'
  const statuses = (): ClustersStatus =>
    decodeDocument(
      {
        cluster_statuses: [
          {
            name: A,
            added_via_api: true,
            host_statuses: [
              {address: sock('172.17.0.4', 9080), stats: [{name: 'cx_active', value: '1'}], health_status: {eds_health_status: 'HEALTHY'}, weight: 1},
              {address: sock('172.17.0.27', 9080), health_status: {eds_health_status: 'HEALTHY', failed_outlier_check: true}},
              {address: sock('10.0.0.1', 9080)},
            ],
          },
          {name: 'inbound|9080||', host_statuses: [{address: sock('172.17.0.4', 9080), health_status: {eds_health_status: 'HEALTHY'}}]},
          {name: 'sds-grpc', host_statuses: [{address: {pipe: {path: './var/run/secrets/workload-spiffe-uds/socket'}}, health_status: {eds_health_status: 'HEALTHY'}}]},
          {name: 'internal', host_statuses: [{address: {envoy_internal_address: {server_listener_name: 'connect_originate', endpoint_id: '10.0.0.5:80'}}, health_status: {eds_health_status: 'DRAINING'}}]},
          {name: 'no-hosts'},
          {name: 'odd', host_statuses: [{address: {}, health_status: {eds_health_status: 'TIMEOUT'}}]},
          {name: 'ports', host_statuses: [{address: sock('172.17.0.4', 15010), health_status: {eds_health_status: 'DEGRADED'}}, {address: sock('172.17.0.4', 443), health_status: {eds_health_status: 'UNHEALTHY'}}]},
        ],
      },
      'test',
    ) as ClustersStatus

  test('table: sorted by address string, then port, then cluster', () => {
    assert.equal(
      renderShort(clusterStatusView(statuses(), {})),
      table(
        [
          ['ENDPOINT', 'STATUS', 'OUTLIER CHECK', 'CLUSTER'],
          ['10.0.0.1:9080', 'UNKNOWN', 'OK', A],
          ['172.17.0.27:9080', 'HEALTHY', 'FAILED', A],
          ['172.17.0.4:443', 'UNHEALTHY', 'OK', 'ports'],
          ['172.17.0.4:9080', 'HEALTHY', 'OK', 'inbound|9080||'],
          ['172.17.0.4:9080', 'HEALTHY', 'OK', A],
          ['172.17.0.4:15010', 'DEGRADED', 'OK', 'ports'],
          ['envoy://connect_originate/10.0.0.5:80', 'DRAINING', 'OK', 'internal'],
          ['unix://./var/run/secrets/workload-spiffe-uds/socket', 'HEALTHY', 'OK', 'sds-grpc'],
          ['unknown', 'TIMEOUT', 'OK', 'odd'],
        ],
        5,
      ),
    )
  })

  const rowsFor = (f: EndpointFilter): string[] => renderShort(clusterStatusView(statuses(), f)).split('\n').slice(1, -1).map((l) => l.split(/ {2,}/).join(' | '))
  const cases: Array<{f: EndpointFilter; want: string[]}> = [
    {f: {address: '172.17.0.4'}, want: ['172.17.0.4:443 | UNHEALTHY | OK | ports', '172.17.0.4:9080 | HEALTHY | OK | inbound|9080||', `172.17.0.4:9080 | HEALTHY | OK | ${A}`, '172.17.0.4:15010 | DEGRADED | OK | ports']},
    // the bare IP or ip:port on either input (issue 14, defect 12; istioctl compares the bare IP here)
    {f: {address: '172.17.0.4:9080'}, want: ['172.17.0.4:9080 | HEALTHY | OK | inbound|9080||', `172.17.0.4:9080 | HEALTHY | OK | ${A}`]},
    {f: {address: '172.17.0'}, want: []},
    {f: {address: 'ENVOY://Connect_Originate/10.0.0.5:80'}, want: ['envoy://connect_originate/10.0.0.5:80 | DRAINING | OK | internal']},
    {f: {address: 'unix://./var/run/secrets/workload-spiffe-uds/socket'}, want: ['unix://./var/run/secrets/workload-spiffe-uds/socket | HEALTHY | OK | sds-grpc']},
    {f: {port: 443}, want: ['172.17.0.4:443 | UNHEALTHY | OK | ports']},
    {f: {cluster: 'INBOUND|9080||'}, want: ['172.17.0.4:9080 | HEALTHY | OK | inbound|9080||']},
    {f: {cluster: 'inbound'}, want: []},
    {f: {status: 'unknown'}, want: [`10.0.0.1:9080 | UNKNOWN | OK | ${A}`]},
    {f: {status: 'Unhealthy'}, want: ['172.17.0.4:443 | UNHEALTHY | OK | ports']},
    {f: {status: 'healthy', port: 9080, cluster: A}, want: [`172.17.0.27:9080 | HEALTHY | FAILED | ${A}`, `172.17.0.4:9080 | HEALTHY | OK | ${A}`]},
    {f: {status: 'FAILED'}, want: []},
  ]
  for (const c of cases) test(`filter ${JSON.stringify(c.f)}`, () => assert.deepEqual(rowsFor(c.f), c.want))

  test('-o json: whole matching cluster statuses (all their hosts), Envoy order, camelCase', () => {
    const data = clusterStatusView(statuses(), {address: '172.17.0.4'}).data() as JsonObject[]
    assert.deepEqual(
      data.map((c) => c.name),
      [A, 'inbound|9080||', 'ports'],
    )
    assert.equal((data[0].hostStatuses as Json[]).length, 3)
    assert.equal(data[0].addedViaApi, true)
    assert.deepEqual((data[0].hostStatuses as JsonObject[])[1].healthStatus, {edsHealthStatus: 'HEALTHY', failedOutlierCheck: true})
    assert.equal((clusterStatusView(statuses(), {}).data() as JsonObject[]).some((c) => c.name === 'no-hosts'), false)
  })

  test('nothing matched or nothing at all → header only', () => {
    const header = 'ENDPOINT     STATUS     OUTLIER CHECK     CLUSTER\n'
    assert.equal(renderShort(clusterStatusView(statuses(), {port: 1})), header)
    assert.equal(renderShort(clusterStatusView(decodeDocument({cluster_statuses: []}, 'x') as ClustersStatus, {})), header)
    assert.deepEqual(clusterStatusView(statuses(), {port: 1}).data(), [])
  })

  test('camelCase input gives the same table', () => {
    const camel = decodeDocument(
      {clusterStatuses: [{name: 'c', hostStatuses: [{address: {socketAddress: {address: '1.1.1.1', portValue: 80}}, healthStatus: {edsHealthStatus: 'HEALTHY', failedOutlierCheck: true}}]}]},
      'x',
    ) as ClustersStatus
    const snake = decodeDocument({cluster_statuses: [{name: 'c', host_statuses: [{address: sock('1.1.1.1', 80), health_status: {eds_health_status: 'HEALTHY', failed_outlier_check: true}}]}]}, 'x') as ClustersStatus
    assert.equal(renderShort(clusterStatusView(camel, {})), renderShort(clusterStatusView(snake, {})))
    assert.match(renderShort(clusterStatusView(camel, {})), /1\.1\.1\.1:80 {5}HEALTHY {5}FAILED {12}c/)
  })
})

describe('pc eds (EndpointsConfigDump)', () => {
  const R = 'outbound|9080||reviews.default.svc.cluster.local'
  const lb = (address: JsonObject, status?: string, extra: JsonObject = {}): JsonObject => ({endpoint: {address, ...extra}, ...(status ? {health_status: status} : {}), load_balancing_weight: 1})
  const claReviews = (): JsonObject => ({
    cluster_name: R,
    endpoints: [
      {locality: {region: 'us-east1', zone: 'us-east1-b', sub_zone: 'rack1'}, lb_endpoints: [lb(sock('10.244.0.7', 9080), 'HEALTHY'), lb(sock('10.244.0.8', 9080), 'UNHEALTHY')], load_balancing_weight: 2, priority: 0},
      {locality: {zone: 'z-only'}, lb_endpoints: [lb(sock('10.244.0.9', 9080), undefined, {additional_addresses: [{address: sock('fd00::9', 9080)}]})]},
      {lb_endpoints: [lb(sock('10.244.0.10', 8080), 'DRAINING')]},
    ],
    policy: {overprovisioning_factor: 140},
  })
  const eds = (): ConfigDump =>
    decodeDocument(
      {
        configs: [
          {'@type': 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump'},
          {
            '@type': 'type.googleapis.com/envoy.admin.v3.EndpointsConfigDump',
            dynamic_endpoint_configs: [
              {endpoint_config: claReviews()},
              {endpoint_config: {cluster_name: 'empty'}},
              {endpoint_config: {cluster_name: 'envoy_internal', endpoints: [{lb_endpoints: [lb({envoy_internal_address: {server_listener_name: 'l', endpoint_id: 'id'}})]}]}},
              {endpoint_config: {cluster_name: 'inbound|9080||', endpoints: [{lb_endpoints: [lb({pipe: {path: '/var/run/x.sock'}}, 'HEALTHY')]}]}},
            ],
            static_endpoint_configs: [{endpoint_config: {cluster_name: 'agent', endpoints: [{lb_endpoints: [lb(sock('127.0.0.1', 15020), 'HEALTHY')]}]}}],
          },
        ],
      },
      'test',
    ) as ConfigDump

  test('table: assignments in cluster-key order, endpoints in dump order', () => {
    assert.equal(
      renderShort(edsView(eds(), {})),
      table(
        [
          ['NAME', 'STATUS', 'LOCALITY', 'CLUSTER'],
          ['/var/run/x.sock', 'HEALTHY', '', 'inbound|9080||'],
          ['127.0.0.1:15020', 'HEALTHY', '', 'agent'],
          ['envoy://l/id', 'UNKNOWN', '', 'envoy_internal'],
          ['10.244.0.7:9080', 'HEALTHY', 'us-east1/us-east1-b/rack1', R],
          ['10.244.0.8:9080', 'UNHEALTHY', 'us-east1/us-east1-b/rack1', R],
          ['10.244.0.9:9080,fd00::9:9080', 'UNKNOWN', '/z-only', R],
          ['10.244.0.10:8080', 'DRAINING', '', R],
        ],
        5,
      ),
    )
  })

  const namesFor = (f: EndpointFilter): string[] => renderShort(edsView(eds(), f)).split('\n').slice(1, -1).map((l) => l.split(/ {2,}/)[0])
  const cases: Array<{f: EndpointFilter; want: string[]}> = [
    {f: {address: '10.244.0.7:9080'}, want: ['10.244.0.7:9080']},
    // the bare IP or ip:port on either input (issue 14, defect 12; istioctl compares ip:port here)
    {f: {address: '10.244.0.7'}, want: ['10.244.0.7:9080']},
    {f: {address: 'FD00::9:9080'}, want: ['10.244.0.9:9080,fd00::9:9080']},
    {f: {address: '/var/run/x.sock'}, want: ['/var/run/x.sock']},
    {f: {port: 9080}, want: ['10.244.0.7:9080', '10.244.0.8:9080', '10.244.0.9:9080,fd00::9:9080']},
    {f: {port: 15020}, want: ['127.0.0.1:15020']},
    {f: {cluster: 'AGENT'}, want: ['127.0.0.1:15020']},
    {f: {status: 'unknown'}, want: ['envoy://l/id', '10.244.0.9:9080,fd00::9:9080']},
    {f: {status: 'draining', cluster: R}, want: ['10.244.0.10:8080']},
  ]
  for (const c of cases) test(`filter ${JSON.stringify(c.f)}`, () => assert.deepEqual(namesFor(c.f), c.want))

  test('-o json: pruned assignments; emptied localities keep their other keys in order, without lbEndpoints', () => {
    const data = edsView(eds(), {address: '10.244.0.9:9080'}).data() as JsonObject[]
    assert.equal(data.length, 1)
    assert.equal(
      JSON.stringify(data[0]),
      JSON.stringify({
        clusterName: R,
        endpoints: [
          {locality: {region: 'us-east1', zone: 'us-east1-b', subZone: 'rack1'}, loadBalancingWeight: 2, priority: 0},
          {locality: {zone: 'z-only'}, lbEndpoints: [{endpoint: {address: {socketAddress: {address: '10.244.0.9', portValue: 9080}}, additionalAddresses: [{address: {socketAddress: {address: 'fd00::9', portValue: 9080}}}]}, loadBalancingWeight: 1}]},
          {},
        ],
        policy: {overprovisioningFactor: 140},
      }),
    )
  })

  test('-o json without filters: every non-empty assignment, sorted', () => {
    assert.deepEqual(
      (edsView(eds(), {}).data() as JsonObject[]).map((c) => c.clusterName),
      ['inbound|9080||', 'agent', 'envoy_internal', R],
    )
  })

  test('pc all prefixes NAME with endpoint/', () => {
    assert.match(renderShort(edsView(eds(), {cluster: 'agent'}, 'endpoint/')), /^endpoint\/127\.0\.0\.1:15020 {5}HEALTHY/m)
  })

  test('no EndpointsConfigDump: an input error (exit 3) naming include_eds, as pc endpoints', () => {
    const d = decodeDocument({configs: [{'@type': 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump'}]}, 'x') as ConfigDump
    assert.throws(() => edsView(d, {}), (e: unknown) => e instanceof InputError && e.exitCode === 3 && /no EndpointsConfigDump section .*include_eds/.test(e.message))
  })

  test('pc endpoint given a config_dump: EDS when present (with a note), an InputError when absent', () => {
    const withEds = endpointsView(eds(), {cluster: 'agent'})
    assert.match(renderShort(withEds), /^127\.0\.0\.1:15020/m)
    assert.ok((withEds.warnings ?? []).length > 0)
    const without = decodeDocument({configs: [{'@type': 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump'}]}, 'x') as ConfigDump
    assert.throws(() => endpointsView(without, {}), (e: unknown) => e instanceof InputError && e.exitCode === 3 && /include_eds/.test(e.message))
  })
})
