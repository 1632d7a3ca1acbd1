/**
 * The quick start (src/cli/fast-start.ts): the configuration it builds from package.json and the manifest must be
 * the one oclif's `Config.load` builds, field by field, and every command line must reach the command oclif's
 * `run()` reaches, or be left to oclif.
 */
import assert from 'node:assert/strict'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {fileURLToPath} from 'node:url'
import {Config, Plugin} from '@oclif/core/config'
import {normalizeArgv} from '@oclif/core/help'
import type {PJSON} from '@oclif/core/interfaces'
import {type Manifest, manifestCommand, type QuickSource, quickCommand, quickConfig, quickPlugin, silentLogger, sourceFrom} from '../../src/cli/fast-start.js'
import {runCli} from '../helpers/cli.js'

// the directory, as oclif names it (no trailing separator)
const ROOT = fileURLToPath(new URL('../../..', import.meta.url)).replace(/[\\/]$/, '')
const pjson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PJSON
const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as Manifest
const source = (): QuickSource => ({root: ROOT, pjson: structuredClone(pjson), manifest: structuredClone(manifest)})

// a HOME of the test's own, so that no theme or user plugin of the machine's user is found
const home = mkdtempSync(join(tmpdir(), 'meshctl-fast-start-'))
const saved = {HOME: process.env.HOME, DEBUG: process.env.DEBUG, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, XDG_DATA_HOME: process.env.XDG_DATA_HOME, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME}
before(() => {
  process.env.HOME = home
  for (const k of ['DEBUG', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME']) delete process.env[k]
})
after(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  }
  rmSync(home, {recursive: true, force: true})
})

/** The data of a value, without functions, with the keys of objects sorted (Maps and Sets as sorted entries). */
function data(v: unknown, depth = 0): unknown {
  if (depth > 8) return '…'
  if (typeof v === 'function') return undefined
  if (v instanceof Map) return [...v.entries()].map(([k, x]) => [k, data(x, depth + 1)]).sort((a, b) => String(a[0]).localeCompare(String(b[0])))
  if (v instanceof Set) return [...v].map((x) => data(x, depth + 1)).sort()
  if (Array.isArray(v)) return v.map((x) => data(x, depth + 1))
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, data((v as Record<string, unknown>)[k], depth + 1)])
        .filter(([, x]) => x !== undefined),
    )
  }
  return v
}

// fields oclif sets that hold no data of the CLI: its plugin loader, its debug logger, its Plugin's options
const SKIP = new Set(['pluginLoader', '_debug', 'options', 'plugins', 'rootPlugin', '_commands', '_topics', 'commandPermutations', 'topicPermutations'])
const fields = (o: object): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([k]) => !SKIP.has(k)))
const byId = <T extends {id: string}>(list: readonly T[]): T[] => [...list].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))

describe('quickPlugin and quickConfig build what oclif loads', () => {
  test('the root plugin: every field of Plugin.load(), commands in any order', async () => {
    const loaded = new Plugin({root: ROOT, pjson: structuredClone(pjson), isRoot: true, type: 'core'})
    await loaded.load()
    const quick = quickPlugin(source())
    assert.ok(quick)
    const {commands: lc, ...l} = fields(loaded) as {commands: Array<{id: string}>}
    const {commands: qc, ...q} = fields(quick) as {commands: Array<{id: string}>}
    assert.deepEqual(data(q), data(l))
    assert.deepEqual(data(byId(qc)), data(byId(lc)))
  })

  test('the configuration: every field of Config.load(), and the same commands, aliases and topics', async () => {
    const loaded = await Config.load(ROOT)
    const quick = quickConfig(source())
    assert.ok(quick, 'a quick configuration for meshctl as it is')
    assert.deepEqual(data(fields(quick)), data(fields(loaded)))
    assert.deepEqual([...quick.plugins.keys()], [...loaded.plugins.keys()])
    assert.deepEqual([...quick.commandIDs].sort(), [...loaded.commandIDs].sort())
    assert.ok(loaded.commandIDs.includes('pc:clusters') && loaded.commandIDs.includes('ps'), 'aliases are ids')
    // every id and alias finds the same command
    for (const id of loaded.commandIDs) assert.deepEqual(data(quick.findCommand(id)), data(loaded.findCommand(id)), id)
    assert.deepEqual(data(byId(quick.topics.map((t) => ({...t, id: t.name})))), data(byId(loaded.topics.map((t) => ({...t, id: t.name})))))
    for (const t of loaded.topics) assert.deepEqual(quick.findTopic(t.name), loaded.findTopic(t.name))
  })

  test('every command line names the command oclif would run, with the same arguments', async () => {
    const loaded = await Config.load(ROOT)
    const quick = quickConfig(source())
    assert.ok(quick)
    for (const id of loaded.commandIDs) {
      const words = id.split(':')
      for (const tail of [[], ['pod-x', '-o', 'json'], ['--file', 'x.json', 'extra']]) {
        const line = [...words, ...tail]
        const [oid, ...oargs] = normalizeArgv(loaded, [...line])
        const got = quickCommand(quick, line)
        // help and completion, and words oclif takes for a command it does not have (`demo pod-x`: demo takes no
        // arguments), are left to oclif
        if (oid === 'help' || oid === 'complete' || oid === '__complete' || !loaded.findCommand(oid!)) assert.equal(got, undefined, `${line.join(' ')} is left to oclif`)
        else assert.deepEqual(got, {id: oid, argv: oargs}, line.join(' '))
      }
    }
  })

  test('help, version, topics and unknown words are left to oclif', () => {
    const quick = quickConfig(source())
    assert.ok(quick)
    for (const line of [
      [],
      ['--version'],
      ['help', 'pc'],
      ['__complete', 'pc', 'cl'],
      ['complete', 'pc'],
      ['pc'],
      ['pc', 'nope'],
      ['pc', 'clusters', '--help'],
      ['pc', 'clusters', '-f', 'x', '--help'],
    ]) {
      assert.equal(quickCommand(quick, line), undefined, line.join(' '))
    }
    // after --, --help is an argument
    assert.deepEqual(quickCommand(quick, ['pc', 'clusters', '--', '--help']), {id: 'pc:clusters', argv: ['--', '--help']})
  })
})

describe('quickConfig steps aside where oclif would read or print more', () => {
  test('DEBUG: oclif prints its own progress', () => {
    process.env.DEBUG = '*'
    try {
      assert.equal(quickConfig(source()), undefined)
    } finally {
      delete process.env.DEBUG
    }
  })
  test("a user's theme.json, or a user plugins file (not in the single executable, which loads none)", () => {
    const configDir = join(home, '.config', 'meshctl')
    mkdirSync(configDir, {recursive: true})
    writeFileSync(join(configDir, 'theme.json'), '{"flag": "red"}')
    assert.equal(quickConfig(source()), undefined)
    rmSync(join(configDir, 'theme.json'))
    assert.ok(quickConfig(source()))
    const dataDir = join(home, '.local', 'share', 'meshctl')
    mkdirSync(dataDir, {recursive: true})
    writeFileSync(join(dataDir, 'package.json'), '{"oclif": {"plugins": []}}')
    assert.equal(quickConfig(source()), undefined)
    assert.ok(quickConfig(source(), {userPlugins: false}))
    rmSync(join(dataDir, 'package.json'))
  })
  test('a manifest of another version, hooks or plugins in package.json', () => {
    assert.equal(quickConfig({...source(), manifest: {...manifest, version: '9.9.9'}}), undefined)
    const withHooks = source()
    withHooks.pjson.oclif.hooks = {init: './hook.js'}
    assert.equal(quickConfig(withHooks), undefined)
    const withPlugins = source()
    withPlugins.pjson.oclif.plugins = ['@oclif/plugin-help']
    assert.equal(quickConfig(withPlugins), undefined)
  })
})

test('sourceFrom finds package.json and the manifest above a module, as oclif does', () => {
  const src = sourceFrom(join(ROOT, 'dist/bundle/src/cli/main.js'))
  assert.ok(src)
  assert.equal(src.root, ROOT)
  assert.equal(src.pjson.name, 'meshctl')
  assert.deepEqual(Object.keys(src.manifest.commands), Object.keys(manifest.commands))
  assert.equal(sourceFrom(join(tmpdir(), 'no-such-dir-meshctl', 'x.js')), undefined)
  assert.equal(typeof src.findCommand, 'function', 'the commands are loaded as the manifest locates them')
})

test('manifestCommand loads the class oclif loads for every command, with the fields oclif gives it', async () => {
  const find = manifestCommand(ROOT, manifest)
  assert.ok(find)
  const plugin = new Plugin({root: ROOT, isRoot: true, type: 'core'})
  await plugin.load()
  for (const id of Object.keys(manifest.commands)) {
    const mine = await find(id, plugin)
    assert.ok(mine, id)
    // oclif's lookup sets its fields on the same class (one module, one class): compare what each set
    const set: Record<string, unknown> = {id: mine.id, plugin: mine.plugin, isESM: (mine as {isESM?: boolean}).isESM, relativePath: [...((mine as {relativePath?: string[]}).relativePath ?? [])]}
    const theirs = await plugin.findCommand(id, {must: true})
    assert.equal(mine, theirs, `${id}: the class oclif loads`)
    assert.deepEqual(set, {id: theirs.id, plugin: theirs.plugin, isESM: (theirs as {isESM?: boolean}).isESM, relativePath: (theirs as {relativePath?: string[]}).relativePath}, id)
  }
  // a command the manifest does not locate: oclif's own lookup
  const unlocated = structuredClone(manifest)
  const id = Object.keys(unlocated.commands)[0]!
  delete unlocated.commands[id]!.relativePath
  assert.equal(await manifestCommand(ROOT, unlocated)!(id, plugin), await plugin.findCommand(id))
  assert.equal(await find('no-such-command', plugin), undefined)
})

test('manifestCommand leaves the lookup to oclif where oclif would look for TypeScript sources', () => {
  const saved = process.env.NODE_ENV
  try {
    for (const env of ['development', 'test']) {
      process.env.NODE_ENV = env
      assert.equal(manifestCommand(ROOT, manifest), undefined, env)
    }
    process.env.NODE_ENV = 'production'
    assert.ok(manifestCommand(ROOT, manifest))
  } finally {
    if (saved === undefined) delete process.env.NODE_ENV
    else process.env.NODE_ENV = saved
  }
})

describe("the quick start's oclif logger", () => {
  test('has the shape of oclif\'s and names namespaces as oclif does, writing nothing', () => {
    const root = silentLogger('oclif')
    assert.equal(root.namespace, 'oclif')
    for (const m of ['debug', 'error', 'info', 'trace', 'warn'] as const) assert.equal(root[m]('%s', 'x'), undefined)
    // oclif's makeLogger: `${namespace}${delimiter ?? ':'}${ns}`
    assert.equal(root.child('config').namespace, 'oclif:config')
    assert.equal((root.child as (ns: string, delimiter?: string) => typeof root)('config', '/').namespace, 'oclif/config')
  })

  test("DEBUG still gets oclif's own debug output (oclif's path), and a start without it writes nothing more", async () => {
    const fixture = join(ROOT, 'test/fixtures/dumps/mini-sidecar.json')
    const quiet = await runCli(['pc', 'clusters', '-f', fixture], {env: {DEBUG: undefined}})
    const debug = await runCli(['pc', 'clusters', '-f', fixture], {env: {DEBUG: 'oclif*'}})
    assert.equal(quiet.code, 0, quiet.stderr)
    assert.equal(debug.code, 0, debug.stderr)
    assert.equal(quiet.stderr, '')
    assert.match(debug.stderr, / oclif:/)
    assert.equal(debug.stdout, quiet.stdout)
  })
})
