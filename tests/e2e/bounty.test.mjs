// Issue #5: published projects (揭榜领办) end to end through the UI, with five users.
//
//   committee (洛阳片区)        publishes a bounty in 洛阳片区 — first with the end date before
//                              the start date, which the server refuses on 结束日期 (shown
//                              under it) —, then correctly;
//   enterprise (outside area 1) can open it, and may only 揭榜 while it is published;
//   volunteer (台商区义工协会)   opens it from the 揭榜领办 list and applies with a plan;
//                              applying again shows the duplicate error under 揭榜单位;
//   community (西吟头村)         applies too;
//   committee                  opens 确定领办单位: exactly the two applicants are offered;
//                              it chooses the volunteer association;
//   volunteer                  records two actions (the table sums participants and hours)
//                              and finishes with a summary;
//   committee                  evaluates with a rating: the state is 已评价.
// Screenshots: build/e2e/bounty-*.png.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { openBrowser, newPage, login, shot, apiGet, pickOption, waitDialogClosed, settle, uniq, BASE, snap, windowShot } from './helpers.mjs'

let browser
let page
const tag = uniq()
const title = `洛阳江河道清理${tag}`
const VOLUNTEER_ORG = '台商区义工协会'
const COMMUNITY_ORG = '西吟头村'
let bountyId = 0

before(async () => {
  browser = await openBrowser()
  page = await newPage(browser.context)
})
after(async () => { await browser?.close() })

async function waitState(s) {
  await page.waitForFunction((x) => document.querySelector('[data-testid=dossier-state]')?.textContent.trim() === x, s)
}

/** Open the bounty from the 揭榜领办 list (menu → row link). */
async function openFromList() {
  await page.getByTestId('nav-bounties').click()
  await page.getByTestId('bounties-page').waitFor()
  await page.getByTestId('bounties-table').getByRole('link', { name: title }).click()
  await page.waitForURL(new RegExp(`/dossiers/${bountyId}$`))
  await page.getByTestId('dossier-title').waitFor()
  await page.getByTestId('dossier-actions').waitFor()
  await settle(page)
}

/** The test ids of the action buttons shown on the dossier page. */
async function actionButtons() {
  return page.getByTestId('dossier-actions').locator('[data-testid^="action-"]').evaluateAll((els) => els.map((e) => e.dataset.testid).sort())
}

/** Fill a date picker of a generated form (typed, confirmed with Enter). */
async function fillDate(container, field, value) {
  const input = container.getByTestId(`field-item-${field}`).locator('input')
  await input.fill(value)
  await input.press('Enter')
}

/** Choose the organisation named exactly `name` in a remote org select. */
async function pickOrg(container, field, name) {
  const item = container.getByTestId(`field-item-${field}`)
  await item.locator('.el-select__wrapper').click()
  await item.locator('input.el-select__input').fill(name)
  // Wait for the search's answer: every option offered contains the name typed.
  await page.waitForFunction((n) => {
    const opts = [...document.querySelectorAll('.el-select-dropdown__item')].filter((o) => o.offsetParent)
    return opts.length > 0 && opts.every((o) => o.textContent.includes(n))
  }, name)
  const option = page.locator('.el-select-dropdown:visible .el-select-dropdown__item')
    .filter({ has: page.locator('span', { hasText: new RegExp(`^${name}$`) }) }).first()
  await option.click()
  await page.waitForFunction(
    ([testid, n]) => document.querySelector(`[data-testid=${testid}] .el-select__placeholder:not(.is-transparent)`)?.textContent.trim() === n,
    [`field-item-${field}`, name],
  )
}

/** Open an action's dialog; `fill` fills its generated form. Returns the dialog. */
async function openAction(action, fill) {
  await page.getByTestId(`action-${action}`).click()
  const dialog = page.getByTestId('action-dialog')
  await dialog.waitFor()
  if (fill) await fill(dialog)
  return dialog
}

/** Take an action through its dialog and wait for it to close (and for the state). */
async function act(action, fill, expectState) {
  const dialog = await openAction(action, fill)
  await dialog.getByTestId('action-submit').click()
  await waitDialogClosed(page, dialog)
  if (expectState) await waitState(expectState)
}

async function apply(orgName, plan) {
  await act('apply', async (dialog) => {
    await pickOrg(dialog, 'applicant_org_id', orgName)
    await dialog.getByTestId('field-item-plan').locator('textarea').fill(plan)
  })
  await page.getByTestId('records-applications').locator('.el-table__body tr', { hasText: orgName }).waitFor()
}

test('committee publishes a bounty; an end date before the start is refused on 结束日期', async () => {
  await login(page, 'committee')
  await page.getByTestId('nav-bounties').click()
  await page.getByTestId('bounties-page').waitFor()
  await page.getByTestId('bounty-create').click()
  await page.waitForURL(/\/dossiers\/new\?type=bounty/)
  await page.getByTestId('field-item-title').waitFor()
  await page.getByTestId('field-item-title').locator('input').fill(title)
  await page.getByTestId('field-item-body').locator('textarea').fill('清理洛阳江沿岸垃圾和漂浮物，每月至少组织两次集中行动。')
  // The committee's own area is filled in for it.
  await page.waitForFunction(() => /洛阳片区/.test(document.querySelector('[data-testid=field-item-area_id]')?.textContent || ''))
  await fillDate(page, 'period_from', '2026-06-30')
  await fillDate(page, 'period_to', '2026-03-01')
  await page.getByTestId('field-item-support').locator('textarea').fill('提供清理工具和每人每次 50 元误餐补助。')
  await page.getByTestId('dossier-save').click()
  const err = page.getByTestId('field-item-period_to').locator('.el-form-item__error')
  await err.waitFor()
  assert.match(await err.innerText(), /不能早于开始日期/)
  assert.equal(await page.getByTestId('field-item-period_from').locator('.el-form-item__error').count(), 0, 'the start date is not the one blamed')
  assert.match(page.url(), /\/dossiers\/new/)
  await snap(page, 'bounty-form-error')

  await fillDate(page, 'period_from', '2026-03-01')
  await fillDate(page, 'period_to', '2026-06-30')
  await page.getByTestId('dossier-save').click()
  await page.waitForURL(/\/dossiers\/\d+$/)
  bountyId = Number(page.url().match(/\/dossiers\/(\d+)$/)[1])
  await page.getByTestId('dossier-title').waitFor()
  await waitState('张榜中')
  const fields = await page.getByTestId('dossier-fields').innerText()
  assert.match(fields, /2026-03-01/)
  assert.match(fields, /2026-06-30/)
  assert.match(fields, /误餐补助/)
  const d = await apiGet(page, `/dossiers/${bountyId}`)
  assert.equal(d.type, 'bounty')
  assert.equal(d.area_id, 1)
  assert.equal(d.fields.period_from, '2026-03-01')
  assert.equal(d.fields.period_to, '2026-06-30')
  // The committee chooses a lead or withdraws; it does not apply.
  const buttons = await actionButtons()
  assert.ok(buttons.includes('action-choose_lead'), buttons.join())
  assert.ok(!buttons.includes('action-apply'), buttons.join())
  await snap(page, 'bounty-published')
})

test('an enterprise outside the area sees the bounty and may only 揭榜', async () => {
  await login(page, 'enterprise')
  const me = await apiGet(page, '/me')
  assert.notEqual(me.user.area_id, 1)
  await openFromList()
  assert.equal(await page.getByTestId('dossier-title').innerText(), title)
  await waitState('张榜中')
  assert.deepEqual(await actionButtons(), ['action-apply'])
  await snap(page, 'bounty-enterprise')
})

test('volunteer applies with a plan; applying again is refused as a duplicate', async () => {
  await login(page, 'volunteer')
  await openFromList()
  await apply(VOLUNTEER_ORG, '分三批组织 30 名志愿者，每月两次沿江清理。')
  const table = page.getByTestId('dossier-records-applications')
  assert.match(await table.locator('.el-card__header').innerText(), /（1）/)
  assert.match(await table.innerText(), /分三批组织 30 名志愿者/)

  const dialog = await openAction('apply', async (dlg) => {
    await pickOrg(dlg, 'applicant_org_id', VOLUNTEER_ORG)
    await dlg.getByTestId('field-item-plan').locator('textarea').fill('再报一次。')
  })
  await dialog.getByTestId('action-submit').click()
  const err = dialog.getByTestId('field-item-applicant_org_id').locator('.el-form-item__error')
  await err.waitFor()
  await windowShot(page, 'bounty-apply-duplicate')
  assert.match(await err.innerText(), /不能重复/)
  await dialog.getByRole('button', { name: '取消' }).click()
  await dialog.waitFor({ state: 'hidden' })
  const d = await apiGet(page, `/dossiers/${bountyId}`)
  assert.equal(d.fields.applications.length, 1)
})

test('community applies too', async () => {
  await login(page, 'community')
  await openFromList()
  await apply(COMMUNITY_ORG, '村民志愿队负责村段巡查与宣传。')
  assert.match(await page.getByTestId('dossier-records-applications').locator('.el-card__header').innerText(), /（2）/)
  await snap(page, 'bounty-applications')
})

test('committee chooses the lead among exactly the two applicants', async () => {
  await login(page, 'committee')
  await openFromList()
  const dialog = await openAction('choose_lead')
  const item = dialog.getByTestId('field-item-handler_org_id')
  await item.locator('.el-select__wrapper').click()
  const options = page.locator('.el-select-dropdown:visible .el-select-dropdown__item')
  await options.first().waitFor()
  // The names are looked up after the options show: wait for them.
  await page.waitForFunction(() => ![...document.querySelectorAll('.el-select-dropdown__item')].some((o) => o.offsetParent && /#\d+/.test(o.textContent)))
  const labels = await options.evaluateAll((els) => els.map((e) => e.querySelector('span')?.textContent.trim()).sort())
  assert.deepEqual(labels, [VOLUNTEER_ORG, COMMUNITY_ORG].sort())
  await windowShot(page, 'bounty-choose-lead')
  await options.filter({ has: page.locator('span', { hasText: new RegExp(`^${VOLUNTEER_ORG}$`) }) }).click()
  await dialog.getByTestId('action-submit').click()
  await waitDialogClosed(page, dialog)
  await waitState('已领办')
  assert.match(await page.getByTestId('dossier-summary').innerText(), new RegExp(VOLUNTEER_ORG))
  const d = await apiGet(page, `/dossiers/${bountyId}`)
  assert.equal(d.state, 'led')
  assert.equal(d.handler_org_name, VOLUNTEER_ORG)
})

test('volunteer records two actions; the table sums participants and hours; then finishes', async () => {
  await login(page, 'volunteer')
  await openFromList()
  await waitState('已领办')
  const actions = [
    { kind: '环境整治', date: '2026-03-14', place: '洛阳江南岸', participants: 25, hours: 75 },
    { kind: '政策宣传', date: '2026-03-28', place: '西吟头村文化广场', participants: 12, hours: 36 },
  ]
  for (const a of actions) {
    await act('record_action', async (dialog) => {
      await pickOption(page, dialog.getByTestId('field-item-action_kind'), a.kind)
      await fillDate(dialog, 'action_date', a.date)
      await dialog.getByTestId('field-item-place').locator('input').fill(a.place)
      await dialog.getByTestId('field-item-participants').locator('input').fill(String(a.participants))
      await dialog.getByTestId('field-item-volunteer_hours').locator('input').fill(String(a.hours))
      await dialog.getByTestId('field-item-volunteer_hours').locator('input').blur()
    })
    await page.getByTestId('records-actions').locator('.el-table__body tr', { hasText: a.place }).waitFor()
  }
  const rows = page.getByTestId('records-actions').locator('.el-table__body tr')
  assert.equal(await rows.count(), 2)
  const table = await page.getByTestId('records-actions').innerText()
  for (const a of actions) {
    assert.match(table, new RegExp(a.kind))
    assert.match(table, new RegExp(a.date))
  }
  const totals = await page.getByTestId('records-actions-totals').innerText()
  assert.match(totals, /参与人数：\s*37/)
  assert.match(totals, /志愿服务时长（小时）：\s*111/)
  await snap(page, 'bounty-actions')

  await act('finish', async (dialog) => {
    await dialog.getByTestId('field-item-summary').locator('textarea').fill('两次行动共 37 人次参与，志愿服务 111 小时，沿岸垃圾清理完毕。')
  }, '已完成')
  assert.equal(await page.getByTestId('action-evaluate').count(), 0, 'the lead does not evaluate its own work')
})

test('committee evaluates with a rating: 已评价', async () => {
  await login(page, 'committee')
  await openFromList()
  await waitState('已完成')
  await act('evaluate', async (dialog) => {
    await dialog.getByTestId('field-item-evaluation').locator('textarea').fill('组织有力，成效明显。')
    await pickOption(page, dialog.getByTestId('field-item-rating'), '优秀')
  }, '已评价')
  assert.deepEqual(await actionButtons(), [])
  const d = await apiGet(page, `/dossiers/${bountyId}`)
  assert.equal(d.state, 'evaluated')
  await page.getByTestId('dossier-timeline').getByText('评价').first().waitFor()
  await snap(page, 'bounty-evaluated')
  // The list shows it under 已评价 with its lead.
  await page.getByTestId('nav-bounties').click()
  await page.getByTestId('bounties-page').waitFor()
  await page.getByTestId('bounty-states').getByText('已评价').click()
  const row = page.getByTestId('bounties-table').locator('.el-table__body tr', { hasText: title })
  await row.waitFor()
  assert.match(await row.innerText(), new RegExp(VOLUNTEER_ORG))
  await snap(page, 'bounty-list')
})
