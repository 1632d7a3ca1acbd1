/** Small HTTP helpers shared by the REST and streaming routes. */
import {STATUS_CODES, type ServerResponse} from 'node:http'
import type {Duplex} from 'node:stream'
import type {KubeStatus} from './status.js'

/** Writes a complete HTTP/1.1 response on a raw (not yet upgraded) socket and closes it. */
export function writeRawResponse(socket: Duplex, status: number, body: string, contentType: string, extra: Record<string, string> = {}): void {
  if (socket.destroyed) return
  const headers = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}`,
    `Content-Type: ${contentType}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    `Date: ${new Date().toUTCString()}`,
    'Cache-Control: no-cache, private',
    'Connection: close',
    ...Object.entries(extra).map(([k, v]) => `${k}: ${v}`),
  ]
  socket.end(`${headers.join('\r\n')}\r\n\r\n${body}`)
}

export function writeRawStatus(socket: Duplex, s: KubeStatus): void {
  writeRawResponse(socket, s.code ?? 500, JSON.stringify(s), 'application/json')
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private'})
  res.end(text)
}

export function sendStatus(res: ServerResponse, s: KubeStatus): void {
  sendJson(res, s.code ?? 500, s)
}

export function sendText(res: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, {'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body)})
  res.end(body)
}
