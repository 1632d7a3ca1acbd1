/**
 * Service account tokens in the sandbox: the API server's TokenRequest
 * (`POST /api/v1/namespaces/<ns>/serviceaccounts/<sa>/token`, what istioctl and meshctl call to get a token for
 * istiod's 15012) and the check the sandbox istiod makes on them (./istiod.ts).
 *
 * Tokens are JWTs (`header.claims.signature`, HS256 with a key made when this module loads) carrying the claims a
 * Kubernetes service account token has: `iss`, `sub` (`system:serviceaccount:<ns>:<sa>`), `aud`, `exp`, `iat`,
 * `nbf` and `kubernetes.io` {namespace, serviceaccount {name, uid}}. Being signed, they need no bookkeeping: the
 * istiod emulation verifies signature, expiry and audience (`istio-ca`), as istiod does through a TokenReview. The
 * key is per process, so every sandbox in the process accepts the others' tokens.
 *
 * TokenRequest behaves like the API server's: RBAC-style 403 from deny rules (verb `create`, resource
 * `serviceaccounts/token`), 404 for an unknown service account (the sandbox has one, `default`, in every
 * namespace), 400 for a body that is not a TokenRequest, 422 for `expirationSeconds` < 600, 201 with
 * `status.token` and `status.expirationTimestamp` otherwise; audiences default to the API server's own.
 */
import {createHmac, randomBytes, timingSafeEqual} from 'node:crypto'
import type {IncomingMessage, ServerResponse} from 'node:http'
import {authorize, type Identity} from './auth.js'
import {sendJson, sendStatus} from './http-util.js'
import {findResource} from './resources.js'
import {badRequest, failure, methodNotAllowed, notFound} from './status.js'
import type {ObjectStore} from './store.js'
import {hexFrom} from '../gen/prng.js'

const KEY = randomBytes(32)

/** A stable UUID-shaped string derived from `key`. */
export function uuidFrom(key: string): string {
  const h = hexFrom(key, 16)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
}
export const TOKEN_ISSUER = 'https://kubernetes.default.svc.cluster.local'
/** what a TokenRequest without audiences gets (the API server's own audience) */
export const API_SERVER_AUDIENCE = 'https://kubernetes.default.svc.cluster.local'
export const ISTIO_CA_AUDIENCE = 'istio-ca'
const MIN_EXPIRATION = 600

export interface ServiceAccountClaims {
  iss: string
  sub: string
  aud: string[]
  exp: number
  iat: number
  nbf: number
  'kubernetes.io': {namespace: string; serviceaccount: {name: string; uid: string}}
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url')
const sign = (data: string): Buffer => createHmac('sha256', KEY).update(data).digest()

export function issueServiceAccountToken(o: {namespace: string; name: string; audiences: string[]; expirationSeconds: number; now?: Date}): {token: string; expirationTimestamp: string} {
  const iat = Math.floor((o.now ?? new Date()).getTime() / 1000)
  const claims: ServiceAccountClaims = {
    iss: TOKEN_ISSUER,
    sub: `system:serviceaccount:${o.namespace}:${o.name}`,
    aud: o.audiences,
    exp: iat + o.expirationSeconds,
    iat,
    nbf: iat,
    'kubernetes.io': {namespace: o.namespace, serviceaccount: {name: o.name, uid: uuidFrom(`sa/${o.namespace}/${o.name}`)}},
  }
  const head = `${b64url(JSON.stringify({alg: 'HS256', kid: 'meshctl-sandbox'}))}.${b64url(JSON.stringify(claims))}`
  return {token: `${head}.${b64url(sign(head))}`, expirationTimestamp: new Date(claims.exp * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')}
}

export type TokenCheck = {ok: true; claims: ServiceAccountClaims} | {ok: false; reason: string}

/** Signature, expiry and audience, as istiod's KubeJWTAuthenticator (via TokenReview) checks them. */
export function verifyServiceAccountToken(token: string, audience: string, now: Date = new Date()): TokenCheck {
  const parts = token.split('.')
  if (parts.length !== 3) return {ok: false, reason: 'the token is not authenticated'}
  const want = sign(`${parts[0]}.${parts[1]}`)
  const got = Buffer.from(parts[2]!, 'base64url')
  if (got.length !== want.length || !timingSafeEqual(got, want)) return {ok: false, reason: 'the token is not authenticated'}
  let claims: ServiceAccountClaims
  try {
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as ServiceAccountClaims
  } catch {
    return {ok: false, reason: 'the token is not authenticated'}
  }
  if (claims.exp * 1000 <= now.getTime()) return {ok: false, reason: 'the token has expired'}
  if (!claims.aud.includes(audience)) return {ok: false, reason: `the token's audiences [${claims.aud.join(' ')}] do not include "${audience}"`}
  return {ok: true, claims}
}

// ---------------------------------------------------------------------------------------------------------------
// TokenRequest

const TOKEN_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/serviceaccounts\/([^/]+)\/token\/?$/

/** `{namespace, name}` when the path is a service account's token subresource. */
export function serviceAccountTokenPath(pathname: string): {namespace: string; name: string} | undefined {
  const m = TOKEN_PATH.exec(pathname)
  return m ? {namespace: decodeURIComponent(m[1]!), name: decodeURIComponent(m[2]!)} : undefined
}

function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > limit) {
        reject(new Error('request body too large'))
        req.destroy()
        return
      }
      chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

/** Handles `POST .../serviceaccounts/<name>/token` (see the module comment). */
export function handleTokenRequest(ctx: {store: ObjectStore; now(): Date}, req: IncomingMessage, res: ServerResponse, id: Identity, namespace: string, name: string): void {
  const denied = authorize(id, {verb: req.method === 'POST' ? 'create' : 'get', group: '', resource: 'serviceaccounts', subresource: 'token', namespace, name})
  if (denied) {
    sendStatus(res, denied)
    return
  }
  if (req.method !== 'POST') {
    sendStatus(res, methodNotAllowed())
    return
  }
  const namespaces = findResource('', 'v1', 'namespaces')
  if (name !== 'default' || !namespaces || !ctx.store.get(namespaces, undefined, namespace)) {
    sendStatus(res, notFound({group: '', resource: 'serviceaccounts'}, name))
    return
  }
  void readBody(req).then(
    (text) => {
      let body: {kind?: unknown; spec?: {audiences?: unknown; expirationSeconds?: unknown; boundObjectRef?: unknown}}
      try {
        body = text.trim() ? JSON.parse(text) : {}
      } catch (err) {
        sendStatus(res, badRequest(`error decoding from json: ${(err as Error).message}`))
        return
      }
      if (body === null || typeof body !== 'object' || (body.kind !== undefined && body.kind !== 'TokenRequest')) {
        sendStatus(res, badRequest(`the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`))
        return
      }
      const spec = body.spec ?? {}
      const audiences = Array.isArray(spec.audiences) && spec.audiences.length ? spec.audiences.map(String) : [API_SERVER_AUDIENCE]
      const expirationSeconds = typeof spec.expirationSeconds === 'number' ? spec.expirationSeconds : 3600
      if (expirationSeconds < MIN_EXPIRATION) {
        sendStatus(
          res,
          failure(422, 'Invalid', `TokenRequest.authentication.k8s.io "${name}" is invalid: spec.expirationSeconds: Invalid value: ${expirationSeconds}: may not specify a duration less than 10 minutes`, {
            name,
            group: 'authentication.k8s.io',
            kind: 'TokenRequest',
            causes: [{reason: 'FieldValueInvalid', message: `Invalid value: ${expirationSeconds}: may not specify a duration less than 10 minutes`, field: 'spec.expirationSeconds'}],
          }),
        )
        return
      }
      const issued = issueServiceAccountToken({namespace, name, audiences, expirationSeconds, now: ctx.now()})
      sendJson(res, 201, {
        kind: 'TokenRequest',
        apiVersion: 'authentication.k8s.io/v1',
        metadata: {name, namespace, creationTimestamp: null},
        spec: {audiences, expirationSeconds, boundObjectRef: spec.boundObjectRef ?? null},
        status: {token: issued.token, expirationTimestamp: issued.expirationTimestamp},
      })
    },
    () => sendStatus(res, badRequest('the request body could not be read')),
  )
}
