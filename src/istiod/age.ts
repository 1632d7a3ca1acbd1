/**
 * Ages as kubectl and istioctl print them: a port of `k8s.io/apimachinery/pkg/util/duration.HumanDuration`,
 * which istioctl applies to `now - lastUpdated`. Pure.
 */

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE

/** Go's integer conversion of a float: truncation toward zero. */
const trunc = (n: number): number => Math.trunc(n)

/** `59s`, `2m30s`, `7m`, `3h`, `5h20m`, `30h`, `3d4h`, `400d`, `2y30d`, `9y`; `0s` just below zero, `<invalid>` beyond -1s. */
export function humanDuration(ms: number): string {
  const seconds = trunc(ms / SECOND)
  if (seconds < -1) return '<invalid>'
  if (seconds < 0) return '0s'
  if (seconds < 60 * 2) return `${seconds}s`
  const minutes = trunc(ms / MINUTE)
  if (minutes < 10) {
    const s = seconds % 60
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`
  }
  if (minutes < 60 * 3) return `${minutes}m`
  const hours = trunc(ms / HOUR)
  if (hours < 8) {
    const m = minutes % 60
    return m === 0 ? `${hours}h` : `${hours}h${m}m`
  }
  if (hours < 48) return `${hours}h`
  if (hours < 24 * 8) {
    const h = hours % 24
    return h === 0 ? `${trunc(hours / 24)}d` : `${trunc(hours / 24)}d${h}h`
  }
  if (hours < 24 * 365 * 2) return `${trunc(hours / 24)}d`
  if (hours < 24 * 365 * 8) {
    const dy = trunc(hours / 24) % 365
    return dy === 0 ? `${trunc(hours / 24 / 365)}y` : `${trunc(hours / 24 / 365)}y${dy}d`
  }
  return `${trunc(hours / 24 / 365)}y`
}

/** The age of `then` at `now`, in that format. */
export function age(then: Date, now: Date): string {
  return humanDuration(now.getTime() - then.getTime())
}
