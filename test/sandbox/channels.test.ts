/**
 * The channel codec's binary messages (src/sandbox/channels.ts): `[channel byte] + payload`, at most 32 KiB of payload
 * per message from sendChunked, written from buffers reused only once ws has written them.
 */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import type WebSocket from 'ws'
import {ChannelCodec} from '../../src/sandbox/channels.js'

/** A socket that records each message (a view of the bytes handed to it) and completes writes when told. */
function fakeSocket() {
  const sent: Array<{view: Buffer; copy: Buffer; done: () => void}> = []
  const ws = {
    OPEN: 1,
    readyState: 1,
    send(data: Buffer, cb?: (err?: Error) => void) {
      sent.push({view: data, copy: Buffer.from(data), done: () => cb?.()})
    },
  }
  return {ws: ws as unknown as WebSocket, sent}
}

const payload = (n: number, seed: number): Buffer => Buffer.from(Array.from({length: n}, (_, i) => (i * 31 + seed) & 0xff))

describe('ChannelCodec binary messages', () => {
  test('sendChunked: 32 KiB pieces behind the channel byte; no buffer is reused before its write completes', () => {
    const {ws, sent} = fakeSocket()
    const codec = new ChannelCodec(ws, 'v4.channel.k8s.io')
    const data = payload(100_000, 7)
    codec.sendChunked(2, data)
    assert.deepEqual(
      sent.map((m) => m.view.length),
      [32769, 32769, 32769, 1697],
    )
    for (const [i, m] of sent.entries()) {
      assert.equal(m.view[0], 2)
      assert.deepEqual(m.view.subarray(1), data.subarray(i * 32768, (i + 1) * 32768))
    }
    // a second answer while the first's writes are pending: the first's bytes stay as they were handed over
    codec.sendChunked(4, payload(70_000, 9))
    for (const m of sent) assert.deepEqual(m.view, m.copy)
    assert.equal(new Set(sent.map((m) => m.view.buffer)).size, sent.length, 'one buffer per message in flight')
  })

  test('a buffer whose write completed carries the next message', () => {
    const {ws, sent} = fakeSocket()
    const codec = new ChannelCodec(ws, 'v4.channel.k8s.io')
    codec.send(0, payload(10_000, 1))
    const first = sent[0]!
    first.done()
    codec.send(1, payload(5000, 2))
    const second = sent[1]!
    assert.equal(second.view.buffer, first.view.buffer, 'reused')
    assert.deepEqual(second.view, Buffer.concat([Buffer.from([1]), payload(5000, 2)]))
    // a small message is not written from one
    codec.send(2, payload(100, 3))
    assert.notEqual(sent[2]!.view.buffer, first.view.buffer)
    assert.deepEqual(sent[2]!.view, Buffer.concat([Buffer.from([2]), payload(100, 3)]))
  })

  test('a payload larger than a piece is one message, and the base64 protocols send text', () => {
    const {ws, sent} = fakeSocket()
    const big = payload(40_000, 3)
    new ChannelCodec(ws, 'v4.channel.k8s.io').send(1, big)
    assert.deepEqual(sent[0]!.view, Buffer.concat([Buffer.from([1]), big]))
    const text: unknown[] = []
    const ws64 = {OPEN: 1, readyState: 1, send: (d: unknown) => text.push(d)} as unknown as WebSocket
    new ChannelCodec(ws64, 'v4.base64.channel.k8s.io').send(1, Buffer.from('hi'))
    assert.deepEqual(text, [`1${Buffer.from('hi').toString('base64')}`])
  })
})
