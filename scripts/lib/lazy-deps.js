// One esbuild plugin for both builds (scripts/bundle.js: ESM chunks; scripts/build-binary.js: the single executable's
// CommonJS scripts). client-node's KubeConfig imports, at the top of its modules, libraries that only some
// kubeconfigs need: undici (Agent, ProxyAgent, fetch) for its fetch-based API clients, which meshctl never uses (it
// speaks HTTPS through node:https and streams through ws); socks-proxy-agent, socks and hpagent for a cluster's
// `proxy-url`; jsonpath-plus for the azure and gcp auth providers; openid-client for the oidc one. Bundled as they
// are, every live command evaluates them all: undici's 1.6 MB alone took ~100 ms, half of client-node's chunk; the
// others ~5 ms of each start (BENCHMARKS.md, issue 15: the proxy agents, the IP address parser under socks, the
// OpenID client).
//
// Each import of one of them from inside client-node gets a stand-in instead: a CommonJS module whose exports are
// getters over the real module's, which is loaded when one is first read. client-node reads them only where it uses
// them (esbuild turns `import {X} from 'm'` of a CommonJS module into `m_ns.X` at each use, and a namespace import
// into an object of the same getters), so the library loads when a kubeconfig needs it, with the same classes,
// functions, static members and symbols. The export names are the real module's, read here at build time.
//
// `load(name)` is the expression that loads the real module (with `prelude`, ES module lines it needs first), and
// `setup` may add resolvers that expression relies on.
import {createRequire} from 'node:module'

/** The libraries made lazy: client-node needs each only for some kubeconfigs (or, undici, never in meshctl). */
export const LAZY_DEPENDENCIES = ['undici', 'socks-proxy-agent', 'socks', 'hpagent', 'jsonpath-plus', 'openid-client']

/** A regular expression's alternation of their names (none has a character special to one). */
export const LAZY_NAMES = LAZY_DEPENDENCIES.join('|')

const inClientNode = /[\\/]@kubernetes[\\/]client-node[\\/]/
const clientNodeRequire = () => createRequire(createRequire(import.meta.url).resolve('@kubernetes/client-node/package.json'))

export function lazyDependencies({load, prelude = [], setup}) {
  const names = new Map()
  const exportsOf = (dep) => {
    if (!names.has(dep)) names.set(dep, Object.keys(clientNodeRequire()(dep)).filter((k) => k !== '__esModule' && k !== 'default'))
    return names.get(dep)
  }
  const filter = new RegExp(`^(${LAZY_NAMES})$`)
  return {
    name: 'lazy-dependencies',
    setup(b) {
      b.onResolve({filter}, (args) => (inClientNode.test(args.importer) ? {path: args.path, namespace: 'lazy-dependency'} : undefined))
      // the loader is an ES module of its own: `prelude` may import, which a CommonJS stand-in cannot
      b.onResolve({filter: /^lazy-dependency-loader:/}, (args) => ({path: args.path.slice('lazy-dependency-loader:'.length), namespace: 'lazy-dependency-loader'}))
      b.onLoad({filter: /.*/, namespace: 'lazy-dependency-loader'}, (args) => ({
        loader: 'js',
        contents: [...prelude, `export const load = () => ${load(args.path)}`].join('\n'),
      }))
      b.onLoad({filter: /.*/, namespace: 'lazy-dependency'}, (args) => ({
        loader: 'js',
        contents: [
          `const {load} = require(${JSON.stringify(`lazy-dependency-loader:${args.path}`)})`,
          'let real',
          'const dep = () => (real ??= load())',
          `for (const name of ${JSON.stringify(exportsOf(args.path))}) Object.defineProperty(exports, name, {enumerable: true, get: () => dep()[name]})`,
        ].join('\n'),
      }))
      setup?.(b)
    },
  }
}
