/**
 * ztunnel-config decoding and views (src/ztunnel, src/views/ztunnel.ts): istioctl's writer tests that the CLI
 * cannot express with --file (a target workload), the zc log vectors of
 * ../shared/conformance/istioctl/derived/vectors/ztunnel-config-cli.json, and the Go encoding/json rules the
 * decoder follows.
 */
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, test} from 'node:test'
import {renderShort} from '../../src/output/render.js'
import {allView, certificatesView, connectionsView, serialHex, servicesView, splitHostPort, workloadsView} from '../../src/views/ztunnel.js'
import {decodeZtunnelDump, looksLikeZtunnelDump, parseZtunnelDump} from '../../src/ztunnel/dump.js'
import {goIndent} from '../../src/ztunnel/json.js'
import {checkZtunnelLevel, ztunnelLogOutput, ztunnelLogRequest} from '../../src/ztunnel/log.js'
import {SHARED} from '../helpers/shared.js'

const BASE = join(SHARED, 'conformance/istioctl')
const TESTDATA = join(BASE, 'head-86c9f01/istioctl/pkg/writer/ztunnel/configdump/testdata')
const dumpBytes = readFileSync(join(TESTDATA, 'dump.json'))
const dump = parseZtunnelDump(dumpBytes, 'dump.json')
const golden = (name: string): string => readFileSync(join(TESTDATA, name), 'utf8')

interface Vector {
  args: string[]
  basis: string
  wantError: boolean
  expectedString?: string
  expectedStdout?: string
  requests?: Array<{method: string; path: string; query: string}>
  writerCall?: string
  golden?: string
}
const vectors = JSON.parse(readFileSync(join(BASE, 'derived/vectors/ztunnel-config-cli.json'), 'utf8')) as {groups: Array<{name: string; cases: Vector[]}>}

describe('istioctl writer tests a target workload needs (not expressible with --file)', () => {
  const writerCases = vectors.groups.flatMap((g) => g.cases).filter((c) => c.writerCall)
  test('the vectors file still has the three writer calls', () => assert.equal(writerCases.length, 3))

  test("PrintWorkloadSummary(WorkloadFilter{Name: productpage-v1-675fc69cf-jscn2, Namespace: bookinfo})", () => {
    const out = renderShort(workloadsView(dump, {name: 'productpage-v1-675fc69cf-jscn2', namespace: 'bookinfo'}))
    assert.equal(out.trim(), golden('workloadsummary_workload.txt').trim())
  })
  test('PrintConnectionsSummary(ConnectionsFilter{Workload: "productpage-v1-796f87b58-97bjk.bookinfo"}) splits name.namespace', () => {
    const out = renderShort(connectionsView(dump, {workload: 'productpage-v1-796f87b58-97bjk.bookinfo'}))
    assert.equal(out.trim(), golden('connectionsummary_workload.txt').trim())
  })
  test('PrintConnectionsSummary(ConnectionsFilter{Workload: productpage-v1-796f87b58-97bjk, Namespace: bookinfo})', () => {
    const out = renderShort(connectionsView(dump, {workload: 'productpage-v1-796f87b58-97bjk', namespace: 'bookinfo'}))
    assert.equal(out.trim(), golden('connectionsummary_workload.txt').trim())
  })
  test('the workload name matches case-insensitively, the connections namespace exactly', () => {
    assert.equal(renderShort(workloadsView(dump, {name: 'PRODUCTPAGE-v1-675fc69cf-jscn2'})).split('\n').length, 3)
    assert.equal(renderShort(connectionsView(dump, {workload: 'productpage-v1-796f87b58-97bjk', namespace: 'Bookinfo'})).split('\n').length, 2)
  })
})

describe('zc log vectors (request building and output)', () => {
  const logCases = vectors.groups[0]!.cases.filter((c) => c.args[0] === 'log')
  const flagsOf = (args: string[]): {level?: string; reset?: boolean; output?: string} => {
    const f: {level?: string; reset?: boolean; output?: string} = {}
    for (let i = 0; i < args.length; i++) {
      if (args[i] === '--level') f.level = args[++i]
      else if (args[i] === '-r' || args[i] === '--reset') f.reset = true
      else if (args[i] === '-o') f.output = args[++i]
    }
    return f
  }
  for (const c of logCases) {
    const isNotZtunnel = c.expectedString?.startsWith('workloads command is only supported')
    if (isNotZtunnel) continue // a pod check, made by the command against the cluster (live test)
    test(`zc ${c.args.join(' ')}`, () => {
      const flags = flagsOf(c.args)
      if (c.wantError) {
        assert.throws(() => ztunnelLogRequest(flags), (err: Error) => {
          assert.ok(err.message.includes(c.expectedString!), err.message)
          assert.equal((err as {exitCode?: number}).exitCode, 2)
          return true
        })
        return
      }
      const query = ztunnelLogRequest(flags)
      assert.deepEqual(c.requests, [{method: 'POST', path: '/logging', query}])
      const out = ztunnelLogOutput('ztunnel-9v7nw.default', 'current log level is debug')
      if (c.expectedStdout !== undefined) assert.equal(out, c.expectedStdout)
      if (c.expectedString && !c.expectedString.startsWith('log level reset')) assert.ok(out.includes(c.expectedString))
    })
  }
  test('every level name istioctl knows passes, others do not', () => {
    for (const l of ['trace', 'debug', 'info', 'warning', 'warn', 'error', 'critical', 'off']) checkZtunnelLevel(l)
    assert.throws(() => checkZtunnelLevel('none'), /unrecognized logging level: none/)
    assert.throws(() => checkZtunnelLevel('Debug'), /unrecognized logging level: Debug/)
    assert.throws(() => checkZtunnelLevel('a=b'), /unrecognized logging level: b/)
  })
})

describe('decoding as Go encoding/json does', () => {
  test('dump.json holds 27 workloads (TestConfigWriter_Prime)', () => assert.equal(dump.workloads.length, 27))
  test('keys match fields case-insensitively, the last one wins', () => {
    const d = decodeZtunnelDump({WORKLOADS: [{NAME: 'a', Namespace: 'x', namespace: 'y'}], workloadstate: {k: {INFO: {name: 'n'}}}})
    assert.equal(d.workloads[0]!.name, 'a')
    assert.equal(d.workloads[0]!.namespace, 'y')
    assert.equal(d.workloadState[0]!.info.name, 'n')
  })
  test('sections given as an object use its values; null is empty', () => {
    const d = decodeZtunnelDump({services: {k1: {name: 's1'}, k2: {name: 's2'}}, policies: null})
    assert.deepEqual(
      d.services.map((s) => s.name),
      ['s1', 's2'],
    )
    assert.equal(d.policies.length, 0)
  })
  test('a wrong type is an input error naming the field', () => {
    assert.throws(() => decodeZtunnelDump({workloads: [{name: 5}]}), (e: Error & {exitCode?: number}) => e.exitCode === 3 && /cannot unmarshal number 5 into Go struct field ZtunnelWorkload\.name of type string/.test(e.message))
    assert.throws(() => decodeZtunnelDump({workloads: [{capacity: -1}]}), /of type uint32/)
    assert.throws(() => decodeZtunnelDump({workloads: 'x'}), /cannot unmarshal string/)
    assert.throws(() => decodeZtunnelDump({workloadState: []}), /cannot unmarshal array/)
    assert.throws(() => decodeZtunnelDump([] as never), /error unmarshalling config dump response from ztunnel: json: cannot unmarshal array/)
  })
  test('empty and malformed input', () => {
    assert.throws(() => parseZtunnelDump(new Uint8Array(), 'x'), /^Error: error unmarshalling config dump response from ztunnel: unexpected end of JSON input$|unexpected end of JSON input/)
    assert.throws(() => parseZtunnelDump(Buffer.from('{"workloads": ['), 'x'), (e: Error & {exitCode?: number}) => e.exitCode === 3 && e.message.startsWith('error unmarshalling config dump response from ztunnel: '))
  })
  test('cidrVips: objects and network/cidr strings print as network/cidr; a string without / is an error', () => {
    const d = decodeZtunnelDump({services: [{cidrVips: [{cidr: '1.0.0.0/8'}, 'net/2.0.0.0/8', {cidr: 'c', network: 'n'}]}]})
    assert.deepEqual(d.services[0]!.cidrVips, ['/1.0.0.0/8', 'net/2.0.0.0/8', 'n/c'])
    assert.throws(() => decodeZtunnelDump({services: [{cidrVips: ['nope']}]}), /invalid cidrVip "nope"/)
  })
  test('a ztunnel dump is told apart from an Envoy one', () => {
    assert.equal(looksLikeZtunnelDump(JSON.parse(dumpBytes.toString())), true)
    assert.equal(looksLikeZtunnelDump({configs: []}), false)
    assert.equal(looksLikeZtunnelDump([]), false)
  })
})

describe('views', () => {
  test('services JSON sorts map keys as Go does ("15008" before "8080") and keeps omitempty fields out', () => {
    const d = decodeZtunnelDump({services: [{name: 's', ports: {'8080': 1, '15008': 2}, endpoints: {e: {workloadUid: 'u', port: {'9080': 9080, '15008': 15008}}}}]})
    const text = servicesView(d).rawJson!()
    assert.ok(text.indexOf('"15008": 2') < text.indexOf('"8080": 1'))
    assert.ok(text.indexOf('"15008": 15008') < text.indexOf('"9080": 9080'))
    assert.doesNotMatch(text, /subjectAltNames|cidrVips|canonical|visibility|loadBalancer|"address"/)
    assert.match(text, /"vips": null/)
    assert.match(text, /"ipFamilies": ""/)
  })
  test('the services table counts healthy endpoints by the workload status', () => {
    const d = decodeZtunnelDump({
      workloads: [
        {uid: 'a', status: 'Healthy'},
        {uid: 'b', status: 'Unhealthy'},
      ],
      services: [{name: 's', namespace: 'n', vips: ['/1.1.1.1', 'x'], endpoints: {1: {workloadUid: 'a'}, 2: {workloadUid: 'b'}, 3: {workloadUid: 'c'}}}],
    })
    assert.equal(renderShort(servicesView(d)), 'NAMESPACE SERVICE NAME SERVICE VIP WAYPOINT ENDPOINTS\nn         s            1.1.1.1,    None     1/3\n')
  })
  test('waypoint names: by namespace/hostname or VIP, NA when no service matches', () => {
    const d = decodeZtunnelDump({
      services: [{name: 'wp', namespace: 'ns', hostname: 'wp.ns.svc', vips: ['/10.0.0.9']}],
      workloads: [
        {name: 'a', waypoint: {destination: 'ns/wp.ns.svc'}},
        {name: 'b', waypoint: {destination: '/10.0.0.9'}},
        {name: 'c', waypoint: {destination: '/10.0.0.10'}},
        {name: 'd', hostname: 'd.example'},
      ],
    })
    const block = workloadsView(d, {}).blocks[0]!
    assert.equal(block.kind, 'table')
    const rows = (block as {rows: string[][]}).rows.slice(1)
    assert.deepEqual(
      rows.map((r) => [r[1], r[2], r[4]]),
      [
        ['a', '', 'wp'],
        ['b', '', 'wp'],
        ['c', '', 'NA'],
        ['d', 'd.example', 'None'],
      ],
    )
  })
  test('the workload sort key is namespace.name as one string', () => {
    // by (namespace, name) `a` would come before `a-b`; as one string `a-b.x` < `a.x` ('-' < '.')
    const d = decodeZtunnelDump({workloads: [{namespace: 'a', name: 'x'}, {namespace: 'a-b', name: 'x'}]})
    const namespaces = renderShort(workloadsView(d, {}))
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(/\s+/)[0])
    assert.deepEqual(namespaces, ['a-b', 'a'])
  })
  test('certificates: serials in unpadded hex, <nil> when not decimal; validity against the given time', () => {
    assert.equal(serialHex('305554775863395697262503895661564044819'), 'e5dfb59150b2ba7f108d93dcec5aa613')
    assert.equal(serialHex('15'), 'f')
    assert.equal(serialHex('abc'), '<nil>')
    assert.equal(serialHex(''), '<nil>')
    const after = Date.parse('2033-03-23T00:00:00Z')
    assert.match(renderShort(certificatesView(dump, after)).split('\n')[1]!, /Leaf\s+Available\s+false/)
    assert.match(renderShort(certificatesView(dump, Date.parse('2024-01-01T00:00:00Z'))).split('\n')[1]!, /Leaf\s+Available\s+true/)
  })
  test('certificates: a chain with rootCerts shows Intermediate then Root rows', () => {
    const cert = (n: string) => ({serialNumber: n, validFrom: '2020-01-01T00:00:00Z', expirationTime: '2030-01-01T00:00:00Z'})
    const d = decodeZtunnelDump({certificates: [{identity: 'i', state: 'Available', certChain: [cert('1'), cert('2')], rootCerts: [cert('3')]}]})
    const types = renderShort(certificatesView(d, Date.parse('2025-01-01T00:00:00Z')))
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(/\s+/)[1])
    assert.deepEqual(types, ['Leaf', 'Intermediate', 'Root'])
    assert.equal(certificatesView(decodeZtunnelDump({}), 0).rawJson!(), 'null')
  })
  test('connections: --direction and --raw', () => {
    const inbound = renderShort(connectionsView(dump, {direction: 'inbound'}))
    assert.doesNotMatch(inbound, /Outbound/)
    assert.match(inbound, /Inbound/)
    assert.doesNotMatch(renderShort(connectionsView(dump, {direction: 'outbound'})), /Inbound/)
    const d = decodeZtunnelDump({
      services: [{hostname: 'svc.ns', vips: ['/10.0.0.1']}],
      workloads: [{name: 'w', namespace: 'ns', workloadIps: ['10.1.0.1']}],
      workloadState: {x: {info: {name: 'w', namespace: 'ns'}, connections: {outbound: [{src: '10.1.0.1:5000', actualDst: '10.0.0.1:80', originalDst: 'odd'}]}}},
    })
    assert.match(renderShort(connectionsView(d, {})), /w\.ns\s+Outbound\s+w\.ns:5000\s+svc\.ns:80\s+odd/)
    assert.match(renderShort(connectionsView(d, {raw: true})), /Outbound\s+10\.1\.0\.1:5000\s+10\.0\.0\.1:80/)
  })
  test('splitHostPort as Go', () => {
    assert.deepEqual(splitHostPort('1.2.3.4:80'), {host: '1.2.3.4', port: '80'})
    assert.deepEqual(splitHostPort('[::1]:80'), {host: '::1', port: '80'})
    assert.equal(splitHostPort('::1:80'), undefined)
    assert.equal(splitHostPort('host'), undefined)
  })
  test('all: the dump as it is for json; an empty line first in short form', () => {
    const v = allView(dump, {withHeaders: false, now: 0, raw: () => '{"a": 1}'})
    assert.equal(v.rawJson!(), '{"a": 1}')
    assert.ok(renderShort(v).startsWith('\nNAMESPACE'))
    assert.ok(!renderShort(v).endsWith('\n\n'))
  })
  test('goIndent prints Go MarshalIndent: empty containers inline, <>& escaped', () => {
    assert.equal(goIndent({a: [], b: new Map(), c: '<&>'}), '{\n    "a": [],\n    "b": {},\n    "c": "\\u003c\\u0026\\u003e"\n}')
  })
})
