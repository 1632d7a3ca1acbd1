/** Reading a saved dump from a file or standard input (`-`). */
import {closeSync, fstatSync, openSync, readFileSync, readSync} from 'node:fs'
import type {ByteReader} from '../envoy/scan.js'
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

/**
 * Files from this size on are read through a ByteReader (only the sections a view shows are read, one at a time)
 * instead of whole; MESHCTL_READER_MIN_BYTES overrides it (tests use 0). Below it, one read of the whole file is
 * faster (the reader reads the bytes of the sections it decodes twice: once to locate them, once to decode them,
 * about 0.1 s per 100 MB) and the memory stays small anyway.
 */
const READER_MIN_BYTES = 160 * 1024 * 1024

function readerMinBytes(): number {
  const v = process.env.MESHCTL_READER_MIN_BYTES
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : READER_MIN_BYTES
}

/** Random access to an open file; the descriptor stays open for the life of the process. */
function fileReader(fd: number, size: number, path: string): ByteReader {
  return {
    size,
    read(start, end) {
      const buf = Buffer.allocUnsafe(end - start)
      let done = 0
      while (done < buf.length) {
        const n = readSync(fd, buf, done, buf.length - done, start + done)
        if (n === 0) throw new InputError(`cannot read ${path}: it became shorter while it was read`, {code: 'E_READ'})
        done += n
      }
      return buf
    },
  }
}

export async function readInput(path: string): Promise<Fetched> {
  if (path === '-') return {bytes: await readStdin(), source: 'stdin'}
  try {
    const fd = openSync(path, 'r')
    const stat = fstatSync(fd)
    if (stat.isFile() && stat.size >= readerMinBytes()) {
      const reader = fileReader(fd, stat.size, path)
      let whole: Buffer | undefined
      return {
        reader,
        source: path,
        get bytes() {
          whole ??= reader.read(0, reader.size)
          return whole
        },
      }
    }
    // one read of the whole file on the descriptor already open (fs.promises.readFile reads 512 KB at a time)
    try {
      return {bytes: stat.isFile() ? fileReader(fd, stat.size, path).read(0, stat.size) : readFileSync(fd), source: path}
    } finally {
      closeSync(fd)
    }
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
