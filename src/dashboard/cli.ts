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
function throttled(write: (line: string) => void, intervalMs = 5000): (message: string) => void {
  const last = new Map<string, number>()
  return (message) => {
    const now = Date.now()
    if (now - (last.get(message) ?? -Infinity) < intervalMs) return
    last.set(message, now)
    write(message)
  }
}

export async function runEnvoyDashboard(flags: EnvoyDashboardFlags, io: DashboardIo = processIo): Promise<void> {
  const {checkPodChoice, choosePod, startEnvoyDashboard} = await import('./envoy.js')
  checkPodChoice({name: flags.pod, selector: flags.selector})
  const {parseListenAddress, portPreferences} = await import('./listen.js')
  const address = typeof flags.address === 'string' ? parseListenAddress(flags.address) : flags.address
  const {openBrowser} = await import('./browser.js')
  const {isMeshctlError} = await import('../errors/index.js')
  // everything Kubernetes is loaded only now (client-node is slow to import)
  const {KubeApi} = await import('../kube/api.js')
  const api = await KubeApi.open({kubeconfig: flags.kubeconfig, context: flags.context, namespace: flags.namespace, timeoutMs: flags.timeout})
  const pod = await choosePod(api, {name: flags.pod, selector: flags.selector}, (m) => io.err(`Warning: ${m}\n`))
  // listen for signals before anything is printed, so a Ctrl-C right after the URL still closes cleanly
  const stopped = io.stopped ?? untilSignal()
  const report = throttled((m) => io.err(`Error: forwarding a connection to ${pod.metadata.name}.${pod.metadata.namespace}:${flags['ui-port']}: ${m}\n`))
  const handle = await startEnvoyDashboard(api, pod, {
    uiPort: flags['ui-port'],
    address,
    ports: portPreferences(flags.port, flags['ui-port']),
    onError: (err) => report(isMeshctlError(err) ? err.oneLine : err.message),
  })
  try {
    if (!address.loopback) {
      io.err(
        `Warning: listening on ${address.urlHost}:${handle.port}: anyone who can reach this machine on that port can use Envoy's admin API ` +
          `of ${pod.metadata.name}.${pod.metadata.namespace}, which can change the proxy (log levels, draining, shutting it down); ` +
          'use --address localhost unless you mean that\n',
      )
    }
    await openBrowser(handle.url, flags.browser, {out: io.out})
    io.ready?.(handle)
    await stopped
  } finally {
    await handle.close()
    // a WebSocket close handshake the API server never answers must not keep the process around
    if (io === processIo) setTimeout(() => process.exit(process.exitCode ?? 0), 3000).unref()
  }
}
