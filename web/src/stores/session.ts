// The signed-in user: who, what they may do (capabilities), their scope and
// whether they must change their password. Filled by POST /session or GET /me.
import { defineStore } from 'pinia'
import { api, setCsrfToken, ApiError } from '../api'

export interface User {
  id: number
  username: string
  display_name: string
  role: string
  org_id: number | null
  org_name: string | null
  area_id: number | null
  area_name: string | null
  phone?: string | null
  must_change_password?: boolean
  version?: number
}

export interface Scope {
  org_id: number | null
  org_name: string | null
  area_id: number | null
  area_name: string | null
  district_wide: boolean
}

/** The login / GET /me answer. */
export interface SessionInfo {
  user: User
  capabilities: string[]
  scope: Scope | null
  csrf_token: string
  must_change_password: boolean
}

export const useSession = defineStore('session', {
  state: () => ({
    user: null as User | null,
    capabilities: [] as string[],
    scope: null as Scope | null,
    mustChangePassword: false,
    /** true once GET /me has been tried in this page load. */
    loaded: false,
  }),
  getters: {
    loggedIn: (s) => s.user !== null,
  },
  actions: {
    can(cap: string): boolean {
      return this.capabilities.includes(cap)
    },
    canAny(caps: string[]): boolean {
      return caps.some((c) => this.capabilities.includes(c))
    },
    set(info: SessionInfo) {
      this.user = info.user
      this.capabilities = Array.isArray(info.capabilities) ? info.capabilities : []
      this.scope = info.scope || null
      this.mustChangePassword = !!(info.must_change_password || info.user?.must_change_password)
      setCsrfToken(info.csrf_token)
      this.loaded = true
    },
    reset() {
      this.user = null
      this.capabilities = []
      this.scope = null
      this.mustChangePassword = false
      setCsrfToken('')
      this.loaded = true
    },
    /** GET /me: who is signed in (none when 401). Other errors propagate. */
    async load() {
      try {
        const info = await api.get<SessionInfo>('/me', undefined, { noAuthRedirect: true })
        this.set(info)
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) this.reset()
        else {
          this.loaded = true
          throw e
        }
      }
    },
    /** POST /session. Throws ApiError (bad-credentials, account-locked, …). */
    async login(username: string, password: string) {
      const info = await api.post<SessionInfo>('/session', { username, password }, { noAuthRedirect: true })
      this.set(info)
      return info
    },
    /** DELETE /session; the local state is cleared whatever the answer. */
    async logout() {
      try {
        await api.del('/session', undefined, { noAuthRedirect: true })
      } catch {
        /* already gone */
      }
      this.reset()
    },
  },
})
