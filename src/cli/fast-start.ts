/**
 * Starting a command without oclif's `Config.load` (issue 15): the configuration oclif would build, built from the
 * package.json fields and the manifest already in hand, and the command run the way oclif's `run()` runs it.
 *
 * Where a start's time went before (CPU time, the single executable, `pc clusters -f` on a 1.8 MB dump): the root
 * plugin's `load()` ~6 ms, almost all of it the first `String.prototype.localeCompare` of the process (it sorts the
 * commands with it, and V8 then builds an ICU collator); `Config.load` ~3 ms (the WSL probe is a dynamic import
 * reading /proc, the user theme and user plugins are file reads); and oclif's `run()` and `Command.run()` each load
 * the configuration once more (`Config.load(config)` reloads a Config it is given), ~2 ms each. From the npm package
 * (bin/run.js, nothing compiled ahead) the same steps cost ~28 ms: every function they run is compiled on first use.
 *
 * The quick configuration is a real oclif `Config` with every field `Config.load` sets, computed as it computes them
 * (test/unit/fast-start.test.ts compares both field by field and resolves every command id and alias through
 * both); what it leaves out is what meshctl does not have: plugins other than its own, hooks, exit-code overrides.
 * It is used only when it cannot differ from oclif's (`quickConfig` returns undefined otherwise) and only to run a
 * command (`quickCommand`, asked by `startQuickly` in main.ts): help, completion, topics, unknown commands, `--help`
 * and `--version` take oclif's own path, whose output depends on the order oclif sorts commands in (a locale-aware
 * sort this path avoids).
 */
import {existsSync, readFileSync} from 'node:fs'
import {arch, homedir, release, tmpdir, userInfo} from 'node:os'
import {dirname, join, sep} from 'node:path'
import {pathToFileURL} from 'node:url'
import type {Command} from '@oclif/core/command'
import {Config, Plugin} from '@oclif/core/config'
import {getHelpFlagAdditions, normalizeArgv} from '@oclif/core/help'
import type {Logger, PJSON} from '@oclif/core/interfaces'
import {setLogger} from '@oclif/core/logger'
import {toStandardizedId} from '@oclif/core/util/ids'

/** oclif.manifest.json as scripts/manifest.js writes it. */
export interface Manifest {
  version: string
  commands: Record<string, {id: string; aliases?: string[]; hiddenAliases?: string[]; hidden?: boolean; pluginType?: string; [k: string]: unknown}>
}

/** What a quick start is built from. */
export interface QuickSource {
  /** the CLI's root (package.json's directory; the executable's directory for the single executable) */
  root: string
  pjson: PJSON
  manifest: Manifest
  /** loads a command's class; by default oclif's own (`Plugin.findCommand`: the module the manifest names) */
  findCommand?: (id: string, plugin: Plugin) => Promise<Command.Class | undefined>
}

/** The fields of oclif's Plugin and Config this module sets (private or read-only in oclif's types). */
interface PluginFields {
  type: string
  tag?: string
  isRoot: boolean
  root: string
  pjson: PJSON
  flexibleTaxonomy: boolean
  moduleType: 'module' | 'commonjs'
  name: string
  alias: string
  version: string
  valid: boolean
  hooks: Record<string, unknown[]>
  commandDiscoveryOpts?: {globPatterns?: string[]; strategy: string; target: string}
  manifest: Manifest
  hasManifest: boolean
  commandIDs: string[]
  commands: Array<Record<string, unknown>>
  findCommand: (id: string, opts?: {must?: boolean}) => Promise<Command.Class | undefined>
}

interface ConfigFields {
  rootPlugin: Plugin
  root: string
  pjson: PJSON
  plugins: Map<string, Plugin>
  name: string
  version: string
  channel: string
  valid: boolean
  arch: string
  platform: string
  windows: boolean
  bin: string
  binAliases?: string[]
  nsisCustomization?: string
  dirname: string
  flexibleTaxonomy: boolean
  topicSeparator: ':' | ' '
  userAgent: string
  shell: string
  home: string
  cacheDir: string
  configDir: string
  dataDir: string
  binPath?: string
  npmRegistry?: string
  theme?: unknown
  updateConfig: unknown
  isSingleCommandCLI: boolean
  scopedEnvVar(k: string): string | undefined
  scopedEnvVarTrue(k: string): boolean
  dir(category: 'cache' | 'config' | 'data'): string
  macosCacheDir(): string | undefined
  windowsHome(): string | undefined
  buildS3Config(): unknown
  maybeAdjustDebugSetting(): void
  loadCommands(plugin: Plugin): void
  loadTopics(plugin: Plugin): void
}

/** oclif's `GLOB_PATTERNS` for a `commands` directory (config/plugin.js), the discovery of meshctl's `oclif.commands`. */
const GLOB_PATTERNS = ['**/*.+(js|cjs|mjs|ts|tsx|mts|cts)', '!**/*.+(d.ts|test.ts|test.js|spec.ts|spec.js|d.mts|d.cts)?(x)']

/**
 * The root plugin oclif's `Plugin.load()` makes of `pjson` and `manifest`, without reading a file and without the
 * locale-aware sort of its commands (they keep the manifest's order). Undefined when the manifest would not be used
 * as it is (oclif then warns and scans the commands directory) or meshctl's package.json has something this does
 * not build (hooks, a command discovery other than a directory).
 */
export function quickPlugin(src: QuickSource): Plugin | undefined {
  const {pjson, manifest, root} = src
  const oclif = pjson.oclif
  if (!pjson.name || !oclif || typeof oclif.commands !== 'string' || oclif.hooks || pjson['cli-engine' as keyof PJSON]) return undefined
  // Plugin._manifest: a manifest of another version is not used (`Mismatched version` warning)
  if (manifest.version.split('-', 1)[0] !== String(pjson.version).split('-', 1)[0] && !process.env.OCLIF_NEXT_VERSION) return undefined
  const plugin = new Plugin({root, pjson, isRoot: true, type: 'core'})
  const p = plugin as unknown as PluginFields
  // the fields of Plugin.load(), in its order (@oclif/core lib/config/plugin.js)
  p.type = 'core'
  p.tag = undefined
  p.isRoot = true
  p.root = root
  p.pjson = pjson
  p.flexibleTaxonomy = oclif.flexibleTaxonomy || false
  p.moduleType = pjson.type === 'module' ? 'module' : 'commonjs'
  p.name = pjson.name
  p.alias = pjson.name
  p.version = pjson.version
  p.valid = true
  p.hooks = {}
  p.commandDiscoveryOpts = {globPatterns: GLOB_PATTERNS, strategy: 'pattern', target: oclif.commands}
  p.manifest = manifest
  p.hasManifest = true
  p.commandIDs = Object.keys(manifest.commands)
  p.commands = Object.entries(manifest.commands).map(([id, c]) => ({
    ...c,
    load: async () => plugin.findCommand(id, {must: true}),
    pluginAlias: p.alias,
    pluginType: c.pluginType === 'jit' ? 'jit' : 'core',
  }))
  if (src.findCommand) {
    const find = src.findCommand
    p.findCommand = async (id, opts = {}) => {
      const cmd = await find(id, plugin)
      if (!cmd && opts.must) throw new Error(`command ${id} not found`)
      return cmd
    }
  }
  return plugin
}

/** is-wsl's evidence of WSL (wsl-utils, which oclif asks for its `platform`): then oclif's own probe decides. */
function maybeWsl(): boolean {
  if (process.platform !== 'linux') return false
  if (release().toLowerCase().includes('microsoft')) return true
  try {
    if (readFileSync('/proc/version', 'utf8').toLowerCase().includes('microsoft')) return true
  } catch {}
  return existsSync('/proc/sys/fs/binfmt_misc/WSLInterop') || existsSync('/run/WSL')
}

/**
 * The configuration `Config.load` makes for meshctl, from `src` with no file read but the probes below. Undefined when
 * it could differ from oclif's: oclif's debug output is on (`DEBUG`), WSL (oclif's platform is then `wsl`), a user
 * theme file or a user plugin file exists, or package.json asks for something meshctl does not use (plugins, exit codes).
 */
export function quickConfig(src: QuickSource, options: {userPlugins?: boolean} = {}): Config | undefined {
  if (process.env.DEBUG || src.pjson.oclif?.plugins?.length || src.pjson.oclif?.devPlugins?.length || src.pjson.oclif?.exitCodes || src.pjson.oclif?.theme) return undefined
  if (maybeWsl()) return undefined
  const plugin = quickPlugin(src)
  if (!plugin) return undefined
  const pf = plugin as unknown as PluginFields
  const config = new Config({root: src.root, pjson: pf.pjson, plugins: new Map([[pf.name, plugin]]), userPlugins: false, devPlugins: false})
  const c = config as unknown as ConfigFields
  const oclif = pf.pjson.oclif
  // the fields of Config.load(), in its order (@oclif/core lib/config/config.js)
  c.rootPlugin = plugin
  c.root = src.root
  c.pjson = pf.pjson
  c.plugins = new Map([[pf.name, plugin]])
  c.name = pf.pjson.name
  c.version = pf.pjson.version || '0.0.0'
  c.channel = /[^-]+(?:-([^.]+))?/.exec(c.version)?.[1] || 'stable'
  c.valid = pf.valid
  c.arch = arch() === 'ia32' ? 'x86' : arch()
  c.platform = process.platform
  c.windows = c.platform === 'win32'
  c.bin = oclif.bin || c.name
  c.binAliases = oclif.binAliases
  c.nsisCustomization = oclif.nsisCustomization
  c.dirname = oclif.dirname || c.name
  c.flexibleTaxonomy = oclif.flexibleTaxonomy || false
  if (oclif.topicSeparator && [' ', ':'].includes(oclif.topicSeparator)) c.topicSeparator = oclif.topicSeparator
  if (c.windows) c.dirname = c.dirname.replace('/', '\\')
  c.userAgent = `${c.name}/${c.version} ${c.platform}-${c.arch} node-${process.version}`
  c.shell = shell()
  c.home = process.env.HOME || (c.windows && c.windowsHome()) || homedir() || tmpdir()
  c.cacheDir = c.scopedEnvVar('CACHE_DIR') || c.macosCacheDir() || c.dir('cache')
  c.configDir = c.scopedEnvVar('CONFIG_DIR') || c.dir('config')
  c.dataDir = c.scopedEnvVar('DATA_DIR') || c.dir('data')
  c.binPath = c.scopedEnvVar('BINPATH')
  c.npmRegistry = c.scopedEnvVar('NPM_REGISTRY') || oclif.npmRegistry
  // loadTheme: no theme in package.json (above); a user's theme.json is read by oclif's path
  if (!c.scopedEnvVarTrue('DISABLE_THEME') && existsSync(join(c.configDir, 'theme.json'))) return undefined
  c.theme = undefined
  c.updateConfig = {...oclif.update, node: oclif.update?.node ?? {}, s3: c.buildS3Config()}
  c.isSingleCommandCLI = false
  c.maybeAdjustDebugSetting()
  // loadChildren: user plugins come from <dataDir>/package.json (the single executable loads none)
  if (options.userPlugins !== false && existsSync(join(c.dataDir, 'package.json'))) return undefined
  c.loadCommands(plugin)
  c.loadTopics(plugin)
  return config
}

/** oclif's getShell() (util/os.js) where it needs no process: the shell's name from $SHELL or the user database. */
function shell(): string {
  const SHELL = process.env.SHELL ?? userInfo().shell?.split(sep)?.pop()
  if (SHELL) return SHELL.split('/').at(-1) ?? 'unknown'
  // on Windows oclif asks PowerShell for the parent process: never needed by a command, so the same as 'unknown'
  return 'unknown'
}

/** Commands that read the whole command tree, in the order oclif sorts it: they run from oclif's own configuration. */
const WHOLE_TREE = ['help', 'complete']

/**
 * The command oclif's `run()` would run for the command line `argv` (command words first, flags normalised), and its
 * arguments: undefined when `run()` would do anything else (show the version or help: `--help` anywhere before `--`;
 * a topic; an unknown command) or the command is one of WHOLE_TREE (or an alias of one).
 */
export function quickCommand(config: Config, argv: string[]): {id: string; argv: string[]} | undefined {
  if (argv.length === 0) return undefined
  const versionFlags = ['--version', ...(config.pjson.oclif.additionalVersionFlags ?? [])]
  if (versionFlags.includes(argv[0]!)) return undefined
  const helpFlags = getHelpFlagAdditions(config)
  for (const a of argv) {
    if (helpFlags.includes(a)) return undefined
    if (a === '--') break
  }
  const [id, ...rest] = normalizeArgv(config, [...argv])
  if (id === undefined || !config.findCommand(id)) return undefined
  const manifest = ((config as unknown as ConfigFields).rootPlugin as unknown as PluginFields).manifest
  const whole = WHOLE_TREE.flatMap((w) => [w, ...(manifest.commands[w]?.aliases ?? []), ...(manifest.commands[w]?.hiddenAliases ?? [])].map((a) => toStandardizedId(a, config)))
  if (whole.includes(id)) return undefined
  return {id, argv: rest}
}

/**
 * Runs the command `id` as oclif's `run()` → `Config.runCommand()` → `Command.run()` do, with `config` as it is
 * (they reload it twice: `Config.load(config)` makes a new Config from the old one's plugins). meshctl has no hooks,
 * so `init`, `prerun`, `postrun` and `finally` run nothing.
 */
export async function runQuickly(config: Config, id: string, argv: string[]): Promise<void> {
  // oclif's root logger, which `Config.load` would set: its default writes through the `debug` package, and only
  // namespaces that DEBUG enables. A quick configuration is made only when DEBUG is not set (quickConfig), so it
  // writes nothing; this one writes nothing without loading `debug` (Command.init logs through it at every start:
  // ~2.5 ms of CPU from bin/run.js, BENCHMARKS.md issue 15). A logger already set (by an earlier run in this
  // process) is kept, as setLogger keeps it.
  setLogger({root: config.root, logger: silentLogger(OCLIF_NAMESPACE)})
  const c = config.findCommand(id, {must: true})
  const C = (await c.load()) as unknown as new (argv: string[], config: Config) => Command & {_run(): Promise<unknown>; id?: string}
  const cmd = new C(argv, config)
  if (!cmd.id) {
    const name = (cmd.constructor as {name: string}).name.toLowerCase()
    cmd.id = name
    ;(cmd.constructor as {id?: string}).id = name
  }
  await cmd._run()
}

/** oclif's logger namespace (logger.js OCLIF_NS), the root of every namespace oclif and its commands log under. */
const OCLIF_NAMESPACE = 'oclif'

/** A logger of oclif's shape (interfaces/logger.d.ts) that writes nothing: oclif's with no DEBUG namespace enabled. */
export function silentLogger(namespace: string): Logger {
  const nothing = (): void => {}
  return {child: (ns: string, delimiter?: string) => silentLogger(`${namespace}${delimiter ?? ':'}${ns}`), debug: nothing, error: nothing, info: nothing, trace: nothing, warn: nothing, namespace}
}

/**
 * The package root oclif finds for a module inside it (the nearest directory above with a package.json), its
 * package.json and manifest; undefined when either cannot be read.
 */
export function sourceFrom(file: string): QuickSource | undefined {
  let dir = dirname(file)
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) break
    const up = dirname(dir)
    if (up === dir) return undefined
    dir = up
  }
  try {
    const pjson = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PJSON
    const manifest = JSON.parse(readFileSync(join(dir, 'oclif.manifest.json'), 'utf8')) as Manifest
    return {root: dir, pjson, manifest, findCommand: manifestCommand(dir, manifest)}
  } catch {
    return undefined
  }
}

/**
 * oclif's `Plugin.findCommand` for a command the manifest locates (`isESM` and `relativePath`, which oclif's
 * manifest, written by scripts/manifest.js, has for every command): the module at `relativePath` under `root`, imported, its command
 * class (the module's own `run`, its default export's, or the first export with one: oclif's
 * `searchForCommandClass`) given the fields oclif gives it. oclif first asks `getCommandsDir()`, which resolves the
 * commands directory through `tsPath` (TypeScript sources under ts-node or tsx, in development) although a
 * manifest entry does not use it; that lookup loaded a few of oclif's modules for ~3 ms of every start (BENCHMARKS.md
 * issue 15), so this is used only where tsPath returns the path as it is: NODE_ENV neither `development` nor
 * `test` (oclif's isProd) and no auto-transpile setting (`global.oclif.enableAutoTranspile` or `tsnodeEnabled`).
 * Undefined (oclif's own lookup) otherwise, and for a command the manifest does not locate.
 */
export function manifestCommand(root: string, manifest: Manifest): ((id: string, plugin: Plugin) => Promise<Command.Class | undefined>) | undefined {
  const settings = (globalThis as {oclif?: {enableAutoTranspile?: boolean; tsnodeEnabled?: boolean}}).oclif
  if (['development', 'test'].includes(process.env.NODE_ENV ?? '') || settings?.enableAutoTranspile !== undefined || settings?.tsnodeEnabled !== undefined) return undefined
  return async (id, plugin) => {
    const entry = manifest.commands[id]
    const relativePath = entry?.relativePath
    if (entry?.isESM !== true || !Array.isArray(relativePath)) return oclifFindCommand.call(plugin, id)
    const filePath = join(root, ...(relativePath as string[]))
    const module = (await import(pathToFileURL(filePath).href)) as Record<string, unknown> & {run?: unknown; default?: {run?: unknown}}
    const found = typeof module.run === 'function' ? module : module.default?.run ? module.default : Object.values(module).find((c) => typeof (c as {run?: unknown})?.run === 'function')
    if (!found) return undefined
    const cmd = found as unknown as Command.Class & {isESM?: boolean; relativePath?: string[]}
    cmd.id = id
    cmd.plugin = plugin
    cmd.isESM = true
    cmd.relativePath = relativePath as string[]
    return cmd
  }
}

/** oclif's own lookup, for what manifestCommand does not load itself. */
const oclifFindCommand = Plugin.prototype.findCommand as (this: Plugin, id: string, opts?: {must?: boolean}) => Promise<Command.Class | undefined>
