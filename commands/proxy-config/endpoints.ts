import {Command} from '@oclif/core/command'
import {commonFlags, endpointFilterFlags, filterPort, liveFlags, outputFlag, podArg, podOrFileUsage} from '../../src/cli/flags.js'
import {runView} from '../../src/cli/run-view.js'
import {NEEDS} from '../../src/sources/types.js'
import {endpointsView} from '../../src/views/endpoints.js'

export default class Endpoints extends Command {
  static override summary = 'Retrieve information about endpoint configuration for the Envoy instance in the specified pod'
  static override description = `Reads Envoy's /clusters?format=json (health and outlier-detection state as Envoy sees them). Given a config_dump taken with include_eds instead, it shows the endpoints of its EDS section.`
  static override aliases = ['proxy-config:endpoint', 'proxy-config:ep', 'pc:endpoints', 'pc:endpoint', 'pc:ep']
  static override usage = podOrFileUsage
  static override examples = [
    '<%= config.bin %> pc endpoints --file clusters.json',
    '<%= config.bin %> pc endpoints --file clusters.json --cluster "outbound|9080||reviews.default.svc.cluster.local"',
    '<%= config.bin %> pc endpoints --file clusters.json --status unhealthy',
  ]
  static override args = podArg
  static override flags = {
    ...commonFlags,
    ...liveFlags,
    output: outputFlag(),
    ...endpointFilterFlags,
    port: filterPort('Filter endpoints by Port field'),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Endpoints)
    await runView(this, args.pod, flags, {name: 'endpoints', need: NEEDS.endpoints, build: (doc) => endpointsView(doc, flags)})
  }
}
