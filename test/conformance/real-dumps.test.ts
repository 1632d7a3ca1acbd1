/**
 * Every view over every real dump in ../shared/conformance/real-dumps: what it must show is read from the dump by
 * the test itself (rows, names, addresses, the bootstrap node), and a view whose section the dump lacks must say so
 * in one line with exit 3.
 */
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, test} from 'node:test'
import {runCli, SHARED} from '../helpers/cli.js'

const DIR = join(SHARED, 'conformance/real-dumps')
const files = readdirSync(DIR).sort()

type AnyObj = Record<string, any>
const sectionOf = (dump: AnyObj, name: string): AnyObj | undefined =>
  (dump.configs ?? []).filter((c: AnyObj) => String(c['@type']).endsWith(`.${name}`)).pop()

/** Test-side reading in one spelling: every key to snake_case (some dumps are camelCase). */
const snake = (v: unknown): any =>
  Array.isArray(v)
    ? v.map(snake)
    : v && typeof v === 'object'
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snake(x)]))
      : v

const rowsOf = (stdout: string): number => stdout.trimEnd().split('\n').length - 1

for (const name of files) {
  describe(`real dump ${name}`, () => {
    const text = readFileSync(join(DIR, name), 'utf8')
    let dump: AnyObj | undefined
    try {
      dump = snake(JSON.parse(text))
    } catch {
      dump = undefined
    }
    const isConfigDump = Array.isArray(dump?.configs)

    // what each view must show, read from the dump here (not from meshctl): exit 0 with these rows and key
    // columns, or exit 3 saying what the dump lacks (issue 14: content per view per dump, not "any of three errors")
    const file = join(DIR, name)
    const d = (dump ?? {}) as AnyObj
    const kind = isConfigDump ? 'config_dump' : Array.isArray(d.cluster_statuses) ? 'clusters-json' : 'clusters-text'
    const section = (n: string): AnyObj | undefined => (isConfigDump ? sectionOf(d, n) : undefined)
    const notADump = /^Error: the input is Envoy's \/clusters answer, not a config_dump/
    const missing = (n: string) => new RegExp(`^Error: .*(no configuration type type\\.googleapis\\.com/envoy\\.admin\\.v3\\.${n}|no ${n} section)`)
    const expectError = async (args: string[], pattern: RegExp): Promise<void> => {
      const res = await runCli(args)
      assert.equal(res.code, 3, res.stderr)
      assert.equal(res.stdout, '')
      assert.equal(res.stderr.trimEnd().split('\n').length, 1, res.stderr)
      assert.match(res.stderr, pattern)
    }
    const ok = async (args: string[]): Promise<string> => {
      const res = await runCli(args)
      assert.equal(res.code, 0, res.stderr)
      assert.doesNotMatch(res.stderr, /\n\s+at |unexpected; rerun/)
      return res.stdout
    }
    /** the first cell of each table row (after the header) */
    const firstColumn = (out: string): string[] => out.trimEnd().split('\n').slice(1).map((l) => l.split(/\s{2,}/)[0]!)
    const sorted = (xs: string[]): string[] => [...xs].sort()

    const clusterNames = (): string[] => {
      const s = section('ClustersConfigDump')
      return [...(s?.dynamic_active_clusters ?? []), ...(s?.static_clusters ?? [])].map((c: AnyObj) => c.cluster?.name)
    }
    const activeListeners = (): AnyObj[] => {
      const s = section('ListenersConfigDump')
      return [
        ...(s?.dynamic_listeners ?? []).filter((l: AnyObj) => l.active_state?.listener).map((l: AnyObj) => l.active_state.listener),
        ...(s?.static_listeners ?? []).map((l: AnyObj) => l.listener),
      ]
    }
    const edsAddresses = (): string[] => {
      const s = section('EndpointsConfigDump')
      return [...(s?.dynamic_endpoint_configs ?? []), ...(s?.static_endpoint_configs ?? [])].flatMap((c: AnyObj) =>
        (c.endpoint_config?.endpoints ?? []).flatMap((l: AnyObj) =>
          (l.lb_endpoints ?? []).map((lb: AnyObj) => {
            const a = lb.endpoint?.address ?? {}
            // a socket address as ip:port; a pipe (unix socket) as its path
            return a.socket_address ? `${a.socket_address.address}:${a.socket_address.port_value}` : String(a.pipe?.path)
          }),
        ),
      )
    }

    test('pc clusters: one row per cluster, the names of the dump (table, json, yaml)', async () => {
      if (!isConfigDump) return expectError(['pc', 'clusters', '-f', file], notADump)
      if (!section('ClustersConfigDump')) return expectError(['pc', 'clusters', '-f', file], missing('ClustersConfigDump'))
      const names = clusterNames()
      assert.equal(rowsOf(await ok(['pc', 'clusters', '-f', file])), names.length)
      assert.deepEqual(sorted(JSON.parse(await ok(['pc', 'clusters', '-f', file, '-o', 'json'])).map((c: AnyObj) => c.name)), sorted(names))
      const yaml = await ok(['pc', 'clusters', '-f', file, '-o', 'yaml'])
      assert.equal((yaml.match(/^- /gm) ?? []).length, names.length)
    })
    test('pc listeners: one row per active listener, their names', async () => {
      if (!isConfigDump) return expectError(['pc', 'listeners', '-f', file], notADump)
      if (!section('ListenersConfigDump')) return expectError(['pc', 'listeners', '-f', file], missing('ListenersConfigDump'))
      const active = activeListeners()
      assert.equal(rowsOf(await ok(['pc', 'listeners', '-f', file, '--no-verbose'])), active.length)
      assert.deepEqual(sorted(JSON.parse(await ok(['pc', 'listeners', '-f', file, '-o', 'json'])).map((l: AnyObj) => l.name)), sorted(active.map((l) => l.name)))
    })
    test('pc routes --no-verbose: one row per route config, named as in the dump', async () => {
      if (!isConfigDump) return expectError(['pc', 'routes', '-f', file], notADump)
      const s = section('RoutesConfigDump')
      if (!s) return expectError(['pc', 'routes', '-f', file], missing('RoutesConfigDump'))
      const names = [...(s.dynamic_route_configs ?? []), ...(s.static_route_configs ?? [])].map((r: AnyObj) => r.route_config?.name ?? '')
      const out = await ok(['pc', 'routes', '-f', file, '--no-verbose'])
      assert.equal(rowsOf(out), names.length)
      assert.deepEqual(sorted(firstColumn(out).map((c) => c.trim())), sorted(names.map((n) => n.trim())))
    })
    test('pc secret: every active and warming secret by name and status', async () => {
      if (!isConfigDump) return expectError(['pc', 'secret', '-f', file], notADump)
      const s = section('SecretsConfigDump')
      if (!s) return expectError(['pc', 'secret', '-f', file], missing('SecretsConfigDump'))
      const out = await ok(['pc', 'secret', '-f', file])
      for (const [list, status] of [[s.dynamic_active_secrets ?? [], 'ACTIVE'], [s.dynamic_warming_secrets ?? [], 'WARMING']] as const) {
        for (const sec of list) {
          const shown = sec.name === 'ROOTCA' || /root-cert/.test(sec.name) ? 'ROOTCA' : sec.name
          assert.match(out, new RegExp(`^${shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s.*\\b${status}\\b`, 'm'), `${sec.name} ${status}`)
        }
      }
    })
    test('pc bootstrap: the node of the dump', async () => {
      if (!isConfigDump) return expectError(['pc', 'bootstrap', '-f', file], notADump)
      const s = section('BootstrapConfigDump')
      if (!s) return expectError(['pc', 'bootstrap', '-f', file], missing('BootstrapConfigDump'))
      const json = JSON.parse(await ok(['pc', 'bootstrap', '-f', file, '-o', 'json']))
      assert.equal(json.bootstrap.node.id, s.bootstrap.node.id)
    })
    test('pc ecds: one row per extension config', async () => {
      if (!isConfigDump) return expectError(['pc', 'ecds', '-f', file], notADump)
      const s = section('EcdsConfigDump')
      if (!s) return expectError(['pc', 'ecds', '-f', file], missing('EcdsConfigDump'))
      assert.equal(rowsOf(await ok(['pc', 'ecds', '-f', file])), (s.ecds_filters ?? []).length)
    })
    test('pc eds and pc endpoints: one row per endpoint, its address', async () => {
      if (kind === 'clusters-json') {
        const hosts = d.cluster_statuses.flatMap((c: AnyObj) => c.host_statuses ?? [])
        assert.equal(rowsOf(await ok(['pc', 'endpoints', '-f', file])), hosts.length)
        return expectError(['pc', 'eds', '-f', file], notADump)
      }
      if (kind === 'clusters-text') {
        // `cluster::ip:port::stat::value` lines: one row per (cluster, host)
        // (a host is ip:port, or the path of a pipe)
        const hosts = new Set(text.split('\n').map((l) => /^(.+?)::(\d[\d.]*:\d+|\.?\/[^:]+)::/.exec(l)).filter((m) => m).map((m) => `${m![1]} ${m![2]}`))
        assert.equal(rowsOf(await ok(['pc', 'endpoints', '-f', file])), hosts.size)
        return expectError(['pc', 'eds', '-f', file], notADump)
      }
      if (!section('EndpointsConfigDump')) {
        await expectError(['pc', 'eds', '-f', file], /no EndpointsConfigDump section/)
        return expectError(['pc', 'endpoints', '-f', file], /without endpoints/)
      }
      const addresses = edsAddresses()
      const eds = await ok(['pc', 'eds', '-f', file])
      assert.equal(rowsOf(eds), addresses.length)
      assert.deepEqual(sorted(firstColumn(eds)), sorted(addresses))
      assert.equal(rowsOf(await ok(['pc', 'endpoints', '-f', file])), addresses.length)
    })
    test('pc all: -o json is the input; the table has a section per section of the dump', async () => {
      if (!isConfigDump) return expectError(['pc', 'all', '-f', file], notADump)
      assert.deepEqual(snake(JSON.parse(await ok(['pc', 'all', '-f', file, '-o', 'json']))), d)
      const out = await ok(['pc', 'all', '-f', file])
      for (const n of clusterNames()) assert.ok(out.includes(`cluster/${n}`), n)
    })

    if (!isConfigDump) return
    test('one cluster row per cluster', async () => {
      const s = sectionOf(d, 'ClustersConfigDump')
      const want = (s?.dynamic_active_clusters?.length ?? 0) + (s?.static_clusters?.length ?? 0)
      const res = await runCli(['pc', 'clusters', '-f', join(DIR, name)])
      assert.equal(res.code, 0, res.stderr)
      assert.equal(rowsOf(res.stdout), want)
      const json = await runCli(['pc', 'clusters', '-f', join(DIR, name), '-o', 'json'])
      assert.equal(JSON.parse(json.stdout).length, want)
    })
    test('one listener row per active listener (--no-verbose), one per filter chain (verbose)', async () => {
      const s = sectionOf(d, 'ListenersConfigDump')
      const active = [
        ...(s?.dynamic_listeners ?? []).filter((l: AnyObj) => l.active_state?.listener).map((l: AnyObj) => l.active_state.listener),
        ...(s?.static_listeners ?? []).map((l: AnyObj) => l.listener),
      ]
      const res = await runCli(['pc', 'listeners', '-f', join(DIR, name), '--no-verbose'])
      assert.equal(rowsOf(res.stdout), active.length)
      const chains = active.reduce((n: number, l: AnyObj) => n + (l.filter_chains?.length ?? 0) + (l.default_filter_chain ? 1 : 0), 0)
      const verbose = await runCli(['pc', 'listeners', '-f', join(DIR, name)])
      assert.equal(rowsOf(verbose.stdout), chains)
    })
    test('one route row per route config (--no-verbose)', async () => {
      const s = sectionOf(d, 'RoutesConfigDump')
      const want = (s?.dynamic_route_configs?.length ?? 0) + (s?.static_route_configs?.length ?? 0)
      const res = await runCli(['pc', 'routes', '-f', join(DIR, name), '--no-verbose'])
      assert.equal(rowsOf(res.stdout), want)
    })
    test('one EDS row per endpoint', async () => {
      const s = sectionOf(d, 'EndpointsConfigDump')
      const cfgs = [...(s?.dynamic_endpoint_configs ?? []), ...(s?.static_endpoint_configs ?? [])]
      const want = cfgs.reduce(
        (n: number, c: AnyObj) => n + (c.endpoint_config?.endpoints ?? []).reduce((m: number, l: AnyObj) => m + (l.lb_endpoints?.length ?? 0), 0),
        0,
      )
      const res = await runCli(['pc', 'eds', '-f', join(DIR, name)])
      assert.equal(rowsOf(res.stdout), want)
    })
  })
}
