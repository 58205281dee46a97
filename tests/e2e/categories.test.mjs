// Issue #5: configurable service categories (类别设置) through the UI.
//
//   admin      opens 类别设置, adds a service category (法律援助) — first with a code the
//              server refuses, shown under 代码 —, then relabels it;
//   community  raises a need choosing the new category (the need form offers it);
//   admin      retires it: 已停用;
//   community  no longer gets it offered in the need form, while the existing need
//              still shows its label.
// Screenshots: build/e2e/categories-*.png.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { openBrowser, newPage, login, shot, apiGet, pickOption, waitDialogClosed, settle, uniq, BASE, snap, windowShot } from './helpers.mjs'

let browser
let page
const tag = uniq().toLowerCase()
const code = `legal_aid_e2e_${tag}`
const label1 = `法律援助${tag}`
const label2 = `法律援助与调解${tag}`
const needTitle = `村民法律咨询需求${tag}`
let needId = 0

before(async () => {
  browser = await openBrowser()
  page = await newPage(browser.context)
})
after(async () => { await browser?.close() })

async function openCategories() {
  await page.getByTestId('nav-categories').click()
  await page.getByTestId('categories-page').waitFor()
  await settle(page)
}

/** The table row of the new category. */
function row() {
  return page.getByTestId('categories-table').locator('.el-table__body tr', { hasText: code })
}

/** The labels the need form's category select offers (opened, read, closed). */
async function offeredCategories() {
  await page.goto(`${BASE}/dossiers/new?type=need`)
  await page.getByTestId('dossier-create').waitFor()
  const item = page.getByTestId('field-item-category')
  await item.waitFor()
  await item.locator('.el-select__wrapper').click()
  const options = page.locator('.el-select-dropdown:visible .el-select-dropdown__item')
  await options.first().waitFor()
  const labels = await options.allInnerTexts()
  await page.keyboard.press('Escape')
  return labels.map((x) => x.trim())
}

test('admin adds a service category; a bad code is refused under 代码', async () => {
  await login(page, 'admin')
  await openCategories()
  // Service categories are shown first, with the seeded ones.
  assert.match(await page.getByTestId('categories-table').innerText(), /养老服务/)
  await page.getByTestId('category-add').click()
  const dialog = page.getByTestId('category-dialog')
  await dialog.waitFor()
  await page.getByTestId('category-code').fill('Legal Aid')
  await page.getByTestId('category-label-zh').fill(label1)
  await page.getByTestId('category-label-en').fill('Legal aid')
  await page.getByTestId('category-save').click()
  const err = dialog.locator('.el-form-item__error')
  await err.first().waitFor()
  await windowShot(page, 'categories-add-error')
  assert.equal(await err.count(), 1)
  assert.match(await err.innerText(), /小写字母、数字和下划线/)

  await page.getByTestId('category-code').fill(code)
  await page.getByTestId('category-save').click()
  await waitDialogClosed(page, dialog)
  await row().waitFor()
  const text = await row().innerText()
  assert.match(text, new RegExp(label1))
  assert.match(text, /Legal aid/)
  assert.match(text, /启用/)
  const cats = await apiGet(page, '/categories?domain=service')
  assert.ok(cats.items.some((c) => c.code === code && c.label_zh === label1 && c.active))
})

test('admin relabels it', async () => {
  await page.getByTestId(`category-edit-${code}`).click()
  const dialog = page.getByTestId('category-dialog')
  await dialog.waitFor()
  // The code cannot change; the labels can.
  assert.equal(await page.getByTestId('category-code').inputValue(), code)
  assert.ok(await page.getByTestId('category-code').isDisabled())
  await page.getByTestId('category-label-zh').fill(label2)
  await page.getByTestId('category-label-en').fill('Legal aid and mediation')
  await page.getByTestId('category-save').click()
  await waitDialogClosed(page, dialog)
  await page.waitForFunction((l) => document.querySelector('[data-testid=categories-table]')?.textContent.includes(l), label2)
  assert.doesNotMatch(await row().innerText(), new RegExp(`${label1}(?!与)`))
  await snap(page, 'categories-relabelled')
})

test('community raises a need in the new category', async () => {
  await login(page, 'community')
  const offered = await offeredCategories()
  assert.ok(offered.includes(label2), `offered: ${offered.join('、')}`)
  assert.ok(!offered.includes(label1), 'the old label is gone')

  await page.goto(`${BASE}/dossiers/new?type=need`)
  await page.getByTestId('field-item-title').waitFor()
  await page.getByTestId('field-item-title').locator('input').fill(needTitle)
  await page.getByTestId('field-item-body').locator('textarea').fill('村民邻里纠纷和劳务欠薪较多，希望定期提供法律咨询。')
  await pickOption(page, page.getByTestId('field-item-category'), label2)
  await pickOption(page, page.getByTestId('field-item-area_id'), '洛阳片区')
  await snap(page, 'categories-need-form')
  await page.getByTestId('dossier-save').click()
  await page.waitForURL(/\/dossiers\/\d+$/)
  needId = Number(page.url().match(/\/dossiers\/(\d+)$/)[1])
  await page.getByTestId('dossier-title').waitFor()
  await page.waitForFunction((l) => document.querySelector('[data-testid=dossier-fields]')?.textContent.includes(l), label2)
  const d = await apiGet(page, `/dossiers/${needId}`)
  assert.equal(d.type, 'need')
  assert.equal(d.fields.category, code)
})

test('admin retires it', async () => {
  await login(page, 'admin')
  await openCategories()
  await row().waitFor()
  await page.getByTestId(`category-deactivate-${code}`).click()
  await page.getByTestId(`category-activate-${code}`).waitFor()
  assert.match(await row().innerText(), /已停用/)
  const cats = await apiGet(page, '/categories?domain=service')
  assert.ok(!cats.items.some((c) => c.code === code), 'no longer among the active categories')
  await snap(page, 'categories-retired')
})

test('the need form no longer offers it; the need still shows its label', async () => {
  await login(page, 'community')
  const offered = await offeredCategories()
  assert.ok(offered.length > 0)
  assert.ok(offered.includes('养老服务'), `offered: ${offered.join('、')}`)
  assert.ok(!offered.includes(label2), `offered: ${offered.join('、')}`)

  await page.goto(`${BASE}/dossiers/${needId}`)
  await page.getByTestId('dossier-title').waitFor()
  await settle(page)
  await page.waitForFunction((l) => document.querySelector('[data-testid=dossier-fields]')?.textContent.includes(l), label2)
  assert.doesNotMatch(await page.getByTestId('dossier-fields').innerText(), new RegExp(code))
  await snap(page, 'categories-need-retired')
})
