/** The command reference (docs/reference.md) is generated from oclif's help; it must match the commands as built. */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {test} from 'node:test'
import {ROOT} from '../helpers/cli.js'

test('docs/reference.md is up to date with the commands (npm run readme)', () => {
  const r = spawnSync(process.execPath, ['scripts/readme.js', '--check'], {cwd: ROOT, encoding: 'utf8'})
  assert.equal(r.status, 0, r.stderr)
})
