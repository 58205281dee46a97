// (e) A user created by the administrator without a password gets an initial
// password shown once; at first sign-in they must change it, then reach home.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { openBrowser, newPage, login, logout, shot, apiGet, pickOption, uniq, BASE } from './helpers.mjs'

let browser
before(async () => { browser = await openBrowser() })
after(async () => { await browser?.close() })

test('new user must change the initial password at first sign-in', async () => {
  const page = await newPage(browser.context)
  await login(page, 'admin')
  // A community of the demo district by name (other tests add communities with odd names).
  const orgs = await apiGet(page, '/orgs?kind=community&q=' + encodeURIComponent('西吟头村') + '&page_size=1')
  assert.ok(orgs.items.length > 0, 'demo data has the community 西吟头村')
  const org = orgs.items[0]

  await page.getByTestId('nav-users').click()
  await page.getByTestId('users-page').waitFor()
  await page.getByTestId('user-create').click()
  await page.getByTestId('user-dialog').waitFor()
  const username = `e2e${uniq()}`.toLowerCase()
  const displayName = `测试社工${username.slice(-4)}`
  await page.getByTestId('user-username').fill(username)
  await page.getByTestId('user-display-name').fill(displayName)
  await pickOption(page, page.getByTestId('user-role-item'), '村居/社区工作者')
  await pickOption(page, page.getByTestId('user-org-item'), org.name, org.name)
  await page.getByTestId('user-save').click()

  const pwDialog = page.getByTestId('initial-password-dialog')
  await pwDialog.waitFor()
  const initial = (await page.getByTestId('initial-password').innerText()).trim()
  assert.ok(initial.length >= 8, 'an initial password is shown')
  await shot(page, 'user-initial-password')
  await page.getByTestId('initial-password-close').click()
  await pwDialog.waitFor({ state: 'hidden' })
  // Listed as having to change the password.
  await page.getByTestId('user-search').fill(username)
  await page.getByTestId('user-search-btn').click()
  const row = page.getByTestId('user-table').locator('.el-table__body tr', { hasText: username })
  await row.waitFor()
  assert.match(await row.innerText(), /待修改密码/)
  await logout(page)

  // First sign-in with the initial password lands on the change page…
  await login(page, username, initial, { expect: 'password' })
  assert.match(await page.getByTestId('password-forced').innerText(), /须先修改密码/)
  assert.match(await page.getByTestId('password-policy').innerText(), /至少 8 个字符/)
  // …and every other page is closed until the password is changed.
  await page.goto(`${BASE}/orgs`)
  await page.getByTestId('password-page').waitFor()

  // A weak password is refused with the policy message.
  await page.getByTestId('pw-old').fill(initial)
  await page.getByTestId('pw-new').fill('weak')
  await page.getByTestId('pw-confirm').fill('weak')
  await page.getByTestId('pw-submit').click()
  await page.getByTestId('pw-new-item').locator('.el-form-item__error', { hasText: '密码不符合要求' }).waitFor()

  const fresh = `Sanqu-${uniq()}-9x`
  await page.getByTestId('pw-new').fill(fresh)
  await page.getByTestId('pw-confirm').fill(fresh)
  await page.getByTestId('pw-submit').click()
  await page.getByTestId('home').waitFor()
  assert.equal(await page.getByTestId('current-user').innerText(), displayName)
  await shot(page, 'first-login-home')

  // The new password works for the next sign-in, straight to home.
  await logout(page)
  await login(page, username, fresh)
  assert.deepEqual(browser.errors, [], 'no uncaught page errors')
})
