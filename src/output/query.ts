/** `--query`: a JMESPath expression (JMESPath Community edition) applied to a view's JSON document. */
import {compile, type JSONValue, register, TreeInterpreter, TYPE_ARRAY, TYPE_EXPREF, TYPE_NUMBER, TYPE_STRING, tokenize} from '@jmespath-community/jmespath'
import {UsageError} from '../errors/index.js'

interface KeyRuntime {
  createKeyFunction(expref: unknown, allowed: number[]): (item: unknown) => number | string
}

/**
 * max_by / min_by as the JMESPath specification defines them: the element whose key (all numbers or all strings) is
 * largest / smallest, the first one on a tie, null for an empty array. @jmespath-community/jmespath 1.3.0 starts its
 * comparison from -Infinity / Infinity, which no string compares with, so string keys always gave null (reported
 * upstream: functionMaxBy/functionMinBy should start from the first element's key); this replaces both.
 */
function extremeBy(larger: boolean) {
  return function (this: KeyRuntime, [array, expref]: [unknown[], unknown]): unknown {
    const key = this.createKeyFunction(expref, [TYPE_NUMBER, TYPE_STRING])
    let best: unknown = null
    let bestKey: number | string | undefined
    for (const item of array) {
      const k = key(item)
      if (bestKey !== undefined && typeof k !== typeof bestKey) {
        throw new Error(`${larger ? 'max_by' : 'min_by'}: the keys must be all numbers or all strings, got ${typeof bestKey} and ${typeof k}`)
      }
      if (bestKey === undefined || (larger ? k > bestKey : k < bestKey)) {
        best = item
        bestKey = k
      }
    }
    return best
  }
}

const BY_SIGNATURE = [{types: [TYPE_ARRAY]}, {types: [TYPE_EXPREF]}]
for (const [name, larger] of [
  ['max_by', true],
  ['min_by', false],
] as const) {
  // the library's types refuse built-in names even with override (which its runtime supports)
  ;(register as unknown as (n: string, f: unknown, s: unknown, o: {override: boolean}) => unknown)(name, extremeBy(larger), BY_SIGNATURE, {override: true})
}

export interface CompiledQuery {
  expression: string
  ast: ReturnType<typeof compile>
  /** applies the query; a runtime failure is a usage error */
  search(data: unknown): unknown
}

const messageOf = (err: unknown): string => String((err as Error)?.message ?? err).split('\n')[0]

function tryCompile(expression: string): string | undefined {
  try {
    compile(expression)
    return undefined
  } catch (err) {
    return messageOf(err)
  }
}

/**
 * The library reports no position, so find it: the first token at which the expression, cut just after
 * that token, fails with the same message. End-of-input errors point past the last character.
 */
function errorPosition(expression: string, message: string): number | undefined {
  if (/\bEOF\b|end of (?:input|expression)/i.test(message)) return expression.length
  let tokens: Array<{start: number; value: unknown}>
  try {
    tokens = tokenize(expression) as Array<{start: number; value: unknown}>
  } catch {
    return undefined
  }
  for (const tok of tokens) {
    const end = Math.min(expression.length, tok.start + Math.max(1, String(tok.value ?? '').length))
    if (tryCompile(expression.slice(0, end)) === message) return tok.start
  }
  return undefined
}

/** Compiles the expression; a syntax error is a usage error that names the position. */
export function compileQuery(expression: string): CompiledQuery {
  if (expression.trim() === '') throw new UsageError('--query is empty; give a JMESPath expression such as "[].name"', {code: 'E_QUERY'})
  try {
    const ast = compile(expression)
    const q: CompiledQuery = {expression, ast, search: (data) => runQuery(q, data)}
    return q
  } catch (err) {
    const msg = messageOf(err).replace(/^Syntax error[:,]\s*/i, '')
    const pos = errorPosition(expression, messageOf(err))
    const where = pos === undefined ? '' : pos >= expression.length ? ' at the end' : ` at position ${pos} (near "${expression.slice(pos, pos + 12)}")`
    throw new UsageError(`invalid --query expression${where}: ${msg}`, {code: 'E_QUERY'})
  }
}

export function runQuery(q: CompiledQuery, data: unknown): unknown {
  try {
    return TreeInterpreter.search(q.ast, data as JSONValue)
  } catch (err) {
    throw new UsageError(`--query "${q.expression}" failed: ${messageOf(err)}`, {code: 'E_QUERY'})
  }
}
