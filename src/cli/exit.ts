/**
 * How a meshctl process ends (the entry points, bin/run.js and the single executable, once main() has returned; a
 * watch once it is stopped). Importing nothing, so that any command can end through it without loading more.
 */

/** How long a finished command may leave something holding the event loop open before the process is ended. */
export const LINGER_MS = 250

/**
 * Ends the process once a command has run and everything it printed has been handed to the system: for the entry
 * points (bin/run.js, the single executable) once main() has returned, never for a caller of main() that lives on.
 *
 * Node ends it by itself when nothing is left to do, and that is the way it ends: process.exit() can hang forever
 * (nodejs/node#54918, open in Node 24). It joins V8's worker threads before it disposes of the heap, and a thread
 * that is compiling (Maglev, TurboFan) and waits for a garbage collection then waits for a main thread that will
 * never collect again. A natural exit disposes of the heap first, which releases that thread. Seen here once in a
 * few hundred `check -f` runs of the 10k-service dump; with V8's --stress-concurrent-allocation, 9 of 160 runs of
 * `check -f` hung with process.exit() and none of 160 without (test/cli/exit.test.ts). The cost is V8's housekeeping
 * (the end of an incremental marking, a last scavenge), which Node runs before it exits: 5-15 ms of `ps --file`'s
 * wall time (13-19 ms of CPU), against a process that may never end.
 *
 * When something still holds the event loop open `LINGER_MS` after the command (a request to another pod after
 * the first one failed), the process is ended with process.exit() once stdout and stderr are written (the exit code
 * is process.exitCode, as main() set it): a pipe whose reader is slow keeps it waiting, nothing printed is lost.
 */
export function exitWhenWritten(): void {
  setInterval(() => {
    if (process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit()
  }, LINGER_MS).unref()
}
