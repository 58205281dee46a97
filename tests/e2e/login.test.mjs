// (b) A wrong password shows the bad-credentials message; the UI is in Chinese
// by default and switches to English (kept across a reload).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { openBrowser, newPage, BASE, shot } from './helpers.mjs'

let browser
before(async () => { browser = await openBrowser() })
after(async () => { await browser?.close() })

test('login page: Chinese by default, bad credentials, switch to English', async () => {
  const page = await newPage(browser.context)
  await page.goto(`${BASE}/`)
  // Not signed in: the app sends us to the login page.
  await page.getByTestId('login-submit').waitFor()
  assert.match(new URL(page.url()).pathname, /^\/login/)
  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN')
  assert.equal((await page.getByTestId('login-submit').innerText()).replace(/\s/g, ''), '登录')
  assert.equal(await page.getByTestId('login-title').innerText(), '三区联创 · sanqu')

  // Empty form: client-side required messages, no request.
  await page.getByTestId('login-submit').click()
  await page.locator('.el-form-item__error', { hasText: '请输入用户名' }).waitFor()

  // Wrong password (a demo account that no other test signs in with wrongly).
  await page.getByTestId('login-username').fill('volunteer')
  await page.getByTestId('login-password').fill('wrong-password-1')
  await page.getByTestId('login-submit').click()
  const error = page.getByTestId('login-error')
  await error.waitFor()
  assert.match(await error.innerText(), /用户名或密码错误/)
  assert.match(new URL(page.url()).pathname, /^\/login/)

  // Switch to English: labels and the error message follow.
  await page.getByTestId('lang-switch').click()
  await page.getByTestId('lang-en').click()
  await page.locator('[data-testid=login-submit]', { hasText: 'Sign in' }).waitFor()
  assert.equal(await page.locator('html').getAttribute('lang'), 'en')
  assert.match(await error.innerText(), /Wrong username or password/)
  assert.ok(await page.getByText('Username', { exact: true }).isVisible())
  await shot(page, 'login-en')

  // The choice survives a reload (localStorage).
  await page.reload()
  await page.locator('[data-testid=login-submit]', { hasText: 'Sign in' }).waitFor()
  assert.equal(await page.locator('html').getAttribute('lang'), 'en')

  // And back to Chinese.
  await page.getByTestId('lang-switch').click()
  await page.getByTestId('lang-zh-CN').click()
  await page.locator('[data-testid=login-submit]', { hasText: '登录' }).waitFor()

  const csp = page.consoleErrors.filter((m) => /Content Security Policy/i.test(m))
  assert.deepEqual(csp, [], 'no CSP violations')
  assert.deepEqual(browser.errors, [], 'no uncaught page errors')
})
