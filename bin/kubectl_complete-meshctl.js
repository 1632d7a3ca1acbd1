#!/usr/bin/env node
// kubectl's plugin completion (kubectl >= 1.26): at `kubectl meshctl <TAB>`, kubectl runs `kubectl_complete-meshctl`
// from PATH with the words after `meshctl` (the one being completed last) and reads cobra's answer, which
// `meshctl __complete` prints (src/cli/completion.ts).
process.argv.splice(2, 0, '__complete', '--')
await import('./run.js')
