/**
 * What `trace` says about one request: each hop with the resource chosen, why it matched and its result, then a
 * verdict naming where the request ends and, when the proxy itself ends it, the outcome Envoy would produce (HTTP
 * code and response flag, or a closed connection) with a hint in Istio's terms. Plain data: `trace -o json` prints
 * it as it is, and its field names are documented in the README (stable).
 */
import type {Json} from '../envoy/fields.js'

export type StepKind =
  | 'listener'
  | 'listener-filters'
  | 'filter-chain'
  | 'network-filter'
  | 'route-config'
  | 'virtual-host'
  | 'route'
  | 'action'
  | 'cluster'
  | 'endpoints'

export interface Candidate {
  name: string
  why: string
}

export interface TraceStep {
  step: StepKind
  /** the resource chosen ('' when none) */
  name: string
  /** why it was chosen, or why nothing was */
  why: string
  /** what came of it: `matched`, `hand-off`, `404 NR` ... */
  result: string
  /** false when the request ends here with a failure */
  ok: boolean
  /** what was tried and did not match (shown with --verbose) */
  candidates?: Candidate[]
  /** the step's decision as data (rewrites, timeouts, weighted shares, hosts ...) */
  detail?: {[key: string]: Json}
}

export type Outcome = 'endpoint' | 'redirect' | 'direct_response' | 'failure' | 'unknown'

export interface Verdict {
  outcome: Outcome
  /** the HTTP status the client gets when the proxy answers itself */
  code?: number
  /** Envoy's response flag (access log %RESPONSE_FLAGS%): NR, NC, UH ... */
  flag?: string
  /** for TCP: what happens to the connection */
  connection?: 'closed' | 'forwarded'
  summary: string
  /** the likely cause, in Istio's terms */
  hint?: string
  /** where it goes: host:port, or the redirect's Location */
  target?: string
}

export interface TraceResult {
  proxy: string
  mode: 'outbound' | 'inbound' | 'direct'
  request: {
    url: string
    method?: string
    authority?: string
    path?: string
    headers?: Array<[string, string]>
    destination: string
    transport: 'tls' | 'raw_buffer'
    sni?: string
    alpn?: string[]
  }
  steps: TraceStep[]
  verdict: Verdict
  /** what the trace could not know and took as given (runtime values, unknown endpoints ...) */
  assumptions: string[]
}

/** The exit code of a trace: 0 when the request reaches an endpoint or the proxy answers as configured, else CONDITION. */
export function traceFailed(r: TraceResult): boolean {
  return r.verdict.outcome === 'failure'
}
