// diff's baseline in BENCHMARKS.md (section 2): the least a Node program does to compare two dumps: read both
// files and JSON.parse them (then print one line, so that the work cannot be skipped).
// Usage: node bench/baseline-parse2.mjs <file-a> <file-b>
import {readFileSync} from 'node:fs'

const a = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const b = JSON.parse(readFileSync(process.argv[3], 'utf8'))
process.stdout.write(`${(a.configs ?? []).length} ${(b.configs ?? []).length}\n`)
