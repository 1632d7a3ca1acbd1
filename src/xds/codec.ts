/**
 * Protobuf binary <-> proto-JSON for the messages in ./schema.ts, with Go protojson's JSON mapping (what istioctl
 * prints and what the saved inputs under shared/conformance look like):
 * - lowerCamelCase field names, in declaration order; proto3 scalars at their default value are omitted (oneof
 *   members are kept), empty repeated fields and maps are omitted, set message fields are kept even when empty;
 * - enums by name (an unknown number stays a number), int64/uint64 as decimal strings, bytes as base64;
 * - well-known types: Struct as a plain JSON object (keys sorted), Value as any JSON value, ListValue as an array,
 *   Timestamp as an RFC 3339 string (`Z`, 0/3/6/9 fractional digits), Any as `{"@type": url, ...fields}`, or
 *   `{"@type": url, "value": <json>}` when the packed type is itself a special well-known type.
 *
 * One extension: an Any whose type this schema does not know (e.g. `istio.io/debug`, or envoy.admin.v3 config dump
 * sections) decodes to `{"@type": url, "value": "<base64 of the packed bytes>"}` instead of failing as Go's
 * protojson would, and encodes back from that form. `anyBytes()` gets the bytes back.
 *
 * Decoding skips unknown fields and merges repeated occurrences of a singular message field, as protobuf requires.
 */
import {ANY, ENUMS, type FieldDef, LIST_VALUE, MESSAGES, type MessageDef, STRUCT, TIMESTAMP, typeNameOfUrl, VALUE} from './schema.js'

export type Json = null | boolean | number | string | Json[] | JsonObject
export interface JsonObject {
  [k: string]: Json
}

export class ProtoError extends Error {
  override name = 'ProtoError'
}

/** Message types with a special JSON form (packed in an Any, they appear as `{"@type", "value"}`). */
const SPECIAL = new Set([STRUCT, VALUE, LIST_VALUE, TIMESTAMP])

function messageDef(typeName: string): MessageDef {
  const m = MESSAGES[typeName]
  if (!m) throw new ProtoError(`unknown message type ${typeName}`)
  return m
}

export function isKnownType(typeName: string): boolean {
  return typeName in MESSAGES
}

// ---------------------------------------------------------------------------------------------------------------
// wire reading

const WT_VARINT = 0
const WT_I64 = 1
const WT_LEN = 2
const WT_I32 = 5

type Raw = {wt: 0; v: bigint} | {wt: 1; b: Buffer} | {wt: 2; b: Buffer} | {wt: 5; b: Buffer}

class Reader {
  pos = 0
  constructor(readonly buf: Buffer) {}

  get done(): boolean {
    return this.pos >= this.buf.length
  }

  varint(): bigint {
    let result = 0n
    let shift = 0n
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw new ProtoError('truncated varint')
      const b = this.buf[this.pos++]!
      result |= BigInt(b & 0x7f) << shift
      if ((b & 0x80) === 0) return result
      shift += 7n
    }
    throw new ProtoError('varint longer than 10 bytes')
  }

  bytes(n: number): Buffer {
    if (this.pos + n > this.buf.length) throw new ProtoError('truncated field')
    const b = this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return b
  }

  /** One field: [field number, raw value]; groups are rejected (not used by proto3). */
  field(): [number, Raw] {
    const key = this.varint()
    const no = Number(key >> 3n)
    const wt = Number(key & 7n)
    if (no <= 0) throw new ProtoError(`invalid field number ${no}`)
    switch (wt) {
      case WT_VARINT:
        return [no, {wt, v: this.varint()}]
      case WT_I64:
        return [no, {wt, b: this.bytes(8)}]
      case WT_LEN: {
        const n = Number(this.varint())
        return [no, {wt, b: this.bytes(n)}]
      }
      case WT_I32:
        return [no, {wt, b: this.bytes(4)}]
      default:
        throw new ProtoError(`unsupported wire type ${wt} (field ${no})`)
    }
  }
}

function readFields(buf: Buffer): Map<number, Raw[]> {
  const out = new Map<number, Raw[]>()
  const r = new Reader(buf)
  while (!r.done) {
    const [no, raw] = r.field()
    const list = out.get(no)
    if (list) list.push(raw)
    else out.set(no, [raw])
  }
  return out
}

const isNumericScalar = (t: FieldDef['type']): boolean => t !== 'string' && t !== 'bytes' && t !== 'message'

/** Expands packed encodings of numeric repeated fields into single raws. */
function unpack(f: FieldDef, raws: Raw[]): Raw[] {
  if (!isNumericScalar(f.type)) return raws
  const out: Raw[] = []
  for (const raw of raws) {
    if (raw.wt !== WT_LEN) {
      out.push(raw)
      continue
    }
    const r = new Reader(raw.b)
    while (!r.done) {
      if (f.type === 'double') out.push({wt: WT_I64, b: r.bytes(8)})
      else out.push({wt: WT_VARINT, v: r.varint()})
    }
  }
  return out
}

function scalarJson(f: FieldDef, raw: Raw): Json {
  const want = (wt: number): void => {
    if (raw.wt !== wt) throw new ProtoError(`field ${f.name}: wire type ${raw.wt}, expected ${wt}`)
  }
  switch (f.type) {
    case 'string':
      want(WT_LEN)
      return (raw as {b: Buffer}).b.toString('utf8')
    case 'bytes':
      want(WT_LEN)
      return (raw as {b: Buffer}).b.toString('base64')
    case 'double': {
      want(WT_I64)
      const d = (raw as {b: Buffer}).b.readDoubleLE(0)
      return Number.isFinite(d) ? d : String(d)
    }
    case 'bool':
      want(WT_VARINT)
      return (raw as {v: bigint}).v !== 0n
    case 'int32':
      want(WT_VARINT)
      return Number(BigInt.asIntN(32, (raw as {v: bigint}).v))
    case 'uint32':
      want(WT_VARINT)
      return Number(BigInt.asUintN(32, (raw as {v: bigint}).v))
    case 'int64':
      want(WT_VARINT)
      return BigInt.asIntN(64, (raw as {v: bigint}).v).toString()
    case 'uint64':
      want(WT_VARINT)
      return BigInt.asUintN(64, (raw as {v: bigint}).v).toString()
    case 'enum': {
      want(WT_VARINT)
      const n = Number(BigInt.asIntN(32, (raw as {v: bigint}).v))
      return ENUMS[f.ref!]?.[n] ?? n
    }
    default:
      throw new ProtoError(`field ${f.name}: not a scalar`)
  }
}

function isDefaultJson(f: FieldDef, v: Json): boolean {
  if (f.type === 'enum') return v === 0 || v === ENUMS[f.ref!]?.[0]
  if (f.type === 'int64' || f.type === 'uint64') return v === '0'
  return v === '' || v === 0 || v === false
}

// ---------------------------------------------------------------------------------------------------------------
// decoding to proto-JSON

/** Decodes `buf` as `typeName` into proto-JSON. */
export function decode(typeName: string, buf: Buffer): Json {
  switch (typeName) {
    case STRUCT:
      return decodeStruct(buf)
    case VALUE:
      return decodeValue(buf)
    case LIST_VALUE:
      return decodeList(buf)
    case TIMESTAMP:
      return decodeTimestamp(buf)
    case ANY:
      return decodeAny(buf)
  }
  return decodeGeneric(messageDef(typeName), buf)
}

/** Decodes a message that is not a special well-known type: always an object. */
export function decodeObject(typeName: string, buf: Buffer): JsonObject {
  const v = decode(typeName, buf)
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ProtoError(`${typeName} does not decode to a JSON object`)
  return v
}

function lenBytes(f: FieldDef, raw: Raw): Buffer {
  if (raw.wt !== WT_LEN) throw new ProtoError(`field ${f.name}: wire type ${raw.wt}, expected ${WT_LEN}`)
  return raw.b
}

function decodeGeneric(def: MessageDef, buf: Buffer): JsonObject {
  const raws = readFields(buf)
  const out: JsonObject = {}
  for (const f of def.fields) {
    const list = raws.get(f.no)
    if (!list || list.length === 0) continue
    if (f.mapKey) {
      const m: JsonObject = {}
      for (const raw of list) {
        const entry = readFields(lenBytes(f, raw))
        const kRaw = entry.get(1)?.at(-1)
        const key = kRaw ? String(scalarJson({...f, type: f.mapKey, ref: undefined}, kRaw)) : ''
        const vRaws = entry.get(2) ?? []
        m[key] = f.type === 'message' ? decode(f.ref!, Buffer.concat(vRaws.map((r) => lenBytes(f, r)))) : vRaws.length ? scalarJson(f, vRaws.at(-1)!) : null
      }
      const keys = Object.keys(m).sort()
      if (keys.length) out[f.json] = Object.fromEntries(keys.map((k) => [k, m[k]!]))
      continue
    }
    if (f.type === 'message') {
      if (f.repeated) out[f.json] = list.map((raw) => decode(f.ref!, lenBytes(f, raw)))
      else out[f.json] = decode(f.ref!, Buffer.concat(list.map((raw) => lenBytes(f, raw))))
      continue
    }
    const values = unpack(f, list).map((raw) => scalarJson(f, raw))
    if (f.repeated) {
      if (values.length) out[f.json] = values
      continue
    }
    const v = values.at(-1)!
    if (f.oneof === undefined && isDefaultJson(f, v)) continue
    out[f.json] = v
  }
  return out
}

function decodeStruct(buf: Buffer): JsonObject {
  const o = decodeGeneric(messageDef(STRUCT), buf)
  return (o.fields as JsonObject | undefined) ?? {}
}

function decodeValue(buf: Buffer): Json {
  const o = decodeGeneric(messageDef(VALUE), buf)
  if ('nullValue' in o) return null
  if ('numberValue' in o) return o.numberValue!
  if ('stringValue' in o) return o.stringValue!
  if ('boolValue' in o) return o.boolValue!
  if ('structValue' in o) return o.structValue!
  if ('listValue' in o) return o.listValue!
  // a Value with no kind set is not valid JSON in Go's protojson; null is the closest
  return null
}

function decodeList(buf: Buffer): Json[] {
  const o = decodeGeneric(messageDef(LIST_VALUE), buf)
  return (o.values as Json[] | undefined) ?? []
}

function decodeTimestamp(buf: Buffer): string {
  const raws = readFields(buf)
  const s = raws.get(1)?.at(-1)
  const n = raws.get(2)?.at(-1)
  const seconds = s && s.wt === WT_VARINT ? BigInt.asIntN(64, s.v) : 0n
  const nanos = n && n.wt === WT_VARINT ? Number(BigInt.asIntN(32, n.v)) : 0
  return formatTimestamp(Number(seconds), nanos)
}

function decodeAny(buf: Buffer): JsonObject {
  const raws = readFields(buf)
  const u = raws.get(1)?.at(-1)
  const typeUrl = u && u.wt === WT_LEN ? u.b.toString('utf8') : ''
  const value = Buffer.concat((raws.get(2) ?? []).filter((r) => r.wt === WT_LEN).map((r) => (r as {b: Buffer}).b))
  if (!typeUrl) return value.length ? {value: value.toString('base64')} : {}
  const name = typeNameOfUrl(typeUrl)
  if (!isKnownType(name)) return {'@type': typeUrl, value: value.toString('base64')}
  if (SPECIAL.has(name) || name === ANY) return {'@type': typeUrl, value: decode(name, value)}
  return {'@type': typeUrl, ...decodeObject(name, value)}
}

/** The bytes packed in a decoded Any of a type the schema does not know (`{"@type", "value": base64}`). */
export function anyBytes(any: Json): Buffer {
  if (any === null || typeof any !== 'object' || Array.isArray(any) || typeof any.value !== 'string') {
    throw new ProtoError('not an Any of an unknown type ({"@type", "value": "<base64>"})')
  }
  return Buffer.from(any.value, 'base64')
}

// ---------------------------------------------------------------------------------------------------------------
// Timestamp text

/** Go protojson's Timestamp text: UTC, `Z`, fractional seconds with 0, 3, 6 or 9 digits. */
export function formatTimestamp(seconds: number, nanos = 0): string {
  const base = new Date(seconds * 1000).toISOString().slice(0, 19)
  if (nanos === 0) return `${base}Z`
  let frac = String(nanos).padStart(9, '0')
  if (nanos % 1_000_000 === 0) frac = frac.slice(0, 3)
  else if (nanos % 1000 === 0) frac = frac.slice(0, 6)
  return `${base}.${frac}Z`
}

export function timestampOfDate(d: Date): string {
  const ms = d.getTime()
  const seconds = Math.floor(ms / 1000)
  return formatTimestamp(seconds, (ms - seconds * 1000) * 1_000_000)
}

const TS_RE = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/

export function parseTimestamp(text: string): {seconds: number; nanos: number} {
  const m = TS_RE.exec(text)
  if (!m) throw new ProtoError(`invalid Timestamp ${JSON.stringify(text)}`)
  let seconds = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) / 1000
  const zone = m[8]!
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1
    seconds -= sign * (Number(zone.slice(1, 3)) * 3600 + Number(zone.slice(4, 6)) * 60)
  }
  const nanos = m[7] ? Number(m[7].padEnd(9, '0')) : 0
  return {seconds, nanos}
}

// ---------------------------------------------------------------------------------------------------------------
// encoding from proto-JSON

class Writer {
  private readonly chunks: Buffer[] = []
  private length = 0

  private push(b: Buffer): void {
    this.chunks.push(b)
    this.length += b.length
  }

  varint(v: bigint | number): void {
    let n = typeof v === 'bigint' ? BigInt.asUintN(64, v) : v >= 0 && Number.isSafeInteger(v) ? v : BigInt.asUintN(64, BigInt(v))
    const out: number[] = []
    if (typeof n === 'number') {
      while (n > 0x7f) {
        out.push((n % 128) | 0x80)
        n = Math.floor(n / 128)
      }
      out.push(n)
    } else {
      while (n > 0x7fn) {
        out.push(Number(n & 0x7fn) | 0x80)
        n >>= 7n
      }
      out.push(Number(n))
    }
    this.push(Buffer.from(out))
  }

  tag(no: number, wt: number): void {
    this.varint(no * 8 + wt)
  }

  lenDelimited(no: number, b: Buffer): void {
    this.tag(no, WT_LEN)
    this.varint(b.length)
    this.push(b)
  }

  double(no: number, d: number): void {
    this.tag(no, WT_I64)
    const b = Buffer.alloc(8)
    b.writeDoubleLE(d, 0)
    this.push(b)
  }

  finish(): Buffer {
    return Buffer.concat(this.chunks, this.length)
  }
}

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v)

/** Encodes proto-JSON (JSON or proto field names) as `typeName`. Unknown fields are an error. */
export function encode(typeName: string, json: Json): Buffer {
  switch (typeName) {
    case STRUCT:
      return encodeStruct(json, typeName)
    case VALUE:
      return encodeValue(json)
    case LIST_VALUE:
      return encodeList(json)
    case TIMESTAMP:
      return encodeTimestamp(json)
    case ANY:
      return encodeAny(json)
  }
  return encodeGeneric(typeName, messageDef(typeName), json)
}

function encodeGeneric(typeName: string, def: MessageDef, json: Json): Buffer {
  if (!isObject(json)) throw new ProtoError(`${typeName}: expected a JSON object, got ${JSON.stringify(json)?.slice(0, 40)}`)
  for (const key of Object.keys(json)) {
    if (!def.fields.some((x) => x.json === key || x.name === key)) throw new ProtoError(`${typeName}: unknown field ${JSON.stringify(key)}`)
  }
  // fields in field-number order, as Go's marshaller writes them
  const w = new Writer()
  for (const f of [...def.fields].sort((a, b) => a.no - b.no)) {
    const value = f.json in json ? json[f.json] : json[f.name]
    if (value === undefined || (value === null && !(f.type === 'message' && f.ref === VALUE))) continue
    writeField(w, typeName, f, value)
  }
  return w.finish()
}

function writeField(w: Writer, typeName: string, f: FieldDef, value: Json): void {
  const where = `${typeName}.${f.name}`
  if (f.mapKey) {
    if (!isObject(value)) throw new ProtoError(`${where}: expected an object`)
    for (const k of Object.keys(value).sort()) {
      const entry = new Writer()
      writeSingle(entry, where, {...f, no: 1, type: f.mapKey, ref: undefined, mapKey: undefined, oneof: 'entry'}, f.mapKey === 'bool' ? k === 'true' : k)
      writeSingle(entry, where, {...f, no: 2, mapKey: undefined, oneof: 'entry'}, value[k]!)
      w.lenDelimited(f.no, entry.finish())
    }
    return
  }
  if (f.repeated) {
    if (!Array.isArray(value)) throw new ProtoError(`${where}: expected an array`)
    for (const item of value) writeSingle(w, where, {...f, oneof: 'repeated'}, item)
    return
  }
  writeSingle(w, where, f, value)
}

function toBigInt(where: string, v: Json): bigint {
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v)
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v)
  throw new ProtoError(`${where}: expected an integer, got ${JSON.stringify(v)}`)
}

function writeSingle(w: Writer, where: string, f: FieldDef, v: Json): void {
  const keepDefault = f.oneof !== undefined
  switch (f.type) {
    case 'message':
      w.lenDelimited(f.no, encode(f.ref!, v))
      return
    case 'string':
      if (typeof v !== 'string') throw new ProtoError(`${where}: expected a string`)
      if (v !== '' || keepDefault) w.lenDelimited(f.no, Buffer.from(v, 'utf8'))
      return
    case 'bytes':
      if (typeof v !== 'string') throw new ProtoError(`${where}: expected base64 text`)
      if (v !== '' || keepDefault) w.lenDelimited(f.no, Buffer.from(v, 'base64'))
      return
    case 'bool':
      if (typeof v !== 'boolean') throw new ProtoError(`${where}: expected a boolean`)
      if (v || keepDefault) {
        w.tag(f.no, WT_VARINT)
        w.varint(v ? 1 : 0)
      }
      return
    case 'double': {
      const d = typeof v === 'number' ? v : v === 'NaN' ? Number.NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : undefined
      if (d === undefined) throw new ProtoError(`${where}: expected a number`)
      if (d !== 0 || keepDefault) w.double(f.no, d)
      return
    }
    case 'enum': {
      let n: number
      if (typeof v === 'number') n = v
      else if (typeof v === 'string') {
        n = ENUMS[f.ref!]?.indexOf(v) ?? -1
        if (n < 0) throw new ProtoError(`${where}: unknown ${f.ref} value ${JSON.stringify(v)}`)
      } else throw new ProtoError(`${where}: expected an enum name`)
      if (n !== 0 || keepDefault) {
        w.tag(f.no, WT_VARINT)
        w.varint(BigInt(n))
      }
      return
    }
    default: {
      const n = toBigInt(where, v)
      if (n !== 0n || keepDefault) {
        w.tag(f.no, WT_VARINT)
        w.varint(f.type === 'uint32' || f.type === 'uint64' ? BigInt.asUintN(64, n) : n)
      }
    }
  }
}

function encodeStruct(json: Json, where = STRUCT): Buffer {
  if (!isObject(json)) throw new ProtoError(`${where}: expected a JSON object`)
  const w = new Writer()
  for (const k of Object.keys(json).sort()) {
    const v = json[k]!
    const entry = new Writer()
    entry.lenDelimited(1, Buffer.from(k, 'utf8'))
    entry.lenDelimited(2, encodeValue(v))
    w.lenDelimited(1, entry.finish())
  }
  return w.finish()
}

function encodeValue(json: Json): Buffer {
  const w = new Writer()
  if (json === null) {
    w.tag(1, WT_VARINT)
    w.varint(0)
  } else if (typeof json === 'number') w.double(2, json)
  else if (typeof json === 'string') w.lenDelimited(3, Buffer.from(json, 'utf8'))
  else if (typeof json === 'boolean') {
    w.tag(4, WT_VARINT)
    w.varint(json ? 1 : 0)
  } else if (Array.isArray(json)) w.lenDelimited(6, encodeList(json))
  else w.lenDelimited(5, encodeStruct(json))
  return w.finish()
}

function encodeList(json: Json): Buffer {
  if (!Array.isArray(json)) throw new ProtoError(`${LIST_VALUE}: expected an array`)
  const w = new Writer()
  for (const v of json) w.lenDelimited(1, encodeValue(v))
  return w.finish()
}

function encodeTimestamp(json: Json): Buffer {
  if (typeof json !== 'string') throw new ProtoError(`${TIMESTAMP}: expected an RFC 3339 string`)
  const {seconds, nanos} = parseTimestamp(json)
  const w = new Writer()
  if (seconds !== 0) {
    w.tag(1, WT_VARINT)
    w.varint(BigInt(seconds))
  }
  if (nanos !== 0) {
    w.tag(2, WT_VARINT)
    w.varint(BigInt(nanos))
  }
  return w.finish()
}

function encodeAny(json: Json): Buffer {
  if (!isObject(json)) throw new ProtoError(`${ANY}: expected a JSON object`)
  const typeUrl = json['@type']
  const w = new Writer()
  if (typeUrl === undefined) {
    if (Object.keys(json).length === 0) return w.finish()
    throw new ProtoError(`${ANY}: "@type" is missing`)
  }
  if (typeof typeUrl !== 'string' || typeUrl === '') throw new ProtoError(`${ANY}: "@type" must be a type URL`)
  const name = typeNameOfUrl(typeUrl)
  let value: Buffer
  if (!isKnownType(name)) value = anyBytes(json)
  else if (SPECIAL.has(name) || name === ANY) value = encode(name, json.value ?? null)
  else {
    const {'@type': _t, ...fields} = json
    value = encode(name, fields)
  }
  w.lenDelimited(1, Buffer.from(typeUrl, 'utf8'))
  if (value.length) w.lenDelimited(2, value)
  return w.finish()
}

