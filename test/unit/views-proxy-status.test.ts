/**
 * `proxy-status` tables and documents (§5.3–5.6): every istioctl golden for proxy-status — HEAD, 1.26.8 and
 * 1.21.6 (xDS and HTTP syncz) — reproduced from the conformance inputs, compared as istio does (trimmed),
 * plus ages, colours and the --query document.
 */
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, test} from 'node:test'
import {parse as parseYaml} from 'yaml'
import type {Json, JsonObject} from '../../src/envoy/fields.js'
import {decodeStatusValue, filterNamespace} from '../../src/istiod/decode.js'
import type {ProxySync, StatusSet, SyncStatus} from '../../src/istiod/model.js'
import {goLess, shortType as shortTypeName, TYPE_URL} from '../../src/istiod/xds-types.js'
import {goSortSlice} from '../../src/util/gosort.js'
import {render, renderShort} from '../../src/output/render.js'
import type {Styler} from '../../src/output/tabwriter.js'
import {goYaml} from '../../src/output/yaml.js'
import {
  proxyStatusQueryView,
  proxyStatusRows,
  proxyStatusView,
  responseJson,
  type StatusLayout,
  sortProxies,
  statusText,
} from '../../src/views/proxy-status.js'
import {sharedUrl} from '../helpers/shared.js'

const ROOT = sharedUrl('conformance/istioctl/')
const read = (path: string): string => readFileSync(new URL(path, ROOT), 'utf8')
const load = (path: string): StatusSet => ({istiods: decodeStatusValue(JSON.parse(read(path)) as Json, path)})
const NOW = new Date('2026-06-01T12:00:00Z')
const table = (set: StatusSet, layout?: StatusLayout, verbosity = 0): string => renderShort(proxyStatusView(set, {now: NOW, layout, verbosity}))

const XDS = 'derived/proxy-status-xds/'
const SYNCZ = 'derived/proxy-status-syncz-legacy/'
const HEAD = 'head-86c9f01/istioctl/pkg/writer/pilot/testdata/'
const V126 = 'istio-1.26.8/istioctl/pkg/writer/pilot/testdata/'
const V121 = 'istio-1.21.6/istioctl/pkg/writer/pilot/testdata/'

describe('istioctl goldens (trimmed, as pilot/test/util/diff.go compares)', () => {
  const cases: Array<{golden: string; input: string; layout?: StatusLayout; verbosity?: number; only?: string}> = [
    // the default layout: istioctl 1.23–1.26 (what cases.json expects)
    {golden: `${V126}multiXdsStatusMultiPilot.txt`, input: `${XDS}multi-istiod.input.json`},
    {golden: `${V126}multiXdsStatusSinglePilot.txt`, input: `${XDS}single-istiod-two-proxies.input.json`},
    // istioctl ≥ 1.27
    {golden: `${HEAD}multiXdsStatusMultiPilot.txt`, input: `${XDS}multi-istiod.input.json`, layout: 'subscribed'},
    {golden: `${HEAD}multiXdsStatusSinglePilot.txt`, input: `${XDS}single-istiod-two-proxies.input.json`, layout: 'subscribed'},
    {golden: `${HEAD}multiXdsStatusMultiPilot_verbose.txt`, input: `${XDS}single-istiod-one-proxy.input.json`, layout: 'subscribed', verbosity: 1},
    {golden: `${HEAD}multiXdsStatusMultiPilot_verbose.txt`, input: `${XDS}single-istiod-one-proxy.input.json`, verbosity: 1},
    // istioctl ≤ 1.21 `x proxy-status`
    {golden: `${V121}multiXdsStatusMultiPilot.txt`, input: `${XDS}multi-istiod.input.json`, layout: 'xds-1.21'},
    {golden: `${V121}multiXdsStatusSinglePilot.txt`, input: `${XDS}single-istiod-two-proxies.input.json`, layout: 'xds-1.21'},
    // istioctl ≤ 1.21 `proxy-status` over HTTP /debug/syncz
    {golden: `${V121}multiStatusMultiPilot.txt`, input: `${SYNCZ}printall-multi-istiod.input.json`, layout: 'syncz-1.21'},
    {golden: `${V121}multiStatusSinglePilot.txt`, input: `${SYNCZ}printall-single-istiod.input.json`, layout: 'syncz-1.21'},
    {golden: `${V121}singleStatus.txt`, input: `${SYNCZ}printsingle-proxy2-multi-istiod.input.json`, layout: 'syncz-1.21', only: 'proxy2'},
    {golden: `${V121}singleStatus.txt`, input: `${SYNCZ}printsingle-proxy2-single-istiod.input.json`, layout: 'syncz-1.21', only: 'proxy2'},
    {golden: `${V121}singleStatusFallback.txt`, input: `${SYNCZ}printsingle-proxy2-fallback-proxy-version.input.json`, layout: 'syncz-1.21', only: 'proxy2'},
  ]
  for (const c of cases) {
    const name = `${c.golden.replace(/^([^/]+)\/.*\//, '$1 ')} ← ${c.input.split('/').pop()} (${c.layout ?? 'default'}${c.verbosity ? `, -v ${c.verbosity}` : ''}${c.only ? `, only ${c.only}` : ''})`
    test(name, () => {
      let set = load(c.input)
      // istioctl 1.21's PrintSingle: the rows whose proxy ID contains the name
      if (c.only) set = {istiods: set.istiods.map((i) => ({...i, proxies: i.proxies.filter((p) => p.id.includes(c.only!))}))}
      assert.equal(table(set, c.layout, c.verbosity).trim(), read(c.golden).trim())
    })
  }

  test('a legacy syncz answer with only proxy_version shows <proxy_version>* in VERSION in every layout (singleStatusFallback.txt)', () => {
    const set = load(`${SYNCZ}printsingle-proxy2-fallback-proxy-version.input.json`)
    for (const layout of [undefined, 'syncz-1.21', 'subscribed'] as const) {
      assert.match(table(set, layout), /^proxy2 .* 1\.1\*\s/m, layout ?? 'default')
    }
    assert.match(table(set, undefined, 1), /^proxy2 .* 1\.1\*\s/m, '-v 1')
  })

  test('the legacy HTTP syncz inputs in the default layout keep "STALE (Never Acknowledged)" and ztunnel IGNORED', () => {
    assert.equal(table(load(`${SYNCZ}printall-multi-istiod.input.json`)).trim(), read(`${V121}multiStatusMultiPilot.txt`).trim())
  })
})

describe('-o json / -o yaml (istioctl 1.30; goldens compared as data)', () => {
  const json = (set: StatusSet): string => render(proxyStatusView(set, {now: NOW}), {format: 'json'})
  const yaml = (set: StatusSet): string => render(proxyStatusView(set, {now: NOW}), {format: 'yaml', toYaml: goYaml})

  test('multiXdsStatusSinglePilot.json: one istiod prints its DiscoveryResponse', () => {
    const out = json(load(`${XDS}single-istiod-one-proxy.input.json`))
    assert.deepEqual(JSON.parse(out), JSON.parse(read(`${HEAD}multiXdsStatusSinglePilot.json`)))
    assert.match(out, /^\{\n {4}"versionInfo": "1\.1",\n/, '4-space indent, input key order')
    assert.ok(out.endsWith('}\n'))
  })

  test('multiXdsStatusSinglePilot.yaml', () => {
    const out = yaml(load(`${XDS}single-istiod-one-proxy.input.json`))
    assert.deepEqual(parseYaml(out), parseYaml(read(`${HEAD}multiXdsStatusSinglePilot.yaml`)))
    // byte-identical too: keys sorted, Go's quoting, the extra blank line
    assert.equal(out, read(`${HEAD}multiXdsStatusSinglePilot.yaml`))
  })

  test('multiXdsStatusSingleNamespace.yaml: -n foo drops proxy2 from the response', () => {
    const set = filterNamespace(load(`${XDS}single-istiod-two-namespaces.input.json`), 'foo')
    assert.deepEqual(parseYaml(yaml(set)), parseYaml(read(`${HEAD}multiXdsStatusSingleNamespace.yaml`)))
  })

  test('several istiods: one JSON document keyed by istiod name (readable back with --file)', () => {
    const input = JSON.parse(read(`${XDS}multi-istiod.input.json`)) as JsonObject
    const out = JSON.parse(json(load(`${XDS}multi-istiod.input.json`))) as JsonObject
    assert.deepEqual(out, input)
    assert.deepEqual(Object.keys(out), ['istiod1', 'istiod2', 'istiod3', 'istiod4'])
  })

  test('unnamed or repeated istiods get distinct keys', () => {
    const set: StatusSet = {istiods: decodeStatusValue({a: [], b: []}, 'x')}
    set.istiods[0].name = ''
    set.istiods[1].name = ''
    assert.deepEqual(Object.keys(JSON.parse(responseJson(set))), ['unknown-1', 'unknown-2'])
    set.istiods[0].name = 'x'
    set.istiods[1].name = 'x'
    assert.deepEqual(Object.keys(JSON.parse(responseJson(set))), ['x', 'x-2'])
  })

  test('an empty response prints as istioctl: `{`, blank line, `}` (proxy-status-cli vectors)', () => {
    assert.equal(json({istiods: decodeStatusValue({}, 'x')}), '{\n\n}\n')
    assert.equal(yaml({istiods: decodeStatusValue({}, 'x')}), '{}\n\n')
  })
})

describe('cells: ages, legacy wording, missing types', () => {
  const at = (ago: number): string => new Date(NOW.getTime() - ago).toISOString()
  const set = (): StatusSet => ({
    istiods: decodeStatusValue(
      {
        'istiod-a': [
          {
            proxy: 'details-v1-1.bookinfo',
            cluster_id: 'Kubernetes',
            istio_version: '1.26.2',
            resources: {
              [TYPE_URL.CDS]: {sent: 'a', acked: 'a', sentTime: at(59_000)},
              [TYPE_URL.LDS]: {sent: 'b', acked: 'a', sentTime: at(150_000)},
              [TYPE_URL.EDS]: {sent: 'c', acked: 'c', sentTime: at(3 * 3600_000)},
              [TYPE_URL.RDS]: {sent: 'd', acked: 'd', sentTime: at(-5000), lastError: 'NACK'},
              [TYPE_URL.SDS]: {sent: 'e', acked: 'e', sentTime: at((2 * 365 + 30) * 86400_000)},
            },
          },
          {proxy: 'ztunnel-x.istio-system', proxy_type: 'ztunnel', cluster_id: 'Kubernetes', istio_version: '1.26.2', resources: {[TYPE_URL.WDS_ADDRESS]: {sent: 'z', acked: 'z', sentTime: at(7 * 60_000)}}},
        ],
      },
      'x',
    ),
  })

  test('default table: (age) after SYNCED/STALE/ERROR when the push time is known; IGNORED for unreported types', () => {
    assert.equal(
      table(set()),
      [
        'NAME                       CLUSTER        CDS              LDS               EDS             RDS                   ECDS        ISTIOD       VERSION',
        'details-v1-1.bookinfo      Kubernetes     SYNCED (59s)     STALE (2m30s)     SYNCED (3h)     ERROR (<invalid>)     IGNORED     istiod-a     1.26.2',
        'ztunnel-x.istio-system     Kubernetes     IGNORED          IGNORED           IGNORED         IGNORED               IGNORED     istiod-a     1.26.2',
        '',
      ].join('\n'),
    )
  })

  test('-v 1: every reported type plus the five core ones, by type URL (SDS and WDS appear)', () => {
    const rows = proxyStatusRows(set(), {now: NOW, verbosity: 1})
    const head = rows[0].map((c) => (typeof c === 'string' ? c : c.text))
    assert.deepEqual(head, ['NAME', 'CLUSTER', 'CDS', 'ECDS', 'EDS', 'LDS', 'RDS', 'SDS', 'WDS', 'ISTIOD', 'VERSION'])
    assert.match(table(set(), undefined, 1), /SYNCED \(2y30d\)\s+IGNORED\s+istiod-a/)
    assert.match(table(set(), undefined, 1), /ztunnel-x\.istio-system\s+Kubernetes(\s+IGNORED){6}\s+SYNCED \(7m\)/)
  })

  test('istioctl ≥ 1.27 layout counts every type not IGNORED', () => {
    assert.equal(
      table(set(), 'subscribed'),
      [
        'NAME                       CLUSTER        ISTIOD       VERSION     SUBSCRIBED TYPES',
        'details-v1-1.bookinfo      Kubernetes     istiod-a     1.26.2      5 (CDS,LDS,EDS,RDS,SDS)',
        'ztunnel-x.istio-system     Kubernetes     istiod-a     1.26.2      1 (WDS)',
        '',
      ].join('\n'),
    )
  })

  test('statusText', () => {
    assert.equal(statusText(undefined, NOW), 'IGNORED')
    assert.equal(statusText({typeUrl: 't', status: 'NOT SENT', lastUpdated: NOW}, NOW), 'NOT SENT')
    assert.equal(statusText({typeUrl: 't', status: 'STALE', neverAcknowledged: true}, NOW), 'STALE (Never Acknowledged)')
    assert.equal(statusText({typeUrl: 't', status: 'ERROR', lastUpdated: new Date(NOW.getTime() - 30 * 3600_000)}, NOW), 'ERROR (30h)')
    assert.equal(statusText({typeUrl: 't', status: 'SYNCED', lastUpdated: new Date(NOW.getTime() - 400 * 86400_000)}, NOW), 'SYNCED (400d)')
  })

  test('zero proxies: header only (istioctl ≥ 1.28), but nothing for the 1.21 x-ps layout', () => {
    const empty: StatusSet = {istiods: decodeStatusValue({}, 'x')}
    assert.equal(table(empty), 'NAME     CLUSTER     CDS     LDS     EDS     RDS     ECDS     ISTIOD     VERSION\n')
    assert.equal(table(empty, 'subscribed'), 'NAME     CLUSTER     ISTIOD     VERSION     SUBSCRIBED TYPES\n')
    assert.equal(table(empty, 'xds-1.21'), '')
  })

  test('rows sorted by proxy ID in byte order, whatever the istiod order', () => {
    const s: StatusSet = {istiods: decodeStatusValue({b: [{proxy: 'b.ns'}, {proxy: 'B.ns'}], a: [{proxy: 'a.ns'}]}, 'x')}
    assert.deepEqual(
      table(s)
        .split('\n')
        .slice(1, -1)
        .map((l) => l.split(' ')[0]),
      ['B.ns', 'a.ns', 'b.ns'],
    )
  })

  test('the order is Go sort.Slice\'s, equal IDs included: random meshes, astral and U+E000 IDs, a proxy on two istiods', () => {
    let seed = 7
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed % n
    }
    const alphabet = ['a', 'b', 'B', '-', '.', 'é', '\uE000', '😀']
    for (let round = 0; round < 200; round++) {
      const letters = round % 2 === 0 ? alphabet.slice(0, 5) : alphabet
      const ids = Array.from({length: 1 + next(60)}, () => Array.from({length: 1 + next(3)}, () => letters[next(letters.length)]).join(''))
      // a few IDs reported twice (by two istiods), told apart by their istiod
      const proxies = ids.map((id, i): ProxySync => ({id, clusterId: next(3) === 0 ? 'c2' : 'c1', namespace: '', istioVersion: '', istiod: `istiod-${i}`, types: []}))
      for (let k = next(4); k > 0; k--) proxies.push({...proxies[next(proxies.length)]!, istiod: `again-${k}`})
      const go = [...proxies]
      goSortSlice(go, (a, b) => goLess(a.id, b.id))
      assert.deepEqual(sortProxies(proxies).map((p) => `${p.id}@${p.istiod}`), go.map((p) => `${p.id}@${p.istiod}`))
      const legacy = [...proxies]
      goSortSlice(legacy, (a, b) => (a.clusterId !== b.clusterId ? goLess(a.clusterId, b.clusterId) : goLess(a.id, b.id)))
      const rows = proxyStatusRows({istiods: [{name: 'x', origin: 'syncz', response: {}, proxies}]}, {now: NOW, layout: 'syncz-1.21'})
      assert.deepEqual(rows.slice(1).map((r) => `${r[0]}@${r[7]}`), legacy.map((p) => `${p.id}@${p.istiod}`))
    }
  })

  test('cells shared by many proxies (one push time) read the same as cells made one by one', () => {
    const pushes = [59_000, 150_000, 3 * 3600_000].map((ago) => new Date(NOW.getTime() - ago))
    const statuses: SyncStatus[] = ['SYNCED', 'STALE', 'ERROR', 'NOT SENT', 'IGNORED']
    const proxies: ProxySync[] = Array.from({length: 40}, (_, i) => ({
      id: `p${String(i).padStart(2, '0')}.ns`,
      clusterId: 'K',
      namespace: 'ns',
      istioVersion: '1.26.0',
      istiod: 'istiod-a',
      types: [TYPE_URL.CDS, TYPE_URL.LDS, TYPE_URL.EDS, TYPE_URL.RDS].map((typeUrl, k) => ({
        typeUrl,
        status: statuses[(i + k) % statuses.length]!,
        ...((i + k) % 4 === 0 ? {} : {lastUpdated: pushes[(i * k) % pushes.length]}),
        ...(i === 3 && k === 1 ? {status: 'STALE' as const, neverAcknowledged: true} : {}),
      })),
    }))
    for (const verbosity of [0, 1]) {
      const rows = proxyStatusRows({istiods: [{name: 'istiod-a', origin: 'syncz', response: {}, proxies}]}, {now: NOW, verbosity})
      const head = rows[0].map((c) => (typeof c === 'string' ? c : c.text))
      rows.slice(1).forEach((row, i) => {
        for (let col = 2; col < head.length - 2; col++) {
          const url = Object.values(TYPE_URL).find((u) => head[col] === shortTypeName(u))
          const t = proxies[i]!.types.find((x) => x.typeUrl === url)
          const c = row[col]!
          assert.equal(typeof c === 'string' ? c : c.text, statusText(t, NOW), `${proxies[i]!.id} ${head[col]}`)
        }
      })
    }
  })

  test('colours on a terminal: good SYNCED, warn STALE / NOT SENT, bad ERROR, IGNORED plain', () => {
    const styler: Styler = (text, style) => `<${style}>${text}</${style}>`
    const out = renderShort(proxyStatusView(set(), {now: NOW}), styler)
    assert.match(out, /<good>SYNCED \(59s\)<\/good>/)
    assert.match(out, /<warn>STALE \(2m30s\)<\/warn>/)
    assert.match(out, /<bad>ERROR \(<invalid>\)<\/bad>/)
    assert.match(out, /<header>NAME<\/header>/)
    assert.doesNotMatch(out, /<[a-z]+>IGNORED/)
    const legacy = renderShort(proxyStatusView(load(`${SYNCZ}printall-multi-istiod.input.json`), {now: NOW}), styler)
    assert.match(legacy, /<warn>NOT SENT<\/warn>/)
    assert.match(legacy, /<warn>STALE \(Never Acknowledged\)<\/warn>/)
    // layout is computed before styling: without a styler the text is the golden's
    assert.equal(renderShort(proxyStatusView(set(), {now: NOW})), table(set()))
  })
})

describe('--query document', () => {
  test('one object per proxy, sorted by name, with sync states by short type name', () => {
    const q = proxyStatusQueryView(load(`${XDS}single-istiod-two-namespaces.input.json`)).data() as JsonObject[]
    assert.deepEqual(q[1], {
      name: 'proxy2',
      cluster: 'cluster1',
      namespace: 'bar',
      istiod: 'istiod1',
      version: '1.20',
      sync: {CDS: 'STALE', ECDS: 'SYNCED', EDS: 'SYNCED', LDS: 'SYNCED', RDS: 'NOT SENT'},
      types: [
        {type: 'CDS', typeUrl: TYPE_URL.CDS, status: 'STALE'},
        {type: 'ECDS', typeUrl: TYPE_URL.ECDS, status: 'SYNCED'},
        {type: 'EDS', typeUrl: TYPE_URL.EDS, status: 'SYNCED'},
        {type: 'LDS', typeUrl: TYPE_URL.LDS, status: 'SYNCED'},
        {type: 'RDS', typeUrl: TYPE_URL.RDS, status: 'NOT SENT'},
      ],
    })
  })

  test('legacy details: proxyType, proxyVersion, neverAcknowledged, lastUpdated, error; WDS twice keeps both', () => {
    const s: StatusSet = {
      istiods: decodeStatusValue(
        [
          {proxy: 'p.ns', proxy_version: '1.1', proxy_type: 'router', cluster_sent: 'a'},
          {
            proxy: 'z.ns',
            proxy_type: 'ztunnel',
            resources: {
              [TYPE_URL.WDS_ADDRESS]: {sent: 'a', acked: 'a', sentTime: '2026-05-01T10:00:00Z'},
              [TYPE_URL.WDS_WORKLOAD]: {sent: 'b', lastError: 'x'},
            },
          },
        ],
        'x',
      ),
    }
    const [p, z] = proxyStatusQueryView(s).data() as JsonObject[]
    assert.equal(p.proxyType, 'router')
    assert.equal(p.proxyVersion, '1.1')
    assert.deepEqual((p.types as JsonObject[])[0], {type: 'CDS', typeUrl: TYPE_URL.CDS, status: 'STALE', neverAcknowledged: true})
    assert.deepEqual(z.sync, {WDS: 'SYNCED', [TYPE_URL.WDS_WORKLOAD]: 'ERROR'})
    assert.deepEqual((z.types as JsonObject[])[0].lastUpdated, '2026-05-01T10:00:00Z')
    assert.deepEqual((z.types as JsonObject[])[1].error, 'x')
  })
})
