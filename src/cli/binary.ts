/**
 * The entry of meshctl's single executable (`npm run build:binary`, scripts/build-binary.js): the same CLI as
 * bin/run.js, with nothing read from disk. oclif normally finds package.json, reads oclif.manifest.json and imports
 * each command's file by path; in the executable there are no such files, so the build embeds the package.json
 * fields oclif reads, the manifest, and a table of every command's module (generated from the manifest, so a
 * command added to commands/ is in the next binary without any list to edit), and this module hands them to oclif
 * as a ready root plugin.
 */
import {dirname} from 'node:path'
import type {Command} from '@oclif/core/command'
import {Plugin} from '@oclif/core/config'
import type {LoadOptions, PJSON} from '@oclif/core/interfaces'
import type {Manifest} from './fast-start.js'
import {exitWhenWritten, main} from './main.js'
import {setWorkerSource} from './worker-script.js'

/** What the build embeds (scripts/build-binary.js writes the module that calls runBinary with it). */
export interface Embedded {
  /** package.json's name, version and oclif fields */
  pjson: {name: string; version: string; oclif: Record<string, unknown>; [k: string]: unknown}
  /** oclif.manifest.json as scripts/manifest.js wrote it */
  manifest: {version: string; commands: Record<string, unknown>}
  /** command id -> its module (loaded when the command runs, not at start-up) */
  commands: Record<string, () => Promise<{default: unknown}>>
  /** entry points beside the CLI's commands: `<name> [args]` runs them instead of oclif (the sandbox cluster) */
  entries?: Record<string, (argv: string[]) => Promise<void>>
  /** the source a worker thread evaluates to start worker `name` from the executable's assets (./worker-script.ts) */
  workerSource?: (name: string) => string | undefined
}

/** The line oclif prints for --version (config.userAgent), without loading oclif: the quickest start. */
export function versionLine(version: string): string {
  return `meshctl/${version} ${process.platform}-${process.arch} node-${process.version}\n`
}

/**
 * A root plugin that takes its manifest and command classes from memory. oclif's Plugin reads them from files
 * (`_manifest()` and `findCommand()` are the only two places); its instance gets these two replaced before `load()`,
 * which then sets up commands, aliases, topics and hooks from the embedded data exactly as from files.
 */
async function embeddedPlugin(root: string, e: Embedded, findCommand: (id: string, plugin: Plugin) => Promise<Command.Class | undefined>): Promise<Plugin> {
  const plugin = new Plugin({root, pjson: structuredClone(e.pjson) as never, isRoot: true, type: 'core'})
  const patch = plugin as unknown as {
    _manifest: () => Promise<Embedded['manifest']>
    findCommand: (id: string, opts?: {must?: boolean}) => Promise<unknown>
    hasManifest: boolean
    commandIDs: string[]
  }
  patch._manifest = async () => {
    patch.hasManifest = true
    patch.commandIDs = Object.keys(e.manifest.commands)
    return e.manifest
  }
  patch.findCommand = async (id, opts = {}) => {
    const cmd = await findCommand(id, plugin)
    if (!cmd && opts.must) throw new Error(`command ${id} not found`)
    return cmd
  }
  await plugin.load()
  return plugin
}

/** Runs meshctl from the executable: `--version` at once, an embedded entry point, or oclif with the embedded commands. */
export async function runBinary(argv: string[], e: Embedded): Promise<void> {
  if (argv.length === 1 && argv[0] === '--version') {
    process.stdout.write(versionLine(e.pjson.version))
    return
  }
  if (e.workerSource) setWorkerSource(e.workerSource)
  const entry = argv[0] !== undefined ? e.entries?.[argv[0]] : undefined
  if (entry) {
    await entry(argv.slice(1))
    return
  }
  // oclif's root: the executable's directory (nothing is read from it; oclif keeps it as the CLI's location)
  const root = dirname(process.execPath)
  // a command starts from the embedded manifest without oclif's Config.load (src/cli/fast-start.ts); help, completion
  // and the rest load oclif's configuration from the embedded root plugin (no user or dev plugins: meshctl has none,
  // and the executable has no node_modules to load them from)
  const findCommand = async (id: string, plugin: Plugin): Promise<Command.Class | undefined> => {
    const load = e.commands[id]
    if (!load) return undefined
    const cmd = (await load()).default as Command.Class
    cmd.id = id
    ;(cmd as {plugin?: unknown}).plugin = plugin
    return cmd
  }
  const oclifOptions = async (): Promise<LoadOptions> => {
    const plugin = await embeddedPlugin(root, e, findCommand)
    return {root, pjson: plugin.pjson, plugins: new Map([[plugin.name, plugin]]), userPlugins: false, devPlugins: false}
  }
  await main(argv, oclifOptions, {root, pjson: e.pjson as unknown as PJSON, manifest: e.manifest as Manifest, findCommand})
  exitWhenWritten()
}
