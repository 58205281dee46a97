// Vite build of the sanqu web UI. Output goes to web/dist/ and is served by
// `sanqu serve --web-root web/dist` under a CSP without inline script or eval.
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import AutoImport from 'unplugin-auto-import/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

// During `npm run dev`, API calls go to a running sanqu (SANQU_URL, default :8080).
const target = process.env.SANQU_URL || 'http://127.0.0.1:8080'

export default defineConfig({
  base: '/',
  plugins: [
    vue(),
    // On-demand Element Plus: components, directives (v-loading) and the
    // ElMessage / ElMessageBox services, each with its own CSS.
    AutoImport({
      resolvers: [ElementPlusResolver()],
      dts: false,
    }),
    Components({
      resolvers: [ElementPlusResolver()],
      dts: false,
    }),
  ],
  define: {
    __VUE_OPTIONS_API__: 'false',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    __VUE_I18N_FULL_INSTALL__: 'false',
    __VUE_I18N_LEGACY_API__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      output: {
        // Keep the big libraries in their own cacheable chunks; ECharts is
        // loaded only by the pages that draw charts.
        codeSplitting: {
          groups: [
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender)[\\/]/ },
            { name: 'vue', test: /node_modules[\\/](@vue|vue|vue-router|vue-i18n|@intlify|pinia)[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    proxy: { '/api': { target, changeOrigin: false } },
  },
})
