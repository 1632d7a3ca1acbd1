/**
 * SDS as Envoy dumps it: the workload certificate chain (`default`), the mesh root (`ROOTCA`), and for
 * gateways the `kubernetes://<credentialName>` server certificates. PEM goes into `inline_bytes`, which
 * proto JSON writes as base64; private keys are always `[redacted]`.
 */
import type {CertValidity} from '../certs.js'
import {gatewayCertChainPem, rootCertPem, workloadCertChainPem} from '../certs.js'
import type {ProxyContext} from './common.js'
import {T} from './common.js'
import type {ProxyPlan} from './plan.js'

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64')
const REDACTED = b64('[redacted]')

/** Istio backdates workload certificates slightly; here: 2 minutes before the mesh epoch, until 2045. */
export function defaultLeafValidity(ctx: ProxyContext): CertValidity {
  return {notBefore: ctx.clock.at(-120_000).replace('.000Z', 'Z'), notAfter: '2045-01-01T00:00:00Z'}
}

function tlsCertificateSecret(name: string, chainPem: string): object {
  return {
    '@type': T.secret,
    name,
    tls_certificate: {certificate_chain: {inline_bytes: b64(chainPem)}, private_key: {inline_bytes: REDACTED}},
  }
}

export function dynamicActiveSecrets(ctx: ProxyContext, plan: ProxyPlan): object[] {
  const {mesh, pod} = ctx
  const validity = ctx.opts.leafValidity ?? defaultLeafValidity(ctx)
  const chain = workloadCertChainPem(mesh.trustDomain, pod.namespace, pod.workload.serviceAccount, validity)
  const out: object[] = [
    {name: 'default', last_updated: ctx.clock.stamp('sds/default'), secret: tlsCertificateSecret('default', chain)},
    {
      name: 'ROOTCA',
      last_updated: ctx.clock.stamp('sds/ROOTCA'),
      secret: {'@type': T.secret, name: 'ROOTCA', validation_context: {trusted_ca: {inline_bytes: b64(rootCertPem(mesh.trustDomain))}}},
    },
  ]
  for (const cred of plan.credentials) {
    out.push({
      name: cred.name,
      last_updated: ctx.clock.stamp(`sds/${cred.name}`),
      secret: tlsCertificateSecret(cred.name, gatewayCertChainPem(cred.hosts.filter((h) => h !== '*'))),
    })
  }
  return out
}
