import {Command} from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'
import {writeStdout} from '../src/cli/print.js'
import {collectVersion, renderVersion, type VersionFormat} from '../src/cli/version.js'
import {UsageError} from '../src/errors/index.js'
import {proxyStatusFlags} from '../src/istiod/flags.js'

const FORMATS = ['short', 'json', 'yaml'] as const

export default class Version extends Command {
  static override summary = 'Prints out build version information'
  static override description =
    "The client's version and, with a cluster, the control plane's (every istiod pod, app=istiod in -i/--istio-namespace, " +
    'each with its istio.io/rev revision; the version is the tag of its discovery container image) and the data plane\'s (the Istio ' +
    'version of every proxy connected to an istiod, from istiod\'s sync status as `ps` reads it, counted per version). When the ' +
    'cluster or istiod cannot be reached, the client version is still printed and the reason goes to stderr (exit 4 or 5).'
  static override examples = ['<%= config.bin %> version', '<%= config.bin %> version --short', '<%= config.bin %> version -o json', '<%= config.bin %> version -r canary']
  static override flags = {
    output: Flags.custom<VersionFormat>({
      char: 'o',
      description: `Output format: one of ${FORMATS.join('|')} (short: istioctl's lines)`,
      default: 'short',
      parse: async (value) => {
        if (!(FORMATS as readonly string[]).includes(value)) throw new UsageError(`output format "${value}" not supported; use one of ${FORMATS.join(', ')}`)
        return value as VersionFormat
      },
    })(),
    short: Flags.boolean({char: 's', description: 'Client version only (no cluster access)'}),
    'istio-namespace': proxyStatusFlags['istio-namespace'],
    revision: Flags.string({char: 'r', description: 'Only the istiod pods of this control plane revision (label istio.io/rev), and the proxies connected to them; default: every revision'}),
    kubeconfig: proxyStatusFlags.kubeconfig,
    context: proxyStatusFlags.context,
    timeout: proxyStatusFlags.timeout,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Version)
    const openApi = flags.short
      ? undefined
      : async () => {
          const {KubeApi} = await import('../src/kube/api.js')
          return KubeApi.open({kubeconfig: flags.kubeconfig, context: flags.context, timeoutMs: flags.timeout})
        }
    const warn = (message: string): void => {
      process.stderr.write(`Warning: ${message}\n`)
    }
    const {report, error} = await collectVersion(this.config.version, openApi, {istioNamespace: flags['istio-namespace'], revision: flags.revision, warn})
    await writeStdout(renderVersion(report, flags.output))
    // what could not be gathered: one Error line and its exit code (main.ts), after what could
    if (error) throw error
  }
}
