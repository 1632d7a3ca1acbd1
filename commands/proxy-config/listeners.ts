import {Command} from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'
import {commonFlags, filterPort, liveFlags, outputFlag, podArg, podOrFileUsage, verboseFlag} from '../../src/cli/flags.js'
import {asConfigDump} from '../../src/envoy/document.js'
import {runView} from '../../src/cli/run-view.js'
import {NEEDS} from '../../src/sources/types.js'
import {listenersView} from '../../src/views/listeners.js'

export default class Listeners extends Command {
  static override summary = 'Retrieve information about listener configuration for the Envoy instance in the specified pod'
  static override aliases = ['proxy-config:listener', 'proxy-config:l', 'pc:listeners', 'pc:listener', 'pc:l']
  static override usage = podOrFileUsage
  static override examples = [
    '<%= config.bin %> pc listeners --file config_dump.json',
    '<%= config.bin %> pc listeners --file config_dump.json --port 9080 --type http',
    '<%= config.bin %> pc listeners --file config_dump.json --address 0.0.0.0 --no-verbose',
  ]
  static override args = podArg
  static override flags = {
    ...commonFlags,
    ...liveFlags,
    output: outputFlag(),
    address: Flags.string({description: 'Filter listeners by address field'}),
    port: filterPort('Filter listeners by Port field'),
    type: Flags.string({description: 'Filter listeners by type field (HTTP, TCP, HTTP+TCP, UNKNOWN)'}),
    verbose: verboseFlag('Output more information (one row per filter chain)'),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Listeners)
    await runView(this, args.pod, flags, {
      name: 'listener',
      need: NEEDS.listeners,
      build: (doc) => listenersView(asConfigDump(doc, 'listeners'), flags, flags.verbose),
    })
  }
}
