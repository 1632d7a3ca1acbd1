import {Command} from '@oclif/core/command'
import * as Args from '@oclif/core/args'
import {onePodFlags} from '../../src/cli/flags.js'

export default class RootCaCompare extends Command {
  static override summary = 'Compare the ROOTCA of two pods: whether mTLS between them can work'
  static override description =
    "Reads the secrets of both pods' Envoys and compares the certificates of their ROOTCA secret. When they share one, prints " +
    "`Both [<a>] and [<b>] have the identical ROOTCA, theoretically the connectivity between them is available` (exit 0); otherwise " +
    'fails with the "non identical ROOTCA ... unavailable" sentence and exit code 10. A pod without a ROOTCA secret: exit 3.'
  static override aliases = ['proxy-config:rc', 'pc:rootca-compare', 'pc:rc']
  static override usage = ['<%= command.id %> [<type>/]<name-a>[.<namespace>] [<type>/]<name-b>[.<namespace>] [flags]']
  static override examples = ['<%= config.bin %> pc rootca-compare productpage-v1-7f9c8d6b5-x2k4m.default deploy/reviews-v1.default']
  static override strict = false
  static override args = {
    podA: Args.string({description: 'First pod: [<type>/]<name>[.<namespace>]', required: false, ignoreStdin: true}),
    podB: Args.string({description: 'Second pod', required: false, ignoreStdin: true}),
  }
  static override flags = {
    ...onePodFlags,
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(RootCaCompare)
    const {runRootCaCompare} = await import('../../src/cli/rootca-compare.js')
    await runRootCaCompare(argv as string[], flags)
  }
}
