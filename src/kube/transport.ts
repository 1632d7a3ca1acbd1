/**
 * Reaching a port inside a pod: HTTP carried over a Kubernetes port-forward stream (no local listener), or a
 * command exec'ed in a container. Built on client-node's WebSocketHandler and Exec (which do the channel
 * framing), with our own WebSocket factory so that a refused upgrade keeps the API server's explanation
 * (client-node alone reports only "Unexpected server response: 403") and every step has a time limit.
 */
import type http from 'node:http'
import type {IncomingMessage} from 'node:http'
import {Duplex, PassThrough, Writable} from 'node:stream'
import {asError, ClusterError, ProxyError} from '../errors/index.js'
import {releaseBytes} from '../util/buffers.js'
import {countReadBytes} from '../util/read-hook.js'
import {fmtSeconds, type KubeApi, type KubeStatus} from './api.js'
import {Http1ResponseReader} from './http1.js'

type ClientNode = typeof import('./client-node.js')
type WS = import('ws').WebSocket

let clientNode: Promise<ClientNode> | undefined
const loadClientNode = (): Promise<ClientNode> => (clientNode ??= import('./client-node.js'))

/** What an upgrade refusal means, in words a user can act on. */
function upgradeError(api: KubeApi, status: number, body: string, action: string): ClusterError {
  let st: KubeStatus = {}
  try {
    st = JSON.parse(body) as KubeStatus
  } catch {
    // not a Status
  }
  const message = st.message || body.trim() || `HTTP ${status}`
  if (status === 401) return api.statusError(401, Buffer.from(body), action)
  if (status === 403) {
    const sub = action.includes('port-forward') ? 'pods/portforward' : 'pods/exec'
    return new ClusterError(message, {code: 'E_FORBIDDEN', hint: `meshctl needs RBAC permission to create ${sub} there`})
  }
  return new ClusterError(`${action} refused (${status}): ${message}`, {code: status === 404 ? 'E_NOT_FOUND' : 'E_UPGRADE'})
}

type Handler = import('@kubernetes/client-node/dist/web-socket-handler.js').WebSocketHandler
type SecureContext = import('node:tls').SecureContext

const uriIsTls = (api: KubeApi): boolean => /^https:/i.test(api.kc.getCurrentCluster()?.server ?? '')

/**
 * What tls.createSecureContext reads, among the options client-node puts on each WebSocket (its
 * applyToHTTPSOptions: the cluster's CA, the user's client certificate and key, and the agent options it copies).
 */
const CONTEXT_OPTIONS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'ciphers', 'ecdhCurve', 'crl', 'dhparam', 'secureOptions', 'secureProtocol', 'sessionIdContext', 'honorCipherOrder', 'minVersion', 'maxVersion', 'sigalgs', 'privateKeyEngine', 'privateKeyIdentifier', 'clientCertEngine'] as const

let lastContext: {options: unknown[]; context: SecureContext} | undefined

function sameOption(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b)
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameOption(x, b[i]))
  return false
}

/**
 * One TLS secure context for every WebSocket opened with the same TLS options. tls.connect makes a new one
 * (`tls.createSecureContext(options)`: an OpenSSL SSL_CTX with the CA parsed into its own certificate store)
 * unless it is given one, and client-node gives it none: a mesh-wide run opens two WebSockets per proxy, so 1,022
 * contexts for 511 proxies, ~0.4 ms of CPU each, and native memory that stays allocated until the collector
 * happens to free their JavaScript objects (RSS grew with the number of connections). A context is the options
 * it was made from and nothing per connection (the server name, sessions and verification are the socket's), so
 * tls.connect with this context is tls.connect with those options. The options are compared by value each time:
 * an exec credential plugin that hands out a new client certificate gets a new context. When making one fails,
 * tls.connect is left to make it and to report the error as before.
 */
function sharedSecureContext(tls: typeof import('node:tls'), opts: Record<string, unknown>): SecureContext | undefined {
  const options = CONTEXT_OPTIONS.map((k) => opts[k])
  if (lastContext && options.every((v, i) => sameOption(v, lastContext!.options[i]))) return lastContext.context
  try {
    const context = tls.createSecureContext(Object.fromEntries(CONTEXT_OPTIONS.map((k, i) => [k, options[i]]).filter(([, v]) => v !== undefined)))
    lastContext = {options, context}
    return context
  } catch {
    return undefined
  }
}

async function wsHandler(api: KubeApi, action: string): Promise<Handler> {
  // not re-exported by the package index; the package has no exports map, so the module path is stable API
  const {WebSocketHandler, WebSocket} = await loadClientNode()
  const tls = uriIsTls(api) ? await import('node:tls') : undefined
  const factory = (uri: string, protocols: string[], opts: import('ws').ClientOptions): WS => {
    const secureContext = tls && uri.startsWith('wss:') ? sharedSecureContext(tls, opts as Record<string, unknown>) : undefined
    const ws = new WebSocket(uri, protocols, {...opts, ...(secureContext ? {secureContext} : {}), handshakeTimeout: api.timeoutMs, perMessageDeflate: false})
    ws.on('unexpected-response', (req: http.ClientRequest, res: IncomingMessage) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        req.destroy()
        ws.emit('error', upgradeError(api, res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), action))
      })
    })
    return ws
  }
  return new WebSocketHandler(api.kc, factory as never)
}

function wsFailure(api: KubeApi, err: unknown, action: string): Error {
  if (err instanceof ClusterError) return err
  // client-node rejects with the WebSocket ErrorEvent; the error itself is in `.error`
  const e: Error = (err as {error?: Error}).error ?? asError(err)
  if (e instanceof ClusterError) return e
  if (/timed? ?out|handshake/i.test(e.message)) {
    return new ClusterError(`timed out after ${fmtSeconds(api.timeoutMs)} opening the ${action}`, {code: 'E_TIMEOUT', hint: 'raise --timeout'})
  }
  return api.networkError(e, action)
}

export interface HttpResult {
  status: number
  body: Buffer
}

export interface PodStream {
  /** bytes to and from the pod's port; ends when the pod side closes */
  socket: Duplex
  /** what the kubelet said on the error channel so far (e.g. connection refused) */
  errorText(): string
  close(): void
}

/**
 * Opens a port-forward WebSocket to ports of the pod (one connection to each, in the order given; a port may be
 * given more than once, for as many connections to it) and hands on what arrives: `onData(i, chunk)` the bytes from
 * connection i, `onError(i, text)` the kubelet's error-channel text for it. The port-forward protocol (what
 * client-node's PortForward does for its one port, without the generated API clients its module imports for its
 * service helper: 4 MB less to load): connection i has channel 2i for its data and 2i+1 for its errors, each
 * starting with the port number (two bytes); anything on other channels is ignored. Bytes to the pod go out with
 * `sendToPod`. The kubelet (portforward/websocket.go: `?ports=` repeated or comma-separated, one stream pair per
 * entry, each dialled on its own) closes the WebSocket when every connection has ended.
 *
 * `onData` returns whether it is done with the bytes (it copied what it needs and keeps no view of them): a message
 * whose buffer is its own is then freed at once. A 4 MB answer arrives as ~130 messages of 32 KB (what the kubelet
 * and the sandbox send), each a fresh buffer (ws joins a frame that spans socket reads into one of its own); left to
 * the collector, the messages of the answers in flight piled up in malloc's heap until the next scavenge, which is
 * rare while the process only waits on the network, and the heap kept its high-water mark.
 */
async function openPortForward(
  api: KubeApi,
  namespace: string,
  pod: string,
  ports: readonly number[],
  onData: (i: number, chunk: Buffer) => boolean,
  onError: (i: number, text: string) => void,
): Promise<WS> {
  const action = `port-forward to ${pod}.${namespace}:${[...new Set(ports)].join(',')}`
  const handler = await wsHandler(api, action)
  const portPrefixPending = ports.flatMap(() => [true, true])
  try {
    return (await handler.connect(`/api/v1/namespaces/${namespace}/pods/${pod}/portforward?ports=${ports.join(',')}`, null, (channel: number, data: Buffer) => {
      countReadBytes(data.length)
      if (channel >= 2 * ports.length) return true
      // client-node hands on the message after its channel byte; a message that is its whole ArrayBuffer (ws copies
      // a frame that spans socket reads into a buffer of its own) is no one else's once delivered
      const owned = data.byteOffset === 1 && data.byteLength + 1 === data.buffer.byteLength
      if (portPrefixPending[channel]) {
        data = data.subarray(2)
        portPrefixPending[channel] = false
      }
      if (data.length === 0) return true
      if (channel % 2 === 1) onError((channel - 1) / 2, data.toString('utf8'))
      else if (onData(channel / 2, data) && owned) releaseBytes(new Uint8Array(data.buffer))
      return true
    })) as unknown as WS
  } catch (err) {
    throw wsFailure(api, err, action)
  }
}

/** Bytes to connection i of a port-forward: one message on its data channel (the channel byte and the data, as client-node frames stdin). */
function sendToPod(ws: WS, data: Buffer, i = 0): void {
  const frame = Buffer.allocUnsafe(data.length + 1)
  frame[0] = 2 * i
  data.copy(frame, 1)
  ws.send(frame)
}

/**
 * One TCP connection to `port` inside the pod, as a duplex stream. Used by `dashboard envoy` and the xDS relay.
 */
export async function openPodStream(api: KubeApi, namespace: string, pod: string, port: number): Promise<PodStream> {
  const {WebSocketHandler} = await loadClientNode()
  const fromPod = new PassThrough()
  const toPod = new PassThrough()
  let errText = ''
  const ws = await openPortForward(
    api,
    namespace,
    pod,
    [port],
    (_i, data) => {
      fromPod.write(data)
      // the stream keeps it
      return false
    },
    (_i, text) => {
      errText += text
    },
  )
  WebSocketHandler.handleStandardInput(ws as never, toPod, 0)
  ws.on('close', () => fromPod.end())
  ws.on('error', () => fromPod.end())
  const socket = Duplex.from({readable: fromPod, writable: toPod})
  // whoever holds only the socket (grpc-js through the xDS relay, http.request) ends the stream by destroying it:
  // the WebSocket must go with it, or its TLS connection to the API server keeps the process alive
  socket.on('close', () => ws.close())
  return {socket, errorText: () => errText.trim(), close: () => ws.close()}
}

export interface HttpRequest {
  method: string
  /** without the leading slash, e.g. `config_dump?include_eds=true` */
  path: string
}

/**
 * One HTTP request to `port` in the pod, over a port-forward WebSocket (portForwardRequests with one request).
 */
export async function portForwardRequest(api: KubeApi, namespace: string, pod: string, port: number, method: string, path: string): Promise<HttpResult> {
  return portForwardRequests(api, namespace, pod, port, [{method, path}])[0]!
}

/**
 * HTTP requests to `port` in the pod, all at once over ONE port-forward WebSocket: each on a connection of its own
 * (the port named once per request in `?ports=`), so they are answered side by side, as over separate
 * port-forwards, for one upgrade (and one TLS handshake with the API server) instead of one each. One connection
 * carries one request (`Connection: close`): v4 port-forward has no half-close, and a connection's end is only seen
 * when the WebSocket closes, after every connection has ended. Each response is read from the WebSocket's messages
 * as they arrive (./http1.ts), without a stream or Node's HTTP client in between: the body is copied once, and a
 * response with a length is complete at its last byte, before the kubelet closes the stream. The answers come in
 * the requests' order, each settled on its own (one failing does not fail the others); the WebSocket closes when
 * all are settled.
 */
export function portForwardRequests(api: KubeApi, namespace: string, pod: string, port: number, requests: readonly HttpRequest[]): Array<Promise<HttpResult>> {
  for (const {method, path} of requests) {
    // what Node's HTTP client refuses (ERR_UNESCAPED_CHARACTERS, its INVALID_PATH_REGEX): the request line must stay
    // one line; like Node, other Latin-1 characters are sent as one byte each
    if (/[^\u0021-\u00ff]/.test(path) || !/^[A-Z]+$/.test(method)) {
      const err = new TypeError(`Request path contains unescaped characters: ${JSON.stringify(`${method} /${path}`)}`)
      return requests.map(() => Promise.reject(err))
    }
  }
  const conns = requests.map(({method}) => ({
    reader: new Http1ResponseReader(method),
    errText: '',
    failure: undefined as Error | undefined,
    settle: undefined as ((err: Error | undefined) => void) | undefined,
  }))
  const opened = openPortForward(
    api,
    namespace,
    pod,
    requests.map(() => port),
    (i, data) => {
      const c = conns[i]!
      if (c.failure || c.reader.done) return false
      let kept = true
      try {
        kept = c.reader.push(data)
      } catch (err) {
        c.failure = err as Error
      }
      if (c.failure || c.reader.done) c.settle?.(c.failure)
      return !kept
    },
    (i, text) => {
      conns[i]!.errText += text
    },
  )
  let unsettled = requests.length
  return requests.map(async ({method, path}, i) => {
    const ws = await opened
    const c = conns[i]!
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          c.settle = undefined
          reject(new ProxyError(`timed out after ${fmtSeconds(api.timeoutMs)} waiting for ${method} /${path} on ${pod}.${namespace}:${port}`, {code: 'E_TIMEOUT', hint: 'the proxy may be overloaded; raise --timeout'}))
        }, api.timeoutMs)
        c.settle = (err) => {
          c.settle = undefined
          clearTimeout(timer)
          if (!err) {
            resolve()
            return
          }
          const why = c.errText.trim()
          if (why) reject(portError(why, pod, namespace, port))
          else reject(new ProxyError(`the connection to ${pod}.${namespace}:${port} closed before Envoy answered (${err.message})`, {code: 'E_ADMIN'}))
        }
        const closed = (): void => {
          if (!c.settle) return
          if (c.failure) {
            c.settle(c.failure)
            return
          }
          try {
            c.reader.end()
            c.settle(undefined)
          } catch (err) {
            c.settle(err as Error)
          }
        }
        ws.on('close', closed)
        ws.on('error', closed)
        if (ws.readyState === ws.CLOSED) closed()
        else {
          const extra = method === 'GET' || method === 'HEAD' ? '' : 'Content-Length: 0\r\n'
          sendToPod(ws, Buffer.from(`${method} /${path} HTTP/1.1\r\nHost: localhost:${port}\r\nConnection: close\r\n${extra}\r\n`, 'latin1'), i)
        }
      })
    } finally {
      if (--unsettled === 0) ws.close()
    }
    const res = c.reader.response()
    return {status: res.status, body: res.body}
  })
}

/** The kubelet's error-channel text (e.g. connection refused) as an actionable error. */
export function portError(text: string, pod: string, namespace: string, port: number): ProxyError {
  if (/refused/i.test(text)) {
    return new ProxyError(`nothing listens on port ${port} in pod ${pod}.${namespace} (connection refused)`, {
      code: 'E_ADMIN_PORT',
      hint: `is Envoy running? see kubectl logs ${pod} -n ${namespace} -c istio-proxy; a different admin port is set with --proxy-admin-port`,
    })
  }
  return new ProxyError(`port-forward to ${pod}.${namespace}:${port} failed: ${text}`, {code: 'E_ADMIN_PORT'})
}

export interface ExecResult {
  stdout: Buffer
  stderr: string
  exitCode: number
  /** the runtime could not start the command (executable not found, ...) */
  startError?: string
}

/** Runs argv in a container and collects its output and exit code. */
export async function execCommand(api: KubeApi, namespace: string, pod: string, container: string, argv: string[]): Promise<ExecResult> {
  const action = `exec in ${pod}.${namespace} (${container})`
  const {Exec} = await loadClientNode()
  const out: Buffer[] = []
  let err = ''
  const stdout = new Writable({
    write(c: Buffer, _e, done) {
      out.push(c)
      done()
    },
  })
  const stderr = new Writable({
    write(c: Buffer, _e, done) {
      err += c.toString('utf8')
      done()
    },
  })
  let status: {status?: string; reason?: string; message?: string; details?: {causes?: Array<{reason?: string; message?: string}>}} | undefined
  const exec = new Exec(api.kc, await wsHandler(api, action))
  let ws: WS
  try {
    ws = (await exec.exec(namespace, pod, container, argv, stdout, stderr, null, false, (s) => {
      status = s as typeof status
    })) as unknown as WS
  } catch (e) {
    throw wsFailure(api, e, action)
  }
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.close()
      reject(new ProxyError(`timed out after ${fmtSeconds(api.timeoutMs)} waiting for \`${argv.join(' ')}\` in ${pod}.${namespace}`, {code: 'E_TIMEOUT', hint: 'raise --timeout'}))
    }, api.timeoutMs)
    ws.on('close', () => {
      clearTimeout(timer)
      resolve()
    })
  })
  let exitCode = 0
  let startError: string | undefined
  if (status && status.status !== 'Success') {
    const codeCause = status.details?.causes?.find((c) => c.reason === 'ExitCode')
    if (codeCause) exitCode = Number(codeCause.message) || 1
    else {
      exitCode = 126
      startError = status.message ?? 'the command could not be started'
    }
  }
  return {stdout: Buffer.concat(out), stderr: err, exitCode, startError}
}
