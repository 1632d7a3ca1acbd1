/**
 * pods/exec over websockets: client-node 2.0.1's Exec class end to end (v5 negotiated from its offer), raw frames for
 * each protocol version (initial empty frame, v5 stdin half-close, v4/v5 Status on channel 3, base64 text frames,
 * legacy text errors), the default sidecar command emulation, and every pre-upgrade error.
 */
import assert from 'node:assert/strict'
import {afterEach, beforeEach, describe, test} from 'node:test'
import {type Sandbox, startSandbox} from '../../src/sandbox/cluster.js'
import {channelText, clientNodeExec, kubeConfigFor, rawWs} from '../fixtures/sandbox/client.js'
import {RESTRICTED_TOKEN, tinySpec} from '../fixtures/sandbox/tiny.js'

// one fresh sandbox per test (~30 ms); describe() scopes the hooks when the files share a process (index.ts)
describe('pods/exec over websockets', () => {
  let sb: Sandbox
  beforeEach(async () => {
    sb = await startSandbox(tinySpec())
  })
  afterEach(() => sb.close())

  const PP = 'productpage-v1-7d4f8b-abcde'
  const execPath = (pod: string, container: string | undefined, cmd: string[], extra = 'stdout=true&stderr=true'): string =>
    `/api/v1/namespaces/bookinfo/pods/${pod}/exec?${cmd.map((c) => `command=${encodeURIComponent(c)}`).join('&')}${container ? `&container=${container}` : ''}&${extra}`

  test('client-node Exec: pilot-agent request GET server_info through the pod loopback (v5)', {timeout: 15_000}, async () => {
    const r = await clientNodeExec(kubeConfigFor(sb), 'bookinfo', PP, 'istio-proxy', ['pilot-agent', 'request', 'GET', 'server_info'])
    assert.equal(r.protocol, 'v5.channel.k8s.io')
    assert.deepEqual(r.status, {metadata: {}, status: 'Success'})
    assert.equal(JSON.parse(r.stdout).state, 'LIVE')
    assert.ok(r.stdout.endsWith('}\n\n'), 'pilot-agent adds a newline (fmt.Println) after the body')
    const rec = sb.requests.findLast((x) => x.kind === 'exec')!
    assert.equal(rec.status, 101)
    assert.equal(rec.protocol, 'v5.channel.k8s.io')
  })

  test('client-node Exec: non-zero exit, curl in the sidecar, unknown commands, distroless containers', {timeout: 15_000}, async () => {
    const kc = kubeConfigFor(sb)
    const exit3 = await clientNodeExec(kc, 'bookinfo', PP, 'istio-proxy', ['sh', '-c', 'exit 3'])
    assert.deepEqual(exit3.status, {
      metadata: {},
      status: 'Failure',
      message: 'command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3',
      reason: 'NonZeroExitCode',
      details: {causes: [{reason: 'ExitCode', message: '3'}]},
    })
    const curl = await clientNodeExec(kc, 'bookinfo', PP, 'istio-proxy', ['curl', '-s', 'http://127.0.0.1:15000/clusters?format=json'])
    assert.equal(JSON.parse(curl.stdout).cluster_statuses.length, 2)
    const refused = await clientNodeExec(kc, 'bookinfo', 'refused-5d6e-bbbbb', 'istio-proxy', ['curl', '-sS', 'localhost:15000/ready'])
    assert.equal(refused.stderr, "curl: (7) Failed to connect to localhost port 15000 after 0 ms: Couldn't connect to server\n")
    assert.equal(refused.status?.details?.causes?.[0]?.message, '7')
    const agentRefused = await clientNodeExec(kc, 'bookinfo', 'refused-5d6e-bbbbb', 'istio-proxy', ['pilot-agent', 'request', 'GET', 'config_dump'])
    assert.equal(agentRefused.stderr, 'Error: Get "http://localhost:15000/config_dump": dial tcp 127.0.0.1:15000: connect: connection refused\n')
    const notFound = await clientNodeExec(kc, 'bookinfo', PP, 'istio-proxy', ['sh', '-c', 'istioctl version'])
    assert.equal(notFound.stderr, 'sh: 1: istioctl: not found\n')
    assert.equal(notFound.status?.details?.causes?.[0]?.message, '127')
    const distroless = await clientNodeExec(kc, 'bookinfo', PP, 'productpage', ['curl', 'localhost:15000/ready'])
    assert.equal(distroless.status?.reason, 'InternalError')
    assert.equal(distroless.status?.code, 500)
    assert.match(
      distroless.status?.message ?? '',
      /^Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start container process: exec: "curl": executable file not found in \$PATH: unknown$/,
    )
    const direct = await clientNodeExec(kc, 'bookinfo', PP, 'istio-proxy', ['istioctl', 'version'])
    assert.equal(direct.status?.reason, 'InternalError', 'exec without a shell: the runtime fails, no exit code')
    sb.updatePod('bookinfo', 'nosidecar-6c7d-ddddd', {containers: [{name: 'nosidecar', missingCommand: 'exit-127'}]})
    const exit127 = await clientNodeExec(kc, 'bookinfo', 'nosidecar-6c7d-ddddd', 'nosidecar', ['curl', 'localhost:15000/ready'])
    assert.equal(exit127.stderr, 'OCI runtime exec failed: exec failed: unable to start container process: exec: "curl": executable file not found in $PATH: unknown\n')
    assert.equal(exit127.status?.details?.causes?.[0]?.message, '127')
    const native = await clientNodeExec(kc, 'bookinfo', 'native-sidecar-eeeee', 'istio-proxy', ['pilot-agent', 'request', 'GET', 'ready'])
    assert.equal(native.stdout, 'LIVE\n\n', 'native sidecar (restartable init container) is exec-able')
  })

  test('client-node Exec: stdin reaches the command (v5 half-close)', {timeout: 15_000}, async () => {
    const r = await clientNodeExec(kubeConfigFor(sb), 'bookinfo', PP, 'istio-proxy', ['cat'], 'hello from stdin\n')
    assert.equal(r.stdout, 'hello from stdin\n')
    assert.equal(r.status?.status, 'Success')
  })

  test('raw v5: initial empty stdout frame, [255,0] closes stdin, Status then close 1000', {timeout: 15_000}, async () => {
    const r = await rawWs(sb, execPath(PP, 'istio-proxy', ['cat'], 'stdin=true&stdout=true&stderr=true'), {
      protocols: ['v5.channel.k8s.io', 'v4.channel.k8s.io'],
      send: [Buffer.from([0, ...Buffer.from('abc')]), Buffer.from([255, 0])],
    })
    assert.equal(r.protocol, 'v5.channel.k8s.io')
    assert.deepEqual(r.frames[0], {channel: 1, data: Buffer.alloc(0), text: false})
    assert.equal(channelText(r, 1), 'abc')
    assert.equal(channelText(r, 3), '{"metadata":{},"status":"Success"}')
    assert.equal(r.closeCode, 1000)
  })

  test('raw: first offered supported protocol wins; v4 Status, v4.base64 text frames, legacy text errors', {timeout: 15_000}, async () => {
    const v4 = await rawWs(sb, execPath(PP, 'istio-proxy', ['false']), {protocols: ['v4.channel.k8s.io', 'v5.channel.k8s.io']})
    assert.equal(v4.protocol, 'v4.channel.k8s.io')
    assert.equal(JSON.parse(channelText(v4, 3)).reason, 'NonZeroExitCode')
    const b64 = await rawWs(sb, execPath(PP, 'istio-proxy', ['echo', 'hi']), {protocols: ['bogus', 'v4.base64.channel.k8s.io']})
    assert.equal(b64.protocol, 'v4.base64.channel.k8s.io')
    assert.ok(b64.frames.every((f) => f.text))
    assert.equal(channelText(b64, 1), 'hi\n')
    const legacy = await rawWs(sb, execPath(PP, 'istio-proxy', ['false'], 'stderr=true'), {protocols: ['channel.k8s.io']})
    assert.deepEqual(legacy.frames[0], {channel: 2, data: Buffer.alloc(0), text: false}, 'no stdout requested: the empty frame goes to stderr')
    assert.equal(channelText(legacy, 3), 'command terminated with non-zero exit code: error executing command [false], exit code 1')
    const legacyOk = await rawWs(sb, execPath(PP, 'istio-proxy', ['true']), {protocols: ['channel.k8s.io']})
    assert.equal(channelText(legacyOk, 3), '', 'v1-v3 report nothing on success')
    const none = await rawWs(sb, execPath(PP, 'istio-proxy', ['true']), {protocols: ['v9.channel.k8s.io']})
    assert.equal(none.status, 400)
  })

  test('pre-upgrade errors: Status bodies like the API server (404, 400, 403)', {timeout: 15_000}, async () => {
    const p = ['v5.channel.k8s.io']
    const missing = await rawWs(sb, execPath('nope', 'istio-proxy', ['ls']), {protocols: p})
    assert.equal(missing.status, 404)
    assert.equal(JSON.parse(missing.body!).message, 'pods "nope" not found')
    const badContainer = await rawWs(sb, execPath(PP, 'nope', ['ls']), {protocols: p})
    assert.equal(badContainer.status, 400)
    assert.equal(badContainer.body, '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"container nope is not valid for pod productpage-v1-7d4f8b-abcde","reason":"BadRequest","code":400}')
    const noContainer = await rawWs(sb, execPath(PP, undefined, ['ls']), {protocols: p})
    assert.equal(JSON.parse(noContainer.body!).message, 'a container name must be specified for pod productpage-v1-7d4f8b-abcde, choose one of: [productpage istio-proxy] or one of the init containers: [istio-init]')
    const unscheduled = await rawWs(sb, execPath('unscheduled-1234-aaaaa', 'istio-proxy', ['ls']), {protocols: p})
    assert.equal(JSON.parse(unscheduled.body!).message, 'pod unscheduled-1234-aaaaa does not have a host assigned')
    const forbidden = await rawWs(sb, execPath(PP, 'istio-proxy', ['ls']), {protocols: p, token: RESTRICTED_TOKEN})
    assert.equal(forbidden.status, 403)
    assert.equal(JSON.parse(forbidden.body!).message, 'pods "productpage-v1-7d4f8b-abcde" is forbidden: User "bob" cannot create resource "pods/exec" in API group "" in the namespace "bookinfo"')
    const noSidecar = await rawWs(sb, execPath('nosidecar-6c7d-ddddd', 'istio-proxy', ['pilot-agent', 'request', 'GET', 'ready']), {protocols: p})
    assert.equal(JSON.parse(noSidecar.body!).message, 'container istio-proxy is not valid for pod nosidecar-6c7d-ddddd')
    const unauth = await rawWs(sb, execPath(PP, 'istio-proxy', ['ls']), {protocols: p, token: 'bad'})
    assert.equal(unauth.status, 401)
  })

  test('pod not running: v5 reports the kubelet error as a Status after the upgrade, v4 gets a 500', {timeout: 15_000}, async () => {
    const v5 = await rawWs(sb, execPath('pending-7f9c-zzzzz', 'istio-proxy', ['ls']), {protocols: ['v5.channel.k8s.io']})
    assert.deepEqual(JSON.parse(channelText(v5, 3)), {
      metadata: {},
      status: 'Failure',
      message: 'Internal error occurred: unable to upgrade connection: container not found ("istio-proxy")',
      reason: 'InternalError',
      details: {causes: [{message: 'unable to upgrade connection: container not found ("istio-proxy")'}]},
      code: 500,
    })
    const v4 = await rawWs(sb, execPath('failed-job-ccccc', 'istio-proxy', ['ls']), {protocols: ['v4.channel.k8s.io']})
    assert.equal(v4.status, 500)
    assert.equal(v4.body, 'container not found ("istio-proxy")')
    // client-node sees only the status code of a refused upgrade (its known limitation)
    await assert.rejects(clientNodeExec(kubeConfigFor(sb), 'bookinfo', 'nope', 'istio-proxy', ['ls']), (e: any) => /404/.test(String(e?.message ?? e)))
  })

  test('custom exec handler on a pod', {timeout: 15_000}, async () => {
    sb.setPod({
      name: 'custom',
      namespace: 'bookinfo',
      containers: [{name: 'main'}],
      exec: async ({argv, container}) => ({stdout: `${container.name}: ${argv.join(' ')}\n`, stderr: 'warn\n', exitCode: 2}),
    })
    const r = await clientNodeExec(kubeConfigFor(sb), 'bookinfo', 'custom', 'main', ['do', 'things'])
    assert.equal(r.stdout, 'main: do things\n')
    assert.equal(r.stderr, 'warn\n')
    assert.equal(r.status?.details?.causes?.[0]?.message, '2')
    sb.deletePod('bookinfo', 'custom')
  })
})
