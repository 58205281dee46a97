// Screenshots of the main pages for a human look (layout, CJK rendering), each
// checked for real content: org list, area detail with members, agreements,
// liaisons, users; no CSP violations on the way.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { openBrowser, newPage, login, shot, apiGet, settle, BASE } from './helpers.mjs'

let browser
before(async () => { browser = await openBrowser() })
after(async () => { await browser?.close() })

test('main pages render with data', async () => {
  const page = await newPage(browser.context)
  await login(page, 'admin')

  await page.goto(`${BASE}/orgs`)
  await page.getByTestId('org-table').locator('.el-table__body tr').first().waitFor()
  await page.getByTestId('org-tree').locator('.el-tree-node').first().waitFor()
  await settle(page)
  await shot(page, 'orgs')

  const areas = await apiGet(page, '/areas?page_size=1')
  assert.ok(areas.total >= 1)
  const area = areas.items[0]
  await page.goto(`${BASE}/areas`)
  await page.getByTestId('area-table').locator('.el-table__body tr').first().waitFor()
  await settle(page)
  await shot(page, 'areas')
  await page.goto(`${BASE}/areas/${area.id}`)
  await page.getByTestId('area-detail').getByRole('heading', { name: area.name }).waitFor()
  if (area.member_count > 0) await page.getByTestId('area-members').locator('.el-table__body tr').first().waitFor()
  await settle(page)
  await shot(page, 'area-detail')

  await page.goto(`${BASE}/agreements`)
  await page.getByTestId('agreements-page').waitFor()
  await page.getByTestId('agreement-table').locator('.el-table__body tr, .el-empty').first().waitFor()
  await settle(page)
  await shot(page, 'agreements')

  await page.goto(`${BASE}/liaisons`)
  await page.getByTestId('liaison-table').locator('.el-table__body tr, .el-empty').first().waitFor()
  await settle(page)
  await shot(page, 'liaisons')

  await page.goto(`${BASE}/users`)
  await page.getByTestId('user-table').locator('.el-table__body tr').first().waitFor()
  await settle(page)
  await shot(page, 'users')

  // An unknown path inside the app (history mode): the app's own not-found page.
  await page.goto(`${BASE}/no/such/page`)
  await page.getByText('页面不存在').waitFor()

  const csp = page.consoleErrors.filter((m) => /Content Security Policy/i.test(m))
  assert.deepEqual(csp, [], 'no CSP violations')
  assert.deepEqual(browser.errors, [], 'no uncaught page errors')
})
