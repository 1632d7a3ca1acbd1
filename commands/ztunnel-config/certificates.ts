import {Command} from '@oclif/core/command'
import {runZtunnelView} from '../../src/cli/ztunnel.js'
import {ztunnelArg, ztunnelUsage, ztunnelViewFlags} from '../../src/cli/ztunnel-flags.js'
import {certificatesView} from '../../src/views/ztunnel.js'

export default class Certificates extends Command {
  static override summary = 'Retrieve the certificates the ztunnel holds for the workloads on its node'
  static override description =
    'One row per certificate of each identity (Leaf, Intermediate, Root) with its state, whether it is valid now, serial number and validity. ' +
    'Without a pod or --node, exactly one ztunnel must run (each ztunnel holds its own node\'s certificates).'
  static override aliases = ['ztunnel-config:certificate', 'ztunnel-config:certs', 'ztunnel-config:cert', 'zc:certificates', 'zc:certificate', 'zc:certs', 'zc:cert']
  static override usage = ztunnelUsage
  static override examples = ['<%= config.bin %> zc certificates --node ambient-worker', '<%= config.bin %> zc certificates ztunnel-qk2pp', '<%= config.bin %> zc certificates -f ztunnel-dump.json']
  static override args = ztunnelArg
  static override flags = ztunnelViewFlags

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Certificates)
    await runZtunnelView(args.pod, flags, {needsOneZtunnel: true, build: (dump, {now}) => certificatesView(dump, now)})
  }
}
