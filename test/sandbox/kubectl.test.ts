/**
 * The proof that the sandbox speaks the real protocols: the real kubectl (/usr/bin/kubectl, 1.32 here; override with
 * MESHCTL_TEST_KUBECTL) against it. Skipped, loudly, when kubectl is absent.
 *
 * Covered: discovery + Tables (`get pods -A`), label selectors + plain JSON (`-o json`), the resource builder
 * (`get deploy/x`, `deploy/nope`), exec over WebSocket v5 (stdout, exit codes, stdin half-close, runtime errors),
 * exec over SPDY/3.1 (KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false), port-forward over the SPDY-over-WebSocket tunnel
 * (kubectl >= 1.31's default) and over plain SPDY (KUBECTL_PORT_FORWARD_WEBSOCKETS=false), refused ports, Pending
 * pods, RBAC 403s for exec and port-forward (after kubectl's SPDY retry), 401 for an expired token.
 * Other kubectl builds found next to gcloud (kubectl.1.29 ... 1.33) get an exec + port-forward smoke test each.
 */
import assert from 'node:assert/strict'
import {type ChildProcess, execFileSync, spawn} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {afterEach, beforeEach, describe, test} from 'node:test'
import {type Sandbox, startSandbox} from '../../src/sandbox/cluster.js'
import {EXPIRED_TOKEN, KUBECTL, kubectlAvailable, runKubectl, tempHome, tinySpec} from '../fixtures/sandbox/tiny.js'

const HAVE_KUBECTL = kubectlAvailable()
if (!HAVE_KUBECTL) console.warn(`\n*** kubectl not found at ${KUBECTL}: the real-kubectl protocol tests are SKIPPED ***\n`)
const skip = HAVE_KUBECTL ? false : `kubectl not found: ${KUBECTL}`
let versionPrinted = false

// one fresh sandbox per test (~30 ms); describe() scopes the hooks when the files share a process (index.ts)
describe('real kubectl against the sandbox', () => {
  let sb: Sandbox
  let home: string
  let kubeconfig: string
  let bobKubeconfig: string
  let expiredKubeconfig: string
  const PP = 'productpage-v1-7d4f8b-abcde'

  beforeEach(async () => {
    sb = await startSandbox(tinySpec(), {defaultNamespace: 'bookinfo'})
    home = tempHome()
    kubeconfig = sb.kubeconfigPath
    bobKubeconfig = sb.writeKubeconfig(path.join(home, 'bob.kubeconfig'), {user: 'bob', namespace: 'bookinfo'})
    expiredKubeconfig = sb.writeKubeconfig(path.join(home, 'carol.kubeconfig'), {user: EXPIRED_TOKEN})
    if (HAVE_KUBECTL && !versionPrinted) {
      versionPrinted = true
      const v = execFileSync(KUBECTL, ['version', '--client', '-o', 'json'], {env: {HOME: home}, timeout: 10_000}).toString()
      console.log(`# kubectl under test: ${KUBECTL} ${JSON.parse(v).clientVersion.gitVersion}`)
    }
  })
  afterEach(async () => {
    await sb.close()
    fs.rmSync(home, {recursive: true, force: true})
  })

  const kubectl = (args: string[], o: {kc?: string; env?: Record<string, string>; input?: string} = {}) =>
    runKubectl(args, {kubeconfig: o.kc ?? kubeconfig, home, env: o.env, input: o.input})

  interface Forward {
    port: number
    child: ChildProcess
    stderr: () => string
    stop: () => Promise<void>
  }

  /** Starts `kubectl port-forward <target> :<remote>` and waits for its "Forwarding from 127.0.0.1:N" line. */
  function portForward(target: string, remote: number, o: {env?: Record<string, string>; bin?: string; kc?: string} = {}): Promise<Forward> {
    return new Promise((resolve, reject) => {
      const child = spawn(o.bin ?? KUBECTL, ['--kubeconfig', o.kc ?? kubeconfig, 'port-forward', '--address', '127.0.0.1', target, `:${remote}`], {
        env: {PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, KUBECACHEDIR: path.join(home, 'cache'), ...o.env},
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let out = ''
      let err = ''
      const exited = new Promise<void>((r) => child.on('close', () => r()))
      const stop = async (): Promise<void> => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
        await exited
      }
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        reject(new Error(`port-forward did not start: ${out} ${err}`))
      }, 10_000)
      child.stdout!.on('data', (d) => {
        out += d
        const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out)
        if (m) {
          clearTimeout(timer)
          resolve({port: Number(m[1]), child, stderr: () => err, stop})
        }
      })
      child.stderr!.on('data', (d) => (err += d))
      child.on('close', (code) => {
        clearTimeout(timer)
        reject(Object.assign(new Error(`kubectl port-forward exited ${code}: ${err}`), {stderr: err, code}))
      })
    })
  }

  async function httpGet(port: number, p: string): Promise<{status: number; body: string}> {
    const res = await fetch(`http://127.0.0.1:${port}${p}`, {signal: AbortSignal.timeout(8000)})
    return {status: res.status, body: await res.text()}
  }

  test('kubectl get pods -A: discovery + server-side Table', {skip, timeout: 30_000}, async () => {
    const r = await kubectl(['get', 'pods', '-A'])
    assert.equal(r.code, 0, r.stderr)
    const lines = r.stdout.trimEnd().split('\n')
    assert.match(lines[0]!, /^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/)
    assert.equal(lines.length, 11)
    assert.match(r.stdout, /^bookinfo\s+productpage-v1-7d4f8b-abcde\s+2\/2\s+Running\s+0\s+60m$/m)
    assert.match(r.stdout, /^bookinfo\s+pending-7f9c-zzzzz\s+0\/2\s+ContainerCreating\s+0\s+60m$/m)
    assert.match(r.stdout, /^istio-system\s+istiod-7f8d9c-fffff\s+1\/1\s+Running\s+0\s+60m$/m)
    const wide = await kubectl(['get', 'pods', '-n', 'bookinfo', '-o', 'wide', PP])
    assert.match(wide.stdout, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/m)
    assert.match(wide.stdout, /sandbox-node/)
  })

  test('kubectl get pods -l app=reviews -n bookinfo -o json', {skip, timeout: 30_000}, async () => {
    const r = await kubectl(['get', 'pods', '-l', 'app=reviews,version!=v1', '-n', 'bookinfo', '-o', 'json'])
    assert.equal(r.code, 0, r.stderr)
    const list = JSON.parse(r.stdout)
    assert.equal(list.kind, 'List')
    assert.deepEqual(list.items.map((p: any) => `${p.kind}/${p.metadata.name}`), ['Pod/reviews-v2-6b8d9-pq7rs'])
    const sel = await kubectl(['get', 'pods', '-A', '--field-selector', 'status.phase!=Running', '-o', 'name'])
    assert.deepEqual(sel.stdout.trim().split('\n').sort(), ['pod/failed-job-ccccc', 'pod/pending-7f9c-zzzzz', 'pod/unscheduled-1234-aaaaa'])
  })

  test('kubectl get deploy/x (resource builder, short names), deploy/nope, other kinds', {skip, timeout: 30_000}, async () => {
    const r = await kubectl(['get', 'deploy/productpage-v1'])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nproductpage-v1\s+1\/1\s+1\s+1\s+60m\n$/)
    const missing = await kubectl(['get', 'deploy/nope'])
    assert.equal(missing.code, 1)
    assert.equal(missing.stderr.trim(), 'Error from server (NotFound): deployments.apps "nope" not found')
    const json = JSON.parse((await kubectl(['get', 'deployment.apps/reviews-v2', '-o', 'json'])).stdout)
    assert.deepEqual(json.spec.selector.matchExpressions, [{key: 'version', operator: 'In', values: ['v2']}])
    const others = await kubectl(['get', 'svc,sts,ds,job,rs', '-A'])
    assert.equal(others.code, 0, others.stderr)
    for (const n of ['service/productpage', 'statefulset.apps/ratings-db', 'daemonset.apps/ztunnel', 'job.batch/migrate', 'replicaset.apps/productpage-v1-7d4f8b']) assert.match(others.stdout, new RegExp(n))
    const ns = await kubectl(['get', 'ns', 'istio-system'])
    assert.match(ns.stdout, /^istio-system\s+Active\s+\d+h$/m)
  })

  test('kubectl exec -c istio-proxy -- pilot-agent request GET server_info (WebSocket v5)', {skip, timeout: 30_000}, async () => {
    const r = await kubectl(['exec', PP, '-c', 'istio-proxy', '--', 'pilot-agent', 'request', 'GET', 'server_info'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stderr, '')
    const info = JSON.parse(r.stdout)
    assert.equal(info.state, 'LIVE')
    assert.equal(info.node.cluster, 'productpage.bookinfo')
    assert.equal(sb.requests.findLast((x) => x.kind === 'exec')?.protocol, 'v5.channel.k8s.io')
  })

  test('kubectl exec: exit codes, stdin, stderr, runtime errors, bad container', {skip, timeout: 30_000}, async () => {
    const exit3 = await kubectl(['exec', PP, '-c', 'istio-proxy', '--', 'sh', '-c', 'echo out; exit 3'])
    assert.equal(exit3.code, 3)
    assert.equal(exit3.stdout, 'out\n')
    assert.equal(exit3.stderr, 'command terminated with exit code 3\n')
    const stdin = await kubectl(['exec', '-i', PP, '-c', 'istio-proxy', '--', 'cat'], {input: 'piped through stdin\n'})
    assert.equal(stdin.code, 0, stdin.stderr)
    assert.equal(stdin.stdout, 'piped through stdin\n')
    const refused = await kubectl(['exec', 'refused-5d6e-bbbbb', '-c', 'istio-proxy', '--', 'curl', '-sS', 'http://localhost:15000/ready'])
    assert.equal(refused.code, 7)
    assert.equal(refused.stderr, "curl: (7) Failed to connect to localhost port 15000 after 0 ms: Couldn't connect to server\ncommand terminated with exit code 7\n")
    const distroless = await kubectl(['exec', PP, '-c', 'productpage', '--', 'pilot-agent', 'request', 'GET', 'ready'])
    assert.equal(distroless.code, 1)
    assert.match(distroless.stderr, /^error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]+": OCI runtime exec failed: exec failed: unable to start container process: exec: "pilot-agent": executable file not found in \$PATH: unknown\n$/)
    const badContainer = await kubectl(['exec', PP, '-c', 'nope', '--', 'ls'])
    assert.equal(badContainer.code, 1)
    assert.equal(badContainer.stderr, 'Error from server (BadRequest): container nope is not valid for pod productpage-v1-7d4f8b-abcde\n')
    const missing = await kubectl(['exec', 'nope', '--', 'ls'])
    assert.equal(missing.stderr, 'Error from server (NotFound): pods "nope" not found\n')
    const pending = await kubectl(['exec', 'pending-7f9c-zzzzz', '-c', 'istio-proxy', '--', 'ls'])
    assert.equal(pending.code, 1)
    assert.equal(pending.stderr, 'error: Internal error occurred: unable to upgrade connection: container not found ("istio-proxy")\n')
  })

  test('kubectl exec over SPDY/3.1 (KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false)', {skip, timeout: 30_000}, async () => {
    const env = {KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false'}
    const r = await kubectl(['exec', PP, '-c', 'istio-proxy', '--', 'pilot-agent', 'request', 'GET', 'ready'], {env})
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, 'LIVE\n\n')
    assert.match(sb.requests.findLast((x) => x.kind === 'exec')?.protocol ?? '', /^SPDY\/3\.1 v[45]\.channel\.k8s\.io$/)
    const exit5 = await kubectl(['exec', PP, '-c', 'istio-proxy', '--', 'sh', '-c', 'exit 5'], {env})
    assert.equal(exit5.code, 5)
    const stdin = await kubectl(['exec', '-i', PP, '-c', 'istio-proxy', '--', 'cat'], {env, input: 'spdy stdin\n'})
    assert.equal(stdin.stdout, 'spdy stdin\n')
    const pending = await kubectl(['exec', 'pending-7f9c-zzzzz', '-c', 'istio-proxy', '--', 'ls'], {env})
    assert.equal(pending.stderr, 'error: unable to upgrade connection: container not found ("istio-proxy")\n')
    // kubectl refuses completed pods by itself, before any upgrade
    const failed = await kubectl(['exec', 'failed-job-ccccc', '-c', 'istio-proxy', '--', 'ls'], {env})
    assert.equal(failed.stderr, 'error: cannot exec into a container in a completed pod; current phase is Failed\n')
  })

  test('kubectl port-forward pod/x :15000 over the SPDY-over-WebSocket tunnel, then HTTP through it', {skip, timeout: 30_000}, async () => {
    const pf = await portForward(`pod/${PP}`, 15000)
    try {
      assert.equal(sb.requests.findLast((x) => x.kind === 'portforward')?.protocol, 'SPDY/3.1+portforward.k8s.io')
      const ready = await httpGet(pf.port, '/ready')
      assert.deepEqual(ready, {status: 200, body: 'LIVE\n'})
      const dump = await httpGet(pf.port, '/config_dump?mask=dynamic_active_clusters,dynamic_warming_clusters,static_clusters')
      assert.equal(JSON.parse(dump.body).configs[0]['@type'], 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump')
      // several connections over the same tunnel, one at a time and concurrently
      const many = await Promise.all(Array.from({length: 5}, () => httpGet(pf.port, '/ready')))
      assert.deepEqual(many.map((m) => m.body), Array(5).fill('LIVE\n'))
      const logging = await fetch(`http://127.0.0.1:${pf.port}/logging?level=debug`, {method: 'POST', signal: AbortSignal.timeout(8000)})
      assert.match(await logging.text(), /^active loggers:\n {2}admin: debug\n/)
      assert.equal((await httpGet(pf.port, '/nope')).status, 404)
    } finally {
      await pf.stop()
    }
  })

  test('kubectl port-forward: 3 MB through the tunnel and through plain SPDY (no flow-control stall)', {skip, timeout: 40_000}, async () => {
    const big = 'y'.repeat(3 * 1024 * 1024)
    sb.setPod({name: 'big-0', namespace: 'bookinfo', containers: [{name: 'big'}], ports: {8080: (_req, res) => res.end(big)}})
    for (const env of [{}, {KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false'}] as Array<Record<string, string>>) {
      const pf = await portForward('pod/big-0', 8080, {env})
      try {
        const r = await httpGet(pf.port, '/')
        assert.equal(r.body.length, big.length)
        const again = await httpGet(pf.port, '/')
        assert.equal(again.body.length, big.length)
      } finally {
        await pf.stop()
      }
    }
    assert.equal(sb.requests.findLast((x) => x.kind === 'portforward')?.protocol, 'SPDY/3.1 portforward.k8s.io')
    sb.deletePod('bookinfo', 'big-0')
  })

  test('kubectl port-forward to a refused port: the kubelet error text, kubectl gives up', {skip, timeout: 30_000}, async () => {
    const pf = await portForward('pod/refused-5d6e-bbbbb', 15000)
    try {
      await assert.rejects(httpGet(pf.port, '/ready'))
      await new Promise<void>((r) => (pf.child.exitCode !== null ? r() : pf.child.on('close', () => r())))
      assert.match(pf.stderr(), /an error occurred forwarding \d+ -> 15000: error forwarding port 15000 to pod [0-9a-f]{64}, uid : failed to execute portforward in network namespace .*: failed to connect to localhost:15000 inside namespace .*connect: connection refused/)
      assert.match(pf.stderr(), /error: lost connection to pod/)
    } finally {
      await pf.stop()
    }
  })

  test('kubectl port-forward to a Pending pod, a missing pod', {skip, timeout: 30_000}, async () => {
    await assert.rejects(portForward('pod/pending-7f9c-zzzzz', 15000), (e: any) => {
      assert.match(e.stderr, /error: unable to forward port because pod is not running\. Current status=Pending/)
      return true
    })
    await assert.rejects(portForward('pod/nope', 15000), (e: any) => {
      assert.match(e.stderr, /Error from server \(NotFound\): pods "nope" not found/)
      return true
    })
  })

  test('RBAC denial (403) for exec and port-forward, 401 for an expired token', {skip, timeout: 30_000}, async () => {
    const exec = await kubectl(['exec', PP, '-c', 'istio-proxy', '--', 'ls'], {kc: bobKubeconfig})
    assert.equal(exec.code, 1)
    assert.equal(exec.stderr, 'Error from server (Forbidden): pods "productpage-v1-7d4f8b-abcde" is forbidden: User "bob" cannot create resource "pods/exec" in API group "" in the namespace "bookinfo"\n')
    // kubectl retried with SPDY after the websocket upgrade failed (NewFallbackExecutor)
    const tries = sb.requests.filter((x) => x.kind === 'exec' && x.user === 'bob').map((x) => `${x.method} ${x.status}`)
    assert.deepEqual(tries.slice(-2), ['GET 403', 'POST 403'])
    await assert.rejects(portForward(`pod/${PP}`, 15000, {kc: bobKubeconfig}), (e: any) => {
      assert.match(e.stderr, /error: error upgrading connection: pods "productpage-v1-7d4f8b-abcde" is forbidden: User "bob" cannot create resource "pods\/portforward" in API group "" in the namespace "bookinfo"/)
      return true
    })
    const list = await kubectl(['get', 'pods', '-n', 'istio-system'], {kc: bobKubeconfig})
    assert.equal(list.stderr, 'Error from server (Forbidden): pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "istio-system"\n')
    const expired = await kubectl(['get', 'pods'], {kc: expiredKubeconfig})
    assert.equal(expired.code, 1)
    assert.match(expired.stderr, /error: You must be logged in to the server \(Unauthorized\)/)
  })

  // Other kubectl builds on this machine image (gcloud ships several side by side): smoke-test each protocol path.
  const EXTRA_DIR = '/usr/lib/google-cloud-sdk/bin'
  const extras = fs.existsSync(EXTRA_DIR) ? fs.readdirSync(EXTRA_DIR).filter((f) => /^kubectl\.1\.\d+$/.test(f)).sort() : []
  for (const name of extras.length ? extras : ['kubectl.1.x']) {
    const bin = path.join(EXTRA_DIR, name)
    test(`${name}: exec and port-forward`, {skip: extras.length ? skip : `no extra kubectl builds in ${EXTRA_DIR}`, timeout: 30_000}, async () => {
      const r = await runKubectl(['exec', PP, '-c', 'istio-proxy', '--', 'sh', '-c', 'pilot-agent request GET ready; exit 4'], {kubeconfig, home, bin})
      assert.equal(r.stdout, 'LIVE\n\n')
      assert.equal(r.code, 4)
      const pf = await portForward(`pod/${PP}`, 15000, {bin})
      try {
        assert.deepEqual(await httpGet(pf.port, '/ready'), {status: 200, body: 'LIVE\n'})
      } finally {
        await pf.stop()
      }
    })
  }
})
