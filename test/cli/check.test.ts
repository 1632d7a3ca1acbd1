/** check's command line: flags, output formats, exit codes and one-line errors, on saved dumps. */
import assert from 'node:assert/strict'
import {join} from 'node:path'
import {describe, test} from 'node:test'
import {assertOneLineError, runCli, SHARED} from '../helpers/cli.js'

const DUMPS = join(SHARED, 'conformance/real-dumps')
const higress = join(DUMPS, 'higress__gateway-scoped-routes.json')
const openshift = join(DUMPS, 'openshift-mesh__sidecar.json')

describe('check -f', () => {
  test('short output: the table, the time used, the summary; exit 10 on errors', async () => {
    const res = await runCli(['check', '-f', higress])
    assert.equal(res.code, 10, res.stderr)
    assert.match(res.stdout, /^SEVERITY\s+CODE\s+RESOURCE\s+MESSAGE\n/)
    assert.match(res.stdout, /Time checks \(certificates, warming\) at 2026-02-04T07:10:49Z \(the dump's latest last_updated\)\./)
    assert.match(res.stdout, /3 errors, 1 warning, 1 info in 1 of 1 proxy\n$/)
    assert.equal(res.stderr, '')
  })
  test('--fail-on: info findings only pass at error and warning, fail at info', async () => {
    assert.equal((await runCli(['check', '-f', openshift])).code, 0)
    assert.equal((await runCli(['check', '-f', openshift, '--fail-on', 'warning'])).code, 0)
    assert.equal((await runCli(['check', '-f', openshift, '--fail-on', 'info'])).code, 10)
  })
  test('--ignore drops codes from the output and the exit code', async () => {
    const res = await runCli(['check', '-f', higress, '--ignore', 'route_cluster_missing,SECRET_MISSING', '-o', 'json'])
    assert.equal(res.code, 0, res.stderr)
    const codes = (JSON.parse(res.stdout) as Array<{code: string}>).map((f) => f.code)
    assert.deepEqual(codes.sort(), ['ENDPOINTS_UNKNOWN', 'SECRET_WARMING'])
  })
  test('-o yaml and --query', async () => {
    const yaml = await runCli(['check', '-f', higress, '-o', 'yaml'])
    assert.match(yaml.stdout, /^- code: ROUTE_CLUSTER_MISSING\n/m)
    const q = await runCli(['check', '-f', higress, '--query', "[?code=='ROUTE_CLUSTER_MISSING'].resource.name"])
    assert.deepEqual(JSON.parse(q.stdout), ['higress-rds-443.*/*:443/default/default', 'higress-rds-80.*/*:80/default/default'])
  })
  test('--at is said and used', async () => {
    const res = await runCli(['check', '-f', higress, '--at', '2026-01-01T00:00:00Z'])
    assert.match(res.stdout, /at 2026-01-01T00:00:00Z \(--at\)/)
    assert.match(res.stdout, /warming for 6d21h/)
  })
})

describe('check: bad command lines and input', () => {
  test('an unknown --ignore code, a bad --at, a bad --fail-on: exit 2', async () => {
    await assertOneLineError(await runCli(['check', '-f', higress, '--ignore', 'NOPE']), 2, /--ignore "NOPE" is not a finding code/)
    await assertOneLineError(await runCli(['check', '-f', higress, '--at', 'yesterday']), 2, /--at "yesterday" is not a time/)
    await assertOneLineError(await runCli(['check', '-f', higress, '--fail-on', 'fatal']), 2, /--fail-on "fatal" is not a severity/)
  })
  test('-A with a file, or nothing at all: exit 2', async () => {
    await assertOneLineError(await runCli(['check', '-f', higress, '-A']), 2, /give no pod and no --file/)
    await assertOneLineError(await runCli(['check']), 2, /check needs a pod or --file/)
  })
  test('a /clusters answer as -f, a file that is not JSON: exit 3', async () => {
    await assertOneLineError(await runCli(['check', '-f', join(DUMPS, 'consul__clusters.json')]), 3, /is a \/clusters answer, not a config dump/)
    await assertOneLineError(await runCli(['check', '-f', '-'], {stdin: '{"configs": ['}), 3, /./)
  })
})
