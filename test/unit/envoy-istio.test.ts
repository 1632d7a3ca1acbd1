/** Istio cluster names (§4.1 sort key) and `istio` config metadata rendering (§4.11). */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import type {Json} from '../../src/envoy/fields.js'
import {type ClusterKey, clusterNameLess, parseClusterName, renderIstioConfig} from '../../src/envoy/istio.js'

describe('parseClusterName', () => {
  const cases: Array<{name: string; want: Omit<ClusterKey, 'istio'> & {istio?: boolean}}> = [
    {name: 'outbound|9080|v1|reviews.default.svc.cluster.local', want: {istio: true, direction: 'outbound', port: 9080, subset: 'v1', hostname: 'reviews.default.svc.cluster.local'}},
    {name: 'inbound|9080||', want: {istio: true, direction: 'inbound', port: 9080, subset: '', hostname: ''}},
    {name: 'outbound|443||istiod.istio-system.svc.cluster.local', want: {istio: true, direction: 'outbound', port: 443, subset: '', hostname: 'istiod.istio-system.svc.cluster.local'}},
    {name: 'inbound-vip|9080|http|reviews.default.svc.cluster.local', want: {istio: true, direction: 'inbound-vip', port: 9080, subset: 'http', hostname: 'reviews.default.svc.cluster.local'}},
    // 5+ parts: direction, port and subset are parsed, the hostname is empty
    {name: 'outbound|9080|v1|reviews|extra', want: {istio: true, direction: 'outbound', port: 9080, subset: 'v1', hostname: ''}},
    {name: 'a|1|b|c|d|e', want: {istio: true, direction: 'a', port: 1, subset: 'b', hostname: ''}},
    // non-numeric ports are 0 (Go's strconv.Atoi error ignored); Atoi accepts a sign
    {name: 'outbound|http|v1|reviews', want: {istio: true, direction: 'outbound', port: 0, subset: 'v1', hostname: 'reviews'}},
    {name: 'outbound||v1|reviews', want: {istio: true, direction: 'outbound', port: 0, subset: 'v1', hostname: 'reviews'}},
    {name: 'outbound| 80||reviews', want: {istio: true, direction: 'outbound', port: 0, subset: '', hostname: 'reviews'}},
    {name: 'outbound|80x||reviews', want: {istio: true, direction: 'outbound', port: 0, subset: '', hostname: 'reviews'}},
    {name: 'outbound|0x50||reviews', want: {istio: true, direction: 'outbound', port: 0, subset: '', hostname: 'reviews'}},
    {name: 'outbound|+80||reviews', want: {istio: true, direction: 'outbound', port: 80, subset: '', hostname: 'reviews'}},
    {name: 'outbound|-1||reviews', want: {istio: true, direction: 'outbound', port: -1, subset: '', hostname: 'reviews'}},
    {name: 'outbound|080||reviews', want: {istio: true, direction: 'outbound', port: 80, subset: '', hostname: 'reviews'}},
    // fewer than 4 parts: the whole name is the hostname
    {name: 'outbound_.9080_.v1_.reviews.default.svc.cluster.local', want: {istio: false, direction: '', port: 0, subset: '', hostname: 'outbound_.9080_.v1_.reviews.default.svc.cluster.local'}},
    {name: 'outbound|9080|v1', want: {istio: false, direction: '', port: 0, subset: '', hostname: 'outbound|9080|v1'}},
    {name: 'BlackHoleCluster', want: {istio: false, direction: '', port: 0, subset: '', hostname: 'BlackHoleCluster'}},
    {name: '', want: {istio: false, direction: '', port: 0, subset: '', hostname: ''}},
  ]
  for (const c of cases) {
    test(JSON.stringify(c.name), () => {
      assert.deepEqual(parseClusterName(c.name), c.want)
    })
  }
})

describe('clusterNameLess', () => {
  // each list is in istioctl's order: hostname, then subset, then port (numeric), then direction
  const ordered: string[][] = [
    ['inbound|9080||', 'outbound|9080||details.default.svc.cluster.local'],
    ['outbound|443||istiod.istio-system.svc.cluster.local', 'outbound|15010||istiod.istio-system.svc.cluster.local'],
    ['outbound|9080||reviews', 'outbound|9080|v1|reviews', 'outbound|9080|v2|reviews'],
    ['inbound|80||x', 'outbound|80||x'],
    ['BlackHoleCluster', 'PassthroughCluster', 'agent'],
    ['outbound|9080|v1|reviews|extra', 'a'],
    ['outbound|http||x', 'outbound|1||x'],
  ]
  for (const list of ordered) {
    test(list.join(' < '), () => {
      for (let i = 0; i + 1 < list.length; i++) {
        const a = parseClusterName(list[i])
        const b = parseClusterName(list[i + 1])
        assert.equal(clusterNameLess(a, b), true, `${list[i]} < ${list[i + 1]}`)
        assert.equal(clusterNameLess(b, a), false, `!(${list[i + 1]} < ${list[i]})`)
      }
    })
  }
  test('equal keys are not less', () => {
    const k = parseClusterName('outbound|80||x')
    assert.equal(clusterNameLess(k, k), false)
  })
})

describe('renderIstioConfig (§4.11)', () => {
  const withConfig = (config: Json): Json => ({metadata: {filter_metadata: {istio: {config}}}})
  const cases: Array<{name: string; resource: Json; want: string}> = [
    {name: 'no metadata', resource: {name: 'x'}, want: ''},
    {name: 'metadata without filter_metadata', resource: {metadata: {}}, want: ''},
    {name: 'filter_metadata without istio', resource: {metadata: {filter_metadata: {'envoy.lb': {canary: true}}}}, want: ''},
    {name: 'istio without config', resource: {metadata: {filter_metadata: {istio: {services: []}}}}, want: ''},
    {name: 'v1 virtual service', resource: withConfig('/apis/networking.istio.io/v1/namespaces/default/virtual-service/reviews'), want: 'reviews.default'},
    {name: 'v1alpha3 destination rule', resource: withConfig('/apis/networking.istio.io/v1alpha3/namespaces/bookinfo/destination-rule/ratings'), want: 'ratings.bookinfo'},
    {name: 'v1beta1 autogenerated gateway route', resource: withConfig('/apis/networking.istio.io/v1beta1/namespaces/default/virtual-service/http-0-istio-autogenerated-k8s-gateway'), want: 'http-0-istio-autogenerated-k8s-gateway.default'},
    {name: 'prefix with 7 pieces', resource: withConfig('/apis/networking.istio.io/v1/namespaces/default/virtual-service'), want: ''},
    {name: 'prefix with 9 pieces (trailing slash)', resource: withConfig('/apis/networking.istio.io/v1/namespaces/default/virtual-service/reviews/'), want: ''},
    {name: 'just the prefix', resource: withConfig('/apis/networking.istio.io/'), want: ''},
    {name: 'another API group', resource: withConfig('/apis/security.istio.io/v1/namespaces/default/authorization-policy/x'), want: '<unknown>'},
    {name: 'no leading slash', resource: withConfig('apis/networking.istio.io/v1/namespaces/default/virtual-service/reviews'), want: '<unknown>'},
    {name: 'empty string', resource: withConfig(''), want: '<unknown>'},
    {name: 'a number', resource: withConfig(5), want: '<unknown>'},
    {name: 'null', resource: withConfig(null), want: '<unknown>'},
    {name: 'camelCase filterMetadata', resource: {metadata: {filterMetadata: {istio: {config: '/apis/networking.istio.io/v1/namespaces/ns/virtual-service/vs'}}}}, want: 'vs.ns'},
  ]
  for (const c of cases) {
    test(c.name, () => {
      assert.equal(renderIstioConfig(c.resource), c.want)
    })
  }
})
