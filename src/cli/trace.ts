/**
 * `meshctl trace`'s command edge: which proxy (a dump, or a pod fetched live), the request from the URL and flags,
 * the walk (src/trace), printing, and the exit code (0 reached, 10 fails inside the proxy). `--tests` hands over to
 * the router_check_tool runner.
 */
import {ExitCode, UsageError} from '../errors/index.js'
import type {CompiledQuery} from '../output/query.js'
import type {OutputFormat} from '../output/render.js'
import {parseRequest} from '../trace/request.js'
import {traceFailed} from '../trace/result.js'
import {renderResult, warmReports, writeStdout} from './print.js'
import {loadProxy, type ProxyFlagValues} from './proxies.js'

export interface TraceFlagValues extends Omit<ProxyFlagValues, 'selector' | 'max-concurrency'> {
  output: OutputFormat
  query?: CompiledQuery
  color?: boolean
  method: string
  header?: string[]
  'dest-ip'?: string
  'source-ip'?: string
  sni?: string
  alpn?: string
  inbound: boolean
  mtls: boolean
  port?: number
  pick?: number
  verbose: boolean
  tests?: string
  'route-name'?: string
  details: boolean
}

export async function runTrace(args: {pod?: string; url?: string}, flags: TraceFlagValues): Promise<void> {
  if (flags.tests !== undefined) {
    if (flags.file === undefined) throw new UsageError('--tests needs the routes to test with -f/--file (a RouteConfiguration, or a config dump with --route-name)')
    if (args.pod !== undefined) throw new UsageError(`--tests takes no pod or URL (got "${args.pod}")`)
    const {runRouteTests} = await import('./route-tests.js')
    process.exitCode = await runRouteTests({tests: flags.tests, routes: flags.file, routeName: flags['route-name'], details: flags.details, color: flags.color})
    return
  }
  // with --file the one positional argument is the URL
  let pod = args.pod
  let url = args.url
  if (flags.file !== undefined && url === undefined) {
    url = pod
    pod = undefined
  }
  if (url === undefined && pod?.includes('://')) throw new UsageError(`trace needs the proxy to trace through: a pod before the URL, or --file`, {hint: `e.g. meshctl trace deploy/productpage-v1 ${pod}`})
  if (url === undefined) throw new UsageError('trace needs the request as a URL', {hint: 'e.g. meshctl trace deploy/productpage-v1 http://reviews:9080/reviews/0'})
  if (flags.file !== undefined && pod !== undefined) throw new UsageError(`give a pod or --file, not both (got pod "${pod}")`)
  const spec = parseRequest(url, {method: flags.method === 'GET' ? undefined : flags.method, header: flags.header, sni: flags.sni, alpn: flags.alpn})
  // the walk and its report (~170 KB of code) load while the proxy is fetched (a live pod: the API server and Envoy
  // answer meanwhile), not before the first request goes out
  const walk = Promise.all([import('../trace/trace.js'), import('../views/trace.js')])
  walk.catch(() => {})
  // and, from a live proxy, the report's renderer runs once meanwhile (the answer takes longer than the ~10 ms)
  if (pod !== undefined && flags.output === 'short' && !flags.query) walk.then(() => warmReports()).catch(() => {})
  // the walk reads each cluster's routing fields only (a lean graph)
  const proxy = await loadProxy(pod, flags, {command: 'trace', graph: {lean: true}})
  const [{traceRequest}, {traceView}] = await walk
  const result = traceRequest(proxy.graph, spec, {
    proxy: proxy.id,
    url,
    inbound: flags.inbound,
    mtls: flags.mtls,
    destIp: flags['dest-ip'],
    sourceIp: flags['source-ip'],
    port: flags.port,
    pick: flags.pick,
  })
  const out = await renderResult(traceView(result, flags.verbose), {format: flags.output, query: flags.query, color: flags.color})
  await writeStdout(out)
  if (traceFailed(result)) process.exitCode = ExitCode.CONDITION
}
