// Issue #5: neighbourhood centres and activities end to end through the UI, as the
// committee of 洛阳片区:
//   registers a centre with two functions (政务服务, 人才安居) and one catalogue
//   service — first with a latitude outside China, which the server refuses on
//   that field, shown under it —, sees the functions as tags and the coordinates;
//   records a free clinic there organised by 西吟头村; finds it on the centre's page;
//   and sees it counted in the service figures of its area.
// Screenshots: build/e2e/centers-*.png.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { openBrowser, newPage, login, shot, apiGet, pickOption, settle, uniq, BASE, snap } from './helpers.mjs'

let browser
let page
const tag = uniq()
const centerName = `测试邻里中心${tag}`
const serviceName = `人才公寓申请${tag}`
const activityTitle = `邻里义诊${tag}`
let centerId = 0
let before1 = null

before(async () => {
  browser = await openBrowser()
  page = await newPage(browser.context)
})
after(async () => { await browser?.close() })

/** The number shown by an el-statistic (digits only). */
async function statistic(testid) {
  const text = await page.getByTestId(testid).locator('.el-statistic__number').innerText()
  return Number(text.replace(/[^0-9]/g, ''))
}

test('committee registers a centre with two functions and a service', async () => {
  await login(page, 'committee')
  const me = await apiGet(page, '/me')
  before1 = await apiGet(page, `/activities/figures?area_id=${me.user.area_id}`)
  await page.getByTestId('nav-centers').click()
  await page.getByTestId('centers-page').waitFor()
  await page.getByTestId('center-create').click()
  await page.getByTestId('center-form').waitFor()
  await page.getByTestId('center-name').fill(centerName)
  // The committee's own area is chosen already.
  assert.match(await page.getByTestId('center-area-item').innerText(), /洛阳片区/)
  await page.getByTestId('center-address').fill('洛阳镇洛阳大道88号')
  await page.getByTestId('center-hours').fill('周一至周日 8:30-20:30')
  await page.getByTestId('center-lat').locator('input').fill('60')
  await page.getByTestId('center-lng').locator('input').fill('118.71')
  await page.getByTestId('center-fn-gov').click()
  await page.getByTestId('center-fn-housing').click()
  await page.getByTestId('center-phone').fill('13812345678')
  await page.getByTestId('center-add-service').click()
  await page.getByTestId('service-name-0').fill(serviceName)
  await pickOption(page, page.getByTestId('center-service-0'), '人才安居')
  // A latitude outside China: refused on that field, shown under it.
  await page.getByTestId('center-save').click()
  await page.getByTestId('center-lat-item').locator('.el-form-item__error').waitFor()
  assert.match(await page.getByTestId('center-lat-item').locator('.el-form-item__error').innerText(), /超出允许范围/)
  await snap(page, 'centers-form-error')
  await page.getByTestId('center-lat').locator('input').fill('24.97')
  await page.getByTestId('center-lat').locator('input').blur()
  await page.getByTestId('center-save').click()
  await page.waitForURL(/\/centers\/\d+$/)
  centerId = Number(page.url().match(/\/centers\/(\d+)$/)[1])
  await page.getByTestId('center-title').waitFor()
  const tags = await page.getByTestId('center-functions-tags').innerText()
  assert.match(tags, /政务服务/)
  assert.match(tags, /人才安居/)
  assert.equal(await page.getByTestId('center-coords').innerText(), '24.970000, 118.710000')
  assert.match(await page.getByTestId('center-services').innerText(), new RegExp(serviceName))
  assert.match(await page.getByTestId('center-detail').innerText(), /138\*\*\*\*5678/)
  const c = await apiGet(page, `/centers/${centerId}`)
  assert.deepEqual(c.functions, ['gov', 'housing'])
  await snap(page, 'centers-detail')
})

test('committee records an activity at the centre', async () => {
  await page.getByTestId('center-record-activity').click()
  await page.getByTestId('activity-form').waitFor()
  await pickOption(page, page.getByTestId('activity-kind-item'), '义诊')
  await page.getByTestId('activity-title').fill(activityTitle)
  await pickOption(page, page.getByTestId('activity-organisers-item'), '西吟头村', '西吟头村')
  await page.keyboard.press('Escape')
  assert.match(await page.getByTestId('activity-center-item').innerText(), new RegExp(centerName))
  await page.getByTestId('activity-participants').locator('input').fill('6')
  await page.getByTestId('activity-served').locator('input').fill('45')
  await page.getByTestId('activity-served').locator('input').blur()
  await snap(page, 'centers-activity-form')
  await page.getByTestId('activity-save').click()
  await page.waitForURL(/\/activities\/\d+$/)
  await page.getByTestId('activity-heading').waitFor()
  assert.equal(await page.getByTestId('activity-heading').innerText(), activityTitle)
  assert.match(await page.getByTestId('activity-detail').innerText(), /西吟头村/)
  await snap(page, 'centers-activity-detail')
})

test('the activity shows on the centre page and in the figures', async () => {
  await page.goto(`${BASE}/centers/${centerId}`)
  await page.getByTestId('center-activities').waitFor()
  await page.getByTestId('center-activities').getByText(activityTitle).waitFor()
  const me = await apiGet(page, '/me')
  await page.goto(`${BASE}/activities/figures`)
  await page.getByTestId('figures-summary').waitFor()
  await settle(page)
  const all = await statistic('figure-activities')
  assert.ok(all > 0)
  await pickOption(page, page.getByTestId('activity-figures').locator('.filters'), '洛阳片区')
  await page.waitForFunction((n) => {
    const el = document.querySelector('[data-testid=figure-activities] .el-statistic__number')
    return el && Number(el.textContent.replace(/[^0-9]/g, '')) === n
  }, before1.summary.activities + 1)
  assert.equal(await statistic('figure-people_served'), before1.summary.people_served + 45)
  assert.equal(await statistic('figure-centers'), before1.summary.centers + 1)
  const after1 = await apiGet(page, `/activities/figures?area_id=${me.user.area_id}`)
  assert.equal(after1.summary.activities, before1.summary.activities + 1)
  await snap(page, 'centers-figures')
})
