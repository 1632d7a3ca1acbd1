/**
 * The shared body of every proxy-config command: check the arguments, get the bytes from the source,
 * decode, build the view, render, print. Commands only declare flags and pick a view.
 */
import type {Command} from '@oclif/core'
import {type AdminDocument, parseAdminDocument} from '../envoy/document.js'
import {UsageError} from '../errors/index.js'
import type {CompiledQuery} from '../output/query.js'
import {type OutputFormat, render} from '../output/render.js'
import {wantColor} from '../output/theme.js'
import {fileSource} from '../sources/file.js'
import type {DumpSource, Need} from '../sources/types.js'
import type {ViewResult} from '../views/types.js'

export interface CommonFlagValues {
  file?: string
  output: OutputFormat
  query?: CompiledQuery
  color?: boolean
}

export interface ViewSpec {
  /** the subcommand's name in messages, as istioctl: `cluster`, `listener`, ... */
  name: string
  need: Need
  build: (doc: AdminDocument, input: {bytes: Uint8Array; source: string}) => ViewResult
}

function chooseSource(name: string, pod: string | undefined, flags: CommonFlagValues): DumpSource {
  if ((pod && flags.file) || (!pod && !flags.file)) {
    throw new UsageError(`${name} requires pod name or --file parameter (give exactly one)`)
  }
  if (pod) {
    throw new UsageError(`reading from a live pod is not available in this build yet; save a dump and use --file`, {
      hint: `kubectl exec ${pod} -c istio-proxy -- pilot-agent request GET config_dump > dump.json`,
    })
  }
  return fileSource(flags.file!)
}

export async function runView(_cmd: Command, pod: string | undefined, flags: CommonFlagValues, spec: ViewSpec): Promise<void> {
  const source = chooseSource(spec.name, pod, flags)
  const input = await source.fetch(spec.need)
  const doc = parseAdminDocument(input.bytes, input.source)
  const result = spec.build(doc, input)
  const color = wantColor({flag: flags.color, isTTY: Boolean(process.stdout.isTTY), env: process.env})
  const styler = color && flags.output === 'short' && !flags.query ? (await import('../output/theme.js')).makeStyler() : undefined
  const toYaml = flags.output === 'yaml' ? (await import('../output/yaml.js')).goYaml : undefined
  const out = render(result, {format: flags.output, query: flags.query, styler, toYaml})
  for (const w of result.warnings ?? []) process.stderr.write(`Warning: ${w}\n`)
  await write(out)
}

/** Writes everything to stdout and waits until it is flushed (large outputs, pipes). */
function write(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (text === '') return resolve()
    process.stdout.write(text, (err) => (err ? reject(err) : resolve()))
  })
}
