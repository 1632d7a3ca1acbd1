/**
 * Where the network transport reports the bytes it reads, for whoever wants to act on them while a mesh-wide run
 * is going on (src/util/v8-tuning.ts collectReadBuffersEvery). A module of its own, importing nothing, so that the
 * transport loads nothing more for it.
 */

let hook: ((bytes: number) => void) | undefined

/** Sets (or, with undefined, clears) what `countReadBytes` calls. */
export function setReadHook(h: ((bytes: number) => void) | undefined): void {
  hook = h
}

/** `bytes` more read from the network. */
export function countReadBytes(bytes: number): void {
  hook?.(bytes)
}
