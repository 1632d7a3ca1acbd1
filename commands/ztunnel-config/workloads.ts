import {Command} from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'
import {runZtunnelView} from '../../src/cli/ztunnel.js'
import {ztunnelArg, ztunnelUsage, ztunnelViewFlags} from '../../src/cli/ztunnel-flags.js'
import {workloadsView} from '../../src/views/ztunnel.js'

export default class Workloads extends Command {
  static override summary = 'Retrieve the workloads the ztunnel knows (pods and other addressable workloads of the mesh)'
  static override description =
    'Table NAMESPACE, POD NAME, ADDRESS, NODE, WAYPOINT, PROTOCOL (HBONE: captured by ambient; TCP: not). Given a workload pod instead of a ztunnel, ' +
    "the ztunnel on that pod's node is asked and the rows narrowed to the pod."
  static override aliases = ['ztunnel-config:workload', 'ztunnel-config:w', 'zc:workloads', 'zc:workload', 'zc:w']
  static override usage = ztunnelUsage
  static override examples = [
    '<%= config.bin %> zc workloads',
    '<%= config.bin %> zc workloads --workload-namespace bookinfo',
    '<%= config.bin %> zc workloads productpage-v1-675fc69cf-jscn2.bookinfo',
    '<%= config.bin %> zc workloads --node ambient-worker -o json',
    '<%= config.bin %> zc workloads -f ztunnel-dump.json --address 10.244.2.53',
  ]
  static override args = ztunnelArg
  static override flags = {
    ...ztunnelViewFlags,
    address: Flags.string({description: 'Filter workloads by address field'}),
    'workload-namespace': Flags.string({description: 'Filter workloads by namespace field'}),
    'workload-node': Flags.string({description: 'Filter workloads by node'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Workloads)
    await runZtunnelView(args.pod, flags, {
      build: (dump, {target}) =>
        workloadsView(dump, {name: target?.name, namespace: target?.namespace ?? flags['workload-namespace'], address: flags.address, node: flags['workload-node']}),
    })
  }
}
