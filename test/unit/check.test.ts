/** check's findings, one family at a time, each on small hand-made dumps: one case that finds it, one that must not. */
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, test} from 'node:test'
import {checkGraph, checkSync, DEFAULT_CERT_WARN_MS, failsAt, type Finding, findingsMarkdown, summaryLine, withoutIgnored} from '../../src/check/index.js'
import {covers} from '../../src/check/routes.js'
import {skewProblem} from '../../src/check/sync.js'
import type {ProxySync} from '../../src/istiod/model.js'
import {gatewayCertChainPem, rootCertPem, workloadCertChainPem} from '../../src/gen/certs.js'
import {type DumpParts, edsCluster, graphOf, hcmChain, listener, route, routeConfig, tcpChain} from '../helpers/dumps.js'

const AT = new Date('2025-06-02T09:14:07Z')
const run = (p: DumpParts | object, opts: {at?: Date; clusters?: object; certWarnMs?: number} = {}): Finding[] =>
  checkGraph(graphOf(p, opts.clusters), {proxy: 'p.default', time: {at: opts.at ?? AT, source: 'flag'}, certWarnMs: opts.certWarnMs ?? DEFAULT_CERT_WARN_MS})
const codes = (fs: Finding[]): string[] => fs.map((f) => f.code)
const has = (fs: Finding[], code: string): Finding | undefined => fs.find((f) => f.code === code)

const REVIEWS = 'outbound|9080||reviews.default.svc.cluster.local'
const V4 = 'outbound|9080|v4|reviews.default.svc.cluster.local'
const http9080 = (routes: object[]): DumpParts => ({
  listeners: [listener('0.0.0.0_9080', 9080, [hcmChain('9080')])],
  routes: [routeConfig('9080', [{name: 'reviews.default.svc.cluster.local:9080', domains: ['reviews'], routes}])],
  clusters: [edsCluster(REVIEWS)],
  endpoints: {[REVIEWS]: [{address: '10.0.0.5'}]},
})

describe('references', () => {
  test('ROUTE_CLUSTER_MISSING: a route to a subset cluster the proxy lacks, with the DestinationRule hint', () => {
    const fs = run(http9080([route({prefix: '/'}, V4)]))
    const f = has(fs, 'ROUTE_CLUSTER_MISSING')
    assert.ok(f, codes(fs).join())
    assert.equal(f.severity, 'error')
    assert.match(f.message, /503 NC/)
    assert.match(f.hint!, /a DestinationRule subset is missing: no subset "v4"/)
    assert.equal(f.resource.type, 'route')
  })
  test('ROUTE_CLUSTER_MISSING: weighted clusters count too; every cluster present gives nothing', () => {
    const weighted = {match: {prefix: '/'}, route: {weighted_clusters: {clusters: [{name: REVIEWS, weight: 50}, {name: 'outbound|9080||gone.default.svc.cluster.local', weight: 50}]}}}
    const fs = run(http9080([weighted]))
    assert.match(has(fs, 'ROUTE_CLUSTER_MISSING')!.message, /\(weighted\).*gone\.default/)
    assert.match(has(fs, 'ROUTE_CLUSTER_MISSING')!.hint!, /no Service or ServiceEntry gone\.default/)
    assert.equal(has(run(http9080([route({prefix: '/'}, REVIEWS)])), 'ROUTE_CLUSTER_MISSING'), undefined)
  })
  test('ROUTE_CLUSTER_WARMING: a route to a cluster that is only warming', () => {
    const p = http9080([route({prefix: '/'}, V4)])
    p.warmingClusters = [edsCluster(V4)]
    const fs = run(p)
    assert.ok(has(fs, 'ROUTE_CLUSTER_WARMING'))
    assert.equal(has(fs, 'ROUTE_CLUSTER_MISSING'), undefined)
  })
  test('MIRROR_CLUSTER_MISSING: a warning, not an error; a mirror to an existing cluster gives nothing', () => {
    const mirrored = (c: string) => ({match: {prefix: '/'}, route: {cluster: REVIEWS, request_mirror_policies: [{cluster: c}]}})
    const fs = run(http9080([mirrored('outbound|9080||shadow.default.svc.cluster.local')]))
    assert.equal(has(fs, 'MIRROR_CLUSTER_MISSING')?.severity, 'warning')
    assert.equal(has(fs, 'ROUTE_CLUSTER_MISSING'), undefined)
    assert.equal(has(run(http9080([mirrored(REVIEWS)])), 'MIRROR_CLUSTER_MISSING'), undefined)
  })
  test('TCP_CLUSTER_MISSING: tcp_proxy to a missing cluster; present gives nothing', () => {
    const p = (c: string): DumpParts => ({listeners: [listener('10.96.0.5_3306', 3306, [tcpChain(c)])], clusters: [edsCluster('outbound|3306||db')], endpoints: {'outbound|3306||db': [{address: '10.0.0.9'}]}})
    assert.ok(has(run(p('outbound|3306||gone')), 'TCP_CLUSTER_MISSING'))
    assert.equal(has(run(p('outbound|3306||db')), 'TCP_CLUSTER_MISSING'), undefined)
  })
  test('RDS_MISSING: a connection manager naming a route configuration the dump lacks', () => {
    const p = http9080([route({prefix: '/'}, REVIEWS)])
    assert.equal(has(run(p), 'RDS_MISSING'), undefined)
    p.routes = []
    const f = has(run(p), 'RDS_MISSING')
    assert.match(f!.message, /"9080".*404 NR/)
  })
  test('SRDS_MISSING: scoped routes with no scopes in the dump', () => {
    const scoped = {filters: [{name: 'envoy.filters.network.http_connection_manager', typed_config: {'@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', scoped_routes: {name: 'scopes', scoped_rds: {}}}}]}
    const fs = run({listeners: [listener('0.0.0.0_80', 80, [scoped])]})
    assert.ok(has(fs, 'SRDS_MISSING'), codes(fs).join())
    const inline = {filters: [{name: 'envoy.filters.network.http_connection_manager', typed_config: {'@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', scoped_routes: {name: 's', scoped_route_configurations_list: {scoped_route_configurations: [{name: 'a'}]}}}}]}
    assert.equal(has(run({listeners: [listener('0.0.0.0_80', 80, [inline])]}), 'SRDS_MISSING'), undefined)
  })
  const tlsCluster = (secret: string) =>
    edsCluster(REVIEWS, {transport_socket: {name: 'tls', typed_config: {'@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext', common_tls_context: {tls_certificate_sds_secret_configs: [{name: secret}]}}}})
  test('SECRET_MISSING: a cluster asks SDS for a secret the dump lacks; an uninitialized warming one counts as missing', () => {
    assert.match(has(run({clusters: [tlsCluster('kubernetes://bookinfo-credential')]}), 'SECRET_MISSING')!.hint!, /Kubernetes Secret bookinfo-credential/)
    const fs = run({clusters: [tlsCluster('kubernetes://x')], warmingSecrets: [{name: 'kubernetes://x', version_info: 'uninitialized', secret: {name: 'kubernetes://x'}}]})
    assert.match(has(fs, 'SECRET_MISSING')!.message, /never sent/)
    assert.equal(has(run({clusters: [tlsCluster('default')], secrets: [{name: 'default', secret: {name: 'default'}}]}), 'SECRET_MISSING'), undefined)
  })
  test('SECRET_WARMING_REF: a secret that is warming with content on its way (a version) is not called missing', () => {
    const fs = run({clusters: [tlsCluster('default')], warmingSecrets: [{name: 'default', version_info: '2025-06-02T09:14:07Z/3', secret: {name: 'default', tls_certificate: {}}}]})
    assert.ok(has(fs, 'SECRET_WARMING_REF'))
    assert.equal(has(fs, 'SECRET_MISSING'), undefined)
  })
})

describe('endpoints', () => {
  const one = (hosts: Array<{address: string; health?: string; priority?: number}> | undefined, used = true): DumpParts => ({
    ...(used ? {listeners: [listener('x', 1, [tcpChain(REVIEWS)])]} : {}),
    clusters: [edsCluster(REVIEWS)],
    endpoints: hosts === undefined ? undefined : {[REVIEWS]: hosts},
  })
  test('ENDPOINTS_NONE: a used EDS cluster with no hosts (503 UH); hosts present give nothing', () => {
    assert.match(has(run(one([])), 'ENDPOINTS_NONE')!.message, /no endpoints at all: 503 UH/)
    assert.equal(has(run(one([{address: '10.0.0.1'}])), 'ENDPOINTS_NONE'), undefined)
  })
  test('ENDPOINTS_NONE_UNUSED: the same cluster unused is information only', () => {
    const fs = run(one([], false))
    assert.equal(has(fs, 'ENDPOINTS_NONE_UNUSED')?.severity, 'info')
    assert.equal(has(fs, 'ENDPOINTS_NONE'), undefined)
  })
  test("STATIC BlackHoleCluster without endpoints is by design; another empty STATIC cluster is not", () => {
    const black = {name: 'BlackHoleCluster', type: 'STATIC', load_assignment: {cluster_name: 'BlackHoleCluster'}}
    assert.deepEqual(codes(run({listeners: [listener('v', 15001, [tcpChain('BlackHoleCluster')])], clusters: [black], endpoints: {}})).filter((c) => c.startsWith('ENDPOINTS')), [])
    const empty = {name: 'local', type: 'STATIC', load_assignment: {cluster_name: 'local'}}
    assert.ok(has(run({listeners: [listener('v', 1, [tcpChain('local')])], clusters: [empty], endpoints: {}}), 'ENDPOINTS_NONE'))
  })
  test("ENDPOINTS_NONE_HEALTHY: all hosts unhealthy, worded for panic mode (not UH); one healthy host gives nothing", () => {
    const f = has(run(one([{address: 'a', health: 'UNHEALTHY'}, {address: 'b', health: 'TIMEOUT'}])), 'ENDPOINTS_NONE_HEALTHY')
    assert.match(f!.message, /panic mode sends traffic to unhealthy hosts/)
    assert.doesNotMatch(f!.message, /UH/)
    assert.equal(has(run(one([{address: 'a', health: 'UNHEALTHY'}, {address: 'b', health: 'HEALTHY'}])), 'ENDPOINTS_NONE_HEALTHY'), undefined)
    assert.equal(has(run(one([{address: 'a', health: 'DEGRADED'}])), 'ENDPOINTS_NONE_HEALTHY'), undefined, 'degraded hosts are used')
  })
  test('ENDPOINTS_ALL_EJECTED: every host failed_outlier_check in /clusters', () => {
    const status = (flags: object[]) => ({
      cluster_statuses: [{name: REVIEWS, host_statuses: flags.map((hs, i) => ({address: {socket_address: {address: `10.0.0.${i}`, port_value: 9080}}, health_status: {eds_health_status: 'HEALTHY', ...hs}}))}],
    })
    const p = one([{address: '10.0.0.0'}, {address: '10.0.0.1'}])
    assert.ok(has(run(p, {clusters: status([{failed_outlier_check: true}, {failed_outlier_check: true}])}), 'ENDPOINTS_ALL_EJECTED'))
    assert.equal(has(run(p, {clusters: status([{failed_outlier_check: true}, {}])}), 'ENDPOINTS_ALL_EJECTED'), undefined)
  })
  test('ENDPOINTS_FAILOVER_ONLY: healthy hosts only in priority 1', () => {
    assert.match(has(run(one([{address: 'a', health: 'UNHEALTHY'}, {address: 'b', priority: 1}])), 'ENDPOINTS_FAILOVER_ONLY')!.message, /priority 0.*priority 1/)
    assert.equal(has(run(one([{address: 'a'}, {address: 'b', priority: 1}])), 'ENDPOINTS_FAILOVER_ONLY'), undefined)
    // no healthy host anywhere: the degraded ones decide where traffic goes
    assert.match(has(run(one([{address: 'a', health: 'UNHEALTHY'}, {address: 'b', health: 'DEGRADED', priority: 2}])), 'ENDPOINTS_FAILOVER_ONLY')!.message, /priority 0.*priority 2/)
    assert.equal(has(run(one([{address: 'a', health: 'DEGRADED'}, {address: 'b', health: 'DEGRADED', priority: 1}])), 'ENDPOINTS_FAILOVER_ONLY'), undefined)
    // a healthy host in a lower priority than the degraded ones: traffic goes there
    assert.match(has(run(one([{address: 'a', health: 'DEGRADED'}, {address: 'b', priority: 1}])), 'ENDPOINTS_FAILOVER_ONLY')!.message, /priority 0.*priority 1/)
  })
  test('ENDPOINTS_UNKNOWN: no EndpointsConfigDump means unknown, never empty', () => {
    const fs = run(one(undefined))
    assert.ok(has(fs, 'ENDPOINTS_UNKNOWN'))
    assert.equal(has(fs, 'ENDPOINTS_NONE'), undefined)
    assert.equal(has(run(one([{address: 'a'}])), 'ENDPOINTS_UNKNOWN'), undefined)
  })
})

describe('state', () => {
  test('LISTENER_WARMING with its age from last_updated to the check time; an active listener gives nothing', () => {
    const fs = run({dynamicListeners: [{name: 'w', warming_state: {listener: listener('w', 80, []), last_updated: '2025-06-02T09:09:07Z'}}]})
    assert.match(has(fs, 'LISTENER_WARMING')!.message, /warming for 5m \(since 2025-06-02T09:09:07Z\)/)
    assert.equal(has(run({listeners: [listener('w', 80, [])]}), 'LISTENER_WARMING'), undefined)
  })
  test('CLUSTER_WARMING and SECRET_WARMING', () => {
    const fs = run({warmingClusters: [edsCluster('c')], warmingSecrets: [{name: 's', last_updated: '2025-06-02T08:14:07Z', secret: {name: 's'}}]})
    assert.ok(has(fs, 'CLUSTER_WARMING'))
    assert.match(has(fs, 'SECRET_WARMING')!.message, /for 60m/)
    const none = run({clusters: [edsCluster('c')], secrets: [{name: 's', secret: {name: 's'}}], endpoints: {c: [{address: 'a'}]}})
    assert.equal(has(none, 'CLUSTER_WARMING') ?? has(none, 'SECRET_WARMING'), undefined)
  })
  test('CONFIG_REJECTED: a listener only in error_state, with details and the attempt time', () => {
    const rejected = {name: 'virtualInbound', error_state: {failed_configuration: listener('virtualInbound', 15006, []), last_update_attempt: '2025-06-02T09:00:00Z', details: 'Proto constraint validation failed\n(Lua)'}}
    const f = has(run({dynamicListeners: [rejected]}), 'CONFIG_REJECTED')
    assert.match(f!.message, /rejected its last update \(at 2025-06-02T09:00:00Z\): Proto constraint validation failed \(Lua\)/)
    assert.match(f!.hint!, /no copy of this listener was accepted/)
    assert.equal(has(run({listeners: [listener('virtualInbound', 15006, [])]}), 'CONFIG_REJECTED'), undefined)
  })
  test('CONFIG_REJECTED on a cluster entry', () => {
    const dump = graphOf({}) && {
      configs: [{'@type': 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump', dynamic_active_clusters: [{cluster: {name: 'c', type: 'STRICT_DNS'}, error_state: {details: 'bad lb policy'}}]}],
    }
    assert.match(has(run(dump), 'CONFIG_REJECTED')!.message, /bad lb policy/)
  })
})

describe('certificates', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64')
  const secrets = (leafValidity: {notBefore: string; notAfter: string}, chain?: string) => [
    {name: 'default', secret: {name: 'default', tls_certificate: {certificate_chain: {inline_bytes: b64(chain ?? workloadCertChainPem('cluster.local', 'default', 'bookinfo', leafValidity))}}}},
    {name: 'ROOTCA', secret: {name: 'ROOTCA', validation_context: {trusted_ca: {inline_bytes: b64(rootCertPem('cluster.local'))}}}},
  ]
  const valid = {notBefore: '2025-06-02T00:00:00Z', notAfter: '2025-06-03T00:00:00Z'}
  test('a valid workload chain from the trusted root gives nothing', () => {
    assert.deepEqual(codes(run({secrets: secrets(valid)})), [])
  })
  test('CERT_EXPIRED, with the time the check used', () => {
    const f = has(run({secrets: secrets(valid)}, {at: new Date('2025-06-04T00:00:00Z')}), 'CERT_EXPIRED')
    assert.match(f!.message, /spiffe:\/\/cluster\.local\/ns\/default\/sa\/bookinfo expired 24h ago/)
  })
  test('CERT_NOT_YET_VALID', () => {
    assert.ok(has(run({secrets: secrets(valid)}, {at: new Date('2025-06-01T00:00:00Z')}), 'CERT_NOT_YET_VALID'))
  })
  test('CERT_EXPIRING within --cert-warn, not outside it', () => {
    const at = new Date('2025-06-02T20:00:00Z')
    assert.match(has(run({secrets: secrets(valid)}, {at}), 'CERT_EXPIRING')!.message, /expires in 4h/)
    assert.equal(has(run({secrets: secrets(valid)}, {at, certWarnMs: 3_600_000}), 'CERT_EXPIRING'), undefined)
  })
  test('CERT_ROOT_MISMATCH: a workload chain from another CA than ROOTCA', () => {
    const f = has(run({secrets: secrets(valid, gatewayCertChainPem(['x.example.com'], valid))}), 'CERT_ROOT_MISMATCH')
    assert.match(f!.message, /not issued by the ROOTCA/)
  })
  test('CERT_UNREADABLE: PEM that does not decode', () => {
    const bad = [{name: 'default', secret: {name: 'default', tls_certificate: {certificate_chain: {inline_bytes: b64('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')}}}}]
    assert.ok(has(run({secrets: bad}), 'CERT_UNREADABLE'))
  })
})

describe('routes', () => {
  const vh = (routes: object[], domains = ['reviews']) => ({name: 'vh', domains, routes})
  const shadowed = (routes: object[]) => run({routes: [routeConfig('9080', [vh(routes)])]}).filter((f) => f.code === 'ROUTE_SHADOWED')
  test('ROUTE_SHADOWED: prefix / before anything', () => {
    const fs = shadowed([{name: 'all', ...route({prefix: '/'}, REVIEWS)}, {name: 'api', ...route({prefix: '/api'}, REVIEWS)}])
    assert.equal(fs.length, 1)
    assert.match(fs[0]!.resource.name, /9080\/vh\/api$/)
    assert.match(fs[0]!.message, /route all \(#0\)/)
  })
  test('ROUTE_SHADOWED: an earlier prefix of a later prefix or path; an identical match even with conditions', () => {
    assert.equal(shadowed([route({prefix: '/api'}, REVIEWS), route({path: '/api/v1', headers: [{name: 'x'}]}, REVIEWS)]).length, 1)
    const h = {prefix: '/a', headers: [{name: 'end-user', string_match: {exact: 'jason'}}]}
    assert.equal(shadowed([route(h, REVIEWS), route(h, REVIEWS)]).length, 1)
  })
  test('not shadowed: specific before general, a conditional earlier route, a case-sensitive prefix before a case-insensitive one', () => {
    assert.equal(shadowed([route({prefix: '/api'}, REVIEWS), route({prefix: '/'}, REVIEWS)]).length, 0)
    assert.equal(shadowed([route({prefix: '/', headers: [{name: 'x'}]}, REVIEWS), route({prefix: '/api'}, REVIEWS)]).length, 0)
    assert.equal(shadowed([route({prefix: '/api'}, REVIEWS), route({prefix: '/api/v1', case_sensitive: false}, REVIEWS)]).length, 0)
    assert.equal(shadowed([route({safe_regex: {regex: '.*'}}, REVIEWS), route({prefix: '/x'}, REVIEWS)]).length, 0)
    assert.equal(shadowed([route({prefix: '/api', case_sensitive: false}, REVIEWS), route({prefix: '/API/v1'}, REVIEWS)]).length, 1, 'a case-insensitive prefix covers every spelling')
  })
  test('covers: path_separated_prefix is segment-aware', () => {
    const m = (kind: string, value: string) => ({kind, value, caseSensitive: true, unconditional: true}) as Parameters<typeof covers>[0]
    assert.equal(covers(m('path_separated_prefix', '/api'), m('path', '/api/x')), true)
    assert.equal(covers(m('path_separated_prefix', '/api'), m('path', '/apix')), false)
  })
  test('DOMAIN_DUPLICATE: two virtual hosts with one domain (any case); distinct domains give nothing', () => {
    const fs = run({routes: [routeConfig('80', [{name: 'a', domains: ['x.com'], routes: []}, {name: 'b', domains: ['X.com'], routes: []}])]})
    assert.match(has(fs, 'DOMAIN_DUPLICATE')!.message, /"X\.com" is also claimed by virtual host a/)
    assert.equal(has(run({routes: [routeConfig('80', [{name: 'a', domains: ['x.com'], routes: []}, {name: 'b', domains: ['y.com'], routes: []}])]}), 'DOMAIN_DUPLICATE'), undefined)
  })
})

describe('outbound policy', () => {
  const vo = (catchAll: string) => listener('virtualOutbound', 15001, [tcpChain('BlackHoleCluster', {name: 'virtualOutbound-blackhole', filter_chain_match: {destination_port: 15001}}), tcpChain(catchAll, {name: 'virtualOutbound-catchall-tcp'})], {use_original_dst: true})
  test('OUTBOUND_REGISTRY_ONLY from the catch-all chain and block_all virtual hosts', () => {
    const blockAll = {name: 'block_all', domains: ['*'], routes: [{match: {prefix: '/'}, direct_response: {status: 502}}]}
    const f = has(run({listeners: [vo('BlackHoleCluster')], routes: [routeConfig('80', [blockAll])]}), 'OUTBOUND_REGISTRY_ONLY')
    assert.match(f!.message, /1 route configuration end with block_all/)
    assert.equal(has(run({listeners: [vo('BlackHoleCluster')]}), 'PASSTHROUGH_USED'), undefined)
  })
  test('PASSTHROUGH_USED for ALLOW_ANY; neither for a gateway (no virtualOutbound)', () => {
    assert.ok(has(run({listeners: [vo('PassthroughCluster')]}), 'PASSTHROUGH_USED'))
    const fs = run({listeners: [listener('0.0.0.0_8080', 8080, [tcpChain('PassthroughCluster')])]})
    assert.equal(has(fs, 'PASSTHROUGH_USED') ?? has(fs, 'OUTBOUND_REGISTRY_ONLY'), undefined)
  })
})

describe('istiod sync', () => {
  const now = new Date('2025-06-02T10:00:00Z')
  const proxy = (types: ProxySync['types'], istioVersion = '1.24.3'): ProxySync => ({id: 'p.default', clusterId: 'Kubernetes', namespace: 'default', istioVersion, istiod: 'istiod-1', types})
  const url = 'type.googleapis.com/envoy.config.cluster.v3.Cluster'
  const sync = (entries: ProxySync[], versions?: Map<string, string>) => checkSync(entries, {proxy: 'p.default', now, graceMs: 60_000, istiodVersions: versions})
  test('SYNC_ERROR with istiod\'s error; SYNCED gives nothing', () => {
    assert.match(has(sync([proxy([{typeUrl: url, status: 'ERROR', error: 'NACK: bad'}])]), 'SYNC_ERROR')!.message, /CDS: NACK: bad/)
    assert.deepEqual(sync([proxy([{typeUrl: url, status: 'SYNCED'}])]), [])
  })
  test('SYNC_STALE and SYNC_NOT_SENT only beyond the grace period', () => {
    assert.ok(has(sync([proxy([{typeUrl: url, status: 'STALE', lastUpdated: new Date('2025-06-02T09:55:00Z')}])]), 'SYNC_STALE'))
    assert.deepEqual(sync([proxy([{typeUrl: url, status: 'STALE', lastUpdated: new Date('2025-06-02T09:59:30Z')}])]), [])
    assert.ok(has(sync([proxy([{typeUrl: url, status: 'NOT SENT'}])]), 'SYNC_NOT_SENT'))
  })
  test('SYNC_NOT_CONNECTED when no istiod lists the proxy', () => {
    assert.ok(has(sync([]), 'SYNC_NOT_CONNECTED'))
  })
  test('VERSION_SKEW: istiod may be one minor ahead, the proxy never ahead', () => {
    assert.ok(has(sync([proxy([], '1.22.1')], new Map([['istiod-1', '1.24.3']])), 'VERSION_SKEW'))
    assert.deepEqual(sync([proxy([], '1.23.1')], new Map([['istiod-1', '1.24.3']])), [])
    assert.match(skewProblem('1.25.0', '1.24.3')!, /newer than its istiod/)
    assert.equal(skewProblem('1.24.0', '1.24.3'), undefined)
  })
})

describe('bookkeeping', () => {
  const f = (severity: Finding['severity'], code = 'X', proxy = 'a'): Finding => ({proxy, severity, code, resource: {type: 'proxy', name: proxy}, message: ''})
  test('--fail-on levels', () => {
    assert.equal(failsAt([f('warning')], 'error'), false)
    assert.equal(failsAt([f('warning')], 'warning'), true)
    assert.equal(failsAt([f('info')], 'info'), true)
    assert.equal(failsAt([], 'info'), false)
  })
  test('--ignore and the summary line', () => {
    assert.deepEqual(withoutIgnored([f('error', 'A'), f('info', 'B')], new Set(['A'])).map((x) => x.code), ['B'])
    assert.equal(summaryLine([f('error'), f('error', 'X', 'b'), f('warning')], 14), '2 errors, 1 warning in 2 of 14 proxies')
    assert.equal(summaryLine([], 3), 'no findings in 3 proxies')
  })
  test('docs/check.md carries the generated findings table (regenerate it from findingsMarkdown when this fails)', () => {
    const doc = readFileSync(new URL('../../../docs/check.md', import.meta.url), 'utf8')
    const between = /<!-- findings:start -->\n([\s\S]*?)<!-- findings:end -->/.exec(doc)
    assert.ok(between, 'docs/check.md lacks the findings markers')
    assert.equal(between[1], findingsMarkdown())
  })
})
