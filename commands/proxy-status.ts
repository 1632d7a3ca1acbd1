import {Command} from '@oclif/core/command'
import {runProxyStatus} from '../src/istiod/cli.js'
import {normalizeWatchArgv, proxyStatusArgs, proxyStatusFlags} from '../src/istiod/flags.js'

export default class ProxyStatus extends Command {
  static override summary = "Retrieves the synchronization status of each Envoy in the mesh, as istiod sees it"
  static override description =
    'One row per proxy: its cluster, the sync state of each xDS type (SYNCED, STALE, NOT SENT, ERROR, IGNORED; with the age of the last push ' +
    'when istiod reports it), the istiod it is connected to and its Istio version. Reads istiod\'s /debug/syncz answer (any istiod version), ' +
    'or what `istioctl ps -o json` / `meshctl ps -o json` printed. --fail-on turns chosen states into exit code 10 for scripts. ' +
    'With a pod: compares the config Envoy runs with what istiod computed for it (Clusters/Listeners/Routes Match, or a unified diff).'
  static override aliases = ['ps']
  static override usage = ['<%= command.id %> [flags]', '<%= command.id %> [<type>/]<name>[.<namespace>] [flags]', '<%= command.id %> --file <path> [flags]']
  static override examples = [
    '<%= config.bin %> ps',
    '<%= config.bin %> ps -n bookinfo --fail-on stale,error',
    '<%= config.bin %> ps --watch 5s -n bookinfo',
    '<%= config.bin %> ps deploy/productpage-v1.bookinfo',
    '<%= config.bin %> ps --file syncz.json',
    '<%= config.bin %> ps --file syncz.json -n bookinfo -v 1',
    '<%= config.bin %> ps --file syncz.json --fail-on stale,error',
    "<%= config.bin %> ps --file syncz.json --query \"[?sync.CDS!='SYNCED'].name\"",
    'kubectl exec -n istio-system deploy/istiod -- curl -s localhost:15014/debug/syncz | <%= config.bin %> ps --file -',
  ]
  static override args = proxyStatusArgs
  static override flags = proxyStatusFlags

  async run(): Promise<void> {
    const {args, flags} = await this.parse(ProxyStatus, normalizeWatchArgv(this.argv))
    await runProxyStatus({...flags, pod: args.pod}, {argv: this.argv})
  }
}
