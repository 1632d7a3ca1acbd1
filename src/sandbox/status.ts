/**
 * `metav1.Status` bodies, shaped exactly like the API server's (field order included:
 * kind, apiVersion, metadata, status, message, reason, details, code).
 *
 * Message formats come from k8s.io/apimachinery/pkg/api/errors (NewNotFound, NewForbidden,
 * NewBadRequest, NewInternalError...) and k8s.io/apiserver responsewriters.forbiddenMessage.
 */

export interface StatusCause {
  reason?: string
  message?: string
  field?: string
}

export interface StatusDetails {
  name?: string
  group?: string
  kind?: string
  causes?: StatusCause[]
}

export interface KubeStatus {
  kind: 'Status'
  apiVersion: 'v1'
  metadata: Record<string, never>
  status: 'Success' | 'Failure'
  message?: string
  reason?: string
  details?: StatusDetails
  code?: number
}

/** A group+resource as the API server qualifies it in messages: `pods`, `deployments.apps`. */
export interface GroupResource {
  group: string
  resource: string
}

export function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource
}

export function failure(code: number, reason: string, message: string, details?: StatusDetails): KubeStatus {
  const s: KubeStatus = {kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason}
  if (details) s.details = details
  s.code = code
  return s
}

export function success(): KubeStatus {
  return {kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success'}
}

function detailsFor(gr: GroupResource, name: string): StatusDetails {
  const d: StatusDetails = {}
  if (name) d.name = name
  if (gr.group) d.group = gr.group
  d.kind = gr.resource
  return d
}

/** `pods "x" not found` (NewNotFound). */
export function notFound(gr: GroupResource, name: string): KubeStatus {
  return failure(404, 'NotFound', `${qualified(gr)} "${name}" not found`, detailsFor(gr, name))
}

/** Unknown URL: what the API server's NotFoundHandler answers. */
export function pathNotFound(): KubeStatus {
  return failure(404, 'NotFound', 'the server could not find the requested resource', {})
}

export function unauthorized(): KubeStatus {
  return failure(401, 'Unauthorized', 'Unauthorized')
}

export interface AuthzAttributes {
  user: string
  verb: string
  group: string
  resource: string
  subresource?: string
  namespace?: string
  name?: string
  /** set for non-resource requests (`/api`, `/version`) */
  path?: string
}

/** responsewriters.forbiddenMessage */
export function forbiddenMessage(a: AuthzAttributes): string {
  if (a.path !== undefined) return `User "${a.user}" cannot ${a.verb} path "${a.path}"`
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource
  if (a.namespace) {
    return `User "${a.user}" cannot ${a.verb} resource "${resource}" in API group "${a.group}" in the namespace "${a.namespace}"`
  }
  return `User "${a.user}" cannot ${a.verb} resource "${resource}" in API group "${a.group}" at the cluster scope`
}

/** NewForbidden(gr, name, forbiddenMessage): `pods "x" is forbidden: User "u" cannot ...` */
export function forbidden(a: AuthzAttributes): KubeStatus {
  const msg = forbiddenMessage(a)
  if (a.path !== undefined) return failure(403, 'Forbidden', `forbidden: ${msg}`, {})
  const gr = {group: a.group, resource: a.resource}
  const name = a.name ?? ''
  const message = name ? `${qualified(gr)} "${name}" is forbidden: ${msg}` : `${qualified(gr)} is forbidden: ${msg}`
  return failure(403, 'Forbidden', message, detailsFor(gr, name))
}

export function badRequest(message: string): KubeStatus {
  return failure(400, 'BadRequest', message)
}

/** NewInternalError: message `Internal error occurred: <err>`, the error repeated as a cause. */
export function internalError(err: string): KubeStatus {
  return failure(500, 'InternalError', `Internal error occurred: ${err}`, {causes: [{message: err}]})
}

export function methodNotAllowed(): KubeStatus {
  return failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {})
}

/** What exec streams report on the error channel for a non-zero exit (kubelet ServeExec). */
export function nonZeroExit(exitCode: number, argv: string[]): KubeStatus {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${argv.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: {causes: [{reason: 'ExitCode', message: String(exitCode)}]},
  }
}

/** The exec error channel carries the Status without kind/apiVersion (the kubelet marshals status.Status()). */
export function streamStatus(s: KubeStatus): Record<string, unknown> {
  const out: Record<string, unknown> = {...s}
  delete out.kind
  delete out.apiVersion
  return out
}
