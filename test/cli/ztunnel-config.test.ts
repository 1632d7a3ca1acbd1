/**
 * ztunnel-config (zc) as a user runs it from saved dumps: the file-mode vectors of
 * ../shared/conformance/istioctl/derived/vectors/ztunnel-config-cli.json, and meshctl's error contract.
 */
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, test} from 'node:test'
import {parse as parseYaml} from 'yaml'
import {assertOneLineError, runCli, SHARED} from '../helpers/cli.js'

const BASE = join(SHARED, 'conformance/istioctl')
const DUMP = join(BASE, 'head-86c9f01/istioctl/pkg/writer/ztunnel/configdump/testdata/dump.json')
const tmp = mkdtempSync(join(tmpdir(), 'meshctl-zc-'))

interface Vector {
  args: string[]
  wantError: boolean
  expectedString?: string
  expectedStdoutFromCode?: string
  expectSubset?: unknown[]
  expect?: string
}

const vectors = JSON.parse(readFileSync(join(BASE, 'derived/vectors/ztunnel-config-cli.json'), 'utf8')) as {groups: Array<{cases: Vector[]}>}
const fileCases = vectors.groups[1]!.cases.filter((c) => c.args)
const withPaths = (args: string[]): string[] => args.map((a) => (a.startsWith('@') ? join(BASE, a.slice(1)) : a))

describe('file-mode vectors', () => {
  test('there are six', () => assert.equal(fileCases.length, 6))
  for (const c of fileCases) {
    test(c.args.join(' '), async () => {
      const res = await runCli(withPaths(c.args))
      if (c.wantError) {
        assert.notEqual(res.code, 0)
        assert.equal(res.stdout, '')
        assert.ok(res.stderr.includes(c.expectedString!), res.stderr)
        assert.equal(res.stderr.trimEnd().split('\n').length, 1, 'one line')
        return
      }
      assert.equal(res.code, 0, res.stderr)
      if (c.expectedStdoutFromCode !== undefined) assert.equal(res.stdout, c.expectedStdoutFromCode)
      if (c.expectSubset) assert.deepEqual(JSON.parse(res.stdout).map((s: {name: string; cidrVips: string[]; canonical: boolean}) => ({name: s.name, cidrVips: s.cidrVips, canonical: s.canonical})), c.expectSubset)
      if (c.expect?.includes('27 workloads')) assert.equal(JSON.parse(res.stdout).length, 27)
    })
  }
  test('exit codes: empty dump 3, --node with --file 2, -o wide 2, port 0 2', async () => {
    const codes = await Promise.all(fileCases.filter((c) => c.wantError).map(async (c) => (await runCli(withPaths(c.args))).code))
    assert.deepEqual(codes, [3, 2, 2, 2])
  })
})

describe('zc from a file', () => {
  test('without a subcommand it shows the group help', async () => {
    const res = await runCli(['zc'])
    assert.equal(res.code, 0)
    assert.match(res.stdout + res.stderr, /A group of commands used to update or retrieve Ztunnel/)
  })
  test('every alias reaches its view', async () => {
    for (const [alias, headerStart] of [
      ['w', 'NAMESPACE          POD NAME'],
      ['svc', 'NAMESPACE      SERVICE NAME'],
      ['pol', 'NAMESPACE POLICY NAME'],
      ['certs', 'CERTIFICATE NAME'],
      ['cons', 'WORKLOAD'],
    ] as const) {
      const res = await runCli(['ztunnel-config', alias, '-f', DUMP])
      assert.equal(res.code, 0, res.stderr)
      assert.ok(res.stdout.startsWith(headerStart), `${alias}: ${res.stdout.slice(0, 80)}`)
    }
  })
  test('stdin, --query and -o yaml', async () => {
    const q = await runCli(['zc', 'workloads', '-f', '-', '--workload-node', 'AMBIENT-WORKER', '--query', 'length(@)'], {stdin: readFileSync(DUMP)})
    assert.equal(q.code, 0, q.stderr)
    assert.equal(q.stdout, '11\n') // the rows on node ambient-worker in workloadsummary.txt
    const y = await runCli(['zc', 'policies', '-f', DUMP, '-o', 'yaml'])
    assert.equal(y.code, 0, y.stderr)
    assert.deepEqual(
      (parseYaml(y.stdout) as Array<{name: string}>).map((p) => p.name),
      ['allow-nothing', 'allow-waypoint'],
    )
    assert.ok(y.stdout.endsWith('\n\n'), 'one blank line at the end, as istioctl')
  })
  test('all -o json prints the dump as it is', async () => {
    const res = await runCli(['zc', 'all', '-f', DUMP, '-o', 'json'])
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stdout, `${readFileSync(DUMP, 'utf8')}\n`)
  })
  test('errors are one line with the documented exit code', async () => {
    const bad = join(tmp, 'bad.json')
    writeFileSync(bad, '{"workloads": [{"name": 5}]}')
    await assertOneLineError(await runCli(['zc', 'workloads', '-f', bad]), 3, /cannot unmarshal number 5 into Go struct field ZtunnelWorkload\.name of type string/)
    const trunc = join(tmp, 'trunc.json')
    writeFileSync(trunc, '{"workloads": [')
    await assertOneLineError(await runCli(['zc', 'all', '-f', trunc, '-o', 'yaml']), 3, /error unmarshalling config dump response from ztunnel: .*invalid JSON/)
    await assertOneLineError(await runCli(['zc', 'services', '-f', join(tmp, 'nope.json')]), 3, /cannot read .*nope\.json: no such file/)
    await assertOneLineError(await runCli(['zc', 'workloads', 'ztunnel-abc', '--node', 'n1']), 2, /at most one of --file, --node, or pod name must be passed/)
    await assertOneLineError(await runCli(['zc', 'log', 'ztunnel-abc', '-r', '--level', 'debug']), 2, /--level cannot be combined with --reset/)
    await assertOneLineError(await runCli(['zc', 'log', 'ztunnel-abc', '--level', 'xxx']), 2, /unrecognized logging level: xxx/)
  })
  test('pc views given a ztunnel dump say to use zc (exit 3)', async () => {
    for (const view of ['clusters', 'all', 'endpoints']) {
      await assertOneLineError(await runCli(['pc', view, '-f', DUMP]), 3, /is a ztunnel config dump \(ambient mode\), not an Envoy one.*use meshctl zc all -f/)
    }
  })
  test('a value nested thousands deep: the table works, JSON and YAML exit 3 with one line', async () => {
    const deep = `${'['.repeat(20000)}1${']'.repeat(20000)}`
    const f = join(tmp, 'deep.json')
    writeFileSync(f, `{"policies": [{"name": "p", "rules": [[[{"namespaces": [{"Presence": ${deep}}]}]]]}]}`)
    const table = await runCli(['zc', 'policies', '-f', f])
    assert.equal(table.code, 0, table.stderr)
    for (const args of [['-o', 'json'], ['-o', 'yaml']]) {
      await assertOneLineError(await runCli(['zc', 'policies', '-f', f, ...args]), 3, /nested too deeply/)
    }
    await assertOneLineError(await runCli(['zc', 'all', '-f', f, '-o', 'yaml']), 3, /nested too deeply/)
  })
})
