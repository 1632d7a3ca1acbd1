/**
 * `pc log` against istioctl's vectors (../shared/conformance/istioctl/derived/vectors/proxy-config-log.json): the
 * command's own flag definitions parse each case's argv, and the run goes through a fake Envoy that answers every
 * request to the vectors' pod with logging.txt (istio's test double) and records the requests made.
 */
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, test} from 'node:test'
import {parse} from '@oclif/core/parser'
import Log from '../../commands/proxy-config/log.js'
import {isMeshctlError} from '../../src/errors/index.js'
import {type LogTarget, type ProxyLogFlags, type ProxyLogIo, resetLevelFromValues, runProxyLog} from '../../src/cli/proxy-log.js'
import {describeChanges, loggerChanges, parseActiveLoggers, parseLevelFlag, planQueries} from '../../src/envoy/logging.js'
import {sharedUrl} from '../helpers/shared.js'

interface Req {
  method: string
  path: string
  query: string
}
interface Vector {
  args: string[]
  wantError: boolean
  requests: Array<Req | {unordered: Req[]}>
  stdoutParts?: Array<string | {file: string}>
  expectedString?: string
  stderrContains?: string
  assumes?: string
}

const vectors = JSON.parse(readFileSync(sharedUrl('conformance/istioctl/derived/vectors/proxy-config-log.json'), 'utf8')) as {
  setup: {adminPort: number}
  cases: Vector[]
}
const istioctl = (rel: string): string => readFileSync(sharedUrl(`conformance/istioctl/${rel}`), 'utf8')
const LOGGING_TXT = istioctl('head-86c9f01/istioctl/pkg/writer/envoy/logging/testdata/logging.txt')
const POD = 'details-v1-5b7f94f9bc-wp5tb'

interface Run {
  code: number
  error?: string
  stdout: string
  stderr: string
  requests: Req[]
}

/** The argv after `pc log`, through Log's own flags, then runProxyLog over the fake. */
async function run(v: Vector): Promise<Run> {
  const requests: Req[] = []
  let stdout = ''
  let stderr = ''
  const io: ProxyLogIo<LogTarget> = {
    // a bare pod name is used as given, in the default namespace (istioctl's rule; the fake has no API)
    resolve: async (pod) => [{id: pod!.includes('.') ? pod! : `${pod}.default`}],
    post: async (t, query) => {
      requests.push({method: 'POST', path: '/logging', query})
      if (t.id !== `${POD}.default`) throw new Error(`unable to retrieve Pod: pods "${t.id.split('.')[0]}" not found`)
      return LOGGING_TXT
    },
    resetLevel: async () => {
      const m = /data\.values = (\{.*\})$/.exec(v.assumes ?? '')
      if (!m) throw new Error('configmaps "istio-sidecar-injector" not found')
      return resetLevelFromValues(m[1]!)
    },
    out: (t) => {
      stdout += t
    },
    err: (t) => {
      stderr += t
    },
  }
  try {
    const {args, flags} = await parse(v.args.slice(2), {flags: Log.flags, args: Log.args, strict: true})
    const code = await runProxyLog(args.pod, flags as ProxyLogFlags, io)
    return {code, stdout, stderr, requests}
  } catch (err) {
    const e = err as Error
    return {code: isMeshctlError(e) ? e.exitCode : 1, error: isMeshctlError(e) ? e.oneLine : e.message, stdout, stderr, requests}
  }
}

/** Requests match in order, an `unordered` group as a set at its place. */
function assertRequests(got: Req[], want: Vector['requests']): void {
  let i = 0
  for (const w of want) {
    if ('unordered' in w) {
      const slice = got.slice(i, i + w.unordered.length)
      const key = (r: Req): string => `${r.method} ${r.path}?${r.query}`
      assert.deepEqual(slice.map(key).sort(), w.unordered.map(key).sort())
      i += w.unordered.length
    } else {
      assert.deepEqual(got[i], w, `request ${i}`)
      i++
    }
  }
  assert.equal(got.length, i, `number of requests: ${JSON.stringify(got)}`)
}

describe('pc log: istioctl vectors', () => {
  assert.equal(vectors.cases.length, 28)
  for (const v of vectors.cases) {
    test(v.args.slice(2).join(' ') + (v.assumes?.includes('data.values') ? ' (ConfigMap with a level)' : ''), async () => {
      const r = await run(v)
      assertRequests(r.requests, v.requests)
      if (v.wantError) {
        assert.notEqual(r.code, 0)
        assert.ok(r.error !== undefined, 'an error')
        assert.ok(`${r.stdout}${r.stderr}${r.error}`.includes(v.expectedString!), `${r.error} contains ${v.expectedString}`)
        return
      }
      assert.equal(r.code, 0, r.error)
      const want = (v.stdoutParts ?? []).map((p) => (typeof p === 'string' ? p : istioctl(p.file))).join('')
      assert.equal(r.stdout, want)
      if (v.stderrContains) assert.ok(r.stderr.includes(v.stderrContains), r.stderr)
      else assert.doesNotMatch(r.stderr, /Warning/)
    })
  }
})

describe('pc log: usage errors exit 2, the pod error keeps its code', () => {
  test('bad level, bad logger, --level with --reset, -o json', async () => {
    for (const args of [['--level', 'xxx'], ['--level', 'xxx:debug'], ['--level', 'debug', '-r'], ['-o', 'json']]) {
      const r = await run({args: ['pc', 'log', POD, ...args], wantError: true, requests: []})
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.error}`)
    }
  })
})

describe('pc log: several pods', () => {
  const text = (level: string): string => `active loggers:\n  admin: ${level}\n  http: ${level}\n\n`
  test('reads every pod first, checks loggers against the last, then sets each pod in order; a failing pod is reported and the others print', async () => {
    const levels = new Map([
      ['a.ns', 'warning'],
      ['b.ns', 'warning'],
      ['c.ns', 'warning'],
    ])
    const calls: string[] = []
    let stdout = ''
    let stderr = ''
    const io: ProxyLogIo<LogTarget> = {
      resolve: async (_pod, selector) => {
        assert.equal(selector, 'app=x')
        return [{id: 'a.ns'}, {id: 'b.ns'}, {id: 'c.ns'}]
      },
      post: async (t, q) => {
        calls.push(`${t.id} ${q}`)
        if (t.id === 'b.ns' && q !== '') throw new Error('connection reset')
        const m = /^(level|http)=(.*)$/.exec(q)
        if (m) levels.set(t.id, m[2]!)
        const l = levels.get(t.id)!
        return m?.[1] === 'http' ? `active loggers:\n  admin: ${l === m[2] ? 'debug' : l}\n  http: ${m[2]}\n\n` : text(l)
      },
      resetLevel: async () => undefined,
      out: (t) => {
        stdout += t
      },
      err: (t) => {
        stderr += t
      },
    }
    const code = await runProxyLog('ignored-with-selector', {selector: 'app=x', level: 'debug', reset: false, 'max-concurrency': 1}, io)
    assert.deepEqual(calls, ['a.ns ', 'b.ns ', 'c.ns ', 'a.ns level=debug', 'b.ns level=debug', 'c.ns level=debug'])
    assert.equal(stdout, `a.ns:\n${text('debug')}c.ns:\n${text('debug')}`)
    assert.match(stderr, /^Error: error configuring log level for b\.ns: connection reset$/m)
    assert.match(stderr, /^a\.ns: changed admin: warning -> debug, http: warning -> debug$/m)
    assert.equal(code, 1)
  })
  test('a pod that cannot be read stops everything before any change', async () => {
    const calls: string[] = []
    const io: ProxyLogIo<LogTarget> = {
      resolve: async () => [{id: 'a.ns'}, {id: 'b.ns'}],
      post: async (t, q) => {
        calls.push(`${t.id} ${q}`)
        if (t.id === 'b.ns') throw new Error('port-forward failed')
        return text('info')
      },
      resetLevel: async () => undefined,
      out: () => {},
      err: () => {},
    }
    await assert.rejects(runProxyLog('deploy/x', {level: 'debug', reset: false, 'max-concurrency': 4}, io), /port-forward failed/)
    assert.deepEqual(calls.sort(), ['a.ns ', 'b.ns '])
  })
})

describe('pc log: pure parts', () => {
  test('levels and loggers', () => {
    assert.deepEqual(planQueries(parseLevelFlag('warn', LOGGING_TXT)), ['level=warning'])
    assert.deepEqual(planQueries(parseLevelFlag('info,http:debug,http=trace,envoy::redis:off', LOGGING_TXT)), ['level=info', 'http=trace', 'redis=off'])
    assert.deepEqual(planQueries(parseLevelFlag('http:debug,info', LOGGING_TXT)), ['level=info'])
    assert.deepEqual(planQueries({loggers: new Map()}), [''])
    assert.throws(() => parseLevelFlag('constructor', LOGGING_TXT), /unrecognized logging level: constructor/)
  })
  test('active loggers listing and the change summary', () => {
    const before = parseActiveLoggers(LOGGING_TXT)
    assert.equal(before.get('http'), 'warning')
    assert.equal(before.size, 40)
    const after = new Map([...before].map(([k]) => [k, 'debug']))
    const summary = describeChanges(loggerChanges(before, after))
    assert.match(summary, new RegExp(`^changed ${before.size} loggers -> debug \\(were warning \\d+`))
    assert.equal(describeChanges(loggerChanges(before, before)), 'no logger changed level')
    assert.equal(parseActiveLoggers('error: unknown logger level\n\nusage: /logging?level=<level>\nactive loggers:\n  a: info\n\n').get('a'), 'info')
  })
  test('the ConfigMap values', async () => {
    assert.equal(await resetLevelFromValues('{"sidecarInjectorWebhook":{"global":{"proxy":{"logLevel":"debug"}}}}'), 'debug')
    assert.equal(await resetLevelFromValues('{"global":{"proxy":{"logLevel":"debug"}}}'), undefined)
    assert.equal(await resetLevelFromValues('sidecarInjectorWebhook:\n  global:\n    proxy:\n      logLevel: info\n'), 'info')
  })
})
