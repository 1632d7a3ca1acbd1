/**
 * The cluster sort key, pinned (issue 14, section 4): a mutant that swapped port and subset in the key survived the
 * suite, as no fixture had two clusters of one host differing in both. istioctl sorts by hostname, subset, port,
 * direction (istioctl/pkg/writer/envoy/configdump/cluster.go).
 */
import assert from 'node:assert/strict'
import {test} from 'node:test'
import {decodeDocument, type ConfigDump} from '../../src/envoy/document.js'
import {clusterNameLess, parseClusterName} from '../../src/envoy/istio.js'
import {renderShort} from '../../src/output/render.js'
import {clustersView} from '../../src/views/clusters.js'
import {edsView} from '../../src/views/endpoints.js'

const HOST = 'reviews.default.svc.cluster.local'
// subset order and port order disagree: v1 has the higher port
const NAMES = [`outbound|80|v2|${HOST}`, `inbound|9080|v1|${HOST}`, `outbound|9080|v1|${HOST}`, `outbound|80|v1|${HOST}`]
const SORTED = [`outbound|80|v1|${HOST}`, `inbound|9080|v1|${HOST}`, `outbound|9080|v1|${HOST}`, `outbound|80|v2|${HOST}`]

test('clusterNameLess: hostname, then subset, then port, then direction', () => {
  const keys = NAMES.map(parseClusterName)
  const sorted = [...keys].sort((a, b) => (clusterNameLess(a, b) ? -1 : clusterNameLess(b, a) ? 1 : 0))
  assert.deepEqual(
    sorted.map((k) => `${k.direction}|${k.port}|${k.subset}|${k.hostname}`),
    SORTED,
  )
})

test('pc clusters and pc eds list clusters of one host by subset before port', () => {
  const dump = decodeDocument(
    {
      configs: [
        {
          '@type': 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump',
          dynamic_active_clusters: NAMES.map((name) => ({cluster: {name, type: 'EDS'}})),
        },
        {
          '@type': 'type.googleapis.com/envoy.admin.v3.EndpointsConfigDump',
          dynamic_endpoint_configs: NAMES.map((name, i) => ({
            endpoint_config: {cluster_name: name, endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: `10.0.0.${i}`, port_value: 80}}}}]}]},
          })),
        },
      ],
    },
    'test',
  ) as ConfigDump
  const rows = renderShort(clustersView(dump, {})).trim().split('\n').slice(1)
  assert.deepEqual(
    rows.map((r) => r.split(/\s+/).slice(1, 4).join(' ')),
    ['80 v1 outbound', '9080 v1 inbound', '9080 v1 outbound', '80 v2 outbound'],
  )
  const eds = renderShort(edsView(dump, {})).trim().split('\n').slice(1)
  assert.deepEqual(
    eds.map((r) => r.split(/\s+/).pop()),
    SORTED,
  )
})
