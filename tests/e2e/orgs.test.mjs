// (a) An administrator creates an enterprise under a park: a wrong credit-code
// check digit comes back from the server as a localized field error under the
// credit-code field; with a valid code it saves and is found by search; then
// the administrator signs out.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import {
  openBrowser, newPage, login, logout, shot, apiGet, pickOption, waitDialogClosed, validCreditCode, withWrongCheck, uniq,
} from './helpers.mjs'

let browser
before(async () => { browser = await openBrowser() })
after(async () => { await browser?.close() })

test('create an enterprise: credit-code field error, fix, save, search, log out', async () => {
  const page = await newPage(browser.context)
  await login(page, 'admin')

  // A park of the demo district (other tests may add parks with odd names).
  const parks = await apiGet(page, '/orgs?kind=park&q=' + encodeURIComponent('海峡雕刻艺术园') + '&page_size=1')
  assert.ok(parks.items.length > 0, 'demo data has the park 海峡雕刻艺术园')
  const park = parks.items[0]

  await page.getByTestId('nav-orgs').click()
  await page.getByTestId('orgs-page').waitFor()
  await page.getByTestId('org-tree').locator('.el-tree-node').first().waitFor()

  await page.getByTestId('org-create').click()
  const dialog = page.getByTestId('org-dialog')
  await dialog.waitFor()
  await pickOption(page, page.getByTestId('org-kind-item'), '企业')
  await pickOption(page, page.getByTestId('org-parent-item'), park.name, park.name)

  const name = `测试企业${uniq()}`
  const good = validCreditCode()
  const bad = withWrongCheck(good)
  await page.getByTestId('org-name').fill(name)
  await page.getByTestId('org-credit-code').fill(bad)
  await page.getByTestId('org-address').fill('洛江区测试路 1 号')
  await page.getByTestId('org-save').click()

  // The server's {field:"credit_code", rule:"credit_code"} under the field.
  const ccError = page.getByTestId('org-credit-code-item').locator('.el-form-item__error')
  await ccError.waitFor()
  assert.equal((await ccError.innerText()).trim(), '统一社会信用代码校验位不正确')
  assert.ok(await dialog.isVisible(), 'the dialog stays open')
  await shot(page, 'org-credit-code-error')

  await page.getByTestId('org-credit-code').fill(good)
  await page.getByTestId('org-save').click()
  await waitDialogClosed(page, dialog)

  // Find it by name in the list.
  await page.getByTestId('org-search').fill(name)
  await page.getByTestId('org-search-btn').click()
  const row = page.getByTestId('org-table').locator('.el-table__body tr', { hasText: name })
  await row.waitFor()
  const text = await row.innerText()
  assert.match(text, /企业/)
  assert.match(text, new RegExp(good))
  assert.ok(text.includes(park.name), 'the detail shows the park')
  assert.equal(await page.getByTestId('org-table').locator('.el-table__body tr').count(), 1)
  await shot(page, 'orgs-list')

  // The detail page shows the parent.
  await row.getByRole('link', { name }).click()
  await page.getByTestId('org-detail').getByText(park.name).first().waitFor()

  await logout(page)
  assert.match(await page.getByTestId('login-reason').innerText(), /已安全退出/)
  await shot(page, 'logged-out')
  assert.deepEqual(browser.errors, [], 'no uncaught page errors')
})
