// Full-text search of matters as people type it: a two-character word finds the demo's agreed items
// (the demo holds 路灯更换 items), the list shows only matches, and the word is highlighted as text.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { openBrowser, newPage, login, shot, BASE } from './helpers.mjs'

let browser
before(async () => { browser = await openBrowser() })
after(async () => { await browser?.close() })

test('searching 路灯 lists matching matters with the word highlighted', async () => {
  const page = await newPage(browser.context)
  await login(page, 'leader')
  await page.goto(`${BASE}/dossiers?q=${encodeURIComponent('路灯')}`)
  const titles = page.getByTestId('dossier-title')
  await titles.first().waitFor()
  const n = await titles.count()
  assert.ok(n > 0, 'the demo has items about street lights')
  for (let i = 0; i < n; i++) assert.match(await titles.nth(i).innerText(), /路灯/)
  const marks = page.locator('[data-testid=dossier-title] mark.hit')
  assert.ok((await marks.count()) >= n, 'every title marks the match')
  assert.equal((await marks.first().innerText()).trim(), '路灯')
  // Traditional characters find the same matters (臺/台 folding on the server).
  await page.goto(`${BASE}/dossiers?q=${encodeURIComponent('路燈')}`)
  await titles.first().waitFor()
  assert.ok((await titles.count()) > 0, '路燈 (traditional) finds them too')
  await shot(page, 'dossier-search')
  assert.deepEqual(browser.errors, [], 'no uncaught page errors')
})
