/**
 * What the user typed to name a proxy: `<pod>`, `<pod>.<namespace>`, `<type>/<name>`, `<type>/<name>.<namespace>`
 * (istioctl's rules, docs/istioctl-behaviour.md §2.1). Pure.
 */
import {UsageError} from '../errors/index.js'

/** istioctl's split: the namespace is the text after the last `.` that follows the last `/` (or the last `.`). */
export function splitRef(ref: string, defaultNamespace: string): {name: string; namespace: string} {
  const slash = ref.lastIndexOf('/')
  const dot = ref.lastIndexOf('.')
  if (dot > slash && dot > 0) return {name: ref.slice(0, dot), namespace: ref.slice(dot + 1)}
  return {name: ref, namespace: defaultNamespace}
}

export type WorkloadKind = 'pod' | 'deployment' | 'replicaset' | 'statefulset' | 'daemonset' | 'service' | 'job'

const KIND_ALIASES: Record<string, WorkloadKind> = {
  po: 'pod',
  pod: 'pod',
  pods: 'pod',
  deploy: 'deployment',
  deployment: 'deployment',
  deployments: 'deployment',
  'deployment.apps': 'deployment',
  rs: 'replicaset',
  replicaset: 'replicaset',
  replicasets: 'replicaset',
  'replicaset.apps': 'replicaset',
  sts: 'statefulset',
  statefulset: 'statefulset',
  statefulsets: 'statefulset',
  'statefulset.apps': 'statefulset',
  ds: 'daemonset',
  daemonset: 'daemonset',
  daemonsets: 'daemonset',
  'daemonset.apps': 'daemonset',
  svc: 'service',
  service: 'service',
  services: 'service',
  job: 'job',
  jobs: 'job',
  'job.batch': 'job',
}

export interface TargetRef {
  /** as typed, e.g. `deploy/reviews-v1.default` */
  text: string
  kind: WorkloadKind
  name: string
  namespace: string
}

/** Parses a pod reference; an unknown `type/` is a usage error listing the kinds meshctl resolves. */
export function parseTarget(text: string, defaultNamespace: string): TargetRef {
  const {name: full, namespace} = splitRef(text, defaultNamespace)
  // `pod.` would look the pod up in namespace "" (and say it is not found there)
  if (namespace === '') throw new UsageError(`"${text}" ends with "." but names no namespace; use <name>.<namespace>, or -n`)
  const slash = full.indexOf('/')
  if (slash < 0) {
    if (full === '') throw new UsageError(`"${text}" names no pod`)
    return {text, kind: 'pod', name: full, namespace}
  }
  const type = full.slice(0, slash).toLowerCase()
  const name = full.slice(slash + 1)
  const kind = KIND_ALIASES[type]
  if (!kind) {
    throw new UsageError(`"${text}" does not refer to a pod: meshctl resolves pod, deploy, rs, sts, ds, svc and job references`)
  }
  if (name === '' || name.includes('/')) throw new UsageError(`"${text}" is not a valid <type>/<name> reference`)
  return {text, kind, name, namespace}
}

const LABEL_NAME = '[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?'
const LABEL_KEY = `(?:[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?/)?${LABEL_NAME}`
const LABEL_VALUE = `(?:${LABEL_NAME})?`
const REQUIREMENT = new RegExp(
  `^(?:!\\s*${LABEL_KEY}|${LABEL_KEY}\\s*(?:(?:==?|!=)\\s*${LABEL_VALUE}|[<>]\\s*-?\\d+|\\s(?:in|notin)\\s*\\(\\s*${LABEL_VALUE}(?:\\s*,\\s*${LABEL_VALUE})*\\s*\\))?)$`,
)

/**
 * A label selector as kubectl parses it (k8s.io/apimachinery labels.Parse): comma-separated requirements `key`,
 * `!key`, `key=value`, `key==value`, `key!=value`, `key in (a,b)`, `key notin (a,b)`, `key>1`, `key<1`. A selector
 * that is not one is the command line's fault (exit 2), found before asking the API server (which answers 400).
 */
export function checkLabelSelector(selector: string): void {
  const parts: string[] = []
  let depth = 0
  let cur = ''
  for (const c of selector) {
    if (c === '(') depth++
    if (c === ')') depth--
    if (c === ',' && depth === 0) {
      parts.push(cur)
      cur = ''
    } else cur += c
  }
  parts.push(cur)
  for (const part of parts) {
    if (!REQUIREMENT.test(part.trim())) {
      throw new UsageError(`-l "${selector}" is not a label selector: cannot parse "${part.trim()}"`, {
        hint: 'use e.g. app=reviews, app in (reviews,ratings), !canary, version!=v1',
      })
    }
  }
}
