/** The benchmark's results, as kept in bench/out/results.json and written into BENCHMARKS.md. */
import type {ProfileSummary} from './profile.js'

export type SectionId = 'startup' | 'decode' | 'scale' | 'live' | 'ps' | 'fanout' | 'trace' | 'check'

export type Verdict = 'PASS' | 'FAIL' | 'info' | 'baseline' | 'not measured'

export interface Row {
  /** what ran, e.g. `meshctl pc clusters -f svc-10k.config_dump.json` */
  measurement: string
  /** the command line, for the record */
  command?: string
  runs?: number
  median?: number
  min?: number
  max?: number
  rssKB?: number
  /** e.g. `1.12× baseline` */
  ratio?: string
  /** e.g. `≤ 1.3×` */
  target?: string
  verdict: Verdict
  note?: string
}

export interface Phases {
  view: string
  file: string
  phases: Array<{name: string; ms: number; rssMB: number; heapMB: number; externalMB: number; peakMB?: number}>
  totalMs: number
  maxRssMB: number
  outputBytes: number
  sections: Array<{type: string; bytes: number}>
}

export interface Machine {
  date: string
  cpus: number
  cpuModel: string
  memory: string
  kernel: string
  node: string
  kubectl: string
  jq: string
}

export interface SectionResult {
  id: SectionId
  title: string
  /** the target as the issue words it */
  target: string
  /** what is measured and how (Markdown paragraphs) */
  method: string[]
  ranAt: string
  mode: string
  machine: Machine
  rows: Row[]
  /** measured explanations, one Markdown line each */
  notes: string[]
  phases?: Phases[]
  profiles?: ProfileSummary[]
  /** overall PASS/FAIL (or not measured) of the target */
  verdict: Verdict
  /** 1-minute load average before and after the section (other work on the machine is not controlled) */
  load?: {before: number; after: number}
}
