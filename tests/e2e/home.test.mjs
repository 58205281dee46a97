// (c) The home page shows live figures (demo data: 12 areas) and renders hanzi
// with real CJK glyphs (two different hanzi drawn on a canvas differ; without
// a CJK font both are the same "tofu" box).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { openBrowser, newPage, login, shot, apiGet, settle } from './helpers.mjs'

let browser
before(async () => { browser = await openBrowser() })
after(async () => { await browser?.close() })

test('home shows figures and real CJK glyphs', async () => {
  const page = await newPage(browser.context)
  await login(page, 'admin')

  // Header: product name, user and role label.
  assert.equal(await page.getByTestId('brand').innerText(), '三区联创 · sanqu')
  assert.equal(await page.getByTestId('current-role').innerText(), '系统管理员')

  // Figures: the areas tile shows the same non-zero number as the API.
  const stats = await apiGet(page, '/stats/overview')
  assert.ok(stats.areas > 0, 'demo data has areas')
  const areasTile = page.getByTestId('stat-areas')
  await areasTile.locator('.el-statistic__number').waitFor()
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid=stat-areas] .el-statistic__number')?.textContent.replace(/\D/g, '') === String(n),
    stats.areas,
  )
  assert.match(await areasTile.innerText(), /片区/)
  const shown = Number((await areasTile.locator('.el-statistic__number').innerText()).replace(/\D/g, ''))
  assert.equal(shown, stats.areas)
  assert.ok(shown > 0)

  // The member-organisations chart is drawn on a canvas.
  await page.getByTestId('chart-members').locator('canvas').first().waitFor()

  // Real glyphs: 党 and 建 drawn with the page's own font must differ.
  const differ = await page.evaluate(() => {
    const font = getComputedStyle(document.body).fontFamily
    const draw = (ch) => {
      const c = document.createElement('canvas')
      c.width = 64
      c.height = 64
      const g = c.getContext('2d')
      g.fillStyle = '#fff'
      g.fillRect(0, 0, 64, 64)
      g.fillStyle = '#000'
      g.font = `48px ${font}`
      g.textBaseline = 'top'
      g.fillText(ch, 4, 4)
      return Array.from(g.getImageData(0, 0, 64, 64).data)
    }
    const a = draw('党')
    const b = draw('建')
    let diff = 0
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff++
    const ink = a.filter((v, i) => i % 4 === 0 && v < 128).length
    return { diff, ink }
  })
  assert.ok(differ.ink > 0, 'the hanzi left ink on the canvas')
  assert.ok(differ.diff > 0, 'two different hanzi render differently (CJK font present)')

  await settle(page)
  await shot(page, 'home')
  const csp = page.consoleErrors.filter((m) => /Content Security Policy/i.test(m))
  assert.deepEqual(csp, [], 'no CSP violations')
  assert.deepEqual(browser.errors, [], 'no uncaught page errors')
})
