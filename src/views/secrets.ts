/** `pc secret`: SDS secrets with certificate details (docs/istioctl-behaviour.md §4.6). */
import {decodeInlineBytes, summarizeFirstCert} from '../envoy/certs.js'
import type {ConfigDump} from '../envoy/document.js'
import {get, getArray, getObject, getString, type Json, type JsonObject, typeUrl} from '../envoy/fields.js'
import {resourceJson} from '../envoy/protojson.js'
import type {Row} from '../output/tabwriter.js'
import {header, table, text, type ViewResult} from './types.js'

interface SecretItem {
  name: string
  state: 'ACTIVE' | 'WARMING'
  data: string
  trustDomain: string
}

function itemsOf(entry: Json, state: SecretItem['state']): SecretItem[] {
  const name = getString(entry, 'name')
  const secret = get(entry, 'secret')
  const chain = getString(getObject(get(secret, 'tls_certificate'), 'certificate_chain'), 'inline_bytes')
  if (chain !== '') return [{name, state, data: decodeInlineBytes(chain), trustDomain: ''}]
  const vc = get(secret, 'validation_context')
  const ca = getString(getObject(vc, 'trusted_ca'), 'inline_bytes')
  if (ca !== '') return [{name, state, data: decodeInlineBytes(ca), trustDomain: ''}]
  const custom = getObject(getObject(vc, 'custom_validator_config'), 'typed_config')
  if (custom && typeUrl(custom).endsWith('.tls.v3.SPIFFECertValidatorConfig')) {
    return getArray(custom, 'trust_domains').map((td) => ({
      name,
      state,
      data: decodeInlineBytes(getString(getObject(td, 'trust_bundle'), 'inline_bytes')),
      trustDomain: getString(td, 'name'),
    }))
  }
  return [{name, state, data: '', trustDomain: ''}]
}

/** Rows of the secret table (without header); `prefix` is `secret/` in `pc all`; `now` decides VALID CERT. */
export function secretRows(section: JsonObject, now: Date, prefix = ''): {rows: Row[]; withTrustDomain: boolean; count: number} {
  const items = [
    ...getArray(section, 'dynamic_warming_secrets').flatMap((e) => itemsOf(e, 'WARMING')),
    ...getArray(section, 'dynamic_active_secrets').flatMap((e) => itemsOf(e, 'ACTIVE')),
  ]
  const summaries = items.map((it) => {
    const cert = it.data ? summarizeFirstCert(it.data) : undefined
    return {it, cert, trustDomain: it.trustDomain || cert?.trustDomain || ''}
  })
  const withTrustDomain = summaries.length > 0 && summaries.every((s) => s.trustDomain !== '')
  const rows: Row[] = summaries.map(({it, cert, trustDomain}) => {
    const valid = cert !== undefined && now > cert.notBeforeDate && now < cert.notAfterDate
    const row: Row = [
      prefix + it.name,
      cert?.type ?? '',
      it.state === 'WARMING' ? {text: it.state, style: 'warn'} : it.state,
      valid ? {text: 'true', style: 'good'} : {text: 'false', style: 'bad'},
      cert?.serial ?? '',
      cert?.notAfter ?? '',
      cert?.notBefore ?? '',
    ]
    if (withTrustDomain) row.push(trustDomain)
    return row
  })
  return {rows, withTrustDomain, count: items.length}
}

export function secretsView(dump: ConfigDump, now: Date, prefix = ''): ViewResult {
  const section = dump.requireSection('secrets')
  const data = (): Json => resourceJson(section)
  if (getArray(section, 'dynamic_active_secrets').length === 0 && getArray(section, 'dynamic_warming_secrets').length === 0) {
    return {blocks: [text('No active or warming secrets found.\n')], data}
  }
  const {rows, withTrustDomain, count} = secretRows(section, now, prefix)
  if (count === 0) return {blocks: [text('No secret items to show.\n')], data}
  const names = ['RESOURCE NAME', 'TYPE', 'STATUS', 'VALID CERT', 'SERIAL NUMBER', 'NOT AFTER', 'NOT BEFORE']
  if (withTrustDomain) names.push('TRUST DOMAIN')
  return {blocks: [table([header(...names), ...rows], 5)], data}
}
