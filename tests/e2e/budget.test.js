// Size budget of the wasm core (deterministic, so checked as a test): 153600 bytes gzip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { EXT_DIR } from './lib/harness.js';

test('wasm core fits the gzip budget', () => {
  const wasm = fs.readFileSync(path.join(EXT_DIR, 'pkg', 'cashback_guard_bg.wasm'));
  const gz = zlib.gzipSync(wasm, { level: 6 }).length;
  assert.ok(gz <= 153600, `wasm is ${gz} bytes gzip, budget 153600`);
});
