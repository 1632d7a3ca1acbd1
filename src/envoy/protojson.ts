/**
 * Envoy admin JSON → the proto-JSON form istioctl prints for `-o json|yaml`: message field names in
 * lowerCamelCase, Envoy's key order kept, `@type` kept, the keys of map fields and of
 * google.protobuf.Struct values sorted byte-wise and NOT renamed (they are data, not field names).
 * Verified byte-identical to istioctl's EDS and ECDS JSON goldens. Input already in camelCase passes
 * through unchanged (apart from map/Struct key order).
 *
 * Without Envoy's schema, map and Struct fields are recognised by name (see MAP_FIELDS / STRUCT_FIELDS);
 * the list covers what Istio, Envoy Gateway, Consul and Higress dumps use.
 */
import {isObject, type Json, type JsonObject, toCamel} from './fields.js'

/** map<string, message> fields: keys kept and sorted, values converted as messages. */
const MAP_OF_MESSAGES = new Set([
  'typed_filter_metadata',
  'typed_per_filter_config',
  'typed_extension_protocol_options',
  'source_codes',
  'providers',
  'policies',
  'requirement_map',
  'filter_state_objects',
  'clusters_map',
])
/** map<string, Struct> fields: keys kept and sorted, values are Structs. */
const MAP_OF_STRUCTS = new Set(['filter_metadata', 'extension_protocol_options', 'per_filter_config'])
/** map<string, scalar> fields. */
const MAP_OF_SCALARS = new Set(['key_values', 'dimensions', 'labels', 'annotations'])
/** fields whose value is a google.protobuf.Struct. */
const STRUCT_FIELDS = new Set(['static_layer', 'struct_value'])

function camelSet(names: Set<string>): Set<string> {
  const out = new Set(names)
  for (const n of names) out.add(toCamel(n))
  return out
}
const MAP_MSG = camelSet(MAP_OF_MESSAGES)
const MAP_STRUCT = camelSet(MAP_OF_STRUCTS)
const MAP_SCALAR = camelSet(MAP_OF_SCALARS)
const STRUCTS = camelSet(STRUCT_FIELDS)

/** `metadata` is a Struct (not core.Metadata) under a Node and a BuildVersion. */
const STRUCT_METADATA_PARENTS = new Set(['node', 'user_agent_build_version', 'userAgentBuildVersion', 'version'])

const STRUCT_TYPES = new Set(['type.googleapis.com/google.protobuf.Struct', 'type.googleapis.com/google.protobuf.Value'])
const TYPED_STRUCT_TYPES = new Set(['type.googleapis.com/udpa.type.v1.TypedStruct', 'type.googleapis.com/xds.type.v3.TypedStruct'])

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** A Struct (or any JSON value inside one): object keys sorted recursively, nothing renamed. */
function sortedStruct(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortedStruct)
  if (!isObject(v)) return v
  const out: JsonObject = {}
  for (const k of Object.keys(v).sort(byteOrder)) out[k] = sortedStruct(v[k])
  return out
}

function convertMap(v: Json, values: 'message' | 'struct' | 'scalar'): Json {
  if (!isObject(v)) return convertMessage(v)
  const out: JsonObject = {}
  for (const k of Object.keys(v).sort(byteOrder)) {
    const item = v[k]
    out[k] = values === 'message' ? convertMessage(item) : values === 'struct' ? sortedStruct(item) : item
  }
  return out
}

/**
 * What the value under `key` of the message `obj` is, by the same rules convertMessage applies: a message (field
 * names are proto field names), a Struct (keys and values are data), or a map (keys are data; values messages,
 * Structs or scalars). `parentKey` is the field that holds `obj` (a Node's `metadata` is a Struct). For readers that
 * walk a resource in either spelling without converting it (diff).
 */
export type FieldKind = 'message' | 'struct' | 'map-message' | 'map-struct' | 'map-scalar'

const KIND_BY_KEY = new Map<string, FieldKind>([
  ...[...STRUCTS].map((k) => [k, 'struct'] as const),
  ...[...MAP_STRUCT].map((k) => [k, 'map-struct'] as const),
  ...[...MAP_MSG].map((k) => [k, 'map-message'] as const),
  ...[...MAP_SCALAR].map((k) => [k, 'map-scalar'] as const),
])

export function fieldKind(obj: JsonObject, key: string, parentKey: string): FieldKind {
  // the same decisions as convertMessage, cheapest first: most keys are none of these
  if (key === 'value') {
    const type = obj['@type']
    if (typeof type === 'string' && (STRUCT_TYPES.has(type) || TYPED_STRUCT_TYPES.has(type))) return 'struct'
  } else if (key === 'metadata') {
    if (STRUCT_METADATA_PARENTS.has(parentKey)) return 'struct'
  } else if (key === 'config') {
    if (typeof obj['@type'] !== 'string' && typeof obj.name === 'string' && obj.typed_config === undefined && obj.typedConfig === undefined) return 'struct'
  }
  return KIND_BY_KEY.get(key) ?? 'message'
}

/** Converts a message (or a list of them) to proto-JSON naming. */
export function convertMessage(v: Json, parentKey = ''): Json {
  if (Array.isArray(v)) return v.map((x) => convertMessage(x, parentKey))
  if (!isObject(v)) return v
  const type = typeof v['@type'] === 'string' ? (v['@type'] as string) : ''
  const out: JsonObject = {}
  for (const key of Object.keys(v)) {
    const val = v[key]
    const name = key === '@type' ? key : toCamel(key)
    if (key === '@type') out[key] = val
    else if (STRUCT_TYPES.has(type) && key === 'value') out[name] = sortedStruct(val)
    else if (TYPED_STRUCT_TYPES.has(type) && key === 'value') out[name] = sortedStruct(val)
    else if (STRUCTS.has(key)) out[name] = sortedStruct(val)
    else if (key === 'metadata' && STRUCT_METADATA_PARENTS.has(parentKey)) out[name] = sortedStruct(val)
    // v2-era filters carried their config as a Struct in `config` next to `name` (no typed_config)
    else if (key === 'config' && !type && typeof v.name === 'string' && v.typed_config === undefined && v.typedConfig === undefined) out[name] = sortedStruct(val)
    else if (MAP_STRUCT.has(key)) out[name] = convertMap(val, 'struct')
    else if (MAP_MSG.has(key)) out[name] = convertMap(val, 'message')
    else if (MAP_SCALAR.has(key)) out[name] = convertMap(val, 'scalar')
    else out[name] = convertMessage(val, key)
  }
  return out
}

/** An Envoy resource as istioctl prints it in arrays: proto-JSON, without the Any's own `@type`. */
export function resourceJson(resource: Json): Json {
  const converted = convertMessage(resource)
  if (isObject(converted) && '@type' in converted) {
    const {'@type': _drop, ...rest} = converted
    return rest
  }
  return converted
}
