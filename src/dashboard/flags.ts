/** Flags of `dashboard envoy` (istioctl's, plus the kube flags meshctl shares), validated at parse time. */
import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {durationFlag, liveFlags, portNumber} from '../cli/flags.js'
import {UsageError} from '../errors/index.js'
import {parseListenAddress} from './listen.js'

const uiPort = portNumber('ui-port')

const localPort = portNumber('port', 0, 'the ui-port if free, else a random one')

export const envoyDashboardArgs = {
  pod: Args.string({description: 'Pod: [<type>/]<name>[.<namespace>] (type: deployment, service, ...; one of its pods is used)', required: false, ignoreStdin: true}),
}

export const envoyDashboardFlags = {
  kubeconfig: liveFlags.kubeconfig,
  context: liveFlags.context,
  namespace: liveFlags.namespace,
  selector: Flags.string({char: 'l', description: 'Label selector: use the first matching pod in the namespace (a warning names it when several match)'}),
  port: Flags.custom<number>({
    char: 'p',
    description: 'Local port to listen on (default: the same as --ui-port if free, else a random one)',
    default: 0,
    parse: localPort,
  })(),
  address: Flags.custom<string>({
    description: "Address to listen on: localhost or an IP. Beyond loopback (e.g. 0.0.0.0), anyone who can reach this machine can use Envoy's admin API",
    default: 'localhost',
    parse: async (value) => parseListenAddress(value).text,
  })(),
  browser: Flags.boolean({description: 'Open the dashboard in a browser (--browser=false or --no-browser: only print the URL)', default: true, allowNo: true}),
  'ui-port': Flags.custom<number>({description: "Envoy's admin port in the pod", default: 15000, parse: uiPort})(),
  agent: Flags.boolean({
    description: "Open pilot-agent's debug port (15020: /debug/pprof/, /debug/ndsz, /stats/prometheus) instead of Envoy's admin port (--ui-port is then not used)",
  }),
  timeout: durationFlag({
    name: 'timeout',
    description: 'Time limit for each network step: API requests, opening a port-forward stream (e.g. 30s, 2m)',
    default: '30s',
  }),
}

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True'])
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False'])

/**
 * `--browser=false` as pflag accepts it (oclif's boolean flags only know `--browser` / `--no-browser`):
 * `--<name>=<bool>` becomes `--<name>` or `--no-<name>`; values are Go's strconv.ParseBool ones.
 */
export function normalizeBooleanFlags(argv: string[], names: string[]): string[] {
  const out: string[] = []
  let flagsDone = false
  for (const arg of argv) {
    const m = flagsDone ? null : /^--([^=]+)=(.*)$/s.exec(arg)
    if (arg === '--') flagsDone = true
    if (!m || !names.includes(m[1])) {
      out.push(arg)
      continue
    }
    const [, name, value] = m
    if (GO_TRUE.has(value)) out.push(`--${name}`)
    else if (GO_FALSE.has(value)) out.push(`--no-${name}`)
    else throw new UsageError(`invalid argument "${value}" for "--${name}" flag: use true or false`)
  }
  return out
}

/** Flags of `dashboard controlz` and `dashboard istiod-debug`: the pod choice of istioctl (name, -l or -r, in -i). */
export const istiodDashboardArgs = {
  pod: Args.string({description: 'istiod pod: <name>[.<namespace>] (default namespace: --istio-namespace)', required: false, ignoreStdin: true}),
}

export const istiodDashboardFlags = {
  kubeconfig: liveFlags.kubeconfig,
  context: liveFlags.context,
  selector: Flags.string({char: 'l', description: 'Label selector (app=istiod is added): the first matching istiod pod'}),
  revision: Flags.string({char: 'r', description: 'Control plane revision: the first istiod pod with label istio.io/rev=<revision>'}),
  'istio-namespace': Flags.string({char: 'i', aliases: ['istioNamespace'], description: 'Namespace where istiod runs', default: 'istio-system', env: 'ISTIOCTL_ISTIONAMESPACE'}),
  port: envoyDashboardFlags.port,
  address: envoyDashboardFlags.address,
  browser: envoyDashboardFlags.browser,
  timeout: envoyDashboardFlags.timeout,
}
