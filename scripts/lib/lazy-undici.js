// One esbuild plugin for both builds (scripts/bundle.js: ESM chunks; scripts/build-binary.js: the single executable's
// CommonJS scripts). client-node's KubeConfig imports undici (Agent, ProxyAgent, fetch) for its fetch-based API
// clients, which meshctl never uses (it speaks HTTPS through node:https and streams through ws); bundled as it is,
// undici's 1.6 MB are evaluated by every live command (~100 ms, half of client-node's chunk). The build gets a
// stand-in with the same exports that loads the real undici on first use: `load` is the expression that does it
// (with `prelude`, lines it needs first), and `setup` may add resolvers that expression relies on.
export function lazyUndici({load, prelude = [], setup}) {
  return {
    name: 'lazy-undici',
    setup(b) {
      b.onResolve({filter: /^undici$/}, () => ({path: 'undici', namespace: 'lazy-undici'}))
      b.onLoad({filter: /.*/, namespace: 'lazy-undici'}, () => ({
        loader: 'js',
        contents: [
          ...prelude,
          'let real',
          `const undici = () => (real ??= ${load})`,
          'export class Agent { constructor(...a) { return new (undici().Agent)(...a) } }',
          'export class ProxyAgent { constructor(...a) { return new (undici().ProxyAgent)(...a) } }',
          'export const fetch = (...a) => undici().fetch(...a)',
        ].join('\n'),
      }))
      setup?.(b)
    },
  }
}
