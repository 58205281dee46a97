// Issue #5: the three lists (三单) end to end through the UI, with four users.
//
//   community (西吟头村)   raises a need in 洛阳片区 (category 养老服务);
//   committee (洛阳片区)   opens it, sees the matched resources with their reasons,
//                         clicks 据此立项: the project form comes filled with the need
//                         and the resource; it names 经济发展局 as owner and creates it —
//                         the need is now 已立项;
//   department (经济发展局) starts the project and reports it done;
//   committee             verifies and writes it off: the need shows 已回应, and the
//                         board (三单看板) lists the project with its need and resource.
// Screenshots: build/e2e/lists-*.png.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { openBrowser, newPage, login, shot, apiGet, pickOption, waitDialogClosed, settle, uniq, BASE, snap } from './helpers.mjs'

let browser
let page
const tag = uniq()
const needTitle = `独居老人助餐需求${tag}`
let needId = 0
let projectId = 0

before(async () => {
  browser = await openBrowser()
  page = await newPage(browser.context)
})
after(async () => { await browser?.close() })

async function openDossier(id) {
  await page.goto(`${BASE}/dossiers/${id}`)
  await page.getByTestId('dossier-title').waitFor()
  await page.getByTestId('dossier-actions').waitFor()
  await settle(page)
}

async function waitState(s) {
  await page.waitForFunction((x) => document.querySelector('[data-testid=dossier-state]')?.textContent.trim() === x, s)
}

/** Take a dossier action through its dialog; `fill` fills the generated form. */
async function act(action, fill, expectState) {
  await page.getByTestId(`action-${action}`).click()
  const dialog = page.getByTestId('action-dialog')
  await dialog.waitFor()
  if (fill) await fill(dialog)
  await dialog.getByTestId('action-submit').click()
  await waitDialogClosed(page, dialog)
  if (expectState) await waitState(expectState)
}

test('community raises a need in 洛阳片区', async () => {
  await login(page, 'community')
  await page.goto(`${BASE}/dossiers/new?type=need`)
  await page.getByTestId('dossier-create').waitFor()
  await page.getByTestId('field-item-title').waitFor()
  await page.getByTestId('field-item-title').locator('input').fill(needTitle)
  await page.getByTestId('field-item-body').locator('textarea').fill('村里有 12 位独居老人，午餐无人照料，希望提供助餐配送服务。')
  await pickOption(page, page.getByTestId('field-item-category'), '养老服务')
  await pickOption(page, page.getByTestId('field-item-area_id'), '洛阳片区')
  await page.getByTestId('field-item-place').locator('input').fill('西吟头村老年活动中心')
  await snap(page, 'lists-need-form')
  await page.getByTestId('dossier-save').click()
  await page.waitForURL(/\/dossiers\/\d+$/)
  needId = Number(page.url().match(/\/dossiers\/(\d+)$/)[1])
  await page.getByTestId('dossier-title').waitFor()
  await waitState('待对接')
  assert.match(await page.getByTestId('dossier-fields').innerText(), /养老服务/)
  const d = await apiGet(page, `/dossiers/${needId}`)
  assert.equal(d.type, 'need')
  assert.equal(d.area_id, 1)
  assert.equal(d.fields.category, 'elderly')
})

test('committee sees matched resources with reasons and starts a project from one', async () => {
  await login(page, 'committee')
  await openDossier(needId)
  const matches = page.getByTestId('need-matches')
  await matches.getByTestId('match-0').waitFor()
  const first = await matches.getByTestId('match-0').innerText()
  assert.match(first, /类别相同 \+\d+/, 'the category reason is spelled out')
  assert.match(first, /覆盖该片区 \+\d+/, 'the area reason is spelled out')
  await snap(page, 'lists-need-matches')

  await matches.getByTestId('match-project-0').click()
  await page.waitForURL(/\/dossiers\/new\?/)
  await page.getByTestId('field-item-need_ids').waitFor()
  // The need and the resource are filled in.
  await page.waitForFunction((t) => document.querySelector('[data-testid=field-item-need_ids]')?.textContent.includes(t), needTitle)
  await page.waitForFunction(() => /剩余 \d+/.test(document.querySelector('[data-testid=field-item-allocations]')?.textContent || ''))
  assert.match(await page.getByTestId('field-item-area_id').innerText(), /洛阳片区/)
  await pickOption(page, page.getByTestId('field-item-handler_org_id'), '经济发展局', '经济发展局')
  const budget = page.getByTestId('field-item-budget_fen').locator('input')
  await budget.fill('12345.6')
  await budget.press('Tab')
  await page.getByTestId('milestones-add').click()
  await page.getByTestId('milestones-row-0').locator('input').first().fill('配送点启用')
  await snap(page, 'lists-project-form')
  // The milestone has no date: the server's error (milestones[0].due_on) shows in its cell.
  await page.getByTestId('dossier-save').click()
  const cellError = page.getByTestId('list-milestones').locator('.cell-error')
  await cellError.waitFor()
  assert.match(await cellError.innerText(), /必填/)
  assert.match(page.url(), /\/dossiers\/new/)
  await snap(page, 'lists-project-form-error')
  const due = page.getByTestId('milestones-row-0').locator('input').nth(1)
  await due.fill('2027-01-15')
  await due.press('Enter')
  await page.getByTestId('dossier-save').click()
  await page.waitForURL(/\/dossiers\/\d+$/)
  projectId = Number(page.url().match(/\/dossiers\/(\d+)$/)[1])
  await page.getByTestId('dossier-title').waitFor()
  await waitState('已立项')
  const fields = await page.getByTestId('dossier-fields').innerText()
  assert.match(fields, /¥12,345\.60/)
  assert.match(fields, /经济发展局/)
  await page.getByTestId('value-need_ids').getByRole('link', { name: needTitle }).waitFor()
  await page.getByTestId('value-allocations').locator('a').first().waitFor()
  const p = await apiGet(page, `/dossiers/${projectId}`)
  assert.equal(p.type, 'project')
  assert.deepEqual(p.fields.need_ids, [needId])
  assert.equal(p.fields.budget_fen, 1234560)
  assert.equal(p.fields.allocations.length, 1)
  assert.equal(p.fields.milestones[0].due_on, '2027-01-15')
  await snap(page, 'lists-project')
  const n = await apiGet(page, `/dossiers/${needId}`)
  assert.equal(n.state, 'in_project')
})

test('department starts the project and reports it done', async () => {
  await login(page, 'department')
  await openDossier(projectId)
  await act('start', null, '实施中')
  await act('record_progress', async (dialog) => {
    await dialog.getByTestId('field-item-note').locator('textarea').fill('配送点已启用，首周服务 12 位老人。')
  })
  await page.getByTestId('records-progress').locator('.el-table__body tr', { hasText: '配送点已启用' }).waitFor()
  await act('report_done', async (dialog) => {
    await dialog.getByTestId('field-item-outcome').locator('textarea').fill('助餐配送已常态化运行，12 位独居老人午餐有保障。')
  }, '已完成')
  assert.equal(await page.getByTestId('action-write_off').count(), 0, 'the owner does not verify its own work')
})

test('committee writes it off: the need is answered and the board shows the project', async () => {
  await login(page, 'committee')
  await openDossier(projectId)
  await act('write_off', async (dialog) => {
    await dialog.getByTestId('field-item-conclusion').locator('textarea').fill('经验收，项目成效明显，同意销号。')
  }, '销号')
  await snap(page, 'lists-project-written-off')

  await page.getByTestId('value-need_ids').getByRole('link', { name: needTitle }).click()
  await page.waitForURL(new RegExp(`/dossiers/${needId}$`))
  await waitState('已回应')
  const n = await apiGet(page, `/dossiers/${needId}`)
  assert.equal(n.state, 'answered')
  await snap(page, 'lists-need-answered')

  await page.getByTestId('nav-three-lists').click()
  await page.getByTestId('board-page').waitFor()
  const card = page.getByTestId(`board-project-${projectId}`)
  await card.waitFor()
  const text = await card.innerText()
  assert.match(text, /销号/)
  assert.match(text, new RegExp(needTitle))
  assert.match(text, /经济发展局/)
  // Expanding an open need fetches its matches lazily.
  const expand = page.locator('[data-testid^=board-need-expand-]').first()
  if (await expand.count()) {
    await expand.click()
    await page.getByTestId('board-resources').getByTestId('match-0').waitFor()
  }
  await snap(page, 'lists-board')
})
