/** Envoy's admin API inside a pod, reached by port-forward (default) or by exec'ing a client in the sidecar. */
import {ProxyError} from '../errors/index.js'
import type {KubeApi} from './api.js'
import {podId, type Pod} from './pods.js'
import {execCommand, type HttpResult, portForwardRequest, portForwardRequests} from './transport.js'

export type Transport = 'port-forward' | 'exec'
export const TRANSPORTS: readonly Transport[] = ['port-forward', 'exec']

export interface AdminOptions {
  transport: Transport
  adminPort: number
  container: string
}

const firstLine = (b: Buffer | string): string => String(b).trim().split('\n')[0]?.slice(0, 200) ?? ''

/** GET `path` (no leading slash, e.g. `config_dump?mask=bootstrap`) from the pod's Envoy admin API. */
export async function adminGet(api: KubeApi, pod: Pod, path: string, opts: AdminOptions): Promise<Buffer> {
  return adminRequest(api, pod, 'GET', path, opts)
}

/**
 * GET each of `paths` from the pod's Envoy admin API, all at once; the answers in the same order, each settled on its
 * own. Over port-forward, one WebSocket carries a connection per request (one upgrade, not one each); over exec, one
 * exec per request.
 */
export function adminGetEach(api: KubeApi, pod: Pod, paths: readonly string[], opts: AdminOptions): Array<Promise<Buffer>> {
  if (opts.transport !== 'port-forward') return paths.map((path) => adminRequest(api, pod, 'GET', path, opts))
  const {name, namespace} = pod.metadata
  return portForwardRequests(api, namespace, name, opts.adminPort, paths.map((path) => ({method: 'GET', path}))).map(async (answer, i) => adminAnswer(pod, await answer, paths[i]!, opts))
}

/** An admin answer's body; any status but 200 is the proxy's error. */
function adminAnswer(pod: Pod, res: HttpResult, path: string, opts: AdminOptions): Buffer {
  if (res.status !== 200) {
    throw new ProxyError(`Envoy admin on ${podId(pod)}:${opts.adminPort} answered ${res.status} for /${path}: ${firstLine(res.body)}`, {code: 'E_ADMIN'})
  }
  return res.body
}

/**
 * `method` `path` on the pod's Envoy admin API (e.g. `POST logging?level=debug`), over either transport. With
 * `exactBody`, the newline `pilot-agent request` prints after the body is taken off, so both transports give
 * Envoy's bytes (what `pc log` prints as they are).
 */
export async function adminRequest(api: KubeApi, pod: Pod, method: 'GET' | 'POST', path: string, opts: AdminOptions, exactBody = false): Promise<Buffer> {
  const {name, namespace} = pod.metadata
  if (opts.transport === 'port-forward') {
    return adminAnswer(pod, await portForwardRequest(api, namespace, name, opts.adminPort, method, path), path, opts)
  }
  // exec: pilot-agent knows the admin port (--debug-port); curl is the fallback for non-Istio Envoy images
  const agent = ['pilot-agent', 'request', method, path, ...(opts.adminPort !== 15000 ? ['--debug-port', String(opts.adminPort)] : [])]
  let res = await execCommand(api, namespace, name, opts.container, agent)
  let used = agent
  if (res.startError || res.exitCode === 127 || res.exitCode === 126) {
    used = ['curl', '-sSf', ...(method === 'GET' ? [] : ['-X', method]), `http://localhost:${opts.adminPort}/${path}`]
    const viaCurl = await execCommand(api, namespace, name, opts.container, used)
    if (viaCurl.startError || viaCurl.exitCode === 127 || viaCurl.exitCode === 126) {
      throw new ProxyError(`neither pilot-agent nor curl can run in container ${opts.container} of pod ${podId(pod)}`, {
        code: 'E_EXEC_TOOLS',
        hint: 'use --transport port-forward (the default)',
      })
    }
    res = viaCurl
  }
  if (res.exitCode !== 0) {
    const why = firstLine(res.stderr) || firstLine(res.stdout) || `exit code ${res.exitCode}`
    const refused = /refused|couldn't connect|failed to connect/i.test(why)
    throw new ProxyError(
      refused
        ? `nothing listens on port ${opts.adminPort} in pod ${podId(pod)} (connection refused)`
        : `\`${used.join(' ')}\` failed in ${podId(pod)} (exit ${res.exitCode}): ${why}`,
      {code: refused ? 'E_ADMIN_PORT' : 'E_ADMIN', hint: refused ? 'is Envoy running? a different admin port is set with --proxy-admin-port' : undefined},
    )
  }
  // pilot-agent prints the body with fmt.Println; curl prints it as it is
  if (exactBody && used === agent && res.stdout.at(-1) === 0x0a) return res.stdout.subarray(0, res.stdout.length - 1)
  return res.stdout
}
