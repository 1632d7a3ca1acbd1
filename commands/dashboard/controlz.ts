import {Command} from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'
import {istiodDashboardArgs, istiodDashboardFlags, normalizeBooleanFlags} from '../../src/dashboard/flags.js'

export default class DashboardControlz extends Command {
  static override summary = "Open istiod's ControlZ web UI (logging scopes, memory, environment, version), until Ctrl-C"
  static override description =
    "ControlZ is istiod's introspection UI, listening on the pod's loopback (--ctrlz_port, default 9876). Choose the istiod by name, " +
    '-l/--selector (app=istiod is added) or -r/--revision, in -i/--istio-namespace; the rest is as `dashboard envoy`. ' +
    'ControlZ can change istiod\'s logging levels.'
  static override aliases = ['dash:controlz', 'd:controlz']
  static override usage = ['<%= command.id %> <istiod-pod>[.<namespace>] [flags]', '<%= command.id %> -l <selector> [flags]', '<%= command.id %> -r <revision> [flags]']
  static override examples = ['<%= config.bin %> dashboard controlz -r default', '<%= config.bin %> dashboard controlz istiod-5b7c9d4f68-w8k2n --browser=false']
  static override args = istiodDashboardArgs
  static override flags = {
    ...istiodDashboardFlags,
    ctrlz_port: Flags.integer({description: "ControlZ's port in the pod", default: 9876, min: 1, max: 65535}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(DashboardControlz, normalizeBooleanFlags(this.argv, ['browser']))
    const {runIstiodDashboard} = await import('../../src/dashboard/istiod.js')
    await runIstiodDashboard('controlz', {...flags, name: args.pod})
  }
}
