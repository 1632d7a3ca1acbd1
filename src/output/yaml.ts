/**
 * YAML as istioctl prints it (sigs.k8s.io/yaml JSONToYAML, i.e. go-yaml v2, YAML 1.1): keys sorted,
 * 2-space indent, sequences not indented under their key, no line folding; strings that YAML 1.1 would
 * read as another type (numbers, booleans, null, timestamps) double-quoted, other strings that need
 * quoting single-quoted.
 */
import {Document, type Scalar, type ScalarTag, type Tags} from 'yaml'

const STR = 'tag:yaml.org,2002:str'

/**
 * The tests of the YAML 1.1 tags other than str that resolve a plain scalar (null, bool, int in every base,
 * sexagesimal, float, timestamp): a string one of them matches would read back, unquoted, as another type, and Go
 * double-quotes it. These are the whole-text tests the yaml library's own resolver and stringifier apply, as
 * go-yaml's resolve() takes the whole text: `null # x` or ` 1` stay strings (the emitter then single-quotes them).
 */
function ambiguity(tags: Tags): (s: string) => boolean {
  // a tag may also be named by a string (resolved later by the library); the schema's own list holds the objects
  const tests = tags.flatMap((t) => (typeof t === 'object' && 'test' in t && t.default === true && t.tag !== STR && t.test ? [t.test] : []))
  return (s) => tests.some((re) => re.test(s))
}

/**
 * The schema's str tag, double-quoting an ambiguous string (keys too) as it is written: no second pass over the
 * document, no parse per string (for the 5,000 proxies of a large mesh's `ps -o yaml` these took a third of 3 s).
 */
function goStrings(tags: Tags): Tags {
  const ambiguous = ambiguity(tags)
  return tags.map((t) => {
    if (typeof t !== 'object' || t.tag !== STR || !('stringify' in t) || !t.stringify) return t
    const plain = t as ScalarTag
    const stringify: NonNullable<ScalarTag['stringify']> = (item, ctx, onComment, onChompKeep) => {
      const node = item as Scalar
      if (typeof node.value === 'string' && ambiguous(node.value)) node.type = 'QUOTE_DOUBLE'
      return plain.stringify!(node, ctx, onComment, onChompKeep)
    }
    return {...plain, stringify}
  })
}

export function goYaml(value: unknown): string {
  const doc = new Document(value, {version: '1.1', sortMapEntries: true, aliasDuplicateObjects: false, customTags: goStrings})
  return doc.toString({indentSeq: false, lineWidth: 0, minContentWidth: 0, singleQuote: true})
}
