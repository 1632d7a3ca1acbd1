/**
 * Printing the dashboard URL and opening it, as istioctl's openBrowser does: the URL on its own line, then either
 * `skipping opening a browser` (--browser=false) or the platform's opener started in the background (`xdg-open`
 * on Linux, `open` on macOS, `rundll32 url.dll,FileProtocolHandler` on Windows). If the opener cannot be started:
 * `Failed to open browser; open <url> in your browser.`; on other systems:
 * `Unsupported platform "<os>"; open <url> in your browser.` (the OS named as Go names it).
 */
import {spawn as nodeSpawn} from 'node:child_process'

export interface BrowserIo {
  /** writes to standard output */
  out(text: string): void
  /** default process.platform */
  platform?: NodeJS.Platform
  /** default child_process.spawn (tests pass a fake) */
  spawn?: typeof nodeSpawn
}

/** The opener istioctl runs on each system: [command, ...args before the URL]. */
export function browserCommand(platform: NodeJS.Platform): [string, ...string[]] | undefined {
  switch (platform) {
    case 'linux':
      return ['xdg-open']
    case 'win32':
      return ['rundll32', 'url.dll,FileProtocolHandler']
    case 'darwin':
      return ['open']
    default:
      return undefined
  }
}

/** Node's platform name as Go's GOOS. */
const goos = (p: NodeJS.Platform): string => ({win32: 'windows', sunos: 'solaris'})[p as string] ?? p

/** Prints the URL and, unless `browser` is false, starts the browser. Resolves with whether one was started. */
export function openBrowser(url: string, browser: boolean, io: BrowserIo): Promise<boolean> {
  io.out(`${url}\n`)
  if (!browser) {
    // istioctl prints this without a newline; a terminal prompt would then follow on the same line
    io.out('skipping opening a browser\n')
    return Promise.resolve(false)
  }
  const platform = io.platform ?? process.platform
  const cmd = browserCommand(platform)
  if (!cmd) {
    io.out(`Unsupported platform "${goos(platform)}"; open ${url} in your browser.\n`)
    return Promise.resolve(false)
  }
  const failed = (): boolean => {
    io.out(`Failed to open browser; open ${url} in your browser.\n`)
    return false
  }
  return new Promise((resolve) => {
    try {
      const [file, ...args] = cmd
      const child = (io.spawn ?? nodeSpawn)(file, [...args, url], {stdio: 'ignore', detached: true, windowsHide: true})
      child.once('spawn', () => {
        child.unref()
        resolve(true)
      })
      child.once('error', () => resolve(failed()))
    } catch {
      resolve(failed())
    }
  })
}
