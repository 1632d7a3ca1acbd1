import * as Args from '@oclif/core/args'
import {Command} from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'
import {liveFlags, onePodFlags} from '../../src/cli/flags.js'

export default class Log extends Command {
  static override summary = "Retrieve and update Envoy's logging levels in the specified pod (this changes the proxy)"
  static override description =
    "Without --level or --reset, prints each proxy's loggers and their levels (read only). With --level or --reset it CHANGES " +
    "the running proxy's log levels (until Envoy restarts or they are set again), prints each proxy's loggers after the change, " +
    'and says on stderr what changed. With a workload reference (deploy/x) or -l, every matching pod is changed. ' +
    'Levels: trace, debug, info, warning (warn), error, critical, off.'
  static override aliases = ['proxy-config:o', 'pc:log', 'pc:o']
  static override usage = ['<%= command.id %> [<type>/]<name>[.<namespace>] [flags]', '<%= command.id %> -l <selector> [flags]']
  static override examples = [
    '# the loggers of a pod and their levels\n<%= config.bin %> pc log productpage-v1-7f9c8d6b5-x2k4m.default',
    '# every logger of every productpage pod to debug\n<%= config.bin %> pc log deploy/productpage-v1 --level debug',
    '# two loggers (a later item wins; an item without a logger sets every logger and replaces the items before it)\n<%= config.bin %> pc log -l app=reviews --level http:debug,redis:trace',
    "# back to the sidecar injector's level (warning when the mesh does not set one)\n<%= config.bin %> pc log productpage-v1-7f9c8d6b5-x2k4m --reset",
  ]
  static override args = {
    pod: Args.string({description: 'Pod: [<type>/]<name>[.<namespace>]; a workload reference means every one of its pods', required: false, ignoreStdin: true}),
  }
  static override flags = {
    level: Flags.string({
      description: 'Comma-separated levels to set: <level> for every logger, or <logger>:<level> (also <logger>=<level>) for one logger',
      helpValue: '<levels>',
    }),
    reset: Flags.boolean({char: 'r', description: "Reset every logger to the sidecar injector's proxy log level (default warning)"}),
    output: Flags.string({char: 'o', description: 'Output format: only short applies to this command', helpValue: 'short', hidden: true}),
    selector: Flags.string({char: 'l', description: 'Label selector: every matching pod in the namespace'}),
    'istio-namespace': Flags.string({char: 'i', aliases: ['istioNamespace'], description: 'Namespace of the istio-sidecar-injector ConfigMap (--reset)', default: 'istio-system', env: 'ISTIOCTL_ISTIONAMESPACE'}),
    ...onePodFlags,
    'max-concurrency': liveFlags['max-concurrency'],
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Log)
    const {runProxyLogCommand} = await import('../../src/cli/proxy-log.js')
    await runProxyLogCommand(args.pod, flags)
  }
}
