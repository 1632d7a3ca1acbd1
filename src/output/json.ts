/** JSON as Go's encoding/json MarshalIndent prints it (4-space indent, <>& and U+2028/9 escaped). */
export function goJson(value: unknown, indent = 4): string {
  const text = JSON.stringify(value, null, indent) ?? 'null'
  return text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
