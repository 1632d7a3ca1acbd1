/** `meshctl diff` on saved dumps, as a user runs it: outputs, exit codes, flags, errors. */
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, test} from 'node:test'
import {parse as parseYaml} from 'yaml'
import type {JsonObject} from '../../src/envoy/fields.js'
import {bookinfo} from '../../src/gen/bookinfo.js'
import {configDump} from '../../src/gen/configdump.js'
import {iterateProxies} from '../../src/gen/proxies.js'
import {assertOneLineError, runCli} from '../helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'meshctl-diff-cli-'))
after(() => rmSync(dir, {recursive: true, force: true}))

const mesh = bookinfo()
const [inv0, inv1] = [...iterateProxies(mesh)].filter((p) => p.pod.startsWith('inventory'))
const write = (name: string, dump: unknown): string => {
  const file = join(dir, name)
  writeFileSync(file, JSON.stringify(dump, null, 2))
  return file
}
const before = write('before.json', configDump(mesh, inv0!, {includeEds: true}))
const edited = JSON.parse(readFileSync(before, 'utf8')) as {configs: JsonObject[]}
const clusters = edited.configs.find((c) => String(c['@type']).endsWith('.ClustersConfigDump'))!.dynamic_active_clusters as JsonObject[]
const target = clusters.find((c) => String((c.cluster as JsonObject).name).startsWith('outbound|'))!
;(target.cluster as JsonObject).connect_timeout = '3s'
target.version_info = 'a-new-version'
const after_ = write('after.json', edited)
const replica = write('replica.json', configDump(mesh, inv1!, {includeEds: true}))
const name = String((target.cluster as JsonObject).name)

describe('meshctl diff (files)', () => {
  test('default output: summary table and field-level diff; exit 0 without --exit-code, 10 with it', async () => {
    const res = await runCli(['diff', before, after_])
    assert.equal(res.code, 0, res.stderr)
    assert.ok(res.stdout.includes(`clusters  ${name}  changed  /connect_timeout`), res.stdout)
    assert.match(res.stdout, /^ {2}~ \/connect_timeout: "\S+" → "3s"$/m)
    assert.equal((await runCli(['diff', before, after_, '--exit-code'])).code, 10)
    assert.equal((await runCli(['diff', before, before, '--exit-code'])).code, 0)
  })

  test('--stat, -o json, -o yaml', async () => {
    const stat = await runCli(['diff', before, after_, '--stat'])
    assert.match(stat.stdout, /^clusters\s+0\s+0\s+1\s+\d+$/m)
    const json = JSON.parse((await runCli(['diff', before, after_, '-o', 'json'])).stdout)
    assert.deepEqual(json.resources, [{type: 'clusters', name, change: 'changed', fields: ['/connect_timeout'], patch: [{op: 'replace', path: '/connect_timeout', value: '3s'}]}])
    const yaml = parseYaml((await runCli(['diff', before, after_, '-o', 'yaml'])).stdout)
    assert.deepEqual(yaml.resources, json.resources)
  })

  test('--include-meta shows the version; --type and --fqdn narrow', async () => {
    const meta = JSON.parse((await runCli(['diff', before, after_, '-o', 'json', '--include-meta', '--type', 'clusters'])).stdout)
    assert.deepEqual(meta.resources[0].fields, ['/_meta/version_info', '/connect_timeout'])
    const routes = await runCli(['diff', before, after_, '--type', 'routes,listeners', '--exit-code'])
    assert.equal(routes.code, 0)
    const other = await runCli(['diff', before, after_, '--fqdn', 'no-such-service', '--exit-code'])
    assert.equal(other.code, 0)
    assert.match(other.stdout, /No differences \(0 resources compared: clusters, endpoints\)/)
  })

  test('two replicas: per-pod values normalised (said), or not with --no-normalize', async () => {
    const res = await runCli(['diff', before, replica, '--exit-code'])
    assert.equal(res.code, 0, res.stdout)
    assert.match(res.stdout, /^Normalised per-pod values: pod IP \(10\.244\.1\.25 \| 10\.244\.1\.26 → <pod-ip>\), pod name/m)
    const raw = await runCli(['diff', before, replica, '--no-normalize', '--exit-code'])
    assert.equal(raw.code, 10)
    assert.doesNotMatch(raw.stdout, /Normalised/)
    assert.match(raw.stdout, /^bootstrap\s+bootstrap\s+changed\s+\/node\/id/m)
  })

  test('a side on standard input', async () => {
    const res = await runCli(['diff', before, '-', '--exit-code'], {stdin: readFileSync(after_)})
    assert.equal(res.code, 10, res.stderr)
    assert.ok(res.stdout.includes('+++ b: stdin'))
  })

  test('errors: one line each', async () => {
    await assertOneLineError(await runCli(['diff', before]), 2, /diff needs two sides \(got 1\)/)
    await assertOneLineError(await runCli(['diff', before, join(dir, 'nope.json')]), 3, /nope\.json: no such file/)
    await assertOneLineError(await runCli(['diff', before, after_, '--watch', '1s']), 2, /--watch follows one proxy/)
    await assertOneLineError(await runCli(['diff', before, after_, '--type', 'pods']), 2, /--type "pods" is not a resource type/)
    await assertOneLineError(await runCli(['diff', '-', '-']), 2, /only one side can be standard input/)
  })
})
