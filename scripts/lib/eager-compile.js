// The trace walk's code compiled when its chunk loads, so the compile cache (bin/run.js: module.enableCompileCache)
// keeps its bytecode. V8 compiles a function when it is first called, and Node writes a module's code cache right
// after compiling the module: what is compiled later never reaches the cache, and each trace compiled the ~100
// functions of its walk again (~6 ms of a 9 ms first walk; measured with --no-lazy). A parenthesized function
// expression is compiled eagerly (V8's PIFE heuristic), so that one lands in the cache: a trace -f of Bookinfo's
// productpage takes ~4.5 ms less CPU. (V8's `//# allFunctionsCalledOnLoad` hint would say it plainly, but Node does
// not ask V8 to follow it.)
//
// A top-level `function NAME(...) {...}` of esbuild's output (its closing `}` at column 0) becomes
// `var NAME = (function NAME(...) {...});`. That gives up hoisting, so a function is left as it is when its name
// occurs in top-level code above it (a call or a reference taken while the chunk evaluates, before the assignment);
// calls from other functions run after the chunk has evaluated. scripts/bundle.js then imports each rewritten chunk,
// so a call made during evaluation that this misses fails the build instead of a command.

/** Rewrites `text` (an esbuild ESM chunk); returns the new text and the names rewritten and left alone. */
export function eagerTopLevelFunctions(text) {
  const lines = text.split('\n')
  // the top-level functions and the lines of their bodies
  const defs = []
  for (let i = 0; i < lines.length; i++) {
    const m = /^function (\w+)\(/.exec(lines[i])
    if (!m) continue
    let end = i
    if (!lines[i].endsWith('}')) {
      end = lines.indexOf('}', i + 1)
      if (end < 0) break
    }
    defs.push({name: m[1], start: i, end})
    i = end
  }
  const inBody = new Uint8Array(lines.length)
  for (const d of defs) inBody.fill(1, d.start, d.end + 1)
  const wrapped = []
  const kept = []
  for (const d of defs) {
    const word = new RegExp(`(^|[^\\w$.])${d.name}(?![\\w$])`)
    let usedAbove = false
    for (let i = 0; i < d.start && !usedAbove; i++) if (!inBody[i] && word.test(lines[i])) usedAbove = true
    if (usedAbove) {
      kept.push(d.name)
      continue
    }
    lines[d.start] = `var ${d.name} = (${lines[d.start]}`
    lines[d.end] = `${lines[d.end]});`
    wrapped.push(d.name)
  }
  return {text: lines.join('\n'), wrapped, kept}
}
