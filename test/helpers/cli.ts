/** Runs the built CLI as a user would (a separate process), with colour off unless asked. */
import assert from 'node:assert/strict'
import {type ChildProcess, spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
export const BIN = fileURLToPath(new URL('../../../bin/run.js', import.meta.url))
export {SHARED} from './shared.js'

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

/** A long-running command (e.g. `ps --watch`), whose output is watched as it comes. */
export interface Running {
  child: ChildProcess
  out: () => string
  err: () => string
  /** resolves when stdout satisfies the predicate (rejects after 60 s with what was seen) */
  until: (pred: (out: string) => boolean, what: string) => Promise<void>
  exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>
}

export function start(cmd: string, args: string[], env: Record<string, string> = {}): Running {
  const child = spawn(cmd, args, {cwd: ROOT, env: {...process.env, NO_COLOR: '1', MESHCTL_DEBUG: '', ...env}, stdio: ['pipe', 'pipe', 'pipe']})
  let out = ''
  let err = ''
  const waiters: Array<() => void> = []
  child.stdout!.on('data', (d: Buffer) => {
    out += d
    for (const w of [...waiters]) w()
  })
  child.stderr!.on('data', (d: Buffer) => {
    err += d
  })
  const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) => child.on('exit', (code, signal) => resolve({code, signal})))
  const until = (pred: (o: string) => boolean, what: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        reject(new Error(`waited 60 s for ${what}; stdout: ${JSON.stringify(out.slice(-2000))}; stderr: ${err}`))
      }, 60_000)
      const check = (): void => {
        if (pred(out)) {
          clearTimeout(timer)
          waiters.splice(waiters.indexOf(check), 1)
          resolve()
        }
      }
      waiters.push(check)
      check()
    })
  return {child, out: () => out, err: () => err, until, exited}
}
