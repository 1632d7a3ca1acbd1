/**
 * Help as a user reads it (issue 14, section 3): every oclif template rendered, durations shown one way, each command
 * listed once. Over every command's --help, the root and topic help, and the README's generated reference.
 */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'
import {ROOT, runCli} from '../helpers/cli.js'

const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {hidden?: boolean; flags: Record<string, {name: string}>}>}

function checkHelpText(text: string, what: string): void {
  assert.doesNotMatch(text, /<%/, `${what}: an oclif template left unrendered`)
  assert.doesNotMatch(text, /--(?:timeout|watch|grace|cert-warn|interval)=\S+\s+\[default: \d+\]/, `${what}: a duration shown as a bare number`)
  assert.doesNotMatch(text, /=<duration>\s+\[default: \d+\]/, `${what}: a duration shown as a bare number`)
}

test('every command, topic and the root: templates rendered, durations as 30s', async () => {
  const ids = Object.keys(manifest.commands)
  assert.ok(ids.length >= 10)
  for (const args of [[], ['pc'], ['proxy-config'], ['dashboard'], ...ids.map((id) => id.split(':'))]) {
    const r = await runCli([...args, '--help'])
    assert.equal(r.code, 0, `${args.join(' ')} --help: ${r.stderr}`)
    checkHelpText(r.stdout, `meshctl ${args.join(' ')} --help`)
    if (Object.values(manifest.commands[args.join(':')]?.flags ?? {}).some((f) => f.name === 'timeout')) {
      assert.match(r.stdout, /--timeout=<value>\s+\[default: 30s\]/, `${args.join(' ')} --help`)
    }
  }
})

test("the generated reference (docs/reference.md): templates rendered, durations as 30s", () => {
  const r = spawnSync(process.execPath, ['scripts/readme.js', '--stdout'], {cwd: ROOT, encoding: 'utf8'})
  assert.equal(r.status, 0, r.stderr)
  checkHelpText(r.stdout, 'docs/reference.md')
  assert.match(r.stdout, /### `meshctl help`\n\nDisplay help for meshctl\n/)
})
