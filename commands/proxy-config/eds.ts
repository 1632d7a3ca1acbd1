import {Command} from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'
import {commonFlags, endpointFilterFlags, filterPort, liveFlags, outputFlag, podArg, podOrFileUsage} from '../../src/cli/flags.js'
import {runView} from '../../src/cli/run-view.js'
import {asConfigDump} from '../../src/envoy/document.js'
import {NEEDS} from '../../src/sources/types.js'
import {edsView} from '../../src/views/endpoints.js'

export default class Eds extends Command {
  static override summary = 'Retrieve the endpoints the control plane pushed over EDS to the Envoy instance in the specified pod'
  static override description = 'Reads the EndpointsConfigDump of a config_dump taken with include_eds (locality, health as pushed, additional addresses).'
  static override aliases = ['pc:eds']
  static override usage = podOrFileUsage
  static override examples = ['<%= config.bin %> pc eds --file config_dump.json', '<%= config.bin %> pc eds --file config_dump.json --port 8080 -o yaml']
  static override args = podArg
  static override flags = {
    ...commonFlags,
    ...liveFlags,
    output: outputFlag(),
    ...endpointFilterFlags,
    address: Flags.string({description: 'Filter endpoints by address field (ip:port)'}),
    port: filterPort('Filter endpoints by Port field'),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Eds)
    await runView(this, args.pod, flags, {name: 'eds', need: NEEDS.full, build: (doc) => edsView(asConfigDump(doc, 'eds'), flags)})
  }
}
