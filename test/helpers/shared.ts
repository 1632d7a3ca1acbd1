/**
 * Where the reference material is: `../shared` beside the checkout, or MESHCTL_SHARED when set (`.ci/run` sets it
 * for a clone made elsewhere, from the repository it was cloned from).
 */
import {resolve} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const base = process.env.MESHCTL_SHARED ? pathToFileURL(`${resolve(process.env.MESHCTL_SHARED)}/`) : new URL('../../../../shared/', import.meta.url)

/** The reference material's directory (with a trailing slash). */
export const SHARED = fileURLToPath(base)

/** A file or directory (`rel` ending with `/`) of the reference material. */
export const sharedUrl = (rel: string): URL => new URL(rel, base)
