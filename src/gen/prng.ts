/**
 * Deterministic randomness for the generator. Nothing here reads the clock or Math.random(): the same seed
 * (or the same input string) always gives the same numbers, so generated dumps are byte-identical across runs.
 */

/** 32-bit FNV-1a hash of a string. */
export function hash32(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** A small, fast seeded PRNG (mulberry32). */
export class Prng {
  private state: number

  constructor(seed: number | string) {
    this.state = (typeof seed === 'string' ? hash32(seed) : seed) >>> 0
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296
  }

  /** Integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]
  }

  /** true with probability p. */
  chance(p: number): boolean {
    return this.next() < p
  }
}

/**
 * Kubernetes' "safe" alphabet for generated name suffixes (k8s.io/apimachinery rand.SafeEncodeString): no
 * vowels and no look-alike characters, which is why pod names look like `reviews-v1-7d6f4b8c5d-x2k9p`.
 */
const K8S_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789'

/** A k8s-looking suffix of `len` characters derived from `key` (ReplicaSet hash: 9-10 chars; pod: 5). */
export function k8sSuffix(key: string, len: number): string {
  const rng = new Prng(key)
  let out = ''
  for (let i = 0; i < len; i++) out += K8S_ALPHABET[rng.nextU32() % K8S_ALPHABET.length]
  return out
}

/**
 * A pod-template-hash: Kubernetes hashes the pod template to a uint32 and runs its decimal digits through
 * SafeEncodeString, so these hashes only use `4-9bcdf` (e.g. `5c54dcd5bd`).
 */
export function podTemplateHash(key: string): string {
  let out = ''
  for (const ch of String(hash32(key))) out += K8S_ALPHABET[ch.charCodeAt(0) % K8S_ALPHABET.length]
  return out
}

/** Lowercase hex string of `bytes` bytes derived from `key` (SHAs, container ids). */
export function hexFrom(key: string, bytes: number): string {
  const rng = new Prng(key)
  let out = ''
  for (let i = 0; i < bytes; i++) out += (rng.nextU32() & 0xff).toString(16).padStart(2, '0')
  return out
}
