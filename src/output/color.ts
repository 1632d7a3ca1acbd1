/** Whether to colour: a module of its own so that a command printing without colour never loads chalk (./theme.ts). */
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
