/**
 * `pods/portforward`, server side.
 *
 * WebSocket `v4.channel.k8s.io` / `v4.base64.channel.k8s.io` (client-node, older kubectl through the API server to
 * the kubelet's portforward/websocket.go): ports come from the query (`?ports=15000`, repeated or comma-separated);
 * port i uses channel 2i for data (both ways) and 2i+1 for errors (server -> client). Right after the upgrade the
 * server sends `[2i, lo, hi]` and `[2i+1, lo, hi]` (the port as uint16 little-endian) as separate messages. Each
 * websocket is ONE connection per port inside the pod. There is no half-close: the websocket closes when every
 * port's connection has ended (or the client closes it). A refused dial is reported as text on the error channel.
 *
 * SPDY (`Upgrade: SPDY/3.1`, `X-Stream-Protocol-Version: portforward.k8s.io`, or tunnelled in websocket binary
 * messages with `Sec-WebSocket-Protocol: SPDY/3.1+portforward.k8s.io`, kubectl >= 1.31): for every local
 * connection the client opens an `error` stream then a `data` stream, both carrying `port` and `requestid`
 * headers (kubelet portforward/httpstream.go pairs them by requestid, falling back to stream ids for old clients).
 * The client half-closes the error stream at once; the server writes the dial error there (if any) and closes it
 * when the connection is done. Like containerd, when the client half-closes the data stream the pod connection
 * gets one more second to answer before both are closed.
 *
 * The dial error text is containerd's, wrapped by the kubelet:
 *   error forwarding port 15000 to pod <sandbox-id>, uid : failed to execute portforward in network namespace
 *   "/var/run/netns/cni-<uuid>": failed to connect to localhost:15000 inside namespace "<sandbox-id>", IPv4: dial tcp4
 *   127.0.0.1:15000: connect: connection refused IPv6 dial tcp6 [::1]:15000: connect: connection refused
 */
import type {Duplex} from 'node:stream'
import type WebSocket from 'ws'
import {ChannelCodec} from './channels.js'
import {podNodeName, podPhase, podSandboxId, podUid, stableUid} from './objects.js'
import type {PodNetwork} from './pod-network.js'
import type {SpdySession, SpdyStream} from './spdy.js'
import {badRequest, type KubeStatus} from './status.js'
import type {SandboxPod} from './types.js'

export type PortForwardValidation = {ok: true} | {status: KubeStatus} | {kubeletError: string}

export function validatePortForward(pod: SandboxPod): PortForwardValidation {
  if (!podNodeName(pod)) return {status: badRequest(`pod ${pod.name} does not have a host assigned`)}
  if (podPhase(pod) === 'Pending') return {kubeletError: `failed to find sandboxID for pod ${pod.name}_${pod.namespace}(${podUid(pod)})`}
  return {ok: true}
}

/** `?ports=15000&ports=15020` or `?ports=15000,15020` (the kubelet's own parameter is `port`). */
export function parsePorts(query: URLSearchParams): number[] | string {
  const raw = [...query.getAll('ports'), ...query.getAll('port')].flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean)
  if (raw.length === 0) return 'query parameter "port" is required'
  const ports: number[] = []
  for (const p of raw) {
    const n = Number(p)
    if (!/^\d+$/.test(p) || n > 65535) return `unable to parse "${p}" as a port: strconv.ParseUint: parsing "${p}": invalid syntax`
    if (n === 0) return `"0" is not a valid port`
    ports.push(n)
  }
  return ports
}

export function forwardError(pod: SandboxPod, port: number): string {
  const sandbox = podSandboxId(pod)
  if (podPhase(pod) === 'Succeeded' || podPhase(pod) === 'Failed') {
    return `error forwarding port ${port} to pod ${sandbox}, uid : network namespace for sandbox "${sandbox}" is closed`
  }
  const netns = `/var/run/netns/cni-${stableUid(`netns/${sandbox}`)}`
  return (
    `error forwarding port ${port} to pod ${sandbox}, uid : failed to execute portforward in network namespace "${netns}": ` +
    `failed to connect to localhost:${port} inside namespace "${sandbox}", IPv4: dial tcp4 127.0.0.1:${port}: connect: connection refused ` +
    `IPv6 dial tcp6 [::1]:${port}: connect: connection refused `
  )
}

function dial(pod: SandboxPod, port: number, network: PodNetwork): Duplex | null {
  if (podPhase(pod) !== 'Running') return null
  return network.connect(pod, port)
}

export function serveWsPortForward(ws: WebSocket, protocol: string, pod: SandboxPod, ports: number[], network: PodNetwork): void {
  const codec = new ChannelCodec(ws, protocol || 'v4.channel.k8s.io')
  const conns: Array<Duplex | null> = []
  let pending = ports.length
  const done = (): void => {
    if (--pending === 0) ws.close(1000)
  }
  ports.forEach((port, i) => {
    const prefix = Buffer.alloc(2)
    prefix.writeUInt16LE(port)
    codec.send(2 * i, prefix)
    codec.send(2 * i + 1, prefix)
  })
  ports.forEach((port, i) => {
    const conn = dial(pod, port, network)
    conns[i] = conn
    if (!conn) {
      codec.send(2 * i + 1, forwardError(pod, port))
      done()
      return
    }
    let finished = false
    const finish = (): void => {
      if (finished) return
      finished = true
      done()
    }
    conn.on('data', (d: Buffer) => codec.sendChunked(2 * i, d))
    conn.on('end', finish)
    conn.on('close', finish)
    conn.on('error', finish)
  })
  ws.on('message', (data, isBinary) => {
    const f = codec.decode(data, isBinary)
    if (!f || f.channel % 2 !== 0) return
    const conn = conns[f.channel / 2]
    if (conn && !conn.destroyed && f.payload.length) conn.write(f.payload)
  })
  ws.on('close', () => {
    for (const c of conns) c?.destroy()
  })
  ws.on('error', () => {})
}

interface StreamPair {
  data?: SpdyStream
  error?: SpdyStream
  started?: boolean
}

export function serveSpdyPortForward(session: SpdySession, pod: SandboxPod, network: PodNetwork): void {
  const pairs = new Map<string, StreamPair>()
  session.on('stream', (s) => {
    s.reply()
    s.on('error', () => {})
    const type = s.headers.streamtype
    let requestId = s.headers.requestid
    // old clients send no requestid: the kubelet pairs error stream N with data stream N+2
    if (!requestId) requestId = String(type === 'data' ? s.id - 2 : s.id)
    const pair = pairs.get(requestId) ?? {}
    pairs.set(requestId, pair)
    if (type === 'error') pair.error = s
    else if (type === 'data') pair.data = s
    else {
      s.end()
      return
    }
    if (pair.data && pair.error && !pair.started) {
      pair.started = true
      forwardPair(pair.data, pair.error, s.headers.port ?? pair.data.headers.port ?? '', pod, network, () => pairs.delete(requestId))
    }
  })
}

function forwardPair(data: SpdyStream, error: SpdyStream, portHeader: string, pod: SandboxPod, network: PodNetwork, cleanup: () => void): void {
  error.resume()
  const port = Number(portHeader)
  const close = (): void => {
    cleanup()
    if (!data.writableEnded) data.end()
    if (!error.writableEnded) error.end()
  }
  if (!/^\d+$/.test(portHeader) || port === 0 || port > 65535) {
    error.write(`unable to parse "${portHeader}" as a port: invalid syntax`)
    close()
    return
  }
  const conn = dial(pod, port, network)
  if (!conn) {
    error.write(forwardError(pod, port))
    close()
    return
  }
  let done = false
  const finish = (): void => {
    if (done) return
    done = true
    conn.destroy()
    close()
  }
  conn.on('data', (d: Buffer) => data.write(d))
  conn.on('end', finish)
  conn.on('close', finish)
  conn.on('error', finish)
  data.on('data', (d: Buffer) => {
    if (!conn.destroyed) conn.write(d)
  })
  // containerd: the first direction to finish starts a 1 s grace period for the other one
  data.on('end', () => setTimeout(finish, 1000).unref())
  data.on('close', () => setTimeout(finish, 1000).unref())
}
