// client-node's package.json does not say its modules are free of side effects, so esbuild keeps every module the
// package index re-exports that it cannot prove pure: the ~760 generated model classes (for their static fields)
// came along with KubeConfig, 0.6 MB of the 1.3 MB chunk that every live command loads (~20 ms of each start; the
// tar and stream modules of its `cp` helper too). Its modules are classes, type maps and `export *` aggregators
// that change nothing when loaded, so imports made inside the package are marked side-effect free and esbuild
// keeps only what meshctl's imports (src/kube/client-node.ts) reach. Used by both bundles (scripts/bundle.js and
// scripts/build-binary.js).
const inClientNode = /[\\/]@kubernetes[\\/]client-node[\\/]/

export function clientNodeWithoutSideEffects() {
  return {
    name: 'client-node-without-side-effects',
    setup(b) {
      b.onResolve({filter: /^\./}, async (args) => {
        if (args.pluginData?.clientNodePure || !inClientNode.test(args.importer)) return undefined
        const r = await b.resolve(args.path, {kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: {clientNodePure: true}})
        if (r.errors.length > 0) return {errors: r.errors}
        return {path: r.path, external: r.external, namespace: r.namespace, pluginData: r.pluginData, sideEffects: false}
      })
    },
  }
}
