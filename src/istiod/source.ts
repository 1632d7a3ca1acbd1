/**
 * The seam between proxy-status and where istiod's sync status comes from. A source returns the raw
 * documents, one per istiod it asked (a file returns one document, which may itself name several istiods);
 * decoding (decode.ts) and presentation (views/proxy-status.ts) do not care which source it was.
 *
 * Today: a saved file (or stdin). Live access plugs in as another StatusSource: list the running istiod pods
 * of `istioNamespace` / `revision`, ask each (xDS `istio.io/debug/syncz` on 15012, or HTTP `/debug/syncz` on
 * the monitoring port 15014 with `?namespace=`), and return each answer with `istiod` set to the pod name.
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

export interface StatusSource {
  /** One raw document per istiod answer (or per file). Failures are MeshctlErrors (exit 3 input, 4 cluster, 5 istiod). */
  fetch(request: StatusRequest): Promise<RawStatusDocument[]>
}

/** A saved document: a file, or `-` for standard input. */
export function fileStatusSource(path: string): StatusSource {
  return {
    fetch: async (request) => {
      if (path === '-' && process.stdin.isTTY) {
        throw new InputError('--file - reads sync status from standard input, but standard input is a terminal', {
          code: 'E_READ',
          hint: `pipe it in, e.g. ${saveSynczCommand(request.istioNamespace).replace(' > syncz.json', '')} | meshctl ps --file -`,
        })
      }
      const {bytes, source} = await readInput(path)
      return [{bytes, source}]
    },
  }
}

/** The command a user can run to save what meshctl would read from istiod. */
export function saveSynczCommand(istioNamespace: string): string {
  return `kubectl exec -n ${istioNamespace} deploy/istiod -- curl -s localhost:15014/debug/syncz > syncz.json`
}
