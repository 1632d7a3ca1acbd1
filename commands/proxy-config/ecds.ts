import {Command} from '@oclif/core/command'
import {commonFlags, liveFlags, outputFlag, podArg, podOrFileUsage} from '../../src/cli/flags.js'
import {asConfigDump} from '../../src/envoy/document.js'
import {runView} from '../../src/cli/run-view.js'
import {NEEDS} from '../../src/sources/types.js'
import {ecdsView} from '../../src/views/ecds.js'

export default class Ecds extends Command {
  static override summary = 'Retrieve information about typed extension configuration (ECDS) for the Envoy instance in the specified pod'
  static override aliases = ['proxy-config:ec', 'pc:ecds', 'pc:ec']
  static override usage = podOrFileUsage
  static override examples = ['<%= config.bin %> pc ecds --file config_dump.json', '<%= config.bin %> pc ecds --file config_dump.json -o yaml']
  static override args = podArg
  static override flags = {...commonFlags,
    ...liveFlags, output: outputFlag()}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Ecds)
    await runView(this, args.pod, flags, {name: 'ecds', need: NEEDS.full, build: (doc) => ecdsView(asConfigDump(doc, 'ecds'))})
  }
}
