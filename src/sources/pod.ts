/** A live pod as a data source: each view's need becomes the smallest admin request that satisfies it. */
import {type AdminOptions, adminGet, adminGetEach} from '../kube/admin.js'
import type {KubeApi} from '../kube/api.js'
import {podId, type Pod} from '../kube/pods.js'
import type {DumpSource, Fetched, Need} from './types.js'

/** The admin path for a need, as istioctl ≥ 1.26 asks for it. */
export function adminPath(need: Need): string {
  if (need.kind === 'clusters') return 'clusters?format=json'
  if (need.includeEds) return 'config_dump?include_eds=true'
  if (need.mask && need.mask.length > 0) return `config_dump?mask=${need.mask.join(',')}`
  return 'config_dump'
}

export function podSource(api: KubeApi, pod: Pod, opts: AdminOptions): DumpSource {
  return {
    async fetch(need: Need): Promise<Fetched> {
      return {bytes: await adminGet(api, pod, adminPath(need), opts), source: podId(pod)}
    },
    fetchEach(needs: readonly Need[]): Array<Promise<Fetched>> {
      return adminGetEach(api, pod, needs.map(adminPath), opts).map(async (answer) => ({bytes: await answer, source: podId(pod)}))
    },
  }
}
