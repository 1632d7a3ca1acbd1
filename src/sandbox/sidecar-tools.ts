/**
 * The default exec emulation (`sidecarExecHandler`): what `kubectl exec` finds in a pod's containers.
 *
 * - A container named `istio-proxy` (or any container with `tools`) offers SIDECAR_TOOLS:
 *   `pilot-agent request <METHOD> <path> [body] [--debug-port N]` (prints the body plus a newline, like
 *   pilot-agent's fmt.Println), `curl [-sSf] [-X M] [-d data] [-o file] http://localhost:PORT/path` (also 127.0.0.1 /
 *   [::1]), `sh -c '<one command>'`, `cat`, `echo`, `true`, `false`, `envoy --version`. Both pilot-agent and curl talk
 *   to the pod's loopback PortHandler, so the same Envoy emulation answers port-forward and exec.
 * - Any other container is distroless: nothing can be executed.
 * - An executable that is not there fails like containerd does (a runtime error, not an exit code):
 *   `failed to exec in container: failed to start exec "<id>": OCI runtime exec failed: exec failed: unable to start
 *   container process: exec: "<cmd>": executable file not found in $PATH: unknown`; with the container's
 *   `missingCommand: 'exit-127'`, the OCI text goes to stderr with exit code 127 instead.
 * - Inside `sh -c`, an unknown command is `sh: 1: <cmd>: not found`, exit 127 (dash).
 */
import {randomBytes} from 'node:crypto'
import type {ExecHandler, ExecRequest, ExecResult, SandboxContainer} from './types.js'

export const SIDECAR_TOOLS = ['pilot-agent', 'envoy', 'curl', 'sh', 'bash', 'cat', 'echo', 'true', 'false']

export function toolsOf(c: SandboxContainer): string[] {
  return c.tools ?? (c.name === 'istio-proxy' ? SIDECAR_TOOLS : [])
}

/** Splits a shell command line into words (single/double quotes, backslash escapes). */
export function shellWords(line: string): string[] {
  const words: string[] = []
  let cur = ''
  let inWord = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!
    if (ch === "'") {
      const end = line.indexOf("'", i + 1)
      cur += line.slice(i + 1, end === -1 ? undefined : end)
      i = end === -1 ? line.length : end
      inWord = true
    } else if (ch === '"') {
      i++
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) i++
        cur += line[i]
        i++
      }
      inWord = true
    } else if (ch === '\\' && i + 1 < line.length) {
      cur += line[++i]
      inWord = true
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(cur)
      cur = ''
      inWord = false
    } else {
      cur += ch
      inWord = true
    }
  }
  if (inWord) words.push(cur)
  return words
}

function basename(cmd: string): string {
  return cmd.slice(cmd.lastIndexOf('/') + 1)
}

function ociNotFound(cmd: string, container: SandboxContainer): ExecResult {
  const why = cmd.includes('/') ? `stat ${cmd}: no such file or directory` : `executable file not found in $PATH`
  const oci = `OCI runtime exec failed: exec failed: unable to start container process: exec: "${cmd}": ${why}: unknown`
  if (container.missingCommand === 'exit-127') return {exitCode: 127, stderr: `${oci}\n`}
  const execId = randomBytes(32).toString('hex')
  return {error: `failed to exec in container: failed to start exec "${execId}": ${oci}`}
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c))
  return Buffer.concat(chunks)
}

interface LoopbackUrl {
  host: string
  port: number
  path: string
}

function parseLoopbackUrl(url: string): LoopbackUrl | {error: number; message: string} {
  const m = /^(?:(https?):\/\/)?(\[[^\]]+\]|[^/:?#]+)(?::(\d+))?([/?][^#]*)?/.exec(url)
  if (!m) return {error: 3, message: `curl: (3) URL rejected: Malformed input to a URL function`}
  const scheme = m[1] ?? 'http'
  const host = m[2]!
  const port = m[3] ? Number(m[3]) : scheme === 'https' ? 443 : 80
  let path = m[4] ?? '/'
  if (path.startsWith('?')) path = `/${path}`
  if (!['localhost', '127.0.0.1', '[::1]', '0.0.0.0'].includes(host)) {
    return {error: 6, message: `curl: (6) Could not resolve host: ${host}`}
  }
  return {host: host === '[::1]' ? '::1' : host, port, path}
}

async function curl(req: ExecRequest, args: string[]): Promise<ExecResult> {
  let silent = false
  let showError = false
  let fail = false
  let include = false
  let method: string | undefined
  let data: string | undefined
  let output: string | undefined
  let url: string | undefined
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (a === '-X' || a === '--request') method = args[++i]
    else if (a === '-d' || a === '--data' || a === '--data-raw' || a === '--data-binary') data = args[++i]
    else if (a === '-o' || a === '--output') output = args[++i]
    else if (a === '-H' || a === '--header' || a === '-m' || a === '--max-time' || a === '--connect-timeout' || a === '-w' || a === '--write-out') i++
    else if (a === '--silent') silent = true
    else if (a === '--show-error') showError = true
    else if (a === '--fail') fail = true
    else if (a === '--include') include = true
    else if (/^-[a-zA-Z]+$/.test(a)) {
      for (const f of a.slice(1)) {
        if (f === 's') silent = true
        else if (f === 'S') showError = true
        else if (f === 'f') fail = true
        else if (f === 'i') include = true
        // -L -k -v and friends: accepted and ignored
      }
    } else if (a.startsWith('-')) {
      // unknown long option: ignored
    } else url = a
  }
  const err = (code: number, message: string): ExecResult => ({exitCode: code, stderr: !silent || showError ? `${message}\n` : ''})
  if (!url) return {exitCode: 2, stderr: "curl: no URL specified!\ncurl: try 'curl --help' or 'curl --manual' for more information\n"}
  const u = parseLoopbackUrl(url)
  if ('error' in u) return err(u.error, u.message)
  const res = await req.httpRequest(u.port, method ?? (data !== undefined ? 'POST' : 'GET'), u.path, data)
  if (!res) return err(7, `curl: (7) Failed to connect to ${u.host} port ${u.port} after 0 ms: Couldn't connect to server`)
  if (fail && res.status >= 400) return err(22, `curl: (22) The requested URL returned error: ${res.status}`)
  let body = res.body
  if (include) {
    const head = [`HTTP/1.1 ${res.status}`, ...Object.entries(res.headers).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`)].join('\r\n')
    body = Buffer.concat([Buffer.from(`${head}\r\n\r\n`), body])
  }
  if (output && output !== '-') return {exitCode: 0}
  return {exitCode: 0, stdout: body}
}

async function pilotAgent(req: ExecRequest, args: string[]): Promise<ExecResult> {
  const positional: string[] = []
  let port = 15000
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (a === '--debug-port') port = Number(args[++i])
    else if (a.startsWith('--debug-port=')) port = Number(a.slice('--debug-port='.length))
    else if (a.startsWith('--log_output_level') || a.startsWith('--log_as_json')) {
      if (!a.includes('=')) i++
    } else positional.push(a)
  }
  const [sub, ...rest] = positional
  if (sub === 'version' || sub === '--version') return {stdout: 'client version: 1.24.2\n'}
  if (sub !== 'request') {
    return {exitCode: 255, stderr: `Error: unknown command "${sub ?? ''}" for "pilot-agent"\nRun 'pilot-agent --help' for usage.\n`}
  }
  if (rest.length < 2) {
    return {exitCode: 255, stderr: `Error: requires at least 2 arg(s), only received ${rest.length}\n`}
  }
  const [method, path, body] = rest as [string, string, string | undefined]
  // pilot-agent builds fmt.Sprintf("http://%s/%s", "localhost:<port>", path): a leading "/" gives "//path"
  const url = `http://localhost:${port}/${path}`
  const res = await req.httpRequest(port, method, `/${path}`, body)
  if (!res) {
    return {exitCode: 255, stderr: `Error: ${method === 'GET' ? 'Get' : method === 'POST' ? 'Post' : method} "${url}": dial tcp 127.0.0.1:${port}: connect: connection refused\n`}
  }
  return {exitCode: 0, stdout: Buffer.concat([res.body, Buffer.from('\n')])}
}

async function run(req: ExecRequest, argv: string[], shell: 'sh' | 'bash' | undefined): Promise<ExecResult> {
  const [cmd, ...args] = argv
  if (cmd === undefined) return {exitCode: 0}
  const name = basename(cmd)
  if (!toolsOf(req.container).includes(name)) {
    if (shell === 'sh') return {exitCode: 127, stderr: `sh: 1: ${cmd}: not found\n`}
    if (shell === 'bash') return {exitCode: 127, stderr: `bash: line 1: ${cmd}: command not found\n`}
    return ociNotFound(cmd, req.container)
  }
  switch (name) {
    case 'pilot-agent':
      return pilotAgent(req, args)
    case 'curl':
      return curl(req, args)
    case 'echo': {
      const noNl = args[0] === '-n'
      const words = noNl ? args.slice(1) : args
      return {stdout: words.join(' ') + (noNl ? '' : '\n')}
    }
    case 'cat': {
      if (args.length === 0 || (args.length === 1 && args[0] === '-')) return {stdout: await readAll(req.stdin)}
      let out = ''
      let errs = ''
      for (const f of args) {
        const content = req.pod.files?.[f]
        if (content === undefined) errs += `cat: ${f}: No such file or directory\n`
        else out += content
      }
      return {stdout: out, stderr: errs, exitCode: errs ? 1 : 0}
    }
    case 'true':
      return {exitCode: 0}
    case 'false':
      return {exitCode: 1}
    case 'envoy':
      if (args.includes('--version')) {
        return {stdout: '\nenvoy  version: 6c72b2179f5a58988b920a55b0be8346de3f7b35/1.32.3-dev/Clean/RELEASE/BoringSSL\n\n'}
      }
      return {exitCode: 1, stderr: '[critical][main] error initializing configuration: At least one of --config-path or --config-yaml or Options::configProto() should be non-empty\n'}
    case 'sh':
    case 'bash': {
      const sh = name === 'sh' ? 'sh' : 'bash'
      if (args[0] === '-c') {
        if (args[1] === undefined) return {exitCode: 2, stderr: `${sh}: 0: -c requires an argument\n`}
        return runScript(req, args[1], sh)
      }
      return runScript(req, (await readAll(req.stdin)).toString(), sh)
    }
  }
  return ociNotFound(cmd, req.container)
}

/** Runs a script line by line (`;` or newlines; no pipes or redirections; `exit [n]` is a builtin); output concatenated, exit code of the last command. */
async function runScript(req: ExecRequest, script: string, sh: 'sh' | 'bash'): Promise<ExecResult> {
  const out: Buffer[] = []
  const err: Buffer[] = []
  let exitCode = 0
  for (const line of script.split(/\n|;/)) {
    const words = shellWords(line)
    if (words.length === 0) continue
    if (words[0] === 'exit') return {stdout: Buffer.concat(out), stderr: Buffer.concat(err), exitCode: words[1] === undefined ? exitCode : Number(words[1]) & 255}
    const r = await run(req, words, sh)
    if (r.error) return r
    if (r.stdout) out.push(Buffer.from(r.stdout))
    if (r.stderr) err.push(Buffer.from(r.stderr))
    exitCode = r.exitCode ?? 0
  }
  return {stdout: Buffer.concat(out), stderr: Buffer.concat(err), exitCode}
}

export const sidecarExecHandler: ExecHandler = (req) => run(req, req.argv, undefined)
