/** Certificate summaries for `pc secret` (§4.6), from the PEMs of istio's secret testdata (read at run time). */
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, test} from 'node:test'
import {generate} from 'selfsigned'
import {decodeInlineBytes, summarizeFirstCert} from '../../src/envoy/certs.js'
import {sharedUrl} from '../helpers/shared.js'

const TESTDATA = sharedUrl('conformance/istioctl/head-86c9f01/istioctl/pkg/writer/envoy/configdump/testdata/secret/')
interface Secret {
  name: string
  secret: {
    tls_certificate?: {certificate_chain: {inline_bytes: string}}
    validation_context?: {
      trusted_ca?: {inline_bytes: string}
      custom_validator_config?: {typed_config: {trust_domains: Array<{name: string; trust_bundle: {inline_bytes: string}}>}}
    }
  }
}
const secretsOf = (which: string): Secret[] =>
  (JSON.parse(readFileSync(new URL(`${which}/config_dump.json`, TESTDATA), 'utf8')) as {configs: Array<{dynamic_active_secrets: Secret[]}>}).configs[0].dynamic_active_secrets
const istio = secretsOf('istio')
const spire = secretsOf('spire')
const pem = (b64: string): string => Buffer.from(b64, 'base64').toString('utf8')

const ISTIO_LEAF = pem(istio[0].secret.tls_certificate!.certificate_chain.inline_bytes)
const ISTIO_ROOT = pem(istio[1].secret.validation_context!.trusted_ca!.inline_bytes)
const SPIRE_LEAF = pem(spire[0].secret.tls_certificate!.certificate_chain.inline_bytes)
const SPIRE_EAST = pem(spire[1].secret.validation_context!.custom_validator_config!.typed_config.trust_domains[0].trust_bundle.inline_bytes)

describe('summarizeFirstCert', () => {
  const cases = [
    {name: 'istio workload chain (first cert of two)', pem: ISTIO_LEAF, type: 'Cert Chain', serial: '6fbee254c22900615cb1f74e3d2f1713', notAfter: '2023-05-16T01:32:52Z', notBefore: '2023-05-15T01:30:52Z', trustDomain: 'cluster.local'},
    // the serial starts with a 0 nibble: the leading zero stays (32 digits)
    {name: 'istio root CA', pem: ISTIO_ROOT, type: 'CA', serial: '0193a543fe2b0d9cd4847675394dfc54', notAfter: '2033-05-02T03:41:33Z', notBefore: '2023-05-05T03:41:33Z', trustDomain: ''},
    {name: 'spire workload chain', pem: SPIRE_LEAF, type: 'Cert Chain', serial: 'cd4902e499169b11ec171dad1668adbb', notAfter: '2024-10-27T22:44:37Z', notBefore: '2024-10-27T21:44:27Z', trustDomain: 'east.local'},
    // 20-byte serials are longer than 32 digits and are not cut
    {name: 'spire bundle (40-digit serial)', pem: SPIRE_EAST, type: 'CA', serial: '529cbbaf623611d057b517d4ffe341e4e8035037', notAfter: '2034-10-23T13:23:05Z', notBefore: '2024-10-25T13:23:05Z', trustDomain: ''},
  ]
  for (const c of cases) {
    test(c.name, () => {
      const s = summarizeFirstCert(c.pem)
      assert.ok(s)
      assert.equal(s.type, c.type)
      assert.equal(s.serial, c.serial)
      assert.equal(s.notAfter, c.notAfter)
      assert.equal(s.notBefore, c.notBefore)
      assert.equal(s.notAfterDate.toISOString(), c.notAfter.replace('Z', '.000Z'))
      assert.equal(s.notBeforeDate.toISOString(), c.notBefore.replace('Z', '.000Z'))
      assert.equal(s.trustDomain, c.trustDomain)
    })
  }

  test('text around the PEM block is ignored', () => {
    assert.equal(summarizeFirstCert(`subject=CN=x\nissuer=CN=y\n${ISTIO_ROOT}\ntrailing`)?.serial, '0193a543fe2b0d9cd4847675394dfc54')
  })

  test('short serials are zero-padded to 32 hex digits', async () => {
    const {cert} = await generate([{name: 'commonName', value: 'padded'}], {
      keyType: 'ec',
      notBeforeDate: new Date('2030-01-02T03:04:05Z'),
      notAfterDate: new Date('2031-01-02T03:04:05Z'),
      extensions: [{name: 'basicConstraints', cA: false}, {name: 'subjectAltName', altNames: [{type: 6, value: 'spiffe://example.org/ns/a/sa/b'}]}],
    })
    const s = summarizeFirstCert(cert)
    assert.ok(s)
    assert.equal(s.serial.length, 32)
    assert.match(s.serial, /^0{10,}[0-9a-f]+$/)
    assert.equal(s.notBefore, '2030-01-02T03:04:05Z')
    assert.equal(s.notAfter, '2031-01-02T03:04:05Z')
    assert.equal(s.trustDomain, 'example.org')
    assert.equal(s.type, 'Cert Chain')
  })

  const bad: Array<[string, string]> = [
    ['empty', ''],
    ['no PEM block', 'hello'],
    ['a private key only', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'],
    ['garbage inside the block', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'],
    ['unterminated block', ISTIO_ROOT.replace('-----END CERTIFICATE-----', '')],
  ]
  for (const [name, text] of bad) {
    test(`undefined for ${name}`, () => assert.equal(summarizeFirstCert(text), undefined))
  }
})

describe('decodeInlineBytes', () => {
  test('base64 is decoded; PEM text passes through', () => {
    assert.equal(decodeInlineBytes(Buffer.from(ISTIO_ROOT).toString('base64')), ISTIO_ROOT)
    assert.equal(decodeInlineBytes(ISTIO_ROOT), ISTIO_ROOT)
    assert.equal(decodeInlineBytes('W3JlZGFjdGVkXQ=='), '[redacted]')
  })
})
