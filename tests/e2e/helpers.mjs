// Shared helpers of the browser tests: launch Debian's Chromium through
// playwright-core (no browser download), sign in, take screenshots, and make
// valid unified social credit codes (GB 32100-2015).
//
// Environment (set by tests/e2e/run.sh): SANQU_URL (http://127.0.0.1:PORT),
// SANQU_PW (the password of every demo account), optional SANQU_CHROMIUM and
// SANQU_SHOTS (screenshot folder, default build/e2e).
import { createRequire } from 'node:module'
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
export const repoRoot = resolve(here, '..', '..')
// playwright-core is a dev dependency of web/: resolve it from web/package.json.
const require = createRequire(join(repoRoot, 'web', 'package.json'))
const { chromium } = require('playwright-core')

export const BASE = (process.env.SANQU_URL || 'http://127.0.0.1:8080').replace(/\/$/, '')
export const PW = process.env.SANQU_PW || ''
export const SHOTS = resolve(repoRoot, process.env.SANQU_SHOTS || 'build/e2e')
mkdirSync(SHOTS, { recursive: true })

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
]

/**
 * Start Chromium with a fresh temporary profile. Returns {context, close}.
 * Every page of the context shares its cookies (one signed-in user at a time).
 */
export async function openBrowser({ locale = 'zh-CN' } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'sanqu-e2e-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.SANQU_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    locale,
    viewport: { width: 1440, height: 900 },
    timezoneId: 'Asia/Shanghai',
  })
  context.setDefaultTimeout(15000)
  const errors = []
  context.on('weberror', (e) => errors.push(String(e.error())))
  return {
    context,
    /** Uncaught page errors seen so far (CSP violations of scripts land here too). */
    errors,
    async close() {
      await context.close().catch(() => {})
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

/** A new page that records console errors (e.g. CSP refusals) in `page.consoleErrors`. */
export async function newPage(context) {
  const page = await context.newPage()
  page.consoleErrors = []
  page.on('console', (m) => { if (m.type() === 'error') page.consoleErrors.push(m.text()) })
  return page
}

/** Sign in through the login form and wait for the next page (home or password change). */
export async function login(page, username, password = PW, { expect = 'home' } = {}) {
  await page.context().clearCookies() // whoever was signed in is gone
  await page.goto(`${BASE}/login`)
  await page.getByTestId('login-username').fill(username)
  await page.getByTestId('login-password').fill(password)
  await page.getByTestId('login-submit').click()
  if (expect === 'home') await page.getByTestId('home').waitFor()
  else if (expect === 'password') await page.getByTestId('password-page').waitFor()
  else if (expect === 'error') await page.getByTestId('login-error').waitFor()
}

/** Sign out with the header button and wait for the login page. */
export async function logout(page) {
  await page.getByTestId('logout').click()
  await page.getByTestId('login-submit').waitFor()
}

/** Save a full-page screenshot as build/e2e/NAME.png; returns the path. */
export async function shot(page, name) {
  const path = join(SHOTS, `${name}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}

/** A full-page screenshot from the top, once loading has settled, without the passing toasts. */
export async function snap(page, name) {
  await settle(page)
  await page.evaluate(() => {
    window.scrollTo(0, 0)
    for (const m of document.querySelectorAll('.el-message')) m.style.display = 'none'
  })
  return shot(page, name)
}

/** A screenshot of the window only (a dialog and what it covers), once loading has settled. */
export async function windowShot(page, name) {
  await settle(page)
  const path = join(SHOTS, `${name}.png`)
  await page.screenshot({ path })
  return path
}

/** Call the JSON API with the page's session (cookies) — for test set-up and checks only. */
export async function apiGet(page, path) {
  const res = await page.request.get(`${BASE}/api/v1${path}`)
  if (!res.ok()) throw new Error(`GET ${path}: ${res.status()} ${await res.text()}`)
  return res.json()
}

// GB 32100-2015: 31 characters (no I, O, S, V, Z), weights 3^i mod 31.
const CREDIT_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

/** The check character of the first 17 characters of a credit code. */
export function creditCheck(first17) {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += CREDIT_CHARSET.indexOf(first17[i]) * CREDIT_WEIGHTS[i]
  return CREDIT_CHARSET[(31 - (sum % 31)) % 31]
}

/** A random valid unified social credit code (registration authority 9, type 1: enterprise). */
export function validCreditCode() {
  let body = '91350521' // 9 (industry & commerce) 1 (enterprise) + a 6-digit region code
  const org = '0123456789ABCDEFGHJKLMNPQRTUWXY'
  while (body.length < 17) body += org[Math.floor(Math.random() * org.length)]
  return body + creditCheck(body)
}

/** The same code with a wrong check character. */
export function withWrongCheck(code) {
  const right = code[17]
  const wrong = CREDIT_CHARSET[(CREDIT_CHARSET.indexOf(right) + 1) % 31]
  return code.slice(0, 17) + wrong
}

/** A short unique suffix for names created by a test run. */
export function uniq() {
  return `${Date.now().toString(36).slice(-5)}${Math.floor(Math.random() * 1e4).toString(36)}`
}

/**
 * Pick an option in an Element Plus select found inside `container`
 * (a locator of its form item): open it, type `query` when given (filterable /
 * remote selects), click the option whose text contains `text`, and check that
 * the select then shows that option (a remote select whose options arrive late
 * can replace the one clicked: it is picked again, at most three times).
 */
export async function pickOption(page, container, text, query) {
  let label = ''
  let shown = []
  for (let attempt = 1; attempt <= 3; attempt++) {
    await container.locator('.el-select__wrapper').first().click()
    if (query !== undefined) await container.locator('input.el-select__input').first().fill(query)
    const option = page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: text }).first()
    label = (await option.innerText()).trim()
    await option.click()
    await closeDropdowns(page)
    shown = await selectedLabels(container)
    // A remote option's text is its label followed by its detail.
    if (shown.some((s) => s && label.startsWith(s))) return
  }
  throw new Error(`pickOption: clicked "${label}" but the select shows ${JSON.stringify(shown)}`)
}

/** The labels an Element Plus select inside `container` shows as chosen (tags when multiple). */
async function selectedLabels(container) {
  const tags = await container.locator('.el-select__tags-text').allInnerTexts()
  const single = await container.locator('.el-select__placeholder:not(.is-transparent)').allInnerTexts()
  return [...tags, ...single].map((s) => s.trim())
}

/** Close any open select dropdown, so that it covers nothing the next step clicks. */
async function closeDropdowns(page) {
  // A remote select whose options arrive late may keep it open: Escape closes it.
  const closed = () => ![...document.querySelectorAll('.el-select__popper')].some((p) => getComputedStyle(p).display !== 'none')
  try {
    await page.waitForFunction(closed, null, { timeout: 3000 })
  } catch {
    await page.keyboard.press('Escape')
    try {
      await page.waitForFunction(closed, null, { timeout: 3000 })
    } catch {
      // One that re-opened on late options: click outside it (the dialog's title area).
      await page.mouse.click(3, 3)
      await page.waitForFunction(closed, null, { timeout: 5000 }).catch(() => {})
    }
  }
}

/**
 * Wait until `dialog` closes after a save; when it stays open, fail with what it
 * shows (field errors) and any message on the page, instead of a bare timeout.
 */
export async function waitDialogClosed(page, dialog, timeout = 15000) {
  try {
    await dialog.waitFor({ state: 'hidden', timeout })
  } catch (e) {
    const errors = await dialog.locator('.el-form-item__error').allInnerTexts().catch(() => [])
    const messages = await page.locator('.el-message').allInnerTexts().catch(() => [])
    throw new Error(`the dialog stayed open: field errors ${JSON.stringify(errors)}, messages ${JSON.stringify(messages)} (${e.message.split('\n')[0]})`)
  }
}

/** Wait until no Element Plus loading mask is visible (for stable screenshots). */
export async function settle(page) {
  await page.waitForFunction(() => ![...document.querySelectorAll('.el-loading-mask')].some((m) => m.offsetParent !== null && getComputedStyle(m).opacity !== '0'))
}
