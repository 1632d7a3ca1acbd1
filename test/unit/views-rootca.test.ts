/** ROOTCA extraction and comparison (src/views/rootca.ts). */
import assert from 'node:assert/strict'
import {test} from 'node:test'
import {asConfigDump, parseAdminDocument} from '../../src/envoy/document.js'
import {rootCertPem} from '../../src/gen/index.js'
import {pemCertificates, rootCaCertificates, shareRootCa} from '../../src/views/rootca.js'

const A = 'type.googleapis.com/envoy.admin.v3.SecretsConfigDump'
const dump = (secrets: unknown[]) => asConfigDump(parseAdminDocument(Buffer.from(JSON.stringify({configs: [{'@type': A, dynamic_active_secrets: secrets}]})), 't'), 'secret')
const rootca = (pem: string) => ({name: 'ROOTCA', secret: {name: 'ROOTCA', validation_context: {trusted_ca: {inline_bytes: Buffer.from(pem).toString('base64')}}}})

test('ROOTCA certificates: trusted_ca (base64 or PEM), several per bundle, SPIFFE trust bundles; whitespace does not matter', () => {
  const mesh = rootCertPem('cluster.local')
  const other = rootCertPem('other.example')
  assert.equal(rootCaCertificates(dump([rootca(mesh)]), 'p').length, 1)
  assert.deepEqual(rootCaCertificates(dump([rootca(`${mesh}\n${other}`)]), 'p'), [...pemCertificates(mesh), ...pemCertificates(other)])
  assert.deepEqual(pemCertificates(mesh.replace(/\n/g, '\r\n')), pemCertificates(mesh))
  const spiffe = {
    name: 'ROOTCA',
    secret: {
      validation_context: {
        custom_validator_config: {
          typed_config: {'@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig', trust_domains: [{name: 'other.example', trust_bundle: {inline_bytes: Buffer.from(other).toString('base64')}}]},
        },
      },
    },
  }
  assert.deepEqual(rootCaCertificates(dump([spiffe]), 'p'), pemCertificates(other))
})

test('missing ROOTCA (only the default secret, or an empty one) is an input error; any shared certificate matches', () => {
  assert.throws(() => rootCaCertificates(dump([{name: 'default', secret: {}}]), 'p.ns'), /cannot find ROOTCA from secret of p\.ns/)
  assert.throws(() => rootCaCertificates(dump([{name: 'ROOTCA', secret: {validation_context: {trusted_ca: {inline_bytes: ''}}}}]), 'p'), (e: {exitCode: number}) => e.exitCode === 3)
  assert.equal(shareRootCa(['a', 'b'], ['c', 'b']), true)
  assert.equal(shareRootCa(['a'], ['c']), false)
  assert.equal(shareRootCa([], []), false)
})
