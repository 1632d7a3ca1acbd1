import {Command} from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'
import {SEVERITIES, type Severity} from '../src/check/types.js'
import {DEFAULT_CERT_WARN_MS} from '../src/check/types.js'
import {parseAt, parseIgnore, runCheck} from '../src/cli/check.js'
import {commonFlags, durationFlag, formatDuration, liveFlags, outputFlag, podArg} from '../src/cli/flags.js'
import {UsageError} from '../src/errors/index.js'

export default class Check extends Command {
  static override summary = "Find what is broken in a proxy's config, or across the mesh"
  static override description =
    'Reads what each proxy runs (its config dump, with endpoints and live host health) and reports every problem with a stable code, a severity, ' +
    'the resource, what it means for traffic and a hint naming the likely Istio cause: routes to clusters the proxy does not have (503 NC), ' +
    'clusters without (healthy) endpoints, config Envoy rejected, resources stuck warming, certificates expired or from another root, ' +
    'routes that can never match, duplicate domains, and in mesh-wide runs istiod\'s sync problems and version skew. ' +
    'Exit code 10 when a finding at the --fail-on level exists. The codes are listed in docs/check.md.'
  static override usage = ['<%= command.id %> [<type>/]<name>[.<namespace>] [flags]', '<%= command.id %> --file <path> [--clusters-file <path>] [flags]', '<%= command.id %> -l <selector> [-n <namespace>] [flags]', '<%= command.id %> -A [flags]']
  static override examples = [
    '<%= config.bin %> check deploy/productpage-v1',
    '<%= config.bin %> check -f config_dump.json --clusters-file clusters.json',
    '<%= config.bin %> check -A',
    '<%= config.bin %> check -l app=reviews -n bookinfo --verbose',
    '<%= config.bin %> check -A --fail-on warning --ignore PASSTHROUGH_USED,ENDPOINTS_NONE_UNUSED',
    "<%= config.bin %> check -A -o json --query \"[?severity=='error'].[proxy, code, resource.name]\"",
  ]
  static override args = podArg
  static override flags = {
    ...commonFlags,
    ...liveFlags,
    'clusters-file': Flags.string({description: "The proxy's /clusters?format=json answer, for live host health and outlier ejection (with --file)", helpValue: '<path>'}),
    'all-namespaces': Flags.boolean({char: 'A', description: 'Check every proxy of the mesh: every pod with the proxy container (sidecars, gateways, waypoints)'}),
    output: outputFlag(),
    'fail-on': Flags.custom<Severity>({
      description: 'Exit with code 10 when a finding of this severity or worse exists: error, warning or info',
      default: 'error',
      helpValue: '<severity>',
      parse: async (v) => {
        if (!(SEVERITIES as readonly string[]).includes(v)) throw new UsageError(`--fail-on "${v}" is not a severity; use error, warning or info`)
        return v as Severity
      },
    })(),
    ignore: Flags.custom<string[]>({description: 'Leave out findings of these codes (comma-separated)', helpValue: '<code>[,<code>]', parse: async (v) => parseIgnore(v)})(),
    'cert-warn': durationFlag({name: 'cert-warn', description: 'Warn about certificates that expire within this time (e.g. 6h, 30m)', default: formatDuration(DEFAULT_CERT_WARN_MS)}),
    at: Flags.custom<Date>({description: "The time certificate and warming checks compare against (RFC 3339); default: a saved dump's own time, else now", helpValue: '<time>', parse: async (v) => parseAt(v)})(),
    verbose: Flags.boolean({description: 'Mesh-wide: list every finding per proxy (with hints) instead of one row per code', default: false}),
    grace: durationFlag({name: 'grace', description: 'Mesh-wide: how long istiod may show a type STALE or NOT SENT before it is a finding', default: '1m'}),
    'istio-namespace': Flags.string({char: 'i', description: 'Namespace where istiod runs (asked for sync status in mesh-wide runs)', default: 'istio-system', env: 'ISTIOCTL_ISTIONAMESPACE'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Check)
    await runCheck(args.pod, flags)
  }
}
