import {Command} from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'
import {runZtunnelView} from '../../src/cli/ztunnel.js'
import {ztunnelArg, ztunnelUsage, ztunnelViewFlags} from '../../src/cli/ztunnel-flags.js'
import {allView} from '../../src/views/ztunnel.js'

export default class All extends Command {
  static override summary = 'Retrieve everything the ztunnel knows: workloads, services, policies, certificates and connections'
  static override description = 'The five tables, unfiltered. -o json and -o yaml print the whole config dump as ztunnel gave it.'
  static override aliases = ['zc:all']
  static override usage = ztunnelUsage
  static override examples = ['<%= config.bin %> zc all --with-headers', '<%= config.bin %> zc all --node ambient-worker -o json > ztunnel-dump.json', '<%= config.bin %> zc all -f ztunnel-dump.json']
  static override args = ztunnelArg
  static override flags = {
    ...ztunnelViewFlags,
    'with-headers': Flags.boolean({description: 'Print summary with headers'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(All)
    await runZtunnelView(args.pod, flags, {build: (dump, {now, raw}) => allView(dump, {withHeaders: flags['with-headers'], now, raw})})
  }
}
