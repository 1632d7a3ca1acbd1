// `npm run build:binary`: meshctl as one self-contained executable, `dist/bin/meshctl-<os>-<arch>`: a Node.js single
// executable application (SEA, https://nodejs.org/api/single-executable-applications.html) made of the Node the
// project pins (node_modules/node, not whatever `node` is on PATH) and the bundled CLI. Run after `npm run build`.
//
//   1. esbuild bundles dist/ (tsc's output) into CommonJS scripts, since a SEA runs CommonJS and its require() knows
//      only Node's built-in modules:
//        cli.cjs      oclif, meshctl's CLI and every command. Its entry (dist/binary/cli-entry.js, generated here)
//                     embeds package.json's oclif fields, oclif.manifest.json and a table of every command's module
//                     made from that manifest: a command added to commands/ is in the next binary with nothing to
//                     edit (src/cli/binary.ts hands them to oclif in place of its files).
//        libs.cjs     the packages a command loads only when it runs (client-node, gRPC, ws, YAML, JMESPath, ...):
//                     found from esbuild's module graph, see `eager` below
//        sandbox.cjs  the sandbox cluster (`meshctl-<os>-<arch> sandbox`, what `npm run sandbox` runs)
//        main.cjs     the SEA's main script: `--version`, else it loads cli.cjs
//   2. Each of the first three is a SEA asset (bytes in the blob), compiled when first needed with a V8 code cache
//      made here by the pinned Node. cli.cjs's cache is made after running commands with it (a "training" run), so
//      it holds the compiled code of every function a start runs, not only the top level that Node's own
//      `useCodeCache` covers (used for main.cjs). A start then neither parses nor compiles meshctl.
//   3. `node --experimental-sea-config` (the pinned Node: the blob format and the code cache are its own) writes the
//      preparation blob; `postject` (the Node.js project's injection tool) injects it into a copy of the target's node
//      binary under the resource name and sentinel fuse Node's documentation gives.
//
// Another OS or architecture: a SEA is the target platform's own node binary plus the blob, so give that binary:
//   node scripts/build-binary.js --node <the target's node> --target <os>-<arch>
// (or MESHCTL_SEA_NODE / MESHCTL_SEA_TARGET), e.g. `bin/node` (`node.exe`) from the official archive of the *same*
// Node version as node_modules/node for linux-arm64, darwin-arm64 or win32-x64. V8 code caches are specific to the
// machine that makes them, so such a binary has none (it starts slower, and works the same). A macOS binary must be
// signed afterwards (`codesign --sign - <file>`). Other options: --out <file>, --no-code-cache (for comparisons).
import {execFileSync} from 'node:child_process'
import {chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {createRequire, isBuiltin} from 'node:module'
import {dirname, join, relative, sep} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {parseArgs} from 'node:util'
import {build} from 'esbuild'
import {inputsDigest} from './binary-inputs.js'
import {lazyRequiresPlugin, WS_ZLIB} from './lib/lazy-requires.js'
import {LAZY_NAMES, lazyDependencies} from './lib/lazy-deps.js'
import {clientNodeWithoutSideEffects} from './lib/client-node-pure.js'

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
  },
})
const fail = (msg) => {
  process.stderr.write(`build-binary: ${msg}\n`)
  process.exit(1)
}
const hostTarget = `${process.platform}-${process.arch}`
const pinnedNode = join(root, 'node_modules/node/bin/node')
const targetNode = opts.node ?? process.env.MESHCTL_SEA_NODE ?? pinnedNode
const target = opts.target ?? process.env.MESHCTL_SEA_TARGET ?? hostTarget
if (!/^(linux|darwin|win32)-(x64|arm64)$/.test(target)) fail(`--target ${target}: expected <os>-<arch>, os one of linux, darwin, win32 and arch x64 or arm64`)
if (!existsSync(pinnedNode)) fail(`${relative(root, pinnedNode)} not found: run npm ci`)
if (!existsSync(targetNode)) fail(`node binary ${targetNode} not found`)
if (targetNode !== pinnedNode && target === hostTarget) {
  // a node for this platform must be the pinned version: the blob and its code caches are that version's
  const v = execFileSync(targetNode, ['--version'], {encoding: 'utf8'}).trim()
  const pinned = execFileSync(pinnedNode, ['--version'], {encoding: 'utf8'}).trim()
  if (v !== pinned) fail(`${targetNode} is Node ${v}; the blob is made by the pinned Node ${pinned}, and a SEA needs the same version`)
}
const foreign = target !== hostTarget
const useCodeCache = !foreign && !opts['no-code-cache']
if (!existsSync(join(root, 'oclif.manifest.json')) || !existsSync(join(dist, 'src/cli/binary.js'))) fail('run `npm run build` first')

// ---------------------------------------------------------------------------------------------------------------
// 1. the scripts

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8'))

// every command of the manifest, from the module tsc wrote for it (the manifest names the bundle's copy)
const commandsDir = join(dist, 'commands')
const commandFiles = new Map()
for (const [id, c] of Object.entries(manifest.commands)) {
  const file = join(commandsDir, c.relativePath.join('/').replace(/^dist\/bundle\/commands\//, ''))
  if (!existsSync(file)) fail(`the manifest's command ${id} has no module ${relative(root, file)}`)
  commandFiles.set(id, file)
}
// and none left out: each module under dist/commands must be one of the manifest's
const listed = new Set(commandFiles.values())
const files = (dir) => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : n.endsWith('.js') ? [join(dir, n)] : []))
for (const f of files(commandsDir)) if (!listed.has(f)) fail(`${relative(root, f)} is not in oclif.manifest.json (stale build? run npm run build)`)

rmSync(work, {recursive: true, force: true})
mkdirSync(work, {recursive: true})
const spec = (file) => JSON.stringify(`./${relative(work, file).split(sep).join('/')}`)
const versionLine = `\`meshctl/${pkg.version} \${process.platform}-\${process.arch} node-\${process.version}\\n\``

const cliEntry = join(work, 'cli-entry.js')
writeFileSync(
  cliEntry,
  [
    "// generated by scripts/build-binary.js: cli.cjs, the single executable's CLI (see src/cli/binary.ts)",
    `import {runBinary} from ${spec(join(dist, 'src/cli/binary.js'))}`,
    `const pjson = ${JSON.stringify({name: pkg.name, version: pkg.version, description: pkg.description, oclif: pkg.oclif})}`,
    `const manifest = ${JSON.stringify(manifest)}`,
    'const commands = {',
    ...[...commandFiles].map(([id, f]) => `  ${JSON.stringify(id)}: () => import(${spec(f)}),`),
    '}',
    'export const start = (argv, entries, workerSource) => runBinary(argv, {pjson, manifest, commands, entries, workerSource})',
    // a worker thread's module (src/cli/worker-script.ts), started by the source main.cjs gives each worker
    `export const startWorker = (name) => (name === 'check' ? import(${spec(join(dist, 'src/cli/check-worker.js'))}) : Promise.reject(new Error('no worker ' + name)))`,
    '',
  ].join('\n'),
)

const mainEntry = join(work, 'main-entry.js')
writeFileSync(
  mainEntry,
  [
    "// generated by scripts/build-binary.js: the single executable's main script",
    "import {asset, workerSource} from 'meshctl:assets'",
    'const argv = process.argv.slice(2)',
    // the sandbox cluster (`npm run sandbox` in a checkout): a program of its own, with its own copy of what it uses
    "const entries = {sandbox: (args) => asset('sandbox.cjs').runSandboxCli(args)}",
    // --version before anything else is loaded (bin/run.js does the same)
    "if (argv.length === 1 && argv[0] === '--version') process.stdout.write(" + versionLine + ')',
    'else {',
    '  try {',
    "    asset('cli.cjs').start(argv, entries, workerSource).catch(failed)",
    '  } catch (err) {',
    '    failed(err)',
    '  }',
    '}',
    'function failed(err) {',
    "  process.stderr.write('Error: ' + (err instanceof Error ? err.message : String(err)) + '\\n')",
    '  process.exitCode = 1',
    '}',
    '',
  ].join('\n'),
)

// The assets' loader, in main.cjs; cli.cjs and libs.cjs reach it through the require() it gives them.
// In the executable the scripts come from its blob (node:sea); run as plain scripts (node dist/binary/main.cjs,
// for debugging), from dist/binary.
const WRAP = ['(function (exports, require, module) {', '\n})']
// the loader's code; `export`ed from main.cjs's `meshctl:assets` module, and evaluated again by each worker thread
// (a worker is a new JavaScript realm: src/cli/worker-script.ts), which then starts its worker from cli.cjs
const LOADER = [
  "const {Script} = require('node:vm')",
  "const sea = require('node:sea')",
  'const loaded = new Map()',
  "const bytes = (name) => (sea.isSea() ? Buffer.from(sea.getRawAsset(name)) : require('node:fs').readFileSync(require('node:path').join(__dirname, name)))",
  // what the assets' own require() gives: this module, else Node's built-in modules
  "const requireFor = (id) => (id === 'meshctl:assets' ? {asset, lib} : require(id))",
  'function asset(name) {',
  '  if (loaded.has(name)) return loaded.get(name)',
  "  const source = bytes(name).toString('utf8')",
  '  let cachedData',
  "  try { cachedData = bytes(name + '.cache') } catch {}",
  `  const script = new Script(${JSON.stringify(WRAP[0])} + source + ${JSON.stringify(WRAP[1])}, {filename: name, cachedData})`,
  "  if (cachedData && script.cachedDataRejected && /^(1|true|yes)$/i.test(process.env.MESHCTL_DEBUG ?? '')) process.stderr.write('meshctl: the code cache of ' + name + ' was rejected\\n')",
  '  const module = {exports: {}}',
  '  loaded.set(name, module.exports)',
  '  script.runInThisContext()(module.exports, requireFor, module)',
  '  loaded.set(name, module.exports)',
  '  return module.exports',
  '}',
  // a package of libs.cjs: its module, evaluated on first use
  "const lib = (spec) => asset('libs.cjs')[spec]()",
]
const assetsModule = {
  name: 'meshctl-assets',
  setup(b) {
    b.onResolve({filter: /^meshctl:assets$/}, () => ({path: 'assets', namespace: 'meshctl-assets'}))
    b.onLoad({filter: /.*/, namespace: 'meshctl-assets'}, () => ({
      loader: 'js',
      resolveDir: root,
      contents: [
        ...LOADER,
        'export {asset, lib}',
        // the source a worker thread evaluates: the same loader (its files beside this script when it is run as a plain
        // script, for debugging), then the worker's module from cli.cjs
        `const WORKER_LOADER = ${JSON.stringify(LOADER.join('\n'))}`,
        "export const workerSource = (name) => 'const __dirname = ' + JSON.stringify(__dirname) + '\\n' + WORKER_LOADER + '\\nasset(\\'cli.cjs\\').startWorker(' + JSON.stringify(name) + ')'",
      ].join('\n'),
    }))
  },
}

// undici, the proxy agents and the auth providers' libraries loaded on first use (scripts/lib/lazy-deps.js): each a
// required module, which esbuild leaves unevaluated until then; `<name>-real` is client-node's own copy
const lazyDeps = lazyDependencies({
  load: (dep) => `require(${JSON.stringify(`${dep}-real`)})`,
  setup: (b) =>
    b.onResolve({filter: new RegExp(`^(${LAZY_NAMES})-real$`)}, (args) => ({path: require.resolve(args.path.slice(0, -'-real'.length), {paths: [dirname(require.resolve('@kubernetes/client-node/package.json'))]})})),
})

// meshctl's modules load a CommonJS dependency they need only sometimes with `createRequire(import.meta.url)(name)`
// (an ES module's synchronous require); in a CommonJS bundle that is a plain require(), which esbuild bundles
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

// `await import('node:fs')` (a built-in module loaded where it is needed) stays an import() in a CommonJS bundle, and an
// import() in a script compiled by vm.Script (the assets) throws ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING (`diff <file>
// <file>` did, in isExistingFile): such an import becomes the module's require(), which gives the same exports
const builtinImports = {
  name: 'builtin-imports',
  setup(b) {
    b.onResolve({filter: /.*/}, (args) => (args.kind === 'dynamic-import' && isBuiltin(args.path) ? {path: args.path, namespace: 'builtin-import'} : undefined))
    b.onLoad({filter: /.*/, namespace: 'builtin-import'}, (args) => ({loader: 'js', contents: `module.exports = require(${JSON.stringify(args.path)})`}))
  },
}

const pkgOf = (p) => /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(p)?.[1]?.replace('\\', '/')
const bareName = (s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0])
const inputKey = (file) => relative(root, file).split(sep).join('/')

/** Every module esbuild's graph reaches from `starts` through static imports (not import(), made when a command runs). */
function staticClosure(metafile, starts) {
  const seen = new Set()
  const walk = (k) => {
    if (seen.has(k)) return
    seen.add(k)
    for (const i of metafile.inputs[k]?.imports ?? []) {
      // meshctl's own require() calls are its lazy loads (createRequire in a function, see plainRequire)
      if (i.kind === 'dynamic-import' || i.external || (i.kind === 'require-call' && k.startsWith('dist/'))) continue
      walk(i.path)
    }
  }
  for (const s of starts) walk(s)
  return seen
}

/** A module of meshctl's whose only statements re-export names of packages that are not part of a start. */
function isReExports(file, eager) {
  if (!existsSync(file)) return false
  const statements = readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
    .split(';')
    .map((t) => t.trim())
    .filter(Boolean)
  return (
    statements.length > 0 &&
    statements.every((t) => {
      const m = /^export\s*\{[^}]*\}\s*from\s*['"]([^'"]+)['"]$/.exec(t)
      return m && !m[1].startsWith('.') && !eager.has(bareName(m[1]))
    })
  )
}

// The packages a start evaluates stay in cli.cjs: those reached statically from the CLI (src/cli/binary.js, oclif)
// and from the command modules. Every other package meshctl imports goes to libs.cjs, and meshctl's import of it
// becomes a stand-in that takes it from there, so a start does not load it; the packages they use come with them.
// So does a module of meshctl's that only re-exports such a package's names (src/kube/client-node.js: the few
// classes of client-node meshctl uses, which lets esbuild leave the rest of that package out).
const libSpecs = new Map() // key in libs.cjs -> what it requires
function fromLibs(eager) {
  // imports made by meshctl's own modules (tsc's output in dist/), not by a package's (client-node's files are in a dist/ too)
  const mine = (args) => args.namespace === 'file' && args.importer.startsWith(`${dist}${sep}`)
  return {
    name: 'from-libs',
    setup(b) {
      b.onResolve({filter: /^[^./]/}, (args) => {
        if (!mine(args) || isBuiltin(args.path) || args.path.startsWith('meshctl:') || eager.has(bareName(args.path))) return undefined
        libSpecs.set(args.path, args.path)
        return {path: args.path, namespace: 'from-libs'}
      })
      b.onResolve({filter: /^\.\.?\//}, (args) => {
        const file = join(args.resolveDir, args.path)
        if (!mine(args) || !isReExports(file, eager)) return undefined
        const key = `meshctl/${inputKey(file)}`
        libSpecs.set(key, file)
        return {path: key, namespace: 'from-libs'}
      })
      b.onLoad({filter: /.*/, namespace: 'from-libs'}, (args) => ({
        loader: 'js',
        resolveDir: root,
        contents: `module.exports = require('meshctl:assets').lib(${JSON.stringify(args.path)})`,
      }))
    },
  }
}

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: `node${process.versions.node.split('.')[0]}`,
  absWorkingDir: root,
  // optional native speed-ups of ws, loaded in a try/catch: absent here, as in any install without a compiler
  external: ['bufferutil', 'utf-8-validate', 'meshctl:assets'],
  // import.meta does not exist in a CommonJS script: the few modules that compare it with process.argv[1] (the
  // sandbox's "run when started directly") must see a URL that is never the executable's
  define: {'import.meta.url': '"file:///meshctl-single-executable/"'},
  logLevel: 'error',
  metafile: true,
  legalComments: 'none',
  // less to read and hash at each start; names are kept for error messages
  minify: true,
  keepNames: true,
}
const out = (name) => join(work, name)

// what a start reaches, from the whole graph in one bundle (not written)
const whole = await build({...common, entryPoints: [cliEntry], write: false, plugins: [lazyDeps, plainRequire, builtinImports, lazyRequiresPlugin()]})
const starts = [join(dist, 'src/cli/binary.js'), ...commandFiles.values()].map(inputKey)
const eager = new Set([...staticClosure(whole.metafile, starts)].map(pkgOf).filter(Boolean))

// oclif's modules load what they require when they first use it (scripts/lib/lazy-requires.js)
await build({...common, entryPoints: [cliEntry], outfile: out('cli.cjs'), plugins: [fromLibs(eager), lazyDeps, plainRequire, builtinImports, lazyRequiresPlugin()]})
const libsEntry = join(work, 'libs-entry.js')
writeFileSync(
  libsEntry,
  `module.exports = {\n${[...libSpecs]
    .sort()
    .map(([k, s]) => `  ${JSON.stringify(k)}: () => require(${JSON.stringify(s)}),`)
    .join('\n')}\n}\n`,
)
// ws's node:zlib loaded when a message is first compressed, which meshctl never asks for (scripts/lib/lazy-requires.js)
await build({...common, entryPoints: [libsEntry], outfile: out('libs.cjs'), plugins: [lazyDeps, builtinImports, clientNodeWithoutSideEffects(), lazyRequiresPlugin(WS_ZLIB.filter, WS_ZLIB.binding)]})
await build({...common, entryPoints: [join(dist, 'src/sandbox/main.js')], outfile: out('sandbox.cjs'), plugins: [lazyDeps, plainRequire, builtinImports, lazyRequiresPlugin()]})
await build({...common, external: ['bufferutil', 'utf-8-validate'], entryPoints: [mainEntry], outfile: out('main.cjs'), plugins: [assetsModule]})

// ---------------------------------------------------------------------------------------------------------------
// 2. the code caches, made by the pinned Node

const assets = {'cli.cjs': out('cli.cjs'), 'libs.cjs': out('libs.cjs'), 'sandbox.cjs': out('sandbox.cjs')}
if (useCodeCache) {
  // cli.cjs's after a training run: the commands below run in one process (output discarded), then V8 serializes
  // what it compiled. Inputs are the repository's test fixtures; a command that fails here only makes its code
  // missing from the cache.
  // Inputs: a sidecar's config_dump of the generator's 100-service mesh (the size of a real sidecar's, as the
  // start-up benchmark uses) and the repository's small fixture.
  const fixture = join(root, 'test/fixtures/dumps/mini-sidecar.json')
  const dump = out('train.config_dump.json')
  execFileSync(pinnedNode, [
    '--input-type=module',
    '-e',
    `import {iterateProxies, syntheticMesh, writeDumpToFile} from ${JSON.stringify(pathToFileURL(join(dist, 'src/gen/index.js')).href)}; ` +
      "const mesh = syntheticMesh({services: 100}); const proxy = [...iterateProxies(mesh)].find((p) => p.kind === 'sidecar'); " +
      `await writeDumpToFile(mesh, proxy, ${JSON.stringify(dump)}, {includeEds: true})`,
  ])
  const training = [
    ['pc', 'clusters', '-f', dump],
    ['pc', 'listeners', '-f', dump],
    ['pc', 'routes', '-f', dump],
    ['pc', 'endpoints', '-f', fixture],
    ['pc', 'all', '-f', fixture, '-o', 'json'],
    ['pc', 'clusters', '-f', fixture, '-o', 'yaml'],
    ['ps', '--help'],
  ]
  const trainer = join(work, 'train.cjs')
  writeFileSync(
    trainer,
    [
      "const {Script} = require('node:vm')",
      "const fs = require('node:fs')",
      'const [, , dir, training] = process.argv',
      "const asset = (name) => fs.readFileSync(require('node:path').join(dir, name), 'utf8')",
      'const scripts = {}',
      'const load = (name) => {',
      `  const script = new Script(${JSON.stringify(WRAP[0])} + asset(name) + ${JSON.stringify(WRAP[1])}, {filename: name})`,
      '  scripts[name] = script',
      '  const module = {exports: {}}',
      "  script.runInThisContext()(module.exports, (id) => (id === 'meshctl:assets' ? assets : require(id)), module)",
      '  return module.exports',
      '}',
      'const loaded = {}',
      "const assets = {asset: (n) => (loaded[n] ??= load(n)), lib: (s) => assets.asset('libs.cjs')[s]()}",
      ';(async () => {',
      "  const cli = assets.asset('cli.cjs')",
      '  for (const argv of JSON.parse(training)) {',
      '    try { await cli.start(argv, {}) } catch {}',
      '  }',
      '  process.exitCode = 0',
      "  for (const [name, script] of Object.entries(scripts)) fs.writeFileSync(require('node:path').join(dir, name + '.cache'), script.createCachedData())",
      '})()',
      '',
    ].join('\n'),
  )
  execFileSync(pinnedNode, [trainer, work, JSON.stringify(training)], {stdio: ['ignore', 'ignore', 'ignore'], env: {...process.env, NO_COLOR: '1', HOME: work}})
  rmSync(dump)
  // an asset the training did not load (the sandbox), a cache of its top level
  for (const [name, file] of Object.entries(assets)) {
    if (existsSync(`${file}.cache`)) continue
    execFileSync(pinnedNode, [
      '-e',
      `const {Script} = require('node:vm'); const fs = require('node:fs'); const src = fs.readFileSync(${JSON.stringify(file)}, 'utf8'); ` +
        `fs.writeFileSync(${JSON.stringify(`${file}.cache`)}, new Script(${JSON.stringify(WRAP[0])} + src + ${JSON.stringify(WRAP[1])}, {filename: ${JSON.stringify(name)}}).createCachedData())`,
    ])
  }
  for (const name of Object.keys(assets)) {
    if (!existsSync(out(`${name}.cache`))) fail(`no code cache was made for ${name}`)
    assets[`${name}.cache`] = out(`${name}.cache`)
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 3. the preparation blob and the executable

const blob = out('sea-prep.blob')
const seaConfig = out('sea-config.json')
writeFileSync(seaConfig, `${JSON.stringify({main: out('main.cjs'), output: blob, disableExperimentalSEAWarning: true, useSnapshot: false, useCodeCache, assets}, null, 2)}\n`)
try {
  execFileSync(pinnedNode, ['--experimental-sea-config', seaConfig], {stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8'})
} catch (err) {
  fail(`node --experimental-sea-config: ${`${err.stderr ?? ''}`.trim() || err.message}`)
}

const [os] = target.split('-')
const exe = opts.out ?? join(dist, 'bin', `meshctl-${target}${os === 'win32' ? '.exe' : ''}`)
mkdirSync(dirname(exe), {recursive: true})
rmSync(exe, {force: true})
copyFileSync(targetNode, exe)
chmodSync(exe, 0o755)
const {inject} = require('postject')
await inject(exe, 'NODE_SEA_BLOB', readFileSync(blob), {
  sentinelFuse: 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
  ...(os === 'darwin' ? {machoSegmentName: 'NODE_SEA'} : {}),
})

// the sources' digest, beside it (not for cross-builds: the test runs only the build machine's binary)
if (!foreign && !opts.out) writeFileSync(`${exe}.inputs`, `${inputsDigest(root)}\n`)

const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`
const size = (name) => mb(statSync(out(name)).size)
process.stdout.write(
  `binary: ${relative(root, exe)} (${mb(statSync(exe).size)}: node ${mb(statSync(targetNode).size)}, main.cjs ${size('main.cjs')}, cli.cjs ${size('cli.cjs')}, ` +
    `libs.cjs ${size('libs.cjs')}, sandbox.cjs ${size('sandbox.cjs')}; code caches ${useCodeCache ? 'on' : 'off'}) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
)
if (os === 'darwin') process.stdout.write(`sign it on macOS before use: codesign --sign - ${relative(root, exe)}\n`)
