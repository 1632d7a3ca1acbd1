// Bundles what every meshctl start loads: `dist/src/cli/main.js`, each command of `dist/commands`, and oclif
// itself, into `dist/bundle/` (esbuild, ESM with code splitting). A start then reads a handful of files instead of
// ~140 (oclif is ~60 small CommonJS modules), and still loads only the command it runs: oclif finds that command
// through the manifest (`oclif.commands` points at `dist/bundle/commands`), and anything a command imports
// lazily (client-node, gRPC, the YAML and JMESPath libraries) stays a separate import from node_modules.
// Run by `npm run build` after tsc, before the manifest is written. Source maps let MESHCTL_DEBUG=1 show
// stack traces in the modules tsc wrote to dist/ (one per source file).
import {readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import {spawnSync} from 'node:child_process'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {build} from 'esbuild'
import {eagerTopLevelFunctions} from './lib/eager-compile.js'
import {lazyRequiresPlugin, WS_ZLIB} from './lib/lazy-requires.js'
import {lazyDependencies} from './lib/lazy-deps.js'
import {clientNodeWithoutSideEffects} from './lib/client-node-pure.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const dist = join(root, 'dist')
const out = join(dist, 'bundle')

// the node: stand-ins below list the exports of the Node that runs this script, and the bundle runs on the pinned
// Node: built by another major (the system's Node 20, outside `npm run build`), node:fs's stand-in read fs.F_OK,
// which Node 24 deprecates, and every live command printed a DeprecationWarning
const pinned = JSON.parse(readFileSync(join(root, 'node_modules/node/package.json'), 'utf8')).version
if (pinned.split('.')[0] !== process.versions.node.split('.')[0]) {
  process.stderr.write(`bundle: run with the Node the project pins (${pinned}, what \`npm run build\` uses), not ${process.version}\n`)
  process.exit(1)
}

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.js') ? [p] : []
  })
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
// oclif (many small modules, loaded at every start) and chalk are bundled, and so is client-node: its index loads
// every generated API client and model (~0.5 s), while src/kube/client-node.ts names the few classes meshctl uses
// and the bundle keeps what they reach (a live command starts ~0.25 s sooner); and ws, which every live command
// loads with it (its 14 modules loaded one by one took ~6 ms, bundled ~2.5). Every other dependency is loaded from
// node_modules when, and only when, a command needs it. ws's optional native helpers stay a require() that may fail,
// as ws expects
const bundled = new Set(['@oclif/core', 'chalk', '@kubernetes/client-node', 'ws'])
const external = [...Object.keys(pkg.dependencies).filter((d) => !bundled.has(d)), 'bufferutil', 'utf-8-validate']

// undici, the proxy agents and the auth providers' libraries loaded on first use (scripts/lib/lazy-deps.js), from
// client-node's own package, where npm installs them
const lazyDeps = lazyDependencies({
  prelude: ["import {createRequire} from 'node:module'"],
  load: (dep) => `createRequire(createRequire(import.meta.url).resolve('@kubernetes/client-node/package.json'))(${JSON.stringify(dep)})`,
})

// An ES import of a Node built-in makes Node build the module's ESM facade, which reads every export, getters
// included. Measured with a two-line script (the module required first, then imported): node:http's WebSocket,
// CloseEvent and MessageEvent load Node's internal undici (~30-45 ms of every live command); node:fs's `promises`,
// ReadStream and WriteStream load fs/promises, readline and the stream modules (~3-7 ms of every start); node:util's
// ~2 ms; node:crypto's and node:child_process's ~0.7 ms; the other built-ins' 0.1-0.4 ms, less than the stand-in's own
// module costs (~0.2 ms). The bundle's static ES imports of those five (and its dynamic imports of node:http) get a
// stand-in that takes the module through require() instead: its default export is the module itself, its named
// exports are the plain values (an accessor such as fs.promises or http.globalAgent stays reachable through the
// default export; a named import of one fails the build, and so does reading one off a namespace import:
// logOverride below). Other dynamic imports and the require() calls of CommonJS code build no facade at start-up.
const COSTLY_FACADES = new Set(['http', 'fs', 'util', 'crypto', 'child_process'])
const builtinsWithoutFacade = {
  name: 'builtins-without-facade',
  setup(b) {
    b.onResolve({filter: /^(node:)?[a-z_]+$/}, (args) => {
      const name = args.path.replace(/^node:/, '')
      if (!COSTLY_FACADES.has(name) || args.namespace === 'builtin-without-facade') return undefined
      const dynamicOk = name === 'http'
      if (args.kind !== 'import-statement' && !(dynamicOk && args.kind === 'dynamic-import')) return undefined
      return {path: `node:${name}`, namespace: 'builtin-without-facade'}
    })
    b.onLoad({filter: /.*/, namespace: 'builtin-without-facade'}, async (args) => {
      const {createRequire} = await import('node:module')
      const descriptors = Object.getOwnPropertyDescriptors(createRequire(import.meta.url)(args.path))
      const plain = Object.keys(descriptors).filter((k) => !descriptors[k].get && k !== 'default' && /^[A-Za-z_$][\w$]*$/.test(k))
      return {
        loader: 'js',
        contents: [
          "import {createRequire as __meshctlRequire} from 'node:module'",
          `const m = __meshctlRequire(import.meta.url)(${JSON.stringify(args.path)})`,
          'export default m',
          plain.length > 0 ? `export const {${plain.join(', ')}} = m` : '',
        ].join('\n'),
      }
    })
  },
}

rmSync(out, {recursive: true, force: true})
const result = await build({
  // check's worker threads run src/cli/check-worker.js, found beside the bundle's chunks (src/cli/check.ts)
  entryPoints: [join(dist, 'src/cli/main.js'), join(dist, 'src/cli/check-worker.js'), ...files(join(dist, 'commands'))],
  outbase: dist,
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  external,
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: 'linked',
  // oclif is CommonJS and calls require() for Node built-ins and, by path, for plugins
  banner: {js: "import {createRequire as __meshctlCreateRequire} from 'node:module'; const require = __meshctlCreateRequire(import.meta.url);"},
  logLevel: 'warning',
  // oclif's modules load what they require when they first use it, and ws its node:zlib (scripts/lib/lazy-requires.js)
  plugins: [lazyDeps, builtinsWithoutFacade, clientNodeWithoutSideEffects(), lazyRequiresPlugin(), lazyRequiresPlugin(WS_ZLIB.filter, WS_ZLIB.binding)],
  // a property of a namespace import that the module does not export: an accessor the stand-in above leaves out
  logOverride: {'import-is-undefined': 'error'},
  metafile: !!process.env.BUNDLE_META,
})
// compiled as they load, for the compile cache (scripts/lib/eager-compile.js): the trace walk's chunks and the config
// graph's, and client-node's, whose YAML parser reads the kubeconfig at every live start (~5 ms of CPU less)
const eager = files(out).filter((f) => /[\\/]client-node-[^\\/]*\.js$/.test(f) || /^\/\/ dist\/src\/(trace|graph)\//m.test(readFileSync(f, 'utf8')))
for (const f of eager) writeFileSync(f, eagerTopLevelFunctions(readFileSync(f, 'utf8')).text)
// each rewritten chunk evaluated once: a function its own evaluation calls before the assignment fails the build here
const check = spawnSync(process.execPath, ['--input-type=module', '-e', eager.map((f) => `await import(${JSON.stringify(pathToFileURL(f).href)})`).join(';')], {encoding: 'utf8'})
if (check.status !== 0) {
  process.stderr.write(`bundle: a chunk rewritten for eager compilation does not evaluate:\n${check.stderr}`)
  process.exit(1)
}
process.stdout.write(`bundle: ${relative(root, out)} (${files(out).length} files)\n`)
// BUNDLE_META=<file>: esbuild's metafile (which input takes how many bytes of which chunk), for size work
if (process.env.BUNDLE_META) writeFileSync(process.env.BUNDLE_META, JSON.stringify(result.metafile))
