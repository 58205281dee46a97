// vue-i18n set-up: zh-CN by default, English on request; the choice is kept in
// localStorage and also switches dayjs and Element Plus (see App.vue).
import { createI18n } from 'vue-i18n'
import { computed } from 'vue'
import dayjs from 'dayjs'
import 'dayjs/locale/zh-cn'
import elZhCn from 'element-plus/es/locale/lang/zh-cn'
import elEn from 'element-plus/es/locale/lang/en'
import zhCN from './zh-CN'
import en from './en'

export type Lang = 'zh-CN' | 'en'
export const LANGS: Lang[] = ['zh-CN', 'en']
const STORAGE_KEY = 'sanqu.lang'

function initialLang(): Lang {
  try {
    const v = localStorage.getItem(STORAGE_KEY)
    if (v === 'en' || v === 'zh-CN') return v
  } catch {
    /* storage unavailable: use the default */
  }
  return 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLang(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
  missingWarn: false,
  fallbackWarn: false,
})

/** Apply a language everywhere: vue-i18n, dayjs, <html lang>, localStorage. */
export function setLang(lang: Lang): void {
  i18n.global.locale.value = lang
  dayjs.locale(lang === 'zh-CN' ? 'zh-cn' : 'en')
  document.documentElement.lang = lang
  try {
    localStorage.setItem(STORAGE_KEY, lang)
  } catch {
    /* not persisted: fine */
  }
}

/** The current language (reactive). */
export const currentLang = computed<Lang>(() => i18n.global.locale.value as Lang)

/** Element Plus locale matching the current language (for <el-config-provider>). */
export const elementLocale = computed(() => (currentLang.value === 'en' ? elEn : elZhCn))

setLang(initialLang())

export default i18n
