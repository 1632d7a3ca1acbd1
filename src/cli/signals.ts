/**
 * Ctrl-C as "stop watching": SIGINT, SIGTERM and SIGHUP abort one signal, installed once, as early as the process
 * knows it will watch (src/cli/main.ts, before oclif loads the command), so that a Ctrl-C in the first second of
 * `ps -w` ends it with exit 0 as a later one does, instead of killing the process (exit 130). Handlers are `on`,
 * not `once`: a Ctrl-C can arrive twice (from the terminal and forwarded by bin/run.js's Node re-exec).
 */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

let controller: AbortController | undefined

export function watchStopSignal(): AbortSignal {
  if (!controller) {
    const c = new AbortController()
    controller = c
    for (const sig of STOP_SIGNALS) process.on(sig, () => c.abort())
    // bin/run.js remembers a stop that came before the bundle was loaded
    if ((globalThis as Record<symbol, unknown>)[Symbol.for('meshctl.stopRequested')] === true) c.abort()
  }
  return controller.signal
}

/** `ps -w`, `proxy-status --watch=5s`, ...: a command line that will watch (the words before any flag name ps). */
export function isWatchCommandLine(argv: readonly string[]): boolean {
  const end = argv.indexOf('--')
  const args = end === -1 ? argv : argv.slice(0, end)
  return (args[0] === 'ps' || args[0] === 'proxy-status') && args.some((a) => a === '-w' || a === '--watch' || a.startsWith('--watch=') || /^-w./.test(a))
}
