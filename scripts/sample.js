// Writes sample dumps of the Bookinfo mesh (made by the project's generator) for the README's quick start:
// samples/<app>.json (config_dump with EDS), samples/<app>.clusters.json (/clusters?format=json). The same files
// `meshctl demo` reads (src/cli/demo.ts).
import {mkdirSync} from 'node:fs'
import {writeSamples} from '../dist/src/cli/demo.js'

const dir = process.argv[2] ?? new URL('../samples/', import.meta.url).pathname.replace(/\/$/, '')
mkdirSync(dir, {recursive: true})
await writeSamples(dir, (line) => process.stderr.write(`${line}\n`))
