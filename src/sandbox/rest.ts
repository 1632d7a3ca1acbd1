/**
 * REST routes of the sandbox API server: discovery (`/version`, `/api`, `/api/v1`, `/apis`, `/apis/<g>`,
 * `/apis/<g>/<v>`), list/get/watch of the registered resources, pods/log, and the request-info parsing that maps a URL
 * to (group, version, resource, namespace, name, subresource) the way the API server's RequestInfoFactory does.
 *
 * Answers plain lists/objects as JSON, or a `meta.k8s.io/v1` Table when the client asks for one in `Accept` (what
 * `kubectl get` does), so kubectl prints its usual columns.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'
import {authorize, type Identity} from './auth.js'
import {sendJson, sendStatus, sendText} from './http-util.js'
import {handleTokenRequest, serviceAccountTokenPath} from './istiod-auth.js'
import type {Json} from './objects.js'
import {API_GROUPS, apiGroup, RESOURCES, type ResourceType, resourceList} from './resources.js'
import {matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, SelectorError} from './selectors.js'
import {badRequest, failure, methodNotAllowed, notFound, pathNotFound} from './status.js'
import type {ObjectStore} from './store.js'
import type {SandboxRequestRecord} from './types.js'

export type ApiPath =
  | {type: 'nonresource'; path: string}
  | {type: 'api-versions'}
  | {type: 'api-groups'}
  | {type: 'api-group'; group: string}
  | {type: 'resource-list'; group: string; version: string}
  | {
      type: 'resource'
      group: string
      version: string
      resource: ResourceType
      namespace?: string
      name?: string
      subresource?: string
    }
  | {type: 'not-found'}

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize'])

export function parseApiPath(pathname: string): ApiPath {
  const parts = pathname.split('/').filter((p) => p.length > 0).map(decodeURIComponent)
  if (parts[0] !== 'api' && parts[0] !== 'apis') return {type: 'nonresource', path: pathname}
  let group = ''
  let version: string
  let rest: string[]
  if (parts[0] === 'api') {
    if (parts.length === 1) return {type: 'api-versions'}
    version = parts[1]!
    if (version !== 'v1') return {type: 'not-found'}
    if (parts.length === 2) return {type: 'resource-list', group, version}
    rest = parts.slice(2)
  } else {
    if (parts.length === 1) return {type: 'api-groups'}
    group = parts[1]!
    if (!API_GROUPS.some((g) => g.group === group)) return {type: 'not-found'}
    if (parts.length === 2) return {type: 'api-group', group}
    version = parts[2]!
    if (!API_GROUPS.some((g) => g.group === group && g.version === version)) return {type: 'not-found'}
    if (parts.length === 3) return {type: 'resource-list', group, version}
    rest = parts.slice(3)
  }
  let namespace: string | undefined
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1]
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2]!)) rest = rest.slice(2)
    else if (group === '') {
      // /api/v1/namespaces/<name>[/status]: the namespace object itself
      const ns = RESOURCES.find((r) => r.plural === 'namespaces')!
      if (rest.length > 3) return {type: 'not-found'}
      return {type: 'resource', group, version, resource: ns, name: rest[1], subresource: rest[2]}
    } else return {type: 'not-found'}
  }
  const resource = RESOURCES.find((r) => r.group === group && r.version === version && r.plural === rest[0])
  if (!resource || rest.length > 3) return {type: 'not-found'}
  if (resource.namespaced === false && namespace !== undefined) return {type: 'not-found'}
  const subresource = rest[2]
  if (subresource !== undefined && !resource.subresources.some((s) => s.name === subresource)) return {type: 'not-found'}
  return {type: 'resource', group, version, resource, namespace, name: rest[1], subresource}
}

export interface RestContext {
  store: ObjectStore
  now(): Date
  serverVersion: Json
  serverAddress: string
  /** open watches, closed by the sandbox on shutdown */
  watches: Set<ServerResponse>
}

function wantsTable(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? ''
  return accept.split(',').some((a) => /;\s*as=Table/.test(a) && /;\s*g=meta\.k8s\.io/.test(a))
}

function withoutTypeMeta(o: Json): Json {
  const out: Json = {...o}
  delete out.apiVersion
  delete out.kind
  return out
}

function table(r: ResourceType, objs: Json[], rv: string, now: Date, includeObject: string): Json {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: {resourceVersion: rv},
    columnDefinitions: r.columns,
    rows: objs.map((o) => {
      const row: Json = {cells: r.cells(o, now)}
      if (includeObject === 'Object') row.object = o
      else if (includeObject !== 'None') row.object = {kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata}
      return row
    }),
  }
}

function verbFor(req: IncomingMessage, p: Extract<ApiPath, {type: 'resource'}>, query: URLSearchParams): string {
  if (p.subresource === 'exec' || p.subresource === 'portforward' || p.subresource === 'attach') return 'create'
  const method = req.method ?? 'GET'
  if (method === 'GET' || method === 'HEAD') {
    if (p.name === undefined) return query.get('watch') === 'true' || query.get('watch') === '1' ? 'watch' : 'list'
    return 'get'
  }
  return ({POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: p.name === undefined ? 'deletecollection' : 'delete'} as Record<string, string>)[method] ?? method.toLowerCase()
}

export function recordKind(p: ApiPath): SandboxRequestRecord['kind'] {
  if (p.type === 'resource') {
    if (p.subresource === 'exec') return 'exec'
    if (p.subresource === 'portforward') return 'portforward'
    if (p.subresource === 'log') return 'log'
    return 'rest'
  }
  if (p.type === 'nonresource' || p.type === 'not-found') return 'other'
  return 'discovery'
}

/** Handles one non-upgrade request from an authenticated identity. */
export function handleRest(ctx: RestContext, req: IncomingMessage, res: ServerResponse, id: Identity, url: URL, p: ApiPath): void {
  const method = req.method ?? 'GET'
  // serviceaccounts are not a served resource; only their token subresource is (TokenRequest, ./istiod-auth.ts)
  const sa = serviceAccountTokenPath(url.pathname)
  if (sa) {
    handleTokenRequest(ctx, req, res, id, sa.namespace, sa.name)
    return
  }
  switch (p.type) {
    case 'nonresource':
      nonResource(ctx, res, p.path)
      return
    case 'not-found':
      sendStatus(res, pathNotFound())
      return
    case 'api-versions':
      sendJson(res, 200, {kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{clientCIDR: '0.0.0.0/0', serverAddress: ctx.serverAddress}]})
      return
    case 'api-groups':
      sendJson(res, 200, {kind: 'APIGroupList', apiVersion: 'v1', groups: API_GROUPS.map((g) => apiGroup(g.group, g.version))})
      return
    case 'api-group':
      sendJson(res, 200, {kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(p.group, API_GROUPS.find((g) => g.group === p.group)!.version)})
      return
    case 'resource-list':
      sendJson(res, 200, resourceList(p.group, p.version))
      return
  }
  const query = url.searchParams
  const denied = authorize(id, {
    verb: verbFor(req, p, query),
    group: p.group,
    resource: p.resource.plural,
    subresource: p.subresource,
    namespace: p.resource.namespaced ? p.namespace : undefined,
    name: p.name,
  })
  if (denied) {
    sendStatus(res, denied)
    return
  }
  if (p.subresource === 'exec' || p.subresource === 'portforward' || p.subresource === 'attach') {
    if (method !== 'GET' && method !== 'POST') {
      sendStatus(res, methodNotAllowed())
      return
    }
    sendStatus(res, badRequest('Upgrade request required'))
    return
  }
  if (method !== 'GET' && method !== 'HEAD') {
    sendStatus(res, methodNotAllowed())
    return
  }
  const r = p.resource
  const gr = {group: r.group, resource: r.plural}
  if (p.name === undefined) {
    list(ctx, req, res, r, p.namespace, query)
    return
  }
  const obj = ctx.store.get(r, p.namespace, p.name)
  if (!obj) {
    sendStatus(res, notFound(gr, p.name))
    return
  }
  if (p.subresource === 'log') {
    podLog(res, obj, ctx.store.getPod(p.namespace ?? '', p.name)?.containers ?? [], query)
    return
  }
  if (p.subresource !== undefined && p.subresource !== 'status') {
    sendStatus(res, pathNotFound())
    return
  }
  if (wantsTable(req)) {
    const rv = String((obj.metadata as Json).resourceVersion ?? ctx.store.resourceVersion)
    sendJson(res, 200, table(r, [obj], rv, ctx.now(), query.get('includeObject') ?? 'Metadata'))
    return
  }
  sendJson(res, 200, obj)
}

function nonResource(ctx: RestContext, res: ServerResponse, path: string): void {
  if (path === '/version' || path === '/version/') {
    sendJson(res, 200, ctx.serverVersion)
    return
  }
  if (['/healthz', '/livez', '/readyz'].includes(path)) {
    sendText(res, 200, 'ok')
    return
  }
  sendStatus(res, pathNotFound())
}

function list(ctx: RestContext, req: IncomingMessage, res: ServerResponse, r: ResourceType, namespace: string | undefined, query: URLSearchParams): void {
  let items: Json[]
  let fieldReqs: ReturnType<typeof parseFieldSelector>
  try {
    const labelReqs = parseLabelSelector(query.get('labelSelector') ?? '')
    fieldReqs = parseFieldSelector(query.get('fieldSelector') ?? '')
    // the field names a type has, from any one of its objects (it was the first of every object sorted)
    const known = ctx.store.any(r)
    const supported = known ? Object.keys(r.fields(known)) : ['metadata.name', 'metadata.namespace']
    for (const f of fieldReqs) if (!supported.includes(f.field)) throw new SelectorError(`field label not supported: ${f.field}`)
    items = ctx.store
      .list(r, namespace)
      .filter((o) => matchesLabels(labelReqs, (o.metadata as Json).labels as Record<string, string> | undefined))
      .filter((o) => matchesFields(fieldReqs, r.fields(o)))
  } catch (err) {
    if (err instanceof SelectorError) {
      sendStatus(res, badRequest(err.message))
      return
    }
    throw err
  }
  const watch = query.get('watch')
  if (watch === 'true' || watch === '1') {
    startWatch(ctx, req, res, r, namespace, query)
    return
  }
  const rv = ctx.store.resourceVersion
  if (wantsTable(req)) {
    sendJson(res, 200, table(r, items, rv, ctx.now(), query.get('includeObject') ?? 'Metadata'))
    return
  }
  sendJson(res, 200, {kind: `${r.kind}List`, apiVersion: r.group ? `${r.group}/${r.version}` : r.version, metadata: {resourceVersion: rv}, items: items.map(withoutTypeMeta)})
}

/**
 * A watch: replays the current objects as ADDED (unless resourceVersion > 0 was given), then streams the changes
 * made through the Sandbox mutation API, until `timeoutSeconds` or the client goes away.
 */
function startWatch(ctx: RestContext, req: IncomingMessage, res: ServerResponse, r: ResourceType, namespace: string | undefined, query: URLSearchParams): void {
  const labelReqs = parseLabelSelector(query.get('labelSelector') ?? '')
  const fieldReqs = parseFieldSelector(query.get('fieldSelector') ?? '')
  const matches = (o: Json): boolean => {
    const md = o.metadata as Json
    if (namespace !== undefined && r.namespaced && md.namespace !== namespace) return false
    return matchesLabels(labelReqs, md.labels as Record<string, string> | undefined) && matchesFields(fieldReqs, r.fields(o))
  }
  res.writeHead(200, {'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private'})
  // kubectl get -w asks for Tables: each event then carries a one-row Table
  const asTable = wantsTable(req)
  const send = (type: string, o: Json): void => {
    if (res.writableEnded || res.destroyed) return
    const rv = String((o.metadata as Json).resourceVersion ?? ctx.store.resourceVersion)
    const object = asTable ? table(r, [o], rv, ctx.now(), query.get('includeObject') ?? 'Metadata') : o
    res.write(`${JSON.stringify({type, object})}\n`)
  }
  const rv = query.get('resourceVersion')
  if (!rv || rv === '0') for (const o of ctx.store.list(r, namespace).filter(matches)) send('ADDED', o)
  const onChange = (type: string, plural: string, o: Json): void => {
    if (plural === r.plural && matches(o)) send(type, o)
  }
  ctx.store.events.on('change', onChange)
  ctx.watches.add(res)
  const timeout = Number(query.get('timeoutSeconds') ?? 1800)
  const timer = setTimeout(() => {
    stop()
    res.end()
  }, timeout * 1000)
  timer.unref()
  function stop(): void {
    clearTimeout(timer)
    ctx.store.events.off('change', onChange)
    ctx.watches.delete(res)
  }
  res.on('close', stop)
  req.on('close', stop)
}

function podLog(res: ServerResponse, pod: Json, containers: Array<{name: string; logs?: string}>, query: URLSearchParams): void {
  const spec = pod.spec as {containers: Array<{name: string}>; initContainers?: Array<{name: string}>}
  const name = (pod.metadata as Json).name as string
  let container = query.get('container') ?? ''
  if (!container) {
    if (spec.containers.length !== 1) {
      const names = spec.containers.map((c) => c.name).join(' ')
      sendStatus(res, badRequest(`a container name must be specified for pod ${name}, choose one of: [${names}]`))
      return
    }
    container = spec.containers[0]!.name
  }
  const all = [...spec.containers, ...(spec.initContainers ?? [])]
  if (!all.some((c) => c.name === container)) {
    sendStatus(res, badRequest(`container ${container} is not valid for pod ${name}`))
    return
  }
  const status = pod.status as {phase?: string; containerStatuses?: Array<{name: string; state?: {waiting?: {reason?: string}}}>}
  const cs = status.containerStatuses?.find((c) => c.name === container)
  if (!cs || cs.state?.waiting) {
    const reason = cs?.state?.waiting?.reason ?? 'ContainerCreating'
    sendStatus(res, failure(400, 'BadRequest', `container "${container}" in pod "${name}" is waiting to start: ${reason}`))
    return
  }
  sendText(res, 200, containers.find((c) => c.name === container)?.logs ?? '')
}
