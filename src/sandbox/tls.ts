/**
 * A throwaway certificate authority and a serving certificate for 127.0.0.1, generated at sandbox start with
 * `selfsigned` (ECDSA P-256, SHA-256). The leaf carries the SANs `IP:127.0.0.1` and `DNS:localhost`, so kubectl (Go
 * crypto/x509), client-node (Node tls) and curl all verify it against the CA put in the kubeconfig.
 */
import selfsigned from 'selfsigned'

export interface SandboxCerts {
  caPem: string
  certPem: string
  keyPem: string
}

export async function generateCerts(): Promise<SandboxCerts> {
  const notBeforeDate = new Date(Date.now() - 3600_000)
  const notAfterDate = new Date(Date.now() + 7 * 24 * 3600_000)
  const ca = await selfsigned.generate([{name: 'commonName', value: 'meshctl-sandbox-ca'}], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      {name: 'basicConstraints', cA: true, critical: true},
      {name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true},
    ],
  })
  const leaf = await selfsigned.generate([{name: 'commonName', value: 'kube-apiserver'}], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ca: {key: ca.private, cert: ca.cert},
    extensions: [
      {name: 'basicConstraints', cA: false},
      {name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true},
      {name: 'extKeyUsage', serverAuth: true},
      {
        name: 'subjectAltName',
        altNames: [
          {type: 7, ip: '127.0.0.1'},
          {type: 2, value: 'localhost'},
        ],
      },
    ],
  })
  return {caPem: ca.cert, certPem: leaf.cert, keyPem: leaf.private}
}
