import * as Args from '@oclif/core/args'
import {Command} from '@oclif/core/command'
import {completionScript, SHELLS, type Shell} from '../src/cli/completion.js'
import {writeStdout} from '../src/cli/print.js'

export default class Completion extends Command {
  static override summary = 'Generate the autocompletion script for the specified shell'
  static override description =
    'Prints a script that completes commands, flags and their values (-o formats), and, when a cluster is reachable, pod names and ' +
    'namespaces as kubectl does (for <%= config.bin %> and for kubectl-<%= config.bin %>). The script asks <%= config.bin %> itself at ' +
    'every TAB (a hidden __complete command), so it stays right after an upgrade.\n\n' +
    'Load it in this shell:\n\n' +
    'bash (best with the bash-completion package): source <(<%= config.bin %> completion bash)\n\n' +
    'zsh: source <(<%= config.bin %> completion zsh)\n\n' +
    'fish: <%= config.bin %> completion fish | source\n\n' +
    'PowerShell 7.3 or newer: <%= config.bin %> completion powershell | Out-String | Invoke-Expression\n\n' +
    'To load it in every new shell, put that line in ~/.bashrc, ~/.zshrc, ~/.config/fish/config.fish or $PROFILE.'
  static override examples = ['source <(<%= config.bin %> completion bash)', '<%= config.bin %> completion zsh > ~/.zfunc/_<%= config.bin %>', '<%= config.bin %> completion fish > ~/.config/fish/completions/<%= config.bin %>.fish']
  static override args = {shell: Args.string({description: 'The shell', required: true, options: [...SHELLS]})}

  async run(): Promise<void> {
    const {args} = await this.parse(Completion)
    await writeStdout(completionScript(args.shell as Shell, this.config.bin))
  }
}
