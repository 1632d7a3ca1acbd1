/**
 * The kubeconfig features client-node implements for meshctl beyond a bearer token: a credential plugin
 * (`users[].user.exec`, client.authentication.k8s.io/v1) and proxies (`clusters[].cluster.proxy-url`: an HTTP
 * CONNECT tunnel, a SOCKS5 one), each for a REST call and the port-forward WebSockets `ps` opens. Both bundles keep
 * only the client-node code meshctl's imports reach (scripts/lib/client-node-pure.js), and load the proxy agents on
 * first use (scripts/lib/lazy-deps.js): these prove the reach includes them and the stand-ins load the real ones.
 */
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import net from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {parse, stringify} from 'yaml'
import {type Sandbox, startSandbox} from '../../src/sandbox/cluster.js'
import {BOOKINFO_ISTIOD} from '../../src/sandbox/istiod.js'
import {bookinfoSandboxSpec} from '../../src/sandbox/mesh.js'
import {runCli} from '../helpers/cli.js'

const tmp = mkdtempSync(join(tmpdir(), 'meshctl-kubeconfig-auth-'))
let sb: Sandbox
let proxy: http.Server
let socks: net.Server
const tunnels: string[] = []
const socksTunnels: string[] = []
const sockets = new Set<net.Socket>()

interface Kubeconfig {
  clusters: Array<{cluster: Record<string, unknown>}>
  users: Array<{user: Record<string, unknown>}>
}

/** The sandbox's kubeconfig, changed by `edit`, written to `name`. */
function kubeconfig(name: string, edit: (kc: Kubeconfig) => void): string {
  const kc = parse(readFileSync(sb.kubeconfigPath, 'utf8')) as Kubeconfig
  edit(kc)
  const file = join(tmp, name)
  writeFileSync(file, stringify(kc))
  return file
}

const ps = (file: string) => runCli(['ps'], {env: {KUBECONFIG: file}, timeoutMs: 60_000})
const connected = Object.keys(BOOKINFO_ISTIOD.proxies).length

before(async () => {
  sb = await startSandbox(bookinfoSandboxSpec({istiod: 'full'}), {kubeconfigPath: join(tmp, 'kubeconfig')})
  // an HTTP proxy that only tunnels (CONNECT), remembering where each tunnel went
  proxy = http.createServer((_req, res) => res.writeHead(405).end())
  proxy.on('connection', (s: net.Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    tunnels.push(req.url ?? '')
    const [host, port] = (req.url ?? '').split(':')
    const upstream = net.connect(Number(port), host, () => {
      sockets.add(upstream)
      upstream.on('close', () => sockets.delete(upstream))
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  // a SOCKS5 proxy (RFC 1928: no authentication, CONNECT to an IPv4 address or a name), remembering each tunnel
  socks = net.createServer((client) => {
    sockets.add(client)
    client.on('close', () => sockets.delete(client))
    client.on('error', () => client.destroy())
    client.once('data', (hello: Buffer) => {
      if (hello[0] !== 5) return client.destroy()
      client.write(Buffer.from([5, 0]))
      client.once('data', (req: Buffer) => {
        const atyp = req[3]
        const host = atyp === 1 ? [...req.subarray(4, 8)].join('.') : req.subarray(5, 5 + req[4]!).toString('latin1')
        const port = req.readUInt16BE(atyp === 1 ? 8 : 5 + req[4]!)
        socksTunnels.push(`${host}:${port}`)
        const upstream = net.connect(port, host, () => {
          client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]))
          upstream.pipe(client)
          client.pipe(upstream)
        })
        sockets.add(upstream)
        upstream.on('close', () => sockets.delete(upstream))
        upstream.on('error', () => client.destroy())
      })
    })
  })
  await new Promise<void>((resolve) => socks.listen(0, '127.0.0.1', resolve))
})
after(async () => {
  // the tunnels outlive their HTTP requests: close() would wait for them
  for (const s of sockets) s.destroy()
  await new Promise((resolve) => proxy?.close(resolve))
  await new Promise((resolve) => socks?.close(resolve))
  await sb?.close()
  rmSync(tmp, {recursive: true, force: true})
})

describe('kubeconfig: credential plugins and proxies', () => {
  test('users[].user.exec: the plugin runs and its ExecCredential token authenticates the list and the port-forwards', async () => {
    const plugin = join(tmp, 'credential.js')
    const ran = join(tmp, 'plugin-ran')
    writeFileSync(
      plugin,
      `require('node:fs').appendFileSync(${JSON.stringify(ran)}, 'x')\n` +
        `process.stdout.write(JSON.stringify({apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: {token: ${JSON.stringify(sb.token)}}}))\n`,
    )
    const file = kubeconfig('exec', (kc) => {
      for (const u of kc.users) u.user = {exec: {apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: [plugin], interactiveMode: 'Never'}}
    })
    const res = await ps(file)
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stdout.trimEnd().split('\n').length, connected + 1)
    assert.ok(readFileSync(ran, 'utf8').length >= 1, 'the credential plugin was not run')
  })

  test('a plugin that hands out a token the cluster refuses: exit 4 with the API server\'s answer, no stack', async () => {
    const plugin = join(tmp, 'bad-credential.js')
    writeFileSync(plugin, `process.stdout.write(JSON.stringify({apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: {token: 'not-a-token'}}))\n`)
    const file = kubeconfig('exec-bad', (kc) => {
      for (const u of kc.users) u.user = {exec: {apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: [plugin], interactiveMode: 'Never'}}
    })
    const res = await ps(file)
    assert.equal(res.code, 4, res.stderr)
    assert.equal(res.stdout, '')
    assert.match(res.stderr, /Unauthorized|401/)
    assert.doesNotMatch(res.stderr, /\n\s+at /)
  })

  // each proxy remembers where its tunnels went (the CONNECT request's host:port, the SOCKS request's address)
  const proxies = [
    {scheme: 'http', kind: "the proxy's CONNECT tunnels", server: () => proxy, seen: tunnels},
    {scheme: 'socks5', kind: 'the SOCKS tunnels', server: () => socks, seen: socksTunnels},
  ]
  for (const {scheme, kind, server, seen} of proxies) {
    test(`clusters[].cluster.proxy-url ${scheme}://: the list and every port-forward go through ${kind}`, async () => {
      seen.length = 0
      const {port} = server().address() as AddressInfo
      const file = kubeconfig(`proxy-${scheme}`, (kc) => {
        for (const c of kc.clusters) c.cluster['proxy-url'] = `${scheme}://127.0.0.1:${port}`
      })
      const res = await ps(file)
      assert.equal(res.code, 0, res.stderr)
      assert.equal(res.stdout.trimEnd().split('\n').length, connected + 1)
      const apiServer = new URL(sb.url).host
      // one tunnel for the pods list, one per istiod replica's port-forward
      assert.ok(seen.length >= 1 + BOOKINFO_ISTIOD.pods.length, `tunnels: ${seen.join(', ')}`)
      assert.ok(seen.every((t) => t === apiServer), `tunnels: ${seen.join(', ')}`)
    })
  }

  for (const scheme of ['http', 'socks5']) {
    test(`a ${scheme} proxy that refuses: exit 4, one line naming the proxy`, async () => {
      // a port nothing listens on
      const closed = net.createServer()
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
      const {port} = closed.address() as AddressInfo
      await new Promise((resolve) => closed.close(resolve))
      const file = kubeconfig(`refusing-${scheme}`, (kc) => {
        for (const c of kc.clusters) c.cluster['proxy-url'] = `${scheme}://127.0.0.1:${port}`
      })
      const res = await ps(file)
      assert.equal(res.code, 4, res.stderr)
      assert.equal(res.stdout, '')
      assert.match(res.stderr, new RegExp(`^Error: cannot reach the Kubernetes API server at \\S+ through proxy ${scheme}://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`))
      assert.equal(res.stderr.trimEnd().split('\n').length, 1, res.stderr)
    })
  }
})
