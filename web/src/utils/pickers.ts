// Option sources for RemoteSelect: organisations (by kinds), users (by role), areas.
import { api, type Page } from '../api'
import { kindLabel, roleLabel } from './format'

export interface Option {
  value: number
  label: string
  sub?: string
  raw?: any
}
export type Fetcher = (q: string) => Promise<Option[]>

/** Organisations whose kind is one of `kinds` (all kinds when empty) matching q. */
export function orgFetcher(kinds: string[] | null | undefined, pageSize = 20): Fetcher {
  return async (q) => {
    const ks = kinds && kinds.length ? kinds : [null]
    const pages = await Promise.all(
      ks.map((k) => api.get<Page<any>>('/orgs', { kind: k, q: q || null, page: 1, page_size: pageSize })),
    )
    const seen = new Set<number>()
    const out: Option[] = []
    for (const p of pages) {
      for (const o of p?.items || []) {
        if (seen.has(o.id)) continue
        seen.add(o.id)
        const sub = [kindLabel(o.kind), o.town_name && o.town_name !== o.name ? o.town_name : null].filter(Boolean).join(' · ')
        out.push({ value: o.id, label: o.name, sub, raw: o })
      }
    }
    return out
  }
}

/** Organisations that may join an area committee (member kinds, not yet members). */
export function candidateFetcher(areaId: number | string, kind: string | null | undefined, pageSize = 20): Fetcher {
  return async (q) => {
    const p = await api.get<Page<any>>(`/areas/${areaId}/candidates`, { kind: kind || null, q: q || null, page: 1, page_size: pageSize })
    return (p?.items || []).map((o) => {
      const sub = [kindLabel(o.kind), o.town_name && o.town_name !== o.name ? o.town_name : null].filter(Boolean).join(' · ')
      return { value: o.id, label: o.name, sub, raw: o }
    })
  }
}

/** Users (optionally of one role) matching q. */
export function userFetcher(role?: string | null): Fetcher {
  return async (q) => {
    const p = await api.get<Page<any>>('/users', { role: role || null, q: q || null, page: 1, page_size: 20 })
    return (p?.items || []).map((u) => ({ value: u.id, label: u.display_name || u.username, sub: `${u.username} · ${roleLabel(u.role)}`, raw: u }))
  }
}

/** Areas matching q. */
export function areaFetcher(): Fetcher {
  return async (q) => {
    const p = await api.get<Page<any>>('/areas', { q: q || null, page: 1, page_size: 50 })
    return (p?.items || []).map((a) => ({ value: a.id, label: a.name, sub: a.code, raw: a }))
  }
}
