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
  if (!spansItsBuffer(bytes) || bytes.byteLength === 0) return false
  if (typeof buffer.transfer !== 'function' || (buffer as {detached?: boolean}).detached === true) return false
  buffer.transfer(0)
  return true
}

/** Whether `bytes` is the whole of its ArrayBuffer (not a view sharing it with others, as Node's pool slices are). */
export function spansItsBuffer(bytes: Uint8Array): boolean {
  return bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
}

/** Below this, a buffer comes from malloc as Node allocates it; from it up, from pages of its own (allocPages). */
export const OWN_PAGES_MIN = 256 * 1024

/**
 * A zero-filled buffer of `length` bytes in memory pages of its own, for a large answer that lives a few seconds:
 * V8 maps a resizable ArrayBuffer's memory straight from the system (mmap), not through malloc, and unmaps it when
 * the buffer is released (releaseBytes) or collected; until then only the pages written are resident, so an answer
 * still arriving costs what has arrived. A buffer Node allocates (Buffer.allocUnsafe) of a few MB comes from
 * malloc's heap once glibc has freed one that size (its mmap threshold follows the largest block freed), and a
 * heap through which hundreds of them pass, between small allocations that live on, keeps its high-water mark
 * resident: peak RSS then rose with the number of proxies a fan-out read. Small lengths, and a runtime without
 * resizable ArrayBuffers, get Buffer.allocUnsafe. (A pool of reused buffers was measured too: no page faults, but
 * every pooled buffer stays resident whole, and 100 proxies peaked ~20 MB higher.)
 */
export function allocPages(length: number): Buffer {
  if (length < OWN_PAGES_MIN) return Buffer.allocUnsafe(length)
  try {
    // ES2024 (V8 11+); typed as the ES2023 constructor, which takes no options
    const Resizable = ArrayBuffer as unknown as new (length: number, options: {maxByteLength: number}) => ArrayBuffer
    return Buffer.from(new Resizable(length, {maxByteLength: length}), 0, length)
  } catch {
    return Buffer.allocUnsafe(length)
  }
}
