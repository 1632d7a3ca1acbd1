/** Streaming generated documents to files (the only part of the generator that does I/O). */
import {open} from 'node:fs/promises'
import type {ConfigDumpOptions, ProxyRef} from './configdump.js'
import {configDumpDocument} from './configdump.js'
import {clustersStatusDocument} from './clusters-status.js'
import type {LazyObject} from './lazy.js'
import {streamJson} from './lazy.js'
import type {MeshModel} from './model.js'

export type DumpFormat = 'config_dump' | 'clusters'

export interface WriteResult {
  path: string
  bytes: number
}

/** Streams a lazy document to `path` (created or truncated), with a trailing newline. */
export async function writeDocumentToFile(doc: LazyObject, path: string): Promise<WriteResult> {
  const fh = await open(path, 'w')
  let bytes = 0
  try {
    await streamJson(doc, async (chunk) => {
      const buf = Buffer.from(chunk, 'utf8')
      bytes += buf.length
      await fh.write(buf)
    })
    await fh.write('\n')
    bytes += 1
  } finally {
    await fh.close()
  }
  return {path, bytes}
}

/** Writes `/config_dump` (or `/clusters?format=json`) of one proxy to a file without building it in memory. */
export async function writeDumpToFile(
  mesh: MeshModel,
  proxy: ProxyRef,
  path: string,
  opts: ConfigDumpOptions & {format?: DumpFormat} = {},
): Promise<WriteResult> {
  const doc = opts.format === 'clusters' ? clustersStatusDocument(mesh, proxy, opts) : configDumpDocument(mesh, proxy, opts)
  return writeDocumentToFile(doc, path)
}
