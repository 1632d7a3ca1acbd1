/**
 * The HTTP routing engine (src/trace/http.ts) against a corpus written from Envoy's documentation and source
 * (../shared/docs/envoy-request-path.md §6–§8, §12 traps): virtual host precedence, route matching, actions.
 * Then every route configuration of the real dumps, to show the engine never throws on real shapes.
 */
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, test} from 'node:test'
import fc from 'fast-check'
import {parseAdminDocument} from '../../src/envoy/document.js'
import {getArray, getObject, getString, type Json, type JsonObject} from '../../src/envoy/fields.js'
import {applyHeaderMutations, decideAction, type HttpRequest, matchRoute, routeHttp, selectVirtualHost, virtualClusterName} from '../../src/trace/http.js'
import {prepareRequest} from '../../src/trace/http-prepare.js'
import {re2ReplaceAll} from '../../src/trace/matchers.js'
import {SHARED} from '../helpers/shared.js'

const req = (authority: string, path = '/', extra: Partial<HttpRequest> = {}): HttpRequest => ({method: 'GET', authority, path, scheme: 'http', headers: [], ...extra})
const vh = (name: string, domains: string[], routes?: Json[], extra: JsonObject = {}): JsonObject => ({
  name,
  domains,
  routes: routes ?? [{match: {prefix: '/'}, route: {cluster: name}}],
  ...extra,
})
const rc = (vhosts: JsonObject[], extra: JsonObject = {}): JsonObject => ({name: 'test', virtual_hosts: vhosts, ...extra})
/** the vhost name chosen for a host */
const host = (config: JsonObject, authority: string): string => selectVirtualHost(config, req(authority)).name
/** the route index matched in a one-vhost config */
const routeIndex = (routes: Json[], r: HttpRequest, extra: JsonObject = {}): number => matchRoute(vh('v', ['*'], routes), r, rc([], extra)).index
const act = (route: JsonObject, r: HttpRequest, opts: {pick?: number} = {}, vhost: JsonObject = vh('v', ['*'], [route]), config: JsonObject = rc([vhost])) =>
  decideAction(route, vhost, config, r, opts)

describe('§6 virtual host selection', () => {
  const config = rc([
    vh('catchall', ['*']),
    vh('suffix-short', ['*.example.com']),
    vh('suffix-long', ['*.bar.example.com']),
    vh('exact', ['foo.bar.example.com']),
    vh('prefix-short', ['api.*']),
    vh('prefix-long', ['api.internal.*']),
    vh('plain-suffix', ['*foo.org']),
  ])
  test('an exact domain beats every wildcard', () => assert.equal(host(config, 'foo.bar.example.com'), 'exact'))
  test('suffix wildcards: longest first', () => {
    assert.equal(host(config, 'x.bar.example.com'), 'suffix-long')
    assert.equal(host(config, 'x.example.com'), 'suffix-short')
  })
  test('the * of a wildcard covers at least one character', () => {
    // `*.example.com` needs something before `.example.com`; `.example.com` itself is not enough
    assert.equal(host(config, '.example.com'), 'catchall')
    assert.equal(host(config, 'example.com'), 'catchall')
    // `*foo.org` is a plain string suffix: barfoo.org matches, foo.org does not
    assert.equal(host(config, 'barfoo.org'), 'plain-suffix')
    assert.equal(host(config, 'foo.org'), 'catchall')
  })
  test('prefix wildcards: longest first, after every suffix wildcard', () => {
    assert.equal(host(config, 'api.internal.corp'), 'prefix-long')
    assert.equal(host(config, 'api.corp'), 'prefix-short')
    // a short suffix wildcard beats a long prefix wildcard: all suffixes are tried before any prefix
    assert.equal(host(rc([vh('s', ['*.com']), vh('p', ['api.example.*'])]), 'api.example.com'), 's')
    // equal lengths: the suffix wildcard still wins
    assert.equal(host(rc([vh('p', ['www.foo.*']), vh('s', ['*.foo.com'])]), 'www.foo.com'), 's')
  })
  test('* catches the rest; without it, 404 NR', () => {
    assert.equal(host(config, 'unrelated.net'), 'catchall')
    const d = selectVirtualHost(rc([vh('a', ['a.com'])]), req('b.com'))
    assert.equal(d.matched, false)
    assert.deepEqual(d.outcome, {status: 404, flag: 'NR', details: 'route_not_found'})
  })
  test('matching is case-insensitive on both sides', () => {
    assert.equal(host(config, 'FOO.Bar.Example.COM'), 'exact')
    assert.equal(host(rc([vh('upper', ['Reviews.Default.SVC'])]), 'reviews.default.svc'), 'upper')
    assert.equal(selectVirtualHost(config, req('FOO.Bar.Example.COM')).host, 'foo.bar.example.com')
  })
  test('ports: part of the host unless ignore_port_in_host_matching', () => {
    const plain = rc([vh('foo', ['foo']), vh('foo80', ['foo:80'])])
    assert.equal(host(plain, 'foo:80'), 'foo80')
    assert.equal(selectVirtualHost(rc([vh('foo', ['foo'])]), req('foo:8080')).matched, false)
    const ignoring = rc([vh('foo', ['foo'])], {ignore_port_in_host_matching: true})
    assert.equal(host(ignoring, 'foo:8080'), 'foo')
    assert.equal(host(ignoring, 'foo'), 'foo')
  })
  test('IPv6 literals: the port is after the closing bracket', () => {
    const v6 = rc([vh('v6', ['[::1]']), vh('v6port', ['[::1]:80'])], {ignore_port_in_host_matching: true})
    assert.equal(host(v6, '[::1]:80'), 'v6')
    assert.equal(host(v6, '[::1]'), 'v6')
    assert.equal(host(rc([vh('v6', ['[::1]']), vh('v6port', ['[::1]:80'])]), '[::1]:80'), 'v6port')
    assert.equal(selectVirtualHost(v6, req('[::1]:80')).host, '[::1]')
  })
  test('no Host: no virtual host, unless * is the only domain', () => {
    assert.equal(selectVirtualHost(config, req('')).matched, false)
    assert.equal(selectVirtualHost(config, req('')).outcome?.status, 404)
    assert.equal(host(rc([vh('only', ['*'])]), ''), 'only')
  })
  test('candidates say what was tried', () => {
    const d = selectVirtualHost(config, req('long-name.example.com'))
    assert.equal(d.matchKind, 'suffixWildcard')
    assert.equal(d.domain, '*.example.com')
    assert.match(d.candidates[0].why, /no exact domain "long-name.example.com"/)
    assert.ok(d.candidates.some((c) => c.name === 'suffix-long' && /does not end with/.test(c.why)))
    assert.equal(d.reason, 'suffix wildcard *.example.com')
  })
  test('require_tls ALL: plain HTTP gets a 301 to https with the Host as sent', () => {
    const tls = rc([vh('secure', ['secure.com', 'secure.com:8080'], undefined, {require_tls: 'ALL'})])
    const d = selectVirtualHost(tls, req('secure.com:8080', '/a?b=1'))
    assert.deepEqual(d.outcome, {status: 301, details: 'direct_response', location: 'https://secure.com:8080/a?b=1'})
    assert.equal(selectVirtualHost(tls, req('secure.com', '/', {scheme: 'https'})).outcome, undefined)
    const r = routeHttp(tls, req('secure.com', '/x'))
    assert.equal(r.outcome?.status, 301)
    assert.equal(r.route, undefined)
  })
  test('require_tls reads the x-forwarded-proto header when one is given', () => {
    const tls = rc([vh('secure', ['*'], undefined, {require_tls: 'ALL'})])
    assert.equal(selectVirtualHost(tls, req('a', '/', {headers: [['x-forwarded-proto', 'https']]})).outcome, undefined)
  })
  test('require_tls EXTERNAL_ONLY spares internal requests', () => {
    const tls = rc([vh('ext', ['*'], undefined, {require_tls: 'EXTERNAL_ONLY'})])
    assert.equal(selectVirtualHost(tls, req('a', '/')).outcome?.status, 301)
    assert.equal(selectVirtualHost(tls, req('a', '/', {internal: true})).outcome, undefined)
  })
  test('a virtual host with a matcher tree is reported, not guessed', () => {
    const m = rc([vh('m', ['*'], [], {matcher: {matcher_list: {matchers: []}}})])
    const d = routeHttp(m, req('a'))
    assert.equal(d.virtualHost.usesMatcher, true)
    assert.equal(d.route?.matched, false)
    assert.ok(d.assumptions.some((a) => /matcher tree/.test(a)))
  })
  test('a domain listed twice is reported (Envoy rejects the config); the first listing stands', () => {
    const d = selectVirtualHost(rc([vh('a', ['x.com']), vh('b', ['x.com'])]), req('x.com'))
    assert.equal(d.name, 'a')
    assert.ok(d.assumptions.some((a) => /more than one virtual host \(x.com\)/.test(a)))
  })
  test('lowerCamelCase keys (istioctl / protojson) work the same', () => {
    const camel = {name: 'c', virtualHosts: [{name: 'v', domains: ['a'], routes: [{match: {prefix: '/'}, route: {cluster: 'x'}}]}], ignorePortInHostMatching: true}
    assert.equal(routeHttp(camel, req('a:80')).action?.clusterName, 'x')
  })
})

describe('§7 route matching: path specifiers', () => {
  test('prefix is a string prefix, not segment-aware', () => {
    assert.equal(routeIndex([{match: {prefix: '/foo'}, route: {cluster: 'a'}}], req('h', '/foobar')), 0)
  })
  test('path_separated_prefix: equal or followed by /', () => {
    const routes = [{match: {path_separated_prefix: '/foo'}, route: {cluster: 'a'}}]
    assert.equal(routeIndex(routes, req('h', '/foo')), 0)
    assert.equal(routeIndex(routes, req('h', '/foo/bar')), 0)
    assert.equal(routeIndex(routes, req('h', '/foo?x=1')), 0)
    assert.equal(routeIndex(routes, req('h', '/foobar')), -1)
  })
  test('path is an exact match that ignores query and fragment', () => {
    const routes = [{match: {path: '/a'}, route: {cluster: 'a'}}]
    assert.equal(routeIndex(routes, req('h', '/a?x=1')), 0)
    assert.equal(routeIndex(routes, req('h', '/a#top')), 0)
    assert.equal(routeIndex(routes, req('h', '/a/')), -1)
  })
  test('case_sensitive: false for prefix and path', () => {
    assert.equal(routeIndex([{match: {prefix: '/API', case_sensitive: false}, route: {cluster: 'a'}}], req('h', '/api/x')), 0)
    assert.equal(routeIndex([{match: {prefix: '/API'}, route: {cluster: 'a'}}], req('h', '/api/x')), -1)
    assert.equal(routeIndex([{match: {path: '/Login', case_sensitive: false}, route: {cluster: 'a'}}], req('h', '/LOGIN')), 0)
  })
  test('safe_regex is a full match and ignores case_sensitive', () => {
    const routes = [{match: {safe_regex: {regex: '/v[0-9]+'}}, route: {cluster: 'a'}}]
    assert.equal(routeIndex(routes, req('h', '/v12')), 0)
    assert.equal(routeIndex(routes, req('h', '/v1/x')), -1, 'not anchored at the end = no match')
    assert.equal(routeIndex(routes, req('h', '/x/v1')), -1, 'not anchored at the start = no match')
    assert.equal(routeIndex(routes, req('h', '/v12?q=1')), 0, 'the query is not part of the path')
    assert.equal(routeIndex([{match: {safe_regex: {regex: '/abc'}, case_sensitive: false}, route: {cluster: 'a'}}], req('h', '/ABC')), -1)
  })
  test('RE2 syntax: no backreferences; an invalid pattern never matches and is reported', () => {
    const d = matchRoute(vh('v', ['*'], [{match: {safe_regex: {regex: '(a)\\1'}}, route: {cluster: 'a'}}]), req('h', '/aa'))
    assert.equal(d.matched, false)
    assert.ok(d.assumptions.some((a) => /invalid RE2/.test(a)))
  })
  test('ignore_path_parameters_in_path_matching drops everything from the first ;', () => {
    const routes = [{match: {path: '/a'}, route: {cluster: 'a'}}]
    assert.equal(routeIndex(routes, req('h', '/a;jsessionid=1')), -1)
    assert.equal(routeIndex(routes, req('h', '/a;jsessionid=1'), {ignore_path_parameters_in_path_matching: true}), 0)
  })
  test('uri_template: * one segment, ** the rest, variables captured for the rewrite', () => {
    const route = {
      match: {path_match_policy: {name: 'envoy.path.match.uri_template.uri_template_matcher', typed_config: {'@type': 'type.googleapis.com/envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig', path_template: '/foo/{bar}/*/{rest=**}'}}},
      route: {
        cluster: 'a',
        path_rewrite_policy: {name: 'envoy.path.rewrite.uri_template.uri_template_rewriter', typed_config: {'@type': 'type.googleapis.com/envoy.extensions.path.rewrite.uri_template.v3.UriTemplateRewriteConfig', path_template_rewrite: '/{rest}/{bar}'}},
      },
    }
    assert.equal(routeIndex([route], req('h', '/foo/x/y/z/w')), 0)
    assert.equal(routeIndex([route], req('h', '/foo/x')), -1)
    // the template is `/` + segments joined by `/` (uri_template_internal toRegexPattern): `**` may be empty, its `/` may not
    assert.equal(routeIndex([route], req('h', '/foo/x/y/')), 0)
    assert.equal(routeIndex([route], req('h', '/foo/x/y')), -1)
    // the rewriter sees the path without query and its result replaces :path whole (CFG): the query is dropped
    assert.equal(act(route, req('h', '/foo/x/y/z/w?q=1')).effects.pathRewrite?.to, '/z/w/x')
  })
  test('the first matching route wins, in order', () => {
    const routes = [
      {match: {prefix: '/api/v2'}, route: {cluster: 'v2'}},
      {match: {prefix: '/api'}, route: {cluster: 'api'}},
      {match: {prefix: '/api/v1'}, route: {cluster: 'never'}},
    ]
    assert.equal(routeIndex(routes, req('h', '/api/v1/x')), 1)
    const d = matchRoute(vh('v', ['*'], routes), req('h', '/api/v1/x'))
    assert.equal(d.candidates.length, 1)
    assert.match(d.candidates[0].why, /does not start with \/api\/v2/)
  })
  test('no route: 404 NR', () => {
    const d = routeHttp(rc([vh('v', ['*'], [{match: {prefix: '/a'}, route: {cluster: 'a'}}])]), req('h', '/b'))
    assert.deepEqual(d.outcome, {status: 404, flag: 'NR', details: 'route_not_found'})
  })
})

describe('§7.2 header matchers', () => {
  const route = (headers: Json[]): Json[] => [{match: {prefix: '/', headers}, route: {cluster: 'a'}}]
  const with_ = (...headers: Array<[string, string]>) => req('h', '/', {headers})
  const m = (h: JsonObject, r: HttpRequest) => routeIndex(route([h]), r) === 0
  test('string_match forms', () => {
    assert.ok(m({name: 'x-a', string_match: {exact: 'v'}}, with_(['x-a', 'v'])))
    assert.ok(!m({name: 'x-a', string_match: {exact: 'v'}}, with_(['x-a', 'V'])))
    assert.ok(m({name: 'x-a', string_match: {exact: 'v', ignore_case: true}}, with_(['x-a', 'V'])))
    assert.ok(m({name: 'x-a', string_match: {prefix: 'ab'}}, with_(['x-a', 'abc'])))
    assert.ok(m({name: 'x-a', string_match: {suffix: 'bc'}}, with_(['x-a', 'abc'])))
    assert.ok(m({name: 'x-a', string_match: {contains: 'b'}}, with_(['x-a', 'abc'])))
    assert.ok(m({name: 'x-a', string_match: {safe_regex: {regex: 'a.c'}}}, with_(['x-a', 'abc'])))
    assert.ok(!m({name: 'x-a', string_match: {safe_regex: {regex: 'a.'}}}, with_(['x-a', 'abc'])), 'full match')
  })
  test('deprecated forms', () => {
    assert.ok(m({name: 'x-a', exact_match: 'v'}, with_(['x-a', 'v'])))
    assert.ok(m({name: 'x-a', exact_match: ''}, with_(['x-a', 'anything'])), 'empty exact_match = any value')
    assert.ok(m({name: 'x-a', prefix_match: 'ab'}, with_(['x-a', 'abc'])))
    assert.ok(m({name: 'x-a', suffix_match: 'bc'}, with_(['x-a', 'abc'])))
    assert.ok(m({name: 'x-a', contains_match: 'b'}, with_(['x-a', 'abc'])))
    assert.ok(m({name: 'x-a', safe_regex_match: {regex: '[a-c]+'}}, with_(['x-a', 'abc'])))
  })
  test('a name alone is a presence check; present_match', () => {
    assert.ok(m({name: 'x-a'}, with_(['x-a', ''])))
    assert.ok(!m({name: 'x-a'}, with_()))
    assert.ok(m({name: 'x-a', present_match: true}, with_(['x-a', 'v'])))
    assert.ok(m({name: 'x-a', present_match: false}, with_()))
    assert.ok(!m({name: 'x-a', present_match: false}, with_(['x-a', 'v'])))
  })
  test('a missing header fails every non-presence matcher, inverted or not (trap 15)', () => {
    assert.ok(!m({name: 'x-a', string_match: {exact: 'v'}}, with_()))
    assert.ok(!m({name: 'x-a', string_match: {exact: 'v'}, invert_match: true}, with_()))
    assert.ok(m({name: 'x-a', string_match: {exact: 'v'}, invert_match: true}, with_(['x-a', 'w'])))
    // an inverted presence check on a missing header matches
    assert.ok(m({name: 'x-a', present_match: true, invert_match: true}, with_()))
    assert.ok(!m({name: 'x-a', present_match: false, invert_match: true}, with_()))
  })
  test('treat_missing_header_as_empty: a missing header is ""', () => {
    assert.ok(m({name: 'x-a', string_match: {exact: 'v'}, invert_match: true, treat_missing_header_as_empty: true}, with_()))
    assert.ok(m({name: 'x-a', string_match: {exact: ''}, treat_missing_header_as_empty: true}, with_()))
    assert.ok(!m({name: 'x-a', string_match: {exact: ''}}, with_()))
  })
  test('range_match: integer, start inclusive, end exclusive', () => {
    const r = {name: 'x-n', range_match: {start: '1', end: '10'}}
    assert.ok(m(r, with_(['x-n', '1'])))
    assert.ok(m(r, with_(['x-n', '9'])))
    assert.ok(!m(r, with_(['x-n', '10'])))
    assert.ok(!m(r, with_(['x-n', '0'])))
    assert.ok(!m(r, with_(['x-n', '5.5'])))
    assert.ok(!m(r, with_(['x-n', 'abc'])))
    assert.ok(m({name: 'x-n', range_match: {start: '-10', end: '0'}}, with_(['x-n', '-3'])))
  })
  test('repeated headers are joined with ","', () => {
    assert.ok(m({name: 'x-a', string_match: {exact: 'a,b'}}, with_(['x-a', 'a'], ['x-a', 'b'])))
    assert.ok(!m({name: 'x-a', string_match: {exact: 'a'}}, with_(['x-a', 'a'], ['x-a', 'b'])))
  })
  test('names are case-insensitive, values are not', () => {
    assert.ok(m({name: 'X-A', string_match: {exact: 'v'}}, with_(['x-a', 'v'])))
  })
  test('pseudo-headers: :method, :authority (with its port), :path (with its query), :scheme', () => {
    assert.ok(m({name: ':method', string_match: {exact: 'POST'}}, req('h', '/', {method: 'POST'})))
    assert.ok(!m({name: ':method', string_match: {exact: 'POST'}}, req('h', '/')))
    assert.ok(m({name: ':authority', string_match: {exact: 'h:8080'}}, req('h:8080', '/')))
    assert.ok(m({name: ':path', string_match: {exact: '/a?b=1'}}, req('h', '/a?b=1')))
    assert.ok(m({name: ':scheme', string_match: {exact: 'https'}}, req('h', '/', {scheme: 'https'})))
    assert.ok(m({name: 'x-forwarded-proto', string_match: {exact: 'http'}}, req('h', '/')))
  })
  test('every header matcher must hold', () => {
    const two = [
      {name: 'x-a', string_match: {exact: '1'}},
      {name: 'x-b', string_match: {exact: '2'}},
    ]
    assert.equal(routeIndex(route(two), with_(['x-a', '1'], ['x-b', '2'])), 0)
    assert.equal(routeIndex(route(two), with_(['x-a', '1'])), -1)
  })
})

describe('§7.3–7.4 query parameters and other conditions', () => {
  const route = (match: JsonObject): Json[] => [{match: {prefix: '/', ...match}, route: {cluster: 'a'}}]
  const qp = (q: JsonObject, path: string) => routeIndex(route({query_parameters: [q]}), req('h', path)) === 0
  test('the first value counts, and it is not percent-decoded (trap 16)', () => {
    assert.ok(qp({name: 'a', string_match: {exact: '1'}}, '/?a=1&a=2'))
    assert.ok(!qp({name: 'a', string_match: {exact: '2'}}, '/?a=1&a=2'))
    assert.ok(qp({name: 'q', string_match: {exact: 'a%20b'}}, '/?q=a%20b'))
    assert.ok(!qp({name: 'q', string_match: {exact: 'a b'}}, '/?q=a%20b'))
  })
  test('presence and absence', () => {
    assert.ok(qp({name: 'debug'}, '/?debug'))
    assert.ok(!qp({name: 'debug'}, '/?other=1'))
    assert.ok(qp({name: 'debug', present_match: false}, '/?other=1'))
    assert.ok(!qp({name: 'debug', string_match: {exact: ''}}, '/'))
    assert.ok(qp({name: 'debug', string_match: {exact: ''}}, '/?debug'))
  })
  test('grpc: content-type application/grpc or application/grpc+…', () => {
    const g = route({grpc: {}})
    assert.equal(routeIndex(g, req('h', '/s/M', {method: 'POST', headers: [['content-type', 'application/grpc']]})), 0)
    assert.equal(routeIndex(g, req('h', '/s/M', {method: 'POST', headers: [['content-type', 'application/grpc+proto']]})), 0)
    assert.equal(routeIndex(g, req('h', '/s/M', {method: 'POST', headers: [['content-type', 'application/grpc-web']]})), -1)
    assert.equal(routeIndex(g, req('h', '/s/M')), -1)
  })
  test('runtime_fraction: decided by the random value, else reported', () => {
    const canary: Json[] = [
      {name: 'canary', match: {prefix: '/', runtime_fraction: {default_value: {numerator: 50, denominator: 'HUNDRED'}, runtime_key: 'canary.enabled'}}, route: {cluster: 'canary'}},
      {match: {prefix: '/'}, route: {cluster: 'stable'}},
    ]
    assert.equal(routeIndex(canary, req('h', '/', {randomValue: 49})), 0)
    assert.equal(routeIndex(canary, req('h', '/', {randomValue: 50})), 1)
    assert.equal(routeIndex(canary, req('h', '/', {randomValue: 149})), 0, 'value % denominator')
    const d = matchRoute(vh('v', ['*'], canary), req('h', '/'))
    assert.equal(d.index, 0)
    assert.ok(d.assumptions.some((a) => /50% of requests/.test(a)))
    const off = [{match: {prefix: '/', runtime_fraction: {default_value: {numerator: 0}}}, route: {cluster: 'x'}}]
    assert.equal(routeIndex(off, req('h', '/')), -1)
    const million = [{match: {prefix: '/', runtime_fraction: {default_value: {numerator: 10, denominator: 'MILLION'}}}, route: {cluster: 'x'}}]
    assert.equal(routeIndex(million, req('h', '/', {randomValue: 1000009})), 0)
    assert.equal(routeIndex(million, req('h', '/', {randomValue: 1000010})), -1)
  })
  test('runtime_fraction in router_check_tool mode: only enabled keys, numerator 0 counts as 1', () => {
    const routes = [{match: {prefix: '/', runtime_fraction: {default_value: {numerator: 0}, runtime_key: 'k'}}, route: {cluster: 'x'}}]
    assert.equal(routeIndex(routes, req('h', '/', {randomValue: 0, runtimeEnabled: new Set(['k'])})), 0)
    assert.equal(routeIndex(routes, req('h', '/', {randomValue: 1, runtimeEnabled: new Set(['k'])})), -1)
    assert.equal(routeIndex(routes, req('h', '/', {randomValue: 0, runtimeEnabled: new Set()})), -1)
  })
  test('tls_context: plaintext by default (reported), or the given certificate state', () => {
    const t = route({tls_context: {presented: true}})
    const d = matchRoute(vh('v', ['*'], t), req('h', '/'))
    assert.equal(d.matched, false)
    assert.ok(d.assumptions.some((a) => /plaintext/.test(a)))
    assert.equal(routeIndex(t, req('h', '/', {tls: {presented: true, validated: false}})), 0)
    assert.equal(routeIndex(route({tls_context: {validated: true}}), req('h', '/', {tls: {presented: true, validated: false}})), -1)
  })
  test('dynamic_metadata: unknown unless given (assumed absent), evaluated when given', () => {
    const jwt: Json[] = [
      {match: {prefix: '/', dynamic_metadata: [{filter: 'envoy.filters.http.jwt_authn', path: [{key: 'payload'}, {key: 'group'}], value: {string_match: {exact: 'admin'}}}]}, route: {cluster: 'admin'}},
      {match: {prefix: '/'}, route: {cluster: 'users'}},
    ]
    const d = matchRoute(vh('v', ['*'], jwt), req('h', '/'))
    assert.equal(d.index, 1)
    assert.ok(d.assumptions.some((a) => /dynamic metadata/.test(a)))
    assert.equal(routeIndex(jwt, req('h', '/', {dynamicMetadata: {'envoy.filters.http.jwt_authn': {payload: {group: 'admin'}}}})), 0)
    assert.equal(routeIndex(jwt, req('h', '/', {dynamicMetadata: {'envoy.filters.http.jwt_authn': {payload: {group: 'dev'}}}})), 1)
  })
  test('an assumption is reported only when it decided something', () => {
    // the runtime fraction is assumed to match, but the header fails for certain: nothing was assumed in the end
    const routes = [{match: {prefix: '/', runtime_fraction: {default_value: {numerator: 5}}, headers: [{name: 'x-canary'}]}, route: {cluster: 'c'}}]
    const d = matchRoute(vh('v', ['*'], routes), req('h', '/'))
    assert.equal(d.matched, false)
    assert.deepEqual(d.assumptions, [])
    assert.match(d.candidates[0].why, /header x-canary present/)
  })
  test('filter_state is assumed absent', () => {
    const fs = [{match: {prefix: '/', filter_state: [{key: 'k', string_match: {exact: 'v'}}]}, route: {cluster: 'x'}}]
    const d = matchRoute(vh('v', ['*'], fs), req('h', '/'))
    assert.equal(d.matched, false)
    assert.ok(d.assumptions.some((a) => /filter state/.test(a)))
  })
})

describe('§8.1 cluster actions', () => {
  test('cluster', () => {
    const a = act({match: {prefix: '/'}, route: {cluster: 'outbound|9080||reviews.default.svc.cluster.local'}}, req('h'))
    assert.equal(a.kind, 'cluster')
    assert.equal(a.clusterName, 'outbound|9080||reviews.default.svc.cluster.local')
    assert.equal(a.outcome, undefined)
  })
  test('cluster_header: the first value; missing = empty name = 503 NC, not the next route (trap 17)', () => {
    const route = {match: {prefix: '/'}, route: {cluster_header: 'x-cluster'}}
    assert.equal(act(route, req('h', '/', {headers: [['x-cluster', 'a'], ['x-cluster', 'b']]})).clusterName, 'a')
    const missing = act(route, req('h'))
    assert.equal(missing.kind, 'cluster_header')
    assert.equal(missing.clusterName, '')
    assert.equal(missing.outcome?.status, 503)
    assert.equal(missing.outcome?.flag, 'NC')
    const notFound = act({match: {prefix: '/'}, route: {cluster_header: 'x-cluster', cluster_not_found_response_code: 'NOT_FOUND'}}, req('h'))
    assert.equal(notFound.outcome?.status, 404)
    // routeHttp does not fall through to the next route
    const config = rc([vh('v', ['*'], [route, {match: {prefix: '/'}, route: {cluster: 'fallback'}}])])
    assert.equal(routeHttp(config, req('h')).outcome?.flag, 'NC')
  })
  test('weighted clusters: value % total over [0,w1), [w1,w1+w2) in list order (trap 18)', () => {
    const route = {match: {prefix: '/'}, route: {weighted_clusters: {clusters: [{name: 'v1', weight: 30}, {name: 'v2', weight: 60}, {name: 'v3', weight: 10}]}}}
    const pick = (rv: number) => act(route, req('h', '/', {randomValue: rv})).clusterName
    assert.equal(pick(0), 'v1')
    assert.equal(pick(29), 'v1')
    assert.equal(pick(30), 'v2')
    assert.equal(pick(89), 'v2')
    assert.equal(pick(90), 'v3')
    assert.equal(pick(99), 'v3')
    assert.equal(pick(100), 'v1', 'wraps around the total')
    const a = act(route, req('h', '/', {randomValue: 30}))
    assert.deepEqual(
      a.weighted?.entries.map((e) => [e.name, e.percent, e.range, e.picked]),
      [
        ['v1', 30, [0, 30], false],
        ['v2', 60, [30, 90], true],
        ['v3', 10, [90, 100], false],
      ],
    )
    assert.equal(a.weighted?.pickedBy, 'randomValue')
  })
  test('weighted clusters: weights need not sum to 100; total_weight is legacy', () => {
    const route = {match: {prefix: '/'}, route: {weighted_clusters: {total_weight: 100, clusters: [{name: 'a', weight: 1}, {name: 'b', weight: 3}]}}}
    const a = act(route, req('h', '/', {randomValue: 1}))
    assert.equal(a.clusterName, 'b')
    assert.equal(a.weighted?.totalWeight, 4)
    assert.deepEqual(
      a.weighted?.entries.map((e) => e.percent),
      [25, 75],
    )
    assert.ok(a.assumptions.some((x) => /legacy total_weight/.test(x)))
    assert.equal(act(route, req('h', '/', {randomValue: 3})).clusterName, 'b')
    assert.equal(act(route, req('h', '/', {randomValue: 4})).clusterName, 'a')
  })
  test('weighted clusters: --pick, no pick, header_name', () => {
    const route = {match: {prefix: '/'}, route: {weighted_clusters: {header_name: 'x-w', clusters: [{name: 'a', weight: 50}, {name: 'b', weight: 50}]}}}
    assert.equal(act(route, req('h'), {pick: 1}).clusterName, 'b')
    assert.equal(act(route, req('h'), {pick: 1}).weighted?.pickedBy, 'pick')
    const none = act(route, req('h'))
    assert.equal(none.clusterName, '')
    assert.equal(none.weighted?.picked, -1)
    assert.ok(none.assumptions.some((x) => /picked per request/.test(x)))
    assert.equal(act(route, req('h', '/', {headers: [['x-w', '75']]})).clusterName, 'b')
    assert.equal(act(route, req('h', '/', {headers: [['x-w', '75']]})).weighted?.pickedBy, 'header')
  })
  test('a weighted entry may name its cluster through a header and rewrite the host', () => {
    const route = {match: {prefix: '/'}, route: {weighted_clusters: {clusters: [{cluster_header: 'x-c', weight: 1, host_rewrite_literal: 'up.internal'}]}}}
    const a = act(route, req('h', '/', {randomValue: 0, headers: [['x-c', 'dyn']]}))
    assert.equal(a.clusterName, 'dyn')
    assert.equal(a.effects.hostRewrite?.to, 'up.internal')
    assert.equal(act(route, req('h', '/', {randomValue: 0})).outcome?.flag, 'NC')
  })
  test('cluster_not_found_response_code is reported for every forwarding route', () => {
    assert.equal(act({match: {prefix: '/'}, route: {cluster: 'a', cluster_not_found_response_code: 'INTERNAL_SERVER_ERROR'}}, req('h')).effects.clusterNotFoundResponseCode, 500)
    assert.equal(act({match: {prefix: '/'}, route: {cluster: 'a'}}, req('h')).effects.clusterNotFoundResponseCode, 503)
  })
})

describe('§8.2 rewrites', () => {
  const rewrite = (match: JsonObject, action: JsonObject, path: string) => act({match, route: {cluster: 'c', ...action}}, req('h', path)).effects.pathRewrite?.to
  test('prefix_rewrite is literal surgery on the configured prefix (trap 14)', () => {
    assert.equal(rewrite({prefix: '/foo'}, {prefix_rewrite: '/'}, '/foo/bar'), '//bar')
    assert.equal(rewrite({prefix: '/foo/'}, {prefix_rewrite: '/'}, '/foo/bar'), '/bar')
    assert.equal(rewrite({prefix: '/foo'}, {prefix_rewrite: '/baz'}, '/foobar?x=1'), '/bazbar?x=1', 'the query is kept')
    assert.equal(rewrite({path: '/old'}, {prefix_rewrite: '/new'}, '/old?q'), '/new?q')
    assert.equal(rewrite({prefix: '/API', case_sensitive: false}, {prefix_rewrite: '/v2'}, '/api/x'), '/v2/x')
  })
  test('regex_rewrite replaces in the path and re-appends the query', () => {
    // Envoy's documented example
    assert.equal(
      rewrite({prefix: '/service'}, {regex_rewrite: {pattern: {regex: '^/service/([^/]+)(/.*)$'}, substitution: '\\2/instance/\\1'}}, '/service/foo/v1/api?x=1'),
      '/v1/api/instance/foo?x=1',
    )
    assert.equal(rewrite({prefix: '/'}, {regex_rewrite: {pattern: {regex: 'one'}, substitution: 'two'}}, '/xxx/one/yyy/one/zzz'), '/xxx/two/yyy/two/zzz')
    assert.equal(rewrite({prefix: '/'}, {regex_rewrite: {pattern: {regex: '^/foo$'}, substitution: '/bar'}}, '/foo?q=/foo'), '/bar?q=/foo')
  })
  test('RE2 global replace skips an empty match right after a match', () => {
    assert.equal(re2ReplaceAll('a*', 'baaac', 'X'), 'XbXcX')
    assert.equal(re2ReplaceAll('^/a', '/a/a', '/b'), '/b/a')
  })
  test('the rewritten request carries x-envoy-original-path', () => {
    const a = act({match: {prefix: '/foo'}, route: {cluster: 'c', prefix_rewrite: '/bar'}}, req('h', '/foo/x'))
    assert.deepEqual(
      a.requestHeaders.filter(([n]) => n === ':path' || n === 'x-envoy-original-path'),
      [
        [':path', '/bar/x'],
        ['x-envoy-original-path', '/foo/x'],
      ],
    )
  })
  test('host rewrites: literal, header, path regex, auto', () => {
    const h = (action: JsonObject, r: HttpRequest) => act({match: {prefix: '/'}, route: {cluster: 'c', ...action}}, r).effects.hostRewrite
    assert.deepEqual(h({host_rewrite_literal: 'new.host'}, req('old:80')), {from: 'old:80', to: 'new.host', how: 'host_rewrite_literal'})
    assert.equal(h({host_rewrite_header: 'x-host'}, req('old', '/', {headers: [['x-host', 'from.header']]}))?.to, 'from.header')
    assert.equal(h({host_rewrite_header: 'x-host'}, req('old')), undefined)
    assert.equal(h({host_rewrite_path_regex: {pattern: {regex: '^/(.+)/.+$'}, substitution: '\\1'}}, req('old', '/svc.ns/x?y'))?.to, 'svc.ns')
    assert.equal(h({auto_host_rewrite: true}, req('old'))?.to, undefined)
    const xfh = act({match: {prefix: '/'}, route: {cluster: 'c', host_rewrite_literal: 'n', append_x_forwarded_host: true}}, req('o'))
    assert.ok(xfh.requestHeaders.some(([n, v]) => n === 'x-forwarded-host' && v === 'o'))
  })
})

describe('§8.3 redirects', () => {
  const redirect = (r: JsonObject, request: HttpRequest, match: JsonObject = {prefix: '/'}) => act({match, redirect: r}, request)
  const url = (r: JsonObject, request: HttpRequest, match?: JsonObject) => redirect(r, request, match).redirect?.url
  test('https_redirect drops the default port of the old scheme', () => {
    assert.equal(url({https_redirect: true}, req('foo.com:80', '/x?y=1')), 'https://foo.com/x?y=1')
    assert.equal(url({https_redirect: true}, req('foo.com:8080', '/x')), 'https://foo.com:8080/x')
    assert.equal(url({https_redirect: true}, req('foo.com', '/x')), 'https://foo.com/x')
    assert.equal(url({scheme_redirect: 'http'}, req('foo.com:443', '/x', {scheme: 'https'})), 'http://foo.com/x')
    // same scheme: the port stays
    assert.equal(url({path_redirect: '/y'}, req('foo.com:80', '/x')), 'http://foo.com:80/y')
  })
  test('port_redirect replaces the port; host_redirect replaces the host', () => {
    assert.equal(url({port_redirect: 8443}, req('foo.com:80', '/x')), 'http://foo.com:8443/x')
    assert.equal(url({host_redirect: 'bar.com'}, req('foo.com:8080', '/x')), 'http://bar.com/x')
    assert.equal(url({host_redirect: 'bar.com', port_redirect: 9000}, req('foo.com', '/x')), 'http://bar.com:9000/x')
    assert.equal(url({https_redirect: true}, req('[::1]:80', '/x')), 'https://[::1]/x')
  })
  test('path_redirect: the request query is kept, unless path_redirect has one or strip_query', () => {
    assert.equal(url({path_redirect: '/new'}, req('h', '/old?x=1')), 'http://h/new?x=1')
    assert.equal(url({path_redirect: '/new', strip_query: true}, req('h', '/old?x=1')), 'http://h/new')
    assert.equal(url({path_redirect: '/new?a=b'}, req('h', '/old?x=1')), 'http://h/new?a=b')
    assert.equal(url({path_redirect: '/new?a=b', strip_query: true}, req('h', '/old?x=1')), 'http://h/new?a=b', 'a ? in path_redirect is never stripped')
    assert.equal(url({strip_query: true}, req('h', '/old?x=1')), 'http://h/old')
    assert.equal(url({path_redirect: 'relative'}, req('h', '/old')), 'http://h/relative', 'a leading / is added')
  })
  test('prefix_rewrite and regex_rewrite of a redirect', () => {
    assert.equal(url({prefix_rewrite: '/v2/'}, req('h', '/v1/x?q'), {prefix: '/v1/'}), 'http://h/v2/x?q')
    assert.equal(url({regex_rewrite: {pattern: {regex: '^/old/(.*)$'}, substitution: '/new/\\1'}}, req('h', '/old/a?q=1')), 'http://h/new/a?q=1')
  })
  test('response codes: 301 by default, the enum names otherwise; no response flag', () => {
    const r = redirect({path_redirect: '/n'}, req('h', '/'))
    assert.deepEqual(r.outcome, {status: 301, details: 'direct_response', location: 'http://h/n'})
    assert.equal(redirect({path_redirect: '/n', response_code: 'FOUND'}, req('h')).redirect?.code, 302)
    assert.equal(redirect({path_redirect: '/n', response_code: 'SEE_OTHER'}, req('h')).redirect?.code, 303)
    assert.equal(redirect({path_redirect: '/n', response_code: 'TEMPORARY_REDIRECT'}, req('h')).redirect?.code, 307)
    assert.equal(redirect({path_redirect: '/n', response_code: 'PERMANENT_REDIRECT'}, req('h')).redirect?.code, 308)
    assert.equal(r.kind, 'redirect')
    assert.equal(r.clusterName, '')
  })
})

describe('§8.4–8.5 direct responses and route effects', () => {
  test('direct response: status and body, no flag', () => {
    const d = act({match: {prefix: '/'}, direct_response: {status: 503, body: {inline_string: 'down'}}}, req('h'))
    assert.equal(d.kind, 'direct_response')
    assert.deepEqual(d.outcome, {status: 503, details: 'direct_response', body: 'down'})
    assert.equal(act({match: {prefix: '/'}, direct_response: {status: 200, body: {inline_bytes: Buffer.from('hi').toString('base64')}}}, req('h')).directResponse?.body, 'hi')
    // Istio block_all: 502 without a body
    assert.deepEqual(act({match: {prefix: '/'}, direct_response: {status: 502}}, req('h')).outcome, {status: 502, details: 'direct_response'})
    // a 3xx direct response carries a Location: the request URL
    assert.equal(act({match: {prefix: '/'}, direct_response: {status: 301}}, req('h', '/p')).outcome?.location, 'http://h/p')
  })
  test('timeout: absent = Envoy default 15s; 0s = disabled', () => {
    assert.deepEqual(act({match: {prefix: '/'}, route: {cluster: 'c'}}, req('h')).effects.timeout, {value: '15s', ms: 15000, source: 'envoyDefault', disabled: false})
    assert.deepEqual(act({match: {prefix: '/'}, route: {cluster: 'c', timeout: '0s'}}, req('h')).effects.timeout, {value: '0s', ms: 0, source: 'route', disabled: true})
    assert.equal(act({match: {prefix: '/'}, route: {cluster: 'c', timeout: '2.500s'}}, req('h')).effects.timeout?.value, '2.5s')
  })
  test('gRPC with max_grpc_timeout: the grpc-timeout header decides, capped by a non-zero max', () => {
    const grpc = (max: string, t?: string) =>
      act({match: {prefix: '/'}, route: {cluster: 'c', timeout: '0s', max_grpc_timeout: max}}, req('h', '/s/M', {method: 'POST', headers: [['content-type', 'application/grpc'], ...(t ? [['grpc-timeout', t] as [string, string]] : [])]})).effects.timeout
    assert.deepEqual(grpc('0s', '250m'), {value: '250ms', ms: 250, source: 'grpcTimeout', disabled: false})
    assert.deepEqual(grpc('0s'), {value: '0s', ms: 0, source: 'grpcTimeout', disabled: true})
    assert.equal(grpc('1s', '5S')?.ms, 1000)
    assert.equal(grpc('10s')?.ms, 10000)
    // not gRPC: the route timeout
    assert.equal(act({match: {prefix: '/'}, route: {cluster: 'c', timeout: '3s', max_grpc_timeout: '0s'}}, req('h')).effects.timeout?.ms, 3000)
  })
  test('retry policy: the route replaces the virtual host’s', () => {
    const vhost = vh('v', ['*'], [], {retry_policy: {retry_on: '5xx', num_retries: 5}})
    const withOwn = {match: {prefix: '/'}, route: {cluster: 'c', retry_policy: {retry_on: 'connect-failure', per_try_timeout: '1s'}}}
    const a = act(withOwn, req('h'), {}, vhost)
    assert.deepEqual(a.effects.retryPolicy, {source: 'route', retryOn: 'connect-failure', numRetries: 1, perTryTimeout: '1s', retriableStatusCodes: []})
    const b = act({match: {prefix: '/'}, route: {cluster: 'c'}}, req('h'), {}, vhost)
    assert.equal(b.effects.retryPolicy?.source, 'virtualHost')
    assert.equal(b.effects.retryPolicy?.numRetries, 5)
  })
  test('mirrors: route > virtual host > route configuration', () => {
    const vhost = vh('v', ['*'], [], {request_mirror_policies: [{cluster: 'vh-mirror'}]})
    const config = rc([vhost], {request_mirror_policies: [{cluster: 'rc-mirror'}]})
    const own = {match: {prefix: '/'}, route: {cluster: 'c', request_mirror_policies: [{cluster: 'shadow', runtime_fraction: {default_value: {numerator: 10}}}]}}
    assert.deepEqual(act(own, req('h'), {}, vhost, config).effects.mirrors, [{cluster: 'shadow', percent: 10, source: 'route'}])
    assert.deepEqual(act({match: {prefix: '/'}, route: {cluster: 'c'}}, req('h'), {}, vhost, config).effects.mirrors, [{cluster: 'vh-mirror', percent: 100, source: 'virtualHost'}])
    assert.deepEqual(act({match: {prefix: '/'}, route: {cluster: 'c'}}, req('h'), {}, vh('v', ['*']), config).effects.mirrors, [{cluster: 'rc-mirror', percent: 100, source: 'routeConfig'}])
  })
  test('fault injection from typed_per_filter_config, as probabilities', () => {
    const route = {
      match: {prefix: '/'},
      route: {cluster: 'c'},
      typed_per_filter_config: {
        'envoy.filters.http.fault': {
          '@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault',
          abort: {http_status: 503, percentage: {numerator: 50}},
          delay: {fixed_delay: '5s', percentage: {numerator: 100000, denominator: 'MILLION'}},
        },
      },
    }
    const a = act(route, req('h'))
    assert.deepEqual(a.effects.fault, {source: 'route', applies: true, abort: {percent: 50, httpStatus: 503}, delay: {percent: 10, fixed: '5s'}})
    assert.ok(a.assumptions.some((x) => /aborts 50%/.test(x)))
    assert.ok(a.assumptions.some((x) => /delays 10%/.test(x)))
  })
  test('a fault with conditions applies only to matching requests', () => {
    const fault = (cond: JsonObject): JsonObject => ({
      match: {prefix: '/'},
      route: {cluster: 'c'},
      typed_per_filter_config: {'envoy.filters.http.fault': {config: {abort: {http_status: 500, percentage: {numerator: 100}}, ...cond}}},
    })
    const h = act(fault({headers: [{name: 'x-chaos', string_match: {exact: 'on'}}]}), req('h'))
    assert.equal(h.effects.fault?.applies, false)
    assert.match(h.effects.fault?.notApplying ?? '', /x-chaos exact "on"/)
    assert.equal(h.assumptions.length, 0)
    assert.equal(act(fault({headers: [{name: 'x-chaos', string_match: {exact: 'on'}}]}), req('h', '/', {headers: [['x-chaos', 'on']]})).effects.fault?.applies, true)
    assert.equal(act(fault({upstream_cluster: 'other'}), req('h')).effects.fault?.applies, false)
    assert.equal(act(fault({upstream_cluster: 'c'}), req('h')).effects.fault?.applies, true)
  })
  test('Istio provenance from the route metadata', () => {
    const route = {
      name: 'reviews-v2.default',
      match: {prefix: '/'},
      route: {cluster: 'c'},
      metadata: {filter_metadata: {istio: {config: '/apis/networking.istio.io/v1/namespaces/default/virtual-service/reviews'}}},
    }
    assert.deepEqual(act(route, req('h')).effects.istio, {
      config: '/apis/networking.istio.io/v1/namespaces/default/virtual-service/reviews',
      kind: 'virtual-service',
      namespace: 'default',
      name: 'reviews',
      routeName: 'reviews-v2.default',
    })
  })
  test('header mutations: route, virtual host, route configuration; the later wins unless most_specific_header_mutations_wins', () => {
    const route = {match: {prefix: '/'}, route: {cluster: 'c'}, request_headers_to_add: [{header: {key: 'x-level', value: 'route'}, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD'}]}
    const vhost = vh('v', ['*'], [route], {request_headers_to_add: [{header: {key: 'x-level', value: 'vhost'}, append: false}], request_headers_to_remove: ['x-drop']})
    const config = rc([vhost], {request_headers_to_add: [{header: {key: 'x-level', value: 'config'}, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD'}]})
    const level = (cfg: JsonObject) => act(route, req('h', '/', {headers: [['x-drop', '1']]}), {}, vhost, cfg).requestHeaders.filter(([n]) => n === 'x-level' || n === 'x-drop')
    assert.deepEqual(level(config), [['x-level', 'config']])
    assert.deepEqual(level({...config, most_specific_header_mutations_wins: true}), [['x-level', 'route']])
    const appended = applyHeaderMutations([['x-a', '1']], [{source: 'route', action: 'append', name: 'x-a', value: '2'}])
    assert.deepEqual(appended, [
      ['x-a', '1'],
      ['x-a', '2'],
    ])
    assert.deepEqual(applyHeaderMutations([['x-a', '1']], [{source: 'route', action: 'addIfAbsent', name: 'x-a', value: '2'}]), [['x-a', '1']])
    assert.deepEqual(applyHeaderMutations([], [{source: 'route', action: 'overwriteIfExists', name: 'x-a', value: '2'}]), [])
  })
  test('virtual clusters: first match, else other', () => {
    const vhost = vh('v', ['*'], [], {virtual_clusters: [{name: 'posts', headers: [{name: ':method', string_match: {exact: 'POST'}}]}]})
    assert.equal(virtualClusterName(vhost, [[':method', 'POST']]), 'posts')
    assert.equal(virtualClusterName(vhost, [[':method', 'GET']]), 'other')
    assert.equal(virtualClusterName(vh('v', ['*']), [[':method', 'GET']]), '')
  })
  test('non-forwarding, filter and unknown actions', () => {
    assert.equal(act({match: {prefix: '/'}, non_forwarding_action: {}}, req('h')).kind, 'non_forwarding')
    assert.equal(act({match: {prefix: '/'}, filter_action: {}}, req('h')).kind, 'filter_action')
    assert.equal(act({match: {prefix: '/'}, route: {cluster_specifier_plugin: 'p'}}, req('h')).kind, 'unknown')
  })
})

describe('decisions are plain data', () => {
  test('JSON round trip keeps everything', () => {
    const config = rc([vh('v', ['a.com'], [{match: {prefix: '/', headers: [{name: 'x', present_match: true}]}, route: {cluster: 'c'}}, {match: {prefix: '/'}, route: {weighted_clusters: {clusters: [{name: 'a', weight: 1}]}}}])])
    const d = routeHttp(config, req('a.com', '/', {randomValue: 0}))
    assert.deepEqual(JSON.parse(JSON.stringify(d)), d)
    assert.equal(d.route?.index, 1)
  })
})

describe('the engine over every route configuration of the real dumps', () => {
  const dir = join(SHARED, 'conformance/real-dumps')
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'))
  assert.ok(files.length >= 5)
  let configs = 0
  for (const f of files) {
    test(f, () => {
      const doc = parseAdminDocument(readFileSync(join(dir, f)), f)
      if (doc.kind !== 'config_dump') return
      for (const section of doc.sections('routes')) {
        for (const field of ['dynamic_route_configs', 'static_route_configs']) {
          for (const entry of getArray(section, field)) {
            const config = getObject(entry, 'route_config')
            if (!config) continue
            configs++
            for (const v of getArray(config, 'virtual_hosts')) {
              const domain = String(getArray(v, 'domains')[0] ?? '')
              for (const r of [req(domain.replace('*', 'x'), '/'), req(domain.replace('*', 'x'), '/', {randomValue: 7}), req(domain.replace('*', 'x'), '/productpage?u=1', {scheme: 'https'})]) {
                const d = routeHttp(config, r)
                assert.ok(d.virtualHost, `${getString(config, 'name')} ${domain}`)
                assert.ok(d.outcome !== undefined || d.action !== undefined || d.route !== undefined)
                if (d.virtualHost.matched && !d.virtualHost.outcome) assert.ok(d.route)
                assert.doesNotThrow(() => JSON.stringify(d))
              }
            }
          }
        }
      }
    })
  }
  test('found route configurations to run', () => assert.ok(configs > 10, String(configs)))
})

describe('§5.3 the HTTP connection manager before routing', () => {
  const prep = (hcm: JsonObject, path: string, authority = 'h', localPort?: number) => prepareRequest(hcm, req(authority, path), {localPort})
  test('the path must start with /', () => {
    assert.deepEqual(prep({}, 'http://h/x').outcome, {status: 404, details: 'absolute_path'})
    assert.equal(prep({}, '/x').outcome, undefined)
  })
  test('normalize_path: dot segments (also percent-encoded) and backslashes; the query is untouched', () => {
    const n = (p: string) => prep({normalize_path: true}, p).request.path
    assert.equal(n('/a/./b/../c'), '/a/c')
    assert.equal(n('/a/%2e%2E/b'), '/b')
    assert.equal(n('/../../x'), '/x')
    assert.equal(n('/a/b/..'), '/a/')
    assert.equal(n('/a\\b'), '/a/b')
    assert.equal(n('/a/../b?x=/../y'), '/b?x=/../y')
    assert.equal(prep({}, '/a/../b').request.path, '/a/../b', 'off unless set')
  })
  test('merge_slashes runs after normalisation', () => {
    assert.equal(prep({merge_slashes: true}, '//a///b?c=//d').request.path, '/a/b?c=//d')
    assert.equal(prep({normalize_path: true, merge_slashes: true}, '/a//../b').request.path, '/a/b')
  })
  test('escaped slashes: keep by default, reject (400), redirect (307) or forward', () => {
    assert.equal(prep({}, '/a%2Fb').request.path, '/a%2Fb')
    assert.deepEqual(prep({path_with_escaped_slashes_action: 'REJECT_REQUEST'}, '/a%2fb').outcome, {status: 400, details: 'path_normalization_failed'})
    assert.deepEqual(prep({path_with_escaped_slashes_action: 'UNESCAPE_AND_REDIRECT', merge_slashes: true}, '/a%2F%2Fb').outcome, {status: 307, details: 'path_normalization_failed', location: '/a/b'})
    assert.equal(prep({path_with_escaped_slashes_action: 'UNESCAPE_AND_FORWARD'}, '/a%5Cb?q=%2F').request.path, '/a\\b?q=%2F')
  })
  test('Host: trailing dot, any port, matching port', () => {
    assert.equal(prep({strip_trailing_host_dot: true}, '/', 'foo.com.:80').request.authority, 'foo.com:80')
    assert.equal(prep({strip_any_host_port: true}, '/', 'foo.com:8080').request.authority, 'foo.com')
    assert.equal(prep({strip_any_host_port: true}, '/', '[::1]:80').request.authority, '[::1]')
    assert.equal(prep({strip_matching_host_port: true}, '/', 'foo:80', 80).request.authority, 'foo')
    assert.equal(prep({strip_matching_host_port: true}, '/', 'foo:8080', 80).request.authority, 'foo:8080')
  })
  test('the steps say what changed', () => {
    assert.deepEqual(prep({normalize_path: true, merge_slashes: true}, '/a/./b//c#frag').steps, ['fragment #frag dropped', 'normalize_path: /a/./b//c → /a/b//c', 'merge_slashes: /a/b//c → /a/b/c'])
  })
})

describe('property: the domain index agrees with a plain reading of Envoy’s rules', () => {
  /** §6 read literally, scanning every domain: exact, longest suffix wildcard, longest prefix wildcard, `*`. */
  function reference(domains: string[][], host: string): number {
    const h = host.toLowerCase()
    const all = domains.flatMap((ds, i) => ds.map((d) => ({d: d.toLowerCase(), i})))
    const exact = all.find((x) => x.d !== '*' && !x.d.startsWith('*') && !x.d.endsWith('*') && x.d === h)
    if (exact) return exact.i
    const best = (cands: Array<{key: string; i: number}>) => {
      let pick: {key: string; i: number} | undefined
      for (const c of cands) if (!pick || c.key.length > pick.key.length) pick = c
      return pick?.i
    }
    const suffix = best(all.filter((x) => x.d.length > 1 && x.d.startsWith('*')).map((x) => ({key: x.d.slice(1), i: x.i})).filter((x) => h.length > x.key.length && h.endsWith(x.key)))
    if (suffix !== undefined) return suffix
    const prefix = best(
      all
        .filter((x) => x.d.length > 1 && !x.d.startsWith('*') && x.d.endsWith('*'))
        .map((x) => ({key: x.d.slice(0, -1), i: x.i}))
        .filter((x) => h.length > x.key.length && h.startsWith(x.key)),
    )
    if (prefix !== undefined) return prefix
    return all.find((x) => x.d === '*')?.i ?? -1
  }
  test('random domains and hosts', () => {
    const label = fc.constantFrom('a', 'b', 'ab', 'A', 'x.a', 'b.ab', '')
    const domain = fc.oneof(
      label.filter((s) => s !== ''),
      label.map((s) => `*${s}`),
      label.map((s) => `${s}*`),
      fc.constant('*'),
    )
    const hostArb = fc.array(fc.constantFrom('a', 'b', '.', 'A'), {minLength: 1, maxLength: 6}).map((cs) => cs.join(''))
    fc.assert(
      fc.property(fc.array(fc.uniqueArray(domain, {maxLength: 3}), {minLength: 1, maxLength: 6}), hostArb, (domains, host) => {
        // Envoy rejects a config listing a domain twice: keep only the first listing, as both sides must agree on that
        const seen = new Set<string>()
        const unique = domains.map((ds) =>
          ds.filter((d) => {
            const k = d.toLowerCase()
            if (seen.has(k)) return false
            seen.add(k)
            return true
          }),
        )
        const config = rc(unique.map((ds, i) => vh(`v${i}`, ds)))
        assert.equal(selectVirtualHost(config, req(host)).index, reference(unique, host))
      }),
      {numRuns: 2000},
    )
  })
  test('a weighted pick always lands in the entry whose range holds value % total', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({min: 1, max: 50}), {minLength: 1, maxLength: 5}), fc.nat(), (weights, rv) => {
        const route = {match: {prefix: '/'}, route: {weighted_clusters: {clusters: weights.map((w, i) => ({name: `c${i}`, weight: w}))}}}
        const a = act(route, req('h', '/', {randomValue: rv}))
        const total = weights.reduce((x, y) => x + y, 0)
        const ends = weights.map((_w, i) => weights.slice(0, i + 1).reduce((x, y) => x + y, 0))
        const expected = ends.findIndex((end) => rv % total < end)
        assert.equal(a.weighted?.picked, expected)
        assert.equal(a.clusterName, `c${expected}`)
      }),
      {numRuns: 500},
    )
  })
})
