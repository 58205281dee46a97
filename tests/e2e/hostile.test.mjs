// Hostile text in the UI (issue #3 item 5): records whose names, descriptions
// and notes hold script and HTML payloads are created through the API (from the
// page's own session, with its CSRF token); every page that shows them — lists,
// detail pages, the organisation tree, a delete confirmation, dossiers and
// meetings — must show the payloads as literal text. The test fails when a
// dialog opens (alert), when a payload's handler runs (a canary global), when
// the browser reports a blocked inline script or handler (which would mean the
// payload became markup), or when payload markup appears as elements.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { openBrowser, newPage, login, apiGet, uniq, shot, settle, pickOption, BASE } from './helpers.mjs'

const tag = uniq()
// Each payload would set window.__xss (or open a dialog) if it ever ran.
const P = {
  script: '<script>window.__xss=1;alert(1)</script>',
  img: '<img src=x onerror="window.__xss=2;alert(2)">',
  svg: '<svg onload="window.__xss=3;alert(3)">',
  link: '<a href="javascript:alert(4)" id="xss-link">链接</a>',
  iframe: '<iframe src="javascript:alert(5)"></iframe>',
  tmpl: '{{ constructor.constructor("alert(6)")() }}',
  attr: '" onmouseover="alert(7)" x="',
}

let browser
let page
const dialogs = []

before(async () => {
  browser = await openBrowser()
  page = await newPage(browser.context)
  page.on('dialog', async (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`)
    await d.dismiss().catch(() => {})
  })
})
after(async () => { await browser?.close() })

/** POST/PUT through the page's session with its CSRF token; returns the JSON answer. */
async function apiSend(method, path, body) {
  const me = await apiGet(page, '/me')
  const res = await page.request.fetch(`${BASE}/api/v1${path}`, {
    method,
    data: body,
    headers: { 'X-CSRF-Token': me.csrf_token, 'Content-Type': 'application/json' },
  })
  const text = await res.text()
  if (res.status() >= 300) throw new Error(`${method} ${path}: ${res.status()} ${text}`)
  return text ? JSON.parse(text) : null
}

/** Nothing ran and nothing became markup on the current page. */
async function expectInert(where) {
  await settle(page).catch(() => {})
  assert.deepEqual(dialogs, [], `${where}: a dialog opened`)
  assert.equal(await page.evaluate(() => window.__xss), undefined, `${where}: a payload ran`)
  const blocked = page.consoleErrors.filter((m) => /Content Security Policy|Refused to (execute|load|run)/i.test(m))
  assert.deepEqual(blocked, [], `${where}: the browser blocked script from a payload (it became markup)`)
  for (const sel of ['img[src="x"]', 'svg[onload]', 'iframe[src^="javascript"]', '#xss-link', '[onmouseover]']) {
    assert.equal(await page.locator(sel).count(), 0, `${where}: the page holds ${sel}`)
  }
  assert.deepEqual(browser.errors, [], `${where}: uncaught page errors`)
}

/** The literal text is visible somewhere inside `scope` (a locator) or the page. */
async function expectText(text, where, scope = page.locator('body')) {
  await scope.getByText(text, { exact: false }).first().waitFor({ timeout: 10000 })
    .catch(() => { throw new Error(`${where}: the literal text ${JSON.stringify(text)} is not shown`) })
}

const names = {}

test('the administrator creates records full of script and HTML', async () => {
  await login(page, 'admin')
  const towns = await apiGet(page, `/orgs?kind=town&q=${encodeURIComponent('洛阳镇')}`)
  const town = towns.items[0]
  const villages = await apiGet(page, `/orgs?kind=community&parent_id=${town.id}&page_size=2`)
  const leaders = await apiGet(page, '/users?role=leader&page_size=1')

  names.org = `${P.img}园${tag}`
  const org = await apiSend('POST', '/orgs', {
    kind: 'park', parent_id: town.id, name: names.org, short_name: P.attr, address: P.script,
    contact_name: P.svg.slice(0, 50), note: `${P.iframe}\n${P.link}\n${P.tmpl}`,
  })
  names.orgId = org.id

  names.area = `<b>片区</b>${tag}`
  const area = await apiSend('POST', '/areas', {
    name: names.area, code: `X${tag}`.slice(0, 20), committee_name: `${P.svg}委员会`,
    convener_id: leaders.items[0].id, description: `${P.script}${P.img}${P.tmpl}`,
  })
  names.areaId = area.id

  names.agreement = `${P.script}协议${tag}`
  const ag = await apiSend('POST', '/agreements', {
    title: names.agreement, area_id: area.id, signed_on: '2025-03-01', term_start: '2025-03-01', term_end: '2027-02-28',
    content: `${P.img}\n${P.tmpl}`,
    parties: [
      { org_id: villages.items[0].id, responsibilities: P.link },
      { org_id: villages.items[1].id, responsibilities: P.iframe },
    ],
  })
  names.agreementId = ag.id

  names.user = `${P.img}`.slice(0, 40) + tag.slice(0, 8)
  await apiSend('POST', '/users', {
    username: `xss_${tag}`.toLowerCase().replace(/[^a-z0-9_.-]/g, ''), display_name: names.user, role: 'community',
    org_id: villages.items[0].id, password: 'Xss#Demo2026pw',
  })
  await expectInert('after creating')
})

test('organisations: list, detail, tree and delete confirmation show the text', async () => {
  await page.goto(`${BASE}/orgs`)
  await page.getByTestId('org-search').fill(tag)
  await page.getByTestId('org-search-btn').click()
  const table = page.getByTestId('org-table')
  await expectText(names.org, 'org list', table)
  await expectInert('org list')

  await page.goto(`${BASE}/orgs/${names.orgId}`)
  const detail = page.getByTestId('org-detail')
  await expectText(names.org, 'org detail', detail)
  await expectText(P.script, 'org detail (address)', detail)
  await expectText(P.attr.trim(), 'org detail (short name)', detail)
  await expectInert('org detail')
  await shot(page, 'hostile-org-detail')

  // The delete confirmation names the organisation.
  await page.getByTestId('org-delete').click()
  const box = page.locator('.el-message-box:visible')
  await box.waitFor()
  await expectText(names.org, 'delete confirmation', box)
  await expectInert('delete confirmation')
  await box.locator('.el-button', { hasText: '取消' }).click()
  await box.waitFor({ state: 'hidden' })

  // The tree: expand the district, then 洛阳镇; the park is a node there.
  await page.goto(`${BASE}/orgs`)
  const tree = page.getByTestId('org-tree')
  await tree.locator('.el-tree-node').first().waitFor()
  const townNode = tree.locator('.el-tree-node__content', { hasText: '洛阳镇' }).first()
  if (!(await townNode.isVisible())) {
    await tree.locator('.el-tree-node__content').first().locator('.el-tree-node__expand-icon').click()
  }
  await townNode.waitFor()
  await townNode.locator('.el-tree-node__expand-icon').click()
  await expectText(names.org, 'org tree', tree)
  await expectInert('org tree')
})

test('areas: list and detail show the text', async () => {
  await page.goto(`${BASE}/areas`)
  await expectText(names.area, 'area list', page.getByTestId('area-table'))
  await expectInert('area list')
  await page.goto(`${BASE}/areas/${names.areaId}`)
  const detail = page.getByTestId('area-detail')
  await expectText(names.area, 'area detail', detail)
  await expectText(`${P.svg}委员会`, 'area detail (committee)', detail)
  await expectText(P.script, 'area detail (description)', detail)
  await expectInert('area detail')
  await shot(page, 'hostile-area-detail')
})

test('agreements: list and detail show the text', async () => {
  await page.goto(`${BASE}/agreements`)
  await expectText(names.agreement, 'agreement list', page.getByTestId('agreement-table'))
  await expectInert('agreement list')
  await page.goto(`${BASE}/agreements/${names.agreementId}`)
  const detail = page.getByTestId('agreement-detail')
  await expectText(names.agreement, 'agreement detail', detail)
  await expectText(P.link, 'agreement detail (responsibilities)', detail)
  await expectText(P.iframe, 'agreement detail (responsibilities)', detail)
  await expectInert('agreement detail')
  await shot(page, 'hostile-agreement-detail')
})

test('accounts: the list shows the display name as text', async () => {
  await page.goto(`${BASE}/users`)
  await page.getByTestId('user-search').fill(tag.slice(0, 8))
  await page.getByTestId('user-search-btn').click()
  await expectText(names.user, 'user list', page.getByTestId('user-table'))
  await expectInert('user list')
})

test('matters: a dossier and a meeting with payloads, their lists, details and print view', async () => {
  await login(page, 'leader')
  const areas = await apiGet(page, `/areas?q=${encodeURIComponent(names.area)}`)
  const area = areas.items.find((a) => a.id === names.areaId) || (await apiGet(page, '/areas?page_size=1')).items[0]
  names.dossier = `${P.script}事项${tag}`
  const d = await apiSend('POST', '/dossiers', { type: 'agreed_item', title: names.dossier, area_id: area.id, body: `${P.img}\n${P.tmpl}` })
  await apiSend('POST', `/dossiers/${d.id}/comments`, { body: `${P.svg}${P.link}` })
  names.meeting = `${P.svg}会议${tag}`
  const m = await apiSend('POST', '/meetings', {
    area_id: area.id, title: names.meeting, held_on: '2026-01-05', place: P.attr, minutes: `${P.script}\n${P.iframe}`,
  })

  await page.goto(`${BASE}/dossiers`)
  await page.getByTestId('filter-q').fill(tag)
  await page.getByTestId('filter-search').click()
  await expectText(names.dossier, 'dossier list', page.getByTestId('dossier-table'))
  await expectInert('dossier list')

  await page.goto(`${BASE}/dossiers/${d.id}`)
  const detail = page.getByTestId('dossier-detail')
  await expectText(names.dossier, 'dossier detail', detail)
  await expectText(P.img, 'dossier detail (body)', detail)
  await expectText(`${P.svg}${P.link}`, 'dossier detail (comment)', detail)
  await expectInert('dossier detail')
  await shot(page, 'hostile-dossier-detail')

  await page.goto(`${BASE}/dossiers/${d.id}/print`)
  await expectText(names.dossier, 'dossier print view')
  await expectInert('dossier print view')

  // The meeting list, filtered by the area (whose name is a payload too: the select's options).
  await page.goto(`${BASE}/meetings`)
  await page.getByTestId('meeting-table').waitFor()
  await pickOption(page, page.getByTestId('meeting-filter-area'), names.area, names.area)
  await expectText(names.meeting, 'meeting list', page.getByTestId('meeting-table'))
  await expectInert('meeting list')
  await page.goto(`${BASE}/meetings/${m.id}`)
  const md = page.getByTestId('meeting-detail')
  await expectText(names.meeting, 'meeting detail', md)
  await expectText(P.script, 'meeting detail (minutes)', md)
  await expectInert('meeting detail')
  await shot(page, 'hostile-meeting-detail')

  // The home page (figures and recent matters) as well.
  await page.goto(`${BASE}/`)
  await page.getByTestId('home').waitFor()
  await expectInert('home')
})
