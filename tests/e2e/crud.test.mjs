// The administrator's everyday writes, end to end against the server:
// CSV import (dry run with per-row errors, then the real import), edit with
// If-Match, delete refused with the 409 references message, delete, area
// members (add / remove), an agreement whose parties get server field errors,
// a liaison whose fields follow its kind; and a lost session sending the user
// to the login page and back.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { openBrowser, newPage, login, apiGet, pickOption, waitDialogClosed, validCreditCode, withWrongCheck, uniq, shot, BASE } from './helpers.mjs'

let browser
let page
before(async () => {
  browser = await openBrowser()
  page = await newPage(browser.context)
  await login(page, 'admin')
})
after(async () => { await browser?.close() })

const HEADER = 'kind,name,parent,credit_code,short_name,address,contact_name,contact_phone'
const tag = uniq()
const nameA = `导入企业甲${tag}`
const nameB = `导入企业乙${tag}`

/** Confirm the open ElMessageBox with its primary button. */
async function confirmBox() {
  const box = page.locator('.el-message-box:visible')
  await box.waitFor()
  await box.locator('.el-button--primary').click()
  await box.waitFor({ state: 'hidden' })
}

/** Type a date into an Element Plus date picker inside `item` and close its panel. */
async function fillDate(item, value) {
  const input = item.locator('input').first()
  await input.click()
  await input.fill(value)
  await input.press('Enter')
  assert.equal(await input.inputValue(), value)
}

/** Search the organisation list and return the row locator of `name`. */
async function findOrg(name) {
  await page.goto(`${BASE}/orgs`)
  await page.getByTestId('org-search').fill(name)
  await page.getByTestId('org-search-btn').click()
  const row = page.getByTestId('org-table').locator('.el-table__body tr', { hasText: name })
  await row.first().waitFor()
  return row.first()
}

test('CSV import: dry run lists bad rows, then a clean import creates them', async () => {
  const parks = await apiGet(page, '/orgs?kind=park&q=' + encodeURIComponent('海峡雕刻艺术园') + '&page_size=1')
  const park = parks.items[0].name
  await page.goto(`${BASE}/orgs`)
  await page.getByTestId('org-import').click()
  const dialog = page.getByTestId('import-dialog')
  await dialog.waitFor()

  const bad = withWrongCheck(validCreditCode())
  await page.getByTestId('import-csv').fill(`${HEADER}\nenterprise,${nameA},${park},${bad},,,,\nenterprise,,${park},${validCreditCode()},,,,\n`)
  await page.getByTestId('import-dry-run').click()
  const errors = page.getByTestId('import-errors')
  await errors.waitFor()
  const text = await errors.innerText()
  assert.match(text, /统一社会信用代码校验位不正确/)
  assert.match(text, /必填/)
  assert.match(text, /\b2\b/)
  assert.match(text, /\b3\b/)
  assert.ok(await page.getByTestId('import-run').isDisabled(), 'no real import while errors remain')
  await shot(page, 'org-import-errors')

  await page.getByTestId('import-csv').fill(`${HEADER}\nenterprise,${nameA},${park},${validCreditCode()},,,,\nenterprise,${nameB},${nameA.length ? park : ''},${validCreditCode()},,,,\n`)
  await page.getByTestId('import-dry-run').click()
  await dialog.getByText('校验通过，可以正式导入').waitFor()
  await page.getByTestId('import-run').click()
  await dialog.getByText('已导入 2 个组织').first().waitFor()
  await dialog.locator('.el-dialog__footer .el-button', { hasText: '关闭' }).click()
  await dialog.waitFor({ state: 'hidden' })
  await findOrg(nameA)
  await findOrg(nameB)
})

test('edit an organisation; delete refused with references; delete', async () => {
  const row = await findOrg(nameA)
  await row.getByRole('button', { name: '编辑' }).click()
  const dialog = page.getByTestId('org-dialog')
  await dialog.waitFor()
  await page.getByTestId('org-address').fill('洛阳镇测试大道 8 号')
  await page.getByTestId('org-save').click()
  await waitDialogClosed(page, dialog)
  await row.getByRole('link', { name: nameA }).click()
  await page.getByTestId('org-detail').getByText('洛阳镇测试大道 8 号').waitFor()

  // A town still has villages and users under it: 409 with references.
  const towns = await apiGet(page, '/orgs?kind=town&q=' + encodeURIComponent('洛阳镇') + '&page_size=1')
  const town = towns.items[0]
  await page.goto(`${BASE}/orgs/${town.id}`)
  await page.getByTestId('org-delete').click()
  await confirmBox()
  const msg = page.locator('.el-message', { hasText: '仍有关联记录，无法删除' })
  await msg.waitFor()
  assert.match(await msg.innerText(), /下级组织 \d+/)
  await shot(page, 'org-delete-conflict')

  // The imported enterprise B has nothing under it: it goes.
  const rowB = await findOrg(nameB)
  await rowB.getByRole('button', { name: '删除' }).click()
  await confirmBox()
  await page.locator('.el-message', { hasText: '已删除' }).waitFor()
  await page.getByTestId('org-table').locator('.el-table__body tr', { hasText: nameB }).waitFor({ state: 'detached' })
})

test('area members: add a new organisation, then remove it', async () => {
  const members = await apiGet(page, '/areas/1/members?page_size=200')
  const inArea = new Set(members.items.map((m) => m.org_id))
  const candidates = await apiGet(page, '/orgs?kind=new_org&page_size=100')
  const org = candidates.items.find((o) => !inArea.has(o.id))
  assert.ok(org, 'a new_org outside area 1')

  await page.goto(`${BASE}/areas/1`)
  await page.getByTestId('member-add').click()
  const dialog = page.getByTestId('member-dialog')
  await dialog.waitFor()
  await pickOption(page, page.getByTestId('member-org-item'), org.name, org.name)
  await page.getByTestId('member-save').click()
  await waitDialogClosed(page, dialog)
  const row = page.getByTestId('area-members').locator('.el-table__body tr', { hasText: org.name })
  await row.waitFor()
  await row.getByRole('button', { name: '移出' }).click()
  await confirmBox()
  await row.waitFor({ state: 'detached' })
})

test('agreement: server field errors on a party row, then saved', async () => {
  const orgs = await apiGet(page, '/orgs?kind=community&page_size=2')
  const [a, b] = orgs.items
  await page.goto(`${BASE}/agreements`)
  await page.getByTestId('agreement-create').click()
  await page.getByTestId('agreement-form').waitFor()
  const title = `测试联建协议${tag}`
  await page.getByTestId('agreement-title').fill(title)
  await fillDate(page.getByTestId('agreement-signed-item'), '2025-03-01')
  await fillDate(page.getByTestId('agreement-start-item'), '2025-03-01')
  await fillDate(page.getByTestId('agreement-end-item'), '2027-02-28')
  const parties = page.getByTestId('agreement-party')
  await pickOption(page, parties.nth(0), a.name, a.name)
  await pickOption(page, parties.nth(1), b.name, b.name)
  // Responsibilities of the second party left empty: the server names parties[1].responsibilities.
  await parties.nth(0).locator('textarea').fill('提供活动场地')
  await page.getByTestId('agreement-save').click()
  const err = parties.nth(1).getByTestId('party-resp-error')
  await err.waitFor()
  assert.equal((await err.innerText()).trim(), '必填')
  await parties.nth(1).locator('textarea').fill('组织志愿服务')
  await page.getByTestId('agreement-save').click()
  await page.getByTestId('agreement-detail').getByRole('heading', { name: title }).waitFor()
  const detail = await page.getByTestId('agreement-detail').innerText()
  assert.match(detail, /生效中|已到期|未生效/)
  assert.match(detail, new RegExp(a.name))
  assert.match(detail, /组织志愿服务/)
})

test('liaison: the form follows the kind', async () => {
  await page.goto(`${BASE}/liaisons`)
  await page.getByTestId('liaison-create').click()
  const dialog = page.getByTestId('liaison-dialog')
  await dialog.waitFor()
  await pickOption(page, page.getByTestId('liaison-kind-item'), '干部包村')
  assert.equal(await page.getByTestId('liaison-area-item').count(), 0, 'no area for cadre_village')
  await pickOption(page, page.getByTestId('liaison-user-item'), '乡镇干部')
  await pickOption(page, page.getByTestId('liaison-target-item'), '村居/社区')
  await fillDate(page.getByTestId('liaison-start-item'), '2026-01-05')
  await page.getByTestId('liaison-save').click()
  await waitDialogClosed(page, dialog)
  await page.locator('.el-message', { hasText: '已创建' }).waitFor()

  await page.getByTestId('liaison-create').click()
  await dialog.waitFor()
  await pickOption(page, page.getByTestId('liaison-kind-item'), '部门联系片区')
  await page.getByTestId('liaison-area-item').waitFor()
  await page.getByTestId('liaison-department-item').waitFor()
  assert.equal(await page.getByTestId('liaison-user-item').count(), 0, 'no person for department_area')
  await dialog.locator('.el-dialog__footer .el-button', { hasText: '取消' }).click()
})

test('a lost session leads to the login page and back to where the user was', async () => {
  await page.goto(`${BASE}/areas`)
  await page.getByTestId('area-table').locator('.el-table__body tr').first().waitFor()
  await browser.context.clearCookies()
  await page.getByTestId('nav-orgs').click()
  const reason = page.getByTestId('login-reason')
  await reason.waitFor()
  assert.match(await reason.innerText(), /请先登录|会话已过期/)
  await page.getByTestId('login-username').fill('admin')
  await page.getByTestId('login-password').fill(process.env.SANQU_PW || '')
  await page.getByTestId('login-submit').click()
  await page.getByTestId('orgs-page').waitFor()
  assert.deepEqual(browser.errors, [], 'no uncaught page errors')
})
