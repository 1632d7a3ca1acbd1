/**
 * The local side of `dashboard envoy`: which address to listen on (`--address`: `localhost` or an IP) and which
 * port (`--port`: that one only; by default the pod's port if it is free here, else a random one, as istioctl).
 * `localhost` means both 127.0.0.1 and ::1 on the same port, as kubectl/client-go port-forward does, so a
 * browser that resolves localhost to ::1 reaches us and not some other program.
 */
import net from 'node:net'
import {UsageError} from '../errors/index.js'

export interface ListenAddress {
  /** as it appears in the URL and messages: `localhost`, or the IP without brackets */
  text: string
  /** what is bound: 127.0.0.1 and ::1 for localhost, else the IP */
  hosts: string[]
  /** host part of the URL (IPv6 in brackets) */
  urlHost: string
  /** only processes on this machine can connect */
  loopback: boolean
}

const LOOPBACK = new net.BlockList()
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4')
LOOPBACK.addAddress('::1', 'ipv6')
LOOPBACK.addSubnet('::ffff:127.0.0.0', 104, 'ipv6')

/** `--address` as given: `localhost` or an IPv4/IPv6 address (IPv6 optionally in brackets). */
export function parseListenAddress(text: string): ListenAddress {
  const t = text.trim()
  if (t.toLowerCase() === 'localhost') return {text: 'localhost', hosts: ['127.0.0.1', '::1'], urlHost: 'localhost', loopback: true}
  const ip = t.replace(/^\[(.*)\]$/, '$1')
  const family = net.isIP(ip)
  if (family === 0) {
    throw new UsageError(`--address "${text}" is not an IP address or localhost`, {hint: 'use e.g. localhost, 127.0.0.1, ::1, or 0.0.0.0 to listen on every interface'})
  }
  return {text: ip, hosts: [ip], urlHost: family === 6 ? `[${ip}]` : ip, loopback: LOOPBACK.check(ip, family === 6 ? 'ipv6' : 'ipv4')}
}

/** istioctl's order: `--port` alone if set; else the remote port, then any free port. */
export function portPreferences(port: number, remotePort: number): number[] {
  return port !== 0 ? [port] : [remotePort, 0]
}

/** The URL a browser opens. */
export function listenUrl(address: ListenAddress, port: number): string {
  return `http://${address.urlHost}:${port}`
}

/** Errors meaning "this machine has no such address family/address": skipped for the ::1 half of localhost. */
const UNAVAILABLE = new Set(['EADDRNOTAVAIL', 'EAFNOSUPPORT', 'EPROTONOSUPPORT'])

const DESCRIBE: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EACCES: 'permission denied',
  EADDRNOTAVAIL: 'this machine has no such address',
}

function listenOnce(server: net.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening)
      reject(err)
    }
    const onListening = (): void => {
      server.off('error', onError)
      resolve((server.address() as net.AddressInfo).port)
    }
    server.once('error', onError)
    server.once('listening', onListening)
    server.listen({host, port, exclusive: true, ipv6Only: net.isIPv6(host)})
  })
}

const closeServer = (s: net.Server): Promise<void> => new Promise((resolve) => (s.listening ? s.close(() => resolve()) : resolve()))

export interface BoundServers {
  servers: net.Server[]
  /** the hosts actually bound (localhost on a machine without IPv6: only 127.0.0.1) */
  hosts: string[]
  port: number
}

/**
 * Binds one server per host of `address`, all on the same port, trying `candidates` in order (0 = any free port).
 * A candidate is accepted when every host is bound (a host family the machine lacks is skipped). Fails with one
 * line naming each attempt, as istioctl's `failure running port forward process: ...`.
 */
export async function bindServers(address: ListenAddress, candidates: number[], makeServer: () => net.Server): Promise<BoundServers> {
  const failures: string[] = []
  let firstCode = ''
  for (const candidate of candidates) {
    // a random port that is free on 127.0.0.1 but taken on ::1: pick another random one
    const attempts = candidate === 0 ? 3 : 1
    for (let attempt = 0; attempt < attempts; attempt++) {
      const servers: net.Server[] = []
      const hosts: string[] = []
      let port = candidate
      let failure: string | undefined
      for (const host of address.hosts) {
        const server = makeServer()
        try {
          port = await listenOnce(server, host, port)
          servers.push(server)
          hosts.push(host)
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code ?? ''
          if (UNAVAILABLE.has(code) && address.hosts.length > 1) continue
          firstCode ||= code
          const where = net.isIPv6(host) ? `[${host}]:${port || 'random'}` : `${host}:${port || 'random'}`
          failure = `unable to listen on ${where}: ${DESCRIBE[code] ?? (err as Error).message}`
          break
        }
      }
      if (failure === undefined && servers.length > 0) return {servers, hosts, port}
      await Promise.all(servers.map(closeServer))
      if (failure === undefined) failure = `unable to listen on ${address.text}: no usable address`
      if (!failures.includes(failure)) failures.push(failure)
      // an address this machine does not have fails on every port: one line, not one per port tried
      if (firstCode === 'EADDRNOTAVAIL') break
    }
    if (firstCode === 'EADDRNOTAVAIL') break
  }
  const hint =
    firstCode === 'EADDRINUSE'
      ? 'another program uses that port: pick another with --port (or leave --port out for a free one)'
      : firstCode === 'EACCES'
        ? 'ports below 1024 need privileges: pick a higher --port'
        : firstCode === 'EADDRNOTAVAIL'
          ? 'use an address of this machine with --address (or 0.0.0.0 for all)'
          : undefined
  // the port or address the user chose (or left to us) cannot be used here: the command line must change (exit 2),
  // not a bug (exit 1)
  throw new UsageError(`failure running port forward process: ${failures.join('; ')}`, {code: 'E_LISTEN', hint})
}
