#!/usr/bin/env node
// meshctl entry point. meshctl needs Node.js >= 22; in a checkout whose system Node is older, it re-runs
// itself with the toolchain the project pins (the `node` dev dependency, installed by `npm ci`).
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
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

const {main} = await import('../dist/src/cli/main.js')
await main(process.argv.slice(2))
