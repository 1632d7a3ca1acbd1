/** `pc secret` (§4.6), with a fixed `now`, on dumps built from the PEMs of istio's testdata (read at run time). */
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, test} from 'node:test'
import {type ConfigDump, decodeDocument} from '../../src/envoy/document.js'
import type {Json, JsonObject} from '../../src/envoy/fields.js'
import {InputError} from '../../src/errors/index.js'
import {renderShort} from '../../src/output/render.js'
import {secretsView} from '../../src/views/secrets.js'
import {sharedUrl} from '../helpers/shared.js'

const TESTDATA = sharedUrl('conformance/istioctl/head-86c9f01/istioctl/pkg/writer/envoy/configdump/testdata/secret/')
const read = (p: string): string => readFileSync(new URL(p, TESTDATA), 'utf8')
const istioDump = JSON.parse(read('istio/config_dump.json')) as {configs: JsonObject[]}
const spireDump = JSON.parse(read('spire/config_dump.json')) as {configs: JsonObject[]}
type SecretEntry = {name: string; secret: JsonObject}
const istioActive = istioDump.configs[0].dynamic_active_secrets as SecretEntry[]
const spireActive = spireDump.configs[0].dynamic_active_secrets as SecretEntry[]

/** base64 inline bytes, as in the dumps */
const LEAF_B64 = (istioActive[0].secret.tls_certificate as {certificate_chain: {inline_bytes: string}}).certificate_chain.inline_bytes
const ROOT_B64 = (istioActive[1].secret.validation_context as {trusted_ca: {inline_bytes: string}}).trusted_ca.inline_bytes
const SPIRE_LEAF_B64 = (spireActive[0].secret.tls_certificate as {certificate_chain: {inline_bytes: string}}).certificate_chain.inline_bytes
const SPIFFE_VALIDATION = spireActive[1].secret.validation_context as JsonObject

const NOW = new Date('2025-06-01T00:00:00Z')
const SECRET_TYPE = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret'
const chainSecret = (name: string, b64: string): JsonObject => ({name, secret: {'@type': SECRET_TYPE, name, tls_certificate: {certificate_chain: {inline_bytes: b64}, private_key: {inline_bytes: 'W3JlZGFjdGVkXQ=='}}}})
const caSecret = (name: string, b64: string): JsonObject => ({name, secret: {'@type': SECRET_TYPE, name, validation_context: {trusted_ca: {inline_bytes: b64}}}})
const emptySecret = (name: string): JsonObject => ({name, version_info: 'uninitialized', secret: {'@type': SECRET_TYPE, name}})
const dumpOf = (section: JsonObject): ConfigDump => decodeDocument({configs: [{'@type': 'type.googleapis.com/envoy.admin.v3.SecretsConfigDump', ...section}]}, 'test') as ConfigDump
const short = (section: JsonObject, now = NOW, prefix = ''): string => renderShort(secretsView(dumpOf(section), now, prefix))
const lines = (s: string): string[][] => s.trimEnd().split('\n').map((l) => l.split(/ {2,}/).map((c) => c.trim()))

describe('istio goldens', () => {
  test('istio: warming row first, trust domain column absent (ROOTCA has none)', () => {
    const out = renderShort(secretsView(decodeDocument(istioDump as unknown as Json, 'x') as ConfigDump, NOW))
    assert.equal(out, read('istio/output'))
  })
  test('spire: one row per trust domain, TRUST DOMAIN column present', () => {
    const out = renderShort(secretsView(decodeDocument(spireDump as unknown as Json, 'x') as ConfigDump, NOW))
    assert.equal(out, read('spire/output'))
  })
})

describe('secret rows', () => {
  test('exact layout: padding 5, zero-padded serials, RFC 3339 dates', () => {
    const out = short({dynamic_active_secrets: [chainSecret('default', LEAF_B64), caSecret('ROOTCA', ROOT_B64)]})
    assert.equal(
      out,
      [
        'RESOURCE NAME     TYPE           STATUS     VALID CERT     SERIAL NUMBER                        NOT AFTER                NOT BEFORE',
        'default           Cert Chain     ACTIVE     false          6fbee254c22900615cb1f74e3d2f1713     2023-05-16T01:32:52Z     2023-05-15T01:30:52Z',
        'ROOTCA            CA             ACTIVE     true           0193a543fe2b0d9cd4847675394dfc54     2033-05-02T03:41:33Z     2023-05-05T03:41:33Z',
        '',
      ].join('\n'),
    )
  })

  test('WARMING before ACTIVE whatever the key order; dump order within each state', () => {
    const out = short({
      dynamic_active_secrets: [caSecret('a2', ROOT_B64), caSecret('a1', ROOT_B64)],
      dynamic_warming_secrets: [emptySecret('w2'), chainSecret('w1', LEAF_B64)],
    })
    assert.deepEqual(
      lines(out).slice(1).map((r) => [r[0], r[r[1] === 'WARMING' ? 1 : 2]]),
      [
        ['w2', 'WARMING'],
        ['w1', 'WARMING'],
        ['a2', 'ACTIVE'],
        ['a1', 'ACTIVE'],
      ],
    )
  })

  test('a secret without certificate data: empty TYPE/serial/dates, VALID CERT false, trailing padding kept', () => {
    const out = short({dynamic_active_secrets: [emptySecret('nodata')]})
    // widths: header cells + 5 (nothing wider in this table); the last column (NOT BEFORE) is empty
    assert.equal(out.split('\n')[1], 'nodata'.padEnd(18) + ''.padEnd(9) + 'ACTIVE'.padEnd(11) + 'false'.padEnd(15) + ''.padEnd(18) + ''.padEnd(14))
  })

  const unusable: Array<[string, string]> = [
    ['garbage PEM', Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n').toString('base64')],
    ['not a PEM', Buffer.from('hello').toString('base64')],
  ]
  for (const [name, b64] of unusable) {
    test(`${name}: row without certificate details`, () => {
      const row = lines(short({dynamic_active_secrets: [chainSecret('x', b64)]}))[1]
      assert.deepEqual(row, ['x', 'ACTIVE', 'false'])
    })
  }

  test('trusted_ca is used when there is no certificate chain; the chain wins when both exist', () => {
    const both = {name: 'both', secret: {tls_certificate: {certificate_chain: {inline_bytes: LEAF_B64}}, validation_context: {trusted_ca: {inline_bytes: ROOT_B64}}}}
    const rows = lines(short({dynamic_active_secrets: [caSecret('ca', ROOT_B64), both]})).slice(1)
    assert.equal(rows[0][1], 'CA')
    assert.equal(rows[1][1], 'Cert Chain')
  })

  test('camelCase dump gives the same table', () => {
    const snake = {dynamic_active_secrets: [chainSecret('default', LEAF_B64), caSecret('ROOTCA', ROOT_B64)], dynamic_warming_secrets: [emptySecret('w')]}
    const camel: JsonObject = {
      dynamicWarmingSecrets: [{name: 'w', versionInfo: 'uninitialized', secret: {name: 'w'}}],
      dynamicActiveSecrets: [
        {name: 'default', secret: {tlsCertificate: {certificateChain: {inlineBytes: LEAF_B64}}}},
        {name: 'ROOTCA', secret: {validationContext: {trustedCa: {inlineBytes: ROOT_B64}}}},
      ],
    }
    assert.equal(short(camel), short(snake))
  })

  const validity: Array<{now: string; want: string}> = [
    {now: '2023-05-05T03:41:32Z', want: 'false'},
    {now: '2023-05-05T03:41:33Z', want: 'false'}, // == not before: not strictly after
    {now: '2023-05-05T03:41:34Z', want: 'true'},
    {now: '2033-05-02T03:41:32Z', want: 'true'},
    {now: '2033-05-02T03:41:33Z', want: 'false'}, // == not after
    {now: '2040-01-01T00:00:00Z', want: 'false'},
  ]
  for (const v of validity) {
    test(`VALID CERT at ${v.now} is ${v.want}`, () => {
      assert.equal(lines(short({dynamic_active_secrets: [caSecret('ROOTCA', ROOT_B64)]}, new Date(v.now)))[1][3], v.want)
    })
  }

  test('TRUST DOMAIN column only when every item has one', () => {
    // the istio leaf has a spiffe://cluster.local SAN; the spire leaf spiffe://east.local
    const all = short({dynamic_active_secrets: [chainSecret('a', LEAF_B64), chainSecret('b', SPIRE_LEAF_B64)]})
    assert.match(all.split('\n')[0], /NOT BEFORE {15}TRUST DOMAIN$/)
    assert.deepEqual(
      lines(all).slice(1).map((r) => r[r.length - 1]),
      ['cluster.local', 'east.local'],
    )
    const notAll = short({dynamic_active_secrets: [chainSecret('a', LEAF_B64), caSecret('root', ROOT_B64)]})
    assert.doesNotMatch(notAll, /TRUST DOMAIN|cluster\.local/)
  })

  test('SPIFFE validator: one row per trust domain, named after the secret', () => {
    const out = short({dynamic_active_secrets: [{name: 'ROOTCA', secret: {name: 'ROOTCA', validation_context: SPIFFE_VALIDATION}}]})
    const rows = lines(out)
    assert.equal(rows[0][rows[0].length - 1], 'TRUST DOMAIN')
    assert.deepEqual(
      rows.slice(1).map((r) => [r[0], r[1], r[r.length - 1]]),
      [
        ['ROOTCA', 'CA', 'east.local'],
        ['ROOTCA', 'CA', 'west.local'],
      ],
    )
  })

  test('a SPIFFE validator with no trust domains leaves nothing to show', () => {
    const vc = {custom_validator_config: {name: 'envoy.tls.cert_validator.spiffe', typed_config: {'@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig', trust_domains: []}}}
    assert.equal(short({dynamic_active_secrets: [{name: 'ROOTCA', secret: {validation_context: vc}}]}), 'No secret items to show.\n')
  })

  test('another custom validator is "no data"', () => {
    const vc = {custom_validator_config: {name: 'x', typed_config: {'@type': 'type.googleapis.com/some.OtherValidator'}}}
    assert.deepEqual(lines(short({dynamic_active_secrets: [{name: 'v', secret: {validation_context: vc}}]}))[1], ['v', 'ACTIVE', 'false'])
  })

  test('pc all prefixes names with secret/', () => {
    assert.match(short({dynamic_active_secrets: [caSecret('ROOTCA', ROOT_B64)]}, NOW, 'secret/'), /^secret\/ROOTCA {5}CA/m)
  })
})

describe('empty and missing', () => {
  const none: Array<[string, JsonObject]> = [
    ['no lists', {}],
    ['empty lists', {dynamic_active_secrets: [], dynamic_warming_secrets: []}],
    ['static secrets only', {static_secrets: [{name: 's', secret: {name: 's'}}]}],
  ]
  for (const [name, section] of none) {
    test(`${name}: "No active or warming secrets found."`, () => {
      assert.equal(short(section), 'No active or warming secrets found.\n')
    })
  }

  test('missing section is an InputError naming the type', () => {
    const dump = decodeDocument({configs: [{'@type': 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump'}]}, 'x') as ConfigDump
    assert.throws(() => secretsView(dump, NOW), (e: unknown) => e instanceof InputError && e.exitCode === 3 && /SecretsConfigDump/.test(e.message))
  })

  test('-o json: the whole section in camelCase, without @type', () => {
    const data = secretsView(dumpOf({dynamic_active_secrets: [caSecret('ROOTCA', ROOT_B64)], static_secrets: []}), NOW).data() as JsonObject
    assert.deepEqual(Object.keys(data), ['dynamicActiveSecrets', 'staticSecrets'])
    const first = (data.dynamicActiveSecrets as JsonObject[])[0]
    assert.equal(((first.secret as JsonObject).validationContext as {trustedCa: {inlineBytes: string}}).trustedCa.inlineBytes, ROOT_B64)
    // also when there is nothing to show in the table
    assert.deepEqual(secretsView(dumpOf({}), NOW).data(), {})
  })
})
