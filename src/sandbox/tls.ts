/**
 * Throwaway certificate authorities and serving certificates, generated at sandbox start with `selfsigned`
 * (ECDSA P-256, SHA-256): one for the API server (SANs `IP:127.0.0.1` and `DNS:localhost`, so kubectl (Go
 * crypto/x509), client-node (Node tls) and curl all verify it against the CA put in the kubeconfig), and one for
 * istiod's xDS port (./istiod.ts).
 */
import selfsigned from 'selfsigned'

export interface SandboxCerts {
  caPem: string
  certPem: string
  keyPem: string
}

export interface CertRequest {
  /** subject of the CA */
  ca: Array<{name: string; value: string}>
  /** subject of the serving certificate (may be empty: the SANs name it) */
  leaf: Array<{name: string; value: string}>
  dnsNames: string[]
  ips: string[]
  /** also valid as a client certificate */
  clientAuth?: boolean
}

/** A CA valid from an hour ago for a week, and a serving certificate it signed. */
export async function generateCaAndLeaf(req: CertRequest): Promise<SandboxCerts> {
  const notBeforeDate = new Date(Date.now() - 3600_000)
  const notAfterDate = new Date(Date.now() + 7 * 24 * 3600_000)
  const ca = await selfsigned.generate(req.ca, {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      {name: 'basicConstraints', cA: true, critical: true},
      {name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true},
    ],
  })
  const leaf = await selfsigned.generate(req.leaf, {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ca: {key: ca.private, cert: ca.cert},
    extensions: [
      {name: 'basicConstraints', cA: false},
      {name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true},
      {name: 'extKeyUsage', serverAuth: true, ...(req.clientAuth ? {clientAuth: true} : {})},
      {
        name: 'subjectAltName',
        altNames: [...req.ips.map((ip) => ({type: 7 as const, ip})), ...req.dnsNames.map((value) => ({type: 2 as const, value}))],
      },
    ],
  })
  return {caPem: ca.cert, certPem: leaf.cert, keyPem: leaf.private}
}

/** The API server's CA and certificate. */
export function generateCerts(): Promise<SandboxCerts> {
  return generateCaAndLeaf({
    ca: [{name: 'commonName', value: 'meshctl-sandbox-ca'}],
    leaf: [{name: 'commonName', value: 'kube-apiserver'}],
    ips: ['127.0.0.1'],
    dnsNames: ['localhost'],
  })
}
