// Turning server problems (application/problem+json) into localized text:
// field errors under form items (el-form-item :error) and ElMessage toasts.
import { computed, reactive } from 'vue'
import { ElMessage } from 'element-plus'
import { ApiError, type FieldError } from '../api'
import { i18n } from '../i18n'

const t = (key: string, params?: Record<string, unknown>) => i18n.global.t(key, params || {})
const te = (key: string) => i18n.global.te(key)

// Rules whose message needs a parameter; without it we use the `_np` variant.
const PARAM_RULES: Record<string, string[]> = {
  max_length: ['max'],
  min_length: ['min'],
  range: ['min', 'max'],
}

/** Localized message for one validation error {field, rule, params}. */
export function ruleMessage(e: Pick<FieldError, 'rule' | 'params'>): string {
  const rule = e.rule || 'unknown'
  const params = (e.params && typeof e.params === 'object' ? e.params : {}) as Record<string, unknown>
  const needs = PARAM_RULES[rule]
  if (needs && !needs.every((p) => params[p] !== undefined && params[p] !== null)) {
    return t(`rules.${rule}_np`)
  }
  if (te(`rules.${rule}`)) return t(`rules.${rule}`, params)
  return t('rules.unknown', { rule })
}

/** Localized label of a field, looked up under `prefix` (e.g. 'orgs.fields'). */
export function fieldLabel(field: string, prefix?: string): string {
  if (prefix && te(`${prefix}.${field}`)) return t(`${prefix}.${field}`)
  return field
}

/** Localized one-line message for any error (ApiError or other). */
export function problemMessage(err: unknown, labelPrefix?: string): string {
  if (!(err instanceof ApiError)) return t('problems.unknown', { status: '?' }) + (err ? `: ${String((err as Error).message || err)}` : '')
  const p = err.problem
  if (err.slug === 'conflict' && Array.isArray(p.references) && p.references.length) {
    const list = p.references
      .map((r) => `${te(`refTypes.${r.type}`) ? t(`refTypes.${r.type}`) : r.type} ${r.count}`)
      .join(i18n.global.locale.value === 'en' ? ', ' : '，')
    return t('problems.references', { list })
  }
  if (err.slug === 'conflict') {
    const field = (p.field as string) || err.fieldErrors.find((e) => e.rule === 'unique')?.field
    if (field) return t('problems.uniqueField', { field: fieldLabel(field, labelPrefix) })
  }
  if (err.slug === 'validation' && err.fieldErrors.length) {
    const parts = err.fieldErrors.map((e) => t('problems.fieldError', { field: fieldLabel(e.field, labelPrefix), message: ruleMessage(e) }))
    return `${t('problems.validation')}（${parts.join('；')}）`
  }
  if (te(`problems.${err.slug}`) && err.slug !== 'unknown') return t(`problems.${err.slug}`)
  return t('problems.unknown', { status: err.status })
}

/** Show an error as a toast (nothing for aborted requests). */
export function showError(err: unknown, labelPrefix?: string): void {
  if ((err as Error)?.name === 'AbortError') return
  // 401/403 redirects are already handled by the API client's auth handler.
  if (err instanceof ApiError && ['session-expired', 'unauthenticated', 'password-change-required'].includes(err.slug)) return
  ElMessage({ type: 'error', message: problemMessage(err, labelPrefix), grouping: true, showClose: true })
}

/**
 * Field errors of one form, bound to <el-form-item :error="fe.errors.name">.
 * `apply(err)` puts each server validation error under its field and shows a
 * toast for the rest; it returns nothing and never throws. The messages are
 * computed from {rule, params}, so they follow a language switch.
 */
export function useFieldErrors(labelPrefix?: string) {
  const raw = reactive<Record<string, Pick<FieldError, 'rule' | 'params'>>>({})
  const errors = computed<Record<string, string>>(() => {
    const out: Record<string, string> = {}
    for (const [k, v] of Object.entries(raw)) out[k] = ruleMessage(v)
    return out
  })
  function clear() {
    for (const k of Object.keys(raw)) delete raw[k]
  }
  function apply(err: unknown, known?: string[]) {
    clear()
    if (err instanceof ApiError && (err.slug === 'validation' || err.slug === 'conflict') && err.fieldErrors.length) {
      const leftover: FieldError[] = []
      for (const e of err.fieldErrors) {
        const f = String(e.field || '')
        if (known && !known.includes(f) && !known.some((k) => f.startsWith(k + '[') || f.startsWith(k + '.'))) {
          leftover.push(e)
        }
        if (!raw[f]) raw[f] = { rule: e.rule, params: e.params }
      }
      if (leftover.length) {
        const parts = leftover.map((e) => t('problems.fieldError', { field: fieldLabel(e.field, labelPrefix), message: ruleMessage(e) }))
        ElMessage({ type: 'error', message: parts.join('；'), grouping: true, showClose: true })
      } else {
        ElMessage({ type: 'warning', message: t('problems.validation'), grouping: true })
      }
      return
    }
    if (err instanceof ApiError && err.slug === 'conflict') {
      const field = err.problem.field as string | undefined
      if (field) raw[field] = { rule: 'unique' }
    }
    showError(err, labelPrefix)
  }
  // reactive() unwraps the computed: templates read fe.errors.name.
  return reactive({ errors, clear, apply })
}
