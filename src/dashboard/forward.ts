/**
 * A local TCP listener forwarded to a port inside a pod, for `dashboard envoy`: every accepted connection gets its
 * own Kubernetes port-forward stream (`openPodStream`: one WebSocket = one connection in the pod), bytes are piped
 * both ways, and either side closing tears both down. Browsers open several connections at once; each is
 * independent, and one that fails (pod gone, port refused, reset) is reported through `onError` and closed without
 * touching the listener or the other connections.
 *
 * Half-close: the WebSocket port-forward protocol cannot carry a half-close to the pod. When a client ends its
 * sending side, its connection stays open while the pod still answers and closes after `halfCloseIdleMs` of
 * silence from the pod (or when the pod side ends), so a response is never cut short.
 */
import type net from 'node:net'
import {createServer} from 'node:net'
import {asError, ProxyError} from '../errors/index.js'
import type {KubeApi} from '../kube/api.js'
import {openPodStream, type PodStream} from '../kube/transport.js'
import {bindServers, type ListenAddress, listenUrl, parseListenAddress} from './listen.js'

export interface ForwardTarget {
  name: string
  namespace: string
  /** the port inside the pod */
  port: number
}

export interface ForwardOptions {
  /** `localhost` (127.0.0.1 and ::1) or an IP; default localhost */
  address?: ListenAddress | string
  /** local ports to try in order, 0 = any free one (see portPreferences); default [0] */
  ports?: number[]
  /** a connection could not be forwarded (the listener keeps running) */
  onError?: (err: Error) => void
  /** after the client half-closes, how long the pod may stay silent before the connection is closed; default api.timeoutMs */
  halfCloseIdleMs?: number
}

export interface ForwardHandle {
  /** `http://<address>:<port>` */
  readonly url: string
  readonly address: ListenAddress
  readonly port: number
  /** the addresses bound */
  readonly hosts: readonly string[]
  /** local connections open now */
  readonly connections: number
  /** pod streams opened so far */
  readonly tunnels: number
  /** connections that could not be forwarded so far */
  readonly failures: number
  /** stops listening, closes every connection and pod stream */
  close(): Promise<void>
}

/** What the kubelet's error channel text means for one forwarded connection. */
export function forwardError(text: string, target: ForwardTarget): ProxyError {
  const id = `${target.name}.${target.namespace}:${target.port}`
  if (/refused/i.test(text)) {
    return new ProxyError(`nothing listens on port ${target.port} in pod ${target.name}.${target.namespace} (connection refused)`, {
      code: 'E_ADMIN_PORT',
      hint: `is Envoy running? see kubectl logs ${target.name} -n ${target.namespace} -c istio-proxy; another admin port is chosen with --ui-port`,
    })
  }
  return new ProxyError(`port-forward to ${id} failed: ${text}`, {code: 'E_ADMIN_PORT'})
}

/** Starts listening; resolves once bound (the pod is only contacted when a client connects). */
export async function startForward(api: KubeApi, target: ForwardTarget, opts: ForwardOptions = {}): Promise<ForwardHandle> {
  const address = typeof opts.address === 'string' || opts.address === undefined ? parseListenAddress(opts.address ?? 'localhost') : opts.address
  const halfCloseIdleMs = opts.halfCloseIdleMs ?? api.timeoutMs
  const report = (err: unknown): void => {
    failures++
    try {
      opts.onError?.(asError(err))
    } catch {
      // a reporter must not break forwarding
    }
  }
  /** open client connections, each with its cleanup */
  const sockets = new Map<net.Socket, () => void>()
  const opening = new Set<Promise<unknown>>()
  let tunnels = 0
  let failures = 0
  let closing: Promise<void> | undefined

  const onConnection = (local: net.Socket): void => {
    if (closing) {
      local.destroy()
      return
    }
    local.setNoDelay(true)
    // a browser resetting a connection is normal; 'close' does the cleanup
    local.on('error', () => {})
    let stream: PodStream | undefined
    let done = false
    let timer: NodeJS.Timeout | undefined
    const finish = (): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      sockets.delete(local)
      stream?.close()
      if (!local.destroyed) local.destroy()
    }
    const closeAfter = (ms: number): void => {
      clearTimeout(timer)
      timer = setTimeout(finish, ms)
    }
    sockets.set(local, finish)
    local.on('close', finish)

    const open = openPodStream(api, target.namespace, target.name, target.port).then(
      (s) => {
        if (done) {
          // the client went away (or we are shutting down) while the stream was being opened
          s.close()
          return
        }
        stream = s
        tunnels++
        const remote = s.socket
        let fromPod = 0
        let localEnded = false
        remote.on('error', finish)
        remote.on('data', (chunk: Buffer) => {
          fromPod += chunk.length
          if (localEnded) closeAfter(halfCloseIdleMs)
          if (!local.write(chunk)) {
            remote.pause()
            local.once('drain', () => remote.resume())
          }
        })
        remote.on('end', () => {
          const why = s.errorText()
          if (why && fromPod === 0) {
            report(forwardError(why, target))
            finish()
            return
          }
          // the pod side is done: flush what we have, then give the client a moment to close its side
          local.end(() => closeAfter(2000))
        })
        local.on('data', (chunk: Buffer) => {
          remote.write(chunk)
        })
        local.on('end', () => {
          localEnded = true
          closeAfter(halfCloseIdleMs)
        })
        local.resume()
      },
      (err: unknown) => {
        if (!done && !closing) report(err)
        finish()
      },
    )
    opening.add(open)
    void open.finally(() => opening.delete(open))
  }

  // pauseOnConnect: nothing is read from the client until its pod stream is open (the kernel buffers it)
  const bound = await bindServers(address, opts.ports ?? [0], () => createServer({allowHalfOpen: true, pauseOnConnect: true}, onConnection))
  // after listening, a server error (e.g. EMFILE on accept) is reported; the other connections carry on
  for (const server of bound.servers) server.on('error', (err) => report(err))

  return {
    url: listenUrl(address, bound.port),
    address,
    port: bound.port,
    hosts: bound.hosts,
    get connections() {
      return sockets.size
    },
    get tunnels() {
      return tunnels
    },
    get failures() {
      return failures
    },
    close(): Promise<void> {
      closing ??= (async () => {
        const stopped = Promise.all(bound.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
        for (const finish of [...sockets.values()]) finish()
        // streams still being opened are closed as soon as they open (or fail)
        await Promise.allSettled([...opening])
        await stopped
      })()
      return closing
    },
  }
}
