/**
 * `pods/exec`, server side, over both transports kubectl and client-node use:
 *
 * WebSocket (`v5.channel.k8s.io` first, then v4, v4.base64, v3, v2, channel.k8s.io, base64.channel.k8s.io):
 *   1. right after the upgrade an empty message goes to the lowest writable channel (`[1]` if stdout was requested,
 *      else `[2]`, else `[3]`): clients take it as "established" (kubelet remotecommand/websocket.go);
 *   2. channel 0 carries stdin; with v5 only, `[255, 0]` half-closes stdin (other versions can only close the socket);
 *   3. stdout on 1, stderr on 2 (with tty, stderr is merged into stdout), resize JSON on 4 is ignored;
 *   4. the error channel 3 gets one metav1.Status (v4/v5: `{"metadata":{},"status":"Success"}` or Failure with
 *      reason NonZeroExitCode and the exit code as a cause; v1-v3: plain text, only on failure), then close 1000.
 *
 * SPDY/3.1 (`X-Stream-Protocol-Version: v5/v4/v3/v2.channel.k8s.io, channel.k8s.io`; kubectl falls back to it when
 *   the websocket upgrade fails, or with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false): the client opens one stream per
 *   channel (`streamtype: error | stdin | stdout | stderr | resize`); the server waits for all the streams the query
 *   asked for, runs the command, writes output, writes the Status on the error stream and closes everything.
 *
 * Validation happens before the upgrade, with the API server's errors (strategy.go ExecLocation): unknown container
 * (`container x is not valid for pod p`), missing container name with several containers, unscheduled pod
 * (`pod p does not have a host assigned`). A scheduled pod whose containers are not running fails at the kubelet:
 * `container not found ("c")`.
 */
import {PassThrough, type Readable} from 'node:stream'
import type WebSocket from 'ws'
import {ChannelCodec} from './channels.js'
import {podNodeName, podPhase} from './objects.js'
import type {PodNetwork} from './pod-network.js'
import {sidecarExecHandler} from './sidecar-tools.js'
import type {SpdySession, SpdyStream} from './spdy.js'
import {badRequest, internalError, type KubeStatus, nonZeroExit, streamStatus, success} from './status.js'
import type {ExecResult, SandboxContainer, SandboxPod} from './types.js'

export const SPDY_EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io']

export interface ExecOptions {
  stdin: boolean
  stdout: boolean
  stderr: boolean
  tty: boolean
}

export interface ExecTarget {
  pod: SandboxPod
  container: SandboxContainer
  argv: string[]
  opts: ExecOptions
}

export type ExecValidation =
  | {ok: ExecTarget}
  /** an API server error, answered before the upgrade */
  | {status: KubeStatus}
  /** a kubelet-side failure (`container not found`): text 500 before a v4/SPDY upgrade, a Status after a v5 one */
  | {kubeletError: string; target: ExecTarget}

function flag(q: URLSearchParams, name: string): boolean {
  const v = q.get(name)
  return v === 'true' || v === '1' || v === 'True'
}

export function validateExec(pod: SandboxPod, query: URLSearchParams): ExecValidation {
  const argv = query.getAll('command')
  const opts: ExecOptions = {stdin: flag(query, 'stdin'), stdout: flag(query, 'stdout'), stderr: flag(query, 'stderr'), tty: flag(query, 'tty')}
  const all = [...pod.containers, ...(pod.initContainers ?? [])]
  let name = query.get('container') ?? ''
  if (!name) {
    if (pod.containers.length === 1) name = pod.containers[0]!.name
    else {
      let msg = `a container name must be specified for pod ${pod.name}, choose one of: [${pod.containers.map((c) => c.name).join(' ')}]`
      if (pod.initContainers?.length) msg += ` or one of the init containers: [${pod.initContainers.map((c) => c.name).join(' ')}]`
      return {status: badRequest(msg)}
    }
  }
  const container = all.find((c) => c.name === name)
  if (!container) return {status: badRequest(`container ${name} is not valid for pod ${pod.name}`)}
  if (!podNodeName(pod)) return {status: badRequest(`pod ${pod.name} does not have a host assigned`)}
  if (argv.length === 0) return {status: badRequest('you must specify at least one command for the container')}
  if (!opts.stdin && !opts.stdout && !opts.stderr) return {status: badRequest('you must specify at least 1 of stdin, stdout, stderr')}
  const target: ExecTarget = {pod, container, argv, opts}
  const isInit = !pod.containers.includes(container)
  if (podPhase(pod) !== 'Running' || (isInit && container.restartPolicy !== 'Always')) {
    return {kubeletError: `container not found ("${name}")`, target}
  }
  return {ok: target}
}

/** Runs the pod's exec handler (or the default sidecar emulation); handler exceptions become runtime errors. */
export async function runExec(target: ExecTarget, stdin: Readable, network: PodNetwork): Promise<ExecResult> {
  const handler = target.pod.exec ?? sidecarExecHandler
  try {
    return await handler({
      pod: target.pod,
      container: target.container,
      argv: target.argv,
      tty: target.opts.tty,
      stdin,
      connect: (port) => network.connect(target.pod, port),
      httpRequest: (port, method, path, body) => network.httpRequest(target.pod, port, method, path, body),
    })
  } catch (err) {
    return {error: err instanceof Error ? err.message : String(err)}
  }
}

export function resultStatus(r: ExecResult, argv: string[]): KubeStatus {
  if (r.error !== undefined) return internalError(`error executing command in container: ${r.error}`)
  const code = r.exitCode ?? 0
  return code === 0 ? success() : nonZeroExit(code, argv)
}

function asBuffer(b: string | Buffer | undefined): Buffer {
  return b === undefined ? Buffer.alloc(0) : typeof b === 'string' ? Buffer.from(b) : b
}

function hasStatusChannel(protocol: string): boolean {
  return protocol.startsWith('v4.') || protocol.startsWith('v5.')
}

/** Runs an exec over an accepted websocket. `preFailure`: a kubelet error to report instead (v5 path). */
export async function serveWsExec(ws: WebSocket, protocol: string, target: ExecTarget, network: PodNetwork, preFailure?: string): Promise<void> {
  const codec = new ChannelCodec(ws, protocol || 'channel.k8s.io')
  const {opts} = target
  const finish = (status: KubeStatus): void => {
    if (hasStatusChannel(codec.protocol)) codec.send(3, JSON.stringify(streamStatus(status)))
    else if (status.status === 'Failure') codec.send(3, status.message ?? 'error')
    ws.close(1000)
  }
  if (opts.stdout) codec.send(1)
  else if (opts.stderr) codec.send(2)
  else codec.send(3)
  if (preFailure !== undefined) return finish(internalError(`unable to upgrade connection: ${preFailure}`))

  const stdin = new PassThrough()
  if (!opts.stdin) stdin.end()
  let closed = false
  ws.on('message', (data, isBinary) => {
    const f = codec.decode(data, isBinary)
    if (!f) return
    if (f.channel === 255 && codec.protocol === 'v5.channel.k8s.io') {
      if (f.payload[0] === 0) stdin.end()
      return
    }
    if (f.channel === 0 && opts.stdin && !stdin.writableEnded) stdin.write(f.payload)
  })
  ws.on('close', () => {
    closed = true
    if (!stdin.writableEnded) stdin.end()
  })
  ws.on('error', () => {})
  const result = await runExec(target, stdin, network)
  if (closed) return
  const out = asBuffer(result.stdout)
  const err = asBuffer(result.stderr)
  if (opts.stdout) codec.sendChunked(1, opts.tty ? Buffer.concat([out, err]) : out)
  if (opts.stderr && !opts.tty) codec.sendChunked(2, err)
  finish(resultStatus(result, target.argv))
}

/** Runs an exec over a SPDY session (plain `Upgrade: SPDY/3.1`). */
export function serveSpdyExec(session: SpdySession, protocol: string, target: ExecTarget, network: PodNetwork, preFailure?: string): void {
  const {opts} = target
  const expected = new Set(['error'])
  if (opts.stdin) expected.add('stdin')
  if (opts.stdout) expected.add('stdout')
  if (opts.stderr && !opts.tty) expected.add('stderr')
  if (opts.tty) expected.add('resize')
  const streams = new Map<string, SpdyStream>()
  let started = false
  session.on('stream', (s) => {
    s.reply()
    s.on('error', () => {})
    const type = s.headers.streamtype ?? ''
    if (type === 'resize' || (type !== 'stdin' && type !== '')) s.resume()
    streams.set(type, s)
    if (!started && [...expected].every((t) => streams.has(t))) {
      started = true
      void run()
    }
  })
  const run = async (): Promise<void> => {
    const errorStream = streams.get('error')!
    const finish = (status: KubeStatus): void => {
      if (protocol.startsWith('v4.') || protocol.startsWith('v5.')) errorStream.write(JSON.stringify(streamStatus(status)))
      else if (status.status === 'Failure') errorStream.write(status.message ?? 'error')
      for (const s of streams.values()) s.end()
      // like the kubelet: the connection is closed once the command is done
      setImmediate(() => session.close())
    }
    if (preFailure !== undefined) return finish(internalError(preFailure))
    let stdin: Readable
    if (opts.stdin) stdin = streams.get('stdin')!
    else {
      stdin = new PassThrough()
      ;(stdin as PassThrough).end()
    }
    const result = await runExec(target, stdin, network)
    if (session.closed) return
    const out = asBuffer(result.stdout)
    const err = asBuffer(result.stderr)
    if (opts.stdout) streams.get('stdout')!.write(opts.tty ? Buffer.concat([out, err]) : out)
    if (opts.stderr && !opts.tty) streams.get('stderr')!.write(err)
    finish(resultStatus(result, target.argv))
  }
}
