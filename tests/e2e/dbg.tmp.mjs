import fs from 'node:fs'; import os from 'node:os'; import path from 'node:path';
import { setUp, welcomePage } from '/work/wtstore/tests/e2e/lib/harness.js';
const t0 = Date.now();
const log = (...a) => console.error(Date.now() - t0, ...a);
const reload = process.argv[2] === 'reload';
const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cbg-dbg-'));
let h = await setUp({ profileDir, args: ['--enable-unsafe-extension-debugging'] });
if (reload) { log(await (await h.browser.cdp()).send('Extensions.loadUnpacked', { path: h.extDir })); await new Promise((r) => setTimeout(r, 1500)); }
await h.close();
log('relaunch');
h = await setUp({ profileDir, keepWelcome: true }).catch((e) => { log('ERR', e.message); return null; });
log('relaunched', Boolean(h));
if (h) { log(await welcomePage(h.browser, h.id, 3000)); log(await h.sw.evaluate(() => chrome.storage.local.get('disclosure'))); await h.close(); }
fs.rmSync(profileDir, { recursive: true, force: true });
