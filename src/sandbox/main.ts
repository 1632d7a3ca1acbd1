/**
 * `node dist/src/sandbox/main.js [options]`: runs the sandbox cluster in the foreground, for `npm run sandbox` /
 * `npm run demo` (a first try of meshctl without a cluster). Prints the KUBECONFIG to use; Ctrl-C stops it and
 * removes its temporary files.
 *
 *   --port <n>            listen on 127.0.0.1:<n> (default: any free port)
 *   --kubeconfig <path>   write the kubeconfig there (default: a temporary file)
 *   --namespace <ns>      namespace of the kubeconfig's context (default: `default`; `bookinfo` for --scenario demo)
 *   --scenario <name>     `bookinfo` (default): the generator's Bookinfo mesh (../gen, served by ./mesh.ts), with
 *                         istiod and the failure-mode pods; `synthetic`: the generator's synthetic mesh (--services);
 *                         `demo`: the small hand-written demo mesh (./demo.ts)
 *   --services <n>        size of the synthetic mesh (implies --scenario synthetic; default 100)
 *   --no-extras           bookinfo/synthetic: no istiod debug endpoints, no failure-mode pods
 *   --spec <module>       a module whose default export (or `spec` export) is a SandboxSpec or a function returning one;
 *                         overrides --scenario
 */
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {bookinfo} from '../gen/bookinfo.js'
import {syntheticMesh} from '../gen/synthetic.js'
import {startSandbox} from './cluster.js'
import {demoSpec} from './demo.js'
import {FAILURE_NAMESPACE, FAILURE_PODS, meshSandboxSpec} from './mesh.js'
import type {SandboxSpec} from './types.js'

const USAGE = `usage: sandbox [--port <n>] [--kubeconfig <path>] [--namespace <ns>] [--scenario bookinfo|synthetic|demo] [--services <n>] [--no-extras] [--spec <module>]\n`

export const SCENARIOS = ['bookinfo', 'synthetic', 'demo'] as const
export type Scenario = (typeof SCENARIOS)[number]

export const DEFAULT_SYNTHETIC_SERVICES = 100

export interface SandboxCliOptions {
  port?: number
  kubeconfig?: string
  namespace: string
  spec?: string
  /** absent = bookinfo */
  scenario?: Scenario
  /** synthetic only */
  services?: number
  /** only present (false) with --no-extras */
  extras?: boolean
}

export function parseArgs(argv: string[]): SandboxCliOptions | string {
  const o: Partial<SandboxCliOptions> = {}
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
      else if (flag === '--scenario') {
        const v = value()
        if (!(SCENARIOS as readonly string[]).includes(v)) return `invalid --scenario ${v} (one of ${SCENARIOS.join(', ')})\n${USAGE}`
        o.scenario = v as Scenario
      } else if (flag === '--services') o.services = Number(value())
      else if (flag === '--no-extras') o.extras = false
      else if (flag === '--help' || flag === '-h') return USAGE
      else return `unknown option ${a}\n${USAGE}`
    } catch (err) {
      return `${(err as Error).message}\n${USAGE}`
    }
  }
  const done = finishOptions(o)
  return typeof done === 'string' ? `${done}\n${USAGE}` : done
}

/**
 * The checks and defaults every way of starting the sandbox shares (this file's argv, `meshctl sandbox`'s flags):
 * the options, or what is wrong with them (one line).
 */
export function finishOptions(given: Partial<SandboxCliOptions>): SandboxCliOptions | string {
  const o = {...given}
  if (o.port !== undefined && !(Number.isInteger(o.port) && o.port >= 0 && o.port <= 65535)) return 'invalid --port'
  if (o.services !== undefined) {
    if (!(Number.isInteger(o.services) && o.services >= 1)) return 'invalid --services'
    if (o.scenario !== undefined && o.scenario !== 'synthetic') return '--services needs --scenario synthetic'
    o.scenario = 'synthetic'
  }
  o.namespace ??= o.scenario === 'demo' && !o.spec ? 'bookinfo' : 'default'
  return o as SandboxCliOptions
}

/** The spec of a built-in scenario. */
export function scenarioSpec(o: Pick<SandboxCliOptions, 'scenario' | 'services' | 'extras'>): SandboxSpec {
  const extras = o.extras ?? true
  switch (o.scenario ?? 'bookinfo') {
    case 'demo':
      return demoSpec()
    case 'synthetic':
      return meshSandboxSpec(syntheticMesh({services: o.services ?? DEFAULT_SYNTHETIC_SERVICES}), {extras})
    default:
      // the full control plane: istiod replicas, a canary revision, proxies in every sync state; ambient mode
      return meshSandboxSpec(bookinfo(), {extras, istiod: extras ? 'full' : undefined, ambient: extras})
  }
}

async function loadSpec(file: string | undefined, o: SandboxCliOptions): Promise<SandboxSpec> {
  if (!file) return scenarioSpec(o)
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
  await serveSandbox(o)
}

/**
 * Starts the sandbox cluster the options describe, prints where it is (the `export KUBECONFIG=...` line and a few
 * commands to try) and serves it until SIGINT or SIGTERM, then stops it and removes its temporary files. `npm run
 * sandbox` (through runSandboxCli) and `meshctl sandbox` both run this.
 */
export async function serveSandbox(o: SandboxCliOptions): Promise<void> {
  const spec = await loadSpec(o.spec, o)
  const sb = await startSandbox(spec, {port: o.port, kubeconfigPath: o.kubeconfig, defaultNamespace: o.namespace})
  // handlers first: a signal arriving before they exist would kill the process without cleanup
  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  // should anything still fail, the sandbox goes down cleanly: its temporary files removed, one line, exit 1
  process.once('uncaughtException', (err: Error) => {
    process.stderr.write(`Error: the sandbox failed: ${err.message}\n`)
    void sb.close().finally(() => process.exit(1))
  })
  const pods = (spec.pods ?? []).filter((p) => p.ports?.[15000])
  // productpage if there is one: the page every Istio tutorial starts from
  const example = pods.find((p) => p.labels?.app === 'productpage') ?? pods[0]
  const failures = Object.values(FAILURE_PODS).filter((n) => spec.pods?.some((p) => p.name === n && p.namespace === FAILURE_NAMESPACE))
  process.stdout.write(
    [
      `meshctl sandbox cluster: ${sb.url} (a local fake Kubernetes API server; nothing leaves this machine)`,
      '',
      `  export KUBECONFIG=${sb.kubeconfigPath}`,
      '  kubectl get pods -A',
      example ? `  meshctl proxy-config clusters ${example.name}.${example.namespace}` : '',
      example ? `  meshctl proxy-config listeners ${example.name} -n ${example.namespace}` : '',
      '',
      failures.length ? `Failure modes to try (namespace ${FAILURE_NAMESPACE}): ${failures.join(' ')}` : '',
      `${pods.length} Envoy proxies answer on :15000 (Envoy admin emulation). Press Ctrl-C to stop.`,
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
