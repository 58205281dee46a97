// Deleting a record from its page: ask, DELETE it (with If-Match when its version is known), say
// so. A refusal (409 with the records that still refer to it, 412, 403 …) is shown as the problem.
import { ElMessage, ElMessageBox } from 'element-plus'
import { api } from '../api'
import { i18n } from '../i18n'
import { showError } from './problems'

const t = (key: string) => i18n.global.t(key)

/** True once the record is deleted; false when the user declined or the server refused. */
export async function confirmDelete(message: string, path: string, version?: number | string | null, labelPrefix?: string): Promise<boolean> {
  try {
    await ElMessageBox.confirm(message, t('common.deleteTitle'), {
      type: 'warning', confirmButtonText: t('common.delete'), cancelButtonText: t('common.cancel'),
    })
  } catch {
    return false
  }
  try {
    await api.del(path, version)
    ElMessage({ type: 'success', message: t('common.deleted') })
    return true
  } catch (e) {
    showError(e, labelPrefix)
    return false
  }
}
