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
