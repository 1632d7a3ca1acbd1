/**
 * The parts of @kubernetes/client-node meshctl uses, in one module that src/kube imports lazily. Named imports
 * let the bundler (scripts/bundle.js) keep only what they reach: the package's index pulls in every generated
 * API client and model (about half a second to load), of which meshctl needs none.
 */
export {Exec, KubeConfig} from '@kubernetes/client-node'
export {WebSocketHandler} from '@kubernetes/client-node/dist/web-socket-handler.js'
// the WebSocket class the handler's own code uses (through isomorphic-ws): one copy of ws, in the bundle with it
export {WebSocket} from 'ws'
