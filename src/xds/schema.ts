/**
 * The protobuf schema meshctl's xDS code uses, as a table: the same messages, enums and field numbers as the `.proto`
 * files in ./protos (themselves subsets of the real envoy / googleapis / protobuf definitions). Keeping the schema in
 * TypeScript means nothing has to locate `.proto` files at run time (they are not copied to dist/ nor packaged) and
 * no protobuf runtime is needed; test/unit/xds-protos.test.ts checks this table against the `.proto` files with
 * @grpc/proto-loader.
 *
 * Field order in each message is declaration order, which is also the order proto-JSON output uses.
 */

export type ScalarType = 'string' | 'bytes' | 'bool' | 'int32' | 'int64' | 'uint32' | 'uint64' | 'double'

export interface FieldDef {
  /** proto field name (snake_case) */
  name: string
  /** proto-JSON name (lowerCamelCase) */
  json: string
  no: number
  /** a scalar, or `enum` / `message` with `ref` = the full type name */
  type: ScalarType | 'enum' | 'message'
  ref?: string
  repeated?: boolean
  /** map<key, value>: `type`/`ref` describe the value */
  mapKey?: ScalarType
  /** member of this oneof (explicit presence: emitted even when default) */
  oneof?: string
}

export interface MessageDef {
  fields: FieldDef[]
}

/** enum name -> value names by number (no gaps in the enums used here) */
export type EnumDef = string[]

const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase())

function f(no: number, name: string, type: FieldDef['type'], opts: Partial<Omit<FieldDef, 'no' | 'name' | 'type' | 'json'>> = {}): FieldDef {
  return {name, json: camel(name), no, type, ...opts}
}
const msg = (ref: string, opts: Partial<FieldDef> = {}): Partial<FieldDef> & {ref: string} => ({ref, ...opts})

export const ANY = 'google.protobuf.Any'
export const STRUCT = 'google.protobuf.Struct'
export const VALUE = 'google.protobuf.Value'
export const LIST_VALUE = 'google.protobuf.ListValue'
export const TIMESTAMP = 'google.protobuf.Timestamp'
export const NULL_VALUE = 'google.protobuf.NullValue'
export const DISCOVERY_REQUEST = 'envoy.service.discovery.v3.DiscoveryRequest'
export const DISCOVERY_RESPONSE = 'envoy.service.discovery.v3.DiscoveryResponse'
export const CLIENT_CONFIG = 'envoy.service.status.v3.ClientConfig'
export const NODE = 'envoy.config.core.v3.Node'

export const MESSAGES: Record<string, MessageDef> = {
  [ANY]: {fields: [f(1, 'type_url', 'string'), f(2, 'value', 'bytes')]},
  [STRUCT]: {fields: [f(1, 'fields', 'message', {ref: VALUE, mapKey: 'string'})]},
  [VALUE]: {
    fields: [
      f(1, 'null_value', 'enum', {ref: NULL_VALUE, oneof: 'kind'}),
      f(2, 'number_value', 'double', {oneof: 'kind'}),
      f(3, 'string_value', 'string', {oneof: 'kind'}),
      f(4, 'bool_value', 'bool', {oneof: 'kind'}),
      f(5, 'struct_value', 'message', {ref: STRUCT, oneof: 'kind'}),
      f(6, 'list_value', 'message', {ref: LIST_VALUE, oneof: 'kind'}),
    ],
  },
  [LIST_VALUE]: {fields: [f(1, 'values', 'message', {ref: VALUE, repeated: true})]},
  [TIMESTAMP]: {fields: [f(1, 'seconds', 'int64'), f(2, 'nanos', 'int32')]},
  'google.rpc.Status': {fields: [f(1, 'code', 'int32'), f(2, 'message', 'string'), f(3, 'details', 'message', msg(ANY, {repeated: true}))]},
  'envoy.config.core.v3.Locality': {fields: [f(1, 'region', 'string'), f(2, 'zone', 'string'), f(3, 'sub_zone', 'string')]},
  [NODE]: {
    fields: [
      f(1, 'id', 'string'),
      f(2, 'cluster', 'string'),
      f(3, 'metadata', 'message', msg(STRUCT)),
      f(4, 'locality', 'message', msg('envoy.config.core.v3.Locality')),
      f(6, 'user_agent_name', 'string'),
      f(7, 'user_agent_version', 'string', {oneof: 'user_agent_version_type'}),
      f(10, 'client_features', 'string', {repeated: true}),
    ],
  },
  'envoy.config.core.v3.ControlPlane': {fields: [f(1, 'identifier', 'string')]},
  'envoy.admin.v3.UpdateFailureState': {
    fields: [f(1, 'failed_configuration', 'message', msg(ANY)), f(2, 'last_update_attempt', 'message', msg(TIMESTAMP)), f(3, 'details', 'string'), f(4, 'version_info', 'string')],
  },
  [DISCOVERY_REQUEST]: {
    fields: [
      f(1, 'version_info', 'string'),
      f(2, 'node', 'message', msg(NODE)),
      f(3, 'resource_names', 'string', {repeated: true}),
      f(4, 'type_url', 'string'),
      f(5, 'response_nonce', 'string'),
      f(6, 'error_detail', 'message', msg('google.rpc.Status')),
    ],
  },
  [DISCOVERY_RESPONSE]: {
    fields: [
      f(1, 'version_info', 'string'),
      f(2, 'resources', 'message', msg(ANY, {repeated: true})),
      f(3, 'canary', 'bool'),
      f(4, 'type_url', 'string'),
      f(5, 'nonce', 'string'),
      f(6, 'control_plane', 'message', msg('envoy.config.core.v3.ControlPlane')),
    ],
  },
  'envoy.service.status.v3.ClientConfig.GenericXdsConfig': {
    fields: [
      f(1, 'type_url', 'string'),
      f(2, 'name', 'string'),
      f(3, 'version_info', 'string'),
      f(4, 'xds_config', 'message', msg(ANY)),
      f(5, 'last_updated', 'message', msg(TIMESTAMP)),
      f(6, 'config_status', 'enum', {ref: 'envoy.service.status.v3.ConfigStatus'}),
      f(7, 'client_status', 'enum', {ref: 'envoy.admin.v3.ClientResourceStatus'}),
      f(8, 'error_state', 'message', msg('envoy.admin.v3.UpdateFailureState')),
      f(9, 'is_static_resource', 'bool'),
    ],
  },
  [CLIENT_CONFIG]: {
    fields: [
      f(1, 'node', 'message', msg(NODE)),
      f(3, 'generic_xds_configs', 'message', msg('envoy.service.status.v3.ClientConfig.GenericXdsConfig', {repeated: true})),
      f(4, 'client_scope', 'string'),
    ],
  },
}

export const ENUMS: Record<string, EnumDef> = {
  [NULL_VALUE]: ['NULL_VALUE'],
  'envoy.service.status.v3.ConfigStatus': ['UNKNOWN', 'SYNCED', 'NOT_SENT', 'STALE', 'ERROR'],
  'envoy.service.status.v3.ClientConfigStatus': ['CLIENT_UNKNOWN', 'CLIENT_REQUESTED', 'CLIENT_ACKED', 'CLIENT_NACKED', 'CLIENT_RECEIVED_ERROR'],
  'envoy.admin.v3.ClientResourceStatus': ['UNKNOWN', 'REQUESTED', 'DOES_NOT_EXIST', 'ACKED', 'NACKED', 'RECEIVED_ERROR', 'TIMEOUT'],
}

/** `type.googleapis.com/envoy.service.status.v3.ClientConfig` -> `envoy.service.status.v3.ClientConfig` */
export function typeNameOfUrl(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('/') + 1)
}

export function typeUrlOf(typeName: string): string {
  return `type.googleapis.com/${typeName}`
}

/** The ADS method, as grpc-js names it. */
export const ADS_METHOD_PATH = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources'
