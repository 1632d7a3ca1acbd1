/**
 * The proto-JSON converter of src/xds/codec.ts: every saved istiod xDS answer (shared/conformance/istioctl/derived/
 * proxy-status-xds/*.input.json) survives JSON -> protobuf bytes -> JSON unchanged, key order included (Go
 * protojson's order), and the JSON mapping rules hold for the well-known types, enums, int64 and unknown Anys.
 */
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {describe, test} from 'node:test'
import {anyBytes, decode, encode, formatTimestamp, type Json, parseTimestamp, ProtoError, timestampOfDate} from '../../src/xds/codec.js'
import {ANY, CLIENT_CONFIG, DISCOVERY_REQUEST, DISCOVERY_RESPONSE, NODE, STRUCT, TIMESTAMP, VALUE} from '../../src/xds/schema.js'
import {sharedUrl} from '../helpers/shared.js'

const DERIVED = sharedUrl('conformance/istioctl/derived/proxy-status-xds/')
const CC = 'type.googleapis.com/envoy.service.status.v3.ClientConfig'
const GENERIC = 'envoy.service.status.v3.ClientConfig.GenericXdsConfig'

describe('xds codec', () => {
  test('every derived xDS input: JSON -> bytes -> JSON is the identity, in the same key order', () => {
    const files = readdirSync(DERIVED).filter((f) => f.endsWith('.input.json'))
    assert.ok(files.length >= 4, files.join(','))
    let responses = 0
    for (const f of files) {
      const byIstiod = JSON.parse(readFileSync(new URL(f, DERIVED), 'utf8')) as Record<string, Json>
      for (const [istiod, response] of Object.entries(byIstiod)) {
        const bytes = encode(DISCOVERY_RESPONSE, response)
        const back = decode(DISCOVERY_RESPONSE, bytes)
        assert.deepEqual(back, response, `${f} ${istiod}`)
        assert.equal(JSON.stringify(back), JSON.stringify(response), `${f} ${istiod}: key order`)
        // and the bytes are canonical: re-encoding the decoded form gives the same bytes
        assert.deepEqual(encode(DISCOVERY_RESPONSE, back), bytes)
        responses++
      }
    }
    assert.ok(responses >= 6)
  })

  test('enums by name; the default (UNKNOWN) and other proto3 defaults are omitted; unknown numbers stay numbers', () => {
    const g = (configStatus: Json): Json => decode(GENERIC, encode(GENERIC, {typeUrl: 'x', configStatus}))
    assert.deepEqual(g('UNKNOWN'), {typeUrl: 'x'})
    assert.deepEqual(g(0), {typeUrl: 'x'})
    assert.deepEqual(g('NOT_SENT'), {typeUrl: 'x', configStatus: 'NOT_SENT'})
    assert.deepEqual(g(4), {typeUrl: 'x', configStatus: 'ERROR'})
    assert.deepEqual(g(9), {typeUrl: 'x', configStatus: 9})
    assert.deepEqual(decode(GENERIC, encode(GENERIC, {typeUrl: '', name: '', isStaticResource: false})), {})
    // set message fields stay, even empty
    assert.deepEqual(decode(GENERIC, encode(GENERIC, {errorState: {}})), {errorState: {}})
    assert.throws(() => encode(GENERIC, {configStatus: 'NOPE'}), ProtoError)
    assert.throws(() => encode(GENERIC, {bogus: 1}), /unknown field "bogus"/)
  })

  test('proto field names are accepted on input; output uses lowerCamelCase', () => {
    const bytes = encode(DISCOVERY_REQUEST, {type_url: 'istio.io/debug/syncz', resource_names: ['a.b'], response_nonce: 'n'})
    assert.deepEqual(decode(DISCOVERY_REQUEST, bytes), {resourceNames: ['a.b'], typeUrl: 'istio.io/debug/syncz', responseNonce: 'n'})
  })

  test('Struct, Value and ListValue are plain JSON; Struct keys come out sorted', () => {
    const metadata = {z: 1.5, a: 'x', nested: {ok: true, nothing: null, list: [1, 'two', false, null, {k: []}]}, empty: {}}
    const node = decode(NODE, encode(NODE, {id: 'p', metadata}))
    assert.deepEqual(node, {id: 'p', metadata})
    assert.equal(JSON.stringify((node as {metadata: Json}).metadata), JSON.stringify({a: 'x', empty: {}, nested: {list: [1, 'two', false, null, {k: []}], nothing: null, ok: true}, z: 1.5}))
    assert.deepEqual(decode(VALUE, encode(VALUE, null)), null)
    assert.deepEqual(decode(VALUE, encode(VALUE, 0)), 0)
    assert.deepEqual(decode(VALUE, encode(VALUE, '')), '')
    assert.deepEqual(decode(STRUCT, encode(STRUCT, {})), {})
  })

  test('Timestamp: RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits', () => {
    const ts = (t: string): Json => decode(TIMESTAMP, encode(TIMESTAMP, t))
    assert.equal(ts('2025-06-02T09:10:41Z'), '2025-06-02T09:10:41Z')
    assert.equal(ts('2025-06-02T09:10:41.5Z'), '2025-06-02T09:10:41.500Z')
    assert.equal(ts('2025-06-02T09:10:41.000123Z'), '2025-06-02T09:10:41.000123Z')
    assert.equal(ts('2025-06-02T09:10:41.000000007Z'), '2025-06-02T09:10:41.000000007Z')
    assert.equal(ts('2025-06-02T11:10:41+02:00'), '2025-06-02T09:10:41Z')
    assert.equal(ts('1969-12-31T23:59:59Z'), '1969-12-31T23:59:59Z')
    assert.equal(formatTimestamp(0), '1970-01-01T00:00:00Z')
    assert.equal(timestampOfDate(new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 60))), '2025-01-02T03:04:05.060Z')
    assert.deepEqual(parseTimestamp('2025-06-02T09:10:41.25Z'), {seconds: 1748855441, nanos: 250_000_000})
    assert.throws(() => parseTimestamp('yesterday'), /invalid Timestamp/)
    // int64 seconds, as in the message itself
    const raw = decode('google.protobuf.Timestamp', Buffer.from([0x08, 0x01]))
    assert.equal(raw, '1970-01-01T00:00:01Z')
  })

  test('Any: known messages inline, special well-known types under "value", unknown types as base64 bytes', () => {
    const cc = {'@type': CC, node: {id: 'a.b'}}
    assert.deepEqual(decode(ANY, encode(ANY, cc)), cc)
    const st = {'@type': 'type.googleapis.com/google.protobuf.Struct', value: {k: 'v'}}
    assert.deepEqual(decode(ANY, encode(ANY, st)), st)
    const ts = {'@type': 'type.googleapis.com/google.protobuf.Timestamp', value: '2025-06-02T09:10:41Z'}
    assert.deepEqual(decode(ANY, encode(ANY, ts)), ts)
    const nested = {'@type': 'type.googleapis.com/google.protobuf.Any', value: cc}
    assert.deepEqual(decode(ANY, encode(ANY, nested)), nested)
    const body = Buffer.from('{"configs": []}')
    const debug = {'@type': 'istio.io/debug', value: body.toString('base64')}
    const back = decode(ANY, encode(ANY, debug))
    assert.deepEqual(back, debug)
    assert.deepEqual(anyBytes(back), body)
    assert.deepEqual(decode(ANY, Buffer.alloc(0)), {})
    assert.throws(() => encode(ANY, {node: {}}), /"@type" is missing/)
  })

  test('decoding skips unknown fields, merges repeated singular messages, rejects truncated input', () => {
    const base = encode(CLIENT_CONFIG, {node: {id: 'p'}})
    // field 99 (varint) and field 98 (length-delimited) are unknown
    const extra = Buffer.concat([base, Buffer.from([0x98, 0x06, 0x01, 0x92, 0x06, 0x02, 0x68, 0x69])])
    assert.deepEqual(decode(CLIENT_CONFIG, extra), {node: {id: 'p'}})
    // node given twice: the second occurrence merges into the first
    const twice = Buffer.concat([base, encode(CLIENT_CONFIG, {node: {cluster: 'c'}})])
    assert.deepEqual(decode(CLIENT_CONFIG, twice), {node: {id: 'p', cluster: 'c'}})
    assert.throws(() => decode(CLIENT_CONFIG, base.subarray(0, base.length - 1)), ProtoError)
    assert.throws(() => decode(DISCOVERY_RESPONSE, Buffer.from([0x0b])), /wire type 3/)
  })

  test('int32 negatives and int64 as decimal strings', () => {
    const st = decode('google.rpc.Status', encode('google.rpc.Status', {code: -3, message: 'x'}))
    assert.deepEqual(st, {code: -3, message: 'x'})
    const big = decode(TIMESTAMP, encode(TIMESTAMP, '9999-12-31T23:59:59Z'))
    assert.equal(big, '9999-12-31T23:59:59Z')
  })
})
