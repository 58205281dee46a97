// Shared pieces of the centre and activity views: the four functions of a
// neighbourhood centre, activity kinds (configurable categories of domain
// 'activity', labelled in the current language), option sources and the raw
// photo upload.
import { reactive } from 'vue'
import { api, apiUrl, ApiError, type Page } from '../../api'
import { i18n } from '../../i18n'
import type { Fetcher, Option } from '../../utils/pickers'

export const FUNCTIONS = ['gov', 'convenience', 'enterprise', 'housing'] as const
export const functionTagType: Record<string, 'danger' | 'success' | 'warning' | 'primary'> = {
  gov: 'danger', convenience: 'success', enterprise: 'warning', housing: 'primary',
}
export const functionLabel = (f: string) => (i18n.global.te(`centers.functions.${f}`) ? i18n.global.t(`centers.functions.${f}`) : f)

export interface Kind { code: string; label_zh?: string; label_en?: string; active?: boolean | number }
export const kinds = reactive<{ list: Kind[]; loaded: boolean }>({ list: [], loaded: false })

// Fallback when GET /categories is not there: the codes of migration 006.
const DEFAULT_KINDS = ['free_clinic', 'elderly_help', 'disability_help', 'reading', 'open_day', 'training', 'culture_class', 'volunteer']

/** Loads the activity kinds once (active ones). */
export async function loadKinds(): Promise<Kind[]> {
  if (kinds.loaded) return kinds.list
  try {
    const res = await api.get<any>('/categories', { domain: 'activity' })
    const items: Kind[] = Array.isArray(res) ? res : res?.items || []
    kinds.list = items.filter((k) => k.active === undefined || !!k.active)
  } catch {
    kinds.list = DEFAULT_KINDS.map((code) => ({ code }))
  }
  if (!kinds.list.length) kinds.list = DEFAULT_KINDS.map((code) => ({ code }))
  kinds.loaded = true
  return kinds.list
}

/** The label of an activity kind (from the server's labels, else the i18n fallback, else the code). */
export function kindName(code: string | null | undefined, row?: { kind_label_zh?: string; kind_label_en?: string; label_zh?: string; label_en?: string }): string {
  if (!code) return '—'
  const en = i18n.global.locale.value === 'en'
  const k = kinds.list.find((x) => x.code === code)
  const fromRow = row ? (en ? row.kind_label_en || row.label_en : row.kind_label_zh || row.label_zh) : undefined
  const fromList = k ? (en ? k.label_en : k.label_zh) : undefined
  if (fromRow) return fromRow
  if (fromList) return fromList
  return i18n.global.te(`activities.kinds.${code}`) ? i18n.global.t(`activities.kinds.${code}`) : code
}

/** Centres matching q (for filters and the activity form). */
export function centerFetcher(): Fetcher {
  return async (q) => {
    const p = await api.get<Page<any>>('/centers', { q: q || null, page: 1, page_size: 50 })
    return (p?.items || []).map((c) => ({ value: c.id, label: c.name, sub: c.area_name, raw: c }))
  }
}

/** Uploads one photo file (raw body) to an activity; answers its photo list. */
export async function uploadPhoto(activityId: number | string, file: File): Promise<any> {
  const me = await api.get<any>('/me')
  const res = await fetch(apiUrl(`/activities/${activityId}/photos`, { name: file.name }), {
    method: 'POST',
    headers: { 'Content-Type': file.type || 'application/octet-stream', 'X-CSRF-Token': me?.csrf_token || '', Accept: 'application/json' },
    body: file,
    credentials: 'same-origin',
  })
  const text = await res.text()
  let data: any = null
  try { data = text ? JSON.parse(text) : null } catch { data = null }
  if (!res.ok) throw new ApiError(res.status, data && typeof data === 'object' ? data : { title: res.statusText, status: res.status })
  return data
}

export type { Option }
