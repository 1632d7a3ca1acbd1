import {Command} from '@oclif/core/command'
import {istiodDashboardArgs, istiodDashboardFlags, normalizeBooleanFlags} from '../../src/dashboard/flags.js'

export default class DashboardIstiodDebug extends Command {
  static override summary = "Open istiod's debug console (/debug on its monitoring port: adsz, syncz, configz, ...), until Ctrl-C"
  static override description =
    "Forwards a local port to istiod's monitoring port (the pod's prometheus.io/port annotation, else 15014) and opens " +
    'http://localhost:<port>/debug, the "Pilot Debug Console". Choose the istiod by name, -l/--selector (app=istiod is added) or ' +
    '-r/--revision, in -i/--istio-namespace; the rest is as `dashboard envoy`. `meshctl istiod debug` prints the same endpoints as tables.'
  static override aliases = ['dash:istiod-debug', 'd:istiod-debug']
  static override usage = ['<%= command.id %> <istiod-pod>[.<namespace>] [flags]', '<%= command.id %> -l <selector> [flags]', '<%= command.id %> -r <revision> [flags]']
  static override examples = ['<%= config.bin %> dashboard istiod-debug -r default', '<%= config.bin %> dashboard istiod-debug -l istio.io/rev=canary --browser=false']
  static override args = istiodDashboardArgs
  static override flags = istiodDashboardFlags

  async run(): Promise<void> {
    const {args, flags} = await this.parse(DashboardIstiodDebug, normalizeBooleanFlags(this.argv, ['browser']))
    const {runIstiodDashboard} = await import('../../src/dashboard/istiod.js')
    await runIstiodDashboard('istiod-debug', {...flags, name: args.pod})
  }
}
