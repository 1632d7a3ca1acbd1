// Counts the modules a process loads, by package, for BENCHMARKS.md's start-up explanation:
//   node --import ./bench/modules.mjs bin/run.js pc clusters -f <dump>
// Uses module.registerHooks (synchronous, in-thread: Node >= 22.15 / 23.5) to see every ESM import and CommonJS
// require that reaches the loader; at exit prints one JSON line to stderr prefixed with `MODULES `.
import module from 'node:module'
import {fileURLToPath} from 'node:url'

const byPackage = new Map()
let builtins = 0
module.registerHooks({
  load(url, context, nextLoad) {
    const result = nextLoad(url, context)
    if (url.startsWith('node:')) {
      builtins++
      return result
    }
    const p = url.startsWith('file:') ? fileURLToPath(url) : url
    const nm = p.lastIndexOf('/node_modules/')
    let pkg
    if (nm >= 0) {
      const parts = p.slice(nm + 14).split('/')
      pkg = parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]
    } else {
      pkg = p.includes('/dist/') ? `meshctl ${p.slice(p.indexOf('/dist/') + 1).split('/').slice(0, 3).join('/')}` : 'meshctl'
    }
    const src = result.source
    const bytes = src == null ? 0 : typeof src === 'string' ? Buffer.byteLength(src) : src.byteLength
    const e = byPackage.get(pkg) ?? {files: 0, bytes: 0}
    e.files++
    e.bytes += bytes
    byPackage.set(pkg, e)
    return result
  },
})
process.on('exit', () => {
  const packages = [...byPackage].map(([name, e]) => ({name, ...e})).sort((a, b) => b.bytes - a.bytes)
  const files = packages.reduce((a, p) => a + p.files, 0)
  const bytes = packages.reduce((a, p) => a + p.bytes, 0)
  process.stderr.write(`MODULES ${JSON.stringify({files, bytes, builtins, packages})}\n`)
})
