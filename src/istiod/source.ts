/**
 * The seam between proxy-status and where istiod's sync status comes from. A source gets the raw documents,
 * one per istiod it asked (a file gives one document, which may itself name several istiods), and hands each
 * to the caller's decoder as soon as it is complete; decoding (decode.ts) and presentation
 * (views/proxy-status.ts) do not care which source it was.
 *
 * Sources: a saved file (or stdin), and live istiod (live.ts): the running istiod pods of `istioNamespace` /
 * `revision`, each asked in parallel (HTTP `/debug/syncz` on the monitoring port, or xDS `istio.io/debug/syncz`),
 * each answer with `istiod` set to the pod name.
 */
import {InputError} from '../errors/index.js'
import {readInput} from '../sources/file.js'
import type {RawStatusDocument} from './decode.js'

export interface StatusRequest {
  /** `-n`: a live source may let istiod filter (HTTP syncz `?namespace=`); the command filters again anyway */
  namespace?: string
  /** `-i/--istio-namespace`: where istiod runs */
  istioNamespace: string
  /** `-r/--revision`: which control plane (empty: the default revision) */
  revision?: string
}

/** What the caller makes of one document (decode.ts's decodeStatusDocument); it may throw, as a source may. */
export type DecodeDocument<T> = (doc: RawStatusDocument) => T

export interface StatusSource {
  /**
   * Every document, each passed to `decode` the moment it is complete, results in the source's order. A live
   * source decodes one replica's answer while the others are still arriving (on a 5,000-proxy mesh that
   * hides most of the decoding behind the transfer) and keeps none of the bytes. Failures are MeshctlErrors
   * (exit 3 input, 4 cluster, 5 istiod); a live source reports a replica that failed, or whose answer `decode`
   * rejected, and goes on with the others.
   */
  fetch<T>(request: StatusRequest, decode: DecodeDocument<T>): Promise<T[]>
}

/** A saved document: a file, or `-` for standard input. */
export function fileStatusSource(path: string): StatusSource {
  return {
    fetch: async (request, decode) => {
      if (path === '-' && process.stdin.isTTY) {
        throw new InputError('--file - reads sync status from standard input, but standard input is a terminal', {
          code: 'E_READ',
          hint: `pipe it in, e.g. ${saveSynczCommand(request.istioNamespace).replace(' > syncz.json', '')} | meshctl ps --file -`,
        })
      }
      const {bytes, source} = await readInput(path)
      return [decode({bytes, source})]
    },
  }
}

/** The command a user can run to save what meshctl would read from istiod. */
export function saveSynczCommand(istioNamespace: string): string {
  return `kubectl exec -n ${istioNamespace} deploy/istiod -- curl -s localhost:15014/debug/syncz > syncz.json`
}
