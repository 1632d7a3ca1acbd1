/**
 * The bearer token istioctl presents to istiod's 15012: a Kubernetes TokenRequest
 * (`POST /api/v1/namespaces/<ns>/serviceaccounts/<sa>/token`) for service account `default` in the istio namespace,
 * audience `istio-ca`, valid one hour. The POST is made here with KubeApi's request options (TLS, credentials, exec
 * plugins), so KubeApi itself stays GET-only.
 */
import http from 'node:http'
import https from 'node:https'
import {ClusterError} from '../errors/index.js'
import type {KubeApi} from '../kube/api.js'

export interface TokenRequestOptions {
  /** the istio namespace (istioctl's -i), e.g. istio-system */
  namespace: string
  /** default `default` */
  serviceAccount?: string
  /** default `istio-ca` */
  audience?: string
  /** default 3600 */
  expirationSeconds?: number
}

export const ISTIO_CA_AUDIENCE = 'istio-ca'

/** Creates a service account token for istiod (see the module comment); resolves with `status.token`. */
export async function requestIstiodToken(api: KubeApi, o: TokenRequestOptions): Promise<string> {
  const sa = o.serviceAccount ?? 'default'
  const path = `/api/v1/namespaces/${encodeURIComponent(o.namespace)}/serviceaccounts/${encodeURIComponent(sa)}/token`
  const what = `creating a token for service account ${o.namespace}/${sa}`
  const body = JSON.stringify({
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: {audiences: [o.audience ?? ISTIO_CA_AUDIENCE], expirationSeconds: o.expirationSeconds ?? 3600},
  })
  const req = await api.requestOptions(path)
  req.method = 'POST'
  req.headers = {...req.headers, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body))}
  const {status, text} = await new Promise<{status: number; text: Buffer}>((resolve, reject) => {
    const lib = req.protocol === 'http:' ? http : https
    const r = lib.request(req, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        clearTimeout(timer)
        resolve({status: res.statusCode ?? 0, text: Buffer.concat(chunks)})
      })
      res.on('error', (err) => reject(api.networkError(err, what)))
    })
    const timer = setTimeout(() => {
      r.destroy()
      reject(api.timeoutError(what))
    }, api.timeoutMs)
    r.on('error', (err) => {
      clearTimeout(timer)
      reject(api.networkError(err, what))
    })
    r.end(body)
  })
  if (status === 403) {
    const err = api.statusError(status, text, what)
    throw new ClusterError(err.message, {
      code: 'E_FORBIDDEN',
      hint: `istiod's xDS port 15012 needs a token: meshctl needs RBAC permission to create serviceaccounts/token in ${o.namespace}; or use --plaintext --xds-port 15010`,
    })
  }
  if (status < 200 || status >= 300) throw api.statusError(status, text, what)
  let token: unknown
  try {
    token = (JSON.parse(text.toString('utf8')) as {status?: {token?: unknown}}).status?.token
  } catch {
    // handled below
  }
  if (typeof token !== 'string' || token === '') throw new ClusterError(`the API server answered ${what} without a token (status.token)`)
  return token
}

