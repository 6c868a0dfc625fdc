// Size budget of the wasm core (deterministic, so checked as a test): 153600 bytes gzip,
// measured as the before-stop hook and build.sh measure it (`gzip -c`, lib/size.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSize } from './lib/size.js';
import { EXT_DIR } from './lib/harness.js';

test('wasm core fits the gzip budget', () => {
  const file = path.join(EXT_DIR, 'pkg', 'cashback_guard_bg.wasm');
  assert.ok(fs.statSync(file).size > 100_000, 'the built wasm is there');
  const gz = gzipSize(file);
  assert.ok(gz <= 153600, `wasm is ${gz} bytes gzip, budget 153600`);
});
