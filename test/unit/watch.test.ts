/**
 * `--watch`: the interval grammar, the frame cut to the terminal, and the refresh loop (on a fake terminal and on
 * a fake pipe). The real terminal and Ctrl-C are covered by test/cli/proxy-status-watch.test.ts.
 */
import assert from 'node:assert/strict'
import {EventEmitter} from 'node:events'
import {describe, test} from 'node:test'
import {type Snapshot, watchLoop} from '../../src/cli/watch.js'
import {type MeshctlError, ProxyError} from '../../src/errors/index.js'
import {normalizeWatchArgv, parseInterval} from '../../src/istiod/flags.js'
import {fitFrame, formatInterval} from '../../src/output/watch-frame.js'

describe('the interval', () => {
  test('durations: bare seconds, ms, s, m, fractions', () => {
    assert.equal(parseInterval('2'), 2000)
    assert.equal(parseInterval('1.5s'), 1500)
    assert.equal(parseInterval('500ms'), 500)
    assert.equal(parseInterval('1m'), 60_000)
    assert.equal(parseInterval('1h'), 3_600_000)
  })
  test('nonsense and too-short intervals are usage errors (exit 2)', () => {
    for (const bad of ['soon', '1s2', '', '1d']) {
      assert.throws(() => parseInterval(bad), (e: MeshctlError) => e.exitCode === 2 && /not a duration; use e\.g\. 30s/.test(e.message), bad)
    }
    assert.throws(() => parseInterval('-1s'), (e: MeshctlError) => e.exitCode === 2 && /must not be negative/.test(e.message))
    // beyond Node's timer limit a setTimeout fires at once: 2500000s refreshed in a tight loop
    assert.throws(() => parseInterval('2500000s'), (e: MeshctlError) => e.exitCode === 2 && /too long; the longest is 596h/.test(e.message))
    assert.throws(() => parseInterval('100ms'), /too short; the shortest is 500ms/)
  })
  test('formatInterval', () => {
    assert.deepEqual([2000, 1500, 500, 60_000, 90_000].map(formatInterval), ['2s', '1.5s', '500ms', '1m', '90s'])
  })
  test('--watch takes an optional value', () => {
    assert.deepEqual(normalizeWatchArgv(['--watch']), ['--watch=2s'])
    assert.deepEqual(normalizeWatchArgv(['-w', '5s', '-n', 'foo']), ['--watch=5s', '-n', 'foo'])
    assert.deepEqual(normalizeWatchArgv(['--watch', '-n', 'foo']), ['--watch=2s', '-n', 'foo'])
    assert.deepEqual(normalizeWatchArgv(['--watch', '1.5']), ['--watch=1.5'])
    assert.deepEqual(normalizeWatchArgv(['--watch=1m']), ['--watch=1m'])
    // a pod name after --watch stays an argument (and is then refused with a clear message)
    assert.deepEqual(normalizeWatchArgv(['--watch', 'productpage-v1']), ['--watch=2s', 'productpage-v1'])
    assert.deepEqual(normalizeWatchArgv(['--', '--watch', '5']), ['--', '--watch', '5'])
    assert.deepEqual(normalizeWatchArgv(['-n', 'foo']), ['-n', 'foo'])
    // every duration the flag takes is its value, not a pod name: 1h, and -1s (then refused as negative)
    assert.deepEqual(normalizeWatchArgv(['-w', '1h']), ['--watch=1h'])
    assert.deepEqual(normalizeWatchArgv(['-w', '-1s']), ['--watch=-1s'])
  })
})

describe('the frame', () => {
  const table = ['NAME   STATE', 'a.ns   SYNCED', 'b.ns   STALE', 'c.ns   ERROR', 'd.ns   SYNCED', ''].join('\n')
  test('fits: status line, blank line, the output without its last newline', () => {
    assert.equal(fitFrame('Every 2s: meshctl ps', table, {columns: 80, rows: 24}), `Every 2s: meshctl ps\n\n${table.trimEnd()}`)
  })
  test('too tall: the first lines (header included) and a note of how many are hidden; never more rows than the terminal minus one', () => {
    const f = fitFrame('S', table, {columns: 80, rows: 6}, {one: 'proxy', many: 'proxies'})
    assert.deepEqual(f.split('\n'), ['S', '', 'NAME   STATE', 'a.ns   SYNCED', '… 3 more proxies below the screen; narrow with -n or --query, or pipe the output'.slice(0, 80)])
    assert.ok(f.split('\n').length <= 6 - 1)
    assert.match(fitFrame('S', table, {columns: 200, rows: 7}, {one: 'proxy', many: 'proxies'}), /… 2 more proxies below/)
    assert.match(fitFrame('S', 'h\n1\n2\n3\n4\n5\n', {columns: 200, rows: 8}), /\n3\n… 2 more lines below/)
  })
  test('too wide: each line cut to the terminal with …, colours closed', () => {
    const f = fitFrame('a status line that is long', `\u001b[32m${'x'.repeat(30)}\u001b[39m\nshort`, {columns: 10, rows: 24})
    const lines = f.split('\n')
    assert.equal(lines[0], 'a status …')
    assert.equal(lines[2], `\u001b[32m${'x'.repeat(9)}…\u001b[39m`)
    assert.equal(lines[3], 'short')
  })
})

/** A stream that records what is written, with the properties log-update and the loop read. */
class FakeStream extends EventEmitter {
  chunks: string[] = []
  constructor(
    public isTTY: boolean,
    public columns = 100,
    public rows = 30,
  ) {
    super()
  }
  write(chunk: string | Uint8Array): boolean {
    this.chunks.push(String(chunk))
    return true
  }
  get text(): string {
    return this.chunks.join('')
  }
}

/** refreshes answer from a script; the loop is stopped after the script runs out */
function scripted(steps: Array<Snapshot | Error>, controller: AbortController): {refresh: () => Promise<Snapshot>; calls: () => number} {
  let i = 0
  return {
    refresh: async () => {
      const step = steps[i++]
      if (i >= steps.length) setImmediate(() => controller.abort())
      if (step instanceof Error) throw step
      return step!
    },
    calls: () => i,
  }
}

const snap = (text: string, summary?: string): Snapshot => ({text, summary})
const at = new Date(2026, 10, 22, 6, 5, 9)

describe('the loop, piped', () => {
  test('tables one after the other, separated by a blank line; the loop ends when stopped', async () => {
    const controller = new AbortController()
    const out = new FakeStream(false)
    const {refresh, calls} = scripted([snap('T1\n'), snap('T2\n'), snap('T3\n')], controller)
    await watchLoop({intervalMs: 1, refresh, title: 'meshctl ps', format: 'table', color: false, signal: controller.signal, stdout: out as never, stderr: out as never})
    assert.equal(out.text, 'T1\n\nT2\n\nT3\n')
    assert.equal(calls(), 3)
  })
  test('YAML documents separated by ---, JSON documents back to back', async () => {
    for (const [format, expected] of [
      ['yaml', 'a: 1\n---\na: 2\n'],
      ['json', '{"a": 1}\n{"a": 2}\n'],
    ] as const) {
      const controller = new AbortController()
      const out = new FakeStream(false)
      const texts = format === 'yaml' ? ['a: 1\n', 'a: 2\n'] : ['{"a": 1}\n', '{"a": 2}\n']
      await watchLoop({intervalMs: 1, ...scripted(texts.map((t) => snap(t)), controller), title: 't', format, color: false, signal: controller.signal, stdout: out as never})
      assert.equal(out.text, expected)
    }
  })
  test('warnings of a refresh (one istiod of three down) go to stderr before its output', async () => {
    const controller = new AbortController()
    const out = new FakeStream(false)
    const errs = new FakeStream(false)
    const steps = [{text: 'T1\n', warnings: ['istiod-2: connection refused (the other istiods answered)']}, snap('T2\n')]
    await watchLoop({intervalMs: 1, ...scripted(steps, controller), title: 't', format: 'table', color: false, signal: controller.signal, stdout: out as never, stderr: errs as never})
    assert.equal(errs.text, 'Warning: istiod-2: connection refused (the other istiods answered)\n')
    assert.equal(out.text, 'T1\n\nT2\n')
  })
  test('the first refresh failing is the command failing', async () => {
    const controller = new AbortController()
    const err = new ProxyError('cannot reach istiod')
    await assert.rejects(
      watchLoop({intervalMs: 1, ...scripted([err, snap('T\n')], controller), title: 't', format: 'table', color: false, signal: controller.signal, stdout: new FakeStream(false) as never}),
      (e) => e === err,
    )
  })
  test('a later failure is a warning on stderr; watching goes on', async () => {
    const controller = new AbortController()
    const out = new FakeStream(false)
    const errs = new FakeStream(false)
    const steps = [snap('T1\n'), new ProxyError('istiod-1 restarted', {hint: 'wait'}), snap('T2\n')]
    await watchLoop({intervalMs: 1, ...scripted(steps, controller), title: 't', format: 'table', color: false, signal: controller.signal, stdout: out as never, stderr: errs as never, now: () => at})
    assert.equal(out.text, 'T1\n\nT2\n')
    assert.equal(errs.text, 'Warning: refresh at 06:05:09 failed: istiod-1 restarted; wait\n')
  })
  test('stopping during a refresh that never answers ends the loop at once', {timeout: 10_000}, async () => {
    const controller = new AbortController()
    let n = 0
    const refresh = (): Promise<Snapshot> => (n++ === 0 ? Promise.resolve(snap('T\n')) : new Promise<Snapshot>(() => {}))
    setTimeout(() => controller.abort(), 50)
    await watchLoop({intervalMs: 1, refresh, title: 't', format: 'table', color: false, signal: controller.signal, stdout: new FakeStream(false) as never})
    assert.equal(n, 2)
  })
  test('stopping during the wait ends the loop without waiting the interval out', {timeout: 10_000}, async () => {
    const controller = new AbortController()
    let n = 0
    const refresh = async (): Promise<Snapshot> => {
      n++
      setImmediate(() => controller.abort())
      return snap('T\n')
    }
    await watchLoop({intervalMs: 3_600_000, refresh, title: 't', format: 'table', color: false, signal: controller.signal, stdout: new FakeStream(false) as never})
    // an hour-long interval: had the loop waited it out, the test's timeout would fail it
    assert.equal(n, 1)
  })
})

describe('the loop, on a terminal', () => {
  test('each refresh redraws in place under a status line; the last frame stays when stopped', async () => {
    const controller = new AbortController()
    const tty = new FakeStream(true, 100, 30)
    const steps = [snap('NAME  CDS\na.ns  STALE\n', '1 proxy, 1 not in sync'), snap('NAME  CDS\na.ns  SYNCED\n', '1 proxy, all in sync')]
    await watchLoop({intervalMs: 1, ...scripted(steps, controller), title: 'meshctl ps -n ns', format: 'table', color: false, signal: controller.signal, stdout: tty as never, now: () => at})
    const text = tty.text
    // the frames, in order
    const first = text.indexOf('Every 1ms · asking… · meshctl ps -n ns')
    const second = text.indexOf('Every 1ms · 06:05:09 · 1 proxy, 1 not in sync · meshctl ps -n ns')
    const third = text.indexOf('Every 1ms · 06:05:09 · 1 proxy, all in sync · meshctl ps -n ns')
    assert.ok(first >= 0 && second > first && third > second, text)
    assert.ok(text.indexOf('a.ns  STALE') > second && text.indexOf('a.ns  SYNCED') > third)
    // in place: each new frame moves up over the previous one and erases it
    const between = text.slice(second, third)
    assert.ok(between.includes('\u001b[1A') && between.includes('\u001b[2K'), JSON.stringify(between))
    // the cursor is hidden while drawing and shown again at the end
    assert.ok(text.includes('\u001b[?25l'))
    assert.ok(text.endsWith('\u001b[?25h'), JSON.stringify(text.slice(-40)))
  })
  test('warnings of a refresh are in the status line, not written over the screen', async () => {
    const controller = new AbortController()
    const tty = new FakeStream(true, 300, 30)
    const errs = new FakeStream(false)
    const steps = [{text: 'NAME\n', summary: '0 proxies, all in sync', warnings: ['istiod-2: connection refused']}]
    await watchLoop({intervalMs: 1, ...scripted(steps, controller), title: 'meshctl ps', format: 'table', color: false, signal: controller.signal, stdout: tty as never, stderr: errs as never, now: () => at})
    assert.ok(tty.text.includes('Every 1ms · 06:05:09 · 0 proxies, all in sync · Warning: istiod-2: connection refused · meshctl ps'), tty.text)
    assert.equal(errs.text, '')
  })
  test('a failed refresh keeps the last output and says so in red in the status line; a resize redraws', async () => {
    const controller = new AbortController()
    const tty = new FakeStream(true, 300, 30)
    let n = 0
    const refresh = async (): Promise<Snapshot> => {
      n++
      if (n === 1) return snap('NAME\na.ns\n', '1 proxy, all in sync')
      if (n === 2) {
        setImmediate(() => {
          tty.columns = 20
          tty.emit('resize')
          controller.abort()
        })
        throw new ProxyError('could not get XDS from discovery pod "istiod-1": no answer within 30s')
      }
      return new Promise<Snapshot>(() => {})
    }
    await watchLoop({intervalMs: 1, refresh, title: 'meshctl ps', format: 'table', color: true, signal: controller.signal, stdout: tty as never, now: () => at})
    const text = tty.text
    assert.ok(text.includes('\u001b[31mrefresh at 06:05:09 failed: could not get XDS from discovery pod "istiod-1": no answer within 30s\u001b[39m'), text)
    const failed = text.indexOf('failed: could not')
    assert.ok(text.indexOf('a.ns', failed) > failed, 'the last good output is still drawn')
    // the failure comes before the command, which a narrow terminal cuts first
    assert.ok(text.includes('no answer within 30s\u001b[39m · meshctl ps'))
    // after the resize, the status line is cut to 20 columns
    assert.ok(text.includes('Every 1ms · 06:05:0…\n'), JSON.stringify(text.slice(-300)))
  })
})

test('TERM=dumb on a terminal: snapshots one after another, no cursor escapes (defect 17)', async () => {
  const controller = new AbortController()
  const out = new FakeStream(true)
  const {refresh} = scripted([snap('T1\n'), snap('T2\n')], controller)
  await watchLoop({intervalMs: 1, refresh, title: 'meshctl ps', format: 'table', color: false, signal: controller.signal, stdout: out as never, stderr: out as never, env: {TERM: 'dumb'}})
  assert.equal(out.text, 'T1\n\nT2\n')
  assert.doesNotMatch(out.text, /\u001b/)
})
