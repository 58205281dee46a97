// Helpers of the three lists (三单: needs, resources, projects) and published
// projects (揭榜领办): categories by domain (GET /categories?domain=), money in
// fen shown as ¥1,234.56, the reasons of a match, option sources for resources
// and dossiers of a type.
import { reactive } from 'vue'
import { api, type Page } from '../../api'
import { i18n, currentLang } from '../../i18n'
import type { Fetcher, Option } from '../../utils/pickers'

const t = (key: string, params?: Record<string, unknown>) => i18n.global.t(key, params || {})

export interface Category {
  domain: string
  code: string
  label_zh: string
  label_en: string
  sort: number
  active: boolean
}

/**
 * Categories by domain, retired ones too (records keep showing their labels; selects offer the
 * active ones only), loaded once per page load; `reloadCategories` after edits.
 */
export const categories = reactive<Record<string, Category[]>>({})
const catLoading: Record<string, Promise<Category[]>> = {}

export function loadCategories(domain: string): Promise<Category[]> {
  if (!domain) return Promise.resolve([])
  if (!catLoading[domain]) {
    catLoading[domain] = api
      .get<{ items: Category[] }>('/categories', { domain, all: true })
      .then((res) => {
        const items = Array.isArray(res?.items) ? res.items : []
        categories[domain] = items
        return items
      })
      .catch((e) => {
        delete catLoading[domain]
        throw e
      })
  }
  return catLoading[domain]
}

export function reloadCategories(domain: string): Promise<Category[]> {
  delete catLoading[domain]
  return loadCategories(domain)
}

/** The label of a category in the current language (the code while unknown). */
export function catLabel(c: Pick<Category, 'label_zh' | 'label_en' | 'code'> | null | undefined): string {
  if (!c) return '—'
  return (currentLang.value === 'en' ? c.label_en || c.label_zh : c.label_zh || c.label_en) || c.code
}

/** The label of a category code of a domain (loads the domain on first use). */
export function categoryLabel(domain: string | undefined, code: unknown): string {
  if (code === null || code === undefined || code === '') return '—'
  const d = domain || 'service'
  const list = categories[d]
  if (!list) {
    loadCategories(d).catch(() => {})
    return String(code)
  }
  const c = list.find((x) => x.code === code)
  return c ? catLabel(c) : String(code)
}

/** fen → "¥1,234.56" ('—' when empty). */
export function fmtMoney(fen: unknown): string {
  if (fen === null || fen === undefined || fen === '') return '—'
  const n = Number(fen)
  if (!Number.isFinite(n)) return String(fen)
  const sign = n < 0 ? '-' : ''
  const abs = Math.abs(Math.round(n))
  const yuan = Math.floor(abs / 100)
  const cents = String(abs % 100).padStart(2, '0')
  return `${sign}¥${yuan.toLocaleString('en-US')}.${cents}`
}

/** fen → yuan (a number with 2 decimals) for an input; null stays null. */
export function fenToYuan(fen: unknown): number | null {
  if (fen === null || fen === undefined || fen === '') return null
  const n = Number(fen)
  return Number.isFinite(n) ? n / 100 : null
}

/** yuan → integer fen; null stays null. */
export function yuanToFen(yuan: unknown): number | null {
  if (yuan === null || yuan === undefined || yuan === '') return null
  const n = Number(yuan)
  return Number.isFinite(n) ? Math.round(n * 100) : null
}

export interface Reason {
  code: string
  points: number
  terms?: string[]
  shared?: string[]
}

/** One reason of a match, e.g. "类别相同 +40", "文本相似 +12（养老、助餐）". */
export function reasonText(r: Reason): string {
  const words = (r.shared && r.shared.length ? r.shared : r.terms) || []
  const key = ['category', 'area', 'capacity', 'text'].includes(r.code) ? r.code : 'other'
  const base = t(`lists.reasons.${key}`, { points: r.points, code: r.code })
  return words.length ? `${base}${t('lists.reasons.words', { words: words.join(t('dossiers.listSep')) })}` : base
}

/** Resources (GET /resources?q=) for a select: "title" with "left unit · provider". */
export function resourceFetcher(extra: Record<string, string | number | boolean | null> = {}): Fetcher {
  return async (q) => {
    const p = await api.get<Page<any>>('/resources', { q: q || null, page: 1, page_size: 30, ...extra })
    return (p?.items || []).map((r: any) => ({ value: r.id, label: r.title, sub: resourceSub(r), raw: r }))
  }
}

/** "剩余 3 人次 · 经济发展局" for a resource option. */
export function resourceSub(r: any): string {
  const left = t('lists.resources.leftOf', { left: r.left ?? '?', unit: r.unit || '' })
  return [left, r.provider_org_name].filter(Boolean).join(' · ')
}

/** Dossiers of a type (and states) for a multi-select: GET /dossiers?type=&state=. */
export async function dossierOptions(type: string, states: string[] | undefined, q?: string): Promise<Option[]> {
  const list = states && states.length ? states : [null]
  const pages = await Promise.all(
    list.map((s) => api.get<any>('/dossiers', { type, state: s, q: q || null, limit: 100 })),
  )
  const seen = new Set<number>()
  const out: Option[] = []
  for (const p of pages) {
    for (const d of p?.items || []) {
      if (seen.has(d.id)) continue
      seen.add(d.id)
      out.push({ value: d.id, label: d.title, sub: [d.area_name, `#${d.id}`].filter(Boolean).join(' · '), raw: d })
    }
  }
  return out
}

/** Element Plus tag type for a project / need / bounty state. */
export function stateTagType(state: string | null | undefined): 'primary' | 'success' | 'warning' | 'info' | 'danger' {
  switch (state) {
    case 'open': case 'published': case 'planned': return 'warning'
    case 'in_project': case 'in_progress': case 'led': return 'primary'
    case 'answered': case 'written_off': case 'evaluated': case 'done': case 'finished': return 'success'
    default: return 'info'
  }
}
