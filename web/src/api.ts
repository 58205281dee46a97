// The one HTTP client of the sanqu web UI, shared by every view.
//
// - fetch with credentials 'same-origin' (the session is the HttpOnly cookie
//   `sanqu_session`);
// - the CSRF token from the login / GET /me answer goes out as X-CSRF-Token on
//   every POST, PUT, PATCH and DELETE;
// - a record version given by the caller goes out as If-Match;
// - any answer that is not 2xx becomes an ApiError carrying the
//   application/problem+json body (docs/api.md, "Errors");
// - 401 session-expired / unauthenticated and 403 password-change-required are
//   handed to the handler that main.ts installs (it redirects), then thrown.

export const API_BASE = '/api/v1'

/** A validation error item: {field, rule, params} (import rows add line and value). */
export interface FieldError {
  field: string
  rule: string
  params?: Record<string, unknown>
  line?: number
  value?: string
}

/** application/problem+json as the server sends it, plus its extension members. */
export interface Problem {
  type?: string
  title?: string
  status?: number
  detail?: string
  errors?: FieldError[]
  references?: { type: string; count: number }[]
  locked_until?: string
  [member: string]: unknown
}

/** Error thrown for every non-2xx answer (and for network failures, status 0). */
export class ApiError extends Error {
  status: number
  problem: Problem
  /** Last segment of `type` after `urn:sanqu:problem:` (e.g. "validation"), or "network"/"unknown". */
  slug: string

  constructor(status: number, problem: Problem) {
    super(problem.title || problem.detail || `HTTP ${status}`)
    this.name = 'ApiError'
    this.status = status
    this.problem = problem
    this.slug = problemSlug(problem.type, status)
  }

  get fieldErrors(): FieldError[] {
    return Array.isArray(this.problem.errors) ? this.problem.errors : []
  }
}

/** The slug of a problem type: "urn:sanqu:problem:not-found" → "not-found". */
export function problemSlug(type: string | undefined, status: number): string {
  if (type) {
    const i = type.lastIndexOf(':')
    const s = i >= 0 ? type.slice(i + 1) : type
    if (s && s !== 'about:blank' && s !== 'blank') return s
  }
  if (status === 0) return 'network'
  return 'unknown'
}

let csrfToken = ''

/** Remember the CSRF token of the current session (login or GET /me answer). */
export function setCsrfToken(token: string | null | undefined): void {
  csrfToken = token || ''
}

type AuthHandler = (err: ApiError) => void
let authHandler: AuthHandler | null = null

/** Install the reaction to 401 session-expired/unauthenticated and 403 password-change-required. */
export function onAuthProblem(handler: AuthHandler): void {
  authHandler = handler
}

export type Query = Record<string, string | number | boolean | null | undefined>

export interface RequestOptions {
  /** Query parameters; null, undefined and '' are left out. */
  query?: Query
  /** JSON body (objects) — or a string sent as-is with `contentType`. */
  body?: unknown
  contentType?: string
  /** Record version: sent as If-Match: "<version>". */
  version?: number | string | null
  /** Sent as Idempotency-Key on POST: a retried create is not done twice. */
  idempotencyKey?: string
  /** Do not hand auth problems to the global handler (login, start-up GET /me). */
  noAuthRedirect?: boolean
  signal?: AbortSignal
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** A fresh random key for Idempotency-Key (one per form opening). */
export function newIdempotencyKey(): string {
  const b = new Uint8Array(16)
  crypto.getRandomValues(b)
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}

/** Build "/api/v1/path?query". */
export function apiUrl(path: string, query?: Query): string {
  let url = API_BASE + (path.startsWith('/') ? path : '/' + path)
  if (query) {
    const qs = new URLSearchParams()
    for (const [k, v] of Object.entries(query)) {
      if (v === null || v === undefined || v === '') continue
      qs.append(k, String(v))
    }
    const s = qs.toString()
    if (s) url += (url.includes('?') ? '&' : '?') + s
  }
  return url
}

/**
 * Send one request and decode the answer.
 * Returns the parsed JSON body, or null for 204 / empty bodies.
 * Throws ApiError for any non-2xx answer or a network failure.
 */
export async function request<T = any>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const m = method.toUpperCase()
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' }
  let body: BodyInit | undefined
  if (opts.body !== undefined) {
    if (typeof opts.body === 'string') {
      body = opts.body
      headers['Content-Type'] = opts.contentType || 'text/plain; charset=utf-8'
    } else {
      body = JSON.stringify(opts.body)
      headers['Content-Type'] = 'application/json'
    }
  }
  if (WRITE_METHODS.has(m) && csrfToken) headers['X-CSRF-Token'] = csrfToken
  if (opts.idempotencyKey && m === 'POST') headers['Idempotency-Key'] = opts.idempotencyKey
  if (opts.version !== undefined && opts.version !== null && opts.version !== '') {
    headers['If-Match'] = `"${opts.version}"`
  }

  let res: Response
  try {
    res = await fetch(apiUrl(path, opts.query), {
      method: m,
      headers,
      body,
      credentials: 'same-origin',
      signal: opts.signal,
    })
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') throw e
    throw new ApiError(0, { title: String((e as Error)?.message || e) })
  }

  const text = res.status === 204 ? '' : await res.text()
  let data: any = null
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = null
    }
  }
  if (res.ok) return data as T

  const problem: Problem = data && typeof data === 'object' ? data : { title: res.statusText, status: res.status }
  const err = new ApiError(res.status, problem)
  if (!opts.noAuthRedirect && authHandler) {
    if (
      (res.status === 401 && (err.slug === 'session-expired' || err.slug === 'unauthenticated')) ||
      (res.status === 403 && err.slug === 'password-change-required')
    ) {
      authHandler(err)
    }
  }
  throw err
}

/** Shorthands. `version` is a record's version for If-Match. */
export const api = {
  get: <T = any>(path: string, query?: Query, opts: RequestOptions = {}) =>
    request<T>('GET', path, { ...opts, query }),
  post: <T = any>(path: string, body?: unknown, opts: RequestOptions = {}) =>
    request<T>('POST', path, { ...opts, body: body === undefined ? {} : body }),
  put: <T = any>(path: string, body: unknown, version?: number | string | null, opts: RequestOptions = {}) =>
    request<T>('PUT', path, { ...opts, body, version }),
  del: <T = any>(path: string, version?: number | string | null, opts: RequestOptions = {}) =>
    request<T>('DELETE', path, { ...opts, version }),
}

/** A page of a list answer: {"items":[…],"total":N,"page":P,"page_size":S}. */
export interface Page<T> {
  items: T[]
  total: number
  page: number
  page_size: number
}

export default api
