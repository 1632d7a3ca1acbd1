/**
 * Where a worker thread's module is (check's: src/cli/check-worker.ts). From tsc's output or the bundle, a file:
 * beside this module (dist/src/cli) or, from a chunk of the bundle (dist/bundle/chunks, dist/bundle/commands), in
 * dist/bundle/src/cli, where scripts/bundle.js writes each worker as an entry point of its own. The single
 * executable has no such files: its entry registers the source a worker evaluates instead (setWorkerSource), which
 * loads the worker's module from the executable's own assets.
 */
import type {WorkerScript} from '../util/worker-pool.js'

let registered: ((name: string) => string | undefined) | undefined

/** The single executable's entry: the source that starts worker `name` (e.g. `check`) from its assets. */
export function setWorkerSource(source: (name: string) => string | undefined): void {
  registered = source
}

/** The script of worker `name` (its module is `<name>-worker.js`), or undefined when none can be found. */
export async function workerScript(name: string): Promise<WorkerScript | undefined> {
  const source = registered?.(name)
  if (source !== undefined) return {source}
  const {existsSync} = await import('node:fs')
  try {
    for (const rel of [`./${name}-worker.js`, `../src/cli/${name}-worker.js`]) {
      const file = new URL(rel, import.meta.url)
      if (file.protocol === 'file:' && existsSync(file)) return file
    }
  } catch {
    // no import.meta.url: a CommonJS bundle whose entry registered no source
  }
  return undefined
}
