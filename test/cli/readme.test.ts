/** The README's command reference is generated from oclif's help; it must match the commands as built. */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {test} from 'node:test'
import {ROOT} from '../helpers/cli.js'

test('README command reference is up to date (npm run readme)', () => {
  const r = spawnSync(process.execPath, ['scripts/readme.js', '--check'], {cwd: ROOT, encoding: 'utf8'})
  assert.equal(r.status, 0, r.stderr)
})
