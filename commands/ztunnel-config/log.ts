import {Command} from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'
import {runZtunnelLog} from '../../src/cli/ztunnel.js'
import {ztunnelAccessFlags, ztunnelArg} from '../../src/cli/ztunnel-flags.js'
import {LOG_LEVELS} from '../../src/ztunnel/log.js'

export default class Log extends Command {
  static override summary = "Retrieve or change ztunnel's log levels (this changes the running ztunnel)"
  static override description =
    'Sends POST /logging?level=<--level> to the ztunnel given, or to every ztunnel of the DaemonSet, and prints what each answered ' +
    '(its current levels). --level takes a level for everything, or comma-separated <target>:<level> items such as ztunnel::pool:debug ' +
    `(levels: ${LOG_LEVELS.join(', ')}). --reset sets every level back to info. Without --level or --reset nothing is changed.`
  static override aliases = ['ztunnel-config:o', 'zc:log', 'zc:o']
  static override usage = ['<%= command.id %> [flags]', '<%= command.id %> <ztunnel-pod>[.<namespace>] [flags]']
  static override examples = [
    '<%= config.bin %> zc log',
    '<%= config.bin %> zc log ztunnel-9v7nw --level debug',
    '<%= config.bin %> zc log ztunnel-9v7nw --level ztunnel::pool:debug,info',
    '<%= config.bin %> zc log --reset',
  ]
  static override args = ztunnelArg
  static override flags = {
    ...ztunnelAccessFlags,
    // istioctl has -o on every zc command; log accepts only short
    output: Flags.string({char: 'o', description: 'Output format: only short applies to this command', default: 'short'}),
    level: Flags.string({description: 'Comma-separated levels: <level> for every target, or <target>:<level> (e.g. ztunnel::pool:debug)'}),
    reset: Flags.boolean({char: 'r', description: 'Reset every level to the default (info)'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Log)
    await runZtunnelLog(args.pod, flags)
  }
}
