/**
 * The benchmark's input files, made with the project's generator (src/gen) and kept in a cache directory between
 * runs. A cached file is reused when its size and the generator's code (a hash of dist/src/gen) are those recorded
 * next to it; otherwise it is written again (streamed: the 70k-service dump is past V8's 512 MB string limit).
 */
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {performance} from 'node:perf_hooks'
import {iterateProxies, syntheticMesh, writeDumpToFile} from '../../src/gen/index.js'
import type {MeshModel, ProxyInfo} from '../../src/gen/index.js'

export interface DumpSpec {
  services: number
  /** config_dump (with or without the EndpointsConfigDump section) or /clusters?format=json */
  format: 'config_dump' | 'clusters'
  includeEds: boolean
  /** which sidecar of the mesh (0 = the first, 1 = the next: a replica of the same workload in the synthetic mesh) */
  proxyIndex?: number
}

export interface Dump extends DumpSpec {
  path: string
  bytes: number
  /** `<pod>.<namespace>` of the sidecar dumped */
  proxy: string
  /** ms spent generating it in this run (0 = reused from the cache) */
  genMs: number
  cached: boolean
}

function filesUnder(dir: string): string[] {
  const out: string[] = []
  for (const e of readdirSync(dir, {withFileTypes: true})) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) out.push(...filesUnder(p))
    else if (e.name.endsWith('.js')) out.push(p)
  }
  return out.sort()
}

/** Hash of the compiled generator: a changed generator invalidates the cache. */
export function generatorKey(root: string): string {
  const h = createHash('sha256')
  const dir = path.join(root, 'dist/src/gen')
  for (const f of filesUnder(dir)) {
    h.update(path.relative(dir, f))
    h.update(readFileSync(f))
  }
  return h.digest('hex').slice(0, 16)
}

export function dumpName(s: DumpSpec): string {
  const size = s.services >= 1000 ? `${s.services / 1000}k` : String(s.services)
  const which = s.proxyIndex ? `.p${s.proxyIndex}` : ''
  return s.format === 'clusters' ? `svc-${size}${which}.clusters.json` : `svc-${size}${which}.config_dump${s.includeEds ? '.eds' : ''}.json`
}

export function firstSidecar(mesh: MeshModel, index = 0): ProxyInfo {
  let n = 0
  for (const p of iterateProxies(mesh)) if (p.kind === 'sidecar' && n++ === index) return p
  throw new Error(`mesh ${mesh.name} has no sidecar #${index}`)
}

const meshes = new Map<number, MeshModel>()
export function meshOf(services: number): MeshModel {
  let m = meshes.get(services)
  if (!m) {
    m = syntheticMesh({services})
    meshes.set(services, m)
  }
  return m
}

/** Returns the dump, from the cache when it is still valid. */
export async function ensureDump(dir: string, key: string, spec: DumpSpec, log: (s: string) => void): Promise<Dump> {
  mkdirSync(dir, {recursive: true})
  const file = path.join(dir, dumpName(spec))
  const metaFile = `${file}.meta.json`
  if (existsSync(file) && existsSync(metaFile)) {
    try {
      const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as {key: string; bytes: number; proxy: string}
      if (meta.key === key && statSync(file).size === meta.bytes) {
        return {...spec, path: file, bytes: meta.bytes, proxy: meta.proxy, genMs: 0, cached: true}
      }
    } catch {
      // unreadable meta: regenerate
    }
  }
  const mesh = meshOf(spec.services)
  const proxy = firstSidecar(mesh, spec.proxyIndex ?? 0)
  const tmp = `${file}.partial`
  const t0 = performance.now()
  const {bytes} = await writeDumpToFile(mesh, proxy, tmp, {includeEds: spec.includeEds, format: spec.format})
  const genMs = performance.now() - t0
  renameSync(tmp, file)
  const id = `${proxy.pod}.${proxy.namespace}`
  writeFileSync(metaFile, `${JSON.stringify({key, bytes, proxy: id, services: spec.services, format: spec.format, includeEds: spec.includeEds, genMs: Math.round(genMs)}, null, 2)}\n`)
  log(`  generated ${path.basename(file)}: ${bytes} bytes in ${(genMs / 1000).toFixed(1)} s`)
  return {...spec, path: file, bytes, proxy: id, genMs, cached: false}
}
