/**
 * istiod's xDS debug interface, as istioctl's proxy-status uses it (`istioctl/pkg/xds/client.go`,
 * `istioctl/pkg/multixds/gather.go`): one ADS stream (`AggregatedDiscoveryService/StreamAggregatedResources`), one
 * DiscoveryRequest for a debug type, the first DiscoveryResponse, then the stream is cancelled.
 *
 * ```ts
 * const token = await requestIstiodToken(api, {namespace: 'istio-system'})           // ./token.ts
 * const socketFactory = async () => (await openPodStream(api, 'istio-system', pod, 15012)).socket   // ../kube/transport.ts
 * const res = await fetchDebug({socketFactory, tls: {insecure: true}, token, timeoutMs: 30_000, pod}, DEBUG_SYNCZ)
 * // res: proto-JSON DiscoveryResponse {versionInfo, resources: [{"@type": ...ClientConfig, node, genericXdsConfigs}], typeUrl, controlPlane}
 * ```
 *
 * Debug types istiod serves:
 * - `istio.io/debug/syncz` (DEBUG_SYNCZ): one `envoy.service.status.v3.ClientConfig` per connected proxy;
 * - `istio.io/debug/config_dump` (DEBUG_CONFIG_DUMP) with resource name `<pod>.<ns>`: the config dump sections istiod
 *   would send that proxy as `envoy.admin.v3.*ConfigDump` Anys, or no resources when the proxy is not connected to
 *   this istiod. meshctl has no envoy.admin schemas, so those Anys stay opaque (`{"@type", "value": base64}`);
 * - `istio.io/debug` (DEBUG_ANY) with resource name `<path>?<query>` (e.g. `config_dump?proxyID=<pod>.<ns>`,
 *   `syncz`): the text istiod's HTTP `/debug/<path>` handler answers, as one Any of type `istio.io/debug` (debugText()
 *   reads it). Only on an authenticated (TLS + token) connection.
 *
 * Transport: `address` (`host:port`) or `socketFactory` (e.g. a Kubernetes port-forward stream from
 * `openPodStream`): grpc-js can only dial addresses, so each connection it opens to a private 127.0.0.1 relay
 * listener is piped to a fresh `socketFactory()` stream; the relay is closed with the call.
 * TLS: `'plaintext'` for istiod's 15010; for 15012 `{insecure: true}` skips certificate verification (what istioctl
 * does through a port-forward), otherwise `caPem` (or the system roots) and `serverName` verify it. `token` is sent
 * as `authorization: Bearer <token>` (a TokenRequest token for audience `istio-ca`, see ./token.ts).
 *
 * Failures are ProxyErrors (exit 5) worded like istioctl's `could not get XDS from discovery pod "<pod>": <reason>`
 * with a code: E_TIMEOUT, E_XDS_UNAUTHENTICATED, E_XDS_DENIED, E_XDS_TLS, E_XDS_UNAVAILABLE, E_XDS_DECODE, E_XDS.
 * A MeshctlError thrown by `socketFactory` (pod not found, port-forward refused...) is rethrown as it is.
 */
import net from 'node:net'
import type {Duplex} from 'node:stream'
import type * as grpcTypes from '@grpc/grpc-js'
import {isMeshctlError, type MeshctlError, ProxyError, UsageError} from '../errors/index.js'
import {anyBytes, decodeObject, encode, type Json, type JsonObject, ProtoError} from './codec.js'
import {ADS_METHOD_PATH, DISCOVERY_REQUEST, DISCOVERY_RESPONSE} from './schema.js'

export const DEBUG_SYNCZ = 'istio.io/debug/syncz'
export const DEBUG_CONFIG_DUMP = 'istio.io/debug/config_dump'
export const DEBUG_ANY = 'istio.io/debug'

export interface XdsNode {
  id: string
  cluster?: string
  /** node metadata (a google.protobuf.Struct, as plain JSON) */
  metadata?: JsonObject
}

export type XdsTls =
  | 'plaintext'
  | {
      /** skip certificate verification (default false) */
      insecure?: boolean
      /** CA bundle to verify istiod's certificate; default: the system roots */
      caPem?: string | Buffer
      /** name to verify the certificate against; default: `authority`, else the address host */
      serverName?: string
      /** client certificate and key (istioctl's --cert-dir) */
      certPem?: string | Buffer
      keyPem?: string | Buffer
    }

export interface FetchDebugOptions {
  /** `host:port` to dial; exclusive with socketFactory */
  address?: string
  /** opens one connection to istiod's xDS port (e.g. `openPodStream(...).socket`) */
  socketFactory?: () => Duplex | Promise<Duplex>
  tls: XdsTls
  /** bearer token for istiod (15012); not sent when undefined */
  token?: string
  /** HTTP/2 :authority; default: the address (grpc-js default) */
  authority?: string
  /** for the whole exchange: connect, TLS, request, first response */
  timeoutMs: number
  /** the istiod pod's name, for error messages (`could not get XDS from discovery pod "<pod>": ...`) */
  pod?: string
  /** the node sent in the request; default: a sidecar-shaped ID with metadata GENERATOR=event, NAMESPACE, SERVICE_ACCOUNT */
  node?: XdsNode
  /** istio namespace and service account for the default node (default `istio-system`, `default`) */
  namespace?: string
  serviceAccount?: string
}

let grpcModule: Promise<typeof grpcTypes> | undefined
const loadGrpc = (): Promise<typeof grpcTypes> => (grpcModule ??= import('@grpc/grpc-js'))

function fmtSeconds(ms: number): string {
  // under a second in ms: `--timeout 1ms` timed out "after 0.0s"
  if (ms < 1000) return `${ms}ms`
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${Number((ms / 1000).toFixed(3))}s`
}

/** The node istioctl's xDS client presents: a sidecar-shaped ID and the "event" generator's metadata. */
export function defaultNode(namespace = 'istio-system', serviceAccount = 'default'): XdsNode {
  return {
    id: `sidecar~127.0.0.1~meshctl-${process.pid}.${namespace}~${namespace}.svc.cluster.local`,
    metadata: {GENERATOR: 'event', NAMESPACE: namespace, SERVICE_ACCOUNT: serviceAccount},
  }
}

// ---------------------------------------------------------------------------------------------------------------
// errors

const CODE_NAMES: Record<number, string> = {
  0: 'OK',
  1: 'Canceled',
  2: 'Unknown',
  3: 'InvalidArgument',
  4: 'DeadlineExceeded',
  5: 'NotFound',
  6: 'AlreadyExists',
  7: 'PermissionDenied',
  8: 'ResourceExhausted',
  9: 'FailedPrecondition',
  10: 'Aborted',
  11: 'OutOfRange',
  12: 'Unimplemented',
  13: 'Internal',
  14: 'Unavailable',
  15: 'DataLoss',
  16: 'Unauthenticated',
}

const TLS_RE = /SSL|TLS|certificate|handshake|wrong version number|self[- ]signed|ERR_SSL|EPROTO/i
const PORT_HINT = 'istiod serves xDS with TLS and a token on 15012, plaintext on 15010 (--plaintext --xds-port 15010)'

function targetText(opts: FetchDebugOptions): string {
  return opts.pod ? `discovery pod "${opts.pod}"` : (opts.address ?? 'istiod')
}

export function xdsError(opts: FetchDebugOptions, reason: string, code: string, hint?: string, cause?: unknown): ProxyError {
  return new ProxyError(`could not get XDS from ${targetText(opts)}: ${reason}`, {code, hint, cause})
}

/** A grpc-js status error as a ProxyError a user can act on. */
function statusError(opts: FetchDebugOptions, err: grpcTypes.ServiceError): ProxyError {
  const name = CODE_NAMES[err.code] ?? `code ${err.code}`
  const details = (err.details || err.message || '')
    .replace(/\s*\n\s*/g, ' ')
    // grpc-js's connection diagnostics: keep the error, drop the timestamp and the empty resolver note
    .replace(/\s*Resolution note:\s*$/, '')
    .replace(/ \(\d{4}-\d\d-\d\dT[\d:.]+Z\)/, '')
    .replace(/\s*\.\s*$/, '')
  const rpc = `(gRPC ${name}: ${details})`
  switch (err.code) {
    case 4:
      return xdsError(opts, `no answer within ${fmtSeconds(opts.timeoutMs)}`, 'E_TIMEOUT', `istiod may be overloaded, or the port is not istiod's xDS port (${PORT_HINT}); raise --timeout`, err)
    case 16:
      return xdsError(
        opts,
        `istiod rejected the credentials ${rpc}`,
        'E_XDS_UNAUTHENTICATED',
        opts.token === undefined
          ? `port 15012 needs a bearer token (a TokenRequest for audience istio-ca) or a client certificate; ${PORT_HINT}`
          : 'the token must come from a TokenRequest for audience istio-ca that has not expired',
        err,
      )
    case 7:
      return xdsError(opts, `istiod denied the request ${rpc}`, 'E_XDS_DENIED', undefined, err)
    case 14:
      if (TLS_RE.test(details)) {
        return xdsError(opts, `TLS with istiod failed ${rpc}`, 'E_XDS_TLS', opts.tls === 'plaintext' || opts.tls.insecure ? PORT_HINT : `${PORT_HINT}; istiod's certificate did not verify against the CA given`, err)
      }
      return xdsError(opts, `cannot reach istiod ${rpc}`, 'E_XDS_UNAVAILABLE', PORT_HINT, err)
    default:
      return xdsError(opts, `istiod answered with an error ${rpc}`, 'E_XDS', undefined, err)
  }
}

// ---------------------------------------------------------------------------------------------------------------
// relay: grpc-js dials 127.0.0.1:<port>, each connection is piped to socketFactory()

interface Relay {
  address: string
  /** the first socketFactory failure, if any */
  error(): unknown
  close(): Promise<void>
}

/** A TCP connection to `host:port` (`[v6]:port`). */
function dial(address: string): Duplex {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(address)
  if (!m) throw new UsageError(`--xds-address "${address}" is not host:port`)
  return net.connect({host: m[1] ?? m[2], port: Number(m[3])})
}

async function startRelay(factory: () => Duplex | Promise<Duplex>): Promise<Relay> {
  const open = new Set<{local: net.Socket; remote?: Duplex}>()
  let failure: unknown
  const server = net.createServer({pauseOnConnect: true}, (local) => {
    const pair: {local: net.Socket; remote?: Duplex} = {local}
    open.add(pair)
    local.setNoDelay(true)
    local.on('error', () => {})
    const finish = (): void => {
      open.delete(pair)
      local.destroy()
      pair.remote?.destroy()
    }
    local.on('close', finish)
    Promise.resolve()
      .then(factory)
      .then(
        (remote) => {
          if (!open.has(pair)) {
            remote.destroy()
            return
          }
          pair.remote = remote
          remote.on('error', (err) => {
            failure ??= err
            finish()
          })
          remote.on('close', finish)
          remote.on('end', () => local.end())
          remote.pipe(local)
          local.pipe(remote)
          local.resume()
        },
        (err: unknown) => {
          failure ??= err
          finish()
        },
      )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  server.unref()
  const {port} = server.address() as net.AddressInfo
  return {
    address: `127.0.0.1:${port}`,
    error: () => failure,
    close: () =>
      new Promise<void>((resolve) => {
        for (const p of [...open]) {
          p.local.destroy()
          p.remote?.destroy()
        }
        open.clear()
        server.close(() => resolve())
      }),
  }
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * One debug request on a fresh ADS stream; resolves with the first DiscoveryResponse as proto-JSON. See the module
 * comment for the types, options and errors.
 */
export async function fetchDebug(opts: FetchDebugOptions, typeUrl: string, resourceNames: string[] = []): Promise<JsonObject> {
  if (!opts.address === !opts.socketFactory) throw new Error('fetchDebug: give exactly one of address and socketFactory')
  const grpc = await loadGrpc()
  // a direct address is dialled through the relay too: grpc-js does not end a connection whose TLS handshake never
  // completes when the client is closed (a server that accepts TCP and says nothing kept meshctl running after
  // its timeout error); the relay's sockets are ours to destroy
  const direct = opts.address
  const relay = await startRelay(opts.socketFactory ?? (() => dial(direct!)))
  const address = relay.address
  const channelOptions: grpcTypes.ChannelOptions = {
    // config dumps are large; istioctl lifts the limit too
    'grpc.max_receive_message_length': -1,
    'grpc.enable_retries': 0,
    'grpc.enable_channelz': 0,
    // one attempt per call: a refused connection fails the call instead of backing off until the deadline
    'grpc.initial_reconnect_backoff_ms': 100,
  }
  // the relay is 127.0.0.1:<port>; the server is told the address the user gave
  const authority = opts.authority ?? direct
  if (authority) channelOptions['grpc.default_authority'] = authority
  let creds: grpcTypes.ChannelCredentials
  if (opts.tls === 'plaintext') creds = grpc.credentials.createInsecure()
  else {
    const t = opts.tls
    const buf = (v: string | Buffer | undefined): Buffer | null => (v === undefined ? null : Buffer.isBuffer(v) ? v : Buffer.from(v))
    const verify: grpcTypes.VerifyOptions = t.insecure ? {rejectUnauthorized: false, checkServerIdentity: () => undefined} : {}
    creds = grpc.credentials.createSsl(buf(t.caPem), buf(t.keyPem), buf(t.certPem), verify)
    // TLS SNI may not be an IP address (the relay's 127.0.0.1): default to istiod's Service name
    const host = (direct ?? address).replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1')
    const serverName = t.serverName ?? opts.authority ?? (net.isIP(host) ? `istiod.${opts.namespace ?? 'istio-system'}.svc` : host)
    if (serverName) channelOptions['grpc.ssl_target_name_override'] = serverName
  }
  const client = new grpc.Client(address, creds, channelOptions)
  const metadata = new grpc.Metadata()
  if (opts.token !== undefined) metadata.set('authorization', `Bearer ${opts.token}`)
  const node = opts.node ?? defaultNode(opts.namespace, opts.serviceAccount)
  const request: JsonObject = {node: node as unknown as Json, typeUrl}
  if (resourceNames.length) request.resourceNames = resourceNames

  let call: grpcTypes.ClientDuplexStream<JsonObject, Buffer> | undefined
  try {
    return await new Promise<JsonObject>((resolve, reject) => {
      let settled = false
      const settle = (fn: () => void): void => {
        if (settled) return
        settled = true
        clearTimeout(backstop)
        fn()
        call?.cancel()
      }
      const fail = (err: unknown): void => settle(() => reject(err))
      // grpc's deadline covers connect + answer; this only guards against a call that never reports anything
      const backstop = setTimeout(() => fail(xdsError(opts, `no answer within ${fmtSeconds(opts.timeoutMs)}`, 'E_TIMEOUT', 'raise --timeout')), opts.timeoutMs + 2000)
      call = client.makeBidiStreamRequest<JsonObject, Buffer>(ADS_METHOD_PATH, (m) => encode(DISCOVERY_REQUEST, m), (b) => b, metadata, {deadline: Date.now() + opts.timeoutMs})
      call.on('data', (bytes: Buffer) => {
        let res: JsonObject
        try {
          res = decodeObject(DISCOVERY_RESPONSE, bytes)
        } catch (err) {
          const why = err instanceof ProtoError ? err.message : String(err)
          fail(xdsError(opts, `istiod's answer is not a DiscoveryResponse (${why})`, 'E_XDS_DECODE', undefined, err))
          return
        }
        settle(() => resolve(res))
      })
      call.on('error', (err: grpcTypes.ServiceError) => {
        const relayErr = relay.error()
        if (relayErr !== undefined && isMeshctlError(relayErr)) fail(relayErr as MeshctlError)
        else if (relayErr !== undefined && direct !== undefined && err.code === 14) {
          fail(xdsError(opts, `cannot reach istiod (gRPC Unavailable: ${(relayErr as Error).message ?? relayErr})`, 'E_XDS_UNAVAILABLE', PORT_HINT, relayErr))
        } else if (relayErr !== undefined && err.code === 14) fail(xdsError(opts, `cannot open a connection to istiod (${(relayErr as Error).message ?? relayErr})`, 'E_XDS_UNAVAILABLE', undefined, relayErr))
        else fail(statusError(opts, err))
      })
      // after 'error' for a failed call; alone when istiod ended the stream with OK and no answer
      call.on('status', () => fail(xdsError(opts, 'istiod closed the stream without answering', 'E_XDS')))
      call.write(request)
    })
  } finally {
    client.close()
    await relay.close()
  }
}

/** The text of an `istio.io/debug` answer (the HTTP debug handler's body istiod packs into one Any). */
export function debugText(response: JsonObject): string {
  const resources = response.resources
  if (!Array.isArray(resources) || resources.length === 0) return ''
  return anyBytes(resources[0]!).toString('utf8')
}

export type {Json, JsonObject} from './codec.js'
