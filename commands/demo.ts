import {realpathSync} from 'node:fs'
import {Command} from '@oclif/core/command'

export default class Demo extends Command {
  static override summary = 'A guided tour of meshctl against the sandbox cluster (nothing leaves this machine)'
  static override description =
    'Starts the sandbox cluster (a local fake Kubernetes API server running the Bookinfo mesh with Envoy admin emulation, istiod ' +
    'replicas and ambient mode), runs a series of meshctl commands against it, printing each command and its output, then stops it. ' +
    'Exit 0 when every command behaved as the tour expects, 1 otherwise. To keep a sandbox running and try commands yourself, use `<%= config.bin %> sandbox`.'
  static override examples = ['<%= config.bin %> demo', 'npx meshctl demo']

  async run(): Promise<void> {
    await this.parse(Demo)
    const {runDemo} = await import('../src/cli/demo.js')
    // the tour runs the meshctl that runs it: bin/run.js of this installation (argv[1], also after run.js re-ran
    // itself on a newer Node), with this Node
    const failed = await runDemo({bin: realpathSync(process.argv[1]!)})
    if (failed) this.exit(1)
  }
}
