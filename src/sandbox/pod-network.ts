/**
 * A pod's loopback network: what `localhost:PORT` inside the pod reaches. Port-forward streams and exec'ed commands
 * (curl, pilot-agent request) both come through here, so the same handler (e.g. the Envoy admin emulation) answers
 * both paths.
 *
 * No real sockets are opened: each connection is an in-memory duplex pair (`stream.duplexPair`); for HTTP handlers
 * one side is handed to a per-pod-port `http.Server` with `server.emit('connection', side)`, exactly as if it had
 * been accepted from a listener.
 */
import http from 'node:http'
import {type Duplex, duplexPair} from 'node:stream'
import type {PodHttpResult, PortHandler, SandboxPod} from './types.js'

export class PodNetwork {
  private readonly servers = new Map<string, {handler: PortHandler; server: http.Server}>()
  private readonly open = new Set<Duplex>()

  /** Connects to `localhost:port` in the pod; null = connection refused. */
  connect(pod: SandboxPod, port: number): Duplex | null {
    const handler = pod.ports?.[port]
    if (handler === undefined || handler === 'refuse') return null
    const [client, server] = duplexPair()
    this.track(client)
    this.track(server)
    if (typeof handler === 'object' && 'tcp' in handler) {
      queueMicrotask(() => handler.tcp(server))
      return client
    }
    const listener = typeof handler === 'function' ? handler : handler.http
    const key = `${pod.namespace}/${pod.name}:${port}`
    let entry = this.servers.get(key)
    if (!entry || entry.handler !== handler) {
      entry = {handler, server: http.createServer(listener)}
      // Forwarded connections close when the client side closes; no idle-timer bookkeeping needed.
      entry.server.keepAliveTimeout = 0
      this.servers.set(key, entry)
    }
    entry.server.emit('connection', server)
    return client
  }

  /** One HTTP/1.1 request over connect(); `Connection: close`, like istioctl/pilot-agent do. */
  httpRequest(pod: SandboxPod, port: number, method: string, path: string, body?: string): Promise<PodHttpResult | null> {
    const conn = this.connect(pod, port)
    if (!conn) return Promise.resolve(null)
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {Host: `localhost:${port}`, Connection: 'close', 'User-Agent': 'sandbox-exec'}
      if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body))
      const req = http.request({method, path, headers, createConnection: () => conn}, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve({status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks)}))
        res.on('error', reject)
      })
      req.on('error', reject)
      req.end(body)
    })
  }

  private track(d: Duplex): void {
    this.open.add(d)
    d.on('close', () => this.open.delete(d))
  }

  destroyAll(): void {
    for (const d of this.open) d.destroy()
    this.open.clear()
    for (const {server} of this.servers.values()) server.close()
    this.servers.clear()
  }
}
