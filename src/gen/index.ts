/**
 * meshctl's generator of realistic Istio-style Envoy admin output (`/config_dump`, `/clusters?format=json`)
 * from a small mesh model. Used by tests, the sandbox cluster that emulates Envoy admin endpoints, and
 * benchmarks. Everything is deterministic: the same inputs give byte-identical output.
 */
export type {BookinfoOptions} from './bookinfo.js'
export {bookinfo, DEFAULT_ISTIO_VERSION} from './bookinfo.js'
export type {CertValidity} from './certs.js'
export {gatewayCertChainPem, rootCertPem, workloadCertChainPem} from './certs.js'
export type {ClustersStatusJson} from './clusters-status.js'
export {clustersStatus, clustersStatusDocument, writeClustersStatus} from './clusters-status.js'
export type {ConfigDumpJson, ConfigDumpOptions, ProxyRef} from './configdump.js'
export {configDump, configDumpDocument, writeConfigDump} from './configdump.js'
export {GenError} from './errors.js'
export type {ChunkWriter, StreamOptions} from './lazy.js'
export {materialize, streamJson} from './lazy.js'
export type * from './model.js'
export {createMesh} from './model.js'
export type {ContainerInfo, ProxyInfo} from './proxies.js'
export {findPod, iterateProxies, proxies, proxyInfo} from './proxies.js'
export type {SyntheticOptions} from './synthetic.js'
export {syntheticMesh} from './synthetic.js'
export type {DumpFormat, WriteResult} from './write.js'
export {writeDocumentToFile, writeDumpToFile} from './write.js'
