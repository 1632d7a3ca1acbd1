/** `meshctl version`'s pure parts: image tags, istioctl's coalescing and proxy counting, the three formats. */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {parse} from 'yaml'
import {collectVersion, imageVersion, meshVersionOf, renderControlPlane, renderDataPlane, renderVersion, type ServerInfo} from '../../src/cli/version.js'
import {ClusterError} from '../../src/errors/index.js'

const istiod = (name: string, rev: string | undefined, image: string, container = 'discovery') => ({
  metadata: {name, namespace: 'istio-system', labels: {app: 'istiod', ...(rev ? {'istio.io/rev': rev} : {})}},
  spec: {containers: [{name: 'sidecar-helper', image: 'busybox:9.9'}, {name: container, image}]},
})

describe('imageVersion', () => {
  test('the tag of the last path part; a digest is dropped; a registry port is not a tag', () => {
    assert.equal(imageVersion('docker.io/istio/pilot:1.24.3'), '1.24.3')
    assert.equal(imageVersion('gcr.io/istio-release/pilot:1.22.1-distroless@sha256:abcd'), '1.22.1-distroless')
    assert.equal(imageVersion('registry.local:5000/istio/pilot'), 'unknown')
    assert.equal(imageVersion('registry.local:5000/istio/pilot:1.25.0'), '1.25.0')
    assert.equal(imageVersion('pilot:'), 'unknown')
    assert.equal(imageVersion(undefined), 'unknown')
  })
})

describe('meshVersionOf', () => {
  test("one entry per pod, the discovery container's tag, revision default when unlabelled, sorted by revision then pod", () => {
    const mesh = meshVersionOf([istiod('istiod-b', 'default', 'x/pilot:1.24.3'), istiod('istiod-canary-a', 'canary', 'x/pilot:1.25.0'), istiod('istiod-a', undefined, 'x/pilot:1.24.3')])
    assert.deepEqual(
      mesh.map((m) => [m.Revision, m.Pod, m.Info.version]),
      [
        ['canary', 'istiod-canary-a.istio-system', '1.25.0'],
        ['default', 'istiod-a.istio-system', '1.24.3'],
        ['default', 'istiod-b.istio-system', '1.24.3'],
      ],
    )
    assert.ok(mesh.every((m) => m.Component === 'istiod'))
  })
  test('no discovery container: the only container, else unknown', () => {
    const only = {metadata: {name: 'i', namespace: 'n'}, spec: {containers: [{name: 'pilot', image: 'p:1.2.3'}]}}
    assert.equal(meshVersionOf([only])[0]!.Info.version, '1.2.3')
    assert.equal(meshVersionOf([istiod('i', 'default', 'p:1.2.3', 'other')])[0]!.Info.version, 'unknown')
  })
})

const server = (version: string, Revision: string, pod: string): ServerInfo => ({Component: 'istiod', Revision, Pod: pod, Info: {version}})

describe('the lines istioctl prints', () => {
  test('control plane: one version when every istiod agrees, else each version with its revision', () => {
    assert.equal(renderControlPlane([server('1.24.3', 'default', 'a'), server('1.24.3', 'canary', 'b')]), '1.24.3')
    assert.equal(
      renderControlPlane([server('1.25.0', 'canary', 'c'), server('1.24.3', 'default', 'a'), server('1.24.3', 'default', 'b')]),
      '1.25.0 (revision canary), 1.24.3 (revision default)',
    )
  })
  test('data plane: count per version, versions in byte order, "proxies" even for one; none', () => {
    const p = (ID: string, IstioVersion: string) => ({ID, IstioVersion})
    assert.equal(renderDataPlane([p('a', '1.25.0'), p('b', '1.24.3'), p('c', '1.24.3'), p('d', '1.10.0')]), '1.10.0 (1 proxies), 1.24.3 (2 proxies), 1.25.0 (1 proxies)')
    assert.equal(renderDataPlane([]), 'none (0 proxies)')
  })
  test('short, json and yaml of one report', () => {
    const report = {clientVersion: {version: '0.1.0'}, meshVersion: [server('1.24.3', 'default', 'a.istio-system')], dataPlaneVersion: [{ID: 'p.ns', IstioVersion: '1.24.3'}]}
    assert.equal(renderVersion(report, 'short'), 'client version: 0.1.0\ncontrol plane version: 1.24.3\ndata plane version: 1.24.3 (1 proxies)\n')
    assert.deepEqual(JSON.parse(renderVersion(report, 'json')), report)
    assert.deepEqual(parse(renderVersion(report, 'yaml')), report)
    assert.equal(renderVersion({clientVersion: {version: '0.1.0'}}, 'short'), 'client version: 0.1.0\n')
  })
})

describe('collectVersion', () => {
  test('--short: the client only, the cluster is never opened', async () => {
    const {report, error} = await collectVersion('0.1.0', undefined, {istioNamespace: 'istio-system', warn: () => {}})
    assert.deepEqual(report, {clientVersion: {version: '0.1.0'}})
    assert.equal(error, undefined)
  })
  test('a cluster that cannot be reached: the client version, and the error that says why the rest is missing', async () => {
    const failure = new ClusterError('cannot reach https://127.0.0.1:1')
    const {report, error} = await collectVersion('0.1.0', () => Promise.reject(failure), {istioNamespace: 'istio-system', warn: () => {}})
    assert.deepEqual(report, {clientVersion: {version: '0.1.0'}})
    assert.equal(error, failure)
  })
})
