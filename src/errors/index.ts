/**
 * meshctl's error classes and exit codes. Every failure a user can cause or meet is one of these:
 * the CLI prints `Error: <message>` (one line) and exits with `exitCode`. Nothing here imports anything.
 */

/** Exit codes: the contract for scripts (documented in README.md). */
export const ExitCode = {
  /** Success. */
  OK: 0,
  /** An unexpected failure (a bug, or an error meshctl does not classify). */
  FAILURE: 1,
  /** The command line was wrong: unknown flag, bad value, bad -o, bad --query, missing or extra arguments. */
  USAGE: 2,
  /** The input could not be read or does not hold what the view needs (file, JSON, dump shape, missing section). */
  INPUT: 3,
  /** Kubernetes could not be reached or refused: kubeconfig, API server, RBAC, pod not found or not running. */
  CLUSTER: 4,
  /** The proxy (Envoy admin) or control plane (istiod) could not be reached or answered with an error. */
  PROXY: 5,
  /** Not an error: the command ran, and a condition asked for with a --fail-on flag was found. */
  CONDITION: 10,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

export interface ErrorOptions {
  /** A stable machine-readable code, e.g. `E_JSON_PARSE`. */
  code?: string
  /** What the user can do about it; appended to the one-line message. */
  hint?: string
  cause?: unknown
}

export class MeshctlError extends Error {
  override name = 'MeshctlError'
  readonly exitCode: number
  readonly code: string
  readonly hint?: string

  constructor(message: string, exitCode: number, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.exitCode = exitCode
    this.code = options.code ?? 'E_MESHCTL'
    this.hint = options.hint
  }

  /** The message as printed after `Error: `, hint included, always on one line. */
  get oneLine(): string {
    const text = this.hint ? `${this.message}; ${this.hint}` : this.message
    return text.replace(/\s*\n\s*/g, ' ')
  }
}

/** The command line is wrong (exit 2). */
export class UsageError extends MeshctlError {
  override name = 'UsageError'
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, ExitCode.USAGE, {code: 'E_USAGE', ...options})
  }
}

/** The input cannot be read or decoded, or lacks what the view needs (exit 3). */
export class InputError extends MeshctlError {
  override name = 'InputError'
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, ExitCode.INPUT, {code: 'E_INPUT', ...options})
  }
}

/** Kubernetes access failed (exit 4). */
export class ClusterError extends MeshctlError {
  override name = 'ClusterError'
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, ExitCode.CLUSTER, {code: 'E_CLUSTER', ...options})
  }
}

/** Envoy's admin API or istiod failed or answered with an error (exit 5). */
export class ProxyError extends MeshctlError {
  override name = 'ProxyError'
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, ExitCode.PROXY, {code: 'E_PROXY', ...options})
  }
}

/** A thrown value as an Error (a string or anything else thrown becomes the message of one). */
export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err))
}

/** MESHCTL_DEBUG=1 (or true, yes): stack traces, and a few lines on stderr about what meshctl chose to do. */
export function debugEnabled(): boolean {
  return /^(1|true|yes)$/i.test(process.env.MESHCTL_DEBUG ?? '')
}

export function isMeshctlError(err: unknown): err is MeshctlError {
  return err instanceof MeshctlError || (err instanceof Error && typeof (err as MeshctlError).exitCode === 'number' && 'oneLine' in err)
}
