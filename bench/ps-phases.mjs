// Where the CPU of `meshctl ps --file` goes, phase by phase, in one cold process (BENCHMARKS.md issue 15): runs
// meshctl's compiled modules (dist/src, `npm run build` first) as src/istiod/cli.ts does for the table (read,
// parse, decode into the model, the view's rows, the tabwriter, the write to stdout) and prints, on stderr, one JSON
// object: the CPU time (user + system, ms) and the minor page faults of each phase. Compare medians of several runs.
// `--no-turbofan` does what `ps --file` does before decoding (cli.ts withoutTurbofan). The clock is fixed, so the
// table is the same in every run.
// Usage: node bench/ps-phases.mjs <file> [--no-turbofan] > /dev/null
import {readFileSync, writeSync} from 'node:fs'
import {setFlagsFromString} from 'node:v8'

const [file, flag] = process.argv.slice(2)
if (!file) {
  process.stderr.write('usage: node bench/ps-phases.mjs <file> [--no-turbofan] > /dev/null\n')
  process.exit(2)
}
const dist = new URL('../dist/src/', import.meta.url)
const decode = await import(new URL('istiod/decode.js', dist).href)
const view = await import(new URL('views/proxy-status.js', dist).href)
const render = await import(new URL('output/render.js', dist).href)
if (flag === '--no-turbofan') setFlagsFromString('--no-turbofan')

const phases = {}
let cpu = process.cpuUsage()
let faults = process.resourceUsage().minorPageFault
const mark = (name) => {
  const c = process.cpuUsage(cpu)
  const f = process.resourceUsage().minorPageFault
  phases[name] = {cpuMs: Math.round((c.user + c.system) / 100) / 10, pageFaults: f - faults}
  cpu = process.cpuUsage()
  faults = process.resourceUsage().minorPageFault
}
const bytes = readFileSync(file)
mark('read')
const value = decode.parseStatusBytes(bytes, file)
mark('parse')
const set = {istiods: decode.decodeStatusValue(value, file)}
mark('decode')
const result = view.proxyStatusView(decode.filterNamespace(set, undefined), {now: new Date('2026-12-06T12:00:00Z')})
mark('rows')
const text = render.render(result, {format: 'short'})
mark('render')
writeSync(1, text)
mark('write')
process.stderr.write(`${JSON.stringify(phases)}\n`)
