// Issue #4 item 11: hold a meeting, handle one agreed item through to write-off
// with two different users, and see it on the supervision board before and after.
//
//   committee (洛阳片区)  holds a meeting with one agreed item for 洛阳镇, short limit;
//                        closing its follow-up is refused (409 open_items);
//   leader               supervises it (挂牌督办) and sees it on the board;
//   town (洛阳镇)         finds it in 我的待办, accepts, reports it done — and has no 验收;
//   committee            verifies and writes it off; the meeting shows 销号, the
//                        board no longer lists it, the timeline has every step with
//                        its hash, the follow-up closes; the print view renders the
//                        whole timeline and prints only on request.
// Screenshots: build/e2e/dossier-*.png (inbox, dossier page, meeting, board, print).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { openBrowser, newPage, login, shot, apiGet, pickOption, waitDialogClosed, settle, uniq, BASE, snap } from './helpers.mjs'

let browser
let page
const tag = uniq()
const meetingTitle = `联席会议测试${tag}`
const itemTitle = `西吟头村路灯改造${tag}`
let townId = 0
let meetingId = 0
let dossierId = 0

before(async () => {
  browser = await openBrowser()
  page = await newPage(browser.context)
  // window.print is counted, not run: the print view may call it only on a click.
  await page.addInitScript(() => {
    window.__printed = 0
    window.print = () => { window.__printed++ }
  })
})
after(async () => { await browser?.close() })

/** A screenshot from the top of the page without the passing toasts (sticky header stays put). */
/** Confirm the open ElMessageBox with its primary button. */
async function confirmBox() {
  const box = page.locator('.el-message-box:visible')
  await box.waitFor()
  await box.locator('.el-button--primary').click()
  await box.waitFor({ state: 'hidden' })
}

/** Open a dossier page and wait for its title and actions. */
async function openDossier(id) {
  await page.goto(`${BASE}/dossiers/${id}`)
  await page.getByTestId('dossier-title').waitFor()
  await page.getByTestId('dossier-actions').waitFor()
  await settle(page)
}

/** Take a dossier action through its dialog; `fill` fills the generated form. */
async function act(action, fill, expectState) {
  await page.getByTestId(`action-${action}`).click()
  const dialog = page.getByTestId('action-dialog')
  await dialog.waitFor()
  if (fill) await fill(dialog)
  await dialog.getByTestId('action-submit').click()
  await waitDialogClosed(page, dialog)
  if (expectState) {
    await page.waitForFunction(
      (s) => document.querySelector('[data-testid=dossier-state]')?.textContent.trim() === s, expectState,
    )
  }
}

/** The texts of the action buttons on a dossier page. */
async function actionButtons() {
  return (await page.getByTestId('dossier-actions').locator('button').allInnerTexts()).map((s) => s.trim())
}

test('committee holds a meeting with an agreed item for 洛阳镇', async () => {
  // The handler's id, for the checks (a committee's GET /orgs does not list towns).
  await login(page, 'leader')
  const towns = await apiGet(page, `/orgs?kind=town&q=${encodeURIComponent('洛阳镇')}`)
  townId = towns.items.find((o) => o.name === '洛阳镇')?.id
  assert.ok(townId, '洛阳镇 is a town of the demo district')

  await login(page, 'committee')
  const menu = page.getByTestId('side-menu')
  for (const n of ['inbox', 'dossiers', 'meetings', 'supervision']) await menu.getByTestId(`nav-${n}`).waitFor()
  assert.match(await menu.innerText(), /我的待办[\s\S]*事项档案[\s\S]*联席会议[\s\S]*督办/)

  await menu.getByTestId('nav-meetings').click()
  await page.getByTestId('meetings-page').waitFor()
  await page.getByTestId('meeting-create').click()
  await page.getByTestId('meeting-form').waitFor()
  // The committee's own area is filled in.
  await page.waitForFunction(() => /洛阳片区/.test(document.querySelector('[data-testid=meeting-area-item]')?.textContent || ''))

  await page.getByTestId('meeting-title').fill(meetingTitle)
  await page.getByTestId('meeting-place').fill('洛阳镇党群服务中心')
  await page.getByTestId('meeting-attendees').fill('片区召集人、秘书，各成员单位党组织书记')
  await page.getByTestId('meeting-agenda').fill('一、通报上次议定事项落实情况\n二、研究西吟头村路灯改造')
  await page.getByTestId('meeting-minutes').fill('会议议定：由洛阳镇牵头，尽快完成西吟头村主干道路灯改造。')
  await page.getByTestId('meeting-orgs-item').getByRole('button', { name: '全部成员单位' }).click()

  await page.getByTestId('meeting-add-item').click()
  const row = page.getByTestId('meeting-item-0')
  await row.waitFor()
  await page.getByTestId('item-title-0').fill(itemTitle)
  await page.getByTestId('item-body-0').fill('主干道 12 盏路灯损坏，影响群众夜间出行。')
  await row.locator('.el-input-number input').fill('1')
  await row.locator('.el-input-number input').press('Tab')
  await pickOption(page, page.getByTestId('item-handler-0'), '洛阳镇', '洛阳镇')
  await snap(page, 'dossier-meeting-form')
  await page.getByTestId('meeting-save').click()

  await page.waitForURL(/\/meetings\/\d+$/)
  meetingId = Number(page.url().match(/\/meetings\/(\d+)$/)[1])
  const items = page.getByTestId('meeting-items')
  const itemRow = items.locator('.el-table__body tr', { hasText: itemTitle })
  await itemRow.waitFor()
  assert.match(await itemRow.innerText(), /洛阳镇/)
  assert.match(await itemRow.innerText(), /交办/)

  const m = await apiGet(page, `/meetings/${meetingId}`)
  assert.equal(m.title, meetingTitle)
  assert.equal(m.items.length, 1)
  assert.ok(m.orgs.length > 0, 'the member organisations took part')
  dossierId = m.items[0].dossier_id
  const d = await apiGet(page, `/dossiers/${dossierId}`)
  assert.equal(d.handler_org_id, townId)
  assert.equal(d.state, 'assigned')
  assert.equal(d.limit_days, 1)

  // Closing the follow-up now is refused: the item is still open.
  await page.getByTestId('meeting-close').click()
  await confirmBox()
  const problem = page.getByTestId('close-problem')
  await problem.waitFor()
  assert.match(await problem.innerText(), new RegExp(itemTitle))
  assert.match(await page.getByTestId('meeting-status').innerText(), /跟进中/)
})

test('leader supervises it (挂牌督办) and sees it on the supervision board', async () => {
  await login(page, 'leader')
  await openDossier(dossierId)
  assert.ok((await actionButtons()).includes('督办'), 'a leader may supervise')
  await act('supervise', async (dialog) => {
    await pickOption(page, dialog.getByTestId('field-item-level'), '挂牌督办')
    const days = dialog.getByTestId('field-item-limit_days').locator('input')
    await days.fill('2')
    await days.press('Tab')
  })
  await page.getByTestId('dossier-detail').getByTestId('supervision-badge').first().waitFor()
  assert.match(await page.getByTestId('dossier-detail').getByTestId('supervision-badge').first().innerText(), /挂牌督办/)
  const d = await apiGet(page, `/dossiers/${dossierId}`)
  assert.equal(d.supervision_level, 'listed')
  assert.equal(d.limit_days, 2)

  await page.getByTestId('nav-supervision').click()
  await page.getByTestId('supervision-page').waitFor()
  const row = page.getByTestId('board-items').locator('.el-table__body tr', { hasText: itemTitle })
  await row.waitFor()
  assert.match(await row.innerText(), /挂牌督办/)
  assert.match(await row.innerText(), /洛阳镇/)
  const board = await apiGet(page, '/supervision')
  assert.ok(board.totals.listed >= 1)
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid=board-listed] .el-statistic__number')?.textContent.replace(/\D/g, '') === String(n),
    board.totals.listed,
  )
  await page.getByTestId('board-chart').waitFor()
  await snap(page, 'dossier-supervision-before')
})

test('town accepts and reports it done, and may not verify', async () => {
  await login(page, 'town')
  await page.getByTestId('nav-inbox').click()
  await page.getByTestId('inbox-page').waitFor()
  assert.match(await page.getByTestId('inbox-note').innerText(), /洛阳镇/)
  const row = page.getByTestId('inbox-table').locator('.el-table__body tr', { hasText: itemTitle })
  await row.waitFor()
  assert.match(await row.innerText(), /挂牌督办/)
  await snap(page, 'dossier-inbox')

  await row.getByRole('link', { name: itemTitle }).click()
  await page.getByTestId('dossier-title').waitFor()
  await page.getByTestId('action-accept').waitFor()
  assert.equal(await page.getByTestId('action-verify').count(), 0)

  await act('accept', async (dialog) => {
    await dialog.getByTestId('action-confirm').waitFor()
  }, '办理中')

  // report_done: result is required — the empty form is refused under the field.
  await page.getByTestId('action-report_done').click()
  const dialog = page.getByTestId('action-dialog')
  await dialog.waitFor()
  await dialog.getByTestId('action-submit').click()
  await dialog.getByTestId('field-item-result').locator('.el-form-item__error').waitFor()
  assert.equal((await dialog.getByTestId('field-item-result').locator('.el-form-item__error').innerText()).trim(), '必填')
  await dialog.getByTestId('field-result').fill('已更换 12 盏 LED 路灯，主干道照明恢复正常。')
  await dialog.getByTestId('field-evidence').fill('施工前后照片 24 张，验收单 1 份')
  await dialog.getByTestId('action-submit').click()
  await waitDialogClosed(page, dialog)
  await page.waitForFunction(() => document.querySelector('[data-testid=dossier-state]')?.textContent.trim() === '办结')

  // The handler may not verify its own work: no 验收 button, and none among the actions.
  const buttons = await actionButtons()
  assert.ok(!buttons.includes('验收'), `no 验收 for the town user (saw ${buttons.join(', ')})`)
  assert.equal(await page.getByTestId('action-verify').count(), 0)
  const d = await apiGet(page, `/dossiers/${dossierId}`)
  assert.equal(d.state, 'done')
  assert.ok(!d.allowed_actions.includes('verify'))
})

test('committee verifies and writes it off; meeting, board, timeline, print view', async () => {
  await login(page, 'committee')
  await openDossier(dossierId)
  // A comment goes into the timeline too. It moves the dossier's version, which the page takes
  // from the comment's answer: the verification after it sends that version (If-Match), and a
  // stale one would be refused (412) and leave the dialog open.
  await page.getByTestId('comment-input').fill('验收前请备齐施工前后照片，资料归档。')
  await page.getByTestId('comment-submit').click()
  await page.getByTestId('timeline').getByTestId('event-comment').waitFor()
  await act('verify', async (dialog) => {
    await dialog.getByTestId('field-conclusion').fill('经现场查看，路灯已全部恢复，同意验收。')
  }, '验收')
  await act('write_off', async (dialog) => {
    await dialog.getByTestId('action-confirm').waitFor()
  }, '销号')

  // The timeline lists every step with its hash, as the event log has them.
  const events = (await apiGet(page, `/dossiers/${dossierId}/events`)).items
  assert.deepEqual(events.map((e) => e.action), ['create', 'assign', 'supervise', 'accept', 'report_done', 'comment', 'verify', 'write_off'])
  const timeline = page.getByTestId('timeline')
  for (const a of ['create', 'assign', 'supervise', 'accept', 'report_done', 'verify', 'write_off']) {
    await timeline.getByTestId(`event-${a}`).waitFor()
  }
  const hashes = await timeline.getByTestId('event-hash').evaluateAll((els) => els.map((e) => e.dataset.hash))
  assert.deepEqual(hashes, events.map((e) => e.hash))
  const shown = (await timeline.getByTestId('event-hash').allInnerTexts()).map((s) => s.trim())
  assert.deepEqual(shown, events.map((e) => e.hash.slice(0, 12)))
  const text = await timeline.innerText()
  for (const s of ['洛阳片区秘书', '洛阳镇包村干部', '交办', '签收办理', '挂牌督办', '已更换 12 盏 LED 路灯', '同意验收', '验收 → 销号']) {
    assert.ok(text.includes(s), `timeline shows ${s}`)
  }
  // Labels follow the language: the type declaration's English labels.
  await page.getByTestId('lang-switch').click()
  await page.getByTestId('lang-en').click()
  await page.waitForFunction(() => document.querySelector('[data-testid=dossier-state]')?.textContent.trim() === 'Written off')
  const en = await timeline.innerText()
  for (const s of ['Assign', 'Accept', 'Report done', 'Verify', 'Verified → Written off', 'Listed supervision']) {
    assert.ok(en.includes(s), `English timeline shows ${s}`)
  }
  await page.getByTestId('lang-switch').click()
  await page.getByTestId('lang-zh-CN').click()
  await page.waitForFunction(() => document.querySelector('[data-testid=dossier-state]')?.textContent.trim() === '销号')
  await snap(page, 'dossier-page')

  // The meeting shows the item written off; its follow-up can now be closed.
  await page.goto(`${BASE}/meetings/${meetingId}`)
  const itemRow = page.getByTestId('meeting-items').locator('.el-table__body tr', { hasText: itemTitle })
  await itemRow.waitFor()
  assert.match(await itemRow.getByTestId('item-state').innerText(), /销号/)
  await page.waitForFunction(() => document.querySelector('[data-testid=summary-done] .el-statistic__number')?.textContent.trim() === '1')
  await page.getByTestId('meeting-close').click()
  await confirmBox()
  await page.waitForFunction(() => /已结束跟进/.test(document.querySelector('[data-testid=meeting-status]')?.textContent || ''))
  assert.equal(await page.getByTestId('meeting-close').count(), 0)
  assert.equal((await apiGet(page, `/meetings/${meetingId}`)).status, 'closed')
  await snap(page, 'dossier-meeting')

  // Gone from the supervision board.
  await page.getByTestId('nav-supervision').click()
  await page.getByTestId('supervision-page').waitFor()
  await page.getByTestId('board-items').locator('.el-table__body tr, .el-empty').first().waitFor()
  await settle(page)
  assert.equal(await page.getByTestId('board-items').locator('.el-table__body tr', { hasText: itemTitle }).count(), 0)
  const board = await apiGet(page, '/supervision')
  assert.ok(!board.items.some((i) => i.id === dossierId))
  await snap(page, 'dossier-supervision-after')

  // The printable 一事一档: the whole timeline with full hashes; print only on click.
  await openDossier(dossierId)
  await page.getByTestId('dossier-print').click()
  await page.getByTestId('dossier-print-page').waitFor()
  await page.getByTestId('print-title').waitFor()
  assert.equal((await page.getByTestId('print-title').innerText()).trim(), itemTitle)
  const printed = page.getByTestId('print-timeline')
  await printed.getByTestId('print-event-write_off').waitFor()
  assert.equal(await printed.locator('tr.ev').count(), events.length)
  const full = (await printed.getByTestId('print-hash').allInnerTexts()).map((s) => s.replace(/^\S+\s+/, '').trim())
  assert.deepEqual(full, events.map((e) => e.hash))
  assert.match(await page.getByTestId('dossier-print-page').innerText(), /经办人（签字）/)
  assert.equal(await page.evaluate(() => window.__printed), 0, 'no print dialog before the click')
  await snap(page, 'dossier-print')
  await page.getByTestId('print-button').click()
  assert.equal(await page.evaluate(() => window.__printed), 1)
  // The print stylesheet hides the buttons.
  await page.emulateMedia({ media: 'print' })
  assert.equal(await page.getByTestId('print-button').isVisible(), false)
  await page.emulateMedia({ media: 'screen' })

  // The dossier list finds it, written off (no time colour any more).
  await page.goto(`${BASE}/dossiers?q=${encodeURIComponent(itemTitle)}`)
  const listRow = page.getByTestId('dossier-table').locator('.el-table__body tr', { hasText: itemTitle })
  await listRow.waitFor()
  assert.match(await listRow.innerText(), /销号/)

  const csp = page.consoleErrors.filter((m) => /Content Security Policy/i.test(m))
  assert.deepEqual(csp, [], 'no CSP violations')
  assert.deepEqual(browser.errors, [], 'no uncaught page errors')
})
