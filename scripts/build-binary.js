// `npm run build:binary`: meshctl as one self-contained executable, `dist/bin/meshctl-<os>-<arch>`: a Node.js single
// executable application (https://nodejs.org/api/single-executable-applications.html). Steps, each Node's documented
// mechanism:
//   1. esbuild bundles the whole CLI (oclif, every command, every dependency, the sandbox cluster) into one CommonJS
//      script, dist/binary/meshctl.cjs: a SEA runs one script whose require() knows only Node's built-in modules.
//      The entry (dist/binary/entry.js, generated here) embeds package.json's oclif fields, oclif.manifest.json and a
//      table of every command's module made from that manifest, so every command in commands/ is in the binary
//      without a list to keep (src/cli/binary.ts hands them to oclif).
//   2. The pinned Node (`node_modules/node`, the runtime the project runs on, not whatever `node` is on PATH) turns
//      it into a preparation blob: `node --experimental-sea-config dist/binary/sea-config.json`, with V8's code cache
//      (`useCodeCache`) so the script is not parsed and compiled at each start.
//   3. A copy of a Node binary gets the blob injected with `postject` (the Node.js project's injection tool), under
//      the resource name and sentinel fuse the docs give.
// Run after `npm run build` (it reads dist/ and oclif.manifest.json).
//
// Another OS or architecture: a SEA is the target platform's own node binary plus the blob, so give that binary:
//   node scripts/build-binary.js --node <path to the target's node> --target <os>-<arch>
//   (or MESHCTL_SEA_NODE / MESHCTL_SEA_TARGET), e.g. the `node` (or `node.exe`) of the official archive of the *same
//   Node version* as node_modules/node for linux-arm64, darwin-arm64, win32-x64. The blob is made by the pinned Node;
//   the code cache is V8 machine code data for the build machine, so a foreign target gets the blob without it.
//   macOS binaries must be signed afterwards (`codesign --sign - <file>`); the signature of a Windows node.exe is
//   invalidated by the injection.
// Other options: --no-code-cache (for comparisons), --out <file>.
import {execFileSync} from 'node:child_process'
import {chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join, relative, sep} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'
import {build} from 'esbuild'

const t0 = performance.now()
const root = fileURLToPath(new URL('..', import.meta.url))
const dist = join(root, 'dist')
const work = join(dist, 'binary')
const require = createRequire(import.meta.url)

const {values: opts} = parseArgs({
  options: {
    node: {type: 'string'},
    target: {type: 'string'},
    out: {type: 'string'},
    'no-code-cache': {type: 'boolean', default: false},
    snapshot: {type: 'boolean', default: false},
  },
})
const hostTarget = `${process.platform}-${process.arch}`
const pinnedNode = join(root, 'node_modules/node/bin/node')
const targetNode = opts.node ?? process.env.MESHCTL_SEA_NODE ?? pinnedNode
const target = opts.target ?? process.env.MESHCTL_SEA_TARGET ?? hostTarget
const fail = (msg) => {
  process.stderr.write(`build-binary: ${msg}\n`)
  process.exit(1)
}
if (!/^(linux|darwin|win32)-(x64|arm64)$/.test(target)) fail(`--target ${target}: expected <os>-<arch> with os linux, darwin or win32 and arch x64 or arm64`)
if (!existsSync(pinnedNode)) fail(`${relative(root, pinnedNode)} not found: run npm ci`)
if (!existsSync(targetNode)) fail(`node binary ${targetNode} not found`)
if (targetNode !== pinnedNode && target === hostTarget && !opts.target && !process.env.MESHCTL_SEA_TARGET) {
  // a different node for this very platform is fine (e.g. a smaller build of the same version); say so
  process.stderr.write(`build-binary: using ${targetNode} for ${target}\n`)
}
const foreign = target !== hostTarget
const useCodeCache = !foreign && !opts['no-code-cache']
if (!existsSync(join(root, 'oclif.manifest.json')) || !existsSync(join(dist, 'src/cli/binary.js'))) fail('run `npm run build` first')

// ---------------------------------------------------------------------------------------------------------------
// 1. the entry and the bundle

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8'))

// every command of the manifest, from the module tsc wrote for it (the manifest names the bundle's copy)
const commandsDir = join(dist, 'commands')
const commandFiles = new Map()
for (const [id, c] of Object.entries(manifest.commands)) {
  const rel = c.relativePath.join('/').replace(/^dist\/bundle\/commands\//, '')
  const file = join(commandsDir, rel)
  if (!existsSync(file)) fail(`the manifest's command ${id} has no module ${relative(root, file)}`)
  commandFiles.set(id, file)
}
// and no command left out: each module under dist/commands must be one of the manifest's
const listed = new Set(commandFiles.values())
const files = (dir) => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : n.endsWith('.js') ? [join(dir, n)] : []))
for (const f of files(commandsDir)) if (!listed.has(f)) fail(`${relative(root, f)} is not in oclif.manifest.json (stale build? run npm run build)`)

mkdirSync(work, {recursive: true})
const entry = join(work, 'entry.js')
const spec = (file) => JSON.stringify(`./${relative(work, file).split(sep).join('/')}`)
const commandLines = [...commandFiles].map(([id, f]) => `  ${JSON.stringify(id)}: () => import(${spec(f)}),`)
/** The entry, with the ids of the commands whose modules a start-up snapshot evaluates at build time. */
function writeEntry(preload) {
  writeFileSync(
    entry,
    [
      '// generated by scripts/build-binary.js: the single executable\'s entry (see src/cli/binary.ts)',
      "import {startupSnapshot} from 'node:v8'",
      `const pjson = ${JSON.stringify({name: pkg.name, version: pkg.version, description: pkg.description, oclif: pkg.oclif})}`,
      `const manifest = ${JSON.stringify(manifest)}`,
      'const commands = {',
      ...commandLines,
      '}',
      // the sandbox cluster (`npm run sandbox` in a checkout): `meshctl-<os>-<arch> sandbox [--scenario demo ...]`
      'const entries = {',
      `  sandbox: async (argv) => (await import(${spec(join(dist, 'src/sandbox/main.js'))})).runSandboxCli(argv),`,
      '}',
      `const cli = () => import(${spec(join(dist, 'src/cli/binary.js'))})`,
      'function start(argv) {',
      // --version before anything is evaluated (what bin/run.js does too)
      "  if (argv.length === 1 && argv[0] === '--version') {",
      `    process.stdout.write(\`meshctl/${pkg.version} \${process.platform}-\${process.arch} node-\${process.version}\\n\`)`,
      '    return',
      '  }',
      '  cli()',
      '    .then(({runBinary}) => runBinary(argv, {pjson, manifest, commands, entries}))',
      '    .catch((err) => {',
      "      process.stderr.write('Error: ' + (err instanceof Error ? err.message : String(err)) + '\\n')",
      '      process.exitCode = 1',
      '    })',
      '}',
      'if (startupSnapshot?.isBuildingSnapshot()) {',
      // built with useSnapshot: oclif and the command modules are evaluated now, at build time, into the heap the
      // executable starts from; each start then runs start() on the deserialized heap
      '  cli()',
      `  for (const id of ${JSON.stringify(preload)}) commands[id]()`,
      '  startupSnapshot.setDeserializeMainFunction(() => start(process.argv.slice(2)))',
      '} else {',
      '  start(process.argv.slice(2))',
      '}',
      '',
    ].join('\n'),
  )
}

// client-node's KubeConfig imports undici for fetch-based API clients meshctl never uses (as in scripts/bundle.js):
// the stand-in requires the real one on first use, and esbuild keeps a required CommonJS module unevaluated until then
const lazyUndici = {
  name: 'lazy-undici',
  setup(b) {
    b.onResolve({filter: /^undici$/}, () => ({path: 'undici', namespace: 'lazy-undici'}))
    b.onLoad({filter: /.*/, namespace: 'lazy-undici'}, () => ({
      loader: 'js',
      contents: [
        'let real',
        "const undici = () => (real ??= require('undici-real'))",
        'export class Agent { constructor(...a) { return new (undici().Agent)(...a) } }',
        'export class ProxyAgent { constructor(...a) { return new (undici().ProxyAgent)(...a) } }',
        'export const fetch = (...a) => undici().fetch(...a)',
      ].join('\n'),
    }))
    b.onResolve({filter: /^undici-real$/}, () => ({path: require.resolve('undici', {paths: [dirname(require.resolve('@kubernetes/client-node/package.json'))]})}))
  },
}

// meshctl's modules load a CommonJS dependency they need only sometimes with `createRequire(import.meta.url)(name)`
// (an ES module's synchronous require); in one CommonJS script that is a plain require(), which esbuild bundles
const plainRequire = {
  name: 'plain-require',
  setup(b) {
    b.onLoad({filter: /[\\/]dist[\\/](src|commands)[\\/].*\.js$/}, (args) => {
      const text = readFileSync(args.path, 'utf8')
      if (!text.includes('createRequire(import.meta.url)(')) return undefined
      return {loader: 'js', contents: text.replaceAll('createRequire(import.meta.url)(', 'require(')}
    })
  },
}

const script = join(work, 'meshctl.cjs')
const bundle = () =>
  build({
    entryPoints: [entry],
    outfile: script,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    // optional native speed-ups of ws, loaded in a try/catch: absent here, as in any install without a compiler
    external: ['bufferutil', 'utf-8-validate'],
    // import.meta does not exist in a CommonJS script: the few modules that compare it with process.argv[1] (the
    // sandbox's "run when started directly") must see a URL that is never the executable's
    define: {'import.meta.url': '"file:///meshctl-single-executable/"'},
    plugins: [lazyUndici, plainRequire],
    logLevel: 'error',
    metafile: true,
    legalComments: 'none',
    // a smaller script is quicker to load at every start (V8 hashes and deserializes it with its code cache); names
    // are kept for error messages and class-name checks
    minify: true,
    keepNames: true,
  })

// Node's snapshot builder cannot hold node:http, node:https, node:tls or node:http2 (Node 24 aborts the build), so a
// command whose modules import one of them statically is evaluated at run time instead; found from esbuild's
// module graph (static imports and require() calls, not import() made when a command runs)
const NOT_IN_SNAPSHOT = /^(node:)?(http|https|tls|http2|_tls_wrap)$/
function snapshotSafe(metafile) {
  const cache = new Map()
  const reaches = (input, seen) => {
    if (cache.has(input)) return cache.get(input)
    if (seen.has(input)) return false
    seen.add(input)
    const bad = (metafile.inputs[input]?.imports ?? []).some(
      (i) => i.kind !== 'dynamic-import' && (i.external ? NOT_IN_SNAPSHOT.test(i.path) : reaches(i.path, seen)),
    )
    cache.set(input, bad)
    return bad
  }
  const key = (file) => relative(process.cwd(), file).split(sep).join('/')
  return [...commandFiles].filter(([, f]) => !reaches(key(f), new Set())).map(([id]) => id)
}

writeEntry([])
let result = await bundle()
let preload = []
if (opts.snapshot) {
  preload = snapshotSafe(result.metafile)
  writeEntry(preload)
  result = await bundle()
}
const warnings = result.warnings.filter((w) => !/bufferutil|utf-8-validate/.test(w.text))
for (const w of warnings) process.stderr.write(`esbuild: ${w.text} (${w.location?.file}:${w.location?.line})\n`)
const bundleBytes = statSync(script).size

// ---------------------------------------------------------------------------------------------------------------
// 2. the preparation blob, made by the pinned Node

const blob = join(work, 'sea-prep.blob')
const seaConfig = join(work, 'sea-config.json')
const writeConfig = () =>
  writeFileSync(
    seaConfig,
    `${JSON.stringify({main: script, output: blob, disableExperimentalSEAWarning: true, useSnapshot: opts.snapshot, useCodeCache}, null, 2)}\n`,
  )
// Node's own notes on snapshot building (which built-in modules are "not yet fully verified") are not this build's
// errors; a real failure shows on the exit status, with Node's message
const makeBlob = () => {
  try {
    execFileSync(pinnedNode, ['--experimental-sea-config', seaConfig], {stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8'})
    return ''
  } catch (err) {
    return `${err.stderr ?? ''}`.split('\n').filter((l) => /error|failed/i.test(l)).slice(0, 3).join(' / ') || String(err.message)
  }
}
writeConfig()
let blobError = makeBlob()
if (blobError && opts.snapshot && preload.length) {
  // a command module that makes a native object (a socket, a BlockList, a timer) when it is imported cannot be in a
  // snapshot: build the snapshot with oclif alone, say so, and keep the binary working
  process.stderr.write(`build-binary: the start-up snapshot with the command modules failed (${blobError}); building it with oclif only. A command module probably makes a native object at import time: make it lazy.\n`)
  preload = []
  writeEntry(preload)
  result = await bundle()
  blobError = makeBlob()
}
if (blobError) fail(`node --experimental-sea-config: ${blobError}`)

// ---------------------------------------------------------------------------------------------------------------
// 3. a copy of the target's node with the blob injected

const [os] = target.split('-')
const out = opts.out ?? join(dist, 'bin', `meshctl-${target}${os === 'win32' ? '.exe' : ''}`)
mkdirSync(join(out, '..'), {recursive: true})
rmSync(out, {force: true})
copyFileSync(targetNode, out)
chmodSync(out, 0o755)
const {inject} = require('postject')
await inject(out, 'NODE_SEA_BLOB', readFileSync(blob), {
  sentinelFuse: 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
  ...(os === 'darwin' ? {machoSegmentName: 'NODE_SEA'} : {}),
})
const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`
process.stdout.write(
  `binary: ${relative(root, out)} (${mb(statSync(out).size)}; script ${mb(bundleBytes)}, ${opts.snapshot ? `start-up snapshot with ${preload.length} of ${commandFiles.size} commands` : `code cache ${useCodeCache ? 'on' : 'off'}`}) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
)
if (os === 'darwin') process.stdout.write(`sign it on macOS before use: codesign --sign - ${relative(root, out)}\n`)
