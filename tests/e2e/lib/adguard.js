// A test-only blocker made of real AdGuard DNR rules: the npm package @adguard/dnr-rulesets
// (fetched with `npm pack`; a plain install fails on this mirror, see field-facts.md §4),
// Base filter (ruleset_2) and Tracking Protection (ruleset_3). Chromium guarantees an
// extension only 30,000 static rules, so the extension carries the real rules of those
// rulesets that concern AliExpress and its affiliate networks, copied unchanged.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ADGUARD_VERSION = '3.3.20260320140136';
const CACHE = path.resolve(HERE, '..', '.cache');
const MATCH = /aliexpress|alitems|admitad|aflink|rzekl/;

export function adguardBlocker() {
  const dir = path.join(CACHE, `adguard-blocker-${ADGUARD_VERSION}`);
  if (fs.existsSync(path.join(dir, 'manifest.json'))) return dir;
  fs.mkdirSync(CACHE, { recursive: true });
  const tgz = path.join(CACHE, `adguard-dnr-rulesets-${ADGUARD_VERSION}.tgz`);
  if (!fs.existsSync(tgz)) {
    execFileSync('npm', ['pack', `@adguard/dnr-rulesets@${ADGUARD_VERSION}`, '--pack-destination', CACHE], { stdio: 'pipe' });
  }
  const files = [2, 3].map((n) => `package/dist/filters/declarative/ruleset_${n}/ruleset_${n}.json`);
  execFileSync('tar', ['xzf', tgz, '-C', CACHE, ...files], { stdio: 'pipe' });
  fs.mkdirSync(dir, { recursive: true });
  const resources = [];
  for (const [i, f] of files.entries()) {
    const rules = JSON.parse(fs.readFileSync(path.join(CACHE, f), 'utf8'));
    const mine = rules.filter((r) => MATCH.test(JSON.stringify(r.condition)));
    const name = `ruleset_${[2, 3][i]}.json`;
    fs.writeFileSync(path.join(dir, name), JSON.stringify(mine, null, 1));
    resources.push({ id: `ruleset_${[2, 3][i]}`, enabled: true, path: name });
  }
  fs.rmSync(path.join(CACHE, 'package'), { recursive: true, force: true });
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({
    manifest_version: 3,
    name: 'AdGuard rules (test): Base + Tracking Protection',
    version: '1.0',
    permissions: ['declarativeNetRequest'],
    declarative_net_request: { rule_resources: resources },
  }, null, 1));
  return dir;
}

/**
 * A URL-cleaning filter made of the real AdGuard URL Tracking rule (ruleset 17) that removes
 * the referral parameters on AliExpress hosts (`||aliexpress.`, `$removeparam` of
 * aff_short_key, aff_fcid, sk, …), copied unchanged. Loaded alone: inside the whole
 * ruleset, Chromium applies only its priority-2 generic rules (field-facts §4). It takes
 * `aff_short_key` off the deep link itself, so nothing of ours reaches AliExpress.
 */
export function adguardUrlTracking() {
  const dir = path.join(CACHE, `adguard-url-tracking-${ADGUARD_VERSION}`);
  if (fs.existsSync(path.join(dir, 'manifest.json'))) return dir;
  adguardBlocker(); // fetches the package into the cache
  const tgz = path.join(CACHE, `adguard-dnr-rulesets-${ADGUARD_VERSION}.tgz`);
  const file = 'package/dist/filters/declarative/ruleset_17/ruleset_17.json';
  execFileSync('tar', ['xzf', tgz, '-C', CACHE, file], { stdio: 'pipe' });
  const rules = JSON.parse(fs.readFileSync(path.join(CACHE, file), 'utf8'));
  const mine = rules.filter((r) => /aliexpress/.test(JSON.stringify(r.condition)) &&
    (r.action.redirect?.transform?.queryTransform?.removeParams || []).includes('aff_short_key'));
  if (!mine.length) throw new Error('the AdGuard URL Tracking rule for AliExpress is not in the package');
  fs.rmSync(path.join(CACHE, 'package'), { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'ruleset_17.json'), JSON.stringify(mine, null, 1));
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({
    manifest_version: 3,
    name: 'AdGuard URL Tracking rule for AliExpress (test)',
    version: '1.0',
    permissions: ['declarativeNetRequestWithHostAccess'],
    host_permissions: ['*://*.aliexpress.com/*', '*://*.aliexpress.ru/*', '*://*.aliexpress.us/*'],
    declarative_net_request: { rule_resources: [{ id: 'ruleset_17', enabled: true, path: 'ruleset_17.json' }] },
  }, null, 1));
  return dir;
}

/**
 * The AdGuard URL Tracking filter's own lines (not a DNR compilation) that concern AliExpress:
 * the `||aliexpress.$removeparam=…` rules and their `@@` exceptions, unchanged, from the filter
 * text the package ships with ruleset 17 (`metadata.rawFilterList`). For engines that read
 * filter syntax, e.g. uBlock Origin's "My filters".
 */
export function adguardUrlTrackingFilters() {
  adguardBlocker(); // fetches the package into the cache
  const tgz = path.join(CACHE, `adguard-dnr-rulesets-${ADGUARD_VERSION}.tgz`);
  const file = 'package/dist/filters/declarative/ruleset_17/ruleset_17.json';
  execFileSync('tar', ['xzf', tgz, '-C', CACHE, file], { stdio: 'pipe' });
  const rules = JSON.parse(fs.readFileSync(path.join(CACHE, file), 'utf8'));
  fs.rmSync(path.join(CACHE, 'package'), { recursive: true, force: true });
  const raw = rules.map((r) => r.metadata && r.metadata.rawFilterList).find(Boolean) || '';
  const lines = raw.split(/\r?\n/).filter((l) => /^(@@)?\|\|[^$]*aliexpress/.test(l) && /\$.*removeparam/.test(l));
  if (!lines.some((l) => l.startsWith('||aliexpress.$removeparam=aff_short_key'))) {
    throw new Error('the AdGuard URL Tracking rules for AliExpress are not in the package');
  }
  return lines;
}
