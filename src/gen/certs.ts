/**
 * Certificates for the generated `default`, `ROOTCA` and gateway credential secrets.
 *
 * The keys below are throwaway test keys made once with OpenSSL 3.0:
 *   openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out ca.key      # mesh root CA ("O = cluster.local")
 *   openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out leaf.key    # shared by all workload certs
 *   openssl pkey -in leaf.key -pubout                                             # only the public half is kept
 *   (gwca.key / gw.key the same way, for the ingress gateway's `bookinfo-credential`)
 * They protect nothing; never use them outside tests and demos.
 *
 * The certificates themselves are built here, in DER, and signed with RSA PKCS#1 v1.5 / SHA-256, which is
 * deterministic: the same identity and validity always give byte-identical PEM, so tables stay stable while
 * each workload still gets its own SPIFFE identity (`spiffe://cluster.local/ns/<ns>/sa/<sa>`) and serial,
 * like certificates issued by istiod. The roots are valid 2025-01-01 to 2045-01-01; leaf certificates default
 * to the same end date (see CertValidity), which keeps `VALID CERT` true for the lifetime of a test suite.
 */
import type {KeyObject} from 'node:crypto'
import {createHash, createPrivateKey, createPublicKey, sign} from 'node:crypto'

const MESH_CA_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCHOwCHYXsSlXmD
LmcdMjDYHrp1Be+GjXTw5/+fYxssDSj4evKaTS1J2soq6uZZJmUz/ntiHgCpnoAm
CPQdJWSpQtuAEXFe25vFmSzcHfg+hX7ie+qwgYXlKvN0u8FrfMogtvdxJbKfi/dU
seqWCcr3zHMSQhpfYqtyEARcjf3Zblo4ivX/VhxLJfPSBkioLjoMYiMNVk07tkVo
V+3Ti/N7IDnKEkFDwg7iXd81jo4IpXEVICgqgi3MLToJ4jIMFWXj178EQqiVs1tg
oG3I57mcIjQNyh3NW+3s6NWSAgGVkp7wektINvO8vp1zdnDBr31N1qIcxDkjdNuj
eqx7N8dPAgMBAAECggEAKa6hkJkW7tj87dbZOLIWRR9fmJ9+P4qNj43rCE1rfC4I
QWLgMXh1a6zRIN5rpvIDQr3/ePRHfwDYfiDHYc57UwLFFpoJyFPHlWYL4kMol9jd
DeFlKweZZlRRW1teGIwL336WEZ2ti6kAUO5QIPQeyDeQBoIyj9EhiFRwi7jGlISQ
+S6TRhoh4aATurwtGd/dqpAwHdiC/JNPquGWO8yVZhnjVZLOJHbWXqyC0QSz2pcu
GfucuINQL6eMvSOC+Mx4X8aCSI91qCUEM+0TqPVBAqp30YGbh7PO2914oi+jp6Gq
R+wcDcU3nhvswzqGD3Jv98WQTH2VwhXVvnx2hwJrRQKBgQC9ddTY1EqMzEMzeevA
0IobMBG6cl1O2mUK2ptw4n/wN87/w80Uwbwj2dv+Q28GBE/aVbL6ITyXTJVAkmFs
UACamQDPXf/swzc849s+N2sBZl6pazs1xlJ5IggIIhfosypx+iZSDj37Ysb5ew2D
acjXbw8ypmjX9QI2BeOM4glkwwKBgQC2uW2GGRN7ONSHHY/nPMPt3IzmkvfRNM/8
ozN3dKUrUd/4I2dP4yr7dQ19i4xMbmtQb6dj9ULEAEWWxhdWnuIreHn0NFpkLlrv
2GYEZb9hNHI06/rcRpZnbtlrppHGawYOcDSIQUMr85ncvkThr0MSpveKgXddW78C
jhHV4VD6hQKBgGA2M1W9UPJ5VHMSqh8rh8bQvWACbdH6ZC+D3kYQL8pMfQkzZLTy
wVkvbGGN2xaiH+8PcClHsZ5f3LeC3oiDhBr+MgQchzez1xxL1e2ddPCsDMxaUSI4
yW8MUinXLm8UdSyWTNmEtAMyITtWOwGOOdj1ZDFjgoCQwoOur+S+cOjDAoGBAJKa
t/tNh0noUOyPlXPsVy8zM4GUDW03OGD0+EgxuIvHRzGqBiwckdHrGoXOPyTbuxJw
YxdaItVremn8SaFgHQrPwNlkX9ndL20cbM2+bQyqra80XrP5lpcqYxtyK6fNGrDe
6ecgpapP6vUnW9DPc7s1Z4sjUQgAooKERl8aRoSZAoGAdn9zipiUpB+bjNiLbHx2
PrQTfTBGK4wz5jEjKsWMSMvRtls4h/C1m6Ir+iT2a7pAYOPjjIdv7rWqVrllaJqV
EmRoM87zIVdK35vlAf7Lu7R9uWCYIxvtxZZEyDslLJmBKUxRTrjT2PgZUd0uWoGV
EjD0+YPBfcbnQcMccE/ETko=
-----END PRIVATE KEY-----`

const WORKLOAD_PUBLIC_KEY_PEM = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAo1EKixXr5XNf2fQjnqJP
80tjYkN06ARAtxO0LaA45uqir3x83OC4jDe4iPccZJzvGIdWgaLJkB5y5BR56kbI
46mVru27lD13xZ79//lcTQ3pBWxkeZ7uE8WCV4rGfgHeVz3i01YIX/OIR3IU11U7
L7UThgl2XofvGfnd6/9k0mKgl3QnjafJrD6D8MLXsOuRqkBhO4pFwxDK/PzGn/5G
8O8z7d2CCR4XBCsM9DfeOv7wwCDaPsak5gy9lzsce2EiQrrAUxBePR8qioT/kkFi
YLFBY3YQseDhQUYs3QC4KFOklDAC/4STti8Xv6bBBzLxX0fixMK3xnnLL/Wl8FKg
swIDAQAB
-----END PUBLIC KEY-----`

const GATEWAY_CA_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCwOj93iODi65JM
Ahpw8cjhRGbgPqrDDkPiFJNBXYdcRchxyiVjcqrJHIp06xxun4/AZa+YzUDbRxWl
YUqzehTgHZzRC1446ZVoGwfG3gHHAml72n4X8BICtanFy580QZ/GoqJQct1UWt5O
v4QTUqSFsR5kLwMVO1dlEvdCVGxpHA4fGyBkYIb0vLVhmbVGWKKO2jXX3imWoCbq
hc6mkmSx0ce3flrNW6k7J12FNBl178/0tVG0blq6U9HEyo23lxam2Y/R2+iUyyU4
dUo6sABDnOChT6WhtOn2qO2udcXx/IcyqcUdZBK8x4OjdWJp9BkgTzEB3+pbQNmu
jl4hxN9FAgMBAAECggEAJF343/2mzx1nJPlgJIO4/Ufk5Qz5p2QnvR2a3+fhubiK
63SYb6Pnu7YAmq00Ql36R+2UJbfh1P6f6G+h/1THvxJNXNR4Ps1xcDj3y2HgQwXr
58vIrr7zsIx1uyRQt/N8+fxw+6Igq7pO2zhplKU+33oUN/99puGGoQyfaxhKAQyZ
74wc/ujGWynNQ5ojIE39UdvoYi5XNYQaC94n1narRbLjYoE+4AjYpNygq14r8PUM
9JOa2EzPWcpxhXKpVRDNI2fTEEZ3zgt0TWOtVEjahGa3Fkj73zjN0g6qPrKF8WbG
zMDvDhM1how0ZuZDgLYJAo2fuEKyKpNW39qX2G/94QKBgQDW6i+aQFaelBrbLnmA
moU3kMc+cAnnZ2CRv370sU0uC3zv+siCei0F7l5jMmpNxu1k1isIHvrgf5pb+bii
03uhfAoFC3q+tk9YQCR6+FYgKtUp9ist2thqJJq0SGgM0fv9u0JoB86WUYuW8CEi
cmC+qJySLjjCz6ZE0VkTu+fxsQKBgQDR6rp4PL6wmwFNHfwCijTZwZCBf2GtH9zs
8zitVOXHyZBhjvKspFDDRqDNHzhjwO9b5fYgDmR7r1tjdBbtpnuN7AQIHkiOCf7d
gdBAdmRPDS6U0JAfEsyxb18cIzsEQ3hcWXkkJZoctgHX1tYGujotMEvmLivRKNMk
IY9bz8f31QKBgBt3os3cGzX5R9Vrgyvkk9IeNtjMCPgCRl1aVCeB4ZNY9IbXTnke
lFKFvJqA/wUhv4V7udQ34Wh/5oKK0AY/cTWaXM14Qh/NvSZSTFdLFfbWgpfyVmJt
7eri8sLH3kSFMeej30DcfpLHqUeJOTLl22eCtUAZmDeNwnpZJ0FWaraBAoGBANHS
8vjknycgiThwVEqloxZWqP8IOLY4NziSFYEMb3I4RB2AKYnv5NqMaoceQdtUKu2M
+2wndsE7EvpiO9jopG/EDnOe8Z8o1pzK+UK2FKX/4yPVJXop7Hkffc4+WOt2FYUZ
2kELZPR16Xm5wM2QsD4jHHrEg//Z8tMWyJlZI+TRAoGAe91ixu7BPrByfbEu4rXL
KjRoTI5OjIIf/dcqVziitMuQdlT8l/yDbm99B00fS8Nfelsq9n5LpgukfRr+sZwY
eYBUN2Nm7KAB00/Kw18sEMotBwLyNUO9PI6UgxUAf4rNUJGulYowVKAYFiOInL6B
RlDgqlJPybhFybxmTzHbcKc=
-----END PRIVATE KEY-----`

const GATEWAY_PUBLIC_KEY_PEM = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA09N9UOb437h1vVXddwGc
8jPSot5TuUCcTM878SE4BiD2/Wo3s1zaJXd+/nbGIxx6EOLJjT9iKAg8LjjwbVaE
OZ1B7p4PhtlfLyfRGJrHte6Ip/0Dx7eTJsKW3M+TEpXPu8UXYKVNMZWndKQgWZYT
PxNWR/hmqZdTx8mSW2jfVJvmKfaAwmu9ot4yeo5JMdTaYzdVm8TYKRLyC2Z9cnuF
quEupqpjOXsIbEAM17VevMpsO0uqPcr+G9Au3lLzVhx4aNBoPTUnD9Fa8tSiCYBX
STxiWksIUU5fBGumn6CZXemsK7tQcvD232zCbEyxylaDaBo7ypHnra3scwKnGHon
bwIDAQAB
-----END PUBLIC KEY-----`

// ---------------------------------------------------------------------------------------------------------
// Minimal DER encoding (only what X.509 v3 certificates need)

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n])
  const bytes: number[] = []
  while (n > 0) {
    bytes.unshift(n & 0xff)
    n = Math.floor(n / 256)
  }
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content])
}

const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items))
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items))
const explicit = (n: number, inner: Buffer) => tlv(0xa0 + n, inner)
const octets = (b: Buffer) => tlv(0x04, b)
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'))
const NULL = Buffer.from([0x05, 0x00])
const TRUE = Buffer.from([0x01, 0x01, 0xff])

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number)
  const bytes = [parts[0] * 40 + parts[1]]
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f]
    let v = Math.floor(p / 128)
    while (v > 0) {
      chunk.unshift((v & 0x7f) | 0x80)
      v = Math.floor(v / 128)
    }
    bytes.push(...chunk)
  }
  return tlv(0x06, Buffer.from(bytes))
}

/** A non-negative INTEGER from big-endian bytes. */
function uint(bytes: Buffer): Buffer {
  let b = bytes
  while (b.length > 1 && b[0] === 0) b = b.subarray(1)
  if (b[0] & 0x80) b = Buffer.concat([Buffer.from([0]), b])
  return tlv(0x02, b)
}

function bitString(b: Buffer, unusedBits = 0): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), b]))
}

/** UTCTime (years < 2050) as X.509 requires, else GeneralizedTime. */
function time(iso: string): Buffer {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) throw new Error(`bad certificate time: ${iso}`)
  const p = (n: number) => String(n).padStart(2, '0')
  const rest = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`
  const y = d.getUTCFullYear()
  return y < 2050 ? tlv(0x17, Buffer.from(`${String(y % 100).padStart(2, '0')}${rest}`)) : tlv(0x18, Buffer.from(`${y}${rest}`))
}

const OID = {
  sha256WithRSA: '1.2.840.113549.1.1.11',
  organization: '2.5.4.10',
  commonName: '2.5.4.3',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  basicConstraints: '2.5.29.19',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
}

function name(attrs: [string, string][]): Buffer {
  return seq(...attrs.map(([o, v]) => set(seq(oid(o), utf8(v)))))
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), TRUE, octets(value)) : seq(oid(id), octets(value))
}

// ---------------------------------------------------------------------------------------------------------
// Certificates

export interface CertValidity {
  /** ISO 8601 instant */
  notBefore: string
  notAfter: string
}

export const ROOT_VALIDITY: CertValidity = {notBefore: '2025-01-01T00:00:00Z', notAfter: '2045-01-01T00:00:00Z'}

interface Issuer {
  key: KeyObject
  subject: Buffer
  keyId: Buffer
}

function spki(key: KeyObject): Buffer {
  const pub = key.type === 'public' ? key : createPublicKey(key)
  return pub.export({type: 'spki', format: 'der'}) as Buffer
}

/** Subject key identifier: SHA-1 over the encoded public key (any stable 20-byte value is valid). */
function keyId(publicKeyDer: Buffer): Buffer {
  return createHash('sha1').update(publicKeyDer).digest()
}

/** A 16-byte serial derived from `seed`, like istiod's random 128-bit serials but reproducible. */
function serial(seed: string): Buffer {
  const b = createHash('sha256').update(seed).digest().subarray(0, 16)
  b[0] &= 0x7f
  if (b[0] === 0) b[0] = 0x42
  return b
}

function buildCert(opts: {
  issuer: Issuer | 'self'
  signingKey: KeyObject
  subject: Buffer
  publicKeyDer: Buffer
  validity: CertValidity
  serialSeed: string
  ca: boolean
  sans?: {uris?: string[]; dns?: string[]}
}): string {
  const sigAlg = seq(oid(OID.sha256WithRSA), NULL)
  const ownKeyId = keyId(opts.publicKeyDer)
  const issuerName = opts.issuer === 'self' ? opts.subject : opts.issuer.subject
  const exts: Buffer[] = []
  if (opts.ca) {
    // Key Usage: keyCertSign (bit 5), critical; Basic Constraints CA:TRUE, critical
    exts.push(extension(OID.keyUsage, true, bitString(Buffer.from([0x04]), 2)))
    exts.push(extension(OID.basicConstraints, true, seq(TRUE)))
    exts.push(extension(OID.subjectKeyId, false, octets(ownKeyId)))
  } else {
    // Key Usage: digitalSignature + keyEncipherment, critical; EKU server+client auth; CA:FALSE, critical
    exts.push(extension(OID.keyUsage, true, bitString(Buffer.from([0xa0]), 5)))
    exts.push(extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth), oid(OID.clientAuth))))
    exts.push(extension(OID.basicConstraints, true, seq()))
    const aki = opts.issuer === 'self' ? ownKeyId : opts.issuer.keyId
    exts.push(extension(OID.authorityKeyId, false, seq(tlv(0x80, aki))))
    const names: Buffer[] = []
    for (const u of opts.sans?.uris ?? []) names.push(tlv(0x86, Buffer.from(u, 'ascii')))
    for (const d of opts.sans?.dns ?? []) names.push(tlv(0x82, Buffer.from(d, 'ascii')))
    // Istio marks the SAN extension critical because its workload certificates have an empty subject
    if (names.length > 0) exts.push(extension(OID.subjectAltName, opts.subject.length <= 2, seq(...names)))
  }
  const tbs = seq(
    explicit(0, tlv(0x02, Buffer.from([2]))),
    uint(serial(opts.serialSeed)),
    sigAlg,
    issuerName,
    seq(time(opts.validity.notBefore), time(opts.validity.notAfter)),
    opts.subject,
    opts.publicKeyDer,
    explicit(3, seq(...exts)),
  )
  const signature = sign('sha256', tbs, opts.signingKey)
  return toPem(seq(tbs, sigAlg, bitString(signature)))
}

function toPem(der: Buffer): string {
  const b64 = der.toString('base64')
  const lines: string[] = []
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64))
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`
}

// Keys and roots are created on first use and cached.
let meshCa: {issuer: Issuer; pem: Map<string, string>} | undefined
let gatewayCa: {issuer: Issuer; pem: string} | undefined
const leafCache = new Map<string, string>()

function meshRoot(trustDomain: string): {issuer: Issuer; pem: string} {
  if (!meshCa) {
    const key = createPrivateKey(MESH_CA_KEY_PEM)
    meshCa = {issuer: {key, subject: Buffer.alloc(0), keyId: keyId(spki(key))}, pem: new Map()}
  }
  let pem = meshCa.pem.get(trustDomain)
  const subject = name([[OID.organization, trustDomain]])
  if (!pem) {
    pem = buildCert({
      issuer: 'self',
      signingKey: meshCa.issuer.key,
      subject,
      publicKeyDer: spki(meshCa.issuer.key),
      validity: ROOT_VALIDITY,
      serialSeed: `root/${trustDomain}`,
      ca: true,
    })
    meshCa.pem.set(trustDomain, pem)
  }
  return {issuer: {...meshCa.issuer, subject}, pem}
}

/** The mesh root certificate (istiod's self-signed CA, subject `O = <trustDomain>`), PEM. */
export function rootCertPem(trustDomain = 'cluster.local'): string {
  return meshRoot(trustDomain).pem
}

/**
 * The workload certificate chain Envoy holds as secret `default`: the leaf for
 * `spiffe://<trustDomain>/ns/<namespace>/sa/<serviceAccount>` followed by the root, PEM.
 */
export function workloadCertChainPem(trustDomain: string, namespace: string, serviceAccount: string, validity: CertValidity): string {
  const spiffe = `spiffe://${trustDomain}/ns/${namespace}/sa/${serviceAccount}`
  const cacheKey = `${spiffe} ${validity.notBefore} ${validity.notAfter}`
  let leaf = leafCache.get(cacheKey)
  const root = meshRoot(trustDomain)
  if (!leaf) {
    leaf = buildCert({
      issuer: root.issuer,
      signingKey: root.issuer.key,
      subject: seq(),
      publicKeyDer: spki(createPublicKey(WORKLOAD_PUBLIC_KEY_PEM)),
      validity,
      serialSeed: cacheKey,
      ca: false,
      sans: {uris: [spiffe]},
    })
    leafCache.set(cacheKey, leaf)
  }
  return leaf + root.pem
}

/** A server certificate chain for a gateway credential (e.g. `bookinfo.example.com`), issued by a separate example CA. */
export function gatewayCertChainPem(hosts: readonly string[], validity: CertValidity = ROOT_VALIDITY): string {
  if (!gatewayCa) {
    const key = createPrivateKey(GATEWAY_CA_KEY_PEM)
    const subject = name([
      [OID.organization, 'example Inc.'],
      [OID.commonName, 'example.com'],
    ])
    const pem = buildCert({
      issuer: 'self',
      signingKey: key,
      subject,
      publicKeyDer: spki(key),
      validity: ROOT_VALIDITY,
      serialSeed: 'root/example.com',
      ca: true,
    })
    gatewayCa = {issuer: {key, subject, keyId: keyId(spki(key))}, pem}
  }
  const cacheKey = `gw ${hosts.join(',')} ${validity.notBefore} ${validity.notAfter}`
  let leaf = leafCache.get(cacheKey)
  if (!leaf) {
    leaf = buildCert({
      issuer: gatewayCa.issuer,
      signingKey: gatewayCa.issuer.key,
      subject: name([
        [OID.organization, 'example organization'],
        [OID.commonName, hosts[0] ?? 'example.com'],
      ]),
      publicKeyDer: spki(createPublicKey(GATEWAY_PUBLIC_KEY_PEM)),
      validity,
      serialSeed: cacheKey,
      ca: false,
      sans: {dns: [...hosts]},
    })
    leafCache.set(cacheKey, leaf)
  }
  return leaf
}

/** The example CA that issued gateway credentials, PEM (what a `-cacert` secret would hold). */
export function gatewayRootCertPem(): string {
  gatewayCertChainPem(['example.com'])
  return gatewayCa!.pem
}
