import * as Args from '@oclif/core/args'
import {Command} from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'
import {type DiffFlagValues, parseTypes, runDiff} from '../src/cli/diff.js'
import {commonFlags, filterPort, liveFlags, outputFlag} from '../src/cli/flags.js'
import type {DiffType} from '../src/diff/resources.js'
import {normalizeWatchArgv, parseInterval} from '../src/istiod/flags.js'

export default class Diff extends Command {
  static override summary = 'Compare the configuration of two proxies (or a proxy and a saved dump, or the replicas of a workload) resource by resource'
  static override description =
    'Resources are matched by identity (cluster, listener, route configuration / virtual host / route, secret, endpoints per cluster, bootstrap) and ' +
    'compared as proto3 data: key order, snake_case/camelCase spelling, default values and bookkeeping (version_info, last_updated) do not count. ' +
    'Between different pods, per-pod values (pod IP and name in inbound config and the bootstrap, workload certificate serials and validity) are ' +
    'normalised and the output says so. A side that is an existing file is a saved dump (meshctl pc all <pod> -o json > before.json).'
  static override usage = [
    '<%= command.id %> <pod-or-file> <pod-or-file> [flags]',
    '<%= command.id %> -l <selector> [flags]',
    '<%= command.id %> <pod-or-file> --watch [<interval>] [flags]',
  ]
  static override examples = [
    '<%= config.bin %> diff deploy/reviews-v2 before.json',
    '<%= config.bin %> diff reviews-v2-abc reviews-v2-def --type routes,clusters',
    '<%= config.bin %> diff before.json after.json --stat',
    '<%= config.bin %> diff -l app=reviews',
    '<%= config.bin %> diff deploy/productpage-v1 --watch 2s',
    '<%= config.bin %> diff a.json b.json -o json --exit-code',
  ]
  static override args = {
    a: Args.string({description: 'First side: a pod [<type>/]<name>[.<namespace>], or a saved config dump (an existing file; - reads standard input)', required: false, ignoreStdin: true}),
    b: Args.string({description: 'Second side, the same way', required: false, ignoreStdin: true}),
  }
  static override flags = {
    ...liveFlags,
    output: outputFlag(),
    color: commonFlags.color,
    type: Flags.custom<DiffType[]>({
      description: 'Resource types to compare, comma-separated: clusters,listeners,routes,endpoints,secrets,bootstrap (default: all)',
      helpValue: '<types>',
      parse: async (v) => parseTypes(v),
    })(),
    fqdn: Flags.string({description: 'Clusters and endpoints: only those whose service FQDN contains this'}),
    port: filterPort('Clusters, endpoints, listeners and route configurations of this port'),
    name: Flags.string({description: 'Only the resources of this name (for routes: the route configuration name)'}),
    cluster: Flags.string({description: 'Clusters and endpoints: only this cluster'}),
    'include-meta': Flags.boolean({description: 'Also compare version_info, last_updated and error_state times (as _meta)'}),
    normalize: Flags.boolean({description: 'Between different pods, replace per-pod values (pod IP, pod name, node id, certificate serial and validity) before comparing', default: true, allowNo: true}),
    stat: Flags.boolean({description: 'Print only the number of added, removed, changed and unchanged resources per type'}),
    'exit-code': Flags.boolean({description: 'Exit with code 10 when the sides differ (with -l: when a pod differs from the majority)'}),
    watch: Flags.custom<number>({
      char: 'w',
      description: 'Take a snapshot, then every <interval> (default 2s) print only what changed since the previous refresh, timestamped, until Ctrl-C',
      helpValue: '[<interval>]',
      parse: async (v) => parseInterval(v),
    })(),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Diff, normalizeWatchArgv(this.argv))
    const refs = [args.a, args.b].filter((r): r is string => r !== undefined)
    await runDiff(refs, flags as DiffFlagValues)
  }
}
