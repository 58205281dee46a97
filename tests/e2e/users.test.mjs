// The security administrator locks an account (its owner then sees the
// "account locked" message at sign-in) and unlocks it again; the
// administrator resets a password (the new one-time password is shown once).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { openBrowser, newPage, login, logout, shot, BASE } from './helpers.mjs'

let browser
before(async () => { browser = await openBrowser() })
after(async () => { await browser?.close() })

async function userRow(page, username) {
  await page.goto(`${BASE}/users`)
  await page.getByTestId('user-search').fill(username)
  await page.getByTestId('user-search-btn').click()
  const row = page.getByTestId('user-table').locator('.el-table__body tr', { hasText: username }).first()
  await row.waitFor()
  return row
}

async function confirmBox(page) {
  const box = page.locator('.el-message-box:visible')
  await box.waitFor()
  await box.locator('.el-button--primary').click()
  await box.waitFor({ state: 'hidden' })
}

test('secadmin locks and unlocks an account; the locked user is told at sign-in', async () => {
  const page = await newPage(browser.context)
  await login(page, 'secadmin')
  assert.equal(await page.getByTestId('current-role').innerText(), '安全管理员')
  // 三员分立: no registry pages, no create button for users.
  assert.equal(await page.getByTestId('nav-orgs').count(), 0)
  let row = await userRow(page, 'inspector')
  assert.equal(await page.getByTestId('user-create').count(), 0)
  await row.getByRole('button', { name: '锁定' }).click()
  await confirmBox(page)
  await row.getByText('已锁定').first().waitFor()
  await shot(page, 'users-locked')
  await logout(page)

  await login(page, 'inspector', undefined, { expect: 'error' })
  assert.match(await page.getByTestId('login-error').innerText(), /账号已锁定/)

  await login(page, 'secadmin')
  row = await userRow(page, 'inspector')
  await row.getByRole('button', { name: '解锁' }).click()
  await confirmBox(page)
  await row.getByRole('button', { name: '锁定' }).waitFor()
  await logout(page)

  await login(page, 'inspector')
  assert.equal(await page.getByTestId('current-role').innerText(), '检查员')
  await logout(page)
  assert.deepEqual(browser.errors, [], 'no uncaught page errors')
})

test('admin resets a password: shown once, and the user must change it', async () => {
  const page = await newPage(browser.context)
  await login(page, 'admin')
  const row = await userRow(page, 'enterprise')
  await row.getByRole('button', { name: '重置密码' }).click()
  await confirmBox(page)
  await page.getByTestId('initial-password-dialog').waitFor()
  const initial = (await page.getByTestId('initial-password').innerText()).trim()
  assert.ok(initial.length >= 8)
  await page.getByTestId('initial-password-close').click()
  await row.getByText('待修改密码').waitFor()
  await logout(page)
  await login(page, 'enterprise', initial, { expect: 'password' })
  const fresh = `Reset-${Date.now().toString(36)}-7Q`
  await page.getByTestId('pw-old').fill(initial)
  await page.getByTestId('pw-new').fill(fresh)
  await page.getByTestId('pw-confirm').fill(fresh)
  await page.getByTestId('pw-submit').click()
  await page.getByTestId('home').waitFor()
  assert.deepEqual(browser.errors, [], 'no uncaught page errors')
})
