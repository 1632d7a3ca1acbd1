import {Command} from '@oclif/core/command'
import {commonFlags, liveFlags, outputFlag, podArg, podOrFileUsage} from '../../src/cli/flags.js'
import {asConfigDump} from '../../src/envoy/document.js'
import {runView} from '../../src/cli/run-view.js'
import {NEEDS} from '../../src/sources/types.js'
import {bootstrapView} from '../../src/views/bootstrap.js'

export default class Bootstrap extends Command {
  static override summary = 'Retrieve information about bootstrap configuration for the Envoy instance in the specified pod'
  static override description = 'Prints the bootstrap configuration as JSON by default; -o short prints the Istio and Envoy versions.'
  static override aliases = ['proxy-config:b', 'pc:bootstrap', 'pc:b']
  static override usage = podOrFileUsage
  static override examples = [
    '<%= config.bin %> pc bootstrap --file config_dump.json',
    '<%= config.bin %> pc bootstrap --file config_dump.json -o short',
    "<%= config.bin %> pc bootstrap --file config_dump.json --query 'bootstrap.node.metadata.ISTIO_VERSION'",
  ]
  static override args = podArg
  static override flags = {...commonFlags,
    ...liveFlags, output: outputFlag('json')}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Bootstrap)
    await runView(this, args.pod, flags, {
      name: 'bootstrap',
      need: NEEDS.bootstrap,
      build: (doc) => bootstrapView(asConfigDump(doc, 'bootstrap')),
    })
  }
}
