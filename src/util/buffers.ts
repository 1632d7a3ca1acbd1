/**
 * Freeing a large answer's memory the moment its reader is done with it, instead of when V8 next collects the
 * Buffer object. A Buffer that lived through a few scavenges (a 3-4 MB admin answer does, while it arrives and
 * while its graph is built and checked) is in the old generation: its backing store goes back to malloc only at
 * the next full collection, so a fan-out that reads hundreds of answers keeps tens of MB of dead ones (V8 starts a
 * full collection when external memory has grown by about 64 MB since the last one).
 */

/**
 * Frees the memory of `bytes` now, by detaching its ArrayBuffer (`ArrayBuffer.prototype.transfer(0)`, ES2024: the
 * old buffer becomes zero-length and its backing store is released). Only when `bytes` spans its whole
 * ArrayBuffer (a view into a larger buffer, e.g. Node's Buffer pool or a slice of a WebSocket message, shares it
 * with others and is left alone) and when the runtime has `transfer`. The caller guarantees nothing reads `bytes`
 * or another view of its buffer afterwards: every such view then has length 0. Returns whether it was released.
 */
export function releaseBytes(bytes: Uint8Array): boolean {
  const buffer = bytes.buffer as ArrayBuffer & {transfer?: (length: number) => ArrayBuffer}
  if (bytes.byteOffset !== 0 || bytes.byteLength !== buffer.byteLength || bytes.byteLength === 0) return false
  if (typeof buffer.transfer !== 'function' || (buffer as {detached?: boolean}).detached === true) return false
  buffer.transfer(0)
  return true
}
