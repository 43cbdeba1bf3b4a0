#!/usr/bin/env node
// Thin launcher for the compiled CLI (npm run build puts it in dist/).
import('../dist/src/main.js').catch((e) => {
  console.error(e instanceof Error && e.message.includes('Cannot find module') ? 'winrm-emulator is not built yet: run `npm run build` first.' : e);
  process.exit(1);
});
