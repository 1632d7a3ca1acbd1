/**
 * The sandbox cluster: a local HTTPS Kubernetes API server that speaks the real protocols, for meshctl's live-path
 * tests and for `npm run demo` / `npm run sandbox` (see ./main.ts).
 *
 * ```ts
 * const sb = await startSandbox({
 *   pods: [{name: 'productpage-v1-abc', namespace: 'bookinfo', labels: {app: 'productpage'},
 *           containers: [{name: 'productpage'}, {name: 'istio-proxy'}],
 *           ports: {15000: envoyAdminHandler({configDump: () => dump, clustersJson: () => clusters})}}],
 *   deployments: [{name: 'productpage-v1', namespace: 'bookinfo', selector: {app: 'productpage'}}],
 *   tokens: {'t0k3n': {user: 'alice'}, 'n0pe': {user: 'bob', deny: [{verb: 'create', resource: 'pods/portforward'}]}},
 * })
 * // sb.url = https://127.0.0.1:<port>, sb.kubeconfigPath (current context: the first token's user), sb.caPem
 * // KUBECONFIG=<sb.kubeconfigPath> kubectl get pods -A / exec / port-forward ... all work
 * await sb.close()
 * ```
 *
 * What it serves (module in parentheses):
 * - HTTPS on 127.0.0.1 with a CA generated at start (tls.ts); bearer-token authentication, 401 `Unauthorized`
 *   Status for a missing/unknown/expired token; RBAC-style 403s from per-token deny rules with the API server's
 *   exact text (auth.ts, status.ts).
 * - Discovery `/version`, `/api`, `/api/v1`, `/apis`, `/apis/{apps,batch}[/v1]`; list/get/watch of namespaces, pods,
 *   services, deployments, replicasets, statefulsets, daemonsets, jobs with labelSelector / fieldSelector, plain JSON
 *   or server-side Tables for kubectl; pods/log (rest.ts, resources.ts, objects.ts, store.ts, selectors.ts).
 * - TokenRequest `POST /api/v1/namespaces/<ns>/serviceaccounts/default/token` (signed tokens the sandbox istiod
 *   accepts on 15012 when the audience is `istio-ca`; istiod-auth.ts, istiod.ts).
 * - `pods/exec` over WebSocket v5/v4/v4.base64/v3/v2/v1 and SPDY/3.1 (exec.ts, sidecar-tools.ts for the default
 *   command emulation: pilot-agent request, curl, sh -c, cat, echo).
 * - `pods/portforward` over WebSocket v4 (client-node), SPDY-over-WebSocket `SPDY/3.1+portforward.k8s.io`
 *   (kubectl >= 1.31) and plain SPDY/3.1 (older kubectl, KUBECTL_PORT_FORWARD_WEBSOCKETS=false)
 *   (portforward.ts, spdy.ts), relayed to the pod's loopback PortHandlers (pod-network.ts).
 * - Failure modes: `setMode('hang')` (TCP accepted, nothing else), `setMode('hang-after-tls')` (requests never
 *   answered), `kill()` (every connection reset at once), `setToken(t, {expired: true})`, live pod changes through
 *   setPod/updatePod/deletePod (watchers see them).
 * - `requests`: every request with user, status, kind and negotiated streaming protocol, for assertions.
 */
import {randomBytes} from 'node:crypto'
import fs from 'node:fs'
import type {IncomingMessage, ServerResponse} from 'node:http'
import https from 'node:https'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type {Duplex} from 'node:stream'
import type WebSocket from 'ws'
import {WebSocketServer} from 'ws'
import {externalMemoryInGlobalLimit} from '../util/v8-tuning.js'
import {authenticate, authorize, type Identity} from './auth.js'
import {EXEC_PROTOCOLS, negotiate, PORTFORWARD_PROTOCOLS, PORTFORWARD_TUNNEL_PROTOCOL, parseOfferedProtocols} from './channels.js'
import {SPDY_EXEC_PROTOCOLS, serveSpdyExec, serveWsExec, validateExec} from './exec.js'
import {sendStatus, writeRawResponse, writeRawStatus} from './http-util.js'
import {type KubeconfigOptions, renderKubeconfig, writeKubeconfigFile} from './kubeconfig.js'
import {PodNetwork} from './pod-network.js'
import {parsePorts, serveSpdyPortForward, serveWsPortForward, validatePortForward} from './portforward.js'
import {handleRest, parseApiPath, type RestContext, recordKind} from './rest.js'
import {SpdySession} from './spdy.js'
import {internalError, notFound, pathNotFound, unauthorized} from './status.js'
import {ObjectStore} from './store.js'
import {generateCerts} from './tls.js'
import type {SandboxMode, SandboxPod, SandboxRequestRecord, SandboxSpec, SandboxToken} from './types.js'

export {envoyAdminHandler} from './envoy-admin.js'
export type {KubeconfigOptions} from './kubeconfig.js'
export {SIDECAR_TOOLS, sidecarExecHandler} from './sidecar-tools.js'
export type * from './types.js'

export interface SandboxOptions {
  /** listening port on 127.0.0.1; default 0 (any free port) */
  port?: number
  /** where to write the kubeconfig; default `<tmpdir>/meshctl-sandbox-XXXX/kubeconfig` (removed by close()) */
  kubeconfigPath?: string
  /** the current context's user (a user name from spec.tokens); default: the first token's user */
  defaultUser?: string
  /** the current context's namespace; default `default` */
  defaultNamespace?: string
  /** reported by `/version`; default 1.32.4 */
  serverVersion?: {major: string; minor: string; gitVersion: string}
}

export interface Sandbox {
  /** `https://127.0.0.1:<port>` */
  readonly url: string
  readonly port: number
  /** the CA that signed the serving certificate (PEM) */
  readonly caPem: string
  /** a kubeconfig with the CA, every token as a user, contexts `sandbox` (default user) and `sandbox-<user>` */
  readonly kubeconfigPath: string
  /** the bearer token of the default user */
  readonly token: string
  /** every request received, in order */
  readonly requests: SandboxRequestRecord[]
  /** writes a kubeconfig for another user/namespace; returns the path */
  writeKubeconfig(file: string, opts?: KubeconfigOptions): string
  /** the kubeconfig text (same options) */
  kubeconfig(opts?: KubeconfigOptions): string
  /** adds or replaces a pod (watchers get ADDED/MODIFIED) */
  setPod(pod: SandboxPod): void
  /** shallow-merges into an existing pod; throws if it does not exist */
  updatePod(namespace: string, name: string, patch: Partial<SandboxPod>): void
  deletePod(namespace: string, name: string): boolean
  getPod(namespace: string, name: string): SandboxPod | undefined
  /** adds, changes (e.g. `{...t, expired: true}`) or, with undefined, removes a token */
  setToken(token: string, info: SandboxToken | undefined): void
  /** see SandboxMode; also drops idle keep-alive connections so the next request meets the new mode */
  setMode(mode: SandboxMode): void
  /** abrupt stop: every connection is reset (TCP RST) and the port stops listening; close() still cleans up */
  kill(): Promise<void>
  /** stops everything and removes the temporary files */
  close(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

const PROTOCOL_TOKEN = 'x-sandbox-negotiated-protocol'

/** Starts a sandbox API server on 127.0.0.1. */
export async function startSandbox(spec: SandboxSpec = {}, opts: SandboxOptions = {}): Promise<Sandbox> {
  // a full collection of the process for every few large answers otherwise (src/util/v8-tuning.ts)
  externalMemoryInGlobalLimit()
  const certs = await generateCerts()
  const start = new Date()
  const store = new ObjectStore(spec, start)
  const tokens = new Map<string, SandboxToken>(Object.entries(spec.tokens ?? {'sandbox-admin-token': {user: 'sandbox-admin'}}))
  const network = new PodNetwork()
  const requests: SandboxRequestRecord[] = []
  const sockets = new Set<net.Socket>()
  const websockets = new Set<WebSocket>()
  const sessions = new Set<SpdySession>()
  const hung = new Set<ServerResponse>()
  let mode: SandboxMode = 'normal'

  const v = opts.serverVersion ?? {major: '1', minor: '32', gitVersion: 'v1.32.4'}
  const restCtx: RestContext = {
    store,
    now: () => new Date(),
    serverVersion: {
      major: v.major,
      minor: v.minor,
      gitVersion: v.gitVersion,
      gitCommit: '59526cd4867447956156ae3a602fcbac10a2c335',
      gitTreeState: 'clean',
      buildDate: '2025-04-22T16:02:27Z',
      goVersion: 'go1.23.6',
      compiler: 'gc',
      platform: 'linux/amd64',
    },
    serverAddress: '',
    watches: new Set(),
  }

  // --- websocket plumbing -------------------------------------------------------------------------------------
  // `ws` validates subprotocol tokens and rejects `SPDY/3.1+portforward.k8s.io` ("/" is not a token character), so
  // the negotiation is done here: the request header is replaced by a placeholder before handleUpgrade, and the
  // placeholder is swapped back for the real protocol in the handshake response ('headers' event).
  const negotiated = new WeakMap<IncomingMessage, string>()
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    clientTracking: false,
    maxPayload: 256 * 1024 * 1024,
    handleProtocols: (_offered, req) => (negotiated.get(req) ? PROTOCOL_TOKEN : false),
  })
  wss.on('headers', (headers, req) => {
    const real = negotiated.get(req)
    const i = headers.findIndex((h) => h.toLowerCase().startsWith('sec-websocket-protocol:'))
    if (real && i >= 0) headers[i] = `Sec-WebSocket-Protocol: ${real}`
  })
  const acceptWebSocket = (req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string): Promise<WebSocket> => {
    if (protocol) {
      negotiated.set(req, protocol)
      req.headers['sec-websocket-protocol'] = PROTOCOL_TOKEN
    } else delete req.headers['sec-websocket-protocol']
    return new Promise((resolve) => {
      wss.handleUpgrade(req, socket, head, (ws) => {
        websockets.add(ws)
        ws.on('close', () => websockets.delete(ws))
        resolve(ws)
      })
    })
  }

  const startSpdy = (socket: Duplex, head: Buffer, protocol: string): SpdySession => {
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\nDate: ${new Date().toUTCString()}\r\n\r\n`)
    const session = new SpdySession({write: (b) => socket.write(b), close: () => socket.end()})
    sessions.add(session)
    session.on('close', () => sessions.delete(session))
    session.on('error', () => {})
    socket.on('data', (d: Buffer) => session.receive(d))
    socket.on('close', () => session.transportClosed())
    socket.on('error', () => {})
    if (head.length) session.receive(head)
    return session
  }

  const record = (r: Omit<SandboxRequestRecord, 'time'>): void => {
    requests.push({time: Date.now(), ...r})
  }

  // --- plain requests -------------------------------------------------------------------------------------------
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    if (mode === 'hang-after-tls') {
      hung.add(res)
      res.on('close', () => hung.delete(res))
      return
    }
    const url = new URL(req.url ?? '/', 'https://127.0.0.1')
    const p = parseApiPath(url.pathname)
    const base: Omit<SandboxRequestRecord, 'time' | 'status'> = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      kind: recordKind(p),
      userAgent: req.headers['user-agent'],
      ...(p.type === 'resource' ? {namespace: p.namespace, resource: p.subresource ? `${p.resource.plural}/${p.subresource}` : p.resource.plural, name: p.name} : {}),
    }
    let logged = false
    let user: string | undefined
    const log = (): void => {
      if (logged) return
      logged = true
      record({...base, user, status: res.statusCode})
    }
    res.on('finish', log)
    res.on('close', log)
    const id = authenticate(req, tokens)
    if (!id) {
      sendStatus(res, unauthorized())
      return
    }
    user = id.user
    try {
      handleRest(restCtx, req, res, id, url, p)
    } catch (err) {
      if (!res.headersSent) sendStatus(res, internalError(err instanceof Error ? err.message : String(err)))
      else res.destroy()
    }
  }

  // --- upgrades: pods/exec and pods/portforward -------------------------------------------------------------------
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => {})
    if (mode === 'hang-after-tls') return
    const url = new URL(req.url ?? '/', 'https://127.0.0.1')
    const p = parseApiPath(url.pathname)
    const upgrade = String(req.headers.upgrade ?? '').toLowerCase()
    const isWs = upgrade === 'websocket'
    const base = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      kind: recordKind(p),
      userAgent: req.headers['user-agent'],
      ...(p.type === 'resource' ? {namespace: p.namespace, resource: p.subresource ? `${p.resource.plural}/${p.subresource}` : p.resource.plural, name: p.name} : {}),
    }
    let id: Identity | undefined
    const fail = (status: number, write: () => void): void => {
      record({...base, user: id?.user, status})
      write()
    }
    id = authenticate(req, tokens)
    if (!id) {
      fail(401, () => writeRawStatus(socket, unauthorized()))
      return
    }
    if (p.type !== 'resource' || p.resource.plural !== 'pods' || (p.subresource !== 'exec' && p.subresource !== 'portforward') || !p.name) {
      if (p.type === 'resource' && p.subresource === 'attach') {
        fail(400, () => writeRawResponse(socket, 400, 'attach is not supported by the meshctl sandbox', 'text/plain; charset=utf-8'))
        return
      }
      fail(404, () => writeRawStatus(socket, pathNotFound()))
      return
    }
    const subresource = p.subresource
    const denied = authorize(id, {verb: 'create', group: '', resource: 'pods', subresource, namespace: p.namespace, name: p.name})
    if (denied) {
      fail(403, () => writeRawStatus(socket, denied))
      return
    }
    const pod = store.getPod(p.namespace ?? '', p.name)
    if (!pod) {
      fail(404, () => writeRawStatus(socket, notFound({group: '', resource: 'pods'}, p.name!)))
      return
    }
    if (req.method !== 'GET' && req.method !== 'POST') {
      fail(405, () => writeRawResponse(socket, 405, 'method not allowed', 'text/plain'))
      return
    }
    const query = url.searchParams
    const user = id.user

    if (subresource === 'exec') {
      const v = validateExec(pod, query)
      if ('status' in v) {
        fail(v.status.code ?? 400, () => writeRawStatus(socket, v.status))
        return
      }
      const target = 'ok' in v ? v.ok : v.target
      const kubeletError = 'kubeletError' in v ? v.kubeletError : undefined
      if (isWs) {
        const protocol = negotiate(parseOfferedProtocols(req.headers['sec-websocket-protocol']), EXEC_PROTOCOLS)
        if (protocol === undefined) {
          fail(400, () => writeRawResponse(socket, 400, `requested protocol(s) are not supported: [${parseOfferedProtocols(req.headers['sec-websocket-protocol']).join(' ')}]; supports [${EXEC_PROTOCOLS.join(' ')}]`, 'text/plain; charset=utf-8'))
          return
        }
        // v5 is translated by the API server itself (kubelet errors come back as a Status after the upgrade); the
        // older protocols are proxied to the kubelet, whose upgrade fails with a 500
        if (kubeletError && protocol !== 'v5.channel.k8s.io') {
          fail(500, () => writeRawResponse(socket, 500, kubeletError, 'text/plain; charset=utf-8'))
          return
        }
        record({...base, user, status: 101, protocol: protocol || 'channel.k8s.io'})
        void acceptWebSocket(req, socket, head, protocol).then((ws) => serveWsExec(ws, protocol, target, network, kubeletError))
        return
      }
      if (upgrade === 'spdy/3.1') {
        const offered = parseOfferedProtocols(req.headers['x-stream-protocol-version'])
        const protocol = negotiate(offered, SPDY_EXEC_PROTOCOLS)
        if (!protocol) {
          fail(403, () => writeRawResponse(socket, 403, `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server accepts [${SPDY_EXEC_PROTOCOLS.join(' ')}]`, 'text/plain; charset=utf-8'))
          return
        }
        if (kubeletError) {
          fail(500, () => writeRawResponse(socket, 500, kubeletError, 'text/plain; charset=utf-8'))
          return
        }
        record({...base, user, status: 101, protocol: `SPDY/3.1 ${protocol}`})
        serveSpdyExec(startSpdy(socket, head, protocol), protocol, target, network)
        return
      }
      fail(400, () => writeRawResponse(socket, 400, 'Upgrade request required', 'text/plain; charset=utf-8'))
      return
    }

    // port-forward
    const pv = validatePortForward(pod)
    if ('status' in pv) {
      fail(pv.status.code ?? 400, () => writeRawStatus(socket, pv.status))
      return
    }
    if ('kubeletError' in pv) {
      fail(500, () => writeRawResponse(socket, 500, pv.kubeletError, 'text/plain; charset=utf-8'))
      return
    }
    if (isWs) {
      const protocol = negotiate(parseOfferedProtocols(req.headers['sec-websocket-protocol']), PORTFORWARD_PROTOCOLS)
      if (protocol === undefined) {
        fail(400, () => writeRawResponse(socket, 400, `requested protocol(s) are not supported: [${parseOfferedProtocols(req.headers['sec-websocket-protocol']).join(' ')}]; supports [${PORTFORWARD_PROTOCOLS.join(' ')}]`, 'text/plain; charset=utf-8'))
        return
      }
      if (protocol === PORTFORWARD_TUNNEL_PROTOCOL) {
        record({...base, user, status: 101, protocol})
        void acceptWebSocket(req, socket, head, protocol).then((ws) => {
          const session = new SpdySession({write: (b) => ws.send(b), close: () => ws.close(1000)})
          sessions.add(session)
          session.on('close', () => sessions.delete(session))
          session.on('error', () => {})
          ws.on('message', (d: WebSocket.RawData) => session.receive(Array.isArray(d) ? Buffer.concat(d) : Buffer.isBuffer(d) ? d : Buffer.from(d)))
          ws.on('close', () => session.transportClosed())
          ws.on('error', () => {})
          serveSpdyPortForward(session, pod, network)
        })
        return
      }
      const ports = parsePorts(query)
      if (typeof ports === 'string') {
        fail(400, () => writeRawResponse(socket, 400, ports, 'text/plain; charset=utf-8'))
        return
      }
      record({...base, user, status: 101, protocol: protocol || 'v4.channel.k8s.io'})
      void acceptWebSocket(req, socket, head, protocol).then((ws) => serveWsPortForward(ws, protocol, pod, ports, network))
      return
    }
    if (upgrade === 'spdy/3.1') {
      const offered = parseOfferedProtocols(req.headers['x-stream-protocol-version'])
      if (!offered.includes('portforward.k8s.io')) {
        fail(403, () => writeRawResponse(socket, 403, `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server accepts [portforward.k8s.io]`, 'text/plain; charset=utf-8'))
        return
      }
      record({...base, user, status: 101, protocol: 'SPDY/3.1 portforward.k8s.io'})
      serveSpdyPortForward(startSpdy(socket, head, 'portforward.k8s.io'), pod, network)
      return
    }
    fail(400, () => writeRawResponse(socket, 400, 'Upgrade request required', 'text/plain; charset=utf-8'))
  }

  // --- servers ---------------------------------------------------------------------------------------------------
  const httpsServer = https.createServer({key: certs.keyPem, cert: certs.certPem}, onRequest)
  httpsServer.on('upgrade', onUpgrade)
  httpsServer.on('clientError', (_err, socket) => socket.destroy())
  httpsServer.on('tlsClientError', () => {})
  // The TCP listener is separate from the TLS server so that "hang" can hold raw connections without a handshake.
  const front = net.createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    if (mode === 'hang') return
    httpsServer.emit('connection', socket)
  })
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject)
    front.listen(opts.port ?? 0, '127.0.0.1', () => resolve())
  })
  const port = (front.address() as net.AddressInfo).port
  const url = `https://127.0.0.1:${port}`
  restCtx.serverAddress = `127.0.0.1:${port}`

  let tmpDir: string | undefined
  let kubeconfigPath = opts.kubeconfigPath
  if (!kubeconfigPath) {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshctl-sandbox-'))
    kubeconfigPath = path.join(tmpDir, 'kubeconfig')
  }
  const defaultToken =
    (opts.defaultUser === undefined ? undefined : [...tokens].find(([, t]) => t.user === opts.defaultUser)?.[0]) ??
    [...tokens].find(([, t]) => !t.expired)?.[0] ??
    [...tokens.keys()][0] ??
    (() => {
      const t = `sandbox-${randomBytes(8).toString('hex')}`
      tokens.set(t, {user: 'sandbox-admin'})
      return t
    })()
  const kcInput = () => ({server: url, caPem: certs.caPem, tokens, defaultToken})
  writeKubeconfigFile(kubeconfigPath, kcInput(), {namespace: opts.defaultNamespace})

  let killed = false
  let closed = false
  const destroyConnections = (reset: boolean): void => {
    for (const res of restCtx.watches) res.destroy()
    for (const res of hung) res.destroy()
    for (const ws of websockets) ws.terminate()
    for (const s of sessions) s.transportClosed()
    for (const s of sockets) {
      if (reset) s.resetAndDestroy()
      else s.destroy()
    }
    network.destroyAll()
  }
  const stopListening = (): Promise<void> =>
    new Promise((resolve) => {
      if (!front.listening) return resolve()
      front.close(() => resolve())
    })

  const sandbox: Sandbox = {
    url,
    port,
    caPem: certs.caPem,
    kubeconfigPath,
    token: defaultToken,
    requests,
    writeKubeconfig: (file, o) => writeKubeconfigFile(file, kcInput(), {namespace: opts.defaultNamespace, ...o}),
    kubeconfig: (o) => renderKubeconfig(kcInput(), {namespace: opts.defaultNamespace, ...o}),
    setPod: (pod) => store.setPod(pod),
    updatePod(namespace, name, patch) {
      const existing = store.getPod(namespace, name)
      if (!existing) throw new Error(`sandbox: no pod ${namespace}/${name}`)
      store.setPod({...existing, ...patch, name, namespace})
    },
    deletePod: (namespace, name) => store.deletePod(namespace, name),
    getPod: (namespace, name) => store.getPod(namespace, name),
    setToken(token, info) {
      if (info) tokens.set(token, info)
      else tokens.delete(token)
    },
    setMode(m) {
      mode = m
      httpsServer.closeIdleConnections()
    },
    async kill() {
      if (killed) return
      killed = true
      const stopped = stopListening()
      destroyConnections(true)
      await stopped
    },
    async close() {
      if (closed) return
      closed = true
      killed = true
      const stopped = stopListening()
      destroyConnections(false)
      httpsServer.close()
      wss.close()
      await stopped
      if (tmpDir) fs.rmSync(tmpDir, {recursive: true, force: true})
    },
    [Symbol.asyncDispose]() {
      return sandbox.close()
    },
  }
  return sandbox
}
