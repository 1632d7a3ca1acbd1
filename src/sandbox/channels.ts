/**
 * The Kubernetes "channel" websocket subprotocols (k8s.io/apimachinery/pkg/util/httpstream/wsstream).
 *
 * Every websocket message is `[channel byte] + payload` for the binary protocols; the base64 protocols send text
 * messages `'0'+channel` followed by the base64 payload. For exec the channels are 0 stdin, 1 stdout, 2 stderr,
 * 3 error (a metav1.Status for v4/v5, plain text before), 4 resize. Only `v5.channel.k8s.io` has the client->server
 * "close stream" message `[255, channel]` (half-close of stdin).
 *
 * Negotiation (wsstream/conn.go handshake): the server takes the FIRST protocol in the client's offer that it
 * supports; a client offering none gets "" (the legacy binary protocol).
 */
import type WebSocket from 'ws'

export const EXEC_PROTOCOLS = [
  'v5.channel.k8s.io',
  'v4.channel.k8s.io',
  'v4.base64.channel.k8s.io',
  'v3.channel.k8s.io',
  'v2.channel.k8s.io',
  'channel.k8s.io',
  'base64.channel.k8s.io',
] as const

/** kubelet portforward/websocket.go supports "", v4 binary and v4 base64; the API server adds the SPDY tunnel. */
export const PORTFORWARD_TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io'
export const PORTFORWARD_PROTOCOLS = ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io', PORTFORWARD_TUNNEL_PROTOCOL] as const

export const STREAM_CLOSE = 255

export function parseOfferedProtocols(header: string | string[] | undefined): string[] {
  if (header === undefined) return []
  const raw = Array.isArray(header) ? header.join(',') : header
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
}

/** First client-offered protocol we support; "" when the client offered nothing; undefined = no match. */
export function negotiate(offered: string[], supported: readonly string[]): string | undefined {
  if (offered.length === 0) return ''
  return offered.find((p) => supported.includes(p))
}

export function isBase64Protocol(p: string): boolean {
  return p.includes('base64')
}

/** The kubelet's copy buffer (32 KiB): the largest payload of one message sendChunked writes. */
const CHUNK = 32 * 1024
/** Messages below this size are not worth a buffer of their own (Buffer.concat takes them from Node's pool). */
const SMALL = 4 * 1024
/** Spare message buffers kept per connection (~2 MB): enough for the messages of one socket read and more. */
const SPARE_MAX = 64

/** Writes and reads channel frames on one websocket, in the negotiated encoding. */
export class ChannelCodec {
  readonly base64: boolean
  /**
   * Message buffers (channel byte + up to CHUNK bytes) of the binary protocols whose write has completed, for the
   * next large messages. Such a buffer is memory outside V8's heap, which counts toward V8's decision to collect the
   * whole sandbox (with the TLS and socket buffers; see externalMemoryInGlobalLimit in src/util/v8-tuning.ts): one
   * new one per message of a large answer (a 3 MB /debug/syncz, a config dump) was ~100 of them per answer.
   */
  private readonly spare: Buffer[] = []
  constructor(
    private readonly ws: WebSocket,
    readonly protocol: string,
  ) {
    this.base64 = isBase64Protocol(protocol)
  }

  send(channel: number, data: Buffer | string = Buffer.alloc(0)): void {
    if (this.ws.readyState !== this.ws.OPEN) return
    const buf = typeof data === 'string' ? Buffer.from(data) : data
    if (this.base64) {
      this.ws.send(String.fromCharCode(48 + channel) + buf.toString('base64'))
    } else if (buf.length > CHUNK || buf.length < SMALL) {
      // a small message is a slice of Node's shared pool; a larger one than sendChunked writes is rare
      this.ws.send(Buffer.concat([Buffer.from([channel]), buf]))
    } else {
      const whole = this.spare.pop() ?? Buffer.allocUnsafeSlow(CHUNK + 1)
      whole[0] = channel
      buf.copy(whole, 1)
      // ws calls back once the socket has taken the bytes (written, or the connection failed): the buffer is free
      this.ws.send(whole.subarray(0, buf.length + 1), () => {
        if (this.spare.length < SPARE_MAX) this.spare.push(whole)
      })
    }
  }

  /** Sends data split into frames of at most `max` bytes (the kubelet copies with a 32 KiB buffer). */
  sendChunked(channel: number, data: Buffer, max = CHUNK): void {
    for (let off = 0; off < data.length; off += max) this.send(channel, data.subarray(off, off + max))
  }

  /** Decodes one incoming message; undefined for empty or undecodable messages. */
  decode(data: WebSocket.RawData, isBinary: boolean): {channel: number; payload: Buffer} | undefined {
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)
    if (buf.length === 0) return undefined
    if (this.base64 && !isBinary) {
      const channel = buf[0]! - 48
      return {channel, payload: Buffer.from(buf.subarray(1).toString(), 'base64')}
    }
    return {channel: buf[0]!, payload: buf.subarray(1)}
  }
}
