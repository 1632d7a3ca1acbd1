/**
 * The xDS client leaves nothing running after it fails: a server that accepts TCP and never completes the TLS
 * handshake made `ps --xds-address` print its timeout error and then never exit (issue 14, defect 1). Each case runs
 * in its own process, which must exit by itself soon after the error.
 */
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import net from 'node:net'
import {after, before, describe, test} from 'node:test'
import {fileURLToPath} from 'node:url'

const CLIENT = fileURLToPath(new URL('../../src/xds/client.js', import.meta.url))

function runChild(code: string): Promise<{code: number | null; out: string; ms: number}> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now()
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], {stdio: ['ignore', 'pipe', 'inherit']})
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d))
    const kill = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the process did not exit 5 s after the call; it printed: ${out}`))
    }, 8000)
    child.on('exit', (c) => {
      clearTimeout(kill)
      resolve({code: c, out, ms: Date.now() - t0})
    })
  })
}

describe('the xDS client exits after a failure', () => {
  let silent: net.Server
  let port = 0
  const sockets = new Set<net.Socket>()
  before(async () => {
    // accepts, reads, never writes: a TLS handshake that never completes
    silent = net.createServer((s) => {
      sockets.add(s)
      s.on('error', () => {})
    })
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
    port = (silent.address() as net.AddressInfo).port
  })
  after(() => {
    for (const s of sockets) s.destroy()
    silent.close()
  })
  for (const tls of ["{insecure: true}", "'plaintext'"]) {
    test(`a silent server, TLS ${tls}: the timeout error, then the process exits`, async () => {
      const r = await runChild(
        `import {fetchDebug} from ${JSON.stringify(CLIENT)}\n` +
          `try { await fetchDebug({address: '127.0.0.1:${port}', tls: ${tls}, token: 't', timeoutMs: 1000}, 'istio.io/debug/syncz') } catch (e) { console.log(e.code, e.exitCode) }`,
      )
      assert.equal(r.out.trim(), 'E_TIMEOUT 5')
      assert.equal(r.code, 0)
      assert.ok(r.ms < 5000, `exited after ${r.ms} ms`)
    })
  }
})

describe('the TLS error hint names only flags that exist (defect 11)', () => {
  test('a server that does not speak TLS: E_XDS_TLS, the port hint, no --insecure', async () => {
    const {fetchDebug} = await import('../../src/xds/client.js')
    const server = net.createServer((s) => {
      s.on('error', () => {})
      s.end('HTTP/1.1 400 Bad Request\r\n\r\n')
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as net.AddressInfo).port
    try {
      const err = await fetchDebug({address: `127.0.0.1:${port}`, tls: {insecure: true}, token: 't', timeoutMs: 3000}, 'istio.io/debug/syncz').then(
        () => assert.fail('no error'),
        (e: {code: string; oneLine: string}) => e,
      )
      assert.equal(err.code, 'E_XDS_TLS', err.oneLine)
      assert.match(err.oneLine, /TLS with istiod failed .*--plaintext --xds-port 15010/)
      assert.doesNotMatch(err.oneLine, /--insecure/)
    } finally {
      server.close()
    }
  })
})
