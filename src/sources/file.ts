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
 * A file from this size on is read through a ByteReader instead of whole: a config_dump's sections are located
 * chunk by chunk and a view's section is read on its own (a table's fields streamed through a small window), and
 * a `/clusters?format=json` answer is streamed cluster by cluster, so the process never holds or touches the whole
 * file: on the benchmark's 10k-service dump (103 MB) `pc clusters` takes 0.63 s instead of 0.99 s and half the
 * memory. MESHCTL_READER_MIN_BYTES overrides it (tests use 0).
 */
const READER_MIN_BYTES = 8 * 1024 * 1024

function readerMinBytes(): number {
  const v = process.env.MESHCTL_READER_MIN_BYTES
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : READER_MIN_BYTES
}

/** Random access to an open file; the descriptor stays open for the life of the process. */
function fileReader(fd: number, size: number, path: string): ByteReader {
  return {
    size,
    read(start, end, into) {
      const buf = into && into.length >= end - start ? into.subarray(0, end - start) : Buffer.allocUnsafe(end - start)
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
    const reader = fileReader(fd, stat.size, path)
    if (stat.isFile() && stat.size > 0 && stat.size >= readerMinBytes()) {
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
      return {bytes: stat.isFile() ? reader.read(0, stat.size) : readFileSync(fd), source: path}
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
