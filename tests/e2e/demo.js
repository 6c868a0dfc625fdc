// `./build.sh demo`: the demo store (fixture server) plus Chromium with the extension.
// With $DISPLAY: a visible browser on the demo product page; close it to finish.
// Without: headless, writing screenshots of the banner and popup to dist/screenshots/.
import fs from 'node:fs';
import path from 'node:path';
import { setUp, inBanner, waitForState } from './lib/harness.js';

const OUT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'dist', 'screenshots');
const headed = !!process.env.DISPLAY;

async function shootBanner(page, name) {
  const box = await inBanner(page, 'cg-banner').boundingBox();
  const pad = 12;
  await page.screenshot({
    path: path.join(OUT, name),
    clip: { x: Math.max(0, box.x - pad), y: Math.max(0, box.y - pad), width: box.width + 2 * pad, height: box.height + 2 * pad },
  });
  console.log(`  ${path.join(OUT, name)}`);
}

async function shootPopup(h, page, name) {
  const popup = await h.popup(page);
  const height = await popup.evaluate(() => Math.ceil(document.getElementById('app').getBoundingClientRect().height));
  await popup.setViewportSize({ width: 360, height: Math.min(height, 800) });
  await popup.screenshot({ path: path.join(OUT, name) });
  console.log(`  ${path.join(OUT, name)}`);
  await popup.close();
}

const h = await setUp({ headless: !headed });
const item = h.server.url('/item/1005001000000001.html');
console.log(`demo store on https://127.0.0.1:${h.server.port} (AliExpress hosts mapped to it); extension ${h.id}`);
if (headed) {
  const page = await h.browser.newPage();
  await page.goto(item);
  console.log('Chromium is open on a demo product page. Close the browser window to stop.');
  await new Promise((resolve) => h.browser.context.on('close', resolve));
  await h.server.close();
} else {
  fs.mkdirSync(OUT, { recursive: true });
  const page = await h.browser.newPage();
  await page.setViewportSize({ width: 1100, height: 700 });
  await page.goto(item);
  await waitForState(page, 'inactive');
  await inBanner(page, 'cg-expected').waitFor();
  console.log('screenshots:');
  await shootBanner(page, 'banner-inactive.png');
  await shootPopup(h, page, 'popup-inactive.png');
  await inBanner(page, 'cg-activate').click();
  await waitForState(page, 'active');
  await inBanner(page, 'cg-expected').waitFor();
  await shootBanner(page, 'banner-active.png');
  await shootPopup(h, page, 'popup-active.png');
  await page.screenshot({ path: path.join(OUT, 'product-page.png') });
  console.log(`  ${path.join(OUT, 'product-page.png')}`);
  await h.close();
}
