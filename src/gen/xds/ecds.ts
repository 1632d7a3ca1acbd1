/**
 * ECDS: filter configurations delivered separately from listeners. Istio ≥ 1.22 sends its Prometheus
 * telemetry filters this way (`istio.io/telemetry/stats/prometheus/<class>/<HTTP|TCP>`), and WasmPlugins
 * (`<namespace>.<name>`) always. Envoy keeps HTTP and network filters in separate config trackers, hence
 * separate EcdsConfigDump sections.
 */
import {createHash} from 'node:crypto'
import type {ProxyContext, TrafficClass} from './common.js'
import {T, telemetryFilterName} from './common.js'
import {applicableWasmPlugins} from './listeners.js'

function entry(ctx: ProxyContext, name: string, typedConfig: object): object {
  return {
    version_info: ctx.versionInfo,
    ecds_filter: {'@type': T.typedExtensionConfig, name, typed_config: typedConfig},
    last_updated: ctx.clock.stamp(`ecds/${name}`),
  }
}

function statsConfig(cls: TrafficClass): object {
  // inbound stats do not fall back to the Host header for the destination service
  return cls === 'sidecar/Inbound' ? {'@type': T.statsPlugin, disable_host_header_fallback: true} : {'@type': T.statsPlugin}
}

/** The EcdsConfigDump sections of this proxy: [HTTP filters, network filters], either possibly empty. */
export function ecdsSections(ctx: ProxyContext): {http: object[]; network: object[]} {
  const http: object[] = []
  const network: object[] = []
  if (ctx.ecds) {
    const classes: TrafficClass[] = ctx.router ? ['router/Gateway'] : ['sidecar/Inbound', 'sidecar/Outbound']
    for (const cls of classes) {
      http.push(entry(ctx, telemetryFilterName(cls, 'HTTP'), statsConfig(cls)))
      network.push(entry(ctx, telemetryFilterName(cls, 'TCP'), statsConfig(cls)))
    }
  }
  if (!ctx.router) {
    for (const p of applicableWasmPlugins(ctx)) {
      const name = `${p.namespace}.${p.name}`
      // the agent stores fetched modules as /var/lib/istio/data/<sha256(url)>/<module sha256>.wasm
      const digest = createHash('sha256').update(p.url).digest('hex')
      http.push(
        entry(ctx, name, {
          '@type': T.wasm,
          config: {
            name,
            vm_config: {
              runtime: 'envoy.wasm.runtime.v8',
              code: {local: {filename: `/var/lib/istio/data/${digest}/${p.sha256}.wasm`}},
              environment_variables: {key_values: {ISTIO_META_WASM_PLUGIN_RESOURCE_VERSION: '1605'}},
            },
            configuration: {},
          },
        }),
      )
    }
  }
  const byName = (a: object, b: object) => {
    const na = (a as {ecds_filter: {name: string}}).ecds_filter.name
    const nb = (b as {ecds_filter: {name: string}}).ecds_filter.name
    return na < nb ? -1 : na > nb ? 1 : 0
  }
  return {http: http.sort(byName), network: network.sort(byName)}
}
