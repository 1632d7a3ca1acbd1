/** Flags shared by meshctl commands, each validated at parse time with a one-line usage error. */
import {Args, Flags} from '@oclif/core'
import {UsageError} from '../errors/index.js'
import {compileQuery} from '../output/query.js'
import {OUTPUT_FORMATS, type OutputFormat} from '../output/render.js'

export const outputFlag = (defaultFormat: OutputFormat = 'short') =>
  Flags.custom<OutputFormat>({
    char: 'o',
    description: `Output format: one of ${OUTPUT_FORMATS.join('|')}`,
    default: defaultFormat,
    parse: async (value) => {
      if (!(OUTPUT_FORMATS as readonly string[]).includes(value)) {
        throw new UsageError(`output format "${value}" not supported; use one of ${OUTPUT_FORMATS.join(', ')}`)
      }
      return value as OutputFormat
    },
  })()

/** A non-negative filter port (0 = no filter). */
export const filterPort = (description: string) =>
  Flags.custom<number>({
    description,
    parse: async (value) => {
      if (!/^\d+$/.test(value) || Number(value) > 65535) throw new UsageError(`--port "${value}" is not a port number (0-65535)`)
      return Number(value)
    },
  })()

export const commonFlags = {
  file: Flags.string({char: 'f', description: 'Envoy config dump file (JSON or YAML); - reads standard input', helpValue: '<path>'}),
  query: Flags.custom<ReturnType<typeof compileQuery>>({
    description: 'JMESPath expression applied to the JSON document of the view (prints JSON, or YAML with -o yaml)',
    helpValue: '<expr>',
    parse: async (value) => compileQuery(value),
  })(),
  color: Flags.boolean({description: 'Colour the tables (default: only when writing to a terminal and NO_COLOR is unset)', allowNo: true}),
}

export const podArg = {
  // ignoreStdin: oclif would otherwise read piped stdin into a missing argument (breaking `-f -`)
  pod: Args.string({description: 'Pod to inspect: [<type>/]<name>[.<namespace>]', required: false, ignoreStdin: true}),
}

/** Filter flags, shared by each view's command and by `pc all` (help texts as istioctl's). */
export const clusterFilterFlags = {
  fqdn: Flags.string({description: 'Filter clusters by substring of Service FQDN field'}),
  direction: Flags.string({description: 'Filter clusters by Direction field'}),
  subset: Flags.string({description: 'Filter clusters by substring of Subset field'}),
}

export const verboseFlag = (description: string) => Flags.boolean({description, default: true, allowNo: true})

export const endpointFilterFlags = {
  address: Flags.string({description: 'Filter endpoints by address field'}),
  cluster: Flags.string({description: 'Filter endpoints by cluster name field'}),
  status: Flags.string({description: 'Filter endpoints by status field (healthy, unhealthy, draining, timeout, degraded, unknown)'}),
}

/** The usage lines every proxy-config command shares: a pod, or a saved dump. */
export const podOrFileUsage = ['<%= command.id %> [<type>/]<name>[.<namespace>] [flags]', '<%= command.id %> --file <path> [flags]']
