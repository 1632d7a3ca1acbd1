#!/usr/bin/env node
// meshctl entry point (also installed as `kubectl-meshctl`, kubectl's plugin name). meshctl needs Node.js >= 22; in
// a checkout whose system Node is older, it re-runs itself with the toolchain the project pins (the `node` dev
// dependency, installed by `npm ci`). An installed package has no dev dependencies: there an older Node gets one
// line naming the version needed, exit 1.
import module from 'node:module'
import {fileURLToPath} from 'node:url'

// node:fs through require(): an ES import of it builds its ES module facade, which reads fs.promises and the stream
// classes and so loads ~30 more of Node's internal modules (3-7 ms of every start; scripts/bundle.js)
const {existsSync, readFileSync} = module.createRequire(import.meta.url)('node:fs')

const major = Number(process.versions.node.split('.')[0])
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP']
// `ps -w`: Ctrl-C means "stop watching" and exits 0, from the first moment (src/cli/signals.ts takes over)
const argv0 = process.argv.slice(2)
const cut = argv0.indexOf('--')
const words = cut === -1 ? argv0 : argv0.slice(0, cut)
const watching = (words[0] === 'ps' || words[0] === 'proxy-status') && words.some((a) => a === '-w' || a === '--watch' || a.startsWith('--watch=') || /^-w./.test(a))
if (major < 22) {
  const pinned = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url))
  if (!existsSync(pinned)) {
    process.stderr.write(`Error: meshctl needs Node.js 22 or newer (this is ${process.version}); install Node.js 22 or newer and put it first on PATH (in a meshctl checkout, \`npm ci\` installs the pinned one)\n`)
    process.exit(1)
  }
  // node:child_process (and the net, dgram and stream modules it loads) only on this path: a start of meshctl itself
  // does not need it
  const {spawn} = await import('node:child_process')
  const child = spawn(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {stdio: 'inherit'})
  // a signal sent to this process alone (kill, timeout(1)) reaches meshctl; a Ctrl-C reaches both already, and
  // meshctl decides what it means (--watch stops cleanly and exits 0)
  for (const sig of STOP_SIGNALS) process.on(sig, () => child.kill(sig))
  child.on('exit', (code, signal) => {
    // stopped while watching, before the child could take Ctrl-C as "stop" itself: as a later Ctrl-C, exit 0
    if (signal && watching && STOP_SIGNALS.includes(signal)) process.exit(0)
    if (signal) {
      for (const sig of STOP_SIGNALS) process.removeAllListeners(sig)
      process.kill(process.pid, signal)
    }
    process.exit(code ?? 1)
  })
  child.on('error', (err) => {
    process.stderr.write(`Error: cannot start ${pinned}: ${err.message}\n`)
    process.exit(1)
  })
} else {
  await meshctl()
}

async function meshctl() {
  if (watching) {
    // until src/cli/signals.ts installs its handlers (after the bundle loads), a stop request is remembered here
    const early = () => {
      globalThis[Symbol.for('meshctl.stopRequested')] = true
    }
    for (const sig of STOP_SIGNALS) process.on(sig, early)
  }
  // V8's compile cache (Node >= 22.1) makes every later start-up faster; MESHCTL_NO_COMPILE_CACHE=1 turns it off
  if (!process.env.MESHCTL_NO_COMPILE_CACHE) module.enableCompileCache?.()

  const argv = process.argv.slice(2)
  if (argv.length === 1 && argv[0] === '--version') {
    // the same line oclif prints, without loading oclif
    const {version} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
    process.stdout.write(`meshctl/${version} ${process.platform}-${process.arch} node-${process.version}\n`)
  } else {
    // meshctl runs from an esbuild bundle (scripts/bundle.js); with MESHCTL_DEBUG, stacks point at the sources
    if (/^(1|true|yes)$/i.test(process.env.MESHCTL_DEBUG ?? '')) process.setSourceMapsEnabled(true)
    const {exitWhenWritten, main} = await import('../dist/bundle/src/cli/main.js')
    await main(argv)
    // done: Node ends the process when nothing is left to do; something left holding it open is cut short
    exitWhenWritten()
  }
}
