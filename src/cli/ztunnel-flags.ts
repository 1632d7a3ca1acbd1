/** Flags of the `ztunnel-config` (`zc`) commands: istioctl's (§11.1), plus meshctl's --query, --color and cluster access. */
import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {commonFlags, liveFlags, outputFlag, portInRange} from './flags.js'

export const ztunnelArg = {
  // ignoreStdin: oclif would otherwise read piped stdin into a missing argument (breaking `-f -`)
  pod: Args.string({
    description: 'A ztunnel pod, or a workload pod (its node\'s ztunnel is used and the rows narrowed to it): [<type>/]<name>[.<namespace>]',
    required: false,
    ignoreStdin: true,
  }),
}

/** Reaching the cluster and the ztunnel (every zc subcommand has them, `log` included). */
export const ztunnelAccessFlags = {
  file: Flags.string({char: 'f', description: 'Ztunnel config dump JSON file (what ztunnel answers on /config_dump); - reads standard input', helpValue: '<path>'}),
  node: Flags.string({description: 'Use the ztunnel pod running on this node'}),
  'proxy-admin-port': Flags.custom<number>({description: 'Ztunnel proxy admin port', default: 15000, parse: portInRange('proxy-admin-port')})(),
  kubeconfig: liveFlags.kubeconfig,
  context: liveFlags.context,
  namespace: Flags.string({char: 'n', description: 'Namespace of the pod given (default: the istio namespace)'}),
  'istio-namespace': Flags.string({
    char: 'i',
    aliases: ['istioNamespace'],
    description: 'Namespace where the ztunnel DaemonSet runs',
    default: 'istio-system',
    env: 'ISTIOCTL_ISTIONAMESPACE',
  }),
  timeout: liveFlags.timeout,
}

export const ztunnelViewFlags = {
  ...ztunnelAccessFlags,
  output: outputFlag(),
  query: commonFlags.query,
  color: commonFlags.color,
}

export const ztunnelUsage = ['<%= command.id %> [flags]', '<%= command.id %> [<type>/]<name>[.<namespace>] [flags]', '<%= command.id %> --node <node> [flags]', '<%= command.id %> --file <path> [flags]']
