/** Reading the PEM certificates Envoy holds in SDS secrets (for `pc secret`). */
import {X509Certificate} from 'node:crypto'

export interface CertSummary {
  /** `CA` or `Cert Chain` */
  type: string
  /** lowercase hex, zero-padded to at least 32 digits (istioctl ≥ 1.29) */
  serial: string
  notAfter: string
  notBefore: string
  notAfterDate: Date
  notBeforeDate: Date
  /** host of the first spiffe:// URI SAN, or '' */
  trustDomain: string
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/

/** RFC 3339 in UTC, second precision: 2033-05-02T03:41:33Z. */
function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** Summarises the first certificate of a PEM bundle; undefined when there is none or it does not parse. */
export function summarizeFirstCert(pem: string): CertSummary | undefined {
  const block = PEM_BLOCK.exec(pem)
  if (!block) return undefined
  let cert: X509Certificate
  try {
    cert = new X509Certificate(block[0])
  } catch {
    return undefined
  }
  const notBeforeDate = new Date(cert.validFrom)
  const notAfterDate = new Date(cert.validTo)
  if (Number.isNaN(notBeforeDate.getTime()) || Number.isNaN(notAfterDate.getTime())) return undefined
  const serial = cert.serialNumber.toLowerCase().replace(/^0+(?=.)/, '').padStart(32, '0')
  const spiffe = /URI:spiffe:\/\/([^/,\s]+)/.exec(cert.subjectAltName ?? '')
  return {
    type: cert.ca ? 'CA' : 'Cert Chain',
    serial,
    notAfter: rfc3339(notAfterDate),
    notBefore: rfc3339(notBeforeDate),
    notAfterDate,
    notBeforeDate,
    trustDomain: spiffe ? spiffe[1] : '',
  }
}

/** Decodes an SDS `inline_bytes` value (base64 in JSON); plain PEM text is accepted as well. */
export function decodeInlineBytes(value: string): string {
  if (value.includes('-----BEGIN')) return value
  return Buffer.from(value, 'base64').toString('utf8')
}

const PEM_BLOCKS = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g

/** Every certificate of a PEM bundle, in order; blocks that do not parse are skipped (`skipped` counts them). */
export function parseCertificates(pem: string): {certs: X509Certificate[]; skipped: number} {
  const certs: X509Certificate[] = []
  let skipped = 0
  for (const m of pem.matchAll(PEM_BLOCKS)) {
    try {
      certs.push(new X509Certificate(m[0]))
    } catch {
      skipped++
    }
  }
  return {certs, skipped}
}

/**
 * Whether `chain` (leaf first, as in an SDS `tls_certificate`) leads to one of `roots`: its last certificate is one
 * of the roots, or names one as issuer and carries a signature that root's key verifies.
 */
export function chainIssuedBy(chain: readonly X509Certificate[], roots: readonly X509Certificate[]): boolean {
  const top = chain[chain.length - 1]
  if (!top) return false
  for (const root of roots) {
    if (top.fingerprint256 === root.fingerprint256) return true
    try {
      if (top.checkIssued(root) && top.verify(root.publicKey)) return true
    } catch {
      // a key type the runtime cannot verify: not proven
    }
  }
  return false
}
