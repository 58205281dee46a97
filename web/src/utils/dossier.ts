// Dossier types (GET /dossier-types) and what the views derive from them:
// labels of types, states, actions, fields and enum values in the current
// language; time-status colours and order; option sources for the field types
// (org, area, meeting); names of the records a payload refers to.
//
// A type declaration is data on the server (src/core/types/*.json); the UI
// renders forms and buttons from it and never hard-codes a state or action.
import { reactive } from 'vue'
import { api, type Page } from '../api'
import { i18n, currentLang } from '../i18n'
import { useSession } from '../stores/session'
import { kindLabel } from './format'
import type { Fetcher, Option } from './pickers'
import { categoryLabel, fmtMoney } from '../views/lists/lists'

export type Labels = Record<string, string>

/** One declared field: {type, min, max, values, default, labels, scope}. */
export interface FieldDecl {
  type: string
  min?: number
  max?: number
  values?: string[]
  default?: unknown
  labels?: Labels
  /** "district": any organisation of the district may be chosen (not only those in scope). */
  scope?: string
  /** Labels of enum values, when a declaration carries them ({value: {lang: text}}). */
  value_labels?: Record<string, Labels>
  /** category: the category domain (GET /categories?domain=). */
  domain?: string
  /** dossier/dossiers: the type referred to; dossiers: the states it must be in. */
  of?: string
  states?: string[]
  /** list: the fields of one item. */
  item?: Record<string, FieldDecl & { required?: boolean }>
  /** An org field whose value must be one of a records list's key values. */
  pick_from?: { list: string; key: string }
  internal?: boolean
}

export interface StateDecl {
  labels?: Labels
  limit?: Record<string, number>
  final?: boolean
}

export interface ActionDecl {
  labels?: Labels
  from?: string[]
  to?: string
  roles?: string[]
  required?: string[]
  optional?: string[]
  needs?: string[]
  not_by_handler?: boolean
  marks_handler?: boolean
  supervision?: boolean
}

export interface DossierType {
  type: string
  labels?: Labels
  fields: Record<string, FieldDecl>
  create: { roles?: string[]; required?: string[]; optional?: string[] }
  initial: string
  states: Record<string, StateDecl>
  actions: Record<string, ActionDecl>
}

const t = (key: string, params?: Record<string, unknown>) => i18n.global.t(key, params || {})
const te = (key: string) => i18n.global.te(key)

// ---- the type registry ------------------------------------------------------------------------

export const dtypes = reactive({
  list: [] as DossierType[],
  byName: {} as Record<string, DossierType>,
  loaded: false,
})

let loading: Promise<DossierType[]> | null = null

/** GET /dossier-types once per page load (a failure is retried on the next call). */
export function loadTypes(): Promise<DossierType[]> {
  if (!loading) {
    loading = api
      .get<{ items: DossierType[] }>('/dossier-types')
      .then((res) => {
        const items = Array.isArray(res?.items) ? res.items : []
        dtypes.list = items
        dtypes.byName = Object.fromEntries(items.map((x) => [x.type, x]))
        dtypes.loaded = true
        return items
      })
      .catch((e) => {
        loading = null
        throw e
      })
  }
  return loading
}

/** The declaration of a type (undefined until loaded or when unknown). */
export function typeOf(name: string | null | undefined): DossierType | undefined {
  return name ? dtypes.byName[name] : undefined
}

// ---- labels -----------------------------------------------------------------------------------

/** A `labels` object in the current language (zh-CN, then any, as fallbacks). */
export function pickLabel(labels: Labels | null | undefined, fallback: string): string {
  if (!labels || typeof labels !== 'object') return fallback
  return labels[currentLang.value] || labels['zh-CN'] || Object.values(labels)[0] || fallback
}

export function typeLabel(type: string | null | undefined): string {
  if (!type) return '—'
  return pickLabel(typeOf(type)?.labels, type)
}

export function stateLabel(type: string | null | undefined, state: string | null | undefined): string {
  if (!state) return '—'
  return pickLabel(typeOf(type)?.states?.[state]?.labels, state)
}

/** Label of an action; the built-in events `create` and `comment` have their own wording. */
export function actionLabel(type: string | null | undefined, action: string | null | undefined): string {
  if (!action) return '—'
  const decl = typeOf(type)?.actions?.[action]
  if (decl) return pickLabel(decl.labels, action)
  return te(`dossiers.events.${action}`) ? t(`dossiers.events.${action}`) : action
}

export function fieldLabel(type: string | null | undefined, field: string): string {
  const decl = typeOf(type)?.fields?.[field]
  if (decl) return pickLabel(decl.labels, field)
  return te(`dossiers.fields.${field}`) ? t(`dossiers.fields.${field}`) : field
}

/**
 * Label of an enum value: from the declaration's `value_labels` when it has them,
 * else from the UI's own wording (dossiers.values.FIELD.VALUE), else the code.
 */
export function valueLabel(type: string | null | undefined, field: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '—'
  const v = String(value)
  const decl = typeOf(type)?.fields?.[field]
  const own = decl?.value_labels?.[v]
  if (own) return pickLabel(own, v)
  const key = `dossiers.values.${field}.${v}`
  return te(key) ? t(key) : v
}

/** 督办 / 挂牌督办 for a supervision level. */
export function supervisionLabel(level: string | null | undefined, type = 'agreed_item'): string {
  if (!level) return ''
  return valueLabel(type, 'level', level)
}

/** The entries of a fields object in the order the type declares them (others last). */
export function orderedFields(type: string | null | undefined, fields: Record<string, unknown> | null | undefined): [string, unknown][] {
  if (!fields || typeof fields !== 'object') return []
  const order = Object.keys(typeOf(type)?.fields || {})
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length)
  return Object.entries(fields).sort((a, b) => rank(a[0]) - rank(b[0]))
}

// ---- time status ------------------------------------------------------------------------------

export type TimeStatus = 'red' | 'yellow' | 'green' | 'none'
export const TIME_STATUSES: TimeStatus[] = ['red', 'yellow', 'green']

/** Sort key: red first, then yellow, green, none. */
export function timeStatusRank(s: string | null | undefined): number {
  return ({ red: 0, yellow: 1, green: 2 } as Record<string, number>)[s || ''] ?? 3
}

/** Element Plus tag type of a time status. */
export function timeStatusTagType(s: string | null | undefined): 'danger' | 'warning' | 'success' | 'info' {
  if (s === 'red') return 'danger'
  if (s === 'yellow') return 'warning'
  if (s === 'green') return 'success'
  return 'info'
}

/** 超期 / 临期 / 正常 ('' for none). */
export function timeStatusLabel(s: string | null | undefined): string {
  if (s === 'red' || s === 'yellow' || s === 'green') return t(`dossiers.timeStatus.${s}`)
  return ''
}

/** Sort dossiers red → yellow → green → none, then by due date (earliest first). */
export function byTimeStatus<T extends { time_status?: string | null; due_on?: string | null; id?: number }>(a: T, b: T): number {
  const r = timeStatusRank(a.time_status) - timeStatusRank(b.time_status)
  if (r) return r
  const da = a.due_on || '9999-12-31'
  const db = b.due_on || '9999-12-31'
  if (da !== db) return da < db ? -1 : 1
  return (b.id || 0) - (a.id || 0)
}

/** The first 12 hex digits of a hash (the full one goes in a tooltip). */
export function shortHash(h: string | null | undefined): string {
  return h ? h.slice(0, 12) : '—'
}

// ---- forms ------------------------------------------------------------------------------------

/** The names of the fields a create or an action takes: required first, then optional. */
export function formFields(spec: { required?: string[]; optional?: string[] } | null | undefined): { name: string; required: boolean }[] {
  const req = spec?.required || []
  const opt = (spec?.optional || []).filter((n) => !req.includes(n))
  return [...req.map((name) => ({ name, required: true })), ...opt.map((name) => ({ name, required: false }))]
}

/** The empty value of a field in a form (or its declared default). */
export function emptyValue(decl: FieldDecl | undefined): unknown {
  if (decl && decl.default !== undefined) return decl.default
  if (!decl) return ''
  if (['dossiers', 'orgs', 'allocations', 'list', 'records'].includes(decl.type)) return []
  if (['int', 'org', 'area', 'user', 'meeting', 'money', 'dossier', 'center'].includes(decl.type)) return null
  if (decl.type === 'bool') return false
  return ''
}

/** A form value as the API wants it: trimmed text, numbers; undefined when empty. */
export function bodyValue(decl: FieldDecl | undefined, v: unknown): unknown {
  if (v === null || v === undefined) return undefined
  if (Array.isArray(v)) {
    let list: unknown[] = v
    if (decl?.type === 'allocations') {
      list = v
        .filter((x: any) => x && x.resource_id)
        .map((x: any) => ({ resource_id: x.resource_id, quantity: x.quantity ?? null }))
    } else if (decl?.type === 'list') {
      list = v
        .map((x: any) => {
          const o: Record<string, unknown> = {}
          for (const [k, val] of Object.entries(x || {})) {
            const b = bodyValue(decl.item?.[k], val)
            if (b !== undefined) o[k] = b
          }
          return o
        })
        .filter((o) => Object.keys(o).length > 0)
    }
    return list.length ? list : undefined
  }
  if (typeof v === 'string') {
    const s = decl?.type === 'text' ? v.replace(/\s+$/, '').replace(/^\s*\n/, '') : v.trim()
    return s === '' ? undefined : s
  }
  return v
}

/** The user's role may do this (by the role list alone; context roles like @handler are the server's). */
export function roleListed(roles: string[] | undefined, role: string | null | undefined): boolean {
  return !!role && !!roles && roles.includes(role)
}

// ---- option sources ---------------------------------------------------------------------------

const townCache = new Map<number, Promise<Option[]>>()

/** Towns where the member organisations of an area lie (from GET /orgs?area_id=: town_id, town_name). */
function areaTowns(areaId: number): Promise<Option[]> {
  let p = townCache.get(areaId)
  if (!p) {
    p = api
      .get<Page<any>>('/orgs', { area_id: areaId, page: 1, page_size: 200 })
      .then((res) => {
        const seen = new Map<number, Option>()
        for (const o of res?.items || []) {
          if (o.town_id && o.town_name && !seen.has(o.town_id)) {
            seen.set(o.town_id, { value: o.town_id, label: o.town_name, sub: kindLabel('town') })
          }
        }
        return [...seen.values()]
      })
      .catch((e) => {
        townCache.delete(areaId)
        throw e
      })
    townCache.set(areaId, p)
  }
  return p
}

/**
 * Organisations for an `org` field: GET /orgs?q= (the caller's scope). A field
 * declared with scope "district" (e.g. the handling organisation) may name any
 * organisation, but a committee's GET /orgs sees only its area's members and
 * what lies under them — not the towns that handle matters. For such users the
 * towns of the area's members are offered as well (see the report on this gap).
 */
export function dossierOrgFetcher(decl: FieldDecl | undefined, areaId: number | null | undefined): Fetcher {
  return async (q) => {
    const session = useSession()
    const district = decl?.scope === 'district'
    const wantTowns = district && !session.scope?.district_wide && !!areaId
    const [page, towns] = await Promise.all([
      // A field of scope "district" names any organisation: the district directory.
      api.get<Page<any>>(district ? '/org-directory' : '/orgs', { q: q || null, page: 1, page_size: 20 }),
      wantTowns ? areaTowns(Number(areaId)).catch(() => [] as Option[]) : Promise.resolve([] as Option[]),
    ])
    const out: Option[] = []
    const seen = new Set<number>()
    const needle = (q || '').trim()
    for (const o of towns) {
      if (needle && !o.label.includes(needle)) continue
      seen.add(o.value)
      out.push(o)
    }
    for (const o of page?.items || []) {
      if (seen.has(o.id)) continue
      seen.add(o.id)
      const sub = [kindLabel(o.kind), o.town_name && o.town_name !== o.name ? o.town_name : null].filter(Boolean).join(' · ')
      out.push({ value: o.id, label: o.name, sub, raw: o })
    }
    return out
  }
}

let areaList: Promise<Option[]> | null = null

/** Every area in scope (GET /areas, one page of 200), cached for the page load. */
export function areaOptions(): Promise<Option[]> {
  if (!areaList) {
    areaList = api
      .get<Page<any>>('/areas', { page: 1, page_size: 200 })
      .then((res) => (res?.items || []).map((a: any) => ({ value: a.id, label: a.name, sub: a.code, raw: a })))
      .catch((e) => {
        areaList = null
        throw e
      })
  }
  return areaList
}

/** Neighbourhood centres in scope, of an area when given (GET /centers?area_id=). */
export async function centerOptions(areaId: number | null | undefined): Promise<Option[]> {
  const res = await api.get<Page<any>>('/centers', { area_id: areaId || null, page: 1, page_size: 200 })
  return (res?.items || []).map((c: any) => ({ value: c.id, label: c.name, sub: c.area_name, raw: c }))
}

/** Meetings of an area (GET /meetings?area_id=), newest first. */
export async function meetingOptions(areaId: number | null | undefined, onlyOpen = false): Promise<Option[]> {
  const res = await api.get<Page<any>>('/meetings', { area_id: areaId || null, page: 1, page_size: 100 })
  return (res?.items || [])
    .filter((m: any) => !onlyOpen || m.status !== 'closed')
    .map((m: any) => ({ value: m.id, label: m.title, sub: m.held_on, raw: m }))
}

// ---- names of referenced records --------------------------------------------------------------

/**
 * Names of the organisations, areas and meetings that dossier fields and event
 * payloads refer to by id. Seed it with what a dossier already names; other ids
 * are fetched once (GET /orgs/{id}, /areas/{id}, /meetings/{id}); an id that
 * cannot be read is shown as #id.
 */
export function useRefNames() {
  const names = reactive<Record<string, string>>({})
  const asked = new Set<string>()
  const path: Record<string, string> = { org: '/orgs', area: '/areas', meeting: '/meetings', dossier: '/dossiers', resource: '/resources', center: '/centers' }

  function seed(kind: string, id: unknown, name: unknown) {
    if (id && name) names[`${kind}:${id}`] = String(name)
  }
  function seedDossier(d: any) {
    if (!d) return
    seed('area', d.area_id, d.area_name)
    seed('org', d.org_id, d.org_name)
    seed('org', d.handler_org_id, d.handler_org_name)
  }
  function want(kind: string, id: unknown) {
    const key = `${kind}:${id}`
    if (!id || names[key] || asked.has(key) || !path[kind]) return
    asked.add(key)
    api
      .get(`${path[kind]}/${id}`)
      .then((r: any) => {
        names[key] = r?.name || r?.title || `#${id}`
      })
      .catch(() => {
        names[key] = `#${id}`
      })
  }
  /** The name of a referenced record (fetched once); #id until known. */
  function nameOf(kind: string, id: unknown): string {
    want(kind, id)
    return names[`${kind}:${id}`] || `#${id}`
  }
  /** The display text of a field value (ids become names, enums labels). */
  function display(type: string | null | undefined, field: string, value: unknown): string {
    if (value === null || value === undefined || value === '') return '—'
    const decl = typeOf(type)?.fields?.[field]
    const kind = decl?.type
    if (kind === 'org' || kind === 'area' || kind === 'meeting' || kind === 'center') {
      want(kind, value)
      return names[`${kind}:${value}`] || `#${value}`
    }
    if (kind === 'dossier') return nameOf('dossier', value)
    if (kind === 'category') return categoryLabel(decl?.domain, value)
    if (kind === 'money') return fmtMoney(value)
    if (Array.isArray(value)) {
      const sep = t('dossiers.listSep')
      if (kind === 'orgs') return value.map((id) => nameOf('org', id)).join(sep) || '—'
      if (kind === 'dossiers') return value.map((id) => nameOf('dossier', id)).join(sep) || '—'
      if (kind === 'allocations') return value.map((x: any) => `${nameOf('resource', x?.resource_id)} × ${x?.quantity}`).join(sep) || '—'
      if (kind === 'list' || kind === 'records') {
        return value
          .map((x: any) => Object.entries(x || {}).filter(([k]) => !['seq', 'at', 'user_id'].includes(k)).map(([, v]) => String(v)).join(' '))
          .join('；') || '—'
      }
      return value.join(sep)
    }
    if (kind === 'enum') return valueLabel(type, field, value)
    if (kind === 'bool') return value ? t('common.yes') : t('common.no')
    return String(value)
  }
  return { names, seed, seedDossier, display, nameOf }
}

/**
 * Splits text into segments marking where the search terms (q split on white space) occur, for
 * highlighting matches as plain text nodes (never HTML).
 */
export function highlight(text: string, q: string | null | undefined): { text: string; hit: boolean }[] {
  const terms = (q || '').split(/\s+/).map((x) => x.trim()).filter((x) => x.length > 0)
  if (!text || terms.length === 0) return [{ text: text || '', hit: false }]
  const lower = text.toLowerCase()
  const marks = new Array<boolean>(text.length).fill(false)
  for (const term of terms) {
    const needle = term.toLowerCase()
    for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, at + needle.length)) {
      for (let i = at; i < at + needle.length; i++) marks[i] = true
    }
  }
  const out: { text: string; hit: boolean }[] = []
  for (let i = 0; i < text.length; i++) {
    const last = out[out.length - 1]
    if (last && last.hit === marks[i]) last.text += text[i]
    else out.push({ text: text[i], hit: marks[i] })
  }
  return out
}
