/** `meshctl sandbox` from the checkout: its flags' checks (exit 2), and a start, a request, a stop on SIGTERM. */
import assert from 'node:assert/strict'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, test} from 'node:test'
import {BIN, runCli, start} from '../helpers/cli.js'

const tmp = mkdtempSync(join(tmpdir(), 'meshctl-sandbox-cmd-'))
after(() => rmSync(tmp, {recursive: true, force: true}))

describe('meshctl sandbox', () => {
  test('flag errors are usage errors (exit 2, one line)', async () => {
    for (const [args, message] of [
      [['--scenario', 'demo', '--services', '5'], /--services needs --scenario synthetic/],
      [['--services', '0'], /services/],
      [['--scenario', 'bogus'], /bogus/],
      [['--port', '70000'], /port/],
    ] as const) {
      const res = await runCli(['sandbox', ...args])
      assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`)
      assert.equal(res.stdout, '')
      assert.match(res.stderr, /^Error: /)
      assert.match(res.stderr, message)
      assert.equal(res.stderr.trimEnd().split('\n').length, 1, res.stderr)
    }
  })
  test('--scenario demo: the context namespace is bookinfo; ps answers; SIGTERM stops it with exit 0', async () => {
    const kubeconfig = join(tmp, 'kc')
    const sb = start(process.execPath, [BIN, 'sandbox', '--scenario', 'demo', '--kubeconfig', kubeconfig])
    try {
      await sb.until((o) => o.includes('Press Ctrl-C'), 'the sandbox to start')
      assert.match(sb.out(), new RegExp(`^ {2}export KUBECONFIG=${kubeconfig.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'))
      assert.match(readFileSync(kubeconfig, 'utf8'), /namespace: bookinfo/)
      const ps = await runCli(['ps'], {env: {KUBECONFIG: kubeconfig}})
      assert.equal(ps.code, 0, ps.stderr)
      assert.match(ps.stdout, /\.bookinfo\s/)
      sb.child.kill('SIGTERM')
      assert.equal((await sb.exited).code, 0, sb.err())
      assert.match(sb.out(), /sandbox stopped\n$/)
      assert.ok(existsSync(kubeconfig), 'a kubeconfig written where asked is left for the user')
    } finally {
      if (sb.child.exitCode === null) sb.child.kill('SIGKILL')
    }
  })
})
