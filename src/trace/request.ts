/**
 * The request a user asks `trace` about, from a URL and flags: what the application sends (scheme, host, port,
 * path, method, headers, TLS with SNI/ALPN or plaintext) and where it is going. Pure; every malformed input is a
 * UsageError with what was wrong and what to write instead.
 *
 * URL forms: `http://reviews:9080/reviews/0`, `http://reviews.default.svc.cluster.local/api?x=1` (port 80),
 * `https://bookinfo.example.com/productpage` (TLS, SNI = host, port 443), `tcp://10.96.0.15:3306` (opaque TCP),
 * `tls://db.example.com:5432` (TLS that is not HTTP, SNI = host), `h2c://grpc-svc:50051/pkg.Svc/Method`
 * (HTTP/2 with prior knowledge, as gRPC without TLS sends it).
 */
import {UsageError} from '../errors/index.js'

export type Scheme = 'http' | 'https' | 'h2c' | 'tcp' | 'tls'

export interface RequestSpec {
  scheme: Scheme
  /** the host as written (lowercased) */
  host: string
  port: number
  /** whether the URL wrote the port (decides the Host header, as curl sends it) */
  explicitPort: boolean
  /** path + query as sent; '' for tcp/tls */
  path: string
  method: string
  /** extra headers, names lowercased, in order */
  headers: Array<[string, string]>
  /** TLS from the client (https, tls) */
  tls: boolean
  sni?: string
  alpn?: string[]
  /** the HTTP protocol on the wire when not TLS: what Envoy's HTTP inspector would detect; undefined for opaque TCP */
  httpProtocol?: 'http/1.1' | 'h2c' | 'http/1.0'
  /** Host / :authority as the client sends it */
  authority: string
}

export interface RequestFlags {
  method?: string
  header?: string[]
  sni?: string
  alpn?: string
  http10?: boolean
}

const DEFAULT_PORT: Record<Scheme, number | undefined> = {http: 80, https: 443, h2c: 80, tcp: undefined, tls: 443}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/

export function isIpLiteral(host: string): boolean {
  return IPV4.test(host) || host.includes(':')
}

/** One `-H 'name: value'` header. */
export function parseHeader(text: string): [string, string] {
  const colon = text.indexOf(':', text.startsWith(':') ? 1 : 0)
  if (colon <= 0) throw new UsageError(`header "${text}" has no colon`, {hint: "write it as -H 'name: value'"})
  const name = text.slice(0, colon).trim().toLowerCase()
  if (!/^:?[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(name)) throw new UsageError(`header name "${text.slice(0, colon).trim()}" is not a valid HTTP header name`)
  return [name, text.slice(colon + 1).trim()]
}

export function parseRequest(url: string, flags: RequestFlags = {}): RequestSpec {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)([^#]*)(#.*)?$/.exec(url.trim())
  if (!m) {
    throw new UsageError(`"${url}" is not a URL`, {hint: 'write the request as a URL, e.g. http://reviews:9080/reviews/0, https://bookinfo.example.com/, tcp://10.96.0.15:3306'})
  }
  const scheme = m[1]!.toLowerCase()
  if (!(scheme in DEFAULT_PORT)) {
    throw new UsageError(`unknown scheme "${scheme}" in ${url}`, {hint: 'use http, https, h2c (HTTP/2 without TLS, e.g. gRPC), tcp or tls'})
  }
  const s = scheme as Scheme
  let hostPort = m[2]!
  if (hostPort.includes('@')) hostPort = hostPort.slice(hostPort.lastIndexOf('@') + 1)
  let host: string
  let portText: string | undefined
  if (hostPort.startsWith('[')) {
    const end = hostPort.indexOf(']')
    if (end < 0) throw new UsageError(`"${url}" has an unclosed IPv6 address`, {hint: 'write it as http://[fd00::1]:9080/'})
    host = hostPort.slice(1, end)
    const rest = hostPort.slice(end + 1)
    if (rest !== '' && !rest.startsWith(':')) throw new UsageError(`"${url}" has text after the IPv6 address`)
    portText = rest === '' ? undefined : rest.slice(1)
  } else {
    const colon = hostPort.lastIndexOf(':')
    host = colon >= 0 ? hostPort.slice(0, colon) : hostPort
    portText = colon >= 0 ? hostPort.slice(colon + 1) : undefined
  }
  host = host.toLowerCase()
  if (host === '') throw new UsageError(`"${url}" has no host`, {hint: 'e.g. http://reviews:9080/'})
  let port = DEFAULT_PORT[s]
  if (portText !== undefined) {
    if (!/^\d+$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) throw new UsageError(`port "${portText}" in ${url} is not a port number (1-65535)`)
    port = Number(portText)
  }
  if (port === undefined) throw new UsageError(`${url} needs a port (${s}:// has no default one)`, {hint: `e.g. ${s}://10.96.0.15:3306`})
  const http = s === 'http' || s === 'https' || s === 'h2c'
  let path = m[3] ?? ''
  // as curl sends it: an empty path is /, a bare query gets one too
  if (http && (path === '' || path.startsWith('?'))) path = `/${path}`
  if (!http && path !== '' && path !== '/') throw new UsageError(`${url}: a ${s}:// request has no path`, {hint: `drop "${path}"`})
  if (!http && (flags.method !== undefined || (flags.header?.length ?? 0) > 0)) throw new UsageError(`-X and -H are HTTP options; ${url} is ${s === 'tcp' ? 'plain TCP' : 'TLS without HTTP'}`)
  const headers = (flags.header ?? []).map(parseHeader)
  const method = (flags.method ?? 'GET').toUpperCase()
  if (!/^[A-Z]+$/.test(method)) throw new UsageError(`method "${flags.method}" is not an HTTP method`, {hint: 'e.g. -X POST'})
  const tls = s === 'https' || s === 'tls'
  let alpn: string[] | undefined
  if (flags.alpn !== undefined) {
    alpn = flags.alpn
      .split(',')
      .map((a) => a.trim())
      .filter((a) => a !== '')
    if (alpn.length === 0) throw new UsageError('--alpn is empty', {hint: 'e.g. --alpn h2,http/1.1'})
  } else if (s === 'https') alpn = ['h2', 'http/1.1'] // what curl offers
  if (!tls && (flags.sni !== undefined || flags.alpn !== undefined)) throw new UsageError(`--sni and --alpn describe a TLS client; ${url} is not TLS`, {hint: 'use https:// or tls://'})
  const sni = tls ? (flags.sni ?? (isIpLiteral(host) ? undefined : host)) : undefined
  const explicitPort = portText !== undefined
  const hostText = host.includes(':') ? `[${host}]` : host
  // curl's Host: the port only when it is not the scheme's default
  const authority = explicitPort && port !== DEFAULT_PORT[s] ? `${hostText}:${port}` : hostText
  const userHost = headers.find(([n]) => n === 'host' || n === ':authority')
  return {
    scheme: s,
    host,
    port,
    explicitPort,
    path: http ? path : '',
    method,
    headers: headers.filter(([n]) => n !== 'host' && n !== ':authority'),
    tls,
    sni,
    alpn,
    httpProtocol: s === 'http' ? (flags.http10 ? 'http/1.0' : 'http/1.1') : s === 'h2c' ? 'h2c' : undefined,
    authority: userHost ? userHost[1] : authority,
  }
}
