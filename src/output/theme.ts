/** Colours for terminals. The decision (TTY, NO_COLOR, --color/--no-color) is made by the caller. */
import {Chalk} from 'chalk'
import type {Styler} from './tabwriter.js'

export function makeStyler(level: 1 | 2 | 3 = 1): Styler {
  const c = new Chalk({level})
  const styles: Record<string, (s: string) => string> = {
    header: (s) => c.bold(s),
    good: (s) => c.green(s),
    bad: (s) => c.red(s),
    warn: (s) => c.yellow(s),
    dim: (s) => c.dim(s),
  }
  return (text, style) => (styles[style] ? styles[style](text) : text)
}

export interface ColorContext {
  flag?: boolean
  isTTY: boolean
  env: Record<string, string | undefined>
}

/** Colour only on a terminal, never with NO_COLOR or TERM=dumb; --color / --no-color override. */
export function wantColor({flag, isTTY, env}: ColorContext): boolean {
  if (flag !== undefined) return flag
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  if (env.TERM === 'dumb') return false
  return isTTY
}
