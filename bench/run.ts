/**
 * `npm run bench`: issue 5's performance targets, measured on whole processes.
 *
 *   node dist/bench/run.js [--quick] [--only startup,decode,scale,live,ps,fanout,check] [--runs N]
 *
 * Sections (each a target of issue 5):
 *   startup  `meshctl --version` and `pc clusters -f <100-service dump>` vs `node -e 0`
 *   decode   every proxy-config view on the 10k-service dump vs bench/baseline.mjs (read + JSON.parse + print the
 *            cluster names); `pc clusters` vs jq doing the same
 *   scale    every view on the 70k-service dump (past V8's 512 MB string limit): exit 0, time, peak RSS vs file size
 *   live     `pc clusters <pod>` on a 10k-service proxy in the sandbox cluster vs `kubectl exec ... curl config_dump`
 *   ps       `meshctl ps` over 5,000 proxies from 3 istiod replicas (only when live proxy-status exists)
 *   fanout   `-l` over 50 pods with --max-concurrency 1, 8 (default), 50: how many are in flight, total time
 *   check    `check -f` on the 10k-service dump vs the baseline; `check -A` over the proxies of a 56- and a 300-service
 *            sandbox mesh vs bench/fetch-all.mjs (the same dumps, the same transport and concurrency), and `check -n -l`
 *            over ~100 proxies of the 300-service mesh: peak RSS at ~100 and ~500 proxies with the same dumps
 * `--quick` runs startup and decode only (no 70k dump, no sandbox). Results are printed as a table and written to
 * BENCHMARKS.md (sections not run this time are kept from bench/out/results.json, marked with their date).
 */
import {execFileSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import http, {type RequestListener} from 'node:http'
import type {AddressInfo} from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {parseArgs} from 'node:util'
import {startSandbox} from '../src/sandbox/cluster.js'
import {bookinfoSandboxSpec} from '../src/sandbox/mesh.js'
import {meshSandboxSpec} from '../src/sandbox/mesh.js'
import type {PortHandler, SandboxPod} from '../src/sandbox/types.js'
import {adminPath} from '../src/sources/pod.js'
import {NEEDS} from '../src/sources/types.js'
import {proxies, syntheticMesh} from '../src/gen/index.js'
import {type Dump, type DumpSpec, ensureDump, firstSidecar, generatorKey, meshOf} from './lib/dumps.js'
import {type Cmd, fmtBytes, fmtMs, lastLine, measureGroup, median, runOnce, setTmpDir, type Stats, TIME_BIN} from './lib/proc.js'
import {type ProfileSummary, profileRun} from './lib/profile.js'
import {consoleReport, keptAnalysis, markdown, peakPhase} from './lib/report.js'
import type {Machine, Phases, Row, SectionId, SectionResult, Verdict} from './lib/types.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const OUT = path.join(ROOT, 'bench/out')
const DUMPS = path.join(OUT, 'dumps')
const TMP = path.join(OUT, 'tmp')
const RESULTS = path.join(OUT, 'results.json')
const BENCHMARKS = path.join(ROOT, 'BENCHMARKS.md')
const BIN = path.join(ROOT, 'bin/run.js')
const BASELINE = path.join(ROOT, 'bench/baseline.mjs')
const BASELINE_PARSE2 = path.join(ROOT, 'bench/baseline-parse2.mjs')
const PS_BASELINE = path.join(ROOT, 'bench/ps-baseline.mjs')
const PS_LIVE_BASELINE = path.join(ROOT, 'bench/ps-live-baseline.mjs')
const PHASES = path.join(ROOT, 'dist/bench/phases.js')
const KUBECTL = '/usr/bin/kubectl'
const JQ = '/usr/bin/jq'
const CURL = '/usr/bin/curl'
const ALL_SECTIONS: SectionId[] = ['startup', 'decode', 'scale', 'live', 'ps', 'fanout', 'trace', 'check']

/** meshctl needs Node >= 22: children run on this Node when it is recent enough, else on the pinned one. */
const NODE = Number(process.versions.node.split('.')[0]) >= 22 ? process.execPath : path.join(ROOT, 'node_modules/node/bin/node')

const {values: opts} = parseArgs({
  options: {
    quick: {type: 'boolean', default: false},
    only: {type: 'string'},
    runs: {type: 'string'},
    help: {type: 'boolean', short: 'h'},
  },
})
if (opts.help) {
  process.stdout.write('usage: node dist/bench/run.js [--quick] [--only startup,decode,scale,live,ps,fanout] [--runs N]\n')
  process.exit(0)
}
const only = opts.only ? (opts.only.split(',').map((s) => s.trim()) as SectionId[]) : undefined
for (const s of only ?? []) {
  if (!ALL_SECTIONS.includes(s)) {
    process.stderr.write(`bench: unknown section "${s}" (one of ${ALL_SECTIONS.join(', ')})\n`)
    process.exit(2)
  }
}
const selected: SectionId[] = only ?? (opts.quick ? ['startup', 'decode'] : ALL_SECTIONS)
const mode = only ? `--only ${only.join(',')}` : opts.quick ? '--quick' : 'full'
if (opts.runs !== undefined && !/^[1-9]\d*$/.test(opts.runs)) {
  process.stderr.write(`bench: --runs must be a positive whole number, got "${opts.runs}"\n`)
  process.exit(2)
}
const RUNS = opts.runs ? Number(opts.runs) : 5
const STARTUP_RUNS = opts.runs ? Number(opts.runs) : 20
const SCALE_RUNS = opts.runs ? Math.min(Number(opts.runs), 3) : 3

const log = (s: string): void => {
  process.stderr.write(`${s}\n`)
}

// -----------------------------------------------------------------------------------------------------------------
// helpers

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']}).trim()
  } catch {
    return ''
  }
}

function machine(): Machine {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : ''
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown'
  const mhz = /^cpu MHz\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    cpus: Number(sh('nproc', [])) || os.availableParallelism(),
    cpuModel: `${model}${mhz ? ` (${Math.round(Number(mhz))} MHz)` : ''}`,
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    node: sh(NODE, ['--version']),
    kubectl: existsSync(KUBECTL) ? sh(KUBECTL, ['version', '--client']).split('\n')[0] ?? '' : 'not installed',
    jq: existsSync(JQ) ? sh(JQ, ['--version']) : 'not installed',
  }
}

const rel = (p: string): string => path.relative(ROOT, p)
const x = (r: number): string => `${r.toFixed(2)}×`

function meshctl(label: string, args: string[], extra: Partial<Cmd> = {}): Cmd {
  return {label, argv: [NODE, BIN, ...args], cwd: ROOT, ...extra}
}

function row(s: Stats | undefined, measurement: string, extra: Partial<Row> & {verdict: Verdict}): Row {
  if (!s) return {measurement, ...extra}
  return {
    measurement,
    command: s.argv.map((a) => (a === NODE ? 'node' : a.startsWith(ROOT) ? rel(a) : a)).join(' '),
    runs: s.runs.length,
    median: s.median,
    min: s.min,
    max: s.max,
    rssKB: s.rssKB,
    ...extra,
    ...(s.ok ? {} : {verdict: 'FAIL' as Verdict, note: `exit ${s.code}: ${lastLine(s.stderr)}`}),
  }
}

function ratioVerdict(r: number, limit: number, ok = true): Verdict {
  return ok && Number.isFinite(r) && r <= limit ? 'PASS' : 'FAIL'
}

function overall(rows: Row[]): Verdict {
  const judged = rows.filter((r) => r.verdict === 'PASS' || r.verdict === 'FAIL')
  if (judged.length === 0) return 'not measured'
  return judged.every((r) => r.verdict === 'PASS') ? 'PASS' : 'FAIL'
}

async function phases(view: string, file: string): Promise<Phases | undefined> {
  const r = await runOnce({label: `phases ${view}`, argv: [NODE, PHASES, view, file], cwd: ROOT}, {wrap: false, countStdout: true, capture: true})
  if (r.code !== 0) {
    log(`  phases ${view} ${rel(file)}: exit ${r.code}: ${lastLine(r.stderr)}`)
    return undefined
  }
  const p = JSON.parse(r.stdout!) as Phases
  p.file = rel(file)
  return p
}

async function profile(cmd: Cmd): Promise<ProfileSummary | undefined> {
  log(`  profiling ${cmd.label}`)
  const p = await profileRun(cmd, ROOT, path.join(TMP, 'prof'))
  if (p) p.label = cmd.argv.slice(1).map((a) => (a.startsWith(ROOT) ? rel(a) : a)).join(' ')
  return p
}

/** What a meshctl run loads: bench/modules.mjs counts every module that reaches the loader, by package. */
async function moduleNote(cmd: Cmd): Promise<string | undefined> {
  const [node, ...rest] = cmd.argv
  const r = await runOnce({...cmd, argv: [node!, '--import', path.join(ROOT, 'bench/modules.mjs'), ...rest]}, {wrap: false, countStdout: false})
  const line = r.stderr.split('\n').find((l) => l.startsWith('MODULES '))
  if (!line) return undefined
  const info = JSON.parse(line.slice(8)) as {files: number; bytes: number; builtins: number; packages: Array<{name: string; files: number; bytes: number}>}
  const own = info.packages.filter((p) => p.name.startsWith('meshctl'))
  const deps = info.packages.filter((p) => !p.name.startsWith('meshctl'))
  const sum = (xs: typeof info.packages, k: 'files' | 'bytes'): number => xs.reduce((a, p) => a + p[k], 0)
  const label = cmd.argv.slice(2).map((a) => (a.startsWith(ROOT) ? path.basename(a) : a)).join(' ')
  return (
    `\`meshctl ${label}\` loads ${info.files} JavaScript files (${fmtBytes(info.bytes)}) plus ${info.builtins} node: builtins (\`node -e 0\` loads none): ` +
    `meshctl's own ${sum(own, 'files')} files (${fmtBytes(sum(own, 'bytes'))}), dependencies ${sum(deps, 'files')} files (${fmtBytes(sum(deps, 'bytes'))}); the largest: ` +
    `${deps
      .slice(0, 6)
      .map((p) => `${p.name} ${p.files} files / ${fmtBytes(p.bytes)}`)
      .join(', ')}.`
  )
}

function section(id: SectionId, title: string, target: string, method: string[], rows: Row[], m: Machine, more: Partial<SectionResult> = {}): SectionResult {
  return {id, title, target, method, ranAt: m.date, mode, machine: m, rows, notes: [], verdict: overall(rows), ...more}
}

// -----------------------------------------------------------------------------------------------------------------
// dumps

const DUMP_SPECS: Record<string, DumpSpec> = {
  small: {services: 100, format: 'config_dump', includeEds: true},
  d1k: {services: 1000, format: 'config_dump', includeEds: true},
  d10k: {services: 10_000, format: 'config_dump', includeEds: true},
  d10kNoEds: {services: 10_000, format: 'config_dump', includeEds: false},
  // the next sidecar of the same mesh (a replica of d10k's workload): diff's second side
  d10kB: {services: 10_000, format: 'config_dump', includeEds: true, proxyIndex: 1},
  c10k: {services: 10_000, format: 'clusters', includeEds: false},
  d70k: {services: 70_000, format: 'config_dump', includeEds: true},
  c70k: {services: 70_000, format: 'clusters', includeEds: false},
}

async function dumpsFor(sections: SectionId[]): Promise<Record<string, Dump>> {
  const need = new Set<string>()
  if (sections.includes('startup')) need.add('small')
  if (sections.includes('decode')) for (const k of ['d1k', 'd10k', 'd10kNoEds', 'c10k', 'd10kB']) need.add(k)
  if (sections.includes('scale')) for (const k of ['d10k', 'c10k', 'd70k', 'c70k']) need.add(k)
  if (sections.includes('trace') || sections.includes('check')) need.add('d10k')
  log(`dumps (cache: ${rel(DUMPS)})`)
  const key = generatorKey(ROOT)
  const out: Record<string, Dump> = {}
  for (const k of Object.keys(DUMP_SPECS)) {
    if (!need.has(k)) continue
    const d = await ensureDump(DUMPS, key, DUMP_SPECS[k]!, log)
    out[k] = d
    log(`  ${path.basename(d.path)}: ${fmtBytes(d.bytes)} (${d.bytes} bytes), proxy ${d.proxy}${d.cached ? ', cached' : ''}`)
  }
  return out
}

const fileLabel = (d: Dump): string => `${path.basename(d.path)} (${fmtBytes(d.bytes)})`

// -----------------------------------------------------------------------------------------------------------------
// 1. start-up

/**
 * The single executable of this machine (scripts/build-binary.js), built now when there is none or it was built from
 * other sources (the digest of scripts/binary-inputs.js, written beside it). Undefined, with the reason logged, when
 * it cannot be built.
 */
async function ensureBinary(): Promise<string | undefined> {
  const exe = path.join(ROOT, 'dist/bin', `meshctl-${process.platform}-${process.arch}`)
  const {inputsDigest} = (await import(pathToFileURL(path.join(ROOT, 'scripts/binary-inputs.js')).href)) as {inputsDigest: (root: string) => string}
  const stamp = `${exe}.inputs`
  if (existsSync(exe) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === inputsDigest(ROOT)) return exe
  log(`  building ${rel(exe)} (node scripts/build-binary.js)`)
  try {
    execFileSync(NODE, [path.join(ROOT, 'scripts/build-binary.js')], {cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe']})
    return exe
  } catch (err) {
    log(`  the binary could not be built: ${lastLine(String((err as {stderr?: unknown}).stderr ?? err))}`)
    return undefined
  }
}

async function startup(d: Record<string, Dump>, m: Machine): Promise<SectionResult> {
  log('\n[1] start-up')
  const small = d.small!
  const base: Cmd = {label: 'node -e 0', argv: [NODE, '-e', '0'], wrapTimed: false}
  const version = meshctl('meshctl --version', ['--version'], {wrapTimed: false})
  const clusters = meshctl('meshctl pc clusters -f small', ['pc', 'clusters', '-f', small.path], {wrapTimed: false})
  // the single executable (issue 15), measured beside bin/run.js in the same rounds
  const exe = await ensureBinary()
  const binVersion: Cmd | undefined = exe ? {label: 'binary --version', argv: [exe, '--version'], cwd: ROOT, wrapTimed: false} : undefined
  const binClusters: Cmd | undefined = exe ? {label: 'binary pc clusters -f small', argv: [exe, 'pc', 'clusters', '-f', small.path], cwd: ROOT, wrapTimed: false} : undefined
  const s = await measureGroup([base, version, clusters, ...(binVersion && binClusters ? [binVersion, binClusters] : [])], {runs: STARTUP_RUNS, log})
  const b = s.get(base.label)!
  const rv = s.get(version.label)!.median / b.median
  const rc = s.get(clusters.label)!.median / b.median
  const rows: Row[] = [
    row(b, 'node -e 0', {verdict: 'baseline'}),
    row(s.get(version.label), 'meshctl --version', {ratio: `${x(rv)} node -e 0`, target: '≤ 3×', verdict: ratioVerdict(rv, 3)}),
    row(s.get(clusters.label), `meshctl pc clusters -f ${fileLabel(small)}`, {ratio: `${x(rc)} node -e 0`, target: '≤ 4×', verdict: ratioVerdict(rc, 4)}),
  ]
  const binName = `meshctl-${process.platform}-${process.arch}`
  if (binVersion && binClusters) {
    const bv = s.get(binVersion.label)!
    const bc = s.get(binClusters.label)!
    const rbv = bv.median / b.median
    const rbc = bc.median / b.median
    rows.push(
      row(bv, `${binName} --version (single executable)`, {ratio: `${x(rbv)} node -e 0`, target: '≤ 1.5×', verdict: ratioVerdict(rbv, 1.5)}),
      row(bc, `${binName} pc clusters -f ${fileLabel(small)}`, {ratio: `${x(rbc)} node -e 0`, target: '≤ 2.5×', verdict: ratioVerdict(rbc, 2.5)}),
    )
  } else {
    rows.push({measurement: `${binName} (single executable)`, target: '≤ 1.5× / ≤ 2.5×', verdict: 'FAIL', note: 'the binary could not be built (npm run build:binary)'})
  }
  const res = section(
    'startup',
    '1. Start-up',
    '`meshctl --version` ≤ 3× `node -e 0`; `meshctl pc clusters -f <small dump>` ≤ 4× `node -e 0` (issue 5). From the single executable (issue 15): ' +
      '`--version` ≤ 1.5× and `pc clusters -f <small dump>` ≤ 2.5× `node -e 0`.',
    [
      `Wall time of the whole process, ${STARTUP_RUNS} runs each after a warm-up (so V8's compile cache that \`bin/run.js\` enables is warm, as on any second use), ` +
        'interleaved with the baseline; timed without the `/usr/bin/time` wrapper (peak RSS is from the wrapped warm-up run). The small dump is the ' +
        `100-service sidecar dump with EDS (${fmtBytes(small.bytes)}). \`meshctl\` is \`node bin/run.js\`; \`${binName}\` is the single executable of ` +
        '`npm run build:binary` (dist/bin/, built first when missing or stale), run in the same rounds.',
    ],
    rows,
    m,
  )
  const profiles: ProfileSummary[] = []
  if (rows[1]!.verdict === 'FAIL') profiles.push(...[await profile(version)].filter((p): p is ProfileSummary => !!p))
  if (rows[2]!.verdict === 'FAIL') {
    const p = await profile(clusters)
    if (p) {
      profiles.push(p)
      const loader = p.byOrigin.filter((o) => o.origin.startsWith('node: module loader')).reduce((a, o) => a + o.ms, 0)
      const bundle = p.byOrigin.filter((o) => o.origin.startsWith('meshctl bundle')).reduce((a, o) => a + o.ms, 0)
      const builtins = p.byOrigin.filter((o) => o.origin === 'node: internals').reduce((a, o) => a + o.ms, 0)
      res.notes.push(
        `\`pc clusters -f small\` takes ${fmtMs(s.get(clusters.label)!.median - b.median)} more than \`node -e 0\`. In its CPU profile (${p.profiledMs} ms): ` +
          `node's module loader ${loader.toFixed(0)} ms, node's built-in modules ${builtins.toFixed(0)} ms (oclif requires ~50 of them: readline, child_process, perf_hooks, worker_threads...), ` +
          `the bundle (oclif, whose command discovery sorts with localeCompare and so loads ICU's collator, plus meshctl's CLI code) ${bundle.toFixed(0)} ms (everything by origin below).`,
      )
    }
  }
  res.profiles = profiles
  const mods = await moduleNote(clusters)
  if (mods) res.notes.push(mods)
  return res
}

// -----------------------------------------------------------------------------------------------------------------
// 2. decoding (10k)

const VIEWS: Array<{name: string; args: string[]; phase: string; file: 'dump' | 'clusters'}> = [
  {name: 'clusters', args: ['pc', 'clusters'], phase: 'clusters', file: 'dump'},
  {name: 'listeners', args: ['pc', 'listeners'], phase: 'listeners', file: 'dump'},
  {name: 'routes', args: ['pc', 'routes'], phase: 'routes', file: 'dump'},
  {name: 'endpoints', args: ['pc', 'endpoints'], phase: 'endpoints', file: 'clusters'},
  {name: 'secret', args: ['pc', 'secret'], phase: 'secret', file: 'dump'},
  {name: 'bootstrap -o short', args: ['pc', 'bootstrap', '-o', 'short'], phase: 'bootstrap', file: 'dump'},
  {name: 'ecds', args: ['pc', 'ecds'], phase: 'ecds', file: 'dump'},
  {name: 'eds', args: ['pc', 'eds'], phase: 'eds', file: 'dump'},
  {name: 'all', args: ['pc', 'all'], phase: 'all', file: 'dump'},
]

const JQ_CLUSTERS = '.configs[] | select(."@type" | endswith(".ClustersConfigDump")) | (.static_clusters[]?, .dynamic_active_clusters[]?) | .cluster.name'

async function decode(d: Record<string, Dump>, m: Machine): Promise<SectionResult> {
  log('\n[2] decoding, 10k services')
  const noEds = d.d10kNoEds!
  const eds = d.d10k!
  const cf = d.c10k!
  const rows: Row[] = []
  /** misses: the row, its command, the phase rows of the view and of its baseline */
  const failing: Array<{row: Row; cmd: Cmd; view: string; base: string}> = []
  const haveJq = existsSync(JQ)

  // the headline: clusters on the ~90 MB dump (no EDS), the baseline, jq
  const b1: Cmd = {label: 'baseline no-eds', argv: [NODE, BASELINE, noEds.path]}
  const c1 = meshctl('clusters no-eds', ['pc', 'clusters', '-f', noEds.path])
  const jq: Cmd = {label: 'jq no-eds', argv: [JQ, '-r', JQ_CLUSTERS, noEds.path]}
  const g1 = await measureGroup(haveJq ? [b1, c1, jq] : [b1, c1], {runs: RUNS, log})
  const bm1 = g1.get(b1.label)!
  const cm1 = g1.get(c1.label)!
  rows.push(row(bm1, `baseline.mjs ${fileLabel(noEds)}`, {verdict: 'baseline'}))
  const r1 = cm1.median / bm1.median
  rows.push(row(cm1, `meshctl pc clusters -f ${fileLabel(noEds)}`, {ratio: `${x(r1)} baseline`, target: '≤ 1.3×', verdict: ratioVerdict(r1, 1.3)}))
  if (rows.at(-1)!.verdict === 'FAIL') failing.push({row: rows.at(-1)!, cmd: c1, view: 'clusters (no EDS)', base: 'baseline.mjs (no EDS)'})
  if (haveJq) {
    const jm = g1.get(jq.label)!
    const rj = jm.median / cm1.median
    rows.push(row(jm, `jq (same names) ${path.basename(noEds.path)}`, {ratio: `${x(rj)} meshctl`, target: '≥ 3× meshctl', verdict: jm.ok && rj >= 3 ? 'PASS' : 'FAIL'}))
    let note = `${cm1.stdoutLines} table lines (header included) vs ${jm.stdoutLines} names from jq and ${bm1.stdoutLines} from the baseline`
    if (rj < 3) note += `; 3× would need meshctl at ≤ ${fmtMs(jm.median / 3)}, vs ${fmtMs(bm1.median)} for the bare Node baseline itself`
    rows.at(-1)!.note = note
  } else rows.push({measurement: 'jq', verdict: 'not measured', note: `${JQ} not installed`})

  // every view on the dump with EDS, each against the baseline on the same file
  const b2: Cmd = {label: 'baseline eds', argv: [NODE, BASELINE, eds.path]}
  const b3: Cmd = {label: 'baseline clusters-format', argv: [NODE, BASELINE, cf.path]}
  const viewCmds = VIEWS.map((v) => meshctl(`view ${v.name}`, [...v.args, '-f', v.file === 'dump' ? eds.path : cf.path]))
  const g2 = await measureGroup([b2, ...viewCmds.filter((_, i) => VIEWS[i]!.file === 'dump')], {runs: RUNS, log})
  const g3 = await measureGroup([b3, ...viewCmds.filter((_, i) => VIEWS[i]!.file === 'clusters')], {runs: RUNS, log})
  const bm2 = g2.get(b2.label)!
  const bm3 = g3.get(b3.label)!
  rows.push(row(bm2, `baseline.mjs ${fileLabel(eds)}`, {verdict: 'baseline'}))
  rows.push(row(bm3, `baseline.mjs ${fileLabel(cf)}`, {verdict: 'baseline'}))
  VIEWS.forEach((v, i) => {
    const g = v.file === 'dump' ? g2 : g3
    const bm = v.file === 'dump' ? bm2 : bm3
    const st = g.get(viewCmds[i]!.label)!
    const r = st.median / bm.median
    const limit = v.name === 'clusters' ? 1.3 : 1.5
    const file = v.file === 'dump' ? eds : cf
    rows.push(row(st, `meshctl pc ${v.name} -f ${path.basename(file.path)}`, {ratio: `${x(r)} baseline`, target: `≤ ${limit}×`, verdict: ratioVerdict(r, limit)}))
    if (rows.at(-1)!.verdict === 'FAIL') failing.push({row: rows.at(-1)!, cmd: viewCmds[i]!, view: v.name, base: v.file === 'dump' ? 'baseline.mjs' : 'baseline.mjs (/clusters)'})
  })

  // diff (issue 13): two 10k-service dumps (two replicas of one workload) ≤ 1.5× two bare JSON.parse's of them,
  // peak RSS ≤ 2× the two files
  const other = d.d10kB!
  const b5: Cmd = {label: 'baseline parse2', argv: [NODE, BASELINE_PARSE2, eds.path, other.path]}
  const c5 = meshctl('diff 10k', ['diff', eds.path, other.path])
  const g5 = await measureGroup([b5, c5], {runs: RUNS, log})
  const bm5 = g5.get(b5.label)!
  const cm5 = g5.get(c5.label)!
  const r5 = cm5.median / bm5.median
  const rr5 = ((cm5.rssKB ?? 0) * 1024) / (eds.bytes + other.bytes)
  rows.push(row(bm5, `baseline-parse2.mjs ${path.basename(eds.path)} ${path.basename(other.path)} (JSON.parse of both)`, {verdict: 'baseline'}))
  rows.push(
    row(cm5, `meshctl diff ${path.basename(eds.path)} ${path.basename(other.path)}`, {
      ratio: `${x(r5)} baseline, RSS ${x(rr5)} files`,
      target: '≤ 1.5×, RSS ≤ 2× files',
      verdict: cm5.ok && cm5.rssKB !== undefined && r5 <= 1.5 && rr5 <= 2 ? 'PASS' : 'FAIL',
    }),
  )

  // scaling, for information: clusters on the 1k dump
  const d1k = d.d1k!
  const b4: Cmd = {label: 'baseline 1k', argv: [NODE, BASELINE, d1k.path]}
  const c4 = meshctl('clusters 1k', ['pc', 'clusters', '-f', d1k.path])
  const g4 = await measureGroup([b4, c4], {runs: RUNS, log})
  const r4 = g4.get(c4.label)!.median / g4.get(b4.label)!.median
  rows.push(row(g4.get(b4.label), `baseline.mjs ${fileLabel(d1k)}`, {verdict: 'baseline'}))
  rows.push(row(g4.get(c4.label), `meshctl pc clusters -f ${path.basename(d1k.path)}`, {ratio: `${x(r4)} baseline`, verdict: 'info'}))

  const res = section(
    'decode',
    '2. Decoding',
    '`meshctl pc clusters -f` on the 10k-service dump (~90 MB) ≤ 1.3× a bare Node script that reads the file, `JSON.parse`s it and prints the cluster names, ' +
      'and at least 3× faster than `jq` doing the same; every other view within 1.5× of the same baseline.',
    [
      `The baseline is \`bench/baseline.mjs\`: \`readFileSync\` + \`JSON.parse\` of the whole file + one line per cluster name. jq runs \`jq -r '${JQ_CLUSTERS}'\`. ` +
        `${RUNS} runs after a warm-up, interleaved with the baseline on the same file; standard output to /dev/null.`,
      `Files (one sidecar of a synthetic mesh, \`${eds.proxy}\`): the config_dump without EDS (${fmtBytes(noEds.bytes)}, the "~90 MB" dump of the target), ` +
        `the same with the EndpointsConfigDump section (${fmtBytes(eds.bytes)}, needed by \`eds\` and \`all\`; every view runs on it), and the proxy's ` +
        `\`/clusters?format=json\` (${fmtBytes(cf.bytes)}) for \`endpoints\`. Each view is compared with the baseline on the file it reads. ` +
        'The 1k-service rows show how the ratio moves with size (not judged).',
      `\`meshctl diff\` (issue 13) compares two 10k-service dumps, \`${eds.proxy}\` and the next sidecar of the mesh (a replica of the same workload, ${fmtBytes(d.d10kB!.bytes)}), ` +
        'against `bench/baseline-parse2.mjs` (read and `JSON.parse` both files); target ≤ 1.5× its time and peak RSS ≤ 2× the two files together.',
    ],
    rows,
    m,
  )
  // where the time goes
  log('  phases (10k)')
  const ph: Phases[] = []
  const extra: Array<[string, string, string]> = [
    ['baseline', noEds.path, 'baseline.mjs (no EDS)'],
    ['clusters', noEds.path, 'clusters (no EDS)'],
    ['baseline', cf.path, 'baseline.mjs (/clusters)'],
    ['baseline', eds.path, 'baseline.mjs'],
  ]
  for (const [view, file, label] of extra) {
    const p = await phases(view, file)
    if (p) ph.push({...p, view: label})
  }
  for (const v of VIEWS) {
    const p = await phases(v.phase, v.file === 'dump' ? eds.path : cf.path)
    if (p) ph.push({...p, view: v.name})
  }
  res.phases = ph
  const profiles: ProfileSummary[] = []
  for (const f of failing) {
    const p = await profile(f.cmd)
    if (p) profiles.push(p)
  }
  res.profiles = profiles
  // one measured line per miss: the biggest phases, against the baseline's
  for (const f of failing) {
    const p = ph.find((q) => q.view === f.view)
    const base = ph.find((q) => q.view === f.base)
    if (!p || !base) continue
    const top = [...p.phases].sort((a, b) => b.ms - a.ms).slice(0, 4)
    res.notes.push(
      `${f.view} misses (${f.row.ratio}): in one process ${p.totalMs} ms vs ${base.totalMs} ms for the baseline; largest phases ${top.map((t) => `${t.name} ${t.ms} ms`).join(', ')} ` +
        `(baseline: ${base.phases.map((t) => `${t.name} ${t.ms} ms`).join(', ')}); output ${(p.outputBytes / 1e6).toFixed(1)} MB.`,
    )
  }
  return res
}

// -----------------------------------------------------------------------------------------------------------------
// 3. scale (70k)

async function scale(d: Record<string, Dump>, m: Machine, ten?: SectionResult): Promise<SectionResult> {
  log('\n[3] scale, 70k services')
  const dump = d.d70k!
  const cf = d.c70k!
  const cmds = VIEWS.map((v) => meshctl(`70k ${v.name}`, [...v.args, '-f', v.file === 'dump' ? dump.path : cf.path]))
  const g = await measureGroup(cmds, {runs: SCALE_RUNS, log, timeoutMs: 10 * 60_000})
  const rows: Row[] = []
  const failing: Cmd[] = []
  VIEWS.forEach((v, i) => {
    const st = g.get(cmds[i]!.label)!
    const file = v.file === 'dump' ? dump : cf
    const rssBytes = (st.rssKB ?? 0) * 1024
    const rr = rssBytes / file.bytes
    const verdict: Verdict = st.ok && st.rssKB !== undefined && rr <= 2 ? 'PASS' : 'FAIL'
    const tenFile = v.file === 'dump' ? 'svc-10k.config_dump.eds.json' : 'svc-10k.clusters.json'
    const tenRow = ten?.rows.find((r) => r.measurement === `meshctl pc ${v.name} -f ${tenFile}`)
    const note = tenRow?.median ? `${x(st.median / tenRow.median)} its 10k time; ${st.stdoutLines} lines of output` : `${st.stdoutLines} lines of output`
    rows.push(row(st, `meshctl pc ${v.name} -f ${fileLabel(file)}`, {ratio: `RSS ${x(rr)} file`, target: 'exit 0, RSS ≤ 2× file', verdict, note}))
    if (verdict === 'FAIL') failing.push(cmds[i]!)
  })
  const res = section(
    'scale',
    '3. Scale',
    'every view works on the 70k-service dump (past V8\'s string limit) with peak RSS ≤ 2× the file size.',
    [
      `The 70k-service sidecar dump with EDS is ${fmtBytes(dump.bytes)} (V8's string limit is 2^29 − 24 characters, about 537 MB), its \`/clusters?format=json\` ` +
        `${fmtBytes(cf.bytes)} (for \`endpoints\`). ${SCALE_RUNS} runs per view after a warm-up; peak RSS is GNU time's maximum resident set size, the highest over ` +
        'all runs, compared with the size of the file the view reads.',
    ],
    rows,
    m,
  )
  log('  phases (70k)')
  const ph: Phases[] = []
  for (const v of VIEWS) {
    const p = await phases(v.phase, v.file === 'dump' ? dump.path : cf.path)
    if (p) ph.push({...p, view: v.name})
  }
  res.phases = ph
  for (const r of rows.filter((r) => r.verdict === 'FAIL')) {
    const v = VIEWS.find((v) => r.measurement.startsWith(`meshctl pc ${v.name} `))
    const p = v && ph.find((p) => p.view === v.name)
    if (!p) continue
    const file = v!.file === 'dump' ? dump : cf
    const read = p.phases.find((q) => q.name === 'read')
    const during = peakPhase(p)
    const i = p.phases.findIndex((q) => q.name === during)
    const before = i > 0 ? p.phases[i - 1]! : undefined
    const after = p.phases[i]
    const big = p.sections.length ? [...p.sections].sort((a, b) => b.bytes - a.bytes)[0] : undefined
    res.notes.push(
      `${v!.name} misses (${r.ratio}, limit ${fmtBytes(2 * file.bytes)}): RSS after reading the file ${read?.rssMB} MB (external memory ${read?.externalMB} MB: the file as one Buffer, kept to the end); ` +
        `peak ${p.maxRssMB} MB reached during '${during}' (RSS ${before?.rssMB} MB before it, ${after?.rssMB} MB after it, V8 heap ${after?.heapMB} MB after it)` +
        `${big ? `; the largest config section, ${big.type}, is ${fmtBytes(big.bytes)}` : ''}. Phase times: ${p.phases.map((q) => `${q.name} ${q.ms} ms`).join(', ')}.`,
    )
  }
  const profiles: ProfileSummary[] = []
  // the slowest failing view is the one worth a profile (they share their phases)
  const slowest = failing.sort((a, b) => g.get(b.label)!.median - g.get(a.label)!.median)[0]
  if (slowest) {
    const p = await profile(slowest)
    if (p) profiles.push(p)
  }
  res.profiles = profiles
  return res
}

// -----------------------------------------------------------------------------------------------------------------
// 4. live (10k)

/** Server-side CPU of the in-process sandbox during a run (user + system ms of this process). */
function cpuProbe(): NonNullable<Cmd['probe']> {
  let start = process.cpuUsage()
  return {
    reset: () => {
      start = process.cpuUsage()
    },
    read: () => {
      const d = process.cpuUsage(start)
      return (d.user + d.system) / 1000
    },
  }
}

/** The HTTP listener behind a pod port, if it is one. */
function httpListener(h: PortHandler | undefined): RequestListener | undefined {
  if (typeof h === 'function') return h
  if (h && typeof h === 'object' && 'http' in h) return h.http
  return undefined
}

/**
 * Times a pod's own port handler answering `paths` over a local HTTP server (no API server, no exec or port-forward
 * stream): what the sandbox's emulation itself costs per answer. The timed requests come from a `curl` child (so this
 * process only serves), median of `n` after one untimed in-process request that also returns the body.
 */
async function timeHandler(handler: RequestListener, paths: string[], n = 3): Promise<Array<{path: string; ms: number; bytes: number; body: Buffer}>> {
  const server = http.createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  const get = (p: string): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      http
        .get({host: '127.0.0.1', port, path: p, agent: false}, (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => resolve(Buffer.concat(chunks)))
          res.on('error', reject)
        })
        .on('error', reject)
    })
  const out: Array<{path: string; ms: number; bytes: number; body: Buffer}> = []
  try {
    for (const p of paths) {
      const body = await get(p)
      const times: number[] = []
      for (let i = 0; i < n; i++) {
        if (existsSync(CURL)) {
          const r = await runOnce({label: 'curl', argv: [CURL, '-s', '-o', '/dev/null', `http://127.0.0.1:${port}${p}`]}, {wrap: false, countStdout: false})
          times.push(r.ms)
        } else {
          const t = performance.now()
          await get(p)
          times.push(performance.now() - t)
        }
      }
      out.push({path: p, ms: median(times), bytes: body.length, body})
    }
  } finally {
    server.close()
  }
  return out
}

const cpuNote = (s: Stats): string => {
  const server = s.probes?.length ? median(s.probes) : undefined
  return [s.cpuMs !== undefined ? `client CPU ${fmtMs(s.cpuMs)}` : '', server !== undefined ? `sandbox CPU ${fmtMs(server)}` : ''].filter(Boolean).join(', ') + ' (medians)'
}

async function live(m: Machine): Promise<SectionResult> {
  log('\n[4] live, 10k services (sandbox)')
  const mesh = meshOf(10_000)
  const proxy = firstSidecar(mesh)
  const t0 = Date.now()
  const spec = meshSandboxSpec(mesh)
  mkdirSync(TMP, {recursive: true})
  // what the emulation costs per answer, without the API server and the stream; keeps meshctl's answer for `-f`
  const maskPath = adminPath(NEEDS.clusters)
  const admin = httpListener(spec.pods!.find((p) => p.name === proxy.pod && p.namespace === proxy.namespace)?.ports?.[15000])
  if (!admin) throw new Error(`live: pod ${proxy.pod} has no admin handler on 15000`)
  const serverSide = await timeHandler(admin, ['/config_dump', `/${maskPath}`])
  const answerFile = path.join(TMP, 'live-clusters-answer.json')
  writeFileSync(answerFile, serverSide[1]!.body)
  const kubeconfig = path.join(TMP, 'live.kubeconfig')
  const sb = await startSandbox(spec, {kubeconfigPath: kubeconfig})
  log(`  sandbox up in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${spec.pods!.length} pods; proxy ${proxy.pod}.${proxy.namespace}`)
  const env = {...process.env, KUBECONFIG: kubeconfig}
  let res: SectionResult
  try {
    const probe = cpuProbe()
    const exec = ['exec', proxy.pod, '-n', proxy.namespace, '-c', 'istio-proxy', '--', 'curl', '-s']
    const kc: Cmd = {label: 'kubectl exec curl', argv: [KUBECTL, ...exec, 'localhost:15000/config_dump'], env, probe}
    const kcMask: Cmd = {label: 'kubectl exec curl mask', argv: [KUBECTL, ...exec, `localhost:15000/${maskPath}`], env, probe}
    const pf = meshctl('live clusters port-forward', ['pc', 'clusters', proxy.pod, '-n', proxy.namespace], {env, probe})
    const ex = meshctl('live clusters exec', ['pc', 'clusters', proxy.pod, '-n', proxy.namespace, '--transport', 'exec'], {env, probe})
    const file = meshctl('clusters -f answer', ['pc', 'clusters', '-f', answerFile])
    const g = await measureGroup([kc, pf, ex, kcMask, file], {runs: RUNS, log, timeoutMs: 5 * 60_000})
    const b = g.get(kc.label)!
    const r = (c: Cmd): number => g.get(c.label)!.median / b.median
    const rows: Row[] = [
      row(b, 'kubectl exec <pod> -c istio-proxy -- curl -s localhost:15000/config_dump', {verdict: 'baseline', note: `${fmtBytes(b.stdoutBytes ?? 0)} received; ${cpuNote(b)}`}),
      row(g.get(pf.label), 'meshctl pc clusters <pod> (port-forward, the default)', {
        ratio: `${x(r(pf))} kubectl`,
        target: '≤ 1.2×',
        verdict: ratioVerdict(r(pf), 1.2),
        note: `${g.get(pf.label)!.stdoutLines} lines; ${cpuNote(g.get(pf.label)!)}`,
      }),
      row(g.get(ex.label), 'meshctl pc clusters <pod> --transport exec', {ratio: `${x(r(ex))} kubectl`, verdict: 'info', note: cpuNote(g.get(ex.label)!)}),
      row(g.get(kcMask.label), `kubectl exec ... curl -s 'localhost:15000/${maskPath}'`, {
        ratio: `${x(r(kcMask))} kubectl`,
        verdict: 'info',
        note: `the answer meshctl asks for (${fmtBytes(g.get(kcMask.label)!.stdoutBytes ?? 0)}), fetched by kubectl: the transport and server share of meshctl's run; ${cpuNote(g.get(kcMask.label)!)}`,
      }),
      row(g.get(file.label), 'meshctl pc clusters -f <that answer, saved>', {
        ratio: `${x(r(file))} kubectl`,
        verdict: 'info',
        note: `meshctl's own share: start-up, decoding and printing without the cluster; ${cpuNote(g.get(file.label)!)}`,
      }),
    ]
    res = section(
      'live',
      '4. Live',
      '`meshctl pc clusters <pod>` on a 10k-service proxy in the sandbox ≤ 1.2× `kubectl exec <pod> -c istio-proxy -- curl -s localhost:15000/config_dump` into /dev/null.',
      [
        `The sandbox cluster (\`src/sandbox\`, in the benchmark's own process) serves the generator's 10k-service mesh (${spec.pods!.length} pods); ` +
          `the pod is \`${proxy.pod}.${proxy.namespace}\`, the same sidecar as the 10k dump. Both commands go through the sandbox's API server ` +
          "(HTTPS, real exec / port-forward protocols) to the pod's Envoy admin emulation; `kubectl` is `/usr/bin/kubectl`. " +
          `${RUNS} runs after a warm-up, interleaved. Notes give each command's own CPU time (GNU time's user + system) and the sandbox's CPU time during ` +
          "its runs (this process's user + system time): on a 2-core machine the server and the client compete for the CPUs. The two last rows split " +
          "meshctl's run: kubectl fetching exactly what meshctl asks for (`" +
          maskPath +
          '`), and meshctl decoding and printing that answer from a file.',
        `The pod's Envoy admin emulation alone (its handler behind a plain local HTTP server, fetched by \`curl\`, median of 3): ${serverSide
          .map((q) => `\`${q.path}\` ${fmtMs(q.ms)} for ${fmtBytes(q.bytes)}`)
          .join('; ')}.`,
      ],
      rows,
      m,
    )
    if (rows[1]!.verdict === 'FAIL') {
      const p = await profile(pf)
      if (p) res.profiles = [p]
      const mods = await moduleNote(pf)
      if (mods) res.notes.push(mods)
    }
  } finally {
    await sb.close()
  }
  return res
}

// -----------------------------------------------------------------------------------------------------------------
// 5. proxy-status

const PS_SERVICES = 3100

async function ps(m: Machine): Promise<SectionResult> {
  log('\n[5] proxy-status')
  const title = '5. Proxy status'
  const target =
    "`meshctl ps` over 5,000 proxies from 3 istiod replicas: ≤ 1.5× the time of fetching one replica's syncz alone (issue 5). The floors (issue 15): " +
    '`ps --file` on the three saved answers ≤ 1.5× `bench/ps-baseline.mjs` on the same file; live `ps` ≤ 1.2× fetching the three replicas at once with kubectl.'
  const notMeasured = (why: string): SectionResult => {
    log(`  ${why}`)
    return section('ps', title, target, ['Needs `meshctl ps` to reach istiod in a cluster; checked with `meshctl ps --help` at the time of the run.'], [{measurement: 'meshctl ps (5,000 proxies, 3 istiod replicas)', target: '≤ 1.5× one syncz fetch', verdict: 'not measured', note: why}], m)
  }
  const help = (await runOnce(meshctl('ps --help', ['ps', '--help']), {wrap: false, countStdout: true, capture: true})).stdout ?? ''
  if (!/--kubeconfig/.test(help)) return notMeasured('not measured: live proxy-status not available yet (`meshctl ps --help` has no --kubeconfig: it reads only --file in this build)')
  const mesh = syntheticMesh({services: PS_SERVICES})
  const proxyCount = proxies(mesh).length
  // three replicas of the default revision, the proxies spread over them (src/sandbox/istiod.ts, `full` layout)
  const spec = meshSandboxSpec(mesh, {istiod: {mode: 'full', replicas: 3, canary: false}})
  const istiods = spec.pods!.filter((p) => p.namespace === 'istio-system' && p.labels?.app === 'istiod')
  if (istiods.length !== 3) return notMeasured(`not measured: the sandbox gave ${istiods.length} istiod pods instead of 3 (meshSandboxSpec's istiod option)`)
  // `kubectl exec ... curl` needs a curl in istiod's container (the project's own hint to save syncz uses it)
  for (const p of istiods) p.containers[0]!.tools = [...(p.containers[0]!.tools ?? []), 'curl']
  // the three replicas' answers, saved for `ps --file` (decoding and printing alone)
  const synczFile = path.join(TMP, 'syncz-3-replicas.json')
  const saved: Record<string, unknown> = {}
  const sizes: number[] = []
  const serverMs: number[] = []
  for (const p of istiods) {
    const h = httpListener(p.ports?.[15014])
    if (!h) return notMeasured('not measured: the sandbox istiod has no HTTP handler on 15014')
    const [a] = await timeHandler(h, ['/debug/syncz'])
    saved[p.name] = JSON.parse(a!.body.toString('utf8'))
    sizes.push(a!.bytes)
    serverMs.push(a!.ms)
  }
  writeFileSync(synczFile, JSON.stringify(saved))
  const kubeconfig = path.join(TMP, 'ps.kubeconfig')
  const sb = await startSandbox(spec, {kubeconfigPath: kubeconfig})
  const env = {...process.env, KUBECONFIG: kubeconfig}
  let res: SectionResult
  try {
    const probe = cpuProbe()
    const one = istiods[0]!
    const kc: Cmd = {label: 'kubectl syncz', argv: [KUBECTL, 'exec', '-n', 'istio-system', one.name, '-c', one.containers[0]!.name, '--', 'curl', '-s', 'localhost:15014/debug/syncz'], env, probe}
    // what this environment takes to hand out all three answers: three of those kubectl fetches at once (each
    // replica asked by its own Go process, nothing decoded); the floor any client of the three replicas meets here
    const fetchOf = (p: SandboxPod): string =>
      [KUBECTL, 'exec', '-n', 'istio-system', p.name, '-c', p.containers[0]!.name, '--', 'curl', '-s', 'localhost:15014/debug/syncz'].join(' ')
    const kc3: Cmd = {
      label: 'kubectl syncz x3',
      argv: ['/bin/sh', '-c', `${istiods.map((p, i) => `${fetchOf(p)} & p${i}=$!`).join('; ')}; ${istiods.map((_, i) => `wait $p${i}`).join(' && ')}`],
      env,
      probe,
    }
    // the same fetch as the least a Node program does it (https, ws port-forwards, JSON.parse, one line per proxy):
    // how far a Node CLI can get towards kubectl's floor here, whatever it does on top
    const nodeFloor: Cmd = {label: 'ps-live-baseline', argv: [NODE, PS_LIVE_BASELINE], env, probe}
    const live = meshctl('ps live', ['ps'], {env, probe})
    const file = meshctl('ps file', ['ps', '--file', synczFile])
    // the decoding floor: JSON.parse of the same file and one line per proxy
    const floor: Cmd = {label: 'ps-baseline', argv: [NODE, PS_BASELINE, synczFile]}
    const exe = await ensureBinary()
    const binFile: Cmd | undefined = exe ? {label: 'binary ps file', argv: [exe, 'ps', '--file', synczFile], cwd: ROOT} : undefined
    const binLive: Cmd | undefined = exe ? {label: 'binary ps live', argv: [exe, 'ps'], cwd: ROOT, env, probe} : undefined
    const g = await measureGroup([kc, kc3, nodeFloor, live, file, floor, ...(binFile ? [binFile] : []), ...(binLive ? [binLive] : [])], {runs: RUNS, log, timeoutMs: 5 * 60_000})
    const b = g.get(kc.label)!
    const b3 = g.get(kc3.label)!
    const nf = g.get(nodeFloor.label)!
    const l = g.get(live.label)!
    const f = g.get(file.label)!
    const fl = g.get(floor.label)!
    const r = l.median / b.median
    const r3 = l.median / b3.median
    const rf = f.median / fl.median
    const rows: Row[] = [
      row(b, `kubectl exec ${one.name} -- curl -s localhost:15014/debug/syncz (one replica)`, {verdict: 'baseline', note: `${fmtBytes(b.stdoutBytes ?? 0)} received; ${cpuNote(b)}`}),
      row(b3, 'the same kubectl fetch from each of the 3 replicas at once (sh: three in the background, then wait)', {
        ratio: `${x(b3.median / b.median)} kubectl`,
        verdict: 'info',
        note: `${fmtBytes(b3.stdoutBytes ?? 0)} received, nothing decoded: what serving all three answers takes here; ${cpuNote(b3)}`,
      }),
      row(l, `meshctl ps (${proxyCount} proxies, 3 istiod replicas)`, {
        ratio: `${x(r)} kubectl, ${x(l.median / b3.median)} kubectl x3`,
        target: '≤ 1.5×',
        verdict: ratioVerdict(r, 1.5),
        note: `${l.stdoutLines} lines; ${cpuNote(l)}`,
      }),
      row(l, 'meshctl ps, against the transport floor (the kubectl x3 row)', {
        ratio: `${x(r3)} kubectl x3, ${x(l.median / nf.median)} ps-live-baseline`,
        target: '≤ 1.2×',
        verdict: ratioVerdict(r3, 1.2, l.ok && b3.ok),
      }),
      row(nf, 'ps-live-baseline.mjs (the same fetch by a bare Node script: https, ws port-forwards, JSON.parse, one line per proxy)', {
        ratio: `${x(nf.median / b3.median)} kubectl x3`,
        verdict: 'info',
        note: `${nf.stdoutLines} lines; the transport floor of a Node.js program; ${cpuNote(nf)}`,
      }),
      row(fl, `ps-baseline.mjs <the 3 replicas' syncz, saved> (JSON.parse + one line per proxy)`, {verdict: 'baseline', note: `${fl.stdoutLines} lines; ${cpuNote(fl)}`}),
      row(f, 'meshctl ps --file <the 3 replicas\' syncz, saved>', {
        ratio: `${x(rf)} ps-baseline, ${x(f.median / b.median)} kubectl`,
        target: '≤ 1.5×',
        verdict: ratioVerdict(rf, 1.5),
        note: `no cluster access: decoding and printing only; ${cpuNote(f)}`,
      }),
    ]
    if (binFile) {
      const bf = g.get(binFile.label)!
      rows.push(row(bf, `meshctl-${process.platform}-${process.arch} ps --file <the same> (single executable)`, {ratio: `${x(bf.median / fl.median)} ps-baseline`, verdict: 'info', note: cpuNote(bf)}))
    }
    if (binLive) {
      const bl = g.get(binLive.label)!
      rows.push(row(bl, `meshctl-${process.platform}-${process.arch} ps (single executable, the same cluster)`, {ratio: `${x(bl.median / b3.median)} kubectl x3`, verdict: 'info', note: `${bl.stdoutLines} lines; ${cpuNote(bl)}`}))
    }
    res = section(
      'ps',
      title,
      target,
      [
        `A sandbox with the generator's ${PS_SERVICES}-service mesh (${proxyCount} proxies) and istiod in its \`full\` layout with 3 replicas of the default revision ` +
          '(`src/sandbox/istiod.ts`: proxies spread over the replicas, in every sync state, one disconnected). The baseline fetches one replica\'s ' +
          '`/debug/syncz` the way the project\'s own hint saves it, `kubectl exec -n istio-system <istiod> -- curl -s localhost:15014/debug/syncz` (the ' +
          `sandbox's istiod container gets a \`curl\` for it). ${RUNS} runs after a warm-up, interleaved; \`ps --file\` on the three answers saved shows the ` +
          'share of decoding and printing, against `bench/ps-baseline.mjs` on the same file (JSON.parse, the five states from the nonces, one line per ' +
          'proxy: the decoding floor), `bench/ps-live-baseline.mjs` does the live fetch as the least a Node program can (its kubeconfig read with js-yaml, ' +
          'the pod list over node:https, the three port-forward WebSockets with ws, JSON.parse, one line per proxy: the transport floor of a Node.js ' +
          'program), and the single executable runs both the live and the saved case.',
        `Each replica's syncz is ${sizes.map(fmtBytes).join(', ')}; the sandbox's istiod handler alone takes ${serverMs.map(fmtMs).join(', ')} to answer it.`,
      ],
      rows,
      m,
    )
    // a missed target gets a CPU profile of the command that missed it
    const missed = [rows[2]!.verdict === 'FAIL' || rows[3]!.verdict === 'FAIL' ? live : undefined, rows[6]!.verdict === 'FAIL' ? file : undefined].filter((c): c is Cmd => !!c)
    if (missed.length) {
      res.profiles = []
      for (const c of missed) {
        const p = await profile(c)
        if (p) res.profiles.push(p)
      }
      for (const c of missed) {
        const mods = await moduleNote(c)
        if (mods) res.notes.push(mods)
      }
    }
  } finally {
    await sb.close()
  }
  return res
}

// -----------------------------------------------------------------------------------------------------------------
// 6. fan-out

const FANOUT_LABEL = 'bench.meshctl.io/fanout'

async function fanout(m: Machine): Promise<SectionResult> {
  log('\n[6] -l fan-out over 50 pods (sandbox)')
  const mesh = syntheticMesh({services: 60, namespaces: 1})
  const spec = meshSandboxSpec(mesh)
  // 50 sidecars of the application namespace get a label of their own
  const counts = new Map<string, number>()
  for (const p of spec.pods!) if (p.containers.some((c) => c.name === 'istio-proxy') && p.ports?.[15000]) counts.set(p.namespace, (counts.get(p.namespace) ?? 0) + 1)
  const ns = [...counts].sort((a, b) => b[1] - a[1])[0]![0]
  const chosen = spec.pods!.filter((p) => p.namespace === ns && p.ports?.[15000] && p.ready !== false).slice(0, 50)
  if (chosen.length < 50) throw new Error(`fan-out: only ${chosen.length} ready sidecars in ${ns}`)
  // count the admin requests in flight at the pods, optionally after a fixed latency
  let inflight = 0
  let maxInflight = 0
  let delayMs = 0
  for (const p of chosen as SandboxPod[]) {
    p.labels = {...p.labels, [FANOUT_LABEL]: 'true'}
    const orig = p.ports![15000] as RequestListener
    p.ports![15000] = (req, res) => {
      inflight++
      maxInflight = Math.max(maxInflight, inflight)
      let done = false
      const finish = (): void => {
        if (!done) {
          done = true
          inflight--
        }
      }
      res.on('finish', finish)
      res.on('close', finish)
      if (delayMs > 0) setTimeout(() => orig(req, res), delayMs)
      else orig(req, res)
    }
  }
  const probe: NonNullable<Cmd['probe']> = {
    reset: () => {
      inflight = 0
      maxInflight = 0
    },
    read: () => maxInflight,
  }
  mkdirSync(TMP, {recursive: true})
  const kubeconfig = path.join(TMP, 'fanout.kubeconfig')
  const sb = await startSandbox(spec, {kubeconfigPath: kubeconfig})
  const env = {...process.env, KUBECONFIG: kubeconfig}
  const rows: Row[] = []
  const checks: string[] = []
  try {
    for (const delay of [0, 50]) {
      delayMs = delay
      const tag = delay ? ` +${delay} ms/pod` : ''
      const mk = (c: number | undefined): Cmd =>
        meshctl(`fanout c=${c ?? 'default'}${tag}`, ['pc', 'clusters', '-l', `${FANOUT_LABEL}=true`, '-n', ns, ...(c ? ['--max-concurrency', String(c)] : [])], {env, probe})
      const cmds = [mk(1), mk(8), mk(50), mk(undefined)]
      log(`  admin latency added per pod: ${delay} ms`)
      const g = await measureGroup(cmds, {runs: RUNS, log, timeoutMs: 5 * 60_000})
      const t1 = g.get(cmds[0]!.label)!
      for (const [i, c] of [1, 8, 50, undefined].entries()) {
        const st = g.get(cmds[i]!.label)!
        const peak = Math.max(...(st.probes ?? [0]))
        const low = Math.min(...(st.probes ?? [0]))
        const limit = c ?? 8
        const speed = t1.median / st.median
        // bounded: never more than the limit in flight; parallel: more than one when the limit allows it
        const bounded = peak <= limit
        const parallel = limit === 1 ? peak === 1 : low > 1
        const verdict: Verdict = delay === 0 ? 'info' : st.ok && bounded && parallel && (limit === 1 || speed > 1.5) ? 'PASS' : 'FAIL'
        rows.push(
          row(st, `pc clusters -l (50 pods) ${c ? `--max-concurrency ${c}` : '(default)'}${tag}`, {
            ratio: i === 0 ? 'reference' : `${x(speed)} faster than c=1`,
            target: delay === 0 ? undefined : `in flight ≤ ${limit}${limit > 1 ? ', > 1' : ''}`,
            verdict,
            note: `admin requests in flight at once: ${low === peak ? peak : `${low}–${peak}`} over the runs; ${st.stdoutLines} lines`,
          }),
        )
        if (delay && !(bounded && parallel)) checks.push(`${c ?? 'default'}: in flight ${low}–${peak}`)
      }
    }
  } finally {
    await sb.close()
  }
  const res = section(
    'fanout',
    '6. Fan-out',
    '`-l` fan-out over 50 pods runs in parallel with bounded concurrency (`--max-concurrency`, default 8).',
    [
      `A sandbox with the generator's 60-service mesh in one namespace (\`${ns}\`); 50 of its sidecar pods carry the label \`${FANOUT_LABEL}=true\` and ` +
        '`meshctl pc clusters -l` selects them. Each of those pods\' admin port counts the requests in flight (arrived, response not finished) and ' +
        'the highest count of each run is kept. Two settings: the sandbox as it is (its emulation answers each request synchronously on the ' +
        'sandbox\'s one thread, so no two requests are ever in flight at a pod and only the client\'s own work can overlap: rows not judged), and with ' +
        '50 ms added before each admin answer, standing for a real Envoy\'s time to produce a dump and the network: ' +
        'judged on the in-flight count (bounded by the limit, and more than one when the limit allows) and on the speed-up over `--max-concurrency 1` (> 1.5×). ' +
        `${RUNS} runs after a warm-up.`,
    ],
    rows,
    m,
  )
  if (checks.length) res.notes.push(`concurrency not as expected: ${checks.join('; ')}`)
  return res
}

// -----------------------------------------------------------------------------------------------------------------

const HOW = [
  'Each figure is the wall time of a whole process (spawn to exit, `performance.now()` in the benchmark, children spawned asynchronously), ' +
    'after a warm-up run: median of N runs with min–max. Commands compared with each other run interleaved (round-robin, order reversed every other round).',
  `Peak memory is GNU time's maximum resident set size (\`${TIME_BIN} -f '%e %M %U %S' -o <file>\`, the child's \`ru_maxrss\`; its user + system CPU time is kept too), the highest over the runs; ` +
    'start-up runs are timed without the wrapper and take it from the warm-up run.',
  'Standard output goes to /dev/null in timed runs; the warm-up run counts its lines instead (shown where it matters).',
  'Nothing else on the machine is stopped for the benchmark: each section records the 1-minute load average before and after it, and the min–max ' +
    'ranges show the noise.',
  `Children run on the Node.js the project pins (\`${rel(NODE).startsWith('..') ? NODE : rel(NODE)}\`), meshctl as \`node bin/run.js\` (what the \`meshctl\` bin runs).`,
  'Where a target is missed, `bench/phases.ts` times the phases inside one process (read, scan, decode, build, render, write) and one run under ' +
    '`node --cpu-prof` is summarised by origin and by function.',
]

// -----------------------------------------------------------------------------------------------------------------
// 7. trace

async function traceSection(d: Record<string, Dump>, m: Machine): Promise<SectionResult> {
  log('\n[7] trace')
  const eds = d.d10k!
  // a request the 10k mesh's first sidecar walks end to end: VIP listener, RDS, route, EDS cluster, its endpoints
  const url = 'http://billing-api-5113.identity-2:8080/'
  const b: Cmd = {label: 'baseline eds', argv: [NODE, BASELINE, eds.path]}
  const t = meshctl('trace -f', ['trace', '-f', eds.path, url])
  const g = await measureGroup([b, t], {runs: RUNS, log})
  const rt = g.get(t.label)!.median / g.get(b.label)!.median
  const rows: Row[] = [
    row(g.get(b.label), `baseline.mjs ${fileLabel(eds)}`, {verdict: 'baseline'}),
    row(g.get(t.label), `meshctl trace -f ${path.basename(eds.path)} ${url}`, {ratio: `${x(rt)} baseline`, target: '≤ 1.0×', verdict: ratioVerdict(rt, 1.0)}),
  ]
  // live: trace and pc routes of the same pod of the bookinfo sandbox, over the default port-forward
  const kubeconfig = path.join(TMP, 'trace.kubeconfig')
  mkdirSync(TMP, {recursive: true})
  const sb = await startSandbox(bookinfoSandboxSpec(), {kubeconfigPath: kubeconfig})
  try {
    const env = {...process.env, KUBECONFIG: kubeconfig}
    const routes = meshctl('live pc routes', ['pc', 'routes', 'deploy/productpage-v1'], {env})
    const tr = meshctl('live trace', ['trace', 'deploy/productpage-v1', 'http://reviews:9080/reviews/0'], {env})
    const gl = await measureGroup([routes, tr], {runs: RUNS, log})
    const rl = gl.get(tr.label)!.median / gl.get(routes.label)!.median
    rows.push(
      row(gl.get(routes.label), 'meshctl pc routes deploy/productpage-v1 (sandbox Bookinfo)', {verdict: 'baseline'}),
      row(gl.get(tr.label), 'meshctl trace deploy/productpage-v1 http://reviews:9080/reviews/0', {ratio: `${x(rl)} pc routes`, target: '≤ 1.2×', verdict: ratioVerdict(rl, 1.2)}),
    )
  } finally {
    await sb.close()
  }
  return section('trace', '7. Trace', '`trace -f` on the 10k-service dump ≤ 1.0× the bare `JSON.parse` baseline on the same file; live `trace` ≤ 1.2× live `pc routes` of the same pod.', [
    `\`bench/baseline.mjs\` reads and \`JSON.parse\`s the whole file; trace reads the listeners, indexes route configurations, clusters and EDS assignments by name (their bytes skipped unparsed), then decodes the few the walk takes. ${RUNS} runs after a warm-up, interleaved.`,
    'Live: the sandbox serves Bookinfo; trace asks the pod for `config_dump?include_eds=true` and `clusters?format=json` (the walk needs endpoints and their health), pc routes for the routes section only.',
  ], rows, m)
}

// -----------------------------------------------------------------------------------------------------------------
// 8. check

const FETCH_ALL = path.join(ROOT, 'bench/fetch-all.mjs')
/** the label section 8 puts on ~100 sidecars of the 300-service sandbox, for `check -n <ns> -l` */
const CHECK_SAMPLE_LABEL = 'bench.meshctl.io/check-sample'
const CHECK_SAMPLE = 100
/** flat memory: peak RSS at ~500 proxies at most this many times the peak at ~100, with the same dumps */
const FLAT_RSS = 1.1

/** `bench/fetch-all.mjs`'s summary line (stderr): proxies and bytes fetched. */
function fetchedBytes(s: Stats | undefined): {proxies: number; bytes: number} | undefined {
  const m = /^(\d+) proxies, (\d+) bytes, (\d+) failed$/.exec(lastLine(s?.stderr ?? ''))
  return m ? {proxies: Number(m[1]), bytes: Number(m[2])} : undefined
}

const perProxy = (f: {proxies: number; bytes: number} | undefined): string => (f && f.proxies > 0 ? `${fmtBytes(f.bytes / f.proxies)} fetched per proxy` : 'bytes per proxy ?')
const rssOf = (s: Stats | undefined): string => (s?.rssKB !== undefined ? fmtBytes(s.rssKB * 1024) : '?')

/**
 * check (issue 12): `check -f` on the 10k-service dump (with EDS) within 1.5× the bare JSON.parse baseline, and
 * `check -A` over a synthetic sandbox mesh within 1.3× fetching the same dumps (config_dump?include_eds and
 * /clusters of every proxy) with the same transport and concurrency. Peak RSS flat in the number of proxies is
 * judged with the number of proxies as the only variable: in the same 300-service sandbox (the same dumps),
 * `check -A` over its ~500 proxies against `check -n <ns> -l` over ~100 of them. The 56-service mesh's `check -A`
 * is kept beside them: its smaller dumps show what peak RSS does depend on.
 */
async function checkSection(d: Record<string, Dump>, m: Machine): Promise<SectionResult> {
  log('\n[8] check')
  const eds = d.d10k!
  const rows: Row[] = []
  const notes: string[] = []
  const base: Cmd = {label: 'baseline eds (check)', argv: [NODE, BASELINE, eds.path]}
  // exit 10 is check finding errors (the synthetic mesh has not-Ready pods): a successful run
  const ck = meshctl('check -f 10k', ['check', '-f', eds.path], {okCodes: [0, 10]})
  const g = await measureGroup([base, ck], {runs: RUNS, log})
  const bm = g.get(base.label)!
  const cm = g.get(ck.label)!
  const r = cm.median / bm.median
  rows.push(row(bm, `baseline.mjs ${fileLabel(eds)}`, {verdict: 'baseline'}))
  rows.push(row(cm, `meshctl check -f ${path.basename(eds.path)}`, {ratio: `${x(r)} baseline`, target: '≤ 1.5×', verdict: ratioVerdict(r, 1.5)}))
  let sampleNs = ''
  for (const services of [56, 300]) {
    const mesh = syntheticMesh({services})
    const spec = meshSandboxSpec(mesh, {extras: false})
    const sidecars = spec.pods!.filter((p) => p.containers.some((c) => c.name === 'istio-proxy'))
    const n = sidecars.filter((p) => p.ports?.[15000]).length
    const big = services >= 300
    let sample: SandboxPod[] = []
    if (big) {
      // ~100 sidecars of the namespace with the most, evenly spread over its pods in name order (the same mix of
      // workloads and not-Ready pods as the mesh). The label is only metadata of the pod object: the proxies'
      // admin answers come from the mesh model and are the same bytes with or without it.
      const counts = new Map<string, number>()
      for (const p of sidecars) counts.set(p.namespace, (counts.get(p.namespace) ?? 0) + 1)
      sampleNs = [...counts].sort((a, b) => b[1] - a[1])[0]![0]
      const inNs = sidecars.filter((p) => p.namespace === sampleNs).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      const k = Math.min(CHECK_SAMPLE, inNs.length)
      sample = Array.from({length: k}, (_, i) => inNs[Math.floor((i * inNs.length) / k)]!)
      for (const p of sample) p.labels = {...p.labels, [CHECK_SAMPLE_LABEL]: 'true'}
    }
    mkdirSync(TMP, {recursive: true})
    const kubeconfig = path.join(TMP, `check-${services}.kubeconfig`)
    const sb = await startSandbox(spec, {kubeconfigPath: kubeconfig})
    const env = {...process.env, KUBECONFIG: kubeconfig}
    try {
      const fetch: Cmd = {label: `fetch-all ${n}`, argv: [NODE, FETCH_ALL, '8'], env}
      const all = meshctl(`check -A ${n}`, ['check', '-A', '-o', 'json', '--query', 'length(@)'], {env, okCodes: [0, 10]})
      const sel = `${CHECK_SAMPLE_LABEL}=true`
      const fetchSample: Cmd = {label: `fetch-sample ${sample.length}`, argv: [NODE, FETCH_ALL, '8', sampleNs, sel], env}
      const some = meshctl(`check -l ${sample.length}`, ['check', '-n', sampleNs, '-l', sel, '-o', 'json', '--query', 'length(@)'], {env, okCodes: [0, 10]})
      const gl = await measureGroup(big ? [fetch, all, fetchSample, some] : [fetch, all], {runs: RUNS, log, timeoutMs: 10 * 60_000})
      const fm = gl.get(fetch.label)!
      const am = gl.get(all.label)!
      const rl = am.median / fm.median
      const dumps = big ? `${services}-service mesh, the same dumps` : `${services}-service mesh, ~4× smaller dumps`
      rows.push(row(fm, `bench/fetch-all.mjs over all ${n} proxies, ${dumps} (config_dump?include_eds + /clusters, port-forward, 8 at a time)`, {verdict: 'baseline', note: perProxy(fetchedBytes(fm))}))
      rows.push(
        row(am, `meshctl check -A over all ${n} proxies, ${dumps} (--max-concurrency 8)`, {
          ratio: `${x(rl)} fetch`,
          target: big ? '≤ 1.3×' : undefined,
          verdict: big ? ratioVerdict(rl, 1.3) : 'info',
          note: `peak RSS ${rssOf(am)} (fetch alone ${rssOf(fm)})`,
        }),
      )
      if (big) {
        const fs = gl.get(fetchSample.label)!
        const sm = gl.get(some.label)!
        const rs = sm.median / fs.median
        rows.push(row(fs, `bench/fetch-all.mjs over ${sample.length} of the same proxies (-n ${sampleNs} -l ${sel})`, {verdict: 'baseline', note: perProxy(fetchedBytes(fs))}))
        rows.push(row(sm, `meshctl check -n ${sampleNs} -l ${sel}: ${sample.length} of the same proxies, the same dumps`, {ratio: `${x(rs)} fetch`, verdict: 'info', note: `peak RSS ${rssOf(sm)} (fetch alone ${rssOf(fs)})`}))
        // the judged pair: the same mesh, the same dumps, only the number of proxies changes
        const flat = am.rssKB !== undefined && sm.rssKB !== undefined ? am.rssKB / sm.rssKB : Number.NaN
        rows.push({
          measurement: `peak RSS of check over ${n} proxies / over ${sample.length} proxies (${services}-service mesh: only the number of proxies changes)`,
          ratio: Number.isFinite(flat) ? `${x(flat)} (${rssOf(am)} / ${rssOf(sm)})` : '?',
          target: `≤ ${FLAT_RSS}×`,
          verdict: ratioVerdict(flat, FLAT_RSS, am.ok && sm.ok),
          // context, not judged: the same ratio for fetching alone (no decoding, nothing kept)
          note: fm.rssKB !== undefined && fs.rssKB !== undefined ? `fetch alone: ${x(fm.rssKB / fs.rssKB)} (${rssOf(fm)} / ${rssOf(fs)})` : undefined,
        })
        const small = rows.find((w) => w.measurement.startsWith('meshctl check -A') && w.measurement.includes('56-service'))
        if (small?.rssKB !== undefined && am.rssKB !== undefined) notes.push(`peak RSS with the dump size as the variable (56- vs 300-service mesh, all proxies): ${fmtBytes(small.rssKB * 1024)} vs ${rssOf(am)}`)
      }
    } finally {
      await sb.close()
    }
  }
  const res = section(
    'check',
    '8. Check',
    '`check -f` on the 10k-service dump ≤ 1.5× the bare JSON.parse baseline; `check -A` over ≥ 500 sandbox proxies ≤ 1.3× fetching the same dumps with the same concurrency; peak RSS flat in the number of proxies.',
    [
      'The baseline for `-f` is `bench/baseline.mjs` on the same file. For `-A`, `bench/fetch-all.mjs` asks every proxy of the sandbox for what check asks ' +
        '(`config_dump?include_eds=true` and `clusters?format=json`, both at once over one port-forward per proxy, as check asks them), 8 proxies at a time, and discards it; check also decodes, checks and prints. ' +
        'The sandbox runs without istiod (`extras: false`), so check skips the sync view and says so.',
      'Peak memory against the number of proxies: a proxy\'s dump grows with the mesh (every sidecar sees every service), so two meshes of different sizes change ' +
        'the dump size as well as the number of proxies. The judged pair therefore runs in one sandbox, the 300-service mesh: `check -A` over all its proxies, and ' +
        `\`check -n <ns> -l ${CHECK_SAMPLE_LABEL}=true\` over ${CHECK_SAMPLE} of them, which the benchmark labels evenly across the namespace with the most sidecars ` +
        '(the label is pod metadata only: the admin answers, hence the dumps, are the same bytes; the fetch rows give the bytes per proxy of both). -l and -A run the same ' +
        'fan-out (`forEachProxyAnswers`, 8 in flight); only the pod list differs. Each figure is the highest peak RSS (GNU time) over the runs. ' +
        `Flat means the ~500-proxy peak is at most ${FLAT_RSS}× the ~100-proxy one: with a fixed number of proxies in flight, what legitimately grows with ` +
        'the proxies is the pod list and the findings kept for the report (a few MB for 400 more proxies), and the peak of one run depends on when the ' +
        'collector runs relative to the 8 dumps in flight, which moves it by several percent between runs of the same command; a fan-out that kept ' +
        'anything per proxy\'s dump (~4 MB each) would be far above 1.1× at 5× the proxies. The 56-service mesh\'s `check -A` (4× smaller dumps) ' +
        'is kept for the other variable, the dump size.',
    ],
    rows,
    m,
  )
  res.notes.push(...notes)
  return res
}

async function main(): Promise<void> {
  setTmpDir(TMP)
  if (!existsSync(TIME_BIN)) throw new Error(`${TIME_BIN} not found: apt-get install -y time`)
  if (!existsSync(PHASES)) throw new Error(`${rel(PHASES)} missing: build first (npm run build)`)
  const m = machine()
  // the cache is git-ignored; keep biome (whose includes take bench/**) out of it too
  mkdirSync(OUT, {recursive: true})
  if (!existsSync(path.join(OUT, 'biome.json'))) writeFileSync(path.join(OUT, 'biome.json'), '{"root": false, "files": {"includes": ["!**"]}}\n')
  log(`meshctl benchmarks (${mode}) on ${m.cpus} × ${m.cpuModel}, ${m.memory}, Node ${m.node}`)
  const t0 = Date.now()
  const d = await dumpsFor(selected)
  const done: SectionResult[] = []
  const prev: Partial<Record<SectionId, SectionResult>> = existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, 'utf8')) : {}
  const load = (): number => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0])
  for (const id of selected) {
    let r: SectionResult
    const before = load()
    if (id === 'startup') r = await startup(d, m)
    else if (id === 'decode') r = await decode(d, m)
    else if (id === 'scale') r = await scale(d, m, done.find((s) => s.id === 'decode') ?? prev.decode)
    else if (id === 'live') r = await live(m)
    else if (id === 'ps') r = await ps(m)
    else if (id === 'trace') r = await traceSection(d, m)
    else if (id === 'check') r = await checkSection(d, m)
    else r = await fanout(m)
    r.load = {before, after: load()}
    done.push(r)
  }
  // sections not run now are kept from the last run that had them
  const merged: SectionResult[] = []
  for (const id of ALL_SECTIONS) {
    const s = done.find((r) => r.id === id) ?? prev[id]
    if (!s) continue
    if (!done.includes(s)) s.mode = `earlier run, ${s.machine.date}`
    merged.push(s)
  }
  const store: Partial<Record<SectionId, SectionResult>> = {}
  for (const s of merged) store[s.id] = s
  mkdirSync(OUT, {recursive: true})
  writeFileSync(RESULTS, `${JSON.stringify(store, null, 2)}\n`)
  writeFileSync(BENCHMARKS, markdown(merged, HOW, m, keptAnalysis(BENCHMARKS)))
  process.stdout.write(`${consoleReport(merged)}\n\n`)
  process.stdout.write(`Summary: ${merged.map((s) => `${s.title} ${s.verdict === 'not measured' ? 'not measured' : s.verdict}`).join(' | ')}\n`)
  process.stdout.write(`Wrote ${rel(BENCHMARKS)} and ${rel(RESULTS)} in ${((Date.now() - t0) / 1000).toFixed(0)} s.\n`)
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  process.exit(1)
})
