/**
 * `node dist/src/sandbox/main.js [options]`: runs the sandbox cluster in the foreground, for `npm run sandbox` /
 * `npm run demo` (a first try of meshctl without a cluster). Prints the KUBECONFIG to use; Ctrl-C stops it and
 * removes its temporary files.
 *
 *   --port <n>          listen on 127.0.0.1:<n> (default: any free port)
 *   --kubeconfig <path> write the kubeconfig there (default: a temporary file)
 *   --namespace <ns>    namespace of the kubeconfig's context (default: bookinfo)
 *   --spec <module>     a module whose default export (or `spec` export) is a SandboxSpec or a function returning one;
 *                       default: the built-in demo mesh (./demo.ts)
 */
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {startSandbox} from './cluster.js'
import {demoSpec} from './demo.js'
import type {SandboxSpec} from './types.js'

const USAGE = `usage: sandbox [--port <n>] [--kubeconfig <path>] [--namespace <ns>] [--spec <module>]\n`

export interface SandboxCliOptions {
  port?: number
  kubeconfig?: string
  namespace: string
  spec?: string
}

export function parseArgs(argv: string[]): SandboxCliOptions | string {
  const o: SandboxCliOptions = {namespace: 'bookinfo'}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    const [flag, inline] = a.includes('=') ? (a.split(/=(.*)/s, 2) as [string, string]) : [a, undefined]
    const value = (): string => {
      const v = inline ?? argv[++i]
      if (v === undefined) throw new Error(`${flag} needs a value`)
      return v
    }
    try {
      if (flag === '--port') o.port = Number(value())
      else if (flag === '--kubeconfig') o.kubeconfig = path.resolve(value())
      else if (flag === '--namespace' || flag === '-n') o.namespace = value()
      else if (flag === '--spec') o.spec = path.resolve(value())
      else if (flag === '--help' || flag === '-h') return USAGE
      else return `unknown option ${a}\n${USAGE}`
    } catch (err) {
      return `${(err as Error).message}\n${USAGE}`
    }
  }
  if (o.port !== undefined && !(Number.isInteger(o.port) && o.port >= 0 && o.port <= 65535)) return `invalid --port\n${USAGE}`
  return o
}

async function loadSpec(file: string | undefined): Promise<SandboxSpec> {
  if (!file) return demoSpec()
  const mod = (await import(pathToFileURL(file).href)) as {default?: unknown; spec?: unknown}
  const exported = mod.default ?? mod.spec
  const spec = typeof exported === 'function' ? await (exported as () => SandboxSpec | Promise<SandboxSpec>)() : exported
  if (!spec || typeof spec !== 'object') throw new Error(`${file} exports no SandboxSpec (default export or \`spec\`)`)
  return spec as SandboxSpec
}

export async function runSandboxCli(argv: string[]): Promise<void> {
  const o = parseArgs(argv)
  if (typeof o === 'string') {
    process.stderr.write(o)
    process.exitCode = o === USAGE ? 0 : 2
    return
  }
  const spec = await loadSpec(o.spec)
  const sb = await startSandbox(spec, {port: o.port, kubeconfigPath: o.kubeconfig, defaultNamespace: o.namespace})
  // handlers first: a signal arriving before they exist would kill the process without cleanup
  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  const pods = (spec.pods ?? []).filter((p) => p.ports?.[15000])
  const example = pods[0]
  process.stdout.write(
    [
      `meshctl sandbox cluster: ${sb.url} (a local fake Kubernetes API server; nothing leaves this machine)`,
      '',
      `  export KUBECONFIG=${sb.kubeconfigPath}`,
      '  kubectl get pods -A',
      example ? `  meshctl proxy-config clusters ${example.name}.${example.namespace}` : '',
      example ? `  meshctl proxy-config listeners ${example.name} -n ${example.namespace}` : '',
      '',
      `${pods.length} sidecars answer on :15000 (Envoy admin emulation). Press Ctrl-C to stop.`,
      '',
    ]
      .filter((l, i, all) => l !== '' || all[i - 1] !== '')
      .join('\n'),
  )
  await stopped
  await sb.close()
  process.stdout.write('sandbox stopped\n')
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  runSandboxCli(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exitCode = 1
  })
}
