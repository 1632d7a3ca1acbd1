/**
 * Every finding `check` can report: its stable code, severity, what it means for traffic and how to fix it. The
 * table in docs/check.md is generated from this list (`findingsMarkdown`), and a test fails when the document is
 * stale. Codes never change meaning; new checks get new codes.
 */
import type {Severity} from './types.js'

export interface FindingSpec {
  code: string
  severity: Severity
  /** what it means for traffic */
  traffic: string
  /** how to fix it */
  fix: string
}

const spec = (code: string, severity: Severity, traffic: string, fix: string): FindingSpec => ({code, severity, traffic, fix})

export const FINDINGS = [
  // references (refs.ts)
  spec('ROUTE_CLUSTER_MISSING', 'error', 'Requests matching the route get `503 NC` (no cluster).', 'Add the DestinationRule subset or ServiceEntry the route names, or fix the VirtualService destination; istiod sends routes before their clusters exist only briefly.'),
  spec('ROUTE_CLUSTER_WARMING', 'warning', 'The cluster is still warming: `503 NC` until its endpoints arrive.', 'Usually transient; if it lasts, see CLUSTER_WARMING.'),
  spec('MIRROR_CLUSTER_MISSING', 'warning', 'Mirrored copies of requests are dropped; the requests themselves are not affected.', 'Fix the VirtualService `mirror` destination (host, subset, port).'),
  spec('TCP_CLUSTER_MISSING', 'error', 'Connections handled by the chain are closed at once (no cluster).', 'Add the ServiceEntry / DestinationRule subset the TCP route names, or fix the VirtualService `tcp`/`tls` destination.'),
  spec('RDS_MISSING', 'error', 'The HTTP connection manager has no route configuration: requests get `404 NR`.', 'Check istiod pushed RDS to the proxy (`meshctl ps`); a listener normally waits (warms) for its routes.'),
  spec('SRDS_MISSING', 'error', 'Scoped routes without scopes or without a scope\'s route configuration: requests get `404 NR`.', 'Check the control plane that sends scoped routes (SRDS), e.g. Higress, for errors.'),
  spec('SECRET_MISSING', 'error', 'TLS on the listener or cluster cannot be set up: handshakes fail; a cluster stays warming.', 'Create the Kubernetes Secret a Gateway `credentialName` names (in the gateway\'s namespace), or check the SDS agent (istio-agent) logs.'),
  spec('SECRET_WARMING_REF', 'warning', 'TLS waits for a secret that has not arrived: handshakes fail until it does.', 'Check istio-agent / the SDS server; see SECRET_WARMING.'),
  // endpoints (endpoints.ts)
  spec('ENDPOINTS_NONE', 'error', 'No endpoints at all: requests get `503 UH` (no healthy upstream), TCP connections are closed.', 'Check the Service selector matches Ready pods (`kubectl get endpointslices`), or that the DestinationRule subset labels match some pod.'),
  spec('ENDPOINTS_NONE_UNUSED', 'info', 'A cluster with no endpoints that no route or TCP proxy uses now.', 'Nothing to do unless something should route there (DestinationRule subsets without pods are common).'),
  spec('ENDPOINTS_NONE_HEALTHY', 'error', 'No healthy endpoint: Envoy\'s panic mode sends traffic to the unhealthy hosts anyway, which usually fails (503 UF, timeouts).', 'Find why the pods are not Ready (`kubectl describe pod`); readiness probes and failing health checks mark them unhealthy.'),
  spec('ENDPOINTS_ALL_EJECTED', 'error', 'Every host was ejected by outlier detection: panic mode sends traffic to them anyway.', 'Fix the upstream\'s 5xx/connection errors, or relax the DestinationRule `outlierDetection` (maxEjectionPercent).'),
  spec('ENDPOINTS_FAILOVER_ONLY', 'warning', 'No healthy host in priority 0: traffic fails over to another priority (often another zone or region).', 'Check the local zone\'s pods; locality failover is working as designed but costs latency.'),
  spec('ENDPOINTS_UNKNOWN', 'info', 'The dump has no endpoints (taken without `include_eds`, no /clusters): endpoint checks were skipped.', 'Save the dump with `config_dump?include_eds=true`, or pass `--clusters-file`.'),
  // state (state.ts)
  spec('CONFIG_REJECTED', 'error', 'Envoy refused the last update of this resource (NACK) and keeps the previous version, or none.', 'Read the details; the Istio resource that produced it (EnvoyFilter, WasmPlugin, VirtualService ...) is usually the cause. `meshctl ps` shows ERROR for the type.'),
  spec('LISTENER_WARMING', 'warning', 'A warming listener does not take connections yet; the previous copy (if any) still does.', 'A listener warms until its route configurations and secrets arrive: look for RDS_MISSING / SECRET_MISSING.'),
  spec('CLUSTER_WARMING', 'warning', 'A warming cluster is not usable: routes to it get `503 NC`.', 'A cluster warms until EDS sends its endpoints and its secrets arrive: check istiod and istio-agent.'),
  spec('SECRET_WARMING', 'warning', 'A warming secret is not usable yet: TLS that needs it fails.', 'Check istio-agent (workload certificates) or the gateway\'s credential Secret.'),
  // certificates (certs.ts)
  spec('CERT_EXPIRED', 'error', 'TLS with this certificate fails: peers reject it.', 'Workload certificates: check istio-agent can reach istiod (CSR); gateway certificates: renew the Secret (cert-manager?).'),
  spec('CERT_NOT_YET_VALID', 'error', 'TLS with this certificate fails until its start time: peers reject it.', 'Check the clocks of the node and the CA.'),
  spec('CERT_EXPIRING', 'warning', 'The certificate expires soon (`--cert-warn`); Istio rotates workload certificates when half their life is left, so this one is not being rotated.', 'Check istio-agent and the CA (istiod or an external CA) for CSR errors.'),
  spec('CERT_ROOT_MISMATCH', 'error', 'The workload certificate chain is not issued by the root the proxy trusts (ROOTCA): mTLS with peers fails.', 'After a root CA change or with a plugged-in CA, restart the workloads so they get certificates from the new root, or distribute both roots during the migration.'),
  spec('CERT_UNREADABLE', 'warning', 'A secret\'s certificate could not be decoded, so it was not checked.', 'Inspect it with `meshctl pc secret`.'),
  // routes (routes.ts)
  spec('ROUTE_SHADOWED', 'warning', 'The route can never match: an earlier route of the same virtual host matches every request it would.', 'Order the VirtualService `http` routes from the most specific to the least (a catch-all `/` last).'),
  spec('DOMAIN_DUPLICATE', 'error', 'Two virtual hosts of one route configuration claim the same domain: Envoy rejects such a configuration.', 'Merge the VirtualServices for that host, or remove the duplicate host from one of them.'),
  // policy (policy.ts)
  spec('OUTBOUND_REGISTRY_ONLY', 'info', 'Outbound traffic policy REGISTRY_ONLY: HTTP to unknown hosts gets 502 (block_all), other traffic to unknown destinations is dropped (BlackHoleCluster).', 'Add a ServiceEntry for each external host the workload needs, or use ALLOW_ANY (Sidecar or meshConfig `outboundTrafficPolicy`).'),
  spec('PASSTHROUGH_USED', 'info', 'Outbound traffic policy ALLOW_ANY: traffic to unknown destinations leaves through PassthroughCluster, unobserved by the mesh\'s policies.', 'Nothing to do if intended; REGISTRY_ONLY with ServiceEntries keeps egress explicit.'),
  // control plane (sync.ts)
  spec('SYNC_ERROR', 'error', 'istiod says the proxy rejected its config (NACK): the proxy runs older config.', 'See CONFIG_REJECTED on the same proxy, or `meshctl ps` for the error.'),
  spec('SYNC_STALE', 'warning', 'istiod pushed config the proxy has not acknowledged beyond the grace period (`--grace`).', 'A slow or overloaded proxy, or a connection problem; check the proxy\'s logs.'),
  spec('SYNC_NOT_SENT', 'warning', 'istiod has not sent the proxy config for a type it subscribed to, beyond the grace period.', 'Usually a proxy istiod considers unready or a push error; check istiod\'s logs.'),
  spec('SYNC_NOT_CONNECTED', 'warning', 'No istiod lists this proxy as connected: it gets no config updates.', 'Check the proxy\'s connection to istiod (istio-agent logs, network policy, revision labels).'),
  spec('VERSION_SKEW', 'warning', 'The proxy\'s Istio version is outside what its istiod supports (the control plane may be one minor version ahead, the data plane never ahead).', 'Restart the workload to get the current sidecar, or upgrade the control plane first.'),
  // fetching
  spec('PROXY_UNREACHABLE', 'error', 'meshctl could not read this proxy\'s config: nothing about it was checked.', 'See the message (pod not running, no admin port, RBAC).'),
] as const satisfies readonly FindingSpec[]

export type FindingCode = (typeof FINDINGS)[number]['code']

const BY_CODE = new Map<string, FindingSpec>(FINDINGS.map((f) => [f.code, f]))

export function findingSpec(code: string): FindingSpec | undefined {
  return BY_CODE.get(code)
}

export function isFindingCode(code: string): code is FindingCode {
  return BY_CODE.has(code)
}

/** The Markdown table of every finding (docs/check.md carries it between markers). */
export function findingsMarkdown(): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|')
  const lines = ['| Code | Severity | What it means for traffic | How to fix it |', '|---|---|---|---|']
  for (const f of FINDINGS) lines.push(`| \`${f.code}\` | ${f.severity} | ${esc(f.traffic)} | ${esc(f.fix)} |`)
  return `${lines.join('\n')}\n`
}

/** A finding of a registered code (its severity comes from the registry). */
export function makeFinding(proxy: string, code: FindingCode, resource: {type: string; name: string}, message: string, hint?: string): import('./types.js').Finding {
  const f: import('./types.js').Finding = {proxy, severity: BY_CODE.get(code)!.severity, code, resource, message}
  if (hint) f.hint = hint
  return f
}
