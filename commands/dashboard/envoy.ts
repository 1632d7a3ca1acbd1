import {Command} from '@oclif/core/command'
import {envoyDashboardArgs, envoyDashboardFlags, normalizeBooleanFlags} from '../../src/dashboard/flags.js'

export default class DashboardEnvoy extends Command {
  static override summary = "Open Envoy's admin dashboard of a pod: a local port forwarded to the proxy's admin port, until Ctrl-C"
  static override description =
    "Listens on --address:--port and forwards every connection to Envoy's admin port (--ui-port) in the pod over the Kubernetes API " +
    '(as kubectl port-forward does), prints the URL and opens it in a browser. Runs until Ctrl-C. ' +
    '`dashboard proxy` is the same command (it also fits ztunnel and waypoint pods).'
  static override aliases = ['dashboard:proxy', 'dash:envoy', 'dash:proxy', 'd:envoy', 'd:proxy']
  static override usage = ['<%= command.id %> [<type>/]<name>[.<namespace>] [flags]', '<%= command.id %> -l <selector> [flags]']
  static override examples = [
    '<%= config.bin %> dashboard envoy productpage-123-456.default',
    '<%= config.bin %> dashboard envoy deployment/productpage-v1 -n bookinfo --browser=false',
    '<%= config.bin %> dashboard envoy -l app=productpage -n bookinfo --port 15000',
  ]
  static override args = envoyDashboardArgs
  static override flags = envoyDashboardFlags

  async run(): Promise<void> {
    const {args, flags} = await this.parse(DashboardEnvoy, normalizeBooleanFlags(this.argv, ['browser']))
    const {runEnvoyDashboard} = await import('../../src/dashboard/cli.js')
    await runEnvoyDashboard({...flags, pod: args.pod})
  }
}
