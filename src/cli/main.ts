/**
 * The process edge: runs oclif, turns every error into one `Error: ...` line on stderr and an exit code,
 * and never prints a stack trace unless MESHCTL_DEBUG=1.
 */
import {flush} from '@oclif/core/flush'
import type {LoadOptions} from '@oclif/core/interfaces'
import {run} from '@oclif/core/run'
import {ExitCode, isMeshctlError} from '../errors/index.js'

const debug = (): boolean => /^(1|true|yes)$/i.test(process.env.MESHCTL_DEBUG ?? '')

interface OclifLikeError extends Error {
  oclif?: {exit?: number}
  code?: string
}

/** oclif rewrites errors thrown while parsing a flag as "Parsing --flag\n\t<message>\nSee more help with --help". */
function unwrapOclif(message: string): string {
  return message.replace(/^Parsing --\S+\s+/, '').replace(/\s*See more help with --help\s*$/, '')
}

/** Maps any thrown value to the line to print and the exit code. Exported for tests. */
export function describeError(err: unknown): {message: string; exitCode: number; silent: boolean} {
  if (isMeshctlError(err)) return {message: unwrapOclif(err.oneLine), exitCode: err.exitCode, silent: false}
  const e = err as OclifLikeError
  // oclif's ExitError (this.exit(n)) carries only a code: leave quietly
  if (e?.code === 'EEXIT') return {message: '', exitCode: e.oclif?.exit ?? 0, silent: true}
  if (e && typeof e === 'object' && e.oclif && typeof e.oclif.exit === 'number') {
    // parse errors and this.error(): oclif's messages can span lines; keep the first meaningful one
    // oclif wraps flag-validation errors as "Parsing --flag <our message>\nSee more help with --help"
    const first = (
      String(e.message ?? '')
        .split('\n')
        .map((l) => l.trim())
        .find((l) => l.length > 0) ?? 'invalid command line'
    ).replace(/^Parsing --\S+\s+/, '')
    const usage = /See more help with --help/.test(String(e.message)) || e.oclif.exit === 2
    return {message: usage ? `${first} (see --help)` : first, exitCode: e.oclif.exit, silent: false}
  }
  if (e && typeof e === 'object' && (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED')) {
    return {message: '', exitCode: ExitCode.OK, silent: true}
  }
  const message = e instanceof Error ? e.message : String(err)
  return {message: `${message.replace(/\s*\n\s*/g, ' ')} (unexpected; rerun with MESHCTL_DEBUG=1 for details)`, exitCode: ExitCode.FAILURE, silent: false}
}

/**
 * Runs meshctl on `argv`. `options` is what oclif's `run()` loads its configuration from: by default this module's
 * URL (oclif finds package.json and the manifest from there); the single executable passes the package.json
 * fields and a root plugin it embeds (src/cli/binary.ts), since it has no files to find.
 */
export async function main(argv: string[], options: LoadOptions = import.meta.url): Promise<void> {
  // a reader that goes away (`| head`) is not an error
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw err
  })
  try {
    await run(argv, options)
    await flush()
  } catch (err) {
    const {message, exitCode, silent} = describeError(err)
    if (!silent) {
      if (debug() && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`)
      process.stderr.write(`Error: ${message}\n`)
    }
    process.exitCode = exitCode
  }
}
