// Writes oclif.manifest.json so `meshctl` starts without scanning and importing every command file.
// (Equivalent to `oclif manifest`, without pulling the oclif generator and its dependencies into the project.)
import {writeFileSync} from 'node:fs'
import {Plugin} from '@oclif/core/config'

const root = new URL('..', import.meta.url).pathname
const plugin = new Plugin({root, type: 'core', ignoreManifest: true, errorOnManifestCreate: true})
await plugin.load()
writeFileSync(new URL('../oclif.manifest.json', import.meta.url), JSON.stringify(plugin.manifest, null, 2) + '\n')
