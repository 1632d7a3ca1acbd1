import {Command} from '@oclif/core/command'
import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {commonFlags, onePodFlags, outputFlag} from '../src/cli/flags.js'
import {runTrace} from '../src/cli/trace.js'

export default class Trace extends Command {
  static override summary = 'Follow one request through a proxy: listener, filter chain, route, cluster, endpoint, as Envoy decides it'
  static override description = `Walks the proxy's configuration the way Envoy would for this request and says where it ends: the endpoint it reaches, a redirect or direct response, or the failure the client would see (404 NR, 503 NC, 503 UH, a closed connection) with the likely Istio cause.

The request is a URL: http://host[:port]/path (HTTP/1.1), h2c://... (HTTP/2 without TLS, e.g. gRPC), https://... (TLS, SNI = host), tcp://ip:port (opaque TCP), tls://host:port (TLS that is not HTTP). Outbound through the pod's sidecar is the default; --inbound traces a request arriving at the pod; a gateway (no virtualOutbound listener) is traced from the listener on the request's port (--port picks another).

Exit code 0 when the request reaches an endpoint (or a configured redirect or direct response), 10 when it fails inside the proxy.

With --tests, runs route-table tests written for Envoy's router_check_tool against -f (a RouteConfiguration, or a config dump with --route-name).`
  static override usage = ['<%= command.id %> [<type>/]<name>[.<namespace>] <url> [flags]', '<%= command.id %> --file <dump> <url> [flags]', '<%= command.id %> --tests <tests.yaml> --file <routes.yaml> [flags]']
  static override examples = [
    '<%= config.bin %> trace deploy/productpage-v1 http://reviews:9080/reviews/0',
    '<%= config.bin %> trace -f productpage.json http://reviews:9080/reviews/0 -H "end-user: jason"',
    '<%= config.bin %> trace deploy/istio-ingressgateway.istio-system https://bookinfo.example.com/productpage --port 8443',
    '<%= config.bin %> trace reviews-v1-xxx http://reviews:9080/reviews/0 --inbound',
    '<%= config.bin %> trace -f dump.json tcp://10.96.0.15:3306',
    '<%= config.bin %> trace --tests tests.yaml -f routes.yaml',
  ]
  static override args = {
    pod: Args.string({description: 'Pod to trace from: [<type>/]<name>[.<namespace>] (omit with --file)', required: false, ignoreStdin: true}),
    url: Args.string({description: 'The request: http://host:port/path, https://..., h2c://..., tcp://ip:port, tls://host:port', required: false, ignoreStdin: true}),
  }
  static override flags = {
    ...commonFlags,
    ...onePodFlags,
    output: outputFlag(),
    'clusters-file': Flags.string({description: "Envoy /clusters?format=json answer for the dump given with --file (live host health and outlier ejection)", helpValue: '<path>'}),
    method: Flags.string({char: 'X', description: 'HTTP method', default: 'GET'}),
    header: Flags.string({char: 'H', description: "Request header 'name: value' (repeatable)", multiple: true}),
    'dest-ip': Flags.string({description: 'The address the application dials (default: the service VIP a listener is bound to for that host:port, else any address, which lands on 0.0.0.0:<port>)'}),
    'source-ip': Flags.string({description: 'The client address, for source-IP filter chain matches (default: the pod itself outbound, 10.0.0.2 inbound)'}),
    sni: Flags.string({description: 'TLS server name the client sends (default: the URL host)'}),
    alpn: Flags.string({description: 'TLS ALPN protocols the client offers, in order, comma-separated (default for https: h2,http/1.1)'}),
    inbound: Flags.boolean({description: 'Trace a request arriving at this pod (virtualInbound, port 15006) instead of one it sends'}),
    mtls: Flags.boolean({description: "With --inbound: the client is a mesh sidecar speaking Istio mTLS (use --no-mtls for a plaintext client)", default: true, allowNo: true}),
    port: Flags.integer({description: 'Gateways: the listener port the request arrives on (the container port, e.g. 8080 for a Service port 80)', min: 1, max: 65535}),
    pick: Flags.integer({description: 'Weighted clusters: follow only this entry (0-based; default: every entry, with the share of requests each gets)', min: 0}),
    verbose: Flags.boolean({description: 'Also show the candidates each step tried and why each did not match'}),
    tests: Flags.string({description: "Run router_check_tool route tests from this file (JSON or YAML) against --file", helpValue: '<path>'}),
    'route-name': Flags.string({description: 'With --tests and a config dump: the route configuration to test'}),
    details: Flags.boolean({description: 'With --tests: print every test, not only the failing ones'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Trace)
    await runTrace(args, flags)
  }
}
