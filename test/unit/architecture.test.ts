/**
 * The layers stay apart: decoding (src/envoy), views (src/views) and rendering (src/output) are pure
 * functions that never import oclif, client-node or I/O modules; nothing but commands/ and src/cli
 * imports oclif; commands never talk to Kubernetes directly.
 */
import assert from 'node:assert/strict'
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'
import {test} from 'node:test'
import {fileURLToPath} from 'node:url'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

function sources(dir: string): string[] {
  const abs = join(ROOT, dir)
  if (abs.endsWith('.ts')) return [abs]
  return readdirSync(abs).flatMap((name) => {
    const p = join(abs, name)
    if (statSync(p).isDirectory()) return sources(relative(ROOT, p))
    return p.endsWith('.ts') ? [p] : []
  })
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm)].map((m) => m[1] ?? m[2])
}

const rules: Array<{dirs: string[]; forbidden: RegExp; why: string}> = [
  {
    dirs: ['src/envoy', 'src/views', 'src/output', 'src/util', 'src/trace', 'src/istiod/model.ts', 'src/istiod/decode.ts', 'src/istiod/age.ts', 'src/istiod/xds-types.ts', 'src/istiod/fail-on.ts'],
    forbidden: /^(@oclif\/|@kubernetes\/|node:(fs|net|http|https|child_process|tls|dgram)|\.\.\/(cli|kube|sources|sandbox)\/)/,
    why: 'decoding, views and rendering are pure: no CLI framework, no cluster client, no I/O',
  },
  {dirs: ['src/envoy'], forbidden: /^\.\.\/(views|output)\//, why: 'decoding does not know how it is shown'},
  {dirs: ['src/kube', 'src/sources', 'src/errors'], forbidden: /^@oclif\//, why: 'only commands/ and src/cli know oclif'},
  {dirs: ['commands'], forbidden: /^@kubernetes\//, why: 'commands reach Kubernetes only through src/kube'},
  {dirs: ['src'], forbidden: /^\.\.\/(\.\.\/)?(commands|test)\//, why: 'nothing in src/ depends on commands/ or tests'},
]

for (const rule of rules) {
  test(`layers: ${rule.why}`, () => {
    const offenders: string[] = []
    for (const dir of rule.dirs) {
      let files: string[] = []
      try {
        files = sources(dir)
      } catch {
        continue // the folder does not exist yet
      }
      for (const f of files) {
        for (const spec of importsOf(f)) if (rule.forbidden.test(spec)) offenders.push(`${relative(ROOT, f)} imports ${spec}`)
      }
    }
    assert.deepEqual(offenders, [])
  })
}

test('the import scanner sees imports (guards the test itself)', () => {
  const found = importsOf(join(ROOT, 'src/views/clusters.ts'))
  assert.ok(found.includes('../envoy/fields.js'), found.join(', '))
})
