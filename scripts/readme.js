// Regenerates the command reference in docs/reference.md (between the `<!-- commands -->` markers) from oclif's
// own help output for every visible command. `node scripts/readme.js --check` fails when it is stale.
import {readFileSync, writeFileSync} from 'node:fs'
import {Config, Help} from '@oclif/core'

const root = new URL('..', import.meta.url).pathname
const config = await Config.load(root)
const help = new Help(config, {stripAnsi: true, maxWidth: 110})
const own = new Set(config.getPluginsList().find((p) => p.name === config.name)?.commandIDs ?? [])
const commands = config.commands.filter((c) => !c.hidden && own.has(c.id)).sort((a, b) => a.id.localeCompare(b.id))

const sections = commands.map((c) => {
  const id = c.id.replaceAll(':', ' ')
  const text = help
    .formatCommand(c)
    .replace(/\u001b\[[0-9;]*m/g, '')
    .replace(/[ \t]+$/gm, '')
  // the summary as oclif's help shows it: its templates (`<%= config.bin %>`) rendered
  const summary = (c.summary ?? '').replaceAll('<%= config.bin %>', config.bin).replaceAll('<%= command.id %>', id)
  return `### \`meshctl ${id}\`\n\n${summary}\n\n\`\`\`\n${text.trim()}\n\`\`\``
})
const body = `<!-- commands -->\n${sections.join('\n\n')}\n<!-- commandsstop -->`

const readmePath = new URL('../docs/reference.md', import.meta.url)
const readme = readFileSync(readmePath, 'utf8')
const next = readme.replace(/<!-- commands -->[\s\S]*<!-- commandsstop -->/, body)
if (process.argv.includes('--stdout')) {
  // the generated reference alone (for tests)
  process.stdout.write(`${body}\n`)
} else if (process.argv.includes('--check')) {
  if (next !== readme) {
    console.error('docs/reference.md (the command reference) is stale: run `npm run readme`')
    process.exit(1)
  }
} else {
  writeFileSync(readmePath, next)
}
