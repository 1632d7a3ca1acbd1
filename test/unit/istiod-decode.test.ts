/** Decoding istiod's sync status in every accepted shape into the proxy-status model (§5.2, §5.6). */
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, test} from 'node:test'
import type {Json, JsonObject} from '../../src/envoy/fields.js'
import {InputError} from '../../src/errors/index.js'
import {
  controlPlaneId,
  decodeStatusDocuments,
  decodeStatusValue,
  filterNamespace,
  formatTimestamp,
  namespaceOfProxyId,
  parseStatusBytes,
  parseTimestamp,
} from '../../src/istiod/decode.js'
import {allProxies, type ProxySync, type StatusSet} from '../../src/istiod/model.js'
import {TYPE_URL} from '../../src/istiod/xds-types.js'
import {sharedUrl} from '../helpers/shared.js'

const SHARED = sharedUrl('conformance/istioctl/derived/')
const input = (path: string): Json => JSON.parse(readFileSync(new URL(path, SHARED), 'utf8')) as Json
const CC = 'type.googleapis.com/envoy.service.status.v3.ClientConfig'
const bytes = (s: string): Uint8Array => Buffer.from(s)
const decode = (v: Json, istiod?: string): StatusSet => ({istiods: decodeStatusValue(v, 'in.json', istiod)})
const proxies = (v: Json, istiod?: string): ProxySync[] => allProxies(decode(v, istiod))
/** `{CDS: 'SYNCED', ...}` by short name for one proxy */
const statuses = (p: ProxySync): Record<string, string> => {
  const short: Record<string, string> = Object.fromEntries(Object.entries(TYPE_URL).map(([k, v]) => [v, k]))
  return Object.fromEntries(p.types.map((t) => [short[t.typeUrl] ?? t.typeUrl, t.status + (t.neverAcknowledged ? '*' : '')]))
}
const inputError = (fn: () => unknown, pattern: RegExp): void =>
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof InputError, `InputError, got ${err}`)
    assert.equal(err.exitCode, 3)
    assert.doesNotMatch(err.oneLine, /\n/)
    assert.match(err.oneLine, pattern)
    return true
  })

const clientConfig = (id: string, meta: JsonObject, configs: JsonObject[]): JsonObject => ({'@type': CC, node: {id, metadata: meta}, genericXdsConfigs: configs})
const response = (istiod: string | undefined, resources: JsonObject[]): JsonObject => ({
  resources,
  typeUrl: CC,
  ...(istiod === undefined ? {} : {controlPlane: {identifier: JSON.stringify({Component: 'istiod', ID: istiod})}}),
})

describe('xDS DiscoveryResponse', () => {
  test('the conformance input with four istiods: map keys, IDs, statuses, UNKNOWN → IGNORED', () => {
    const set = decode(input('proxy-status-xds/multi-istiod.input.json'))
    assert.deepEqual(
      set.istiods.map((i) => [i.name, i.origin, i.proxies.length]),
      [
        ['istiod1', 'xds', 1],
        ['istiod2', 'xds', 1],
        ['istiod3', 'xds', 1],
        ['istiod4', 'xds', 1],
      ],
    )
    const [p1, p2, p3, p4] = allProxies(set)
    assert.deepEqual([p1.id, p1.clusterId, p1.istiod, p1.istioVersion, p1.namespace], ['proxy1', 'cluster1', 'istiod1', '1.20', ''])
    assert.deepEqual(statuses(p1), {CDS: 'STALE', LDS: 'SYNCED', RDS: 'NOT SENT', EDS: 'SYNCED', ECDS: 'SYNCED'})
    assert.equal(p2.istioVersion, '1.19')
    assert.deepEqual(statuses(p3), {CDS: 'NOT SENT', LDS: 'ERROR', RDS: 'NOT SENT', EDS: 'STALE', ECDS: 'NOT SENT'})
    assert.deepEqual(statuses(p4), {CDS: 'IGNORED', LDS: 'IGNORED', RDS: 'IGNORED', EDS: 'IGNORED', ECDS: 'IGNORED'})
    // types sorted by type URL
    assert.deepEqual(
      p1.types.map((t) => t.typeUrl),
      [TYPE_URL.CDS, TYPE_URL.ECDS, TYPE_URL.EDS, TYPE_URL.LDS, TYPE_URL.RDS],
    )
    // the response is kept as given, for -o json
    assert.deepEqual(set.istiods[0].response, (input('proxy-status-xds/multi-istiod.input.json') as JsonObject).istiod1)
  })

  test('a bare DiscoveryResponse takes its name from the control plane identifier', () => {
    const dr = (input('proxy-status-xds/single-istiod-one-proxy.input.json') as JsonObject).istiod1 as JsonObject
    const set = decode(dr)
    assert.equal(set.istiods.length, 1)
    assert.equal(set.istiods[0].name, 'istiod1')
    assert.deepEqual(set.istiods[0].response, dr)
  })

  test('an array of DiscoveryResponses', () => {
    const set = decode([response('a', [clientConfig('p1.ns', {}, [])]), response('b', [clientConfig('p2.ns', {}, [])])])
    assert.deepEqual(
      set.istiods.map((i) => [i.name, i.proxies.map((p) => `${p.id}@${p.istiod}`)]),
      [
        ['a', ['p1.ns@a']],
        ['b', ['p2.ns@b']],
      ],
    )
  })

  test('metadata, namespace, lastUpdated and errorState', () => {
    const [p] = proxies(
      response('istiod-1', [
        clientConfig('productpage-v1-abc.bookinfo', {CLUSTER_ID: 'Kubernetes', NAMESPACE: 'bookinfo', ISTIO_VERSION: '1.26.0'}, [
          {typeUrl: TYPE_URL.LDS, configStatus: 'ERROR', lastUpdated: '2026-05-01T10:00:00.123456789Z', errorState: {details: 'listener 0.0.0.0_80: NACK'}},
          {typeUrl: TYPE_URL.CDS, configStatus: 'SYNCED', lastUpdated: {seconds: '1777629600', nanos: 5e8}},
        ]),
      ]),
    )
    assert.deepEqual([p.clusterId, p.namespace, p.istioVersion, p.istiod], ['Kubernetes', 'bookinfo', '1.26.0', 'istiod-1'])
    assert.deepEqual(
      p.types.map((t) => [t.typeUrl, t.status, t.lastUpdated?.toISOString(), t.error]),
      [
        [TYPE_URL.CDS, 'SYNCED', '2026-05-01T10:00:00.500Z', undefined],
        [TYPE_URL.LDS, 'ERROR', '2026-05-01T10:00:00.123Z', 'listener 0.0.0.0_80: NACK'],
      ],
    )
  })

  test('snake_case (proto names) and numeric enums are read too', () => {
    const [p] = proxies({
      version_info: '1',
      resources: [{'@type': CC, node: {id: 'a.b', metadata: {CLUSTER_ID: 'c'}}, generic_xds_configs: [{type_url: TYPE_URL.CDS, config_status: 3, last_updated: '2026-01-01T00:00:00Z'}]}],
      control_plane: {identifier: '{"ID":"x"}'},
    })
    assert.deepEqual([p.id, p.clusterId, p.istiod], ['a.b', 'c', 'x'])
    assert.deepEqual(statuses(p), {CDS: 'STALE'})
  })

  test('the deprecated xdsConfig (PerXdsConfig) form', () => {
    const [p] = proxies(
      response('i', [
        {'@type': CC, node: {id: 'old.ns'}, xdsConfig: [{status: 'SYNCED', listenerConfig: {}}, {status: 'STALE', clusterConfig: {}}, {status: 'NOT_SENT', routeConfig: {}}, {endpointConfig: {}}]},
      ]),
    )
    assert.deepEqual(statuses(p), {CDS: 'STALE', LDS: 'SYNCED', RDS: 'NOT SENT', EDS: 'IGNORED'})
  })

  test('the same type twice: the last one wins, as in istioctl', () => {
    const [p] = proxies(response('i', [clientConfig('p.ns', {}, [{typeUrl: TYPE_URL.CDS, configStatus: 'STALE'}, {typeUrl: TYPE_URL.CDS, configStatus: 'SYNCED'}])]))
    assert.deepEqual(statuses(p), {CDS: 'SYNCED'})
  })

  test('ISTIOD: MISSING without a control plane, INVALID when the identifier is not JSON (istioctl CpInfo)', () => {
    assert.equal(controlPlaneId({}), 'MISSING')
    assert.equal(controlPlaneId({controlPlane: {identifier: 'nope'}}), 'INVALID')
    assert.equal(controlPlaneId({controlPlane: {}}), 'INVALID')
    assert.equal(controlPlaneId({controlPlane: {identifier: '{"ID":"istiod-7"}'}}), 'istiod-7')
    const set = decode({resources: [clientConfig('p.ns', {}, [])]})
    assert.equal(set.istiods[0].proxies[0].istiod, 'MISSING')
    assert.equal(set.istiods[0].name, '')
    // a map key names the istiod, the column still follows istioctl
    assert.equal(decode({'istiod-abc': {resources: [clientConfig('p.ns', {}, [])]}}).istiods[0].name, 'istiod-abc')
  })

  test('an empty response `{}` (what istioctl prints as `{ }`) is one istiod without proxies', () => {
    const set = decode({})
    assert.equal(set.istiods.length, 1)
    assert.equal(allProxies(set).length, 0)
    assert.equal(decode({istiod1: {}, istiod2: {}}).istiods.length, 2)
  })
})

describe('HTTP /debug/syncz', () => {
  test('legacy flat nonces (istioctl ≤ 1.21 rules): NOT SENT, SYNCED, STALE, STALE (Never Acknowledged), ztunnel IGNORED', () => {
    const set = decode(input('proxy-status-syncz-legacy/printall-multi-istiod.input.json'))
    assert.deepEqual(
      set.istiods.map((i) => [i.name, i.origin]),
      [
        ['istiod1', 'syncz'],
        ['istiod2', 'syncz'],
        ['istiod3', 'syncz'],
        ['istiod4', 'syncz'],
      ],
    )
    const [p1, p2, p3, p4] = allProxies(set)
    assert.deepEqual(statuses(p1), {CDS: 'STALE', ECDS: 'NOT SENT', EDS: 'SYNCED', LDS: 'SYNCED', RDS: 'NOT SENT'})
    assert.deepEqual(statuses(p2), {CDS: 'STALE', ECDS: 'NOT SENT', EDS: 'STALE', LDS: 'SYNCED', RDS: 'SYNCED'})
    // sent but never acked → STALE (Never Acknowledged); acked without sent → NOT SENT
    assert.deepEqual(statuses(p3), {CDS: 'STALE*', ECDS: 'NOT SENT', EDS: 'STALE*', LDS: 'NOT SENT', RDS: 'SYNCED'})
    assert.deepEqual(statuses(p4), {CDS: 'IGNORED', ECDS: 'IGNORED', EDS: 'IGNORED', LDS: 'IGNORED', RDS: 'IGNORED'})
    assert.equal(p4.proxyType, 'ztunnel')
    assert.deepEqual([p1.id, p1.clusterId, p1.istiod, p1.istioVersion], ['proxy1', 'cluster1', 'istiod1', '1.1'])
  })

  test('resources in any order come out in Go byte order of type URL, also when a later entry brings new URLs', () => {
    const r = (...urls: string[]): JsonObject => Object.fromEntries(urls.map((u) => [u, {sent: 'n', acked: 'n'}]))
    const odd = 'type.googleapis.com/envoy.config.cluster.v3.Cluster\uE000'
    const astral = 'type.googleapis.com/envoy.config.cluster.v3.Cluster\u{1F600}'
    const ps = proxies([
      {proxy: 'a.ns', resources: r(TYPE_URL.RDS, TYPE_URL.CDS)},
      {proxy: 'b.ns', resources: r(TYPE_URL.CDS, TYPE_URL.RDS)},
      // new URLs after the first entries: one sorting first, two sorting between the known ones (U+E000 sorts
      // before U+1F600 in UTF-8, after it in UTF-16)
      {proxy: 'c.ns', resources: r(TYPE_URL.RDS, astral, 'a/first', odd, TYPE_URL.LDS, TYPE_URL.CDS)},
      {proxy: 'd.ns', resources: r(TYPE_URL.LDS, TYPE_URL.CDS)},
    ])
    assert.deepEqual(ps[0]!.types.map((t) => t.typeUrl), [TYPE_URL.CDS, TYPE_URL.RDS])
    assert.deepEqual(ps[1]!.types.map((t) => t.typeUrl), [TYPE_URL.CDS, TYPE_URL.RDS])
    assert.deepEqual(ps[2]!.types.map((t) => t.typeUrl), ['a/first', TYPE_URL.CDS, odd, astral, TYPE_URL.LDS, TYPE_URL.RDS])
    assert.deepEqual(ps[3]!.types.map((t) => t.typeUrl), [TYPE_URL.CDS, TYPE_URL.LDS])
  })

  test('proxy_version is kept for the 1.1-era VERSION fallback', () => {
    const [p] = proxies(input('proxy-status-syncz-legacy/printsingle-proxy2-fallback-proxy-version.input.json'))
    assert.deepEqual([p.istioVersion, p.proxyVersion], ['', '1.1'])
  })

  test('current istiod: per-type `resources` with sentTime and lastError (xDS rules, subscribed types only)', () => {
    const entry = {
      cluster_id: 'Kubernetes',
      proxy: 'reviews-v1-abc.bookinfo',
      proxy_type: 'sidecar',
      istio_version: '1.26.2',
      cluster_sent: 'n1',
      cluster_acked: 'n1',
      resources: {
        [TYPE_URL.CDS]: {sent: 'n1', acked: 'n1', sentTime: '2026-05-01T10:00:00Z'},
        [TYPE_URL.LDS]: {sent: 'n2', acked: 'n1', sentTime: '2026-05-01T10:00:01Z'},
        [TYPE_URL.RDS]: {sent: 'n3', acked: 'n3', sentTime: '2026-05-01T10:00:02Z', lastError: 'route NACK'},
        [TYPE_URL.EDS]: {sentTime: '0001-01-01T00:00:00Z'},
        [TYPE_URL.SDS]: {sent: 'n4', sentTime: '2026-05-01T10:00:03+02:00'},
      },
    }
    const [p] = proxies([entry])
    assert.deepEqual(statuses(p), {CDS: 'SYNCED', EDS: 'NOT SENT', LDS: 'STALE', RDS: 'ERROR', SDS: 'STALE'})
    assert.equal(p.types.some((t) => t.neverAcknowledged), false, 'never-acknowledged is a legacy flat-field notion')
    const eds = p.types.find((t) => t.typeUrl === TYPE_URL.EDS)!
    assert.equal(eds.lastUpdated, undefined, "Go's zero time means unknown")
    assert.equal(p.types.find((t) => t.typeUrl === TYPE_URL.SDS)!.lastUpdated!.toISOString(), '2026-05-01T08:00:03.000Z')
    assert.equal(p.types.find((t) => t.typeUrl === TYPE_URL.RDS)!.error, 'route NACK')
    assert.deepEqual([p.namespace, p.proxyType, p.istiod], ['bookinfo', 'sidecar', ''])
  })

  test('a ztunnel with resources lists its own types (WDS, WADS), not IGNORED core ones', () => {
    const [p] = proxies([
      {
        proxy: 'ztunnel-x.istio-system',
        proxy_type: 'ztunnel',
        resources: {[TYPE_URL.WDS_ADDRESS]: {sent: 'a', acked: 'a'}, [TYPE_URL.WADS]: {sent: 'b', acked: 'b'}},
      },
    ])
    assert.deepEqual(statuses(p), {WADS: 'SYNCED', WDS_ADDRESS: 'SYNCED'})
  })

  test('a bare array has no istiod name; a map names each; entries without resources fall back to flat fields', () => {
    const set = decode([{proxy: 'a.ns', cluster_sent: 'x', cluster_acked: 'x'}])
    assert.equal(set.istiods[0].name, '')
    assert.equal(allProxies(set)[0].istiod, '')
    assert.deepEqual(statuses(allProxies(set)[0]), {CDS: 'SYNCED', ECDS: 'NOT SENT', EDS: 'NOT SENT', LDS: 'NOT SENT', RDS: 'NOT SENT'})
    assert.equal(decode([{proxy: 'a.ns'}], 'istiod-live').istiods[0].proxies[0].istiod, 'istiod-live')
    assert.equal(decode([]).istiods[0].proxies.length, 0)
  })

  test('syncz becomes the DiscoveryResponse istioctl would print (statuses as enum names, UNKNOWN omitted)', () => {
    const set = decode({
      'istiod-1': [
        {
          proxy: 'p.ns',
          cluster_id: 'c1',
          istio_version: '1.26.0',
          resources: {[TYPE_URL.CDS]: {sent: 'a', acked: 'b', sentTime: '2026-05-01T10:00:00Z'}, [TYPE_URL.LDS]: {lastError: 'bad'}},
        },
        {proxy: 'z.ns', proxy_type: 'ztunnel'},
      ],
    })
    assert.deepEqual(set.istiods[0].response, {
      resources: [
        {
          '@type': CC,
          node: {id: 'p.ns', metadata: {CLUSTER_ID: 'c1', ISTIO_VERSION: '1.26.0', NAMESPACE: 'ns'}},
          genericXdsConfigs: [
            {typeUrl: TYPE_URL.CDS, lastUpdated: '2026-05-01T10:00:00Z', configStatus: 'STALE'},
            {typeUrl: TYPE_URL.LDS, configStatus: 'ERROR', errorState: {details: 'bad'}},
          ],
        },
        {
          '@type': CC,
          node: {id: 'z.ns', metadata: {NAMESPACE: 'ns'}},
          genericXdsConfigs: [TYPE_URL.CDS, TYPE_URL.ECDS, TYPE_URL.EDS, TYPE_URL.LDS, TYPE_URL.RDS].map((typeUrl) => ({typeUrl})),
        },
      ],
      typeUrl: CC,
      controlPlane: {identifier: '{"Component":"istiod","ID":"istiod-1"}'},
    })
    // and reading it back gives the same model
    const again = decode(set.istiods[0].response)
    assert.deepEqual(
      allProxies(again).map((p) => [p.id, statuses(p)]),
      allProxies(set).map((p) => [p.id, statuses(p)]),
    )
  })
})

describe('-n: namespace filter', () => {
  test('keeps the proxies and the response resources of one namespace (metadata NAMESPACE)', () => {
    const set = filterNamespace(decode(input('proxy-status-xds/single-istiod-two-namespaces.input.json')), 'foo')
    assert.deepEqual(
      allProxies(set).map((p) => p.id),
      ['proxy1'],
    )
    assert.deepEqual(
      ((set.istiods[0].response.resources as JsonObject[]).map((r) => (r.node as JsonObject).id)),
      ['proxy1'],
    )
  })

  test('no match: no proxies, and no resources key (proto3 omits an empty list)', () => {
    const set = filterNamespace(decode(input('proxy-status-xds/single-istiod-two-namespaces.input.json')), 'nope')
    assert.equal(allProxies(set).length, 0)
    assert.equal('resources' in set.istiods[0].response, false)
  })

  test('xDS proxies without NAMESPACE metadata never match (as istioctl); syncz uses the proxy ID', () => {
    assert.equal(allProxies(filterNamespace(decode(input('proxy-status-xds/multi-istiod.input.json')), 'default')).length, 0)
    const set = filterNamespace(decode([{proxy: 'a.x.bookinfo'}, {proxy: 'b.default'}]), 'bookinfo')
    assert.deepEqual(
      allProxies(set).map((p) => p.id),
      ['a.x.bookinfo'],
    )
    assert.equal(namespaceOfProxyId('pod.with.dots.ns'), 'ns')
    assert.equal(namespaceOfProxyId('nodots'), '')
  })

  test('no -n: the same set', () => {
    const set = decode([])
    assert.equal(filterNamespace(set, undefined), set)
  })
})

describe('bytes and errors (InputError, exit 3, one line)', () => {
  test('JSON and YAML both decode', () => {
    assert.deepEqual(parseStatusBytes(bytes(' [ ] '), 'f'), [])
    assert.deepEqual(parseStatusBytes(bytes('istiod1:\n- proxy: a.b\n  cluster_sent: x\n'), 'f'), {istiod1: [{proxy: 'a.b', cluster_sent: 'x'}]})
    const set = decodeStatusDocuments([{bytes: bytes('\uFEFF[{"proxy":"a.b"}]'), source: 'f', istiod: 'i'}])
    assert.equal(allProxies(set)[0].istiod, 'i')
  })

  test('`gobbledygook` fails (istio 1.21 status_test) with the JSON error position', () => {
    inputError(() => decodeStatusDocuments([{bytes: bytes('gobbledygook'), source: 'syncz.json'}]), /^syncz\.json: invalid JSON at byte 0 \(line 1, column 1\)/)
  })

  const cases: Array<[string, string, RegExp]> = [
    ['empty', '  \n', /^f is empty; save one with: kubectl exec -n istio-system deploy\/istiod -- curl -s localhost:15014\/debug\/syncz > syncz\.json$/],
    ['truncated JSON', '[{"proxy": "a"', /^f: invalid JSON at byte 14 .*truncated/],
    ['syntax error', '{"istiod1": [}]', /^f: invalid JSON at byte 13 \(line 1, column 14\)/],
    ['a number', '42', /^f is not istiod sync status: expected a \/debug\/syncz array, .*; got a number/],
    ['a string', '"hello"', /got a string/],
    ['an array of numbers', '[1, 2]', /^f: \[0\] is a number, expected a \/debug\/syncz entry object$/],
    ['a config dump', '{"configs": [{"@type": "type.googleapis.com/envoy.admin.v3.BootstrapConfigDump"}]}', /^f is an Envoy config dump, not istiod sync status \(proxy-status reads istiod's \/debug\/syncz\); save one with: kubectl exec/],
    ['an object of other things', '{"kind": "List", "items": []}', /^f is not istiod sync status: .*; got an object with keys kind, items; save one with/],
    ['an istiod answer that is neither', '{"istiod1": {"foo": 1}}', /^f: "istiod1" is an object with keys foo, expected a \/debug\/syncz array or a DiscoveryResponse$/],
    ['an array of unrelated objects', '[{"kind": "Pod"}]', /^f is not istiod sync status: .*\[0\] is an object with keys kind/],
    ['a syncz entry without proxy', '[{"cluster_id": "c"}]', /^f: \[0\] has no "proxy" \(the proxy ID\)$/],
    ['a single syncz entry', '{"proxy": "a.b", "cluster_id": "c"}', /single \/debug\/syncz entry, not the array istiod answers; wrap it in \[ \]/],
    ['resources not an array', '{"resources": {"a": 1}, "typeUrl": "x"}', /^f: "resources" is an object with keys a, expected an array of ClientConfig$/],
    ['a resource of another type', '{"resources": [{"@type": "type.googleapis.com/envoy.config.cluster.v3.Cluster"}]}', /^f: resources\[0\] is a type\.googleapis\.com\/envoy\.config\.cluster\.v3\.Cluster, not a type\.googleapis\.com\/envoy\.service\.status\.v3\.ClientConfig$/],
    ['an unknown configStatus', `{"resources": [{"node": {"id": "p"}, "genericXdsConfigs": [{"typeUrl": "t", "configStatus": "WEIRD"}]}]}`, /^f: resources\[0\] \(p\) genericXdsConfigs\[0\] configStatus is "WEIRD"; expected one of UNKNOWN, SYNCED, NOT_SENT, STALE, ERROR$/],
    ['a bad lastUpdated', `{"resources": [{"node": {"id": "p"}, "genericXdsConfigs": [{"typeUrl": "t", "lastUpdated": "yesterday"}]}]}`, /lastUpdated is "yesterday", not an RFC 3339 timestamp$/],
    ['a bad sentTime', `[{"proxy": "p.n", "resources": {"t": {"sent": "a", "sentTime": 5}}}]`, /^f: \[0\] \(p\.n\) resources\["t"\] sentTime is a number, not a timestamp$/],
    ['a map value that is a scalar', '{"istiod1": 5}', /^f is not istiod sync status: .*; got an object with keys istiod1/],
    ['resources of a syncz entry not a map', '[{"proxy": "p", "resources": []}]', /"resources" is an array of 0 items, expected an object keyed by type URL/],
  ]
  for (const [name, text, pattern] of cases) {
    test(name, () => inputError(() => decodeStatusDocuments([{bytes: bytes(text), source: 'f'}]), pattern))
  }
})

describe('timestamps', () => {
  test('RFC 3339 in, proto-JSON out', () => {
    assert.equal(parseTimestamp('2026-05-01T10:00:00Z', 'x')!.toISOString(), '2026-05-01T10:00:00.000Z')
    assert.equal(parseTimestamp(undefined, 'x'), undefined)
    assert.equal(parseTimestamp('', 'x'), undefined)
    assert.equal(parseTimestamp('0001-01-01T00:00:00Z', 'x'), undefined)
    assert.equal(formatTimestamp(new Date('2026-05-01T10:00:00Z')), '2026-05-01T10:00:00Z')
    assert.equal(formatTimestamp(new Date('2026-05-01T10:00:00.250Z')), '2026-05-01T10:00:00.250Z')
    inputError(() => parseTimestamp('2026-05-01', 'when'), /^when is "2026-05-01", not an RFC 3339 timestamp$/)
  })
})
