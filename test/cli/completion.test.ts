/**
 * Shell completion: `meshctl completion <shell>` prints a script the shell accepts, and `meshctl __complete` answers
 * from the command tree oclif loads (commands, aliases, flags, -o values). The bash script is driven as bash would
 * at a TAB (COMP_WORDS/COMP_CWORD), end to end. Pod and namespace completion against a cluster: test/live.
 */
import assert from 'node:assert/strict'
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {describe, test} from 'node:test'
import {type CompletionCommand, complete} from '../../src/cli/completion.js'
import {BIN, ROOT, runCli} from '../helpers/cli.js'

const has = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0
const words = async (args: string[]): Promise<{values: string[]; directive: string}> => {
  const res = await runCli(['__complete', '--', ...args], {env: {KUBECONFIG: join(ROOT, 'does-not-exist')}})
  assert.equal(res.code, 0, res.stderr)
  assert.equal(res.stderr, '')
  const lines = res.stdout.trimEnd().split('\n')
  return {values: lines.slice(0, -1).map((l) => l.split('\t')[0]!), directive: lines.at(-1)!}
}
// the Node that runs the tests runs the scripts' meshctl (bin/run.js's `#!/usr/bin/env node`)
const PATH = `${dirname(process.execPath)}:${process.env.PATH}`

describe('meshctl __complete', () => {
  test('commands and topics: names, not aliases; an alias when only it matches', async () => {
    const top = await words([''])
    for (const c of ['proxy-config', 'proxy-status', 'dashboard', 'ztunnel-config', 'version', 'completion', 'sandbox', 'demo']) assert.ok(top.values.includes(c), c)
    assert.ok(!top.values.includes('pc') && !top.values.includes('__complete') && !top.values.includes('complete'), top.values.join(' '))
    assert.deepEqual((await words(['pc', ''])).values, ['all', 'bootstrap', 'clusters', 'ecds', 'eds', 'endpoints', 'listeners', 'log', 'rootca-compare', 'routes', 'secret'])
    assert.deepEqual((await words(['proxy-config', 'cl'])).values, ['clusters'])
    assert.deepEqual((await words(['ps'])).values, ['ps'])
    assert.equal((await words(['p'])).directive, ':4')
  })
  test("flags with their shorthands, and -o's values for each command's own formats", async () => {
    const flags = (await words(['pc', 'clusters', '-'])).values
    for (const f of ['--output', '-o', '--namespace', '-n', '--file', '-f', '--fqdn', '--help', '--no-color']) assert.ok(flags.includes(f), f)
    assert.deepEqual((await words(['pc', 'clusters', '-o', ''])).values, ['json', 'short', 'yaml'])
    assert.deepEqual((await words(['ps', '-o', ''])).values, ['json', 'table', 'yaml'])
    assert.deepEqual((await words(['ps', '--output=j'])).values, ['--output=json'])
    assert.deepEqual((await words(['completion', ''])).values, ['bash', 'fish', 'powershell', 'zsh'])
    assert.deepEqual((await words(['help', 'pc', 'rou'])).values, ['routes'])
  })
  test('-f and --kubeconfig complete file names; no cluster: no pods, silently', async () => {
    assert.deepEqual(await words(['pc', 'routes', '-f', '']), {values: [], directive: ':0'})
    assert.deepEqual(await words(['pc', 'routes', '']), {values: [], directive: ':4'})
    assert.deepEqual(await words(['pc', 'routes', '-n', '']), {values: [], directive: ':4'})
  })
})

describe('complete() over the manifest form (one entry per command, aliases inside it)', () => {
  test('the same answers as over oclif’s loaded config', async () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, CompletionCommand>}
    const tree = {bin: 'meshctl', commands: Object.values(manifest.commands), topics: []}
    assert.deepEqual((await complete(tree, ['pc', 'c'])).candidates.map((c) => c.split('\t')[0]), ['clusters'])
    assert.deepEqual((await complete(tree, ['pc', 'routes', '--output', ''])).candidates, ['json', 'short', 'yaml'])
    // the pod argument asks the cluster, with the -n typed before it
    const asked: Array<string | undefined> = []
    const pods = async (ns: string | undefined) => {
      asked.push(ns)
      return ['productpage-v1-1', 'reviews-v1-2']
    }
    assert.deepEqual((await complete(tree, ['pc', 'routes', '-n', 'bookinfo', 'rev'], {pods})).candidates, ['reviews-v1-2'])
    assert.deepEqual(asked, ['bookinfo'])
    // a second positional is not a pod; a failing cluster offers nothing
    assert.deepEqual((await complete(tree, ['pc', 'routes', 'productpage-v1-1', ''], {pods})).candidates, [])
    assert.deepEqual((await complete(tree, ['pc', 'routes', ''], {pods: () => Promise.reject(new Error('down'))})).candidates, [])
  })
})

describe('meshctl completion <shell>', () => {
  for (const shell of ['bash', 'zsh', 'fish', 'powershell']) {
    test(`${shell}: a script for meshctl and kubectl-meshctl that calls __complete`, async () => {
      const res = await runCli(['completion', shell])
      assert.equal(res.code, 0, res.stderr)
      assert.match(res.stdout, /__complete '?--'? /)
      assert.match(res.stdout, /kubectl-meshctl/)
      assert.doesNotMatch(res.stdout, /<%=/)
    })
  }
  test('bash -n accepts the bash script', async () => {
    const script = (await runCli(['completion', 'bash'])).stdout
    execFileSync('bash', ['-n'], {input: script})
  })
  test('zsh -n accepts the zsh script', {skip: has('zsh') ? false : 'zsh is not installed'}, async () => {
    execFileSync('zsh', ['-n'], {input: (await runCli(['completion', 'zsh'])).stdout})
  })
  test('fish --no-execute accepts the fish script', {skip: has('fish') ? false : 'fish is not installed'}, async () => {
    // fish reads a script from a file (its stdin here is not one it can read)
    const file = join(mkdtempSync(join(tmpdir(), 'meshctl-fish-')), 'meshctl.fish')
    writeFileSync(file, (await runCli(['completion', 'fish'])).stdout)
    execFileSync('fish', ['--no-execute', file])
  })
  test('an unknown shell is a usage error', async () => {
    const res = await runCli(['completion', 'tcsh'])
    assert.equal(res.code, 2)
  })
  test('bash, at a TAB: COMPREPLY holds the subcommands, -o values, and file names for -f', async () => {
    const script = (await runCli(['completion', 'bash'])).stdout
    const tab = (line: string[]): string[] => {
      const program = `${script}\nCOMP_WORDS=(${line.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${line.length - 1}\n_meshctl_complete\nprintf '%s\\n' "\${COMPREPLY[@]}"`
      return execFileSync('bash', ['-c', program], {encoding: 'utf8', cwd: join(ROOT, 'bin'), env: {...process.env, PATH, KUBECONFIG: '/nonexistent'}})
        .split('\n')
        .filter(Boolean)
    }
    assert.deepEqual(tab([BIN, 'pc', 'cl']), ['clusters'])
    assert.deepEqual(tab([BIN, 'pc', 'routes', '-o', '']), ['json', 'short', 'yaml'])
    assert.deepEqual(tab([BIN, 'pc', 'routes', '-f', 'ru']), ['run.js'])
    // bash splits --output=j at the = (COMP_WORDBREAKS); readline then replaces what follows it
    assert.deepEqual(tab([BIN, 'ps', '--output', '=', 'j']), ['json'])
    assert.deepEqual(tab([BIN, 'ps', '--output', '=']), ['json', 'table', 'yaml'])
    assert.deepEqual(tab([BIN, 'ps', '-n', 'default', '--output', '=', 'y']), ['yaml'])
  })
})
