#!/usr/bin/env node
/**
 * Command-line entry for scripts and the sandbox cluster:
 *
 *   node dist/src/gen/cli.js --scenario bookinfo --list
 *   node dist/src/gen/cli.js --scenario bookinfo --proxy productpage-v1-…-….default --include-eds --out dump.json
 *   node dist/src/gen/cli.js --scenario synthetic --services 10000 --format clusters --out clusters.json
 *
 * Output is streamed (the 70k-service dump does not fit in one string). Errors are one line on stderr;
 * exit code 2 for usage errors, 1 for anything else.
 */
import {parseArgs} from 'node:util'
import {bookinfo, DEFAULT_ISTIO_VERSION} from './bookinfo.js'
import {clustersStatusDocument} from './clusters-status.js'
import {configDumpDocument} from './configdump.js'
import {GenError} from './errors.js'
import type {LazyObject} from './lazy.js'
import {streamJson} from './lazy.js'
import type {MeshModel} from './model.js'
import type {ProxyInfo} from './proxies.js'
import {iterateProxies, proxyInfo, resolveProxy} from './proxies.js'
import {syntheticMesh} from './synthetic.js'
import {writeDocumentToFile} from './write.js'

const USAGE = `Usage: node dist/src/gen/cli.js [options]

Generates Istio-style Envoy admin output from a mesh model.

Options:
  --scenario <name>       bookinfo (default) or synthetic
  --services <n>          synthetic: number of application services (default 100)
  --namespaces <n>        synthetic: number of application namespaces (default services/250)
  --seed <n>              synthetic: PRNG seed (default 1)
  --istio-version <v>     Istio version to imitate (default ${DEFAULT_ISTIO_VERSION})
  --faults                bookinfo: add the broken things check and trace explain (a route to a missing subset,
                          a service without endpoints, a REGISTRY_ONLY sidecar, a proxy with rejected, warming
                          and expired config)
  --list                  print the proxies (pods with an Envoy) instead of a dump
  --json                  with --list: print the proxies as a JSON array
  --proxy <pod[.ns]>      the proxy to dump (default: the first sidecar)
  --format <f>            config_dump (default) or clusters (/clusters?format=json)
  --include-eds           add the EndpointsConfigDump section (/config_dump?include_eds=true)
  --out <file>            write to a file instead of stdout
  -h, --help              show this help
`

class UsageError extends Error {}

function positiveInt(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--${name} must be a positive integer, got "${v}"`)
  return Number(v)
}

function buildMesh(values: Record<string, string | boolean | undefined>): MeshModel {
  const scenario = (values['scenario'] as string | undefined) ?? 'bookinfo'
  const istioVersion = values['istio-version'] as string | undefined
  if (istioVersion !== undefined && !/^\d+\.\d+(\.\d+)?([-+].*)?$/.test(istioVersion)) {
    throw new UsageError(`--istio-version must look like 1.24.3, got "${istioVersion}"`)
  }
  if (scenario === 'bookinfo') {
    for (const k of ['services', 'namespaces', 'seed']) if (values[k] !== undefined) throw new UsageError(`--${k} only applies to --scenario synthetic`)
    return bookinfo({istioVersion, faults: values['faults'] === true})
  }
  if (scenario === 'synthetic') {
    if (values['faults'] !== undefined) throw new UsageError('--faults only applies to --scenario bookinfo')
    return syntheticMesh({
      services: positiveInt('services', values['services'] as string | undefined, 100),
      namespaces: values['namespaces'] === undefined ? undefined : positiveInt('namespaces', values['namespaces'] as string, 1),
      seed: values['seed'] === undefined ? undefined : positiveInt('seed', values['seed'] as string, 1),
      istioVersion,
    })
  }
  throw new UsageError(`unknown --scenario "${scenario}" (expected bookinfo or synthetic)`)
}

/** Writes to stdout honouring back-pressure. */
function stdoutWriter(chunk: string): void | Promise<void> {
  if (process.stdout.write(chunk)) return
  return new Promise((resolve) => process.stdout.once('drain', () => resolve()))
}

async function list(mesh: MeshModel, json: boolean): Promise<void> {
  if (json) {
    let first = true
    await stdoutWriter('[')
    for (const p of iterateProxies(mesh)) {
      await stdoutWriter(`${first ? '\n' : ',\n'}  ${JSON.stringify(p)}`)
      first = false
    }
    await stdoutWriter(first ? ']\n' : '\n]\n')
    return
  }
  const rows: string[][] = [['NAME', 'NAMESPACE', 'KIND', 'IP', 'NODE', 'READY', 'VERSION']]
  const flush = async () => {
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)))
    await stdoutWriter(`${rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c] + 3))).join('')).join('\n')}\n`)
    rows.length = 0
  }
  for (const p of iterateProxies(mesh)) {
    rows.push([p.pod, p.namespace, p.kind, p.ip, p.node, p.ready ? 'true' : 'false', p.istioVersion])
    if (rows.length >= 5000) await flush()
  }
  if (rows.length > 0) await flush()
}

function firstSidecar(mesh: MeshModel): ProxyInfo {
  for (const p of iterateProxies(mesh)) if (p.kind === 'sidecar') return p
  throw new GenError(`mesh ${mesh.name} has no sidecar proxies`)
}

async function main(argv: string[]): Promise<number> {
  const {values, positionals} = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      scenario: {type: 'string'},
      services: {type: 'string'},
      namespaces: {type: 'string'},
      seed: {type: 'string'},
      'istio-version': {type: 'string'},
      list: {type: 'boolean'},
      json: {type: 'boolean'},
      proxy: {type: 'string'},
      format: {type: 'string'},
      'include-eds': {type: 'boolean'},
      faults: {type: 'boolean'},
      out: {type: 'string'},
      help: {type: 'boolean', short: 'h'},
    },
  })
  if (values.help) {
    process.stdout.write(USAGE)
    return 0
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`)
  const format = values.format ?? 'config_dump'
  if (format !== 'config_dump' && format !== 'clusters') throw new UsageError(`--format must be config_dump or clusters, got "${format}"`)
  if (values.json && !values.list) throw new UsageError('--json only applies to --list')

  const mesh = buildMesh(values)
  if (values.list) {
    if (values.proxy || values.out || values['include-eds'] || values.format) throw new UsageError('--list takes no --proxy, --format, --include-eds or --out')
    await list(mesh, values.json ?? false)
    return 0
  }
  const proxy = values.proxy ? proxyInfo(mesh, resolveProxy(mesh, values.proxy)) : firstSidecar(mesh)
  if (!values.proxy) process.stderr.write(`meshctl-gen: no --proxy given, using ${proxy.pod}.${proxy.namespace}\n`)
  const opts = {includeEds: values['include-eds'] ?? false}
  const doc: LazyObject = format === 'clusters' ? clustersStatusDocument(mesh, proxy, opts) : configDumpDocument(mesh, proxy, opts)
  if (values.out) await writeDocumentToFile(doc, values.out)
  else {
    await streamJson(doc, stdoutWriter)
    await stdoutWriter('\n')
  }
  return 0
}

function oneLine(err: unknown): string {
  const e = err as {code?: string; message?: string; path?: string}
  if (e?.code === 'ENOENT' || e?.code === 'EACCES' || e?.code === 'EISDIR') return `cannot write ${e.path ?? 'output'}: ${e.code}`
  return String(e?.message ?? err).split('\n')[0]
}

process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  // a closed pipe (`| head`) is not an error worth reporting
  if (err.code === 'EPIPE') process.exit(0)
})

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    const usage = err instanceof UsageError || (err as {code?: string})?.code?.startsWith('ERR_PARSE_ARGS')
    process.stderr.write(`meshctl-gen: error: ${oneLine(err)}${usage ? ' (see --help)' : ''}\n`)
    process.exitCode = usage ? 2 : 1
  },
)
