// (d) The auditor sees the audit log with the administrator's sign-in in it,
// and none of the organisation pages or their write buttons.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { openBrowser, newPage, login, logout, shot, pickOption, BASE } from './helpers.mjs'

let browser
before(async () => { browser = await openBrowser() })
after(async () => { await browser?.close() })

test('auditor reads the audit log and cannot write organisations', async () => {
  const page = await newPage(browser.context)
  // Make sure the log has an admin sign-in whatever ran before.
  await login(page, 'admin')
  await logout(page)

  await login(page, 'auditor')
  assert.equal(await page.getByTestId('current-role').innerText(), '审计管理员')
  const menu = page.getByTestId('side-menu')
  await menu.getByTestId('nav-audit').waitFor()
  assert.equal(await menu.getByTestId('nav-orgs').count(), 0, 'no 组织架构 menu entry')
  assert.equal(await menu.getByTestId('nav-users').count(), 0, 'no 用户管理 menu entry')
  assert.doesNotMatch(await menu.innerText(), /组织架构/)

  await menu.getByTestId('nav-audit').click()
  await page.getByTestId('audit-page').waitFor()
  await page.getByTestId('audit-filter-username').fill('admin')
  await pickOption(page, page.getByTestId('audit-filter-action'), /^登录$/)
  await page.getByTestId('audit-search').click()
  const rows = page.getByTestId('audit-table').locator('.el-table__body tr')
  await rows.filter({ hasText: 'admin' }).first().waitFor()
  const first = await rows.first().innerText()
  assert.match(first, /admin/)
  assert.match(first, /登录/)
  assert.match(first, /系统管理员/)
  await shot(page, 'audit')

  // Opening the organisation page directly leads home, without write buttons.
  await page.goto(`${BASE}/orgs`)
  await page.getByTestId('home').waitFor()
  assert.equal(new URL(page.url()).pathname, '/')
  assert.equal(await page.getByTestId('org-create').count(), 0)
  assert.equal(await page.getByTestId('org-import').count(), 0)
  assert.deepEqual(browser.errors, [], 'no uncaught page errors')
})
