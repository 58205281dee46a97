// Routes of the web UI (history mode: the server answers unknown non-API paths
// with index.html). `meta.cap` names the capability a page needs; the guard
// sends users without it home, users who must change their password to
// /password and anonymous users to /login.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { ElMessage } from 'element-plus'
import { useSession } from './stores/session'
import { i18n } from './i18n'
import AppLayout from './layouts/AppLayout.vue'

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without signing in. */
    public?: boolean
    /** Capability needed to open the page. */
    cap?: string
    /** i18n key of the page title. */
    title?: string
  }
}

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('./views/login/LoginView.vue'), meta: { public: true, title: 'login.title' } },
  { path: '/password', name: 'password', component: () => import('./views/account/PasswordView.vue'), meta: { title: 'password.title' } },
  // The printable 一事一档 of one dossier, outside the app frame.
  { path: '/dossiers/:id(\\d+)/print', name: 'dossier-print', component: () => import('./views/dossiers/DossierPrint.vue'), meta: { cap: 'dossier.read', title: 'dossiers.printView.title' }, props: true },
  {
    path: '/',
    component: AppLayout,
    children: [
      { path: '', name: 'home', component: () => import('./views/home/HomeView.vue'), meta: { title: 'nav.home' } },
      { path: 'orgs', name: 'orgs', component: () => import('./views/orgs/OrgsView.vue'), meta: { cap: 'org.read', title: 'nav.orgs' } },
      { path: 'orgs/:id(\\d+)', name: 'org', component: () => import('./views/orgs/OrgDetail.vue'), meta: { cap: 'org.read', title: 'nav.orgs' }, props: true },
      { path: 'areas', name: 'areas', component: () => import('./views/areas/AreasView.vue'), meta: { cap: 'area.read', title: 'nav.areas' } },
      { path: 'areas/:id(\\d+)', name: 'area', component: () => import('./views/areas/AreaDetail.vue'), meta: { cap: 'area.read', title: 'nav.areas' }, props: true },
      { path: 'agreements', name: 'agreements', component: () => import('./views/agreements/AgreementsView.vue'), meta: { cap: 'agreement.read', title: 'nav.agreements' } },
      { path: 'agreements/new', name: 'agreement-new', component: () => import('./views/agreements/AgreementForm.vue'), meta: { cap: 'agreement.write', title: 'agreements.createTitle' } },
      { path: 'agreements/:id(\\d+)', name: 'agreement', component: () => import('./views/agreements/AgreementDetail.vue'), meta: { cap: 'agreement.read', title: 'nav.agreements' }, props: true },
      { path: 'agreements/:id(\\d+)/edit', name: 'agreement-edit', component: () => import('./views/agreements/AgreementForm.vue'), meta: { cap: 'agreement.write', title: 'agreements.editTitle' }, props: true },
      { path: 'liaisons', name: 'liaisons', component: () => import('./views/liaisons/LiaisonsView.vue'), meta: { cap: 'liaison.read', title: 'nav.liaisons' } },
      { path: 'inbox', name: 'inbox', component: () => import('./views/dossiers/InboxView.vue'), meta: { cap: 'dossier.read', title: 'nav.inbox' } },
      { path: 'dossiers', name: 'dossiers', component: () => import('./views/dossiers/DossiersView.vue'), meta: { cap: 'dossier.read', title: 'nav.dossiers' } },
      { path: 'dossiers/new', name: 'dossier-new', component: () => import('./views/dossiers/DossierCreate.vue'), meta: { cap: 'dossier.write', title: 'dossiers.createTitle' } },
      { path: 'dossiers/:id(\\d+)', name: 'dossier', component: () => import('./views/dossiers/DossierDetail.vue'), meta: { cap: 'dossier.read', title: 'nav.dossiers' }, props: true },
      { path: 'meetings', name: 'meetings', component: () => import('./views/meetings/MeetingsView.vue'), meta: { cap: 'dossier.read', title: 'nav.meetings' } },
      { path: 'meetings/new', name: 'meeting-new', component: () => import('./views/meetings/MeetingForm.vue'), meta: { cap: 'dossier.write', title: 'meetings.createTitle' } },
      { path: 'meetings/:id(\\d+)', name: 'meeting', component: () => import('./views/meetings/MeetingDetail.vue'), meta: { cap: 'dossier.read', title: 'nav.meetings' }, props: true },
      { path: 'meetings/:id(\\d+)/edit', name: 'meeting-edit', component: () => import('./views/meetings/MeetingForm.vue'), meta: { cap: 'dossier.write', title: 'meetings.editTitle' }, props: true },
      { path: 'three-lists', name: 'three-lists', component: () => import('./views/lists/BoardView.vue'), meta: { cap: 'dossier.read', title: 'lists.nav.board' } },
      { path: 'resources', name: 'resources', component: () => import('./views/resources/ResourcesView.vue'), meta: { cap: 'service.read', title: 'lists.nav.resources' } },
      { path: 'resources/new', name: 'resource-new', component: () => import('./views/resources/ResourceForm.vue'), meta: { cap: 'service.write', title: 'lists.resources.createTitle' } },
      { path: 'resources/:id(\\d+)', name: 'resource', component: () => import('./views/resources/ResourceDetail.vue'), meta: { cap: 'service.read', title: 'lists.nav.resources' }, props: true },
      { path: 'resources/:id(\\d+)/edit', name: 'resource-edit', component: () => import('./views/resources/ResourceForm.vue'), meta: { cap: 'service.write', title: 'lists.resources.editTitle' }, props: true },
      { path: 'bounties', name: 'bounties', component: () => import('./views/bounties/BountiesView.vue'), meta: { cap: 'dossier.read', title: 'lists.nav.bounties' } },
      { path: 'settings/categories', name: 'categories', component: () => import('./views/settings/CategoriesView.vue'), meta: { cap: 'settings.write', title: 'lists.nav.categories' } },
      { path: 'supervision', name: 'supervision', component: () => import('./views/supervision/SupervisionView.vue'), meta: { cap: 'dossier.read', title: 'nav.supervision' } },
      { path: 'centers', name: 'centers', component: () => import('./views/centers/CentersView.vue'), meta: { cap: 'service.read', title: 'nav.centers' } },
      { path: 'centers/new', name: 'center-new', component: () => import('./views/centers/CenterForm.vue'), meta: { cap: 'service.write', title: 'centers.createTitle' } },
      { path: 'centers/:id(\\d+)', name: 'center', component: () => import('./views/centers/CenterDetail.vue'), meta: { cap: 'service.read', title: 'nav.centers' }, props: true },
      { path: 'centers/:id(\\d+)/edit', name: 'center-edit', component: () => import('./views/centers/CenterForm.vue'), meta: { cap: 'service.write', title: 'centers.editTitle' }, props: true },
      { path: 'activities', name: 'activities', component: () => import('./views/activities/ActivitiesView.vue'), meta: { cap: 'service.read', title: 'nav.activities' } },
      { path: 'activities/figures', name: 'activity-figures', component: () => import('./views/activities/ActivityFigures.vue'), meta: { cap: 'service.read', title: 'activities.figures.title' } },
      { path: 'activities/new', name: 'activity-new', component: () => import('./views/activities/ActivityForm.vue'), meta: { cap: 'service.write', title: 'activities.createTitle' } },
      { path: 'activities/:id(\\d+)', name: 'activity', component: () => import('./views/activities/ActivityDetail.vue'), meta: { cap: 'service.read', title: 'nav.activities' }, props: true },
      { path: 'activities/:id(\\d+)/edit', name: 'activity-edit', component: () => import('./views/activities/ActivityForm.vue'), meta: { cap: 'service.write', title: 'activities.editTitle' }, props: true },
      { path: 'users', name: 'users', component: () => import('./views/users/UsersView.vue'), meta: { cap: 'user.read', title: 'nav.users' } },
      { path: 'audit', name: 'audit', component: () => import('./views/audit/AuditView.vue'), meta: { cap: 'audit.read', title: 'nav.audit' } },
      { path: ':rest(.*)*', name: 'not-found', component: () => import('./views/home/NotFound.vue'), meta: { title: 'notFound.title' } },
    ],
  },
]

export const router = createRouter({
  history: createWebHistory('/'),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})

router.beforeEach(async (to) => {
  const session = useSession()
  if (!session.loaded) {
    try {
      await session.load()
    } catch {
      /* server unreachable: treat as signed out; the login page shows the error on submit */
      session.reset()
    }
  }
  if (to.meta.public) {
    if (to.name === 'login' && session.loggedIn && !to.query.reason) {
      return session.mustChangePassword ? { name: 'password' } : { name: 'home' }
    }
    return true
  }
  if (!session.loggedIn) {
    return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  }
  if (session.mustChangePassword && to.name !== 'password') return { name: 'password' }
  if (to.meta.cap && !session.can(to.meta.cap)) {
    ElMessage({ type: 'warning', message: i18n.global.t('problems.forbidden'), grouping: true })
    return { name: 'home' }
  }
  return true
})

router.afterEach((to) => {
  const key = to.meta.title
  const app = i18n.global.t('app.title')
  document.title = key ? `${i18n.global.t(key)} - ${app}` : app
})

export default router
