import {Command} from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'
import {runZtunnelView} from '../../src/cli/ztunnel.js'
import {ztunnelArg, ztunnelUsage, ztunnelViewFlags} from '../../src/cli/ztunnel-flags.js'
import {connectionsView} from '../../src/views/ztunnel.js'

export default class Connections extends Command {
  static override summary = 'Retrieve the connections the ztunnel carries for the workloads on its node'
  static override description =
    'Per workload, its inbound then outbound connections: LOCAL and REMOTE addresses (named after the service or workload they belong to ' +
    'unless --raw), the original destination and the protocol. Without a pod or --node, exactly one ztunnel must run.'
  static override aliases = ['ztunnel-config:cons', 'zc:connections', 'zc:cons']
  static override usage = ztunnelUsage
  static override examples = [
    '<%= config.bin %> zc connections --node ambient-worker',
    '<%= config.bin %> zc connections productpage-v1-796f87b58-97bjk.bookinfo --direction inbound',
    '<%= config.bin %> zc connections -f ztunnel-dump.json --raw',
  ]
  static override args = ztunnelArg
  static override flags = {
    ...ztunnelViewFlags,
    direction: Flags.string({description: 'Filter workloads by direction (inbound or outbound)'}),
    raw: Flags.boolean({description: 'If set, show IP addresses instead of names'}),
    'workload-namespace': Flags.string({description: 'Filter workloads by namespace field'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Connections)
    await runZtunnelView(args.pod, flags, {
      needsOneZtunnel: true,
      build: (dump, {target}) =>
        connectionsView(dump, {workload: target?.name, namespace: target?.namespace ?? flags['workload-namespace'], direction: flags.direction, raw: flags.raw}),
    })
  }
}
