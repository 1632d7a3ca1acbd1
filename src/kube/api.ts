/**
 * Kubernetes access: kubeconfig as kubectl reads it (KUBECONFIG, --kubeconfig, --context, the context's
 * namespace), every auth method client-node supports (tokens, client certificates, exec plugins, OIDC), and
 * REST GETs whose failures become one-line errors a user can act on. client-node is imported lazily: it
 * costs ~0.5 s to load and only live commands need it.
 */
import {existsSync} from 'node:fs'
import https from 'node:https'
import http from 'node:http'
import {homedir} from 'node:os'
import {delimiter, join, resolve} from 'node:path'
import type {KubeConfig} from '@kubernetes/client-node'
import {ClusterError} from '../errors/index.js'

export interface KubeAccessOptions {
  kubeconfig?: string
  context?: string
  /** -n; when absent, the context's namespace, else `default` */
  namespace?: string
  /** per network step */
  timeoutMs: number
}

export interface KubeStatus {
  kind?: string
  status?: string
  message?: string
  reason?: string
  code?: number
  details?: {name?: string; kind?: string}
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EAI_AGAIN', 'EPIPE'])

/** The files kubectl reads without --kubeconfig: the KUBECONFIG list (missing files skipped, each once), else ~/.kube/config. */
export function kubeconfigFiles(env: NodeJS.ProcessEnv = process.env, home = homedir()): string[] {
  if (env.KUBECONFIG) {
    const seen = new Set<string>()
    return env.KUBECONFIG.split(delimiter).filter((f) => {
      if (f === '' || seen.has(resolve(f))) return false
      seen.add(resolve(f))
      return existsSync(f)
    })
  }
  const def = join(home, '.kube', 'config')
  return existsSync(def) ? [def] : []
}

/**
 * kubectl's loading rules (client-go clientcmd): every file of KUBECONFIG that exists, merged so that the first file
 * to name a cluster, user or context (and to set current-context) wins; a missing file is skipped and the same file
 * twice is read once (client-node's loadFromDefault fails on both: ENOENT, `Duplicate cluster`). With no file at all,
 * the in-cluster config when running in a pod, else a message saying what to set (client-node would fall back to an
 * in-cluster config that does not exist, and fail with an HTTP error about "loaded-context").
 */
function loadDefaultKubeconfig(kc: KubeConfig, Ctor: new () => KubeConfig): void {
  const files = kubeconfigFiles()
  if (files.length === 0) {
    if (process.env.KUBERNETES_SERVICE_HOST && process.env.KUBERNETES_SERVICE_PORT) {
      kc.loadFromCluster()
      return
    }
    throw new ClusterError('no kubeconfig found', {code: 'E_NO_KUBECONFIG', hint: 'set KUBECONFIG or --kubeconfig (or use --file with a saved dump)'})
  }
  if (files.length === 1) {
    kc.loadFromFile(files[0]!)
    return
  }
  const byName = <T extends {name: string}>(lists: T[][]): T[] => {
    const seen = new Map<string, T>()
    for (const list of lists) for (const item of list) if (!seen.has(item.name)) seen.set(item.name, item)
    return [...seen.values()]
  }
  const loaded = files.map((f) => {
    const one = new Ctor()
    one.loadFromFile(f)
    return one
  })
  kc.loadFromOptions({
    clusters: byName(loaded.map((k) => k.getClusters())),
    users: byName(loaded.map((k) => k.getUsers())),
    contexts: byName(loaded.map((k) => k.getContexts())),
    currentContext: loaded.map((k) => k.getCurrentContext()).find((c) => c) ?? '',
  })
}

export class KubeApi {
  readonly kc: KubeConfig
  readonly namespace: string
  readonly context: string
  readonly server: string
  /** the cluster's `proxy-url` (HTTP(S) or SOCKS), when the kubeconfig routes the API server through one */
  readonly proxyUrl: string | undefined
  readonly timeoutMs: number

  private constructor(kc: KubeConfig, namespace: string, timeoutMs: number) {
    this.kc = kc
    this.namespace = namespace
    this.context = kc.getCurrentContext()
    this.server = kc.getCurrentCluster()?.server ?? ''
    this.proxyUrl = kc.getCurrentCluster()?.proxyUrl || undefined
    this.timeoutMs = timeoutMs
  }

  static async open(opts: KubeAccessOptions): Promise<KubeApi> {
    const {KubeConfig} = await import('./client-node.js')
    const kc = new KubeConfig()
    try {
      if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig)
      else loadDefaultKubeconfig(kc, KubeConfig)
    } catch (err) {
      if (err instanceof ClusterError) throw err
      throw new ClusterError(`cannot load kubeconfig${opts.kubeconfig ? ` ${opts.kubeconfig}` : ''}: ${(err as Error).message}`, {
        hint: 'point --kubeconfig or KUBECONFIG at a valid file',
        cause: err,
      })
    }
    if (opts.context) {
      if (!kc.getContextObject(opts.context)) {
        const known = kc.getContexts().map((c) => c.name)
        throw new ClusterError(`context "${opts.context}" is not in the kubeconfig`, {hint: known.length ? `known contexts: ${known.join(', ')}` : 'the kubeconfig has no contexts'})
      }
      kc.setCurrentContext(opts.context)
    }
    if (!kc.getCurrentCluster()) {
      throw new ClusterError('no Kubernetes cluster is configured (the kubeconfig has no current context)', {
        hint: 'set KUBECONFIG or pass --kubeconfig and --context; or use --file with a saved dump',
      })
    }
    const ctxNs = kc.getContextObject(kc.getCurrentContext())?.namespace
    return new KubeApi(kc, opts.namespace || ctxNs || 'default', opts.timeoutMs)
  }

  /** TLS, auth headers and agent for a request to the API server (also used for WebSocket upgrades). */
  async requestOptions(path: string): Promise<https.RequestOptions> {
    const url = new URL(path, this.server)
    const opts: https.RequestOptions = {
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port || (url.protocol === 'https:' ? 443 : 80),
      path: url.pathname + url.search,
      method: 'GET',
      headers: {Accept: 'application/json', 'User-Agent': 'meshctl'},
    }
    try {
      await this.kc.applyToHTTPSOptions(opts)
    } catch (err) {
      throw new ClusterError(`cannot get credentials for context "${this.context}": ${(err as Error).message}`, {
        hint: 'log in again (an exec or OIDC auth plugin failed)',
        cause: err,
      })
    }
    return opts
  }

  /** GET a JSON object from the API server. API errors keep the server's own message. */
  async get<T>(path: string, what: string): Promise<T> {
    const opts = await this.requestOptions(path)
    const {status, body} = await this.send(opts, what)
    if (status >= 200 && status < 300) {
      try {
        return JSON.parse(body.toString('utf8')) as T
      } catch {
        throw new ClusterError(`the API server answered ${what} with something that is not JSON`)
      }
    }
    throw this.statusError(status, body, what)
  }

  private send(opts: https.RequestOptions, what: string): Promise<{status: number; body: Buffer}> {
    const lib = opts.protocol === 'http:' ? http : https
    return new Promise((resolve, reject) => {
      const req = lib.request(opts, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          clearTimeout(timer)
          resolve({status: res.statusCode ?? 0, body: Buffer.concat(chunks)})
        })
        res.on('error', (err) => reject(this.networkError(err, what)))
      })
      const timer = setTimeout(() => {
        req.destroy()
        reject(this.timeoutError(what))
      }, this.timeoutMs)
      req.on('error', (err) => {
        clearTimeout(timer)
        reject(this.networkError(err, what))
      })
      req.end()
    })
  }

  timeoutError(what: string): ClusterError {
    return new ClusterError(`timed out after ${fmtSeconds(this.timeoutMs)} waiting for the API server at ${this.server} (${what})`, {
      code: 'E_TIMEOUT',
      hint: 'check the cluster is reachable, or raise --timeout',
    })
  }

  networkError(err: Error, what: string): ClusterError {
    // a SOCKS proxy agent's error carries the refusal in its message only ("connect ECONNREFUSED 127.0.0.1:1080")
    const code = (err as NodeJS.ErrnoException).code ?? (this.proxyUrl ? (/\b(E[A-Z_]+)\b/.exec(err.message)?.[1] ?? '') : '')
    if (NETWORK_CODES.has(code)) {
      // through a proxy, the code may be the proxy's (refused, not found) as much as the API server's
      const via = this.proxyUrl ? ` through proxy ${this.proxyUrl}` : ''
      return new ClusterError(`cannot reach the Kubernetes API server at ${this.server}${via} (${code}) while ${what}`, {
        code: 'E_UNREACHABLE',
        hint: this.proxyUrl
          ? `check that the proxy answers, the cluster's proxy-url in context "${this.context}" (--context, KUBECONFIG), and your network or VPN`
          : `check context "${this.context}" (--context, KUBECONFIG) and your network or VPN`,
        cause: err,
      })
    }
    if (/certificate|self.signed|CERT_|SSL|TLS/i.test(`${code} ${err.message}`)) {
      return new ClusterError(`TLS with the API server at ${this.server} failed: ${err.message}`, {
        code: 'E_TLS',
        hint: 'check certificate-authority data in the kubeconfig',
        cause: err,
      })
    }
    return new ClusterError(`talking to the API server at ${this.server} failed while ${what}: ${err.message}`, {cause: err})
  }

  /** Turns an API error response into a message: the server's Status text plus what to do. */
  statusError(status: number, body: Buffer, what: string): ClusterError {
    let st: KubeStatus = {}
    try {
      st = JSON.parse(body.toString('utf8')) as KubeStatus
    } catch {
      // not a Status: keep the HTTP code
    }
    const message = st.message || `HTTP ${status}`
    if (status === 401) {
      return new ClusterError(`the API server rejected the credentials of context "${this.context}" (401 Unauthorized)`, {
        code: 'E_UNAUTHORIZED',
        hint: 'they may have expired: log in again or refresh the token',
      })
    }
    if (status === 403) return new ClusterError(message, {code: 'E_FORBIDDEN', hint: 'ask your cluster admin for that RBAC permission'})
    if (status === 404) return new ClusterError(message, {code: 'E_NOT_FOUND'})
    return new ClusterError(`${what}: ${message}`)
  }
}

export function fmtSeconds(ms: number): string {
  // under a second in ms: `--timeout 1ms` timed out "after 0.0s"
  if (ms < 1000) return `${ms}ms`
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${Number((ms / 1000).toFixed(3))}s`
}
