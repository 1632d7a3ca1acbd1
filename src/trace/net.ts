/**
 * IP addresses and CIDR ranges as Envoy compares them (Network::Address::CidrRange, LcTrie): an address is an
 * IPv4 or IPv6 number; a range holds an address when the first `len` bits agree. IPv4 ranges never hold IPv6
 * addresses and the other way round (Envoy keeps one trie per family). Pure; nothing here throws.
 */

export interface Ip {
  /** 4 or 6 */
  family: 4 | 6
  /** the address as a number (32 or 128 bits) */
  value: bigint
}

export interface Cidr {
  family: 4 | 6
  /** the network address (host bits cleared, as CidrRange::create does) */
  value: bigint
  len: number
}

/** The canonical text of a range: `a.b.c.d/len` or `x::/len`. */
export function cidrText(c: Cidr): string {
  return `${formatIp({family: c.family, value: c.value})}/${c.len}`
}

function parseIpv4(s: string): bigint | undefined {
  // hand-rolled: a listener may hold thousands of /32 ranges (headless services)
  let v = 0
  let octet = -1
  let digits = 0
  let dots = 0
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i)
    if (ch >= 48 && ch <= 57) {
      // inet_pton (which Envoy uses) takes at most 3 digits and no leading zero
      if (digits === 3 || (digits === 1 && octet === 0)) return undefined
      octet = (octet < 0 ? 0 : octet) * 10 + (ch - 48)
      digits++
    } else if (ch === 46 && digits > 0 && dots < 3) {
      if (octet > 255) return undefined
      v = v * 256 + octet
      octet = -1
      digits = 0
      dots++
    } else return undefined
  }
  if (dots !== 3 || digits === 0 || octet > 255) return undefined
  return BigInt(v * 256 + octet)
}

function parseIpv6(input: string): bigint | undefined {
  let s = input
  const pct = s.indexOf('%') // zone id
  if (pct >= 0) s = s.slice(0, pct)
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1)
  if (!s.includes(':')) return undefined
  // an embedded IPv4 tail (::ffff:10.0.0.1)
  let tail: bigint | undefined
  const lastColon = s.lastIndexOf(':')
  const last = s.slice(lastColon + 1)
  if (last.includes('.')) {
    tail = parseIpv4(last)
    if (tail === undefined) return undefined
    s = `${s.slice(0, lastColon + 1)}${((tail >> 16n) & 0xffffn).toString(16)}:${(tail & 0xffffn).toString(16)}`
  }
  const halves = s.split('::')
  if (halves.length > 2) return undefined
  const head = halves[0] === '' ? [] : halves[0]!.split(':')
  const rest = halves.length === 2 ? (halves[1] === '' ? [] : halves[1]!.split(':')) : []
  const groups = halves.length === 2 ? [...head, ...Array(8 - head.length - rest.length).fill('0'), ...rest] : head
  if (groups.length !== 8) return undefined
  let v = 0n
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined
    v = (v << 16n) | BigInt(Number.parseInt(g, 16))
  }
  return v
}

/** Parses an IPv4 or IPv6 address (IPv6 may be bracketed); undefined when it is not one. */
export function parseIp(s: string): Ip | undefined {
  const v4 = parseIpv4(s)
  if (v4 !== undefined) return {family: 4, value: v4}
  const v6 = parseIpv6(s)
  return v6 !== undefined ? {family: 6, value: v6} : undefined
}

/** The canonical text of an address (IPv6 compressed per RFC 5952, lowercase). */
export function formatIp(ip: Ip): string {
  if (ip.family === 4) {
    const v = ip.value
    return [24n, 16n, 8n, 0n].map((sh) => String((v >> sh) & 0xffn)).join('.')
  }
  const groups: number[] = []
  for (let i = 7; i >= 0; i--) groups.push(Number((ip.value >> BigInt(i * 16)) & 0xffffn))
  // longest run of zero groups (length >= 2) becomes ::
  let bestStart = -1
  let bestLen = 0
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLen) {
      bestStart = i
      bestLen = j - i
    }
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  if (bestLen < 2) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`
}

/** The canonical form of an address text, or the text itself when it is not an IP address. */
export function canonicalIp(s: string): string {
  const ip = parseIp(s)
  return ip ? formatIp(ip) : s
}

const bits = (family: 4 | 6): number => (family === 4 ? 32 : 128)

function computeMask(total: number, len: number): bigint {
  if (len <= 0) return 0n
  return ((1n << BigInt(total)) - 1n) ^ ((1n << BigInt(total - len)) - 1n)
}
const MASKS4 = Array.from({length: 33}, (_, l) => computeMask(32, l))
const MASKS6 = Array.from({length: 129}, (_, l) => computeMask(128, l))

const mask = (family: 4 | 6, len: number): bigint => (family === 4 ? MASKS4[len]! : MASKS6[len]!)

/** A CIDR range from an address and a prefix length; the length is clamped to the family's width. */
export function makeCidr(address: string, len: number): Cidr | undefined {
  const ip = parseIp(address)
  if (!ip) return undefined
  const l = Math.max(0, Math.min(bits(ip.family), Math.trunc(Number.isFinite(len) ? len : 0)))
  return {family: ip.family, value: ip.value & mask(ip.family, l), len: l}
}

export function cidrContains(c: Cidr, ip: Ip): boolean {
  return c.family === ip.family && (ip.value & mask(c.family, c.len)) === c.value
}

/** The catch-all ranges Envoy uses for a chain without ranges (makeCidrListEntry with an empty string). */
export const CATCH_ALL: readonly Cidr[] = [makeCidr('0.0.0.0', 0)!, makeCidr('::', 0)!]

/** Envoy's stand-in for a non-IP (pipe) address in CIDR tries: it matches only the 0.0.0.0/0 fallback. */
export const FAKE_ADDRESS: Ip = parseIp('255.255.255.255')!

/** Network::Utility::isSameIpOrLoopback: the remote is a loopback address or equals the local address. */
export function isSameIpOrLoopback(remote: Ip | undefined, local: Ip | undefined): boolean {
  if (!remote) return false
  if (remote.family === 4 && remote.value >> 24n === 127n) return true
  if (remote.family === 6 && remote.value === 1n) return true
  return local !== undefined && local.family === remote.family && local.value === remote.value
}
