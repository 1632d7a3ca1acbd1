/** Runs the built CLI as a user would (a separate process), with colour off unless asked. */
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
export const BIN = fileURLToPath(new URL('../../../bin/run.js', import.meta.url))
export const SHARED = fileURLToPath(new URL('../../../../shared/', import.meta.url))

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * A CLI that has not exited after `timeoutMs` (default 120 s) is killed and the call rejects: a command that prints
 * its answer but leaves a handle open (a socket, a timer) fails its test instead of hanging the suite.
 */
export function runCli(args: string[], opts: {stdin?: string | Buffer; env?: Record<string, string | undefined>; cwd?: string; timeoutMs?: number} = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = {...process.env, NO_COLOR: "1", MESHCTL_DEBUG: "", ...opts.env}
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k]
    const child = spawn(process.execPath, [BIN, ...args], {env, cwd: opts.cwd ?? ROOT, stdio: ['pipe', 'pipe', 'pipe']})
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.on('data', (d: Buffer) => err.push(d))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`meshctl ${args.join(' ')} did not exit within ${opts.timeoutMs ?? 120_000} ms; stdout so far: ${Buffer.concat(out).toString('utf8').slice(0, 500)}`))
    }, opts.timeoutMs ?? 120_000)
    child.on('error', reject)
    child.on('close', () => clearTimeout(timer))
    child.on('close', (code) => resolve({code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8')}))
    if (opts.stdin !== undefined) child.stdin.end(opts.stdin)
    else child.stdin.end()
  })
}

/** A failure as every meshctl error must look: one `Error:` line on stderr, nothing on stdout, no stack. */
export async function assertOneLineError(res: CliResult, exitCode: number, pattern: RegExp): Promise<void> {
  assert.equal(res.code, exitCode, `exit code (stderr: ${res.stderr})`)
  assert.equal(res.stdout, '', 'nothing on stdout')
  const lines = res.stderr.trimEnd().split('\n')
  assert.equal(lines.length, 1, `one line on stderr, got: ${res.stderr}`)
  assert.match(lines[0], /^Error: /)
  assert.match(lines[0], pattern)
  assert.doesNotMatch(res.stderr, /\n\s+at /, 'no stack trace')
}
