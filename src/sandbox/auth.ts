/**
 * Authentication (bearer tokens) and authorization (an allow-all policy with per-token deny rules, reported with the
 * API server's RBAC 403 text).
 *
 * Like an API server with anonymous auth disabled: no token, an unknown token or an expired one -> 401 `Unauthorized`.
 * Authorization attributes follow the API server's request-info rules: GET on a collection is `list` (`watch` with
 * `?watch=true`), GET on an object is `get`, and `pods/exec`, `pods/portforward`, `pods/attach` need `create` for both
 * the websocket GET and the SPDY POST (AuthorizePodWebsocketUpgradeCreatePermission, kubernetes#133515).
 */
import type {IncomingMessage} from 'node:http'
import {type AuthzAttributes, forbidden, type KubeStatus} from './status.js'
import type {DenyRule, SandboxToken} from './types.js'

export interface Identity {
  token: string
  user: string
  groups: string[]
  deny: DenyRule[]
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization
  if (!h) return undefined
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h)
  return m?.[1]
}

export function authenticate(req: IncomingMessage, tokens: Map<string, SandboxToken>): Identity | undefined {
  const token = bearerToken(req)
  if (!token) return undefined
  const t = tokens.get(token)
  if (!t || t.expired) return undefined
  return {token, user: t.user, groups: t.groups ?? ['system:authenticated'], deny: t.deny ?? []}
}

function ruleMatches(rule: DenyRule, a: AuthzAttributes): boolean {
  let resource = rule.resource
  let subresource = rule.subresource
  if (resource.includes('/')) [resource, subresource] = resource.split('/', 2) as [string, string]
  const eq = (want: string | undefined, got: string | undefined): boolean => want === undefined || want === '*' || want === (got ?? '')
  if (!eq(rule.verb, a.verb)) return false
  if (resource !== '*' && resource !== a.resource) return false
  // like RBAC: "pods" does not cover "pods/exec"; "pods/*" covers every subresource
  if (subresource === undefined ? a.subresource !== undefined : subresource !== '*' && subresource !== a.subresource) return false
  if (!eq(rule.group, a.group)) return false
  if (!eq(rule.namespace, a.namespace)) return false
  if (!eq(rule.name, a.name)) return false
  return true
}

/** undefined = allowed; otherwise the 403 Status to send. */
export function authorize(id: Identity, a: Omit<AuthzAttributes, 'user'>): KubeStatus | undefined {
  const attrs = {...a, user: id.user}
  if (attrs.path !== undefined) return undefined
  return id.deny.some((r) => ruleMatches(r, attrs)) ? forbidden(attrs) : undefined
}
