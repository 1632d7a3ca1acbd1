/**
 * V8 settings changed while meshctl runs, for the few places where measurement showed V8's defaults cost time or
 * memory in a short-lived CLI (BENCHMARKS.md, issues 12 and 15). Each only changes how fast or how big, never what
 * is printed.
 */
import {createRequire} from 'node:module'
import {getHeapSpaceStatistics, setFlagsFromString} from 'node:v8'
import {setReadHook} from './read-hook.js'

/**
 * The V8 versions these flags were measured on and exist in: 12 (Node 22) and 13 (Node 24, pinned; the single
 * executable's). V8 prints `Error: unrecognized flag` on stderr for a flag it does not have, and flags do get renamed
 * (`--opt` became `--turbofan`): on another V8 nothing is set, which changes only the time or the memory.
 */
const KNOWN_V8 = /^1[23]\./.test(process.versions.v8)

/** Sets one V8 flag, on a V8 known to have it. */
function setFlag(flag: string): void {
  if (!KNOWN_V8) return
  try {
    setFlagsFromString(flag)
  } catch {
    // flags frozen by the embedder: nothing changes but the time or the memory
  }
}

/**
 * Keeps V8's young generation at most `capBytes` for a mesh-wide fan-out (`poll` between proxies; `release` at the
 * end). Decoding and checking one proxy makes tens of MB of short-lived objects (a 3.4 MB dump: 50-60 MB live in
 * the middle of its checks); every scavenge that copies that much counts toward growing the young generation, so
 * over a few dozen proxies V8 doubles it up to its maximum (2 × 64 MB semi-spaces) and a run's RSS keeps that
 * much more whatever the mesh. The growth factor is the one V8 heap setting that takes effect at run time
 * (`--max-semi-space-size` is read only at start-up): it is set to 1 (no growth) while the young generation is at
 * the cap and back to V8's 2 below it, so a young generation that V8 shrinks while the run waits on the network
 * can grow again. Bounded at 32 MB (16 MB semi-spaces), the same decode-and-check loop over 40 of those dumps
 * peaks at 219 MB instead of 369 MB for the same CPU time (bench notes in the commit message).
 */
export function boundYoungGeneration(capBytes = 32 * 1024 * 1024): {poll(): void; release(): void} {
  let frozen = false
  const set = (freeze: boolean): void => {
    if (freeze === frozen) return
    frozen = freeze
    setFlag(`--semi-space-growth-factor=${freeze ? 1 : 2}`)
  }
  return {
    poll: () => {
      const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')
      if (young) set(young.space_size >= capBytes)
    },
    release: () => set(false),
  }
}

/**
 * Keeps V8's old generation within `percent` % above what a full collection leaves live, for a mesh-wide fan-out
 * (`release` at the end). Building and checking one proxy's graph keeps it alive across many scavenges, so each
 * proxy leaves its graph (~20 MB for a 3.4 MB dump) in the old generation as garbage; V8 sizes the next full
 * collection's limit from its GC and mutator speeds, up to 4× the live heap for a heap this small, so the old
 * generation climbed to 80-130 MB over a live 20-25 MB before being collected, and peak RSS with it. A fixed factor
 * of 2 (`--heap-growing-percent`, read each time V8 computes the limit, so it takes effect at run time) collects it
 * at ~50 MB. With the young generation held at 16 MB and each answer freed once checked (src/util/buffers.ts), 101
 * proxies of a 300-service mesh peak at 201-210 MB instead of 269-283 MB, for ~10 % more CPU (more full
 * collections; 3 interleaved runs each). Back to V8's own factor (0) on release.
 */
export function boundHeapGrowth(percent = 100): {release(): void} {
  setFlag(`--heap-growing-percent=${percent}`)
  let released = false
  return {
    release: () => {
      if (released) return
      released = true
      setFlag('--heap-growing-percent=0')
    },
  }
}

/**
 * Gives V8's free heap pages back to the system every `everyProxies` proxies of a mesh-wide fan-out (`tick` once per
 * proxy). When a collection empties a page of the old or the young generation, V8 keeps it, still committed, in a
 * pool for the generations to grow into again, and empties the pool only in a collection made to reduce memory
 * (V8's memory reducer, which starts one only once the process has gone idle: a fan-out never is, and a CLI exits
 * before). So a run's RSS carried the largest heap it ever had: measured with /proc/self/smaps over `check -A` of
 * the 300-service sandbox, V8's heap pages went from ~45 MB resident at 10 s to 65 MB by 50 s while the heap itself
 * stayed at 38-59 MB, and the more proxies, the larger the largest graph-and-garbage moment, so peak RSS grew with
 * the number of proxies. A collection that reduces memory now and then (V8's own, with its `last-resort` flavour:
 * full collections until nothing more is freed, then the pool emptied) makes what is kept the largest heap of the
 * last few dozen proxies: flat in their number. It is the memory reducer's work, done at a time the run chooses
 * (between two proxies, when the one just checked is garbage); each costs a few tens of ms of CPU over a ~25 MB
 * live heap, ~1 % of the time a proxy takes to read. The collection is reached through a context made with
 * `--expose-gc` (`vm`): the flag does not add `gc` to contexts that already exist. On a V8 this was not measured
 * on, or where the flag cannot be set, nothing happens.
 */
export function releaseHeapPagesEvery(everyProxies: number): {tick(): void} {
  let n = 0
  return {
    tick: () => {
      if (++n % everyProxies === 0) exposedGc()?.({type: 'major', flavor: 'last-resort'})
    },
  }
}

type GcOptions = {type: 'major'; flavor: 'last-resort'} | {type: 'minor'}
let gcFunction: ((options: GcOptions) => void) | null | undefined

/**
 * V8's `gc` (the function `--expose-gc` adds), or undefined on a V8 this was not measured on or where the flag
 * cannot be set. Made once, on first use: the flag does not add `gc` to contexts that already exist, so it is taken
 * from a new `vm` context (~1 ms).
 */
function exposedGc(): ((options: GcOptions) => void) | undefined {
  if (gcFunction === undefined) {
    gcFunction = null
    if (KNOWN_V8) {
      setFlag('--expose-gc')
      try {
        // node:vm loaded here: ps and the other commands that import this module never need it
        const {runInNewContext} = createRequire(import.meta.url)('node:vm') as typeof import('node:vm')
        const gc = runInNewContext('gc') as unknown
        if (typeof gc === 'function') gcFunction = gc as (options: GcOptions) => void
      } catch {
        // not exposed: nothing happens but the memory
      }
      // the function stays; the flag goes back to its default, and with it the hash of V8's flags that code caches
      // are checked against (a module compiled while it was set would leave an entry the next start rejects)
      setFlag('--no-expose-gc')
    }
  }
  return gcFunction ?? undefined
}

/**
 * Collects V8's young generation after every `everyBytes` bytes read from the network, for a mesh-wide fan-out
 * (`release` at the end); the transport reports what it reads through src/util/read-hook.ts. Each read of a TLS socket is a
 * fresh 16 KB buffer in malloc's heap, garbage as soon as the WebSocket has taken its frames out of it, but freed
 * only when V8 next collects its tiny Buffer object, and V8 collects the young generation when JavaScript objects
 * fill it, not when off-heap buffers do. While the proxies in flight stream their 3-4 MB answers and nothing is
 * being checked, that is tens of MB of dead reads at once (`arrayBuffers` up to 39 MB in a sampled `check -A` of
 * the 300-service sandbox), which glibc's heap then keeps as its high-water mark: one more peak that grew with the
 * number of proxies, since the longer the run the larger its largest burst. A scavenge after every few MB read
 * frees them while they are few; it copies only the young objects still alive (246 such scavenges over 511 proxies
 * of the 300-service sandbox, ~1.3 s of a loaded machine's wall time in a ~100 s run). Peak RSS of that run, 3 runs
 * each, with 100 of the same proxies in brackets: 193-204 MB (171-179) before, 187-195 (171-180) with
 * releaseHeapPagesEvery alone, 181-183 (162-178) with both. What is read stays what is read: only when garbage is
 * collected changes.
 */
export function collectReadBuffersEvery(everyBytes: number): {release(): void} {
  let left = everyBytes
  const hook = (bytes: number): void => {
    left -= bytes
    if (left > 0) return
    left = everyBytes
    exposedGc()?.({type: 'minor'})
  }
  setReadHook(hook)
  return {release: () => setReadHook(undefined)}
}

/**
 * `ps`, one table (from a file or live): what is left of the process is one pass over thousands of proxies
 * (decode, sort, table), a few tens of milliseconds. V8 optimises the hot loops with TurboFan on a background
 * thread, and those compilations cost more CPU than they save before the process exits: without them the same run
 * takes ~20-30 ms less CPU (5,077 proxies from 3 istiod replicas, file and live alike; BENCHMARKS.md issue 15;
 * Maglev and Sparkplug stay on), which on two CPUs shared with the cluster is also wall time. The table only:
 * -o yaml of the same proxies runs for seconds, where optimised code has time to pay back (it was no faster
 * without); not for --watch (a long-lived process). setFlagsFromString after start-up may do nothing on another V8:
 * the output is the same either way.
 */
export function withoutTurbofan(): void {
  setFlag('--no-turbofan')
}

/**
 * The sandbox cluster (src/sandbox/cluster.ts, for the life of its process): memory outside V8's heap (Buffers,
 * TLS buffers) counts toward the heap's global limit instead of starting a full collection after every ~64 MB of it.
 * The sandbox moves megabytes per request (config dumps and /debug/syncz through port-forward and exec, all over
 * TLS), memory freed as each message is written and each connection closes; with V8's default a 5,077-proxy sandbox
 * started a full collection of its ~170 MB heap (100-170 ms of marking on the thread that serves) during 11 of 20
 * `meshctl ps` it answered, and V8's memory reducer another after each, which put the benchmark's live `ps` rounds
 * (BENCHMARKS.md issue 15) in a fast and a slow group; with this setting, 1 in 20. The flag is V8 13's (Node 24);
 * elsewhere nothing is set.
 */
export function externalMemoryInGlobalLimit(): void {
  if (!/^13\./.test(process.versions.v8)) return
  setFlag('--external-memory-accounted-in-global-limit')
}
