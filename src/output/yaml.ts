/**
 * YAML as istioctl prints it (sigs.k8s.io/yaml JSONToYAML, i.e. go-yaml v2, YAML 1.1): keys sorted,
 * 2-space indent, sequences not indented under their key, no line folding; strings that YAML 1.1 would
 * read as another type (numbers, booleans, null, timestamps) double-quoted, other strings that need
 * quoting single-quoted.
 */
import {Document, parse, type Scalar, visit} from 'yaml'

/** Would YAML 1.1 read this text, unquoted, as a number, boolean, null or timestamp? Go double-quotes those. */
function ambiguous(s: string): boolean {
  if (s === '') return true
  // only texts starting like a number, bool, null or timestamp can resolve to one
  if (!/^[-+.\d~nNyYtTfFoO]/.test(s)) return false
  try {
    const v: unknown = parse(s, {version: '1.1'})
    return v === null || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || v instanceof Date
  } catch {
    return false
  }
}

export function goYaml(value: unknown): string {
  const doc = new Document(value, {version: '1.1', sortMapEntries: true, aliasDuplicateObjects: false})
  visit(doc, {
    Scalar(_key, node: Scalar) {
      if (typeof node.value === 'string' && ambiguous(node.value)) node.type = 'QUOTE_DOUBLE'
    },
  })
  return doc.toString({indentSeq: false, lineWidth: 0, minContentWidth: 0, singleQuote: true})
}
