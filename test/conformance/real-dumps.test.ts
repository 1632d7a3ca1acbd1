/**
 * Every view over every real dump in ../shared/conformance/real-dumps: it runs clean (exit 0, or a clear
 * one-line error when the dump lacks what the view shows), and row counts match the dump.
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

    for (const view of ['clusters', 'listeners', 'routes', 'secret', 'bootstrap', 'ecds', 'eds', 'endpoints', 'all']) {
      for (const output of ['short', 'json', 'yaml']) {
        test(`pc ${view} -o ${output}`, async () => {
          const res = await runCli(['pc', view, '-f', join(DIR, name), '-o', output])
          assert.doesNotMatch(res.stderr, /\n\s+at |unexpected; rerun/, 'no crash')
          if (res.code !== 0) {
            // allowed: the dump does not hold what the view shows, said in one line
            assert.equal(res.code, 3, res.stderr)
            assert.equal(res.stdout, '')
            assert.equal(res.stderr.trimEnd().split('\n').length, 1)
            assert.match(res.stderr, /^Error: .*(no configuration type|not a config_dump|without endpoints)/)
            return
          }
          if (output === 'json') JSON.parse(res.stdout)
        })
      }
    }

    if (!isConfigDump) return
    const d = dump as AnyObj
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
