// Date and label formatting shared by the views. Dates come as YYYY-MM-DD,
// timestamps as ISO 8601 UTC; both are shown in the current language's format
// (zh-CN: 2026年11月27日 20:00) and the browser's time zone.
import dayjs from 'dayjs'
import { i18n } from '../i18n'

const t = (key: string, params?: Record<string, unknown>) => i18n.global.t(key, params || {})
const te = (key: string) => i18n.global.te(key)

/** A calendar date (YYYY-MM-DD) in the current language; '—' when empty. */
export function fmtDate(s: string | null | undefined): string {
  if (!s) return '—'
  const d = dayjs(s)
  return d.isValid() ? d.format(t('fmt.date')) : String(s)
}

/** A timestamp (ISO 8601) in local time; '—' when empty. */
export function fmtDateTime(s: string | null | undefined, seconds = false): string {
  if (!s) return '—'
  const d = dayjs(s)
  return d.isValid() ? d.format(t(seconds ? 'fmt.datetimeSec' : 'fmt.datetime')) : String(s)
}

/** Translate `prefix.code`, or show the raw code when no translation exists. */
export function label(prefix: string, code: string | null | undefined): string {
  if (code === null || code === undefined || code === '') return '—'
  const key = `${prefix}.${code}`
  return te(key) ? t(key) : String(code)
}

export const kindLabel = (k: string | null | undefined) => label('orgKinds', k)
export const roleLabel = (r: string | null | undefined) => label('roles', r)
export const liaisonKindLabel = (k: string | null | undefined) => label('liaisonKinds', k)
export const statusLabel = (s: string | null | undefined) => label('agreementStatus', s)

/** '—' for null/undefined/empty strings, the value otherwise. */
export function orDash(v: unknown): string {
  return v === null || v === undefined || v === '' ? '—' : String(v)
}

/** Element Plus tag type for an agreement status. */
export function statusTagType(s: string): 'success' | 'info' | 'warning' | 'primary' {
  if (s === 'active') return 'success'
  if (s === 'pending') return 'warning'
  return 'info'
}

/**
 * A lock without an end: the server marks a lock by the security administrator
 * with locked_until 9999-12-31T23:59:59Z (until unlocked by hand).
 */
export function lockHasEnd(s: string | null | undefined): boolean {
  if (!s) return false
  const d = dayjs(s)
  return d.isValid() && d.year() < 9999 && d.diff(dayjs(), 'year') < 50
}
