// Entry point of the sanqu web UI.
import { createApp } from 'vue'
import { createPinia } from 'pinia'
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'
import './styles.css'
import App from './App.vue'
import { router } from './router'
import { i18n } from './i18n'
import { onAuthProblem } from './api'
import { useSession } from './stores/session'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(i18n)
app.use(router)

// 401 session-expired / unauthenticated → login page with a reason;
// 403 password-change-required → the password page. Several requests failing
// at once redirect only once.
let redirecting = false
onAuthProblem((err) => {
  if (redirecting) return
  const session = useSession()
  const current = router.currentRoute.value
  if (err.slug === 'password-change-required') {
    session.mustChangePassword = true
    if (current.name !== 'password') {
      redirecting = true
      router.push({ name: 'password' }).finally(() => (redirecting = false))
    }
    return
  }
  if (current.name === 'login') return
  session.reset()
  redirecting = true
  const reason = err.slug === 'session-expired' ? 'expired' : 'unauthenticated'
  const query: Record<string, string> = { reason }
  if (current.fullPath && current.fullPath !== '/' && current.name !== 'password') query.redirect = current.fullPath
  router.push({ name: 'login', query }).finally(() => (redirecting = false))
})

app.mount('#app')
