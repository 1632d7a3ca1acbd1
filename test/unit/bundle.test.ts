/**
 * The bundle's client-node chunk (scripts/bundle.js): cut down to what meshctl uses, and undici, replaced by a
 * stand-in that loads it on first use, still there for the client-node code that needs it. And no chunk makes
 * Node load its own internal undici (what an ES import of node:http does).
 */
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {readdirSync, statSync} from 'node:fs'
import {describe, test} from 'node:test'

const chunks = new URL('../../bundle/chunks/', import.meta.url)
const chunk = readdirSync(chunks).find((f) => /^client-node-.*\.js$/.test(f))

describe('the bundled client-node', () => {
  test('holds no generated API clients (the chunk is small)', () => {
    assert.ok(chunk, 'dist/bundle/chunks/client-node-*.js')
    const size = statSync(new URL(chunk, chunks)).size
    assert.ok(size < 2_500_000, `client-node chunk is ${size} bytes`)
  })
  test("KubeConfig's undici dispatcher comes from the real undici, loaded on first use", async () => {
    const {KubeConfig} = (await import(new URL(chunk!, chunks).href)) as typeof import('../../src/kube/client-node.js')
    const kc = new KubeConfig()
    const cluster = {name: 'c', server: 'https://127.0.0.1:6443', skipTLSVerify: false}
    const dispatcher = (kc as unknown as {createDispatcher(c: unknown, o: unknown): {dispatch?: unknown; constructor: {name: string}}}).createDispatcher(cluster, {ca: 'x'})
    assert.equal(dispatcher.constructor.name, 'Agent')
    assert.equal(typeof dispatcher.dispatch, 'function')
  })
})

describe('node:http in the bundle', () => {
  test("loading every chunk does not load Node's internal undici (node:http comes through require, not an ESM facade)", () => {
    const script = [
      "import {readdirSync} from 'node:fs'",
      `const dir = ${JSON.stringify(chunks.pathname)}`,
      "for (const f of readdirSync(dir).filter((f) => f.endsWith('.js'))) await import(dir + f)",
      'process.stdout.write(JSON.stringify(process.moduleLoadList.filter((m) => /undici/.test(m))))',
    ].join('\n')
    assert.deepEqual(JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], {encoding: 'utf8'})), [])
  })
})
