/**
 * The data-source seam: where the bytes a view decodes come from. Today a file (or stdin); a pod (through
 * a port-forward or exec) implements the same interface. A view states what it needs so a live source can
 * ask Envoy for no more than that (`config_dump?mask=...`, `include_eds`, `/clusters?format=json`).
 */

import type {ByteReader} from '../envoy/scan.js'

export type Need =
  | {kind: 'config_dump'; mask?: readonly string[]; includeEds?: boolean}
  | {kind: 'clusters'}

export interface Fetched {
  /** the whole input (with `reader`, read only when something asks for it) */
  readonly bytes: Uint8Array
  /** random access to a large file, for decoders that read only the parts they need */
  reader?: ByteReader
  /** how to name the input in messages, e.g. `dump.json`, `stdin`, `productpage-v1-abc.default` */
  source: string
}

export interface DumpSource {
  fetch(need: Need): Promise<Fetched>
  /**
   * several needs at once, the answers in the same order, each settled on its own (a pod: one port-forward for all
   * of them); a source without it is asked with fetch() for each
   */
  fetchEach?(needs: readonly Need[]): Array<Promise<Fetched>>
}

/** What each proxy-config view asks Envoy for (the admin paths istioctl ≥ 1.26 uses). */
export const NEEDS = {
  clusters: {kind: 'config_dump', mask: ['dynamic_active_clusters', 'dynamic_warming_clusters', 'static_clusters']},
  listeners: {kind: 'config_dump', mask: ['dynamic_listeners', 'static_listeners']},
  routes: {kind: 'config_dump', mask: ['dynamic_route_configs', 'static_route_configs']},
  secrets: {kind: 'config_dump', mask: ['dynamic_active_secrets', 'dynamic_warming_secrets']},
  bootstrap: {kind: 'config_dump', mask: ['bootstrap']},
  full: {kind: 'config_dump', includeEds: true},
  endpoints: {kind: 'clusters'},
} as const satisfies Record<string, Need>
