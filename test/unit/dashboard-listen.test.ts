/** The local side of `dashboard`: a port or address that cannot be used is a usage error (exit 2), said once. */
import assert from 'node:assert/strict'
import net from 'node:net'
import {test} from 'node:test'
import {bindServers, parseListenAddress} from '../../src/dashboard/listen.js'

test('a busy --port: exit 2, not 1 ("a bug") (defect 13)', async () => {
  const taken = net.createServer()
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r))
  const port = (taken.address() as net.AddressInfo).port
  try {
    await assert.rejects(bindServers(parseListenAddress('127.0.0.1'), [port], () => net.createServer()), (err: Error & {exitCode?: number}) => {
      assert.equal(err.exitCode, 2)
      assert.match(err.message, new RegExp(`unable to listen on 127\\.0\\.0\\.1:${port}: address already in use`))
      return true
    })
  } finally {
    taken.close()
  }
})

test('--address this machine does not have: exit 2, one line naming it once (defect 13)', async () => {
  // TEST-NET-1 (RFC 5737): never assigned to a host
  await assert.rejects(bindServers(parseListenAddress('192.0.2.1'), [15000, 0], () => net.createServer()), (err: Error & {exitCode?: number; oneLine?: string}) => {
    assert.equal(err.exitCode, 2)
    assert.equal(err.message, 'failure running port forward process: unable to listen on 192.0.2.1:15000: this machine has no such address')
    assert.match(err.oneLine!, /use an address of this machine with --address/)
    return true
  })
})
