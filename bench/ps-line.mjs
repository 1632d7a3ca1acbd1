// One line per proxy of an istiod /debug/syncz answer, as the proxy-status baselines print it (ps-baseline.mjs from
// saved answers, ps-live-baseline.mjs live): its ID, cluster, the five xDS types' states from the legacy sent/acked
// nonces (SYNCED when equal, NOT SENT without a nonce, else STALE), the replica it came from and its version.
const TYPES = ['cluster', 'listener', 'endpoint', 'route', 'extensionconfig']
const state = (sent, acked) => (!sent ? 'NOT SENT' : sent === acked ? 'SYNCED' : 'STALE')

/** The line of syncz entry `p` of replica `istiod`. */
export const proxyLine = (p, istiod) =>
  `${p.proxy} ${p.cluster_id} ${TYPES.map((t) => state(p[`${t}_sent`], p[`${t}_acked`])).join(' ')} ${istiod} ${p.istio_version ?? p.proxy_version}`
