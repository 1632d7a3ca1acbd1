import {Command} from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'
import {clusterFilterFlags, commonFlags, filterPort, liveFlags, outputFlag, podArg, podOrFileUsage, verboseFlag} from '../../src/cli/flags.js'
import {runView} from '../../src/cli/run-view.js'
import {asConfigDump} from '../../src/envoy/document.js'
import {NEEDS} from '../../src/sources/types.js'
import {allView, inputJsonBytes, inputJsonText} from '../../src/views/all.js'

export default class All extends Command {
  static override summary = 'Retrieve information about all configuration for the Envoy instance in the specified pod'
  static override description = '-o short prints every section (bootstrap, clusters, listeners, routes, secrets, endpoints); -o json|yaml prints the whole config dump.'
  static override aliases = ['proxy-config:a', 'pc:all', 'pc:a']
  static override usage = podOrFileUsage
  static override examples = [
    '<%= config.bin %> pc all --file config_dump.json',
    '<%= config.bin %> pc all --file config_dump.json --with-headers',
    '<%= config.bin %> pc all --file config_dump.json -o yaml',
  ]
  static override args = podArg
  static override flags = {
    ...commonFlags,
    ...liveFlags,
    output: outputFlag(),
    ...clusterFilterFlags,
    port: filterPort('Filter clusters, listeners and endpoints by Port field'),
    address: Flags.string({description: 'Filter listeners by address field, endpoints by ip:port'}),
    type: Flags.string({description: 'Filter listeners by type field'}),
    name: Flags.string({description: 'Filter routes by route name field'}),
    verbose: verboseFlag('Output more information'),
    'with-headers': Flags.boolean({description: 'Print summary with headers'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(All)
    await runView(this, args.pod, flags, {
      name: 'all',
      need: NEEDS.full,
      build: (doc, input) =>
        allView(asConfigDump(doc, 'all'), {
          clusters: {fqdn: flags.fqdn, direction: flags.direction, subset: flags.subset, port: flags.port},
          listeners: {address: flags.address, port: flags.port, type: flags.type},
          routeName: flags.name,
          endpoints: {address: flags.address, port: flags.port},
          verbose: flags.verbose,
          withHeaders: flags['with-headers'],
          tables: flags.output === 'short' && flags.query === undefined,
          now: new Date(),
          rawJson: () => inputJsonText(() => doc.raw, input.bytes, input.source),
          rawBytes: () => inputJsonBytes(input.bytes),
        }),
    })
  }
}
