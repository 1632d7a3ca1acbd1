/**
 * Certificates the proxy holds in SDS secrets: expired, not yet valid, or expiring within `--cert-warn`; and the
 * workload chain (`default`) not issued by the root the proxy trusts (`ROOTCA`), which breaks mTLS with every peer
 * that trusts that root. The time compared against is the check's time (a saved dump's own time when it tells).
 */
import type {X509Certificate} from 'node:crypto'
import {chainIssuedBy, decodeInlineBytes, parseCertificates} from '../envoy/certs.js'
import {getObject, getString, type JsonObject} from '../envoy/fields.js'
import type {ConfigGraph} from '../graph/graph.js'
import {humanDuration} from '../istiod/age.js'
import {makeFinding} from './registry.js'
import type {CheckOptions, Finding} from './types.js'

/** PEM text of a DataSource (`inline_bytes` base64, `inline_string`); '' for files and absent sources. */
function dataSourceText(ds: JsonObject | undefined): string {
  if (!ds) return ''
  const bytes = getString(ds, 'inline_bytes')
  if (bytes !== '') return decodeInlineBytes(bytes)
  return getString(ds, 'inline_string')
}

function secretPem(raw: JsonObject): {chain: string; trusted: string} {
  const chain = dataSourceText(getObject(getObject(raw, 'tls_certificate'), 'certificate_chain'))
  const vc = getObject(raw, 'validation_context')
  const trusted = dataSourceText(getObject(vc, 'trusted_ca'))
  return {chain, trusted}
}

const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z')

function subjectOf(c: X509Certificate): string {
  const uri = /URI:([^,\s]+)/.exec(c.subjectAltName ?? '')
  if (uri) return uri[1]!
  const dns = /DNS:([^,\s]+)/.exec(c.subjectAltName ?? '')
  if (dns) return dns[1]!
  return c.subject.replace(/\n/g, ', ') || '(no subject)'
}

export function checkCerts(graph: ConfigGraph, opts: CheckOptions): Finding[] {
  const out: Finding[] = []
  const now = opts.time.at.getTime()
  let workloadChain: X509Certificate[] | undefined
  let roots: X509Certificate[] | undefined
  for (const [name, copies] of graph.secretCopies) {
    const s = copies.find((c) => c.state !== 'warming')
    if (!s) continue
    const {chain, trusted} = secretPem(s.raw)
    const resource = {type: 'secret', name}
    for (const [kind, pem] of [
      ['certificate', chain],
      ['trusted CA', trusted],
    ] as const) {
      if (pem === '') continue
      const {certs, skipped} = parseCertificates(pem)
      if (certs.length === 0 || skipped > 0) {
        out.push(makeFinding(opts.proxy, 'CERT_UNREADABLE', resource, `the ${kind} does not decode as X.509 PEM${certs.length > 0 ? ` (${skipped} of ${certs.length + skipped} blocks)` : ''}`))
        if (certs.length === 0) continue
      }
      if (kind === 'certificate' && name === 'default') workloadChain = certs
      if (kind === 'trusted CA' && name === 'ROOTCA') roots = certs
      // the worst certificate of the bundle decides: expired, then not yet valid, then the soonest expiry
      let worst: {code: 'CERT_EXPIRED' | 'CERT_NOT_YET_VALID' | 'CERT_EXPIRING'; message: string; rank: number; at: number} | undefined
      for (const c of certs) {
        const to = Date.parse(c.validTo)
        const from = Date.parse(c.validFrom)
        const who = subjectOf(c)
        let cand: typeof worst
        if (to <= now) cand = {code: 'CERT_EXPIRED', rank: 3, at: to, message: `${kind} ${who} expired ${humanDuration(now - to)} ago (${iso(new Date(to))})`}
        else if (from > now) cand = {code: 'CERT_NOT_YET_VALID', rank: 2, at: from, message: `${kind} ${who} is not valid before ${iso(new Date(from))} (in ${humanDuration(from - now)})`}
        else if (to - now <= opts.certWarnMs) cand = {code: 'CERT_EXPIRING', rank: 1, at: to, message: `${kind} ${who} expires in ${humanDuration(to - now)} (${iso(new Date(to))})`}
        if (cand && (!worst || cand.rank > worst.rank || (cand.rank === worst.rank && cand.at < worst.at))) worst = cand
      }
      if (worst) out.push(makeFinding(opts.proxy, worst.code, resource, worst.message, certHint(name, worst.code)))
    }
  }
  if (workloadChain && roots && !chainIssuedBy(workloadChain, roots)) {
    out.push(
      makeFinding(
        opts.proxy,
        'CERT_ROOT_MISMATCH',
        {type: 'secret', name: 'default'},
        `the workload certificate ${subjectOf(workloadChain[0]!)} is not issued by the ROOTCA the proxy trusts (issuer: ${workloadChain[workloadChain.length - 1]!.issuer.replace(/\n/g, ', ')})`,
        'the mesh root changed (or a plugged-in CA was added) and this workload still has a certificate from the old one: restart it, or trust both roots during the migration',
      ),
    )
  }
  return out
}

function certHint(name: string, code: string): string {
  if (name.startsWith('kubernetes://')) return `renew the Kubernetes Secret ${name.slice('kubernetes://'.length)} (cert-manager?)`
  if (code === 'CERT_NOT_YET_VALID') return 'clock skew between the node and the CA'
  if (name === 'default') return 'istio-agent is not rotating the workload certificate: check it can reach istiod (CSR errors in its log)'
  if (name === 'ROOTCA') return 'the mesh root CA needs rotating (see Istio\'s plugin CA / root cert rotation docs)'
  return 'renew the certificate at its source'
}

