/**
 * A pod's loopback network: what `localhost:PORT` inside the pod reaches. Port-forward streams and exec'ed commands
 * (curl, pilot-agent request) both come through here, so the same handler (e.g. the Envoy admin emulation) answers
 * both paths.
 *
 * Each connection is an in-memory duplex pair (`stream.duplexPair`): the caller gets one side. A TCP handler gets the
 * other. An HTTP handler is served by a per-pod-port `http.Server` listening on a loopback port of its own, and the
 * other side is piped to a real socket connected to it: an `http.Server` handed a stream that is not a socket
 * (`server.emit('connection', stream)`) wraps it in Node's internal JSStreamSocket, whose write path fails an
 * internal assertion under load (ERR_INTERNAL_ASSERTION in js_stream_socket's doWrite, nodejs/node#35384: the
 * sandbox died under 40-80 parallel requests through `dashboard envoy`). A real socket never takes that path.
 */
import http from 'node:http'
import net from 'node:net'
import {type Duplex, duplexPair} from 'node:stream'
import type {PodHttpResult, PortHandler, SandboxPod} from './types.js'

export class PodNetwork {
  private readonly servers = new Map<string, {handler: PortHandler; server: http.Server; port: Promise<number>}>()
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
      if (entry) entry.server.close()
      const srv = http.createServer(listener)
      // Forwarded connections close when the client side closes; no idle-timer bookkeeping needed.
      srv.keepAliveTimeout = 0
      const port = new Promise<number>((resolve, reject) => {
        srv.once('error', reject)
        srv.listen(0, '127.0.0.1', () => resolve((srv.address() as net.AddressInfo).port))
      })
      port.catch(() => {})
      entry = {handler, server: srv, port}
      this.servers.set(key, entry)
    }
    entry.port.then(
      (p) => {
        if (server.destroyed) return
        const sock = net.connect(p, '127.0.0.1')
        this.track(sock)
        // both directions, half-closes included; either side failing or closing takes the other down
        server.pipe(sock)
        sock.pipe(server)
        sock.on('error', () => server.destroy())
        server.on('error', () => sock.destroy())
        sock.on('close', () => server.destroy())
        server.on('close', () => sock.destroy())
      },
      () => server.destroy(),
    )
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
    for (const {server} of this.servers.values()) {
      server.closeAllConnections()
      server.close()
    }
    this.servers.clear()
  }
}
