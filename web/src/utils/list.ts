// A paginated list bound to el-table + el-pagination: GET path?filters&page&page_size
// answering {"items","total","page","page_size"}.
import { ref, watch, type Ref } from 'vue'
import { api, type Page, type Query } from '../api'
import { showError } from './problems'

export function usePagedList<T = any>(path: string | (() => string), filters: Record<string, unknown>, pageSize = 20) {
  const items = ref<T[]>([]) as Ref<T[]>
  const total = ref(0)
  const page = ref(1)
  const size = ref(pageSize)
  const loading = ref(false)
  const failed = ref(false)
  let seq = 0

  async function load() {
    const mine = ++seq
    loading.value = true
    failed.value = false
    try {
      const q: Query = { ...(filters as Query), page: page.value, page_size: size.value }
      const res = await api.get<Page<T>>(typeof path === 'function' ? path() : path, q)
      if (mine !== seq) return
      items.value = res?.items || []
      total.value = res?.total ?? items.value.length
    } catch (e) {
      if (mine !== seq) return
      failed.value = true
      items.value = []
      total.value = 0
      showError(e)
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  /** Apply the filters from page 1. */
  function search() {
    if (page.value !== 1) page.value = 1
    else load()
  }

  watch([page, size], () => load())

  return { items, total, page, size, loading, failed, load, search }
}
