/**
 * `pc rootca-compare`: the root CA certificates a proxy trusts for mesh mTLS, and whether two proxies share one
 * (docs/istioctl-behaviour.md §4.12). istioctl reads the `ROOTCA` secret of the dynamic active secrets
 * (`validation_context.trusted_ca.inline_bytes`) and calls two proxies compatible when any certificate of one equals
 * any certificate of the other; meshctl also reads the trust bundles of a SPIFFE validator (Istio's multi-trust-domain
 * form of the same secret). Pure.
 */
import {decodeInlineBytes} from '../envoy/certs.js'
import type {ConfigDump} from '../envoy/document.js'
import {get, getArray, getObject, getString, typeUrl} from '../envoy/fields.js'
import {InputError} from '../errors/index.js'

const PEM_BLOCKS = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g

/** Each certificate of a PEM bundle as its base64 DER text (whitespace removed), so equal certificates compare equal. */
export function pemCertificates(pem: string): string[] {
  return [...pem.matchAll(PEM_BLOCKS)].map((m) => m[1]!.replace(/\s+/g, ''))
}

/** The certificates of the proxy's active `ROOTCA` secret; none -> istioctl's `cannot find ROOTCA from secret`. */
export function rootCaCertificates(dump: ConfigDump, proxy: string): string[] {
  const section = dump.requireSection('secrets')
  const rootca = getArray(section, 'dynamic_active_secrets').find((s) => getString(s, 'name') === 'ROOTCA')
  const vc = get(get(rootca, 'secret'), 'validation_context')
  const pems = [getString(getObject(vc, 'trusted_ca'), 'inline_bytes')]
  const custom = getObject(getObject(vc, 'custom_validator_config'), 'typed_config')
  if (custom && typeUrl(custom).endsWith('.tls.v3.SPIFFECertValidatorConfig')) {
    for (const td of getArray(custom, 'trust_domains')) pems.push(getString(getObject(td, 'trust_bundle'), 'inline_bytes'))
  }
  const certs = pems.filter((p) => p !== '').flatMap((p) => pemCertificates(decodeInlineBytes(p)))
  if (certs.length === 0) throw new InputError(`cannot find ROOTCA from secret of ${proxy}`, {code: 'E_NO_ROOTCA', hint: `see its secrets with \`pc secret ${proxy}\``})
  return certs
}

/** True when some certificate of `a` is also one of `b`. */
export function shareRootCa(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a)
  return b.some((c) => set.has(c))
}

export const rootCaMatchText = (p1: string, p2: string): string =>
  `Both [${p1}] and [${p2}] have the identical ROOTCA, theoretically the connectivity between them is available`
export const rootCaMismatchText = (p1: string, p2: string): string =>
  `Both [${p1}] and [${p2}] have the non identical ROOTCA, theoretically the connectivity between them is unavailable`
