import {Command} from '@oclif/core/command'
import {type CompletionTree, clusterValues, complete, formatCompletion} from '../src/cli/completion.js'
import {writeStdout} from '../src/cli/print.js'

/** What the completion scripts call at every TAB (`<bin> __complete -- <words...>`); see src/cli/completion.ts. */
export default class Complete extends Command {
  static override hidden = true
  static override summary = 'Completion candidates for the words given (used by the completion scripts)'
  static override hiddenAliases = ['__complete']
  static override strict = false

  async run(): Promise<void> {
    // raw words: nothing here is a flag of this command
    const words = this.argv[0] === '--' ? this.argv.slice(1) : [...this.argv]
    if (words.length === 0) words.push('')
    const tree: CompletionTree = {
      bin: this.config.bin,
      commands: this.config.commands as unknown as CompletionTree['commands'],
      topics: this.config.topics,
    }
    let text: string
    try {
      text = formatCompletion(await complete(tree, words, clusterValues()))
    } catch {
      // completion is silent: a failure offers nothing
      text = ':4\n'
    }
    await writeStdout(text)
  }
}
