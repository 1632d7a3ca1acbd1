/**
 * Property tests of the ztunnel decoder and views: whatever the bytes (arbitrary JSON, dump-shaped JSON with wrong
 * types, missing and extra keys, odd strings, truncation), every zc view ends with output or an input error
 * (exit 3), never another exception.
 */
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'
import fc from 'fast-check'
import {isMeshctlError} from '../../src/errors/index.js'
import {renderShort} from '../../src/output/render.js'
import {allView, certificatesView, connectionsView, policiesView, servicesView, workloadsView} from '../../src/views/ztunnel.js'
import {parseZtunnelDump} from '../../src/ztunnel/dump.js'
import {SHARED} from '../helpers/shared.js'

const DUMP = readFileSync(join(SHARED, 'conformance/istioctl/head-86c9f01/istioctl/pkg/writer/ztunnel/configdump/testdata/dump.json'))

/** Runs every view on the bytes; returns 'ok' or the exit code of the documented error. */
function runAll(bytes: Uint8Array): 'ok' | number {
  try {
    const dump = parseZtunnelDump(bytes, 'input')
    const raw = (): string => Buffer.from(bytes).toString('utf8')
    for (const v of [
      workloadsView(dump, {namespace: 'x', address: '1.2.3.4', node: 'n'}),
      workloadsView(dump, {}),
      servicesView(dump),
      policiesView(dump),
      certificatesView(dump, Date.now()),
      connectionsView(dump, {workload: 'a.b', direction: 'inbound'}),
      connectionsView(dump, {}),
      allView(dump, {withHeaders: true, now: 0, raw}),
    ]) {
      renderShort(v)
      if (v.rawJson) v.rawJson()
      v.data()
    }
    return 'ok'
  } catch (err) {
    if (isMeshctlError(err)) return err.exitCode
    throw err
  }
}

const odd = fc.oneof(fc.string(), fc.constantFrom('', '/', 'a/b/c', '[::1]:80', '1.2.3.4:5', '-5', '99999999999999999999999', '\u2028<&>', 'None'))
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof({depthSize: 'small'}, odd, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(tie('v'), {maxLength: 3}), fc.dictionary(odd, tie('v'), {maxKeys: 3})),
})).v
const keys = ['workloads', 'services', 'policies', 'certificates', 'workloadState', 'WORKLOADS']
const fields = ['name', 'namespace', 'workloadIps', 'waypoint', 'vips', 'endpoints', 'ports', 'port', 'status', 'uid', 'certChain', 'rootCerts', 'serialNumber', 'validFrom', 'expirationTime', 'rules', 'info', 'connections', 'inbound', 'outbound', 'src', 'actualDst', 'cidrVips', 'capacity', 'applicationTunnel', 'destination', 'workloadUid', 'state', 'identity']
const item = fc.dictionary(fc.constantFrom(...fields), fc.oneof(value, fc.dictionary(fc.constantFrom(...fields), value, {maxKeys: 4}), fc.array(fc.dictionary(fc.constantFrom(...fields), value, {maxKeys: 4}), {maxLength: 3})), {maxKeys: 8})
const dumpLike = fc.dictionary(fc.constantFrom(...keys), fc.oneof(fc.array(item, {maxLength: 4}), fc.dictionary(fc.string(), item, {maxKeys: 4}), value), {maxKeys: 5})

test('arbitrary JSON: output or exit 3', () => {
  fc.assert(
    fc.property(value, (v) => {
      const r = runAll(Buffer.from(JSON.stringify(v) ?? 'null'))
      assert.ok(r === 'ok' || r === 3, String(r))
    }),
    {numRuns: 300},
  )
})

test('dump-shaped JSON with wrong types, missing and extra keys: output or exit 3', () => {
  fc.assert(
    fc.property(dumpLike, (v) => {
      const r = runAll(Buffer.from(JSON.stringify(v)))
      assert.ok(r === 'ok' || r === 3, String(r))
    }),
    {numRuns: 500},
  )
})

test('the real dump truncated anywhere: exit 3 (or output when what is left is still JSON)', () => {
  fc.assert(
    fc.property(fc.integer({min: 0, max: DUMP.length - 1}), (n) => {
      const r = runAll(DUMP.subarray(0, n))
      assert.ok(r === 'ok' || r === 3, String(r))
    }),
    {numRuns: 200},
  )
})
