import {Command} from '@oclif/core/command'
import {clusterFilterFlags, commonFlags, filterPort, liveFlags, outputFlag, podArg, podOrFileUsage} from '../../src/cli/flags.js'
import {asConfigDump} from '../../src/envoy/document.js'
import {runView} from '../../src/cli/run-view.js'
import {NEEDS} from '../../src/sources/types.js'
import {clustersView} from '../../src/views/clusters.js'

export default class Clusters extends Command {
  static override summary = 'Retrieve information about cluster configuration for the Envoy instance in the specified pod'
  static override aliases = ['proxy-config:cluster', 'proxy-config:c', 'pc:clusters', 'pc:cluster', 'pc:c']
  static override usage = podOrFileUsage
  static override examples = [
    '<%= config.bin %> pc clusters --file config_dump.json',
    '<%= config.bin %> pc clusters --file config_dump.json --fqdn reviews.default.svc.cluster.local --port 9080',
    '<%= config.bin %> pc clusters --file config_dump.json --direction inbound -o json',
    "<%= config.bin %> pc clusters --file config_dump.json --query '[].name'",
  ]
  static override args = podArg
  static override flags = {
    ...commonFlags,
    ...liveFlags,
    output: outputFlag(),
    ...clusterFilterFlags,
    port: filterPort('Filter clusters by Port field'),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Clusters)
    await runView(this, args.pod, flags, {
      name: 'cluster',
      need: NEEDS.clusters,
      build: (doc) => clustersView(asConfigDump(doc, 'clusters'), flags),
    })
  }
}
