import {Command} from '@oclif/core/command'
import {commonFlags, liveFlags, outputFlag, podArg, podOrFileUsage} from '../../src/cli/flags.js'
import {asConfigDump} from '../../src/envoy/document.js'
import {runView} from '../../src/cli/run-view.js'
import {NEEDS} from '../../src/sources/types.js'
import {secretsView} from '../../src/views/secrets.js'

export default class Secret extends Command {
  static override summary = 'Retrieve information about secret configuration for the Envoy instance in the specified pod'
  static override aliases = ['proxy-config:secrets', 'proxy-config:s', 'pc:secret', 'pc:secrets', 'pc:s']
  static override usage = podOrFileUsage
  static override examples = ['<%= config.bin %> pc secret --file config_dump.json', '<%= config.bin %> pc secret --file config_dump.json -o yaml']
  static override args = podArg
  static override flags = {...commonFlags,
    ...liveFlags, output: outputFlag()}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Secret)
    await runView(this, args.pod, flags, {
      name: 'secret',
      need: NEEDS.secrets,
      build: (doc) => secretsView(asConfigDump(doc, 'secret'), new Date()),
    })
  }
}
