// One esbuild plugin for both builds (scripts/bundle.js, scripts/build-binary.js): oclif's modules require their
// dependencies when they are loaded, as TypeScript's CommonJS output does (`const x_1 = require("./x");` at the top of
// each file), so loading @oclif/core/command, which every command does, loads all of oclif: the plugin loader and
// its glob libraries (tinyglobby, fdir, picomatch, minimatch), the help renderer, EJS, the TypeScript path mapping,
// the spinner, node:child_process, node:readline, node:perf_hooks... A command started from the manifest
// (src/cli/fast-start.ts) uses a fraction of them. This plugin makes each such binding a function that requires the
// module when the binding is first used (`x_1.y` becomes `x_1().y`), so a module is loaded when something calls into
// it. What a module does when it is loaded is unchanged; it happens later, or never.
//
// Only the bindings TypeScript generates are rewritten: a top-level `const|var <name>_<n> = require("…");`, optionally
// wrapped in `__importDefault(…)` / `__importStar(…)`; the name is then replaced wherever it is not a property
// (`.x_1`) or the declaration (`new x_1.Y` becomes `new (x_1().Y)`). test/unit/lazy-requires.test.ts checks the
// rewrite, that every module of oclif still compiles after it, and what a start of the bundle no longer loads.
import {readFileSync} from 'node:fs'

const BINDING = /^(?:const|var) ([A-Za-z_$][\w$]*_\d+) = (?:(__importDefault|__importStar)\()?require\(("[^"]+")\)\)?;$/gm

/**
 * ws requires node:zlib at the top of its permessage-deflate module, for the compression extension meshctl never
 * offers (its WebSockets are opened with `perMessageDeflate: false`): ~2.5 ms of every live command. The same
 * rewrite makes that one binding lazy.
 */
export const WS_ZLIB = {filter: /[\\/]node_modules[\\/]ws[\\/]lib[\\/]permessage-deflate\.js$/, binding: /^const (zlib) = ()require\(('zlib')\);$/gm}

/**
 * `source` with each require binding that `binding` matches (groups: the name, an optional `__importDefault` /
 * `__importStar` wrapper, the quoted specifier; TypeScript's by default) made lazy; `count` is how many were.
 * Exported for tests.
 */
export function lazyRequires(source, binding = BINDING) {
  const names = []
  let out = source.replace(binding, (_m, name, wrap, spec) => {
    names.push(name)
    const value = wrap ? `${wrap}(require(${spec}))` : `require(${spec})`
    // a function declaration: hoisted, so a use above the binding's line (a function called later) finds it
    return `var ${name}$lazy; function ${name}() { return ${name}$lazy ??= ${value}; }`
  })
  for (const name of names) {
    // every use, but a property (`.x_1`), a longer name, a quoted one (ws's `require('zlib')` is the module's name)
    // and the declaration's own `function x_1()`
    const n = name.replaceAll('$', '\\$')
    out = out.replace(new RegExp(`(?<![\\w$.'"])(?<!function )${n}(?![\\w$'"])`, 'g'), `${name}()`)
    // `new x_1.Y(...)` must construct x_1().Y: `new x_1().Y(...)` would construct x_1 itself
    out = out.replace(new RegExp(`\\bnew ${n}\\(\\)((?:\\.[\\w$]+)+)`, 'g'), `new (${name}()$1)`)
  }
  return {source: out, count: names.length}
}

/** The esbuild plugin: `filter` selects the files whose require bindings (those `binding` matches) become lazy. */
export function lazyRequiresPlugin(filter = /[\\/]node_modules[\\/]@oclif[\\/]core[\\/]lib[\\/].*\.js$/, binding = BINDING) {
  return {
    name: `lazy-requires ${filter}`,
    setup(b) {
      b.onLoad({filter}, (args) => ({loader: 'js', contents: lazyRequires(readFileSync(args.path, 'utf8'), binding).source}))
    },
  }
}
