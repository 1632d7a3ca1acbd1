import {Command} from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'
import {UsageError} from '../src/errors/index.js'

const SCENARIOS = ['bookinfo', 'synthetic', 'demo'] as const

export default class Sandbox extends Command {
  static override summary = 'Run a local sandbox cluster to try meshctl without one (until Ctrl-C)'
  static override description =
    'Starts a local fake Kubernetes API server on 127.0.0.1 whose pods run an Istio mesh: Envoy admin emulation on every proxy ' +
    '(port-forward and exec work as in a real cluster), istiod replicas with a canary revision, ambient mode (ztunnel, a waypoint) ' +
    'and pods that fail in the usual ways. Prints the `export KUBECONFIG=...` line to paste in another terminal, and serves until ' +
    'Ctrl-C (SIGINT) or SIGTERM, then removes its temporary files. Nothing leaves this machine.'
  static override examples = [
    '<%= config.bin %> sandbox',
    '<%= config.bin %> sandbox --kubeconfig /tmp/sandbox.kubeconfig --port 6443',
    '<%= config.bin %> sandbox --scenario synthetic --services 200',
  ]
  static override flags = {
    port: Flags.integer({description: 'Listen on 127.0.0.1:<port> (default: any free port)', min: 0, max: 65535}),
    kubeconfig: Flags.string({description: 'Write the kubeconfig there (default: a temporary file)', helpValue: '<path>'}),
    namespace: Flags.string({char: 'n', description: "Namespace of the kubeconfig's context (default: default; bookinfo for --scenario demo)"}),
    scenario: Flags.custom<(typeof SCENARIOS)[number]>({
      description: 'bookinfo: the Bookinfo mesh with istiod, ambient mode and failure-mode pods; synthetic: a generated mesh of --services services; demo: a small hand-written mesh',
      options: [...SCENARIOS],
    })(),
    services: Flags.integer({description: 'Size of the synthetic mesh (implies --scenario synthetic; default 100)', min: 1}),
    extras: Flags.boolean({description: 'bookinfo/synthetic: istiod debug endpoints, ambient mode and the failure-mode pods', default: true, allowNo: true}),
    spec: Flags.string({description: 'A module whose default export (or `spec` export) is a SandboxSpec, or a function returning one; overrides --scenario', helpValue: '<module>', hidden: true}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Sandbox)
    const path = await import('node:path')
    const {finishOptions, serveSandbox} = await import('../src/sandbox/main.js')
    const options = finishOptions({
      port: flags.port,
      kubeconfig: flags.kubeconfig === undefined ? undefined : path.resolve(flags.kubeconfig),
      namespace: flags.namespace,
      scenario: flags.scenario,
      services: flags.services,
      spec: flags.spec === undefined ? undefined : path.resolve(flags.spec),
      ...(flags.extras ? {} : {extras: false}),
    })
    if (typeof options === 'string') throw new UsageError(options)
    await serveSandbox(options)
  }
}
