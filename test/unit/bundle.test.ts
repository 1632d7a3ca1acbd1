/**
 * The bundle's client-node chunk (scripts/bundle.js): cut down to what meshctl uses, and the libraries only some
 * kubeconfigs need (undici, the proxy agents, the auth providers' JSONPath and OpenID clients) replaced by stand-ins
 * that load them on first use (scripts/lib/lazy-deps.js), still there for the client-node code that needs them. And
 * no chunk makes Node load its own internal undici (what an ES import of node:http does). ws is bundled with it,
 * once, without loading node:zlib for the compression meshctl never asks for.
 */
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {describe, test} from 'node:test'

const chunks = new URL('../../bundle/chunks/', import.meta.url)
const chunk = readdirSync(chunks).find((f) => /^client-node-.*\.js$/.test(f))

describe('the bundled client-node', () => {
  test('holds no generated API clients (the chunk is small)', () => {
    assert.ok(chunk, 'dist/bundle/chunks/client-node-*.js')
    const size = statSync(new URL(chunk, chunks)).size
    assert.ok(size < 2_500_000, `client-node chunk is ${size} bytes`)
  })
  test("KubeConfig's undici dispatcher comes from the real undici, loaded on first use", async () => {
    const {KubeConfig} = (await import(new URL(chunk!, chunks).href)) as typeof import('../../src/kube/client-node.js')
    const kc = new KubeConfig()
    const cluster = {name: 'c', server: 'https://127.0.0.1:6443', skipTLSVerify: false}
    const dispatcher = (kc as unknown as {createDispatcher(c: unknown, o: unknown): {dispatch?: unknown; constructor: {name: string}}}).createDispatcher(cluster, {ca: 'x'})
    assert.equal(dispatcher.constructor.name, 'Agent')
    assert.equal(typeof dispatcher.dispatch, 'function')
  })
  test('the proxy agents and the auth providers\' libraries: not loaded by a plain kubeconfig, the real ones when one needs them', () => {
    // run in a process of its own, so that nothing another test loaded is counted
    const script = [
      `const {KubeConfig} = await import(${JSON.stringify(new URL(chunk!, chunks).href)})`,
      "const {createRequire} = await import('node:module')",
      'const loaded = () => [...new Set(Object.keys(createRequire(import.meta.url).cache).flatMap((f) => /node_modules[\\\\/](socks-proxy-agent|socks|hpagent|jsonpath-plus|openid-client)[\\\\/]/.exec(f)?.[1] ?? []))].sort()',
      'const result = {}',
      "const kubeconfig = (cluster, user = {token: 't'}) => { const kc = new KubeConfig(); kc.loadFromOptions({clusters: [{name: 'c', server: 'https://127.0.0.1:6443', skipTLSVerify: false, ...cluster}], users: [{name: 'u', ...user}], contexts: [{name: 'x', cluster: 'c', user: 'u'}], currentContext: 'x'}); return kc }",
      'const plain = {headers: {}}',
      'await kubeconfig({}).applyToHTTPSOptions(plain)',
      'result.plain = loaded()',
      'const viaSocks = {headers: {}}',
      "await kubeconfig({proxyUrl: 'socks5://127.0.0.1:1080'}).applyToHTTPSOptions(viaSocks)",
      'const viaHttp = {headers: {}}',
      "await kubeconfig({proxyUrl: 'http://127.0.0.1:3128'}).applyToHTTPSOptions(viaHttp)",
      'result.agents = [viaSocks.agent.constructor.name, viaHttp.agent.constructor.name]',
      // the gcp provider runs its command and picks the token out of its JSON answer with JSONPath
      'const gcp = {headers: {}}',
      "await kubeconfig({}, {authProvider: {name: 'gcp', config: {'cmd-path': process.execPath, 'cmd-args': `-e \"process.stdout.write(JSON.stringify({credential: {access_token: 'tok-1', token_expiry: '2999-01-01T00:00:00Z'}}))\"`, 'token-key': '{.credential.access_token}', 'expiry-key': '{.credential.token_expiry}'}}}).applyToHTTPSOptions(gcp)",
      'result.gcp = gcp.headers.Authorization',
      'result.loaded = loaded()',
      'process.stdout.write(JSON.stringify(result))',
    ].join('\n')
    const result = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], {encoding: 'utf8'})) as Record<string, unknown>
    assert.deepEqual(result.plain, [])
    assert.deepEqual(result.agents, ['SocksProxyAgent', 'HttpsProxyAgent'])
    assert.equal(result.gcp, 'Bearer tok-1')
    assert.deepEqual(result.loaded, ['hpagent', 'jsonpath-plus', 'socks', 'socks-proxy-agent'])
  })
  test('the OpenID Connect client behind the oidc provider is the real one', async () => {
    const {KubeConfig} = (await import(new URL(chunk!, chunks).href)) as typeof import('../../src/kube/client-node.js')
    const kc = new KubeConfig()
    // an expired id-token with a refresh token: the provider asks the issuer for its configuration (openid-client's
    // discovery), which fails here before any request is made (client-node 2.0 hands it the issuer as a string,
    // where openid-client 6 wants a URL); what matters is that the failure comes from openid-client itself
    const jwt = (claims: object) => ['{"alg":"none"}', JSON.stringify(claims), ''].map((p) => Buffer.from(p).toString('base64url')).join('.')
    kc.loadFromOptions({
      clusters: [{name: 'c', server: 'https://127.0.0.1:6443', skipTLSVerify: false}],
      users: [{name: 'u', authProvider: {name: 'oidc', config: {'client-id': 'meshctl', 'id-token': jwt({exp: 1}), 'refresh-token': 'r', 'idp-issuer-url': 'http://127.0.0.1:1/'}}}],
      contexts: [{name: 'x', cluster: 'c', user: 'u'}],
      currentContext: 'x',
    })
    const err = await kc.applyToHTTPSOptions({headers: {}}).then(
      () => undefined,
      (e: unknown) => e as Error,
    )
    assert.ok(err, 'the refresh did not fail')
    assert.doesNotMatch(err.message, /is not a function|Cannot read properties of undefined|undefined is not/)
    assert.match(err.stack ?? '', /[\\/]node_modules[\\/]openid-client[\\/]/)
  })
})

describe('ws in the bundle', () => {
  test('one copy, in the chunks (not loaded from node_modules), the one client-node\'s handler uses; node:zlib not loaded with it', () => {
    const copies = readdirSync(chunks).filter((f) => f.endsWith('.js') && readFileSync(new URL(f, chunks), 'utf8').includes('// node_modules/ws/lib/websocket.js'))
    assert.equal(copies.length, 1, `ws's WebSocket in ${copies.join(', ')}`)
    // in a process of its own: what loading the client-node chunk loads
    const script = [
      `const cn = await import(${JSON.stringify(new URL(chunk!, chunks).href)})`,
      "const {createRequire} = await import('node:module')",
      'process.stdout.write(JSON.stringify({',
      "  fromNodeModules: Object.keys(createRequire(import.meta.url).cache).filter((f) => /node_modules[\\\\/]ws[\\\\/]/.test(f)).length,",
      "  zlib: process.moduleLoadList.some((m) => / zlib$/.test(m)),",
      "  webSocket: typeof cn.WebSocket === 'function' && cn.WebSocket.OPEN === 1 && typeof cn.WebSocketHandler === 'function',",
      '}))',
    ].join('\n')
    const result = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], {encoding: 'utf8'}))
    assert.deepEqual(result, {fromNodeModules: 0, zlib: false, webSocket: true})
  })
})

describe('node:http in the bundle', () => {
  test("loading every chunk does not load Node's internal undici (node:http comes through require, not an ESM facade)", () => {
    const script = [
      "import {readdirSync} from 'node:fs'",
      `const dir = ${JSON.stringify(chunks.pathname)}`,
      "for (const f of readdirSync(dir).filter((f) => f.endsWith('.js'))) await import(dir + f)",
      'process.stdout.write(JSON.stringify(process.moduleLoadList.filter((m) => /undici/.test(m))))',
    ].join('\n')
    assert.deepEqual(JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], {encoding: 'utf8'})), [])
  })
})
