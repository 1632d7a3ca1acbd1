import * as Args from '@oclif/core/args'
import {Command} from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'
import {commonFlags, outputFlag} from '../../src/cli/flags.js'
import {proxyStatusFlags} from '../../src/istiod/flags.js'

export default class IstiodDebug extends Command {
  static override summary = "Query istiod's debug interface (/debug/adsz, registryz, configz, ...): every replica, decoded into tables"
  static override description =
    "Without an endpoint: what istiod serves (its /debug index). With one, asks every running istiod replica (or the -r revision, or the " +
    'pod named by --istiod) for /debug/<endpoint> over a port-forward to its monitoring port (or the xDS debug interface, as proxy-status), ' +
    'and prints adsz/connections (connected proxies: their istiod, connection age, address, watched types), registryz (services), ' +
    'configz (config objects by kind, namespace and name), endpointz/endpointShardz and push_status as tables; any other endpoint as ' +
    "istiod's answer (JSON re-indented). -o json|yaml and --query act on istiod's answer (an object keyed by istiod pod when several " +
    "answered). Endpoints that need a proxy (edsz, config_dump, ndsz, sidecarz) take --proxy <pod>.<namespace>. istioctl's `x internal-debug`."
  static override usage = ['<%= command.id %> [flags]', '<%= command.id %> <endpoint> [flags]']
  static override examples = [
    '# what istiod serves\n<%= config.bin %> istiod debug',
    '# the proxies connected to every istiod, with the types they watch\n<%= config.bin %> istiod debug adsz',
    '# one proxy\'s endpoints as istiod computed them, from the istiod it is connected to\n<%= config.bin %> istiod debug edsz --proxy productpage-v1-7f9c8d6b5-x2k4m.default -o json',
    "# the config objects istiod knows, on the canary revision only\n<%= config.bin %> istiod debug configz -r canary",
    "<%= config.bin %> istiod debug registryz --query \"[?Attributes.Namespace=='default'].hostname\"",
  ]
  static override args = {
    endpoint: Args.string({description: 'Debug endpoint: adsz, connections, registryz, configz, endpointz, push_status, syncz, edsz, config_dump, ... (with ?<query> if wanted)', required: false, ignoreStdin: true}),
  }
  static override flags = {
    proxy: Flags.string({description: 'The proxy for endpoints that take one (sent as ?proxyID=): <pod>.<namespace>', helpValue: '<pod.namespace>'}),
    param: Flags.string({description: 'Another query parameter, <name>=<value> (repeatable), e.g. --param namespace=default for syncz', helpValue: '<name=value>', multiple: true}),
    file: Flags.string({char: 'f', description: "A saved answer of that endpoint (or of /debug) instead of asking istiod; - reads standard input", helpValue: '<path>'}),
    istiod: Flags.string({description: 'Ask only this istiod pod (in -i/--istio-namespace)', helpValue: '<pod>'}),
    revision: Flags.string({char: 'r', description: 'Only the istiod pods of this control plane revision (label istio.io/rev); default: every running istiod'}),
    'istio-namespace': proxyStatusFlags['istio-namespace'],
    output: outputFlag(),
    query: commonFlags.query,
    color: commonFlags.color,
    kubeconfig: proxyStatusFlags.kubeconfig,
    context: proxyStatusFlags.context,
    timeout: proxyStatusFlags.timeout,
    via: proxyStatusFlags.via,
    'xds-address': proxyStatusFlags['xds-address'],
    'xds-port': proxyStatusFlags['xds-port'],
    plaintext: proxyStatusFlags.plaintext,
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(IstiodDebug)
    const {runIstiodDebug} = await import('../../src/cli/istiod-debug.js')
    await runIstiodDebug(args.endpoint, flags)
  }
}
