/** Flags shared by meshctl commands, each validated at parse time with a one-line usage error. */
import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {UsageError} from '../errors/index.js'
import type {CompiledQuery} from '../output/query.js'
import {OUTPUT_FORMATS, type OutputFormat} from '../output/render.js'

export const outputFlag = (defaultFormat: OutputFormat = 'short') =>
  Flags.custom<OutputFormat>({
    char: 'o',
    description: `Output format: one of ${OUTPUT_FORMATS.join('|')} (table is short)`,
    default: defaultFormat,
    parse: async (value) => {
      // ps calls the table `table`, pc calls it `short` (as istioctl): both names work everywhere
      if (value === 'table') return 'short'
      if (!(OUTPUT_FORMATS as readonly string[]).includes(value)) {
        throw new UsageError(`output format "${value}" not supported; use one of ${OUTPUT_FORMATS.join(', ')}`)
      }
      return value as OutputFormat
    },
  })()

/** A non-negative filter port (0 = no filter). */
export const filterPort = (description: string) =>
  Flags.custom<number>({
    description,
    parse: portNumber('port', 0, 'no filter'),
  })()

export const commonFlags = {
  file: Flags.string({char: 'f', description: 'Envoy config dump file (JSON or YAML); - reads standard input', helpValue: '<path>'}),
  query: Flags.custom<CompiledQuery>({
    description: 'JMESPath expression applied to the JSON document of the view (prints JSON, or YAML with -o yaml)',
    helpValue: '<expr>',
    // the JMESPath library is loaded only when a query is given
    parse: async (value) => (await import('../output/query.js')).compileQuery(value),
  })(),
  color: Flags.boolean({description: 'Colour the tables (default: only when writing to a terminal and NO_COLOR is unset)', allowNo: true}),
}

export const podArg = {
  // ignoreStdin: oclif would otherwise read piped stdin into a missing argument (breaking `-f -`)
  pod: Args.string({description: 'Pod to inspect: [<type>/]<name>[.<namespace>]', required: false, ignoreStdin: true}),
}

/** Filter flags, shared by each view's command and by `pc all` (help texts as istioctl's). */
export const clusterFilterFlags = {
  fqdn: Flags.string({description: 'Filter clusters by substring of Service FQDN field'}),
  direction: Flags.string({description: 'Filter clusters by Direction field'}),
  subset: Flags.string({description: 'Filter clusters by substring of Subset field'}),
}

export const verboseFlag = (description: string) => Flags.boolean({description, default: true, allowNo: true})

export const endpointFilterFlags = {
  address: Flags.string({description: 'Filter endpoints by address field'}),
  cluster: Flags.string({description: 'Filter endpoints by cluster name field'}),
  status: Flags.string({description: 'Filter endpoints by status field (healthy, unhealthy, draining, timeout, degraded, unknown)'}),
}

/** The usage lines every proxy-config command shares: a pod, or a saved dump. */
export const podOrFileUsage = ['<%= command.id %> [<type>/]<name>[.<namespace>] [flags]', '<%= command.id %> --file <path> [flags]']

/** The longest delay Node's timers take (2^31-1 ms, about 24.8 days); a longer one fires at once (TimeoutOverflowWarning). */
export const MAX_TIMER_MS = 2 ** 31 - 1

/** A duration as meshctl prints it: `30s`, `500ms`, `2m`, `1h`, `1.5s` (the largest unit that divides it). */
export function formatDuration(ms: number): string {
  if (ms > 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`
  if (ms > 0 && ms % 60_000 === 0) return `${ms / 60_000}m`
  if (ms >= 1000 || ms === 0) return `${ms / 1000}s`
  return `${ms}ms`
}

/**
 * `30s`, `1m`, `1h`, `1500ms`, `1.5s`, `2` (a bare number is seconds), as milliseconds. Negative values, zero and
 * values beyond Node's timer limit are usage errors (a longer setTimeout fires at once; `2500000s` would make
 * `ps -w` refresh in a tight loop). `min` is the shortest accepted, in ms.
 */
export function parseDuration(value: string, flag: string, min = 1): number {
  const text = value.trim()
  if (/^-\d/.test(text)) throw new UsageError(`--${flag} "${value}" must not be negative`)
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text)
  if (!m) throw new UsageError(`--${flag} "${value}" is not a duration; use e.g. 30s, 2m, 1h or 1500ms`)
  const n = Math.round(Number(m[1]) * ({ms: 1, s: 1000, m: 60_000, h: 3_600_000} as const)[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'])
  if (n <= 0) throw new UsageError(`--${flag} must be more than zero`)
  if (n < min) throw new UsageError(`--${flag} ${value} is too short; the shortest is ${formatDuration(min)}`)
  if (n > MAX_TIMER_MS) throw new UsageError(`--${flag} ${value} is too long; the longest is ${formatDuration(MAX_TIMER_MS - (MAX_TIMER_MS % 3_600_000))} (about 24 days)`)
  return n
}

/**
 * The one duration flag type of meshctl: parsed by parseDuration into milliseconds, its default given and shown as a
 * duration (`[default: 30s]`), never as a number of milliseconds that would read as seconds.
 */
export const durationFlag = (opts: {name: string; description: string; default: string; min?: number}) =>
  Flags.custom<number>({
    description: opts.description,
    default: parseDuration(opts.default, opts.name, opts.min),
    defaultHelp: async () => opts.default,
    parse: async (v) => parseDuration(v, opts.name, opts.min),
  })()

/**
 * A port flag's parser, one message for every port flag: `--<flag> "abc" is not a port number (1-65535)`. `min` 0
 * allows 0 (meaning is given in `zero`).
 */
export const portNumber =
  (flag: string, min: 0 | 1 = 1, zero?: string) =>
  async (value: string): Promise<number> => {
    const n = Number(value)
    if (!/^\d+$/.test(value)) throw new UsageError(`--${flag} "${value}" is not a port number (${min}-65535${zero ? `; 0 = ${zero}` : ''})`)
    // a number out of range: istioctl's words (its zc vectors check them)
    if (n < min || n > 65535) throw new UsageError(`--${flag} "${value}": port number ${value} must be in the range ${min}..65535${zero ? ` (0 = ${zero})` : ''}`)
    return n
  }

export const portInRange = (flag: string) => portNumber(flag)

/** How to reach Kubernetes and the proxy: kubectl's flags plus istioctl's. */
export const liveFlags = {
  kubeconfig: Flags.string({description: 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)', helpValue: '<path>'}),
  context: Flags.string({description: 'The kubeconfig context to use'}),
  namespace: Flags.string({char: 'n', description: "Namespace of the pod (default: the context's namespace, else default)"}),
  selector: Flags.string({char: 'l', description: 'Label selector: run against every matching pod in the namespace, in parallel'}),
  transport: Flags.custom<'port-forward' | 'exec'>({
    description: 'How to reach Envoy admin: port-forward (HTTP over the port-forward stream) or exec (pilot-agent/curl in the sidecar)',
    default: 'port-forward',
    parse: async (value) => {
      if (value !== 'port-forward' && value !== 'exec') throw new UsageError(`--transport "${value}" is not supported; use port-forward or exec`)
      return value
    },
  })(),
  'proxy-admin-port': Flags.custom<number>({description: 'Envoy proxy admin port', default: 15000, parse: portInRange('proxy-admin-port')})(),
  container: Flags.string({description: 'The container running Envoy', default: 'istio-proxy'}),
  timeout: durationFlag({name: 'timeout', description: 'Time limit for each network step (e.g. 30s, 2m)', default: '30s'}),
  'max-concurrency': Flags.custom<number>({
    description: 'With -l: how many pods are queried at once',
    default: 8,
    parse: async (v) => {
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--max-concurrency "${v}" must be a whole number of at least 1`)
      return Number(v)
    },
  })(),
}

/** liveFlags for a command that reaches named pods only (trace, rootca-compare): no -l, no --max-concurrency. */
export const onePodFlags = (({selector: _selector, 'max-concurrency': _maxConcurrency, ...rest}) => rest)(liveFlags)
