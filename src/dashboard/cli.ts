/**
 * The body of `meshctl dashboard envoy`: argument checks, Kubernetes access, pod choice, the forward, the URL and
 * the browser, then waiting for Ctrl-C (SIGINT) or SIGTERM, after which everything is closed and the command
 * returns (exit 0). Output as istioctl: the URL on stdout, then `skipping opening a browser` or the browser.
 */
import type {ForwardHandle} from './forward.js'
import type {ListenAddress} from './listen.js'

export interface EnvoyDashboardFlags {
  pod?: string
  selector?: string
  kubeconfig?: string
  context?: string
  namespace?: string
  timeout: number
  /** -p; 0 = the ui-port if free, else a random one */
  port: number
  /** localhost or an IP */
  address: string | ListenAddress
  browser: boolean
  'ui-port': number
  /** pilot-agent's 15020 instead of Envoy's admin port */
  agent?: boolean
}

export interface DashboardIo {
  out(text: string): void
  err(text: string): void
  /** resolves when the user stops the dashboard; default: SIGINT or SIGTERM */
  stopped?: Promise<unknown>
  /** for tests: called once the dashboard is up */
  ready?(handle: ForwardHandle): void
}

const processIo: DashboardIo = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
}

/** Resolves on the first SIGINT/SIGTERM; a second one exits at once. */
export function untilSignal(signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (sig: NodeJS.Signals): void => {
      for (const s of signals) process.off(s, onSignal)
      for (const s of signals) process.once(s, () => process.exit(130))
      resolve(sig)
    }
    for (const s of signals) process.on(s, onSignal)
  })
}

/** Same message, at most once per interval: a browser retrying a dead port would otherwise flood stderr. */
export function throttled(write: (line: string) => void, intervalMs = 5000): (message: string) => void {
  const last = new Map<string, number>()
  return (message) => {
    const now = Date.now()
    if (now - (last.get(message) ?? -Infinity) < intervalMs) return
    last.set(message, now)
    write(message)
  }
}

export async function runEnvoyDashboard(flags: EnvoyDashboardFlags, io: DashboardIo = processIo): Promise<void> {
  const {checkPodChoice, choosePod} = await import('./envoy.js')
  checkPodChoice({name: flags.pod, selector: flags.selector})
  const {parseListenAddress} = await import('./listen.js')
  const address = typeof flags.address === 'string' ? parseListenAddress(flags.address) : flags.address
  // everything Kubernetes is loaded only now (client-node is slow to import)
  const {KubeApi} = await import('../kube/api.js')
  const api = await KubeApi.open({kubeconfig: flags.kubeconfig, context: flags.context, namespace: flags.namespace, timeoutMs: flags.timeout})
  const pod = await choosePod(api, {name: flags.pod, selector: flags.selector}, (m) => io.err(`Warning: ${m}\n`))
  const served = flags.agent
    ? {uiPort: AGENT_PORT, path: '/debug/pprof/', container: 'istio-proxy', what: "pilot-agent's debug endpoints", canChange: 'profile it, or make it quit (/quitquitquit)'}
    : {uiPort: flags['ui-port'], path: '', container: 'istio-proxy', what: "Envoy's admin API", canChange: 'change the proxy (log levels, draining, shutting it down)'}
  if (flags.agent) io.err(`pilot-agent on ${pod.metadata.name}.${pod.metadata.namespace}:${AGENT_PORT} also serves /debug/ndsz, /stats/prometheus, /healthz/ready\n`)
  await serveDashboard(api, pod, {...served, address, port: flags.port, browser: flags.browser}, io)
}

/** pilot-agent's status port (`dashboard envoy --agent`). */
export const AGENT_PORT = 15020

export interface ServeOptions {
  /** the port in the pod */
  uiPort: number
  /** appended to the printed and opened URL, e.g. `/debug` */
  path: string
  /** the container the pod must have ('' = only the phase is checked) */
  container: string
  /** for the beyond-loopback warning: what anyone could use, and what it can do */
  what: string
  canChange: string
  address: ListenAddress
  /** -p (0 = the ui-port if free, else a random one) */
  port: number
  browser: boolean
}

/** The forward, the URL and the browser, then waiting for Ctrl-C (SIGINT) or SIGTERM; shared by every dashboard. */
export async function serveDashboard(api: import('../kube/api.js').KubeApi, pod: import('../kube/pods.js').Pod, opts: ServeOptions, io: DashboardIo = processIo): Promise<void> {
  const {startEnvoyDashboard} = await import('./envoy.js')
  const {portPreferences} = await import('./listen.js')
  const {openBrowser} = await import('./browser.js')
  const {isMeshctlError} = await import('../errors/index.js')
  // listen for signals before anything is printed, so a Ctrl-C right after the URL still closes cleanly
  const stopped = io.stopped ?? untilSignal()
  const report = throttled((m) => io.err(`Error: forwarding a connection to ${pod.metadata.name}.${pod.metadata.namespace}:${opts.uiPort}: ${m}\n`))
  const handle = await startEnvoyDashboard(api, pod, {
    uiPort: opts.uiPort,
    address: opts.address,
    container: opts.container,
    ports: portPreferences(opts.port, opts.uiPort),
    onError: (err) => report(isMeshctlError(err) ? err.oneLine : err.message),
  })
  try {
    if (!opts.address.loopback) {
      io.err(
        `Warning: listening on ${opts.address.urlHost}:${handle.port}: anyone who can reach this machine on that port can use ${opts.what} ` +
          `of ${pod.metadata.name}.${pod.metadata.namespace}, which can ${opts.canChange}; ` +
          'use --address localhost unless you mean that\n',
      )
    }
    await openBrowser(`${handle.url}${opts.path}`, opts.browser, {out: io.out})
    io.ready?.(handle)
    await stopped
  } finally {
    await handle.close()
    // a WebSocket close handshake the API server never answers must not keep the process around
    if (io === processIo) setTimeout(() => process.exit(process.exitCode ?? 0), 3000).unref()
  }
}
