/**
 * Evaluating the unified matcher (`xds.type.matcher.v3.Matcher`) as current Envoy does (source/common/matcher:
 * list_matcher.h, exact_map_matcher.h, prefix_map_matcher.h, map_matcher.h; IP matcher doc
 * https://www.envoyproxy.io/docs/envoy/latest/xds/type/matcher/v3/ip.proto). Generic over the inputs: the caller
 * says what each input's value is (network inputs for filter chains, HTTP inputs for virtual hosts).
 *
 * - `matcher_list`: field matchers in order; the first whose predicate holds *and whose on_match yields an action*
 *   wins (a nested matcher that does not match lets the scan go on); nothing ⇒ `on_no_match`.
 * - `matcher_tree`: the input's value (absent ⇒ `on_no_match`) looked up in `exact_match_map` or `prefix_match_map`
 *   (longest prefix first; a branch whose nested matcher fails falls to the next shorter prefix, runtime flag
 *   `prefix_map_matcher_resume_after_subtree_miss`, on in current Envoy) or a `custom_match` `IPMatcher` (longest
 *   range first; a less specific range is tried after a failing more specific one only if it is not `exclusive`);
 *   a miss, or a hit whose branch fails, ⇒ `on_no_match`.
 * - `on_match.keep_matching` makes a matched action not count (the scan continues).
 * Older Envoy releases did not resume after a failing nested matcher: the first branch's result was final.
 */
import {get, getArray, getBool, getNumber, getObject, getString, isObject, type Json, type JsonObject, typeName, typeUrl} from '../envoy/fields.js'
import {describeStringMatcher, matchString} from './matchers.js'
import {cidrContains, cidrText, makeCidr, parseIp} from './net.js'

/** What the caller knows about one input. `value` undefined = the input has no value (matches no key). */
export interface InputValue {
  /** short name of the input for explanations, e.g. `DestinationPortInput` */
  label: string
  value?: string
  /** true when the value cannot be known statically (reported as an assumption) */
  unknown?: boolean
}

export type InputResolver = (input: JsonObject | undefined) => InputValue

export interface MatcherOutcome {
  /** the action that was reached (a TypedExtensionConfig), or undefined when nothing matched */
  action?: JsonObject
  /** what was decided, step by step */
  steps: string[]
  /** inputs whose value was not known statically, and unsupported matchers */
  assumptions: string[]
}

interface Ctx {
  resolve: InputResolver
  steps: string[]
  assumptions: string[]
  depth: number
}

/** The short message name of an input's typed_config: `...network.v3.DestinationPortInput` → `DestinationPortInput`. */
export function inputTypeName(input: Json | undefined): string {
  const t = typeName(typeUrl(getObject(input, 'typed_config')))
  return t.slice(t.lastIndexOf('.') + 1) || getString(input, 'name') || '(input)'
}

/** `xds.type.matcher.v3.StringMatcher` / `envoy.type.matcher.v3.StringMatcher` (matchers.ts, shared with routes). undefined = not evaluable. */
export function stringMatches(m: Json | undefined, value: string): boolean | undefined {
  const r = matchString(isObject(m) ? m : undefined, value)
  return r.unknown ? undefined : r.ok
}


function inputOf(ctx: Ctx, input: JsonObject | undefined): InputValue {
  const v = ctx.resolve(input)
  if (v.unknown) ctx.assumptions.push(`${v.label} is not known statically: treated as having no value`)
  return v
}

function predicateHolds(p: Json | undefined, ctx: Ctx): boolean {
  const single = getObject(p, 'single_predicate')
  if (single) {
    const v = inputOf(ctx, getObject(single, 'input'))
    const vm = getObject(single, 'value_match')
    if (!vm) {
      ctx.assumptions.push(`single_predicate on ${v.label} uses a custom_match this engine does not evaluate: treated as no match`)
      return false
    }
    if (v.value === undefined) {
      ctx.steps.push(`${v.label} has no value: ${describeStringMatcher(isObject(vm) ? vm : undefined)} does not hold`)
      return false
    }
    const r = stringMatches(vm, v.value)
    if (r === undefined) {
      ctx.assumptions.push(`${v.label}: ${describeStringMatcher(isObject(vm) ? vm : undefined)} could not be evaluated: treated as no match`)
      return false
    }
    ctx.steps.push(`${v.label} '${v.value}' ${r ? 'matches' : 'does not match'} ${describeStringMatcher(isObject(vm) ? vm : undefined)}`)
    return r
  }
  const or = getObject(p, 'or_matcher')
  if (or) return getArray(or, 'predicate').some((q) => predicateHolds(q, ctx))
  const and = getObject(p, 'and_matcher')
  if (and) return getArray(and, 'predicate').every((q) => predicateHolds(q, ctx))
  const not = get(p, 'not_matcher')
  if (isObject(not)) return !predicateHolds(not, ctx)
  ctx.assumptions.push('a predicate of an unknown form: treated as no match')
  return false
}

/** An OnMatch: the action it reaches, or undefined when its nested matcher does not match (or keep_matching). */
function onMatch(om: Json | undefined, ctx: Ctx): JsonObject | undefined {
  if (!isObject(om)) return undefined
  const nested = getObject(om, 'matcher')
  let action: JsonObject | undefined
  if (nested) action = evaluate(nested, ctx)
  else action = getObject(om, 'action')
  if (action && getBool(om, 'keep_matching')) {
    ctx.steps.push('keep_matching: the action does not count, matching goes on')
    return undefined
  }
  return action
}

function onNoMatch(m: JsonObject, ctx: Ctx, what: string): JsonObject | undefined {
  const onm = get(m, 'on_no_match')
  if (!isObject(onm)) {
    ctx.steps.push(`${what}; no on_no_match`)
    return undefined
  }
  ctx.steps.push(`${what}: on_no_match`)
  return onMatch(onm, ctx)
}

function evaluate(m: JsonObject, ctx: Ctx): JsonObject | undefined {
  if (ctx.depth > 32) {
    ctx.assumptions.push('matcher nesting deeper than 32 levels: not followed')
    return undefined
  }
  ctx.depth++
  try {
    const list = getObject(m, 'matcher_list')
    if (list) {
      const matchers = getArray(list, 'matchers')
      for (let i = 0; i < matchers.length; i++) {
        const fm = matchers[i]
        if (!predicateHolds(get(fm, 'predicate'), ctx)) continue
        const action = onMatch(get(fm, 'on_match'), ctx)
        if (action) {
          ctx.steps.push(`matcher_list entry ${i} matched`)
          return action
        }
        ctx.steps.push(`matcher_list entry ${i}: predicate holds but its on_match did not match; trying the next`)
      }
      return onNoMatch(m, ctx, 'no matcher_list entry matched')
    }
    const tree = getObject(m, 'matcher_tree')
    if (tree) {
      const v = inputOf(ctx, getObject(tree, 'input'))
      if (v.value === undefined) return onNoMatch(m, ctx, `${v.label} has no value`)
      const exact = getObject(tree, 'exact_match_map')
      if (exact) {
        const map = getObject(exact, 'map') ?? {}
        const hit = Object.hasOwn(map, v.value) ? map[v.value] : undefined
        if (hit !== undefined) {
          const action = onMatch(hit, ctx)
          if (action) {
            ctx.steps.push(`${v.label} '${v.value}': exact_match_map entry '${v.value}'`)
            return action
          }
          return onNoMatch(m, ctx, `${v.label} '${v.value}': exact_match_map entry's nested matcher did not match`)
        }
        return onNoMatch(m, ctx, `${v.label} '${v.value}' is not a key of exact_match_map (${Object.keys(map).slice(0, 8).join(', ')}${Object.keys(map).length > 8 ? ', …' : ''})`)
      }
      const prefix = getObject(tree, 'prefix_match_map')
      if (prefix) {
        const map = getObject(prefix, 'map') ?? {}
        const keys = Object.keys(map)
          .filter((k) => v.value!.startsWith(k))
          .sort((a, b) => b.length - a.length)
        for (const k of keys) {
          const action = onMatch(map[k], ctx)
          if (action) {
            ctx.steps.push(`${v.label} '${v.value}': prefix_match_map entry '${k}'`)
            return action
          }
          ctx.steps.push(`${v.label} '${v.value}': prefix '${k}' branch did not match; trying a shorter prefix`)
        }
        return onNoMatch(m, ctx, `${v.label} '${v.value}': no prefix_match_map entry matched`)
      }
      const custom = getObject(tree, 'custom_match')
      if (custom) {
        const cfg = getObject(custom, 'typed_config')
        const t = typeName(typeUrl(cfg))
        if (t.endsWith('IPMatcher')) return ipMatcher(m, cfg!, v, ctx)
        ctx.assumptions.push(`custom_match ${t || getString(custom, 'name')} is not evaluated: treated as no match`)
        return onNoMatch(m, ctx, `custom_match ${t} not evaluated`)
      }
      ctx.assumptions.push('matcher_tree of an unknown form: treated as no match')
      return onNoMatch(m, ctx, 'unknown matcher_tree')
    }
    // no matcher_list / matcher_tree: Envoy's AnyMatcher, always on_no_match
    return onNoMatch(m, ctx, 'matcher without list or tree')
  } finally {
    ctx.depth--
  }
}

/** xds.type.matcher.v3.IPMatcher: longest range first; less specific non-exclusive ranges after a nested failure. */
function ipMatcher(m: JsonObject, cfg: JsonObject, v: InputValue, ctx: Ctx): JsonObject | undefined {
  const ip = parseIp(v.value!)
  if (!ip) return onNoMatch(m, ctx, `${v.label} '${v.value}' is not an IP address`)
  const hits: Array<{len: number; text: string; rm: Json; exclusive: boolean; order: number}> = []
  getArray(cfg, 'range_matchers').forEach((rm, order) => {
    let best: {len: number; text: string} | undefined
    for (const r of getArray(rm, 'ranges')) {
      const c = makeCidr(getString(r, 'address_prefix'), getNumber(r, 'prefix_len'))
      if (c && cidrContains(c, ip) && (!best || c.len > best.len)) best = {len: c.len, text: cidrText(c)}
    }
    if (best) hits.push({...best, rm, exclusive: getBool(rm, 'exclusive'), order})
  })
  hits.sort((a, b) => b.len - a.len || a.order - b.order)
  for (let i = 0; i < hits.length; i++) {
    const h = hits[i]!
    if (i > 0 && h.exclusive) {
      ctx.steps.push(`${h.text} is exclusive and a more specific range exists: skipped`)
      continue
    }
    const action = onMatch(get(h.rm, 'on_match'), ctx)
    if (action) {
      ctx.steps.push(`${v.label} ${v.value} in ${h.text} (IPMatcher)`)
      return action
    }
    ctx.steps.push(`${v.label} ${v.value} in ${h.text}, but its nested matcher did not match`)
  }
  return onNoMatch(m, ctx, `${v.label} ${v.value}: no IPMatcher range matched`)
}

/** Evaluates a matcher; never throws. */
export function evaluateMatcher(matcher: JsonObject, resolve: InputResolver): MatcherOutcome {
  const ctx: Ctx = {resolve, steps: [], assumptions: [], depth: 0}
  const action = evaluate(matcher, ctx)
  return {action, steps: ctx.steps, assumptions: [...new Set(ctx.assumptions)]}
}
