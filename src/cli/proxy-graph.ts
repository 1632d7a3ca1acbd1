/**
 * A proxy's admin answers, once read, as its config graph: the config dump (a /clusters answer in its place is an
 * error) and, for host health, the `/clusters?format=json` answer. Pure and synchronous: src/cli/proxies.ts uses it
 * for every proxy it reads, and check's worker threads (src/cli/check-worker.ts) for the proxies they check.
 */
import {asConfigDump, ClustersStatus, type ConfigDump, parseAdminDocument, parseAdminReader} from '../envoy/document.js'
import {InputError} from '../errors/index.js'
import {buildGraph, type ConfigGraph, type GraphOptions} from '../graph/graph.js'
import type {Fetched} from '../sources/types.js'

export {buildGraph}

/** The config dump of a proxy's answer (a saved file or a live one), parsed. */
export function dumpDocument(input: Fetched): ConfigDump {
  const doc = input.reader ? parseAdminReader(input.reader, input.source) : parseAdminDocument(input.bytes, input.source)
  if (doc.kind !== 'config_dump') {
    throw new InputError(`${input.source} is a /clusters answer, not a config dump`, {code: 'E_WRONG_DOCUMENT', hint: 'pass the config dump with -f and this file with --clusters-file'})
  }
  return asConfigDump(doc, 'config')
}

/** The host health of a proxy's `/clusters?format=json` answer, parsed. */
export function clustersStatus(h: Fetched): ClustersStatus {
  const hd = h.reader ? parseAdminReader(h.reader, h.source) : parseAdminDocument(h.bytes, h.source)
  if (!(hd instanceof ClustersStatus)) {
    throw new InputError(`${h.source} is not a /clusters?format=json answer`, {code: 'E_WRONG_DOCUMENT', hint: `save it with: kubectl exec <pod> -c istio-proxy -- pilot-agent request GET 'clusters?format=json'`})
  }
  return hd
}

/** The config graph of a proxy's answers already read. */
export function graphOfAnswers(dump: Fetched, clusters: Fetched | undefined, options: GraphOptions = {}): ConfigGraph {
  const doc = dumpDocument(dump)
  return buildGraph(doc, clusters ? clustersStatus(clusters) : undefined, options)
}
