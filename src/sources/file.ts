/** Reading a saved dump from a file or standard input (`-`). */
import {readFile} from 'node:fs/promises'
import {InputError} from '../errors/index.js'
import type {DumpSource, Fetched} from './types.js'

async function readStdin(): Promise<Uint8Array> {
  if (process.stdin.isTTY) {
    throw new InputError('--file - reads the dump from standard input, but standard input is a terminal', {
      hint: 'pipe a dump in, e.g. kubectl exec <pod> -c istio-proxy -- pilot-agent request GET config_dump | meshctl pc clusters -f -',
    })
  }
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

export async function readInput(path: string): Promise<Fetched> {
  if (path === '-') return {bytes: await readStdin(), source: 'stdin'}
  try {
    return {bytes: await readFile(path), source: path}
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message
    throw new InputError(`cannot read ${path}: ${why}`, {code: 'E_READ', cause: err})
  }
}

/** A source that always returns the same saved document, whatever the view needs. */
export function fileSource(path: string): DumpSource {
  let cached: Promise<Fetched> | undefined
  return {fetch: () => (cached ??= readInput(path))}
}
