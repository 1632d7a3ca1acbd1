/**
 * The single executable (`npm run build:binary`, scripts/build-binary.js) on a machine without Node.js: the binary
 * is copied into an empty directory and run there with a PATH that holds no `node`, a HOME of its own, and no
 * node_modules anywhere it could find them. Its output must be bin/run.js's.
 *
 * The binary is built here when dist/bin has none, or one built from other sources (about 10 s); the tests are
 * skipped only when it is absent AND MESHCTL_SKIP_BINARY=1.
 */
import assert from 'node:assert/strict'
import {type ChildProcess, execFileSync, spawn} from 'node:child_process'
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {delimiter, join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {pathToFileURL} from 'node:url'
import {assertOneLineError, type CliResult, ROOT, runCli, SHARED} from '../helpers/cli.js'

const NAME = `meshctl-${process.platform}-${process.arch}`
const BUILT = join(ROOT, 'dist/bin', NAME)
const skip = !existsSync(BUILT) && process.env.MESHCTL_SKIP_BINARY === '1' ? 'no binary built and MESHCTL_SKIP_BINARY=1' : false

const DUMP = join(ROOT, 'test/fixtures/dumps/mini-sidecar.json')
const SYNCZ = join(SHARED, 'conformance/istioctl/derived/proxy-status-syncz-legacy/printall-multi-istiod.input.json')

const dir = mkdtempSync(join(tmpdir(), 'meshctl-binary-'))
const exe = join(dir, NAME)
// a PATH with the basic tools and no node: an empty directory of our own, then /usr/bin and /bin only if they have none
const emptyBin = join(dir, 'bin')
const PATH = [emptyBin, ...['/usr/bin', '/bin'].filter((d) => !existsSync(join(d, 'node')))].join(delimiter)
const env = {PATH, HOME: dir, NO_COLOR: '1', KUBECONFIG: join(dir, 'no-kubeconfig')}

function runBinary(args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(exe, args, {cwd: dir, env: {...env, ...extraEnv}, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${NAME} ${args.join(' ')} did not exit within 60 s`))
    }, 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code, stdout, stderr})
    })
  })
}

describe('the single executable, without Node.js', {skip}, () => {
  before(async () => {
    // built from these sources, or built now
    const {inputsDigest} = (await import(pathToFileURL(join(ROOT, 'scripts/binary-inputs.js')).href)) as {inputsDigest: (root: string) => string}
    const stamp = `${BUILT}.inputs`
    const fresh = existsSync(BUILT) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === inputsDigest(ROOT)
    if (!fresh) execFileSync(process.execPath, [join(ROOT, 'scripts/build-binary.js')], {cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit']})
    mkdirSync(emptyBin)
    copyFileSync(BUILT, exe)
  })
  after(() => rmSync(dir, {recursive: true, force: true}))

  test('the environment has no node to fall back on', () => {
    for (const d of PATH.split(delimiter)) assert.ok(!existsSync(join(d, 'node')), `${d} has a node`)
    assert.deepEqual(readdirSync(dir).sort(), ['bin', NAME])
  })

  test('--version: the line bin/run.js prints (the pinned Node inside)', async () => {
    const [bin, ref] = await Promise.all([runBinary(['--version']), runCli(['--version'])])
    assert.equal(bin.code, 0, bin.stderr)
    assert.match(bin.stdout, new RegExp(`^meshctl/\\d+\\.\\d+\\.\\d+ ${process.platform}-${process.arch} node-v\\d+\\.\\d+\\.\\d+\\n$`))
    assert.equal(bin.stdout, ref.stdout)
  })

  for (const args of [
    ['pc', 'clusters', '-f', DUMP],
    ['proxy-config', 'listeners', '-f', DUMP],
    ['pc', 'routes', '-f', DUMP, '-o', 'json'],
    ['pc', 'all', '-f', DUMP, '-o', 'yaml'],
    ['pc', 'clusters', '-f', DUMP, '--query', '[].name'],
    ['ps', '--file', SYNCZ],
    ['ps', '--file', SYNCZ, '-o', 'yaml'],
    // an import() of a Node module (isExistingFile) inside an asset
    ['diff', DUMP, DUMP],
    ['--help'],
    ['pc', 'clusters', '--help'],
    ['dashboard', 'envoy', '--help'],
  ]) {
    test(`${args.map((a) => (a.startsWith('/') ? a.split('/').at(-1) : a)).join(' ')}: the same output as bin/run.js`, async () => {
      const [bin, ref] = await Promise.all([runBinary(args), runCli(args)])
      assert.equal(ref.code, 0, ref.stderr)
      assert.equal(bin.code, 0, bin.stderr)
      assert.equal(bin.stderr, '')
      assert.equal(bin.stdout, ref.stdout)
    })
  }

  test('errors: one line and the documented exit code', async () => {
    await assertOneLineError(await runBinary(['pc', 'clusters', '-f', join(dir, 'nope.json')]), 3, /cannot read .*nope\.json: no such file/)
    await assertOneLineError(await runBinary(['pc', 'clusters', '-f', DUMP, '-o', 'xml']), 2, /output format "xml" not supported/)
    await assertOneLineError(await runBinary(['pc', 'nothing']), 2, /unknown command "pc nothing"/)
  })

  test("a cluster behind a proxy that refuses: the proxy agents (loaded on first use, scripts/lib/lazy-deps.js) say so in one line", async () => {
    for (const proxy of ['http://127.0.0.1:1', 'socks5://127.0.0.1:1']) {
      const kubeconfig = join(dir, `proxy-${proxy.split(':')[0]}.kubeconfig`)
      writeFileSync(
        kubeconfig,
        [
          'apiVersion: v1',
          'kind: Config',
          'clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443", proxy-url: "' + proxy + '"}}]',
          'users: [{name: u, user: {token: t}}]',
          'contexts: [{name: x, context: {cluster: c, user: u}}]',
          'current-context: x',
        ].join('\n'),
      )
      await assertOneLineError(await runBinary(['ps'], {KUBECONFIG: kubeconfig}), 4, new RegExp(`through proxy ${proxy.replaceAll('.', '\\.')} \\(ECONNREFUSED\\)`))
    }
  })

  describe('live, against the sandbox cluster the binary itself runs', () => {
    let sandbox: ChildProcess | undefined
    let out = ''
    const kubeconfig = join(dir, 'sandbox.kubeconfig')
    before(async () => {
      sandbox = spawn(exe, ['sandbox', '--kubeconfig', kubeconfig], {cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe']})
      sandbox.stdout!.on('data', (d) => (out += d))
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the sandbox did not start: ${out}`)), 60_000)
        sandbox!.stdout!.on('data', () => {
          if (out.includes('Press Ctrl-C to stop')) {
            clearTimeout(timer)
            resolve()
          }
        })
        sandbox!.on('exit', (code) => reject(new Error(`the sandbox exited (${code}): ${out}`)))
      })
    })
    after(async () => {
      if (!sandbox || sandbox.exitCode !== null) return
      const exited = new Promise((resolve) => sandbox!.on('exit', resolve))
      sandbox.kill('SIGINT')
      await exited
      assert.match(out, /sandbox stopped/)
    })

    test('pc clusters <pod> over port-forward and exec, and ps against the three istiods', async () => {
      const pod = /meshctl proxy-config clusters (\S+)/.exec(out)?.[1]
      assert.ok(pod, out)
      const live = {KUBECONFIG: kubeconfig}
      const [pf, exec, ref] = await Promise.all([
        runBinary(['pc', 'clusters', pod], live),
        runBinary(['pc', 'clusters', pod, '--transport', 'exec'], live),
        runCli(['pc', 'clusters', pod], {env: live}),
      ])
      assert.equal(pf.code, 0, pf.stderr)
      assert.equal(exec.code, 0, exec.stderr)
      assert.equal(pf.stdout, ref.stdout)
      assert.equal(exec.stdout, ref.stdout)
      const ps = await runBinary(['ps'], live)
      assert.equal(ps.code, 0, ps.stderr)
      const rows = ps.stdout.trimEnd().split('\n')
      assert.match(rows[0]!, /^NAME\s+CLUSTER\s+CDS/)
      assert.ok(rows.length > 5, ps.stdout)
      assert.ok(rows.some((r) => r.includes(pod)), ps.stdout)
      await assertOneLineError(await runBinary(['pc', 'clusters', 'no-such-pod'], live), 4, /no-such-pod/)
    })
    test("check -A on worker threads started from the executable's own assets: the report bin/run.js makes on one thread", async () => {
      const live = {KUBECONFIG: kubeconfig}
      const [bin, ref] = [await runBinary(['check', '-A', '-o', 'json'], {...live, MESHCTL_CHECK_WORKERS: '2', MESHCTL_DEBUG: '1'}), await runCli(['check', '-A', '-o', 'json'], {env: {...live, MESHCTL_CHECK_WORKERS: '0'}})]
      assert.equal(bin.code, 10, bin.stderr)
      assert.equal(ref.code, 10, ref.stderr)
      assert.ok((JSON.parse(bin.stdout) as unknown[]).length > 10)
      assert.deepEqual(JSON.parse(bin.stdout), JSON.parse(ref.stdout))
      assert.match(bin.stderr, /^meshctl: checking on 2 worker threads$/m)
      assert.doesNotMatch(bin.stderr, /Error/)
    })
  })
})
