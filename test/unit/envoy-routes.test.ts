/** Route descriptions: MATCH (§4.3.1), DOMAINS (§4.3.2, with istio's own vectors), inline routes (§4.2.2). */
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, test} from 'node:test'
import type {Json} from '../../src/envoy/fields.js'
import {describeCluster, describeDomains, describeInlineRouteConfig, describeMatch, routeCluster} from '../../src/envoy/routes.js'
import {sharedUrl} from '../helpers/shared.js'

const SHARED = sharedUrl('')
const vectors = JSON.parse(readFileSync(new URL('conformance/istioctl/derived/vectors/route-domains.json', SHARED), 'utf8')) as {
  cases: Array<{domains: string[]; expected: string}>
}

describe('describeDomains: istio route_test.go vectors', () => {
  assert.ok(vectors.cases.length >= 6)
  for (const c of vectors.cases) {
    test(`${JSON.stringify(c.domains)} → ${JSON.stringify(c.expected)}`, () => {
      assert.equal(describeDomains(c.domains), c.expected)
    })
  }
})

describe('describeDomains: more cases', () => {
  const svc = (s: string, ns: string, ip: string, port: number): string[] => {
    const names = [`${s}.${ns}.svc.cluster.local`, s, `${s}.${ns}.svc`, `${s}.${ns}`, ip]
    return names.flatMap((n) => [n, `${n}:${port}`])
  }
  const cases: Array<{domains: string[]; want: string}> = [
    {domains: ['example.com:8080'], want: 'example.com:8080'},
    {domains: ['*'], want: '*'},
    {domains: ['*', '*:80'], want: '*'},
    {domains: ['a:1', 'b:2'], want: ''},
    // Istio's usual service vhost (spec example)
    {domains: svc('reviews', 'default', '10.96.1.1', 9080), want: 'reviews, reviews.default + 1 more...'},
    // unexpand: X.svc.cluster.local dropped when X is present; X.svc dropped when X is present
    {domains: ['a.ns.svc.cluster.local', 'a.ns'], want: 'a.ns'},
    {domains: ['a.ns.svc', 'a.ns'], want: 'a.ns'},
    {domains: ['a.ns.svc.cluster.local', 'a.ns.svc'], want: 'a.ns.svc.cluster.local, a.ns.svc'},
    {domains: ['a.ns.svc.cluster.local', 'a.ns.svc', 'a.ns'], want: 'a.ns'},
    {domains: ['x.svc.cluster.local', 'y'], want: 'x.svc.cluster.local, y'},
    // only the port-less forms count for unexpanding
    {domains: ['a.ns.svc.cluster.local', 'a.ns:80'], want: 'a.ns.svc.cluster.local'},
    // order is kept
    {domains: ['z', 'a', 'm'], want: 'z, a + 1 more...'},
    {domains: ['a', 'b', 'c', 'd', 'e'], want: 'a, b + 3 more...'},
    // IPv6: kept only when bracketed without a port and with more than two colons
    {domains: ['[fd00:1::1]', '[fd00:1::1]:80'], want: '[fd00:1::1]'},
    // Go counts colons (> 2): `[fd00::1]` has only two, so it is dropped like a host:port (the spec's example says kept)
    {domains: ['[fd00::1]', 'x'], want: 'x'},
    {domains: ['[::1]', 'x'], want: 'x'},
    {domains: ['fd00::1', 'x'], want: 'x'},
    {domains: ['[fd00:1::2]', '[fd00:1::3]'], want: '[fd00:1::2], [fd00:1::3]'},
  ]
  for (const c of cases) {
    test(`${JSON.stringify(c.domains)} → ${JSON.stringify(c.want)}`, () => {
      assert.equal(describeDomains(c.domains), c.want)
    })
  }

  test('does not modify its argument', () => {
    const d = ['a.ns.svc.cluster.local', 'a.ns', 'a.ns:80']
    describeDomains(d)
    assert.deepEqual(d, ['a.ns.svc.cluster.local', 'a.ns', 'a.ns:80'])
  })
})

describe('describeMatch (§4.3.1)', () => {
  const cases: Array<{match: Json | undefined; want: string}> = [
    {match: undefined, want: ''},
    {match: {}, want: ''},
    {match: {prefix: '/'}, want: '/*'},
    {match: {prefix: '/healthz/ready'}, want: '/healthz/ready*'},
    {match: {prefix: ''}, want: ''},
    {match: {path: '/exact'}, want: '/exact'},
    {match: {path_separated_prefix: '/get'}, want: 'PathPrefix:/get'},
    {match: {pathSeparatedPrefix: '/get'}, want: 'PathPrefix:/get'},
    {match: {safe_regex: {google_re2: {}, regex: '^/v[0-9]+/.*'}}, want: 'regex ^/v[0-9]+/.*'},
    {match: {safeRegex: {regex: '.*'}}, want: 'regex .*'},
    {match: {connect_matcher: {}}, want: ''},
    {match: {prefix: '/', headers: [{name: ':authority', string_match: {exact: 'x'}}], query_parameters: [{name: 'q'}]}, want: '/*'},
    {match: {headers: [{name: 'end-user', exact_match: 'jason'}]}, want: ''},
    {match: {prefix: '/a', case_sensitive: false}, want: '/a*'},
  ]
  for (const c of cases) {
    test(`${JSON.stringify(c.match)} → ${JSON.stringify(c.want)}`, () => {
      assert.equal(describeMatch(c.match), c.want)
    })
  }
})

describe('cluster naming', () => {
  const cases: Array<[string, string]> = [
    ['PassthroughCluster', 'PassthroughCluster'],
    ['InboundPassthroughCluster', 'InboundPassthroughCluster'],
    ['BlackHoleCluster', 'BlackHoleCluster'],
    ['outbound|80||x', 'Cluster: outbound|80||x'],
    ['mycluster', 'Cluster: mycluster'],
    ['', 'Cluster: '],
  ]
  for (const [name, want] of cases) {
    test(`describeCluster(${JSON.stringify(name)})`, () => assert.equal(describeCluster(name), want))
  }
  test('routeCluster: single cluster only', () => {
    assert.equal(routeCluster({route: {cluster: 'c'}}), 'c')
    assert.equal(routeCluster({route: {weighted_clusters: {clusters: [{name: 'a', weight: 1}]}}}), '')
    assert.equal(routeCluster({redirect: {path_redirect: '/'}}), '')
    assert.equal(routeCluster({direct_response: {status: 200}}), '')
  })
})

describe('describeInlineRouteConfig (§4.2.2)', () => {
  const vh = (domains: string[], routes: Json[]): Json => ({name: 'vh', domains, routes})
  const fwd = (prefix: string, cluster: string): Json => ({match: {prefix}, route: {cluster}})
  const cases: Array<{name: string; rc: Json; want: string}> = [
    {name: 'match-all to a Cluster-named cluster', rc: {virtual_hosts: [vh(['*'], [fwd('/', 'PassthroughCluster')])]}, want: 'PassthroughCluster'},
    {name: 'match-all to an ordinary cluster', rc: {virtual_hosts: [vh(['*'], [fwd('/', 'outbound|80||x')])]}, want: 'Cluster: outbound|80||x'},
    {name: 'match-all, camelCase', rc: {virtualHosts: [{domains: ['*'], routes: [{match: {prefix: '/'}, route: {cluster: 'c'}}]}]}, want: 'Cluster: c'},
    {name: 'prefix other than /', rc: {virtual_hosts: [vh(['*'], [fwd('/healthz/ready', 'agent')])]}, want: 'Inline Route: /healthz/ready*'},
    {name: 'match-all direct response', rc: {virtual_hosts: [vh(['*'], [{match: {prefix: '/'}, direct_response: {status: 404}}])]}, want: 'Inline Route: /*'},
    {name: 'match-all weighted clusters', rc: {virtual_hosts: [vh(['*'], [{match: {prefix: '/'}, route: {weighted_clusters: {clusters: [{name: 'a'}]}}}])]}, want: 'Inline Route: /*'},
    {name: 'two routes', rc: {virtual_hosts: [vh(['*'], [fwd('/api', 'a'), fwd('/', 'b')])]}, want: 'Inline Route: /api*, /*'},
    {name: 'domains other than *', rc: {virtual_hosts: [vh(['a.com', 'b.com'], [fwd('/api', 'a'), {match: {path: '/'}, route: {cluster: 'b'}}])]}, want: 'Inline Route: a.com/b.com /api*, /'},
    {name: 'single domain vhost to /', rc: {virtual_hosts: [vh(['a.com'], [fwd('/', 'c')])]}, want: 'Inline Route: a.com /*'},
    {name: 'several vhosts', rc: {virtual_hosts: [vh(['a.com'], [fwd('/a', 'x')]), vh(['*'], [fwd('/', 'y')])]}, want: 'Inline Route: a.com /a*; /*'},
    {name: 'no vhosts', rc: {}, want: 'Inline Route: '},
    {name: 'vhost without routes', rc: {virtual_hosts: [vh(['*'], [])]}, want: 'Inline Route: '},
  ]
  for (const c of cases) {
    test(c.name, () => {
      assert.equal(describeInlineRouteConfig(c.rc), c.want)
    })
  }
})
