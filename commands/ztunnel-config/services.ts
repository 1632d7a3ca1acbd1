import {Command} from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'
import {runZtunnelView} from '../../src/cli/ztunnel.js'
import {ztunnelArg, ztunnelUsage, ztunnelViewFlags} from '../../src/cli/ztunnel-flags.js'
import {servicesView} from '../../src/views/ztunnel.js'

export default class Services extends Command {
  static override summary = 'Retrieve the services the ztunnel knows, with their VIPs, waypoint and healthy/total endpoints'
  static override aliases = ['ztunnel-config:service', 'ztunnel-config:s', 'ztunnel-config:svc', 'zc:services', 'zc:service', 'zc:s', 'zc:svc']
  static override usage = ztunnelUsage
  static override examples = ['<%= config.bin %> zc services', '<%= config.bin %> zc services --service-namespace bookinfo -o yaml', '<%= config.bin %> zc services -f ztunnel-dump.json']
  static override args = ztunnelArg
  static override flags = {
    ...ztunnelViewFlags,
    'service-namespace': Flags.string({description: 'Filter services by namespace field'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Services)
    await runZtunnelView(args.pod, flags, {build: (dump) => servicesView(dump, flags['service-namespace'])})
  }
}
