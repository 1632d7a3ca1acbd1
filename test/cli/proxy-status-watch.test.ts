/**
 * `ps --watch` as a user runs it: piped (snapshot after snapshot, the file read again at each refresh) and on a real
 * terminal (a pseudo-terminal from util-linux `script`, where Ctrl-C is a real ^C through the terminal driver).
 * Every wait below is for output to appear, never for a fixed time.
 */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, test} from 'node:test'
import {assertOneLineError, BIN, runCli, start} from '../helpers/cli.js'

process.env.KUBECONFIG = '/nonexistent/meshctl-test/kubeconfig'

const tmp = mkdtempSync(join(tmpdir(), 'meshctl-ps-watch-'))
after(() => rmSync(tmp, {recursive: true, force: true}))

const CDS = 'type.googleapis.com/envoy.config.cluster.v3.Cluster'
const LDS = 'type.googleapis.com/envoy.config.listener.v3.Listener'

/**
 * An istiod /debug/syncz answer with `n` proxies in namespace `ns`; `behind` of them have an unacknowledged
 * CDS push. Rewriting the file with another `behind` is the mesh changing between refreshes.
 */
function writeSyncz(path: string, n: number, behind: number, ns = 'default'): string {
  const proxies = Array.from({length: n}, (_, i) => ({
    cluster_id: 'Kubernetes',
    proxy: `app-${String(i).padStart(3, '0')}-7d9f8c6b5-x${i}.${ns}`,
    proxy_type: 'sidecar',
    istio_version: '1.26.2',
    resources: {
      [CDS]: i < behind ? {sent: 'v2', acked: 'v1', sentTime: '2026-11-22T06:00:00Z'} : {sent: 'v2', acked: 'v2', sentTime: '2026-11-22T06:00:00Z'},
      [LDS]: {sent: 'v7', acked: 'v7', sentTime: '2026-11-22T06:00:00Z'},
    },
  }))
  writeFileSync(path, JSON.stringify(proxies))
  return path
}

const count = (text: string, needle: string): number => text.split(needle).length - 1

describe('usage', () => {
  test('--watch with a pod, with --fail-on, with standard input, or too short: exit 2, one line', async () => {
    await assertOneLineError(await runCli(['ps', '--watch', 'productpage-v1']), 2, /--watch refreshes the mesh-wide table; it does not take a pod \(got "productpage-v1"\)/)
    const saved = writeSyncz(join(tmp, 'usage.json'), 3, 1)
    await assertOneLineError(await runCli(['ps', '--watch', '--fail-on', 'stale', '--file', saved]), 2, /--fail-on checks one snapshot and cannot be combined with --watch/)
    await assertOneLineError(await runCli(['ps', '--watch', '5s', '--file', '-'], {stdin: '[]'}), 2, /--watch cannot re-read standard input/)
    await assertOneLineError(await runCli(['ps', '--watch', '100ms', '--file', saved]), 2, /--watch 100ms is too short; the shortest is 500ms/)
    await assertOneLineError(await runCli(['ps', '--watch=soon', '--file', saved]), 2, /--watch "soon" is not a duration/)
  })
  test('a first refresh that fails is the command failing, with its own exit code', async () => {
    await assertOneLineError(await runCli(['ps', '--watch', '--file', join(tmp, 'missing.json')]), 3, /missing\.json/)
  })
})

describe('piped', () => {
  test('one table after another; the file is read again at every refresh; SIGINT ends it with exit 0', async () => {
    const file = writeSyncz(join(tmp, 'syncz.json'), 3, 2)
    const run = start(process.execPath, [BIN, 'ps', '--watch', '500ms', '--file', file])
    await run.until((o) => o.includes('app-002-'), 'the first table')
    writeSyncz(file, 4, 0)
    await run.until((o) => o.includes('app-003-') && o.endsWith('\n'), 'the table of the rewritten file')
    run.child.kill('SIGINT')
    const {code, signal} = await run.exited
    assert.deepEqual({code, signal}, {code: 0, signal: null}, run.err())
    assert.equal(run.err(), '')
    const once = (await runCli(['ps', '--file', writeSyncz(join(tmp, 'once.json'), 3, 2)])).stdout
    const then = (await runCli(['ps', '--file', writeSyncz(join(tmp, 'then.json'), 4, 0)])).stdout
    assert.match(once, /STALE/)
    assert.doesNotMatch(then, /STALE/)
    const snapshots = run.out().split(/\n\n/)
    assert.equal(snapshots[0], once.trimEnd(), 'the first snapshot is exactly what ps prints')
    assert.equal(snapshots.at(-1), then, 'the last snapshot is the rewritten file')
    for (const s of snapshots.slice(1, -1)) assert.ok(s === once.trimEnd() || s === then.trimEnd(), s)
    assert.ok(!run.out().includes('\u001b'), 'no escape sequences when piped')
  })
  test('-o json: a stream of JSON documents (jq reads it); a refresh that fails is a warning and watching goes on', async () => {
    const file = writeSyncz(join(tmp, 'stream.json'), 3, 1)
    const run = start(process.execPath, [BIN, 'ps', '-w', '500ms', '--file', file, '-o', 'json'])
    await run.until((o) => count(o, '\n}\n') >= 1, 'one document')
    rmSync(file)
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no warning; stderr: ${run.err()}`)), 60_000)
      run.child.stderr!.on('data', () => {
        if (run.err().includes('Warning: refresh at')) {
          clearTimeout(timer)
          resolve()
        }
      })
    })
    writeSyncz(file, 3, 1)
    const before = count(run.out(), '\n}\n')
    await run.until((o) => count(o, '\n}\n') > before, 'a document after the file came back')
    run.child.kill('SIGTERM')
    assert.equal((await run.exited).code, 0)
    assert.match(run.err(), /^Warning: refresh at \d\d:\d\d:\d\d failed: .*stream\.json/m)
    const docs = run.out().trimEnd().split(/\n(?=\{)/).map((d) => JSON.parse(d) as Record<string, unknown>)
    assert.ok(docs.length >= 2)
    for (const d of docs) assert.deepEqual(Object.keys(d).sort(), Object.keys(docs[0]!).sort())
  })
})

const hasScript = spawnSync('script', ['--version']).status === 0

describe('on a terminal', () => {
  test('the table redrawn in place under a status line; Ctrl-C leaves the last frame and exits 0', {skip: hasScript ? false : 'util-linux script(1) is not installed'}, async () => {
    // 12 proxies on a 10-row terminal: the table does not fit
    const file = writeSyncz(join(tmp, 'tty.json'), 12, 5)
    // stty gives the terminal its size; exec keeps meshctl in the foreground process group that gets the ^C
    const shell = `stty cols 120 rows 10; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} ps --watch 500ms --file ${JSON.stringify(file)} -n default`
    const run = start('script', ['-qefc', shell, '/dev/null'], {NO_COLOR: ''})
    await run.until((o) => count(o, 'Every 500ms · ') >= 3, 'three frames')
    run.child.stdin!.write('\u0003')
    const {code} = await run.exited
    const out = run.out()
    assert.equal(code, 0, `exit code; output: ${JSON.stringify(out.slice(-500))}`)
    assert.match(out, /Every 500ms · \d\d:\d\d:\d\d · \u001b\[33m12 proxies, 5 not in sync\u001b\[39m · meshctl ps --file \S+tty\.json -n default/)
    // in place: later frames move the cursor up over the earlier ones and erase their lines
    assert.ok(count(out, '\u001b[1A') >= 2 && count(out, '\u001b[2K') >= 2)
    // cut to the terminal: no line wider than 120 columns, and the table says what did not fit
    const plain = out.replace(/\u001b\[[\d;?]*[A-Za-z]/g, '')
    for (const line of plain.split(/\r?\n|\r/)) assert.ok([...line].length <= 120, line)
    assert.match(plain, /… 7 more proxies below the screen/)
    // colour on a terminal; the cursor is shown again at the end
    assert.ok(out.includes('\u001b[32mSYNCED'))
    assert.ok(out.trimEnd().endsWith('\u001b[?25h'), JSON.stringify(out.slice(-80)))
  })
})
