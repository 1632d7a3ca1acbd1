import {Command} from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'
import {commonFlags, liveFlags, outputFlag, podArg, podOrFileUsage, verboseFlag} from '../../src/cli/flags.js'
import {asConfigDump} from '../../src/envoy/document.js'
import {runView} from '../../src/cli/run-view.js'
import {NEEDS} from '../../src/sources/types.js'
import {routesView} from '../../src/views/routes.js'

export default class Routes extends Command {
  static override summary = 'Retrieve information about route configuration for the Envoy instance in the specified pod'
  static override aliases = ['proxy-config:route', 'proxy-config:r', 'pc:routes', 'pc:route', 'pc:r']
  static override usage = podOrFileUsage
  static override examples = [
    '<%= config.bin %> pc routes --file config_dump.json',
    '<%= config.bin %> pc routes --file config_dump.json --name 9080 -o json',
    '<%= config.bin %> pc routes --file config_dump.json --no-verbose',
  ]
  static override args = podArg
  static override flags = {
    ...commonFlags,
    ...liveFlags,
    output: outputFlag(),
    name: Flags.string({description: 'Filter routes by route name field'}),
    verbose: verboseFlag('Output more information (one row per route)'),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Routes)
    await runView(this, args.pod, flags, {
      name: 'route',
      need: NEEDS.routes,
      build: (doc) => routesView(asConfigDump(doc, 'routes'), flags, flags.verbose),
    })
  }
}
