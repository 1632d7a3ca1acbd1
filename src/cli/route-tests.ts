/**
 * The command edge of `meshctl trace --tests tests.yaml -f routes.yaml [--route-name N] [--details]`: reads both
 * files, runs the router_check_tool-style tests (src/trace/route-tests.ts) and prints one line per failing test
 * (every test with --details) and a closing `N passed, M failed`. Returns the exit code: 0 when all pass,
 * ExitCode.CONDITION (10) when any fails; unreadable or malformed files are InputErrors (3).
 */
import {ExitCode, isMeshctlError, UsageError} from '../errors/index.js'
import type {Styler} from '../output/tabwriter.js'
import {parseAdminReader} from '../envoy/document.js'
import type {JsonObject} from '../envoy/fields.js'
import {readInput} from '../sources/file.js'
import type {Fetched} from '../sources/types.js'
import {
  parseRouteTests,
  parseStructured,
  type RouteTestResult,
  type RouteTestsReport,
  runRouteTestsOn,
  selectRouteConfig,
  selectRouteConfigInDump,
} from '../trace/route-tests.js'
import {stdoutStyler, writeStdout} from './print.js'

export interface RouteTestsOptions {
  /** the tests file (router_check_tool schema), JSON or YAML; `-` = standard input */
  tests: string
  /** a bare RouteConfiguration or a config_dump, JSON or YAML */
  routes: string
  /** the route configuration to test inside a config_dump */
  routeName?: string
  /** print every test, passing ones too, with what the engine assumed */
  details: boolean
  /** --color / --no-color; undefined = decide from the terminal */
  color?: boolean
}

function q(s: string): string {
  return JSON.stringify(s)
}

function failureText(r: RouteTestResult): string {
  return r.checks
    .filter((c) => !c.passed)
    // header matchers are shown as described (`x-user exact "bob"`), values quoted
    .map((c) => (c.field.includes('header_matches') ? `${c.field} expected ${c.expected}, actual ${c.actual}` : `${c.field} expected ${q(c.expected)}, actual ${q(c.actual)}`))
    .join('; ')
}

/** The report as text lines (no trailing newline on the last). */
export function formatRouteTestsReport(report: RouteTestsReport, opts: {details: boolean; styler?: Styler}): string {
  const st = opts.styler ?? ((s: string) => s)
  const lines: string[] = []
  for (const r of report.results) {
    if (!r.passed) lines.push(`${st('FAIL', 'bad')} ${r.name}: ${failureText(r)}`)
    else if (opts.details) lines.push(`${st('PASS', 'good')} ${r.name}`)
    if (opts.details) {
      for (const c of r.checks) if (c.passed) lines.push(st(`  ${c.field}: ${c.field.includes('header_matches') ? c.actual : q(c.actual)}`, 'dim'))
      for (const a of r.assumptions) lines.push(st(`  assumed: ${a}`, 'dim'))
    }
  }
  const summary = `${report.passed} passed, ${report.failed} failed`
  lines.push(report.failed > 0 ? st(summary, 'bad') : summary)
  return lines.join('\n')
}

/**
 * The route config to test. A large config_dump is read through its ByteReader, so only its RoutesConfigDump is
 * decoded (src/envoy/document.ts); anything else (a bare RouteConfiguration, YAML) is parsed whole.
 */
function loadRouteConfig(input: Fetched, name: string | undefined): JsonObject {
  if (input.reader) {
    try {
      return selectRouteConfigInDump(parseAdminReader(input.reader, input.source), name, input.source)
    } catch (err) {
      // not a config_dump: a bare RouteConfiguration (or YAML) is parsed below
      if (!(isMeshctlError(err) && (err.code === 'E_NOT_DUMP' || err.code === 'E_WRONG_DOCUMENT'))) throw err
    }
  }
  return selectRouteConfig(parseStructured(input.bytes, input.source), name, input.source)
}

/** Runs the tests and prints the report to stdout; returns the exit code. */
export async function runRouteTests(opts: RouteTestsOptions): Promise<number> {
  if (opts.tests === '-' && opts.routes === '-') {
    throw new UsageError('--tests and --file cannot both read standard input')
  }
  const [testsIn, routesIn] = await Promise.all([readInput(opts.tests), readInput(opts.routes)])
  const testsDoc = parseRouteTests(parseStructured(testsIn.bytes, testsIn.source), testsIn.source)
  const routeConfig = loadRouteConfig(routesIn, opts.routeName)
  const report = runRouteTestsOn(routeConfig, testsDoc)
  const styler = await stdoutStyler(opts.color)
  await writeStdout(`${formatRouteTestsReport(report, {details: opts.details, styler})}\n`)
  return report.failed > 0 ? ExitCode.CONDITION : ExitCode.OK
}
