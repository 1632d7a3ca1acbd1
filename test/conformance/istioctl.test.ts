/**
 * istioctl's own goldens (../shared/conformance/istioctl/cases.json, and ztunnel-cases.json for `zc`): meshctl run with the same input must
 * print the same thing, compared as the case says (exact bytes, trimmed, or equal as JSON/YAML data).
 */
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'
import {parse as parseYaml} from 'yaml'
import {runCli, SHARED} from '../helpers/cli.js'

interface Case {
  id: string
  args: string[]
  golden: string
  compare: 'exact' | 'trim' | 'json' | 'yaml'
  note?: string
}

const base = join(SHARED, 'conformance/istioctl')
const load = (file: string): Case[] => (JSON.parse(readFileSync(join(base, file), 'utf8')) as {cases: Case[]}).cases
const cases = [...load('cases.json'), ...load('ztunnel-cases.json')]

test('the ztunnel cases are part of the suite', () => {
  assert.ok(cases.filter((c) => c.args[0] === 'zc').length >= 9)
})

for (const c of cases) {
  test(`istioctl conformance: ${c.id}`, async () => {
    const args = c.args.map((a) => (a.startsWith('@') ? join(base, a.slice(1)) : a))
    const res = await runCli(args)
    assert.equal(res.stderr.includes('Error:'), false, `meshctl ${c.args.join(' ')} failed: ${res.stderr}`)
    assert.equal(res.code, 0, res.stderr)
    const golden = readFileSync(join(base, c.golden), 'utf8')
    switch (c.compare) {
      case 'exact':
        assert.equal(res.stdout, golden)
        break
      case 'trim':
        assert.equal(res.stdout.trim(), golden.trim())
        break
      case 'json':
        assert.deepEqual(JSON.parse(res.stdout), JSON.parse(golden))
        break
      case 'yaml':
        assert.deepEqual(parseYaml(res.stdout), parseYaml(golden))
        break
    }
  })
}
