// `npm run demo`: the tour `meshctl demo` takes (src/cli/demo.ts), run from the checkout's build.
import {fileURLToPath} from 'node:url'
import {runDemo} from '../dist/src/cli/demo.js'

const failed = await runDemo({bin: fileURLToPath(new URL('../bin/run.js', import.meta.url))})
process.exit(failed ? 1 : 0)
