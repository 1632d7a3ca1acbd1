/**
 * Kubeconfig files for the sandbox: one cluster (`sandbox`, the CA inlined as certificate-authority-data), one user
 * per token (bearer token), one context per user (`sandbox-<user>`), plus the context `sandbox` for the default user.
 */
import fs from 'node:fs'
import path from 'node:path'
import {stringify} from 'yaml'
import type {SandboxToken} from './types.js'

export interface KubeconfigOptions {
  /** user name (from SandboxSpec.tokens) or the token itself; default: the sandbox's default user */
  user?: string
  /** the context's namespace; default `default` */
  namespace?: string
  /** which context is current: default `sandbox` (the chosen user) */
  context?: string
}

export interface KubeconfigInput {
  server: string
  caPem: string
  tokens: Map<string, SandboxToken>
  defaultToken: string
}

/** Kubeconfig user names: the token's user, suffixed when several tokens belong to the same user. */
export function kubeconfigUsers(tokens: Map<string, SandboxToken>): Array<{name: string; token: string}> {
  const seen = new Map<string, number>()
  const out: Array<{name: string; token: string}> = []
  for (const [token, t] of tokens) {
    const n = seen.get(t.user) ?? 0
    seen.set(t.user, n + 1)
    out.push({name: n === 0 ? t.user : `${t.user}-${n + 1}`, token})
  }
  return out
}

export function renderKubeconfig(input: KubeconfigInput, opts: KubeconfigOptions = {}): string {
  const users = kubeconfigUsers(input.tokens)
  const ns = opts.namespace ?? 'default'
  const chosen = opts.user === undefined ? users.find((u) => u.token === input.defaultToken) : users.find((u) => u.name === opts.user || u.token === opts.user)
  if (!chosen) throw new Error(`no sandbox token for user "${opts.user}"; known users: ${users.map((u) => u.name).join(', ')}`)
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [{name: 'sandbox', cluster: {server: input.server, 'certificate-authority-data': Buffer.from(input.caPem).toString('base64')}}],
    users: users.map((u) => ({name: u.name, user: {token: u.token}})),
    contexts: [
      {name: 'sandbox', context: {cluster: 'sandbox', user: chosen.name, namespace: ns}},
      ...users.map((u) => ({name: `sandbox-${u.name}`, context: {cluster: 'sandbox', user: u.name, namespace: ns}})),
    ],
    'current-context': opts.context ?? 'sandbox',
  }
  return stringify(config)
}

export function writeKubeconfigFile(file: string, input: KubeconfigInput, opts: KubeconfigOptions = {}): string {
  fs.mkdirSync(path.dirname(file), {recursive: true})
  fs.writeFileSync(file, renderKubeconfig(input, opts), {mode: 0o600})
  return file
}
