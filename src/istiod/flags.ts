/** Arguments and flags of `proxy-status` (istioctl's, plus meshctl's --query, --color, --fail-on), validated at parse time. */
import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {commonFlags, liveFlags, parseDuration, portNumber} from '../cli/flags.js'
import {UsageError} from '../errors/index.js'
import type {CompiledQuery} from '../output/query.js'
import {type FailOnCondition, parseFailOn} from './fail-on.js'

export const DEFAULT_WATCH_INTERVAL = '2s'
const MIN_WATCH_MS = 500

/** `2s`, `1.5s`, `500ms`, `1m`, `1h`, or a bare number of seconds, as milliseconds (≥ 500, within Node's timer limit). */
export function parseInterval(value: string): number {
  // every refresh asks every istiod: not more often than twice a second
  return parseDuration(value, 'watch', MIN_WATCH_MS)
}

/**
 * `--watch` takes an optional value, which oclif flags cannot: give it one before parsing. `--watch 5s` and
 * `-w 5s` become `--watch=5s`; a bare `--watch` / `-w` (followed by a flag, an argument that is not a duration, or
 * nothing) becomes `--watch=2s`. Nothing after `--` is touched.
 */
export function normalizeWatchArgv(argv: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--') {
      out.push(...argv.slice(i))
      break
    }
    if (a !== '--watch' && a !== '-w') {
      out.push(a)
      continue
    }
    const next = argv[i + 1]
    // a negative value is taken too, so that it is rejected as a duration rather than looked up as a pod
    if (next !== undefined && /^-?\d+(\.\d+)?(ms|s|m|h)?$/.test(next)) {
      out.push(`--watch=${next}`)
      i++
    } else out.push(`--watch=${DEFAULT_WATCH_INTERVAL}`)
  }
  return out
}

export const STATUS_OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const
export type StatusOutputFormat = (typeof STATUS_OUTPUT_FORMATS)[number]

export const proxyStatusArgs = {
  pod: Args.string({
    description: 'A proxy, [<type>/]<name>[.<namespace>]: compare its config with what istiod computed for it',
    required: false,
    ignoreStdin: true,
  }),
}

export const proxyStatusFlags = {
  // istioctl ≥ 1.27 has no -f shorthand on proxy-status
  file: Flags.string({
    description: 'Saved istiod sync status (JSON or YAML): a /debug/syncz answer, `ps -o json` output, or several istiods\' keyed by name; - reads standard input',
    helpValue: '<path>',
  }),
  output: Flags.custom<StatusOutputFormat>({
    char: 'o',
    description: `Output format: one of ${STATUS_OUTPUT_FORMATS.join('|')} (short is table)`,
    default: 'table',
    parse: async (value) => {
      // pc calls the table `short` (as istioctl): both names work everywhere
      if (value === 'short') return 'table'
      if (!(STATUS_OUTPUT_FORMATS as readonly string[]).includes(value)) {
        throw new UsageError(`output format "${value}" not supported; use one of ${STATUS_OUTPUT_FORMATS.join(', ')}`)
      }
      return value as StatusOutputFormat
    },
  })(),
  verbosity: Flags.custom<number>({
    char: 'v',
    description: 'Verbosity: 0 = the CDS LDS EDS RDS ECDS columns, 1 or more = one column per xDS type',
    default: 0,
    parse: async (value) => {
      if (!/^\d+$/.test(value)) throw new UsageError(`--verbosity "${value}" must be a whole number (0 or more)`)
      return Number(value)
    },
  })(),
  namespace: Flags.string({char: 'n', description: 'Only proxies of this namespace'}),
  'istio-namespace': Flags.string({
    char: 'i',
    aliases: ['istioNamespace'],
    description: 'Namespace where istiod runs',
    default: 'istio-system',
    env: 'ISTIOCTL_ISTIONAMESPACE',
  }),
  revision: Flags.string({char: 'r', description: 'Only the istiod pods of this control plane revision (label istio.io/rev); default: every revision, so proxies on a canary show too'}),
  query: Flags.custom<CompiledQuery>({
    description:
      'JMESPath expression applied to the list of proxies [{name, cluster, namespace, istiod, version, sync: {CDS: "SYNCED", ...}, types: [...]}] (prints JSON, or YAML with -o yaml)',
    helpValue: '<expr>',
    // the JMESPath library is loaded only when a query is given
    parse: async (value) => (await import('../output/query.js')).compileQuery(value),
  })(),
  color: commonFlags.color,
  kubeconfig: liveFlags.kubeconfig,
  context: liveFlags.context,
  timeout: liveFlags.timeout,
  transport: liveFlags.transport,
  'proxy-admin-port': liveFlags['proxy-admin-port'],
  container: liveFlags.container,
  via: Flags.custom<'auto' | 'http' | 'xds'>({
    description: "How to ask istiod: http (/debug/syncz on its monitoring port), xds (the xDS debug interface on 15012), or auto (http, then xds for a replica whose http does not answer)",
    default: 'auto',
    parse: async (value) => {
      if (value !== 'auto' && value !== 'http' && value !== 'xds') throw new UsageError(`--via "${value}" is not supported; use auto, http or xds`)
      return value
    },
  })(),
  'xds-address': Flags.custom<string>({
    description: "istiod's xDS address (host:port) when it runs outside the cluster; no port-forward",
    helpValue: '<host:port>',
    parse: async (value) => {
      // checked here, not after the cluster was asked for a token (it was then reported as a discovery pod, exit 5)
      const m = /^(?:\[[^\]]+\]|[^:[\]\s]+):(\d+)$/.exec(value)
      if (!m || Number(m[1]) < 1 || Number(m[1]) > 65535) throw new UsageError(`--xds-address "${value}" is not host:port (e.g. istiod.example.com:15012)`)
      return value
    },
  })(),
  'xds-port': Flags.custom<number>({
    description: "istiod's xDS port (default 15012, or 15010 with --plaintext)",
    parse: portNumber('xds-port'),
  })(),
  plaintext: Flags.boolean({description: "Use istiod's plaintext xDS port (15010): no TLS, no token"}),
  watch: Flags.custom<number>({
    char: 'w',
    description:
      'Refresh every <interval> (default 2s; e.g. 5s, 500ms, 1m) until Ctrl-C: redrawn in place on a terminal, one snapshot after another when piped',
    helpValue: '[<interval>]',
    parse: async (value) => parseInterval(value),
  })(),
  semantic: Flags.boolean({
    description:
      "With a pod: compare istiod's view and Envoy's resource by resource (meshctl diff's engine: spelling, key order, defaults and bookkeeping do not count) instead of istioctl's text diff",
  }),
  'fail-on': Flags.custom<FailOnCondition[]>({
    description:
      'After printing, exit with code 10 and name the proxies on stderr when a type is in one of these states: comma-separated stale, error, not-sent (or any)',
    helpValue: '<states>',
    parse: async (value) => parseFailOn(value),
  })(),
}
