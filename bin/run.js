#!/usr/bin/env node
// meshctl entry point. meshctl needs Node.js >= 22; in a checkout whose system Node is older, it re-runs
// itself with the toolchain the project pins (the `node` dev dependency, installed by `npm ci`).
import {spawnSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import module from 'node:module'
import {fileURLToPath} from 'node:url'

const major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  const pinned = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url))
  if (!existsSync(pinned)) {
    process.stderr.write(`Error: meshctl needs Node.js 22 or newer (this is ${process.version}); install a newer Node.js, or run \`npm ci\` in the meshctl checkout to get the pinned one\n`)
    process.exit(1)
  }
  const child = spawnSync(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {stdio: 'inherit'})
  if (child.signal) process.kill(process.pid, child.signal)
  process.exit(child.status ?? 1)
}

// V8's compile cache (Node >= 22.1) makes every later start-up faster; MESHCTL_NO_COMPILE_CACHE=1 turns it off
if (!process.env.MESHCTL_NO_COMPILE_CACHE) module.enableCompileCache?.()

const argv = process.argv.slice(2)
if (argv.length === 1 && argv[0] === '--version') {
  // the same line oclif prints, without loading oclif
  const {version} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`meshctl/${version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else {
  const {main} = await import('../dist/src/cli/main.js')
  await main(argv)
}
