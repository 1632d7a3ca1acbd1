// What the single executable is built from (scripts/build-binary.js): tsc's output of meshctl's sources and
// commands, the oclif manifest, package.json and package-lock.json (the dependencies bundled into it), and the build
// script itself. Their digest is written beside the binary, so that a test can tell
// a binary built from other sources (test/cli/binary.test.ts rebuilds it then).
import {createHash} from 'node:crypto'
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'

const files = (dir) =>
  existsSync(dir) ? readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : n.endsWith('.js') ? [join(dir, n)] : [])) : []

/** sha256 over the inputs' paths and contents, in a stable order. */
export function inputsDigest(root) {
  const h = createHash('sha256')
  const inputs = [...files(join(root, 'dist/src')), ...files(join(root, 'dist/commands')), join(root, 'oclif.manifest.json'), join(root, 'package.json'), join(root, 'package-lock.json'), join(root, 'scripts/build-binary.js'), join(root, 'scripts/binary-inputs.js'), join(root, 'scripts/lib/lazy-deps.js'), join(root, 'scripts/lib/lazy-requires.js'), join(root, 'scripts/lib/client-node-pure.js')].sort()
  for (const f of inputs) h.update(`${relative(root, f)}\0`).update(existsSync(f) ? readFileSync(f) : '').update('\0')
  return h.digest('hex')
}
