/**
 * proxy-config as a user runs it: the built CLI in its own process. Errors: one `Error:` line on stderr,
 * nothing on stdout, the documented exit code, no stack trace.
 */
import assert from 'node:assert/strict'
import {mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, test} from 'node:test'
import {assertOneLineError, runCli, SHARED} from '../helpers/cli.js'

const ISTIOCTL = join(SHARED, 'conformance/istioctl/head-86c9f01/istioctl/pkg')
const SUMMARY_DUMP = join(ISTIOCTL, 'proxyconfig/testdata/config_dump.json')
const SUMMARY_GOLDEN = join(ISTIOCTL, 'proxyconfig/testdata/config_dump_summary.txt')
const tmp = mkdtempSync(join(tmpdir(), 'meshctl-cli-'))

function file(name: string, content: string): string {
  const p = join(tmp, name)
  writeFileSync(p, content)
  return p
}


describe('bad input', () => {
  const cases: Array<[string, string[], number, RegExp]> = [
    ['missing file', ['pc', 'clusters', '-f', join(tmp, 'nope.json')], 3, /cannot read .*nope\.json: no such file/],
    ['a directory', ['pc', 'clusters', '-f', tmp], 3, /cannot read .*: it is a directory/],
    ['empty file', ['pc', 'clusters', '-f', file('empty.json', '')], 3, /empty\.json is empty/],
    ['whitespace only', ['pc', 'listeners', '-f', file('blank.json', '  \n\n')], 3, /is empty/],
    ['truncated JSON', ['pc', 'clusters', '-f', file('trunc.json', '{"configs": [{"@type": "x"')], 3, /invalid JSON at byte 26 .*truncated/],
    ['syntax error', ['pc', 'routes', '-f', file('bad.json', '{"configs": [}\n')], 3, /invalid JSON at byte 13 \(line 1, column 14\)/],
    ['a JSON value that is not a dump', ['pc', 'clusters', '-f', file('obj.json', '{"hello": "world"}')], 3, /not an Envoy config dump: .*keys hello/],
    ['an array of numbers', ['pc', 'clusters', '-f', file('arr.json', '[1,2,3]')], 3, /not an Envoy config dump: .*array of 3 items/],
    ['configs is not an array', ['pc', 'clusters', '-f', file('cfg.json', '{"configs": 5}')], 3, /"configs" is a number/],
    [
      'missing section',
      ['pc', 'clusters', '-f', file('nocl.json', '{"configs":[{"@type":"type.googleapis.com/envoy.admin.v3.ListenersConfigDump"}]}')],
      3,
      /config dump has no configuration type type\.googleapis\.com\/envoy\.admin\.v3\.ClustersConfigDump; it has: ListenersConfigDump/,
    ],
    ['plain text', ['pc', 'clusters', '-f', file('text.txt', 'hello there\n')], 3, /not an Envoy config dump/],
    ['clusters answer to a config view', ['pc', 'listeners', '-f', join(SHARED, 'conformance/real-dumps/consul__clusters.json')], 3, /\/clusters answer, not a config_dump/],
    ['endpoints of a dump without EDS', ['pc', 'endpoints', '-f', join(SHARED, 'conformance/real-dumps/openshift-mesh__sidecar.json')], 3, /without endpoints .*clusters\?format=json/],
  ]
  for (const [name, args, code, pattern] of cases) {
    test(name, async () => await assertOneLineError(await runCli(args), code, pattern))
  }
})

describe('bad command lines (exit 2)', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['unknown -o', ['pc', 'clusters', '-f', SUMMARY_DUMP, '-o', 'xml'], /output format "xml" not supported; use one of short, json, yaml/],
    ['unknown flag', ['pc', 'clusters', '-f', SUMMARY_DUMP, '--bogus'], /Nonexistent flag: --bogus/],
    ['neither pod nor file', ['pc', 'clusters'], /cluster requires pod name or --file parameter/],
    ['both pod and file', ['pc', 'routes', 'productpage-v1', '-f', SUMMARY_DUMP], /route requires pod name or --file parameter/],
    ['two pods', ['pc', 'clusters', 'a', 'b'], /Unexpected argument: b/],
    ['bad --port', ['pc', 'clusters', '-f', SUMMARY_DUMP, '--port', 'http'], /--port "http" is not a port number/],
    ['bad --query', ['pc', 'clusters', '-f', SUMMARY_DUMP, '--query', 'a | | b'], /invalid --query expression at position 4/],
    ['unfinished --query', ['pc', 'clusters', '-f', SUMMARY_DUMP, '--query', 'foo['], /invalid --query expression at the end/],
    ['unknown command', ['pc', 'nothing'], /unknown command "pc nothing" \(see meshctl pc --help\)/],
  ]
  for (const [name, args, pattern] of cases) {
    test(name, async () => await assertOneLineError(await runCli(args), 2, pattern))
  }
})

test('MESHCTL_DEBUG=1 shows the stack', async () => {
  const res = await runCli(['pc', 'clusters', '-f', join(tmp, 'nope.json')], {env: {MESHCTL_DEBUG: '1'}})
  assert.equal(res.code, 3)
  assert.match(res.stderr, /\n\s+at /)
})

describe('output', () => {
  test('piped output is byte-identical to istioctl golden, colour off', async () => {
    const res = await runCli(['pc', 'all', '-f', SUMMARY_DUMP])
    assert.equal(res.code, 0)
    assert.equal(res.stdout, readFileSync(SUMMARY_GOLDEN, 'utf8'))
    assert.equal(res.stderr, '')
  })
  test('--no-color keeps the bytes even when colour is forced on by the environment', async () => {
    const res = await runCli(['pc', 'all', '-f', SUMMARY_DUMP, '--no-color'], {env: {NO_COLOR: undefined}})
    assert.equal(res.stdout, readFileSync(SUMMARY_GOLDEN, 'utf8'))
  })
  test('--color adds ANSI styles; removing them gives the plain bytes', async () => {
    const res = await runCli(['pc', 'all', '-f', SUMMARY_DUMP, '--color'])
    assert.match(res.stdout, /\u001b\[1mNAME/)
    assert.equal(res.stdout.replace(/\u001b\[\d+m/g, ''), readFileSync(SUMMARY_GOLDEN, 'utf8'))
  })
  test('reads standard input with -f -', async () => {
    const res = await runCli(['pc', 'all', '-f', '-'], {stdin: readFileSync(SUMMARY_DUMP)})
    assert.equal(res.stdout, readFileSync(SUMMARY_GOLDEN, 'utf8'))
  })
  test('a YAML dump gives the same table as its JSON', async () => {
    const {stringify} = await import('yaml')
    const yamlPath = file('dump.yaml', stringify(JSON.parse(readFileSync(SUMMARY_DUMP, 'utf8'))))
    const res = await runCli(['pc', 'clusters', '-f', yamlPath])
    const json = await runCli(['pc', 'clusters', '-f', SUMMARY_DUMP])
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stdout, json.stdout)
  })
  test('--query prints JSON of the selected values, -o yaml turns it into YAML', async () => {
    const res = await runCli(['pc', 'clusters', '-f', SUMMARY_DUMP, '--query', '[].name'])
    assert.deepEqual(JSON.parse(res.stdout), ['agent', 'inbound-vip|8000|http|httpbin.default.svc.cluster.local', 'prometheus_stats'])
    const y = await runCli(['pc', 'clusters', '-f', SUMMARY_DUMP, '--query', 'length(@)', '-o', 'yaml'])
    assert.equal(y.stdout, '3\n\n')
  })
  test('aliases: pc c, proxy-config cluster and proxy-config clusters agree', async () => {
    const a = await runCli(['pc', 'c', '-f', SUMMARY_DUMP])
    const b = await runCli(['proxy-config', 'cluster', '-f', SUMMARY_DUMP])
    const c = await runCli(['proxy-config', 'clusters', '-f', SUMMARY_DUMP])
    assert.equal(a.code, 0)
    assert.equal(a.stdout, b.stdout)
    assert.equal(b.stdout, c.stdout)
  })
  test('meshctl pc --help lists the subcommands', async () => {
    const res = await runCli(['pc', '--help'])
    assert.equal(res.code, 0)
    for (const sub of ['clusters', 'listeners', 'routes', 'endpoints', 'eds', 'secret', 'bootstrap', 'ecds', 'all']) {
      // pc is a hidden alias of the proxy-config topic: its help is proxy-config's, each command listed once
      assert.match(res.stdout, new RegExp(`proxy-config ${sub}\\b`), `pc --help mentions ${sub}`)
    }
  })
  test('endpoints of a config_dump with EDS: the EDS table plus a note on stderr', async () => {
    const res = await runCli(['pc', 'endpoints', '-f', join(SHARED, 'conformance/real-dumps/envoy-gateway__egctl-in.all.json')])
    assert.equal(res.code, 0)
    assert.match(res.stdout, /^NAME\s+STATUS\s+LOCALITY\s+CLUSTER\n/)
    assert.match(res.stderr, /^Warning: the input is a config_dump: showing the endpoints of its EDS section/)
  })
  test('a reader that goes away early is not an error', async () => {
    const {spawnSync} = await import('node:child_process')
    const {BIN} = await import('../helpers/cli.js')
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" pc all -f "${SUMMARY_DUMP}" | head -c 10 > /dev/null; echo "\${PIPESTATUS[0]}"`], {encoding: 'utf8'})
    assert.equal(r.stdout.trim(), '0', r.stderr)
  })
})

test('on a real terminal (a pty from script(1)) tables are coloured; NO_COLOR turns it off', async (t) => {
  const {spawnSync} = await import('node:child_process')
  const {BIN} = await import('../helpers/cli.js')
  if (spawnSync('script', ['--version']).status !== 0) {
    t.skip('script(1) not available to provide a pseudo-terminal')
    return
  }
  const cmd = `"${process.execPath}" "${BIN}" pc clusters -f "${SUMMARY_DUMP}"`
  const tty = spawnSync('script', ['-qec', cmd, '/dev/null'], {encoding: 'utf8', env: {...process.env, NO_COLOR: ''}})
  assert.match(tty.stdout, /\u001b\[1mSERVICE FQDN/)
  const plain = spawnSync('script', ['-qec', cmd, '/dev/null'], {encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}})
  assert.doesNotMatch(plain.stdout, /\u001b\[/)
})

describe('large files are read section by section (MESHCTL_READER_MIN_BYTES=0 makes every file "large")', () => {
  const dir = join(SHARED, 'conformance/real-dumps')
  const dumps = readdirSync(dir).filter((f) => f.endsWith('.json') && !f.includes('clusters'))
  test('every view prints the same bytes either way, on every real dump', async () => {
    assert.ok(dumps.length >= 5)
    for (const name of dumps) {
      for (const view of [['clusters'], ['listeners'], ['routes'], ['secret'], ['all'], ['all', '-o', 'json'], ['eds']]) {
        const args = ['pc', ...view, '-f', join(dir, name)]
        const whole = await runCli(args)
        const bySection = await runCli(args, {env: {MESHCTL_READER_MIN_BYTES: '0'}})
        assert.equal(bySection.code, whole.code, `${name} ${view.join(' ')}: ${bySection.stderr}`)
        assert.equal(bySection.stdout, whole.stdout, `${name} ${view.join(' ')}`)
        assert.equal(bySection.stderr, whole.stderr, `${name} ${view.join(' ')}`)
      }
    }
  })
  test('a /clusters answer and a broken file behave as when read whole', async () => {
    const clusters = join(dir, readdirSync(dir).find((f) => f.includes('clusters') && f.endsWith('.json'))!)
    const broken = join(tmp, 'broken-large.json')
    writeFileSync(broken, '{\n "configs": [\n  {\n   "@type": "type.googleapis.com/envoy.admin.v3.ClustersConfigDump",\n   "static_clusters": [nope]\n  }\n ]\n}\n')
    for (const args of [['pc', 'endpoints', '-f', clusters], ['pc', 'clusters', '-f', broken]]) {
      const whole = await runCli(args)
      const bySection = await runCli(args, {env: {MESHCTL_READER_MIN_BYTES: '0'}})
      assert.deepEqual(bySection, whole, args.join(' '))
    }
    await assertOneLineError(await runCli(['pc', 'clusters', '-f', broken], {env: {MESHCTL_READER_MIN_BYTES: '0'}}), 3, /broken-large\.json: invalid JSON at byte \d+ \(line 5/)
  })
})
