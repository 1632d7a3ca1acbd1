/**
 * src/xds/schema.ts says the same as the `.proto` files in src/xds/protos (loaded here with @grpc/proto-loader, whose
 * protobufjs substitutes its own, real, google/protobuf definitions), and src/xds/codec.ts produces bytes protobufjs
 * reads and reads the bytes protobufjs writes.
 */
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, test} from 'node:test'
import {fileURLToPath} from 'node:url'
import * as protoLoader from '@grpc/proto-loader'
import {decode, encode, type Json} from '../../src/xds/codec.js'
import {ADS_METHOD_PATH, DISCOVERY_REQUEST, DISCOVERY_RESPONSE, ENUMS, MESSAGES} from '../../src/xds/schema.js'
import {sharedUrl} from '../helpers/shared.js'

const PROTOS = fileURLToPath(new URL('../../../src/xds/protos/', import.meta.url))
const DERIVED = sharedUrl('conformance/istioctl/derived/proxy-status-xds/')

const TYPE: Record<string, string> = {
  TYPE_STRING: 'string',
  TYPE_BYTES: 'bytes',
  TYPE_BOOL: 'bool',
  TYPE_INT32: 'int32',
  TYPE_INT64: 'int64',
  TYPE_UINT32: 'uint32',
  TYPE_UINT64: 'uint64',
  TYPE_DOUBLE: 'double',
  TYPE_ENUM: 'enum',
  TYPE_MESSAGE: 'message',
}

interface FieldDescriptor {
  name: string
  number: number
  label: string
  type: string
  typeName: string
}
interface DescriptorProto {
  name: string
  field: FieldDescriptor[]
  nestedType: DescriptorProto[]
  options?: {mapEntry?: boolean} | null
}

const snake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
const last = (s: string): string => s.slice(s.lastIndexOf('.') + 1)

function load(): protoLoader.PackageDefinition {
  return protoLoader.loadSync(['envoy/service/discovery/v3/ads.proto', 'envoy/service/status/v3/csds.proto'], {includeDirs: [PROTOS], keepCase: true})
}

function descriptorOf(pkg: protoLoader.PackageDefinition, fullName: string): DescriptorProto {
  const direct = pkg[fullName] as {type?: DescriptorProto} | undefined
  if (direct?.type) return direct.type
  // nested: look the parent up and walk nestedType
  const parent = fullName.slice(0, fullName.lastIndexOf('.'))
  const d = descriptorOf(pkg, parent).nestedType.find((n) => n.name === last(fullName))
  assert.ok(d, `${fullName} is not in the .proto files`)
  return d
}

describe('xds protos', () => {
  test('schema.ts matches the .proto files: every message, field number, name, type and label; every enum', () => {
    const pkg = load()
    for (const [name, def] of Object.entries(MESSAGES)) {
      const d = descriptorOf(pkg, name)
      const fields = d.field.map((f) => ({name: snake(f.name), no: f.number, type: f.type, typeName: f.typeName, repeated: f.label === 'LABEL_REPEATED'}))
      assert.deepEqual(
        def.fields.map((f) => f.no).sort((a, b) => a - b),
        fields.map((f) => f.no).sort((a, b) => a - b),
        `${name}: field numbers`,
      )
      for (const f of def.fields) {
        const p = fields.find((x) => x.no === f.no)!
        assert.equal(f.name, p.name, `${name}.${f.name}: name`)
        if (f.mapKey) {
          // a map is a repeated entry message {key = 1, value = 2}
          const entry = d.nestedType.find((n) => n.name === last(p.typeName))!
          assert.ok(entry.options?.mapEntry, `${name}.${f.name}: map entry`)
          assert.equal(TYPE[entry.field.find((x) => x.number === 1)!.type], f.mapKey)
          const v = entry.field.find((x) => x.number === 2)!
          assert.equal(TYPE[v.type], f.type)
          assert.equal(last(v.typeName), last(f.ref!))
          continue
        }
        assert.equal(TYPE[p.type], f.type, `${name}.${f.name}: type`)
        assert.equal(p.repeated, f.repeated === true, `${name}.${f.name}: repeated`)
        if (f.ref) assert.equal(last(p.typeName), last(f.ref), `${name}.${f.name}: type name`)
      }
    }
    for (const [name, values] of Object.entries(ENUMS)) {
      const e = (pkg[name] as {type: {value: Array<{name: string; number: number}>}}).type.value
      assert.deepEqual(values, e.sort((a, b) => a.number - b.number).map((v) => v.name), name)
    }
    const ads = pkg['envoy.service.discovery.v3.AggregatedDiscoveryService'] as Record<string, {path: string; requestStream: boolean; responseStream: boolean}>
    assert.equal(ads.StreamAggregatedResources!.path, ADS_METHOD_PATH)
    assert.equal(ads.StreamAggregatedResources!.requestStream && ads.StreamAggregatedResources!.responseStream, true)
  })

  test('bytes interoperate with protobufjs: its decode+encode of ours is byte-identical, ours of its is the same JSON', () => {
    const pkg = load()
    const ads = pkg['envoy.service.discovery.v3.AggregatedDiscoveryService'] as Record<string, protoLoader.MethodDefinition<object, object>>
    const m = ads.StreamAggregatedResources!
    const input = JSON.parse(readFileSync(new URL('multi-istiod.input.json', DERIVED), 'utf8')) as Record<string, Json>
    for (const response of Object.values(input)) {
      const ours = encode(DISCOVERY_RESPONSE, response)
      const viaPbjs = m.responseSerialize(m.responseDeserialize(ours))
      assert.deepEqual(Buffer.from(viaPbjs), ours)
    }
    // a request written by protobufjs (Struct in its wire form), read by us
    const bytes = m.requestSerialize({
      version_info: 'v1',
      node: {id: 'sidecar~1.2.3.4~x.ns~ns.svc.cluster.local', metadata: {fields: {NAMESPACE: {stringValue: 'ns'}, N: {numberValue: 2}, L: {listValue: {values: [{boolValue: true}, {nullValue: 0}]}}}}},
      resource_names: ['x.ns'],
      type_url: 'istio.io/debug/config_dump',
      error_detail: {code: 3, message: 'bad', details: [{type_url: 'type.googleapis.com/google.protobuf.Struct', value: encode('google.protobuf.Struct', {a: 1})}]},
    })
    assert.deepEqual(decode(DISCOVERY_REQUEST, Buffer.from(bytes)), {
      versionInfo: 'v1',
      node: {id: 'sidecar~1.2.3.4~x.ns~ns.svc.cluster.local', metadata: {L: [true, null], N: 2, NAMESPACE: 'ns'}},
      resourceNames: ['x.ns'],
      typeUrl: 'istio.io/debug/config_dump',
      errorDetail: {code: 3, message: 'bad', details: [{'@type': 'type.googleapis.com/google.protobuf.Struct', value: {a: 1}}]},
    })
  })
})
