/** `pc route` (§4.3): row rules, numeric-name ordering, --name, non-verbose counts. */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {type ConfigDump, decodeDocument} from '../../src/envoy/document.js'
import type {Json, JsonObject} from '../../src/envoy/fields.js'
import {InputError} from '../../src/errors/index.js'
import {renderShort} from '../../src/output/render.js'
import {routesView, sortRouteConfigs} from '../../src/views/routes.js'

const RDS = 'type.googleapis.com/envoy.admin.v3.RoutesConfigDump'
const VS = (name: string, ns: string): JsonObject => ({filter_metadata: {istio: {config: `/apis/networking.istio.io/v1/namespaces/${ns}/virtual-service/${name}`}}})
const fwd = (match: JsonObject, cluster: string, metadata?: JsonObject): JsonObject => ({match, route: {cluster, timeout: '0s'}, ...(metadata ? {metadata} : {})})
const rc = (name: string | undefined, vhosts: JsonObject[]): JsonObject => ({...(name === undefined ? {} : {name}), virtual_hosts: vhosts, validate_clusters: false})
const svcDomains = (s: string, ns: string, ip: string, port: number): string[] =>
  [`${s}.${ns}.svc.cluster.local`, s, `${s}.${ns}.svc`, `${s}.${ns}`, ip].flatMap((n) => [n, `${n}:${port}`])

function dumpOf(dynamic: JsonObject[], statics: JsonObject[] = []): ConfigDump {
  return decodeDocument(
    {
      configs: [
        {
          '@type': RDS,
          static_route_configs: statics.map((route_config) => ({route_config, last_updated: 'x'})),
          dynamic_route_configs: dynamic.map((route_config) => ({version_info: '1', route_config, last_updated: 'x'})),
        },
      ],
    },
    'test',
  ) as ConfigDump
}

const sidecar = (): ConfigDump =>
  dumpOf(
    [
      rc('15010', [{name: 'istiod.istio-system.svc.cluster.local:15010', domains: svcDomains('istiod', 'istio-system', '10.96.0.5', 15010), routes: [fwd({prefix: '/'}, 'outbound|15010||istiod.istio-system.svc.cluster.local')]}]),
      rc('9080', [
        {
          name: 'reviews.default.svc.cluster.local:9080',
          domains: svcDomains('reviews', 'default', '10.96.1.1', 9080),
          routes: [fwd({path: '/exact'}, 'outbound|9080|v2|reviews.default.svc.cluster.local', VS('reviews', 'default')), fwd({prefix: '/'}, 'outbound|9080|v1|reviews.default.svc.cluster.local', VS('reviews', 'default'))],
        },
        {name: 'allow_any', domains: ['*'], routes: [fwd({prefix: '/'}, 'PassthroughCluster')]},
        {name: 'block_all', domains: ['*'], routes: []},
      ]),
      rc('InboundPassthroughCluster', [{name: 'inbound|http|0', domains: ['*'], routes: [fwd({prefix: '/'}, 'InboundPassthroughCluster')]}]),
      rc('443', [{name: 'a:443', domains: ['a'], routes: [{match: {safe_regex: {regex: '^/v[0-9]+'}}, redirect: {https_redirect: true}}]}]),
      rc('80', [{name: 'b:80', domains: ['b.com', 'b.com:80'], routes: [fwd({path_separated_prefix: '/api'}, 'x', {filter_metadata: {istio: {config: 'unknown-thing'}}})]}]),
      rc('inbound|8080||', [{name: 'inbound|http|8080', domains: ['*'], routes: [fwd({prefix: '/'}, 'inbound|8080||', {filter_metadata: {istio: {config: '/apis/networking.istio.io/v1/namespaces/x'}}})]}]),
    ],
    [rc(undefined, [{name: 'backend', domains: ['*'], routes: [fwd({prefix: '/stats/prometheus'}, 'prometheus_stats')]}])],
  )

/** An independent oracle for tables whose rows all have the same number of cells. */
const table = (rows: string[][], padding: number): string => {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => [...r[j]].length)) + padding)
  return rows.map((r) => r.map((cell, j) => (j === r.length - 1 ? cell : cell + ' '.repeat(widths[j] - [...cell].length))).join('')).join('\n') + '\n'
}
const names = (d: ConfigDump, name?: string): string[] => (routesView(d, {name}, true).data() as JsonObject[]).map((r) => (r.name as string) ?? '')

describe('verbose table', () => {
  test('rows, skipped PassthroughCluster routes, 404 for empty vhosts, numeric order', () => {
    assert.equal(
      renderShort(routesView(sidecar(), {}, true)),
      table(
        [
          ['NAME', 'VHOST NAME', 'DOMAINS', 'MATCH', 'VIRTUAL SERVICE'],
          ['9080', 'reviews.default.svc.cluster.local:9080', 'reviews, reviews.default + 1 more...', '/exact', 'reviews.default'],
          ['9080', 'reviews.default.svc.cluster.local:9080', 'reviews, reviews.default + 1 more...', '/*', 'reviews.default'],
          ['9080', 'block_all', '*', '/*', '404'],
          ['15010', 'istiod.istio-system.svc.cluster.local:15010', 'istiod, istiod.istio-system + 1 more...', '/*', ''],
          ['InboundPassthroughCluster', 'inbound|http|0', '*', '/*', ''],
          ['80', 'b:80', 'b.com', 'PathPrefix:/api', '<unknown>'],
          ['443', 'a:443', 'a', 'regex ^/v[0-9]+', ''],
          ['inbound|8080||', 'inbound|http|8080', '*', '/*', ''],
          ['', 'backend', '*', '/stats/prometheus*', ''],
        ],
        5,
      ),
    )
  })

  test('pc all prefixes the NAME with route/ (also for unnamed routes)', () => {
    const out = renderShort(routesView(dumpOf([], [rc(undefined, [{name: 'backend', domains: ['*'], routes: [fwd({prefix: '/'}, 'c')]}])]), {}, true, 'route/'))
    assert.equal(out, table([['NAME', 'VHOST NAME', 'DOMAINS', 'MATCH', 'VIRTUAL SERVICE'], ['route/', 'backend', '*', '/*', '']], 5))
  })

  test('a route config without virtual hosts prints no row', () => {
    assert.equal(renderShort(routesView(dumpOf([rc('x', [])]), {}, true)), 'NAME     VHOST NAME     DOMAINS     MATCH     VIRTUAL SERVICE\n')
  })
})

describe('--verbose=false', () => {
  test('one row per route config with the number of virtual hosts', () => {
    assert.equal(
      renderShort(routesView(sidecar(), {}, false)),
      table(
        [
          ['NAME', 'VIRTUAL HOSTS'],
          ['9080', '3'],
          ['15010', '1'],
          ['InboundPassthroughCluster', '1'],
          ['80', '1'],
          ['443', '1'],
          ['inbound|8080||', '1'],
          ['', '1'],
        ],
        5,
      ),
    )
  })
})

describe('sort (non-strict comparator through Go insertion sort)', () => {
  const cases: Array<{in: string[]; want: string[]}> = [
    {in: ['15010', '9080', '80'], want: ['80', '9080', '15010']},
    {in: ['15010', 'x', '9080', '80'], want: ['15010', 'x', '80', '9080']},
    {in: ['b', 'a', '2', '1'], want: ['b', 'a', '1', '2']},
    {in: ['2', 'inbound|9080||', '1'], want: ['2', 'inbound|9080||', '1']},
    {in: ['', '10', '9'], want: ['', '9', '10']},
    {in: ['-1', '+3', '2'], want: ['-1', '2', '+3']},
    {in: ['08', '8', '7'], want: ['7', '08', '8']},
  ]
  for (const c of cases) {
    test(`${JSON.stringify(c.in)} → ${JSON.stringify(c.want)}`, () => {
      assert.deepEqual(
        sortRouteConfigs(c.in.map((name) => ({name}))).map((r) => r.name),
        c.want,
      )
    })
  }
})

describe('--name', () => {
  const cases: Array<{name: string | undefined; want: string[]}> = [
    {name: undefined, want: ['9080', '15010', 'InboundPassthroughCluster', '80', '443', 'inbound|8080||', '']},
    {name: '9080', want: ['9080']},
    {name: '908', want: []},
    {name: 'inboundpassthroughcluster', want: []},
    {name: 'inbound|8080||', want: ['inbound|8080||']},
  ]
  for (const c of cases) {
    test(String(c.name), () => assert.deepEqual(names(sidecar(), c.name), c.want))
  }
  test('nothing matched → header only, -o json []', () => {
    const r = routesView(sidecar(), {name: 'nope'}, true)
    assert.equal(renderShort(r), 'NAME     VHOST NAME     DOMAINS     MATCH     VIRTUAL SERVICE\n')
    assert.deepEqual(r.data(), [])
  })
})

describe('-o json', () => {
  test('sorted route configs in camelCase', () => {
    const data = routesView(sidecar(), {name: '9080'}, true).data() as JsonObject[]
    const vh = (data[0].virtualHosts as JsonObject[])[0]
    assert.equal(data[0].validateClusters, false)
    assert.deepEqual((vh.routes as JsonObject[])[0].metadata, {filterMetadata: VS('reviews', 'default').filter_metadata})
  })
})

describe('empty and missing', () => {
  test('no route configs → "no routes found", even with --name', () => {
    for (const name of [undefined, 'x']) {
      assert.throws(() => routesView(dumpOf([]), {name}, true), (e: unknown) => e instanceof InputError && e.message === 'no routes found')
    }
  })
})

describe('camelCase input', () => {
  test('same table as snake_case', () => {
    const camel = decodeDocument(
      {
        configs: [
          {
            '@type': RDS,
            dynamicRouteConfigs: [
              {
                routeConfig: {
                  name: '9080',
                  virtualHosts: [
                    {name: 'v', domains: ['a', 'a:80'], routes: [{match: {pathSeparatedPrefix: '/p'}, route: {cluster: 'c'}, metadata: {filterMetadata: VS('vs', 'ns').filter_metadata as Json}}]},
                    {name: 'p', domains: ['*'], routes: [{match: {prefix: '/'}, route: {cluster: 'PassthroughCluster'}}]},
                  ],
                },
              },
            ],
          },
        ],
      },
      'x',
    ) as ConfigDump
    const snake = dumpOf([
      rc('9080', [
        {name: 'v', domains: ['a', 'a:80'], routes: [fwd({path_separated_prefix: '/p'}, 'c', VS('vs', 'ns'))]},
        {name: 'p', domains: ['*'], routes: [fwd({prefix: '/'}, 'PassthroughCluster')]},
      ]),
    ])
    assert.equal(renderShort(routesView(camel, {}, true)), renderShort(routesView(snake, {}, true)))
    assert.match(renderShort(routesView(camel, {}, true)), /PathPrefix:\/p {5}vs\.ns\n$/)
  })
})
