/**
 * The defects found by trying meshctl as a new user would (issue 14, section 4), each pinned down as the user met it:
 * the built CLI in its own process, the documented exit code, one `Error:` line.
 */
import assert from 'node:assert/strict'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, test} from 'node:test'
import {assertOneLineError, runCli, SHARED} from '../helpers/cli.js'

const tmp = mkdtempSync(join(tmpdir(), 'meshctl-robust-'))
const DUMP = join(SHARED, 'conformance/istioctl/head-86c9f01/istioctl/pkg/proxyconfig/testdata/config_dump.json')

function file(name: string, content: string): string {
  const p = join(tmp, name)
  writeFileSync(p, content)
  return p
}

describe('durations (3, 4, 16)', () => {
  test('--timeout shows its default as a duration on every command', async () => {
    for (const cmd of [['pc', 'clusters'], ['ps'], ['dashboard', 'envoy']]) {
      const r = await runCli([...cmd, '--help'])
      assert.match(r.stdout, /--timeout=<value>\s+\[default: 30s\]/, cmd.join(' '))
    }
  })
  test('durations beyond the timer limit are usage errors, not an instant timeout or a tight refresh loop', async () => {
    await assertOneLineError(await runCli(['pc', 'clusters', '-f', DUMP, '--timeout', '600h']), 2, /--timeout 600h is too long/)
    await assertOneLineError(await runCli(['ps', '--file', DUMP, '-w', '2500000s']), 2, /--watch 2500000s is too long/)
  })
  test('-w 1h is an interval and -w -1s a negative one, not pod names', async () => {
    await assertOneLineError(await runCli(['ps', '--file', DUMP, '-w', '-1s']), 2, /--watch "-1s" must not be negative/)
    await assertOneLineError(await runCli(['ps', 'x', '-w', '1h']), 2, /--watch refreshes the mesh-wide table; it does not take a pod \(got "x"\)/)
  })
})
