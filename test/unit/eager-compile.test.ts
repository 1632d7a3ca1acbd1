/**
 * scripts/lib/eager-compile.js: top-level functions of the trace walk's chunks rewritten as parenthesized function
 * expressions (compiled as the chunk loads, so the compile cache keeps them). The rewrite keeps what the chunk
 * computes; a function named in top-level code above its definition keeps its declaration (and its hoisting); the
 * built chunks carry the rewrite.
 */
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'
import {fileURLToPath} from 'node:url'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
const {eagerTopLevelFunctions} = (await import(new URL('scripts/lib/eager-compile.js', `file://${ROOT}`).href)) as {
  eagerTopLevelFunctions: (text: string) => {text: string; wrapped: string[]; kept: string[]}
}

const run = async (source: string): Promise<unknown> => (await import(`data:text/javascript,${encodeURIComponent(source)}`)) as unknown

test('functions become parenthesized expressions; those used above their definition keep their declaration', async () => {
  const chunk = [
    '// dist/src/trace/x.js',
    'var TABLE = { early };',
    'var early2 = early(2);',
    'function early(n) {',
    '  return n + 1;',
    '}',
    'function late(n) {',
    '  return helper(n) * 2;',
    '}',
    'function helper(n) { return n - 1 }',
    'var obj = { late: 1 };',
    'var viaProp = obj.late;',
    'export { TABLE, early2, late, viaProp };',
  ].join('\n')
  const {text, wrapped, kept} = eagerTopLevelFunctions(chunk)
  assert.deepEqual(wrapped, ['late', 'helper'])
  assert.deepEqual(kept, ['early'])
  assert.match(text, /^var late = \(function late\(n\) \{$/m)
  assert.match(text, /^\}\);$/m)
  assert.match(text, /^var helper = \(function helper\(n\) \{ return n - 1 \}\);$/m)
  assert.match(text, /^function early\(n\) \{$/m)
  const before = (await run(chunk)) as Record<string, unknown>
  const after = (await run(text)) as Record<string, unknown>
  assert.equal((after.late as (n: number) => number)(5), (before.late as (n: number) => number)(5))
  assert.equal(after.early2, 3)
  assert.equal((after.TABLE as {early: (n: number) => number}).early(1), 2)
})

test('the built trace chunks are rewritten, and load', async () => {
  const chunks = join(ROOT, 'dist/bundle/chunks')
  const traceChunks = readdirSync(chunks).filter((f) => f.endsWith('.js') && /^\/\/ dist\/src\/trace\/trace\.js$/m.test(readFileSync(join(chunks, f), 'utf8')))
  assert.equal(traceChunks.length, 1)
  const text = readFileSync(join(chunks, traceChunks[0]!), 'utf8')
  assert.match(text, /^var traceRequest = \(function traceRequest\(/m)
  const mod = (await import(join(chunks, traceChunks[0]!))) as Record<string, unknown>
  assert.ok(Object.values(mod).some((v) => typeof v === 'function' && v.name === 'traceRequest'))
})

test("the built client-node chunk is rewritten (its YAML parser reads the kubeconfig at every live start), and reads one", async () => {
  const chunks = join(ROOT, 'dist/bundle/chunks')
  const chunk = readdirSync(chunks).find((f) => /^client-node-.*\.js$/.test(f))
  assert.ok(chunk)
  const text = readFileSync(join(chunks, chunk), 'utf8')
  assert.match(text, /^var readDocument = \(function readDocument\(/m)
  const {KubeConfig} = (await import(join(chunks, chunk))) as typeof import('../../src/kube/client-node.js')
  const kc = new KubeConfig()
  kc.loadFromString('apiVersion: v1\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n')
  assert.equal(kc.getCurrentCluster()?.server, 'https://127.0.0.1:6443')
})
