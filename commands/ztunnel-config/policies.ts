import {Command} from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'
import {runZtunnelView} from '../../src/cli/ztunnel.js'
import {ztunnelArg, ztunnelUsage, ztunnelViewFlags} from '../../src/cli/ztunnel-flags.js'
import {policiesView} from '../../src/views/ztunnel.js'

export default class Policies extends Command {
  static override summary = 'Retrieve the authorization policies the ztunnel enforces'
  static override aliases = ['ztunnel-config:policy', 'ztunnel-config:p', 'ztunnel-config:pol', 'zc:policies', 'zc:policy', 'zc:p', 'zc:pol']
  static override usage = ztunnelUsage
  static override examples = ['<%= config.bin %> zc policies', '<%= config.bin %> zc policies --policy-namespace default -o json']
  static override args = ztunnelArg
  static override flags = {
    ...ztunnelViewFlags,
    'policy-namespace': Flags.string({description: 'Filter policies by namespace field'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Policies)
    await runZtunnelView(args.pod, flags, {build: (dump) => policiesView(dump, flags['policy-namespace'])})
  }
}
