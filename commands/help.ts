import * as Args from '@oclif/core/args'
import {Command} from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'
import {loadHelpClass} from '@oclif/core/help'

/**
 * `meshctl help [command]`, as @oclif/plugin-help's command (the same Help class that renders `--help`). Defined here
 * rather than loaded as a plugin: a plugin's package.json and manifest would be read at every start.
 */
export default class Help extends Command {
  static override summary = 'Display help for <%= config.bin %>'
  static override args = {command: Args.string({description: 'Command to show help for', required: false})}
  static override flags = {'nested-commands': Flags.boolean({char: 'n', description: 'Include all nested commands in the output'})}
  static override strict = false
  static override examples = ['<%= config.bin %> help proxy-config clusters', '<%= config.bin %> help ps']

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Help)
    const words = [...(argv as string[])]
    // `help pc`: a hidden topic alias stands for its topic, whose help lists each command once (as `pc --help`)
    const topic = words.length === 1 ? this.config.findTopic(words[0]!) : undefined
    const of = topic?.hidden ? /^Alias of (\S+)$/.exec(topic.description ?? '')?.[1] : undefined
    if (of) words[0] = of
    const HelpClass = await loadHelpClass(this.config)
    await new HelpClass(this.config, {...this.config.pjson.oclif.helpOptions, all: flags['nested-commands']}).showHelp(words)
  }
}
