/**
 * meshctl as users get it: `npm pack` the built project, `npm install -g --prefix <empty dir> <tarball>` (from the
 * npm cache alone when it holds everything; else the registry supplies what the cache lacks), then the installed
 * commands, with the pinned Node first on PATH as a user's Node >= 22 would be: `meshctl sandbox` serves a cluster
 * that `meshctl pc` and `kubectl meshctl` (the kubectl plugin) read, Ctrl-C stops it; `meshctl demo` completes;
 * completion works; an older Node gets one line naming the version needed.
 */
import assert from 'node:assert/strict'
import {execFile, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {promisify} from 'node:util'
import {ROOT, start} from '../helpers/cli.js'

const exec = promisify(execFile)
const tmp = mkdtempSync(join(tmpdir(), 'meshctl-install-'))
const prefix = join(tmp, 'prefix')
const bin = join(prefix, 'bin')
// the Node running the tests (the pinned one) first, as the Node >= 22 a user installs; then the installed bins
const PATH = `${dirname(process.execPath)}:${bin}:${process.env.PATH}`
const env = {...process.env, PATH, NO_COLOR: '1', MESHCTL_DEBUG: '', KUBECONFIG: join(tmp, 'no-kubeconfig')}
const has = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0
let packed: string[] = []
let tgz = ''
// the system Node of this machine (Debian's 20) stands for a user's too-old Node
const OLD_NODE = existsSync('/usr/bin/node') && /^v(1\d|2[01])\./.test(spawnSync('/usr/bin/node', ['--version'], {encoding: 'utf8'}).stdout)

const run = async (cmd: string, args: string[], extra: Record<string, string> = {}, timeout = 120_000, cwd = tmp) => {
  try {
    const r = await exec(cmd, args, {env: {...env, ...extra}, cwd, timeout, maxBuffer: 64 << 20})
    return {code: 0, stdout: r.stdout, stderr: r.stderr}
  } catch (err) {
    const e = err as {code?: number; stdout?: string; stderr?: string}
    return {code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(err)}
  }
}

before(async () => {
  const pack = await run('npm', ['pack', '--json', '--pack-destination', tmp], {}, 120_000, ROOT)
  assert.equal(pack.code, 0, pack.stderr)
  const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Array<{filename: string; files: Array<{path: string}>}>
  packed = info!.files.map((f) => f.path)
  tgz = join(tmp, info!.filename.replace(/^@/, '').replace('/', '-'))
  const common = ['install', '-g', '--prefix', prefix, tgz, '--no-audit', '--no-fund', '--loglevel=error']
  // npm ci keeps the tarballs in the cache, not always the registry's package documents: then the registry answers
  let install = await run('npm', [...common, '--offline'], {}, 300_000)
  if (install.code !== 0) install = await run('npm', [...common, '--prefer-offline'], {}, 300_000)
  assert.equal(install.code, 0, install.stderr)
})
after(async () => {
  // npm exec installed the tarball under <npm cache>/_npx/<hash>: remove that install (and only that one)
  const npx = join((await run('npm', ['config', 'get', 'cache'])).stdout.trim(), '_npx')
  for (const d of existsSync(npx) ? readdirSync(npx) : []) {
    const manifest = join(npx, d, 'package.json')
    if (existsSync(manifest) && readFileSync(manifest, 'utf8').includes(tmp)) rmSync(join(npx, d), {recursive: true, force: true})
  }
  rmSync(tmp, {recursive: true, force: true})
})

describe('the npm package', () => {
  test('holds the entry point, the bundle with the sandbox and demo commands, the manifest; not the checkout', () => {
    for (const f of ['bin/run.js', 'bin/kubectl_complete-meshctl.js', 'package.json', 'oclif.manifest.json', 'dist/bundle/src/cli/main.js', 'dist/bundle/commands/sandbox.js', 'dist/bundle/commands/demo.js', 'dist/bundle/commands/version.js', 'dist/bundle/commands/completion.js']) {
      assert.ok(packed.includes(f), f)
    }
    assert.ok(!packed.some((f) => /^(scripts|test|src|dist\/test|dist\/src)\//.test(f)), packed.filter((f) => /^(scripts|test|src)\//.test(f)).join(' '))
  })
  test('installs meshctl and kubectl-meshctl; both run', async () => {
    assert.equal(realpathSync(join(bin, 'kubectl-meshctl')), realpathSync(join(bin, 'meshctl')))
    assert.ok(existsSync(join(bin, 'kubectl_complete-meshctl')), 'kubectl_complete-meshctl')
    const v = await run(join(bin, 'meshctl'), ['--version'])
    assert.match(v.stdout, /^meshctl\/\d+\.\d+\.\d+ /)
    const short = await run(join(bin, 'meshctl'), ['version', '--short'])
    assert.deepEqual([short.code, short.stdout], [0, `client version: ${/meshctl\/(\S+)/.exec(v.stdout)![1]}\n`])
  })
  test('on a Node older than 22: one line naming the version needed, exit 1', {skip: OLD_NODE ? false : 'no Node older than 22 at /usr/bin/node'}, async () => {
    const r = await run('/usr/bin/node', [join(bin, 'meshctl'), 'pc', 'clusters', '-f', 'x'])
    assert.equal(r.code, 1)
    assert.equal(r.stdout, '')
    assert.match(r.stderr, /^Error: meshctl needs Node\.js 22 or newer \(this is v\d+\.\d+\.\d+\)[^\n]*\n$/)
  })
  test('the bash completion script of the installed meshctl is valid and completes', async () => {
    const script = (await run(join(bin, 'meshctl'), ['completion', 'bash'])).stdout
    const r = await run('bash', ['-c', `${script}\nCOMP_WORDS=(meshctl pc routes -o y); COMP_CWORD=4\n_meshctl_complete\nprintf '%s\\n' "\${COMPREPLY[@]}"`])
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'yaml\n', ''])
  })
})

describe('npx', () => {
  test('npx (npm exec) runs meshctl from the package without a global install', async () => {
    const r = await run('npm', ['exec', '--yes', '--prefer-offline', '--package', tgz, '--', 'meshctl', 'version', '--short'], {}, 300_000)
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /^client version: \d+\.\d+\.\d+\n$/)
  })
})

describe('the installed meshctl, with no checkout around', () => {
  test('meshctl sandbox: prints the export line, serves pc and kubectl meshctl, Ctrl-C stops it (exit 0)', async () => {
    const sb = start(join(bin, 'meshctl'), ['sandbox', '--kubeconfig', join(tmp, 'sandbox.kubeconfig')], {PATH})
    try {
      await sb.until((o) => o.includes('Press Ctrl-C'), 'the sandbox to start')
      const kubeconfig = /^ {2}export KUBECONFIG=(\S+)$/m.exec(sb.out())?.[1]
      assert.equal(kubeconfig, join(tmp, 'sandbox.kubeconfig'))
      const pc = await run(join(bin, 'meshctl'), ['pc', 'clusters', 'deploy/productpage-v1', '--fqdn', 'reviews'], {KUBECONFIG: kubeconfig!})
      assert.equal(pc.code, 0, pc.stderr)
      assert.match(pc.stdout, /^SERVICE FQDN\s+PORT\s+SUBSET/)
      assert.match(pc.stdout, /reviews\.default\.svc\.cluster\.local\s+9080\s+v1\s+outbound\s+EDS/)
      if (has('kubectl')) {
        // kubectl's plugin convention: `kubectl meshctl ...` runs kubectl-meshctl from PATH with the arguments after it
        const list = await run('kubectl', ['plugin', 'list'])
        assert.match(list.stdout, new RegExp(`^${join(bin, 'kubectl-meshctl').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'), list.stdout + list.stderr)
        const viaKubectl = await run('kubectl', ['meshctl', 'pc', 'clusters', 'deploy/productpage-v1', '--fqdn', 'reviews'], {KUBECONFIG: kubeconfig!})
        assert.equal(viaKubectl.code, 0, viaKubectl.stderr)
        assert.equal(viaKubectl.stdout, pc.stdout)
        const version = await run('kubectl', ['meshctl', '--version'])
        assert.match(version.stdout, /^meshctl\/\d/)
        // kubectl's plugin completion (kubectl >= 1.26) runs kubectl_complete-meshctl, which answers as __complete
        const tab = await run('kubectl', ['__complete', 'meshctl', 'pc', 'routes', '-n', 'istio-system', 'istio-ingress'], {KUBECONFIG: kubeconfig!})
        assert.match(tab.stdout, /^istio-ingressgateway-[a-z0-9]+-[a-z0-9]+\n:4\n$/, tab.stdout + tab.stderr)
      }
      sb.child.kill('SIGINT')
      const {code} = await sb.exited
      assert.equal(code, 0, sb.err())
      assert.match(sb.out(), /sandbox stopped\n$/)
    } finally {
      if (sb.child.exitCode === null) sb.child.kill('SIGKILL')
    }
  })
  test('kubectl finds the plugin on PATH', {skip: has('kubectl') ? false : 'kubectl is not installed'}, async () => {
    const list = await run('kubectl', ['plugin', 'list'])
    assert.ok(list.stdout.split('\n').includes(join(bin, 'kubectl-meshctl')), list.stdout + list.stderr)
  })
  test('meshctl demo: every step of the tour behaves, from the installed package', async () => {
    const demo = await run(join(bin, 'meshctl'), ['demo'], {}, 180_000)
    assert.equal(demo.code, 0, demo.stderr + demo.stdout.slice(-2000))
    assert.match(demo.stdout, /\$ meshctl pc clusters -f reviews-v2\.json --subset v3\n/)
    assert.match(demo.stdout, /Demo complete: every command behaved as expected\.\n$/)
    assert.ok(!existsSync(join(prefix, 'lib/node_modules/meshctl/scripts')))
  })
})
