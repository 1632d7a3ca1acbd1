/**
 * scripts/lib/lazy-requires.js: oclif's require bindings made lazy in both builds. The rewrite keeps every use
 * meaning what it meant (a property stays a property, `new x_1.Y` constructs Y), and a start that runs a command from
 * the manifest no longer loads what it does not call (the plugin loader, the glob libraries, node:child_process).
 */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {createRequire} from 'node:module'
import {join} from 'node:path'
import {describe, test} from 'node:test'
import {fileURLToPath} from 'node:url'
import vm from 'node:vm'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
const {lazyRequires, WS_ZLIB} = (await import(new URL('scripts/lib/lazy-requires.js', `file://${ROOT}`).href)) as {
  lazyRequires: (source: string, binding?: RegExp) => {source: string; count: number}
  WS_ZLIB: {filter: RegExp; binding: RegExp}
}

/** Runs `source` as a CommonJS module whose require() records what it loads. */
function load(source: string, modules: Record<string, unknown>): {exports: Record<string, unknown>; loaded: string[]} {
  const loaded: string[] = []
  const req = (id: string) => {
    loaded.push(id)
    return modules[id]
  }
  const module = {exports: {} as Record<string, unknown>}
  vm.runInThisContext(`(function (exports, require, module) {${source}\n})`)(module.exports, req, module)
  return {exports: module.exports, loaded}
}

describe('lazyRequires', () => {
  const source = [
    '"use strict";',
    'var __importDefault = (this && this.__importDefault) || function (mod) { return (mod && mod.__esModule) ? mod : { "default": mod }; };',
    'Object.defineProperty(exports, "__esModule", { value: true });',
    'const base_1 = require("./base");',
    'const dflt_1 = __importDefault(require("./dflt"));',
    'var unused_1 = require("./unused");',
    'Object.defineProperty(exports, "later", { enumerable: true, get: function () { return unused_1.later; } });',
    'class Sub extends base_1.Base {}',
    'exports.make = () => new dflt_1.default(2);',
    'exports.prop = (o) => o.base_1;',
    'exports.Sub = Sub;',
  ].join('\n')
  class Base {}
  class Dflt {
    constructor(readonly n: number) {}
  }
  const modules = {'./base': {Base}, './dflt': Dflt, './unused': {later: 'L'}}

  test('every binding is rewritten; uses keep their meaning; a module loads when first used', () => {
    const {source: out, count} = lazyRequires(source)
    assert.equal(count, 3)
    const {exports, loaded} = load(out, modules)
    // the class heritage is evaluated at load: ./base is needed then; ./dflt and ./unused are not
    assert.deepEqual(loaded, ['./base'])
    assert.ok(Object.getPrototypeOf((exports.Sub as {prototype: object}).prototype) === Base.prototype)
    const made = (exports.make as () => Dflt)()
    assert.ok(made instanceof Dflt && made.n === 2, 'new dflt_1.default(2) constructs the default export')
    assert.deepEqual(loaded, ['./base', './dflt'])
    assert.equal((exports.prop as (o: object) => unknown)({base_1: 7}), 7, 'a property named like a binding is left alone')
    assert.equal(exports.later, 'L')
    assert.deepEqual(loaded, ['./base', './dflt', './unused'])
    // loaded once
    ;(exports.make as () => Dflt)()
    assert.equal(loaded.length, 3)
  })

  test("every module of oclif's lib still compiles, and most of their bindings are rewritten", () => {
    const lib = join(createRequire(import.meta.url).resolve('@oclif/core/package.json'), '..', 'lib')
    const files = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? files(join(d, n)) : n.endsWith('.js') ? [join(d, n)] : []))
    let count = 0
    for (const f of files(lib)) {
      const r = lazyRequires(readFileSync(f, 'utf8'))
      count += r.count
      assert.doesNotThrow(() => new vm.Script(`(function (exports, require, module) {${r.source}\n})`), f)
    }
    assert.ok(count > 150, `${count} bindings`)
  })

  test("ws's permessage-deflate: node:zlib loads when a message is first compressed, and compression still works", async () => {
    const file = join(createRequire(import.meta.url).resolve('ws'), '..', 'lib', 'permessage-deflate.js')
    assert.match(file, WS_ZLIB.filter)
    const {source: out, count} = lazyRequires(readFileSync(file, 'utf8'), WS_ZLIB.binding)
    assert.equal(count, 1, "ws's `const zlib = require('zlib');` line (a new ws that spells it differently needs WS_ZLIB updated)")
    const real = createRequire(file)
    const loaded: string[] = []
    const module = {exports: {} as unknown}
    const recorded = (id: string): unknown => {
      loaded.push(id)
      return real(id)
    }
    vm.runInThisContext(`(function (exports, require, module) {${out}\n})`)(module.exports, recorded, module)
    assert.ok(!loaded.includes('zlib'), `loaded at start: ${loaded.join(', ')}`)
    type Deflate = {accept(offers: object[]): void; compress(d: Buffer, fin: boolean, cb: (e: Error | null, r: Buffer) => void): void; decompress(d: Buffer, fin: boolean, cb: (e: Error | null, r: Buffer) => void): void; cleanup(): void}
    const PerMessageDeflate = module.exports as new (o: object, server: boolean) => Deflate
    const sender = new PerMessageDeflate({}, false)
    const receiver = new PerMessageDeflate({}, true)
    sender.accept([{}])
    receiver.accept([{}])
    const text = Buffer.from('a WebSocket message, compressed and back '.repeat(20))
    const call = (f: Deflate['compress'], d: Buffer) => new Promise<Buffer>((resolve, reject) => f(d, true, (e, r) => (e ? reject(e) : resolve(r))))
    const packed = await call(sender.compress.bind(sender), text)
    assert.ok(loaded.includes('zlib') && packed.length < text.length)
    assert.deepEqual(await call(receiver.decompress.bind(receiver), packed), text)
    sender.cleanup()
    receiver.cleanup()
  })
})

test("a command started from the manifest does not load what oclif requires for other work (node:child_process, node:readline, node:perf_hooks)", () => {
  // the bundle (scripts/bundle.js), started as bin/run.js starts it, on the repository's small dump
  const script = [
    `const {main} = await import(${JSON.stringify(new URL('dist/bundle/src/cli/main.js', `file://${ROOT}`).href)})`,
    `await main(['pc', 'clusters', '-f', ${JSON.stringify(join(ROOT, 'test/fixtures/dumps/mini-sidecar.json'))}])`,
    "process.stderr.write(JSON.stringify(process.moduleLoadList.filter((m) => /child_process|perf_hooks|NativeModule readline$/.test(m))))",
  ].join('\n')
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {encoding: 'utf8', env: {...process.env, DEBUG: ''}})
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /PassthroughCluster/)
  assert.deepEqual(JSON.parse(r.stderr), [])
})
