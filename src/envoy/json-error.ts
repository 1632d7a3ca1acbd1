/**
 * Locating a JSON syntax error by byte offset. V8's JSON.parse messages do not always carry a position
 * (and count UTF-16 units when they do), so on failure the bytes are scanned once more to find exactly
 * where the document stops being JSON. Only used on the error path.
 */

export interface JsonSyntaxProblem {
  offset: number
  message: string
}

const WS = new Set([0x20, 0x0a, 0x0d, 0x09])

export function findJsonError(buf: Uint8Array): JsonSyntaxProblem {
  let i = 0
  const n = buf.length
  const skipWs = (): void => {
    while (i < n && WS.has(buf[i])) i++
  }
  const fail = (message: string): never => {
    throw {offset: i, message} satisfies JsonSyntaxProblem
  }
  const end = (what: string): never => fail(`unexpected end of input inside ${what} (is the file truncated?)`)
  const describe = (): string => {
    const c = buf[i]
    return c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`
  }

  const string = (): void => {
    i++ // opening quote
    while (i < n) {
      const c = buf[i]
      if (c === 0x22) {
        i++
        return
      }
      if (c === 0x5c) {
        i += 2
        continue
      }
      if (c < 0x20) fail('control character inside a string')
      i++
    }
    end('a string')
  }
  const literal = (word: string): void => {
    for (let k = 0; k < word.length; k++) {
      if (i >= n) end('a literal')
      if (buf[i] !== word.charCodeAt(k)) fail(`unexpected ${describe()}`)
      i++
    }
  }
  const number = (): void => {
    const start = i
    while (i < n && /[-+0-9.eE]/.test(String.fromCharCode(buf[i]))) i++
    const text = Buffer.from(buf.subarray(start, i)).toString('latin1')
    if (!/^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?$/.test(text)) {
      i = start
      fail(`invalid number`)
    }
  }
  const value = (depth: number, what: string): void => {
    skipWs()
    if (i >= n) end(what)
    const c = buf[i]
    if (c === 0x7b) object(depth + 1)
    else if (c === 0x5b) array(depth + 1)
    else if (c === 0x22) string()
    else if (c === 0x74) literal('true')
    else if (c === 0x66) literal('false')
    else if (c === 0x6e) literal('null')
    else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) number()
    else fail(`unexpected ${describe()}, expected a value`)
  }
  const object = (depth: number): void => {
    i++
    skipWs()
    if (i < n && buf[i] === 0x7d) {
      i++
      return
    }
    for (;;) {
      skipWs()
      if (i >= n) end('an object')
      if (buf[i] !== 0x22) fail(`unexpected ${describe()}, expected a property name in double quotes`)
      string()
      skipWs()
      if (i >= n) end('an object')
      if (buf[i] !== 0x3a) fail(`unexpected ${describe()}, expected ':' after a property name`)
      i++
      value(depth, 'an object')
      skipWs()
      if (i >= n) end('an object')
      if (buf[i] === 0x2c) {
        i++
        continue
      }
      if (buf[i] === 0x7d) {
        i++
        return
      }
      fail(`unexpected ${describe()}, expected ',' or '}'`)
    }
  }
  const array = (depth: number): void => {
    i++
    skipWs()
    if (i < n && buf[i] === 0x5d) {
      i++
      return
    }
    for (;;) {
      value(depth, 'an array')
      skipWs()
      if (i >= n) end('an array')
      if (buf[i] === 0x2c) {
        i++
        continue
      }
      if (buf[i] === 0x5d) {
        i++
        return
      }
      fail(`unexpected ${describe()}, expected ',' or ']'`)
    }
  }

  try {
    if (n >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3
    value(0, 'the document')
    skipWs()
    if (i < n) fail(`unexpected ${describe()} after the end of the document`)
  } catch (problem) {
    if (typeof problem === 'object' && problem !== null && 'offset' in problem) return problem as JsonSyntaxProblem
    throw problem
  }
  return {offset: n, message: 'invalid JSON'}
}
