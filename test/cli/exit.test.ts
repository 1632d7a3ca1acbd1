/**
 * The entry point ends the process as soon as a command's output is written (src/cli/main.ts exitWhenWritten), and
 * nothing printed is lost on the way: megabytes into a pipe whose reader is slow, into a file, and the exit code
 * the command set.
 */
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {proxies, syntheticMesh} from '../../src/gen/index.js'
import {writeDumpToFile} from '../../src/gen/write.js'
import {BIN, runCli} from '../helpers/cli.js'

const MAIN = new URL('../../src/cli/main.js', import.meta.url).href

const tmp = mkdtempSync(join(tmpdir(), 'meshctl-exit-'))
const DUMP = join(tmp, 'dump.json')

before(async () => {
  const mesh = syntheticMesh({services: 60})
  await writeDumpToFile(mesh, proxies(mesh)[0]!, DUMP, {includeEds: true})
})
after(() => rmSync(tmp, {recursive: true, force: true}))

/**
 * meshctl with stdout a pipe whose reader stops for `pauseMs` after the first chunk: the writes behind it wait in
 * the pipe and in meshctl's stream. (A reader attached only later would see nothing: Node drains a child's unread
 * pipes when it exits.)
 */
function slowReader(args: string[], pauseMs: number, argv = [BIN, ...args]): Promise<{code: number | null; stdout: Buffer}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, {stdio: ['ignore', 'pipe', 'inherit']})
    const chunks: Buffer[] = []
    child.stdout.on('data', (c: Buffer) => {
      chunks.push(c)
      if (chunks.length === 1) {
        child.stdout.pause()
        setTimeout(() => child.stdout.resume(), pauseMs)
      }
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({code, stdout: Buffer.concat(chunks)}))
  })
}

describe('exit once the output is written', () => {
  test('pc all -o json of a dump of several MB into a pipe read late: every byte, exit 0', async () => {
    assert.ok(statSync(DUMP).size > 1_000_000)
    const r = await slowReader(['pc', 'all', '-f', DUMP, '-o', 'json'], 500)
    assert.equal(r.code, 0)
    assert.ok(r.stdout.equals(readFileSync(DUMP)), `${r.stdout.length} bytes of ${statSync(DUMP).size}`)
  })
  test('a table into a pipe read late: every row', async () => {
    const whole = await runCli(['pc', 'clusters', '-f', DUMP])
    const r = await slowReader(['pc', 'clusters', '-f', DUMP], 300)
    assert.equal(r.code, 0)
    assert.equal(r.stdout.toString(), whole.stdout)
    assert.ok(whole.stdout.split('\n').length > 100)
  })
  test("the command's exit code: 10 from check's findings, 3 from bad input", async () => {
    const check = await slowReader(['check', '-f', DUMP, '--fail-on', 'info', '-o', 'json'], 200)
    assert.equal(check.code, 10)
    assert.ok(Array.isArray(JSON.parse(check.stdout.toString())))
    assert.equal((await runCli(['pc', 'clusters', '-f', join(tmp, 'missing.json')])).code, 3)
  })
  test('exitWhenWritten waits for output still buffered (written without waiting for it): the process ends once it is out', async () => {
    const script = `import {exitWhenWritten} from ${JSON.stringify(MAIN)}; process.exitCode = 7; process.stdout.write('x'.repeat(4 << 20)); exitWhenWritten()`
    const r = await slowReader([], 300, ['--input-type=module', '-e', script])
    assert.equal(r.code, 7)
    assert.equal(r.stdout.length, 4 << 20)
  })
})
