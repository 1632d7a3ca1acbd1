/**
 * The defects found by trying meshctl as a new user would (issue 14, section 4), each pinned down as the user met it:
 * the built CLI in its own process, the documented exit code, one `Error:` line.
 */
import assert from 'node:assert/strict'
import {mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, test} from 'node:test'
import {assertOneLineError, ROOT, runCli, SHARED} from '../helpers/cli.js'

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

describe('booleans as pflag takes them (5)', () => {
  test('--verbose=false is --no-verbose, not "false" as a pod name', async () => {
    const off = await runCli(['pc', 'routes', '-f', DUMP, '--verbose=false'])
    const no = await runCli(['pc', 'routes', '-f', DUMP, '--no-verbose'])
    assert.equal(off.code, 0, off.stderr)
    assert.equal(off.stdout, no.stdout)
    const on = await runCli(['pc', 'routes', '-f', DUMP, '--verbose=true'])
    assert.equal(on.stdout, (await runCli(['pc', 'routes', '-f', DUMP])).stdout)
  })
  test('--color=false, --with-headers=false, --plaintext=false', async () => {
    const c = await runCli(['pc', 'clusters', '-f', DUMP, '--color=false'])
    assert.equal(c.code, 0, c.stderr)
    assert.doesNotMatch(c.stdout, /\u001b\[/)
    const w = await runCli(['pc', 'all', '-f', DUMP, '--with-headers=false'])
    assert.equal(w.code, 0, w.stderr)
    assert.doesNotMatch(w.stdout, /^CLUSTERS$|^LISTENERS|^ROUTES$/m)
    // a boolean without a --no- form: =false is its default
    const syncz = file('syncz.json', '[]')
    const p = await runCli(['ps', '--file', syncz, '--plaintext=false'])
    assert.equal(p.code, 0, p.stderr)
  })
  test('any other value is a usage error', async () => {
    await assertOneLineError(await runCli(['pc', 'routes', '-f', DUMP, '--verbose=maybe']), 2, /invalid argument "maybe" for "--verbose" flag: use true or false/)
  })
})

describe('polish (18)', () => {
  test('an unknown command gets a suggestion in the words typed, no internal id', async () => {
    const r = await runCli(['pc', 'clustrs', '-f', DUMP])
    await assertOneLineError(r, 2, /unknown command "pc clustrs"; did you mean "pc clusters"\?/)
    assert.doesNotMatch(r.stderr, /pc:clustrs/)
    await assertOneLineError(await runCli(['proxy-stat']), 2, /did you mean "proxy-status"\?/)
    await assertOneLineError(await runCli(['zzzzzzzz']), 2, /^Error: unknown command "zzzzzzzz" \(see meshctl --help\)$/)
  })
  test('-h is --help', async () => {
    const r = await runCli(['pc', 'clusters', '-h'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, (await runCli(['pc', 'clusters', '--help'])).stdout)
  })
  test('help lists each command once, not its aliases', async () => {
    const root = await runCli(['--help'])
    assert.match(root.stdout, /^ {2}proxy-status /m)
    assert.doesNotMatch(root.stdout, /^ {2}ps /m)
    const pc = await runCli(['pc', '--help'])
    const rows = pc.stdout.split('\n').filter((l) => /^ {2}\S/.test(l) && !/^ {2}\$/.test(l))
    // one row per command file of the topic, no alias rows
    const commands = readdirSync(join(ROOT, 'commands/proxy-config')).filter((f) => f.endsWith('.ts'))
    assert.equal(rows.length, commands.length, pc.stdout)
  })
  test('a repeated option takes the last, as kubectl', async () => {
    const r = await runCli(['pc', 'clusters', '-f', DUMP, '-o', 'yaml', '-o', 'json'])
    assert.equal(r.code, 0, r.stderr)
    assert.doesNotThrow(() => JSON.parse(r.stdout))
  })
})

describe('deep nesting (7)', () => {
  const CLUSTERS = 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump'
  const deepJson = (n: number) =>
    `{"configs":[{"@type":"${CLUSTERS}","dynamic_active_clusters":[{"cluster":{"name":"outbound|80||x.default.svc.cluster.local","metadata":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}}]}]}`
  const deepYaml = (n: number) =>
    `configs:\n- "@type": ${CLUSTERS}\n  dynamic_active_clusters:\n  - cluster:\n      name: x\n      metadata: ${'{a: '.repeat(n)}1${'}'.repeat(n)}\n`
  test('-o json, -o yaml and --query exit 3 with a clear message; the table still works', async () => {
    const json = file('deep.json', deepJson(5000))
    const yaml = file('deep.yaml', deepYaml(600))
    for (const [f, args] of [
      [json, ['-o', 'json']],
      [json, ['-o', 'yaml']],
      [json, ['--query', '[0].name']],
      [yaml, ['-o', 'yaml']],
    ] as const) {
      await assertOneLineError(await runCli(['pc', 'clusters', '-f', f, ...args]), 3, /nested too deeply/)
    }
    const table = await runCli(['pc', 'clusters', '-f', json])
    assert.equal(table.code, 0, table.stderr)
    assert.match(table.stdout, /x\.default\.svc\.cluster\.local/)
  })
})

test('valid JSON that is not an object is named as such, not "plain text" (15)', async () => {
  for (const [value, what] of [
    ['null', /it is null, not an object/],
    ['42', /it is a number \(42\), not an object/],
    ['"str"', /it is a string \("str"\), not an object/],
  ] as const) {
    await assertOneLineError(await runCli(['pc', 'clusters', '-f', file('scalar.json', value)]), 3, what)
  }
  await assertOneLineError(await runCli(['pc', 'clusters', '-f', file('text.txt', 'hello world')]), 3, /plain text, not JSON or YAML/)
})

describe('empty and partial dumps are treated alike by every view (14)', () => {
  test('pc all on {} exits 3 as pc clusters does', async () => {
    const empty = file('empty-object.json', '{}')
    await assertOneLineError(await runCli(['pc', 'clusters', '-f', empty]), 3, /no config sections at all/)
    await assertOneLineError(await runCli(['pc', 'all', '-f', empty]), 3, /none of the sections pc all shows/)
  })
  test('pc eds without EDS exits 3 as pc endpoints does', async () => {
    const noEds = file('no-eds.json', '{"configs":[{"@type":"type.googleapis.com/envoy.admin.v3.ClustersConfigDump"}]}')
    await assertOneLineError(await runCli(['pc', 'endpoints', '-f', noEds]), 3, /without endpoints/)
    await assertOneLineError(await runCli(['pc', 'eds', '-f', noEds]), 3, /no EndpointsConfigDump section .*include_eds/)
  })
})

describe('parts of the input that cannot be read are reported, not dropped in silence (8)', () => {
  const mini = () => JSON.parse(readFileSync(join(ROOT, 'test/fixtures/dumps/mini-sidecar.json'), 'utf8')) as {configs: Array<Record<string, any>>}
  const section = (d: ReturnType<typeof mini>, name: string) => d.configs.find((c) => String(c['@type']).endsWith(name))!
  test('lists of the wrong type: a warning naming each, exit 0 with the rest', async () => {
    const d = mini()
    const cl = section(d, 'ClustersConfigDump')
    cl.dynamic_active_clusters = {a: cl.dynamic_active_clusters[0]}
    section(d, 'RoutesConfigDump').dynamic_route_configs[0].route_config.virtual_hosts = 7
    const ls = section(d, 'ListenersConfigDump').dynamic_listeners
    ls[0].active_state.listener.filter_chains = 'oops'
    ls[1].active_state.listener.filter_chains = {a: 1}
    const f = file('wrong-types.json', JSON.stringify(d, null, 1))
    const c = await runCli(['pc', 'clusters', '-f', f])
    assert.equal(c.code, 0, c.stderr)
    assert.match(c.stderr, /^Warning: could not read part of .*wrong-types\.json: "dynamic_active_clusters" is an object, not a list/m)
    assert.match(c.stdout, /^xds-grpc /m, 'the static clusters are still shown')
    const r = await runCli(['pc', 'routes', '-f', f])
    assert.match(r.stderr, /"virtual_hosts" of "9080" is a number, not a list/)
    const l = await runCli(['pc', 'listeners', '-f', f])
    assert.match(l.stderr, /"filter_chains" of "[^"]+" is a string, not a list/)
    assert.match(l.stderr, /"filter_chains" of "[^"]+" is an object, not a list/)
  })
  test('a section whose @type is a number does not make its neighbour invalid JSON', async () => {
    const d = mini()
    d.configs.splice(1, 0, {'@type': 5, x: 1})
    const f = file('number-type.json', JSON.stringify(d, null, 1))
    const r = await runCli(['pc', 'bootstrap', '-f', f])
    assert.equal(r.code, 0, r.stderr)
    assert.ok(JSON.parse(r.stdout).bootstrap)
    assert.match(r.stderr, /a config entry whose @type is 5 is not a config_dump section/)
  })
  test('an escaped slash in @type is the same type URL', async () => {
    const text = JSON.stringify(mini(), null, 1).replace('type.googleapis.com/envoy.admin.v3.ClustersConfigDump', 'type.googleapis.com\\/envoy.admin.v3.ClustersConfigDump')
    const r = await runCli(['pc', 'clusters', '-f', file('escaped.json', text)])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /PassthroughCluster/)
  })
})

describe('kubeconfig as kubectl finds it (9, 10)', () => {
  const kubeconfig = (ctx: string, cluster = 'c1') =>
    `apiVersion: v1\nkind: Config\nclusters:\n- name: ${cluster}\n  cluster: {server: "https://127.0.0.1:1"}\nusers:\n- name: u1\n  user: {token: abc}\ncontexts:\n- name: ${ctx}\n  context: {cluster: ${cluster}, user: u1}\ncurrent-context: ${ctx}\n`
  test('no kubeconfig at all: says what to set', async () => {
    const r = await runCli(['pc', 'clusters', 'foo'], {env: {KUBECONFIG: undefined, HOME: join(tmp, 'no-home'), KUBERNETES_SERVICE_HOST: undefined}})
    await assertOneLineError(r, 4, /^Error: no kubeconfig found; set KUBECONFIG or --kubeconfig/)
  })
  test('a KUBECONFIG list: missing files skipped, the same file twice read once, the first current-context wins', async () => {
    const a = file('kc-a.yaml', kubeconfig('first'))
    const b = file('kc-b.yaml', kubeconfig('second'))
    const list = [join(tmp, 'missing.yaml'), a, a, b].join(':')
    const r = await runCli(['pc', 'clusters', 'foo', '--timeout', '2s'], {env: {KUBECONFIG: list}})
    // it got as far as the API server (refused), with the first file's context
    await assertOneLineError(r, 4, /cannot reach the Kubernetes API server at https:\/\/127\.0\.0\.1:1 .*context "first"/)
    const second = await runCli(['pc', 'clusters', 'foo', '--timeout', '2s', '--context', 'second'], {env: {KUBECONFIG: list}})
    await assertOneLineError(second, 4, /context "second"/)
  })
})

test('pc endpoints/eds --address: the bare IP and ip:port on both inputs (12)', async () => {
  const clusters = join(SHARED, 'conformance/istioctl/historical-285c0509f9f/istioctl/pkg/writer/envoy/clusters/testdata/clusters.json')
  const eds = join(SHARED, 'conformance/real-dumps/envoy-gateway__egctl-in.all.json')
  for (const [cmd, input, ip, port] of [
    ['endpoints', clusters, '172.17.0.14', 15014],
    ['endpoints', eds, '10.106.37.54', 18000],
    ['eds', eds, '10.106.37.54', 18000],
  ] as const) {
    for (const address of [ip, `${ip}:${port}`]) {
      const r = await runCli(['pc', cmd, '-f', input, '--address', address])
      assert.equal(r.code, 0, r.stderr)
      assert.match(r.stdout, new RegExp(`^${ip.replaceAll('.', '\\.')}:${port}\\s`, 'm'), `pc ${cmd} --address ${address} on ${input}`)
    }
  }
})

/** Resolves once the process catches SIGINT (SigCgt in /proc/<pid>/status), or at once where /proc is not there. */
async function sigintCaught(pid: number, limitMs = 30_000): Promise<void> {
  const {readFileSync} = await import('node:fs')
  const until = Date.now() + limitMs
  while (Date.now() < until) {
    let status: string
    try {
      status = readFileSync(`/proc/${pid}/status`, 'utf8')
    } catch {
      return
    }
    const caught = /^SigCgt:\s*([0-9a-f]+)$/m.exec(status)?.[1]
    if (caught === undefined || (BigInt(`0x${caught}`) & 2n) !== 0n) return
    await new Promise((r) => setTimeout(r, 5))
  }
}

test('Ctrl-C in the first moments of ps -w exits 0, not 130 (16)', async () => {
  const {createServer} = await import('node:net')
  const {spawnSync} = await import('node:child_process')
  const {start, BIN} = await import('../helpers/cli.js')
  // an API server that accepts and never answers: ps -w waits in its first kube request
  const silent = createServer((s) => s.on('error', () => {}))
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
  const port = (silent.address() as import('node:net').AddressInfo).port
  const kc = file('silent-kubeconfig.yaml', `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n`)
  try {
    // this Node: bin/run.js takes a Ctrl-C as "stop" before the bundle has loaded
    for (const ms of [200, 400]) {
      const run = start(process.execPath, [BIN, 'ps', '-w', '--timeout', '60s'], {KUBECONFIG: kc})
      await new Promise((r) => setTimeout(r, ms))
      // no program can take a signal before it has a handler: on a loaded machine Node may not have reached
      // bin/run.js yet at `ms`, so the Ctrl-C waits for the handler (Linux shows it in /proc/<pid>/status)
      await sigintCaught(run.child.pid!)
      run.child.kill('SIGINT')
      const {code, signal} = await run.exited
      assert.deepEqual({code, signal}, {code: 0, signal: null}, `Ctrl-C after ${ms} ms: ${run.err()}`)
    }
    // a system Node older than 22: bin/run.js re-runs itself with the pinned Node, and the Ctrl-C it forwards reaches
    // a child not yet ready for it (held here for 2 s at its start, as a slow machine would)
    const system = spawnSync('/usr/bin/node', ['-p', 'process.versions.node'], {encoding: 'utf8'})
    if (system.status === 0 && Number(system.stdout.split('.')[0]) < 22) {
      const slow = file('slow-start.cjs', 'if (Number(process.versions.node.split(".")[0]) >= 22) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2000)\n')
      const run = start('/usr/bin/node', [BIN, 'ps', '-w', '--timeout', '60s'], {KUBECONFIG: kc, NODE_OPTIONS: `--require ${slow}`})
      await new Promise((r) => setTimeout(r, 1000))
      run.child.kill('SIGINT')
      const {code, signal} = await run.exited
      assert.deepEqual({code, signal}, {code: 0, signal: null}, `re-run on the pinned Node: ${run.err()}`)
    }
  } finally {
    silent.close()
  }
})

test('YAML that does not parse (an alias bomb, a syntax error) is reported as YAML, not "invalid JSON at byte 0" (17)', async () => {
  const names = 'abcdefghi'
  let bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
  for (let i = 1; i < names.length; i++) bomb += `${names[i]}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(',')}]\n`
  const r = await runCli(['ps', '--file', file('laughs.yaml', bomb)])
  await assertOneLineError(r, 3, /is neither JSON nor YAML: YAML error: Excessive alias count/)
  await assertOneLineError(await runCli(['ps', '--file', file('bad.yaml', 'a: [b\n')]), 3, /YAML error at line 2, column 1: Flow sequence/)
})

test('--xds-address that is not host:port is a usage error before anything is asked (17)', async () => {
  const r = await runCli(['ps', '--xds-address', 'notahostport'], {env: {KUBECONFIG: join(tmp, 'missing-kubeconfig')}})
  await assertOneLineError(r, 2, /--xds-address "notahostport" is not host:port/)
  await assertOneLineError(await runCli(['ps', '--xds-address', 'istiod:99999']), 2, /is not host:port/)
})

test('-o table and -o short are the same table on pc and ps (18)', async () => {
  const pcShort = await runCli(['pc', 'clusters', '-f', DUMP, '-o', 'short'])
  const pcTable = await runCli(['pc', 'clusters', '-f', DUMP, '-o', 'table'])
  assert.equal(pcTable.code, 0, pcTable.stderr)
  assert.equal(pcTable.stdout, pcShort.stdout)
  const syncz = join(SHARED, 'conformance/istioctl/derived/proxy-status-syncz-legacy/printall-multi-istiod.input.json')
  const psTable = await runCli(['ps', '--file', syncz, '-o', 'table'])
  const psShort = await runCli(['ps', '--file', syncz, '-o', 'short'])
  assert.equal(psShort.code, 0, psShort.stderr)
  assert.equal(psShort.stdout, psTable.stdout)
})

test('every port flag says the same of a value that is not a port; oclif\'s help note never lands inside a message (18)', async () => {
  for (const [args, flag, range] of [
    [['pc', 'clusters', '-f', DUMP, '--proxy-admin-port', 'abc'], 'proxy-admin-port', '1-65535'],
    [['pc', 'clusters', '-f', DUMP, '--port', 'abc'], 'port', '0-65535'],
    [['ps', '--xds-port', 'abc'], 'xds-port', '1-65535'],
    [['dashboard', 'envoy', 'x', '--port', 'abc'], 'port', '0-65535'],
    [['dashboard', 'envoy', 'x', '--ui-port', 'abc'], 'ui-port', '1-65535'],
  ] as const) {
    await assertOneLineError(await runCli([...args]), 2, new RegExp(`^Error: --${flag} "abc" is not a port number \\(${range}[;)]`))
  }
  const r = await runCli(['dashboard', 'envoy', 'x', '--address', 'foo'])
  await assertOneLineError(r, 2, /--address "foo" is not an IP address or localhost; use e\.g\. localhost/)
  assert.doesNotMatch(r.stderr, /See more help/)
})

test('pc all given a /clusters answer says it has no config sections (18)', async () => {
  const clusters = join(SHARED, 'conformance/real-dumps/consul__clusters.json')
  await assertOneLineError(await runCli(['pc', 'all', '-f', clusters]), 3, /not a config_dump, so it has no config sections;/)
})

test('pc all -o yaml / --query on a dump with a JSON syntax error inside a section: exit 3, not 1', async () => {
  const text = readFileSync(join(ROOT, 'test/fixtures/dumps/mini-sidecar.json'), 'utf8')
  const at = text.indexOf('"bootstrap"')
  const broken = file('broken-section.json', `${text.slice(0, at)}{${text.slice(at + 1)}`)
  await assertOneLineError(await runCli(['pc', 'all', '-f', broken, '-o', 'yaml']), 3, /the input is not valid JSON/)
  await assertOneLineError(await runCli(['pc', 'all', '-f', broken, '--query', 'configs[0]']), 3, /the input is not valid JSON/)
})

test('meshctl help pc lists each command of the topic once, as pc --help does', async () => {
  const viaHelp = await runCli(['help', 'pc'])
  const viaFlag = await runCli(['pc', '--help'])
  assert.equal(viaHelp.code, 0, viaHelp.stderr)
  assert.equal(viaHelp.stdout, viaFlag.stdout)
  assert.doesNotMatch(viaHelp.stdout, /^ {2}proxy-config a /m)
})
