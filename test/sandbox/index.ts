/**
 * Lets `node --test dist/test/sandbox/` work on Node >= 22, whose test runner no longer expands a directory
 * argument (it loads it as a module, i.e. this index.js): imports every `*.test.js` next to it, so all sandbox test
 * files run in this one process. Each file keeps its hooks inside a describe(), so nothing leaks between files.
 * Globs (`node --test 'dist/test/sandbox/*.test.js'`) still run the files one process each; they skip this file.
 */
import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const dir = path.dirname(fileURLToPath(import.meta.url))
for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.test.js')).sort()) {
  await import(pathToFileURL(path.join(dir, f)).href)
}
