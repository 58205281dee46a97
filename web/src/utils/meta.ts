// Enumerations from GET /meta (org kinds, member kinds, roles, liaison kinds),
// with the documented values as the start-up default.
import { reactive } from 'vue'
import { api } from '../api'

export const meta = reactive({
  org_kinds: ['district', 'town', 'community', 'park', 'enterprise', 'department', 'new_org', 'resident_unit'],
  member_kinds: ['community', 'park', 'new_org', 'resident_unit'],
  roles: ['admin', 'secadmin', 'auditor', 'leader', 'committee', 'department', 'town', 'community', 'enterprise', 'inspector', 'volunteer'],
  liaison_kinds: ['leader_area', 'department_area', 'department_point', 'cadre_village', 'cadre_enterprise'],
  version: '',
})

let loading: Promise<void> | null = null

/** Fetch GET /meta once per page load (errors keep the defaults). */
export function loadMeta(): Promise<void> {
  if (!loading) {
    loading = api
      .get('/meta')
      .then((m) => {
        for (const k of ['org_kinds', 'member_kinds', 'roles', 'liaison_kinds'] as const) {
          if (Array.isArray(m?.[k]) && m[k].length) meta[k] = m[k]
        }
        if (m?.version) meta.version = m.version
      })
      .catch(() => {
        loading = null
      })
  }
  return loading
}

/** Which kinds may be the parent of an organisation of `kind` (docs/api-shapes.md). */
export const PARENT_KINDS: Record<string, string[]> = {
  district: [],
  town: ['district'],
  department: ['district'],
  park: ['district', 'town'],
  resident_unit: ['district', 'town'],
  community: ['town'],
  enterprise: ['park', 'town', 'district'],
  new_org: ['town', 'community', 'park'],
}

/** Which kinds may sit under an organisation of `kind` (for "add child"). */
export function childKinds(kind: string): string[] {
  return Object.keys(PARENT_KINDS).filter((k) => PARENT_KINDS[k].includes(kind))
}
