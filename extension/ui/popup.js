// Toolbar popup: a thin adapter like the content script. The worker computes the whole view
// (src/domain/view.rs, localised); this page renders it with ../inject/render.js and sends
// trusted clicks back as typed messages.
'use strict';
const app = document.getElementById('app');
const msg = (key, subs) => chrome.i18n.getMessage(key, subs) || key;
// A worker stopped before answering (MV3) is asked again, a bounded number of times.
const ask = (m, tries = 5) => chrome.runtime.sendMessage(m).then((r) => {
  if (r || tries <= 1) return r;
  return new Promise((ok) => setTimeout(ok, 200)).then(() => ask(m, tries - 1));
}, (e) => (tries > 1 ? new Promise((ok) => setTimeout(ok, 200)).then(() => ask(m, tries - 1))
  : { type: 'error', error: String(e && e.message ? e.message : e) }));

function showError(text) {
  const p = document.createElement('p');
  p.className = 'cg-error';
  p.setAttribute('role', 'alert');
  p.textContent = text || msg('error_no_answer');
  app.replaceChildren(p);
}

// The tab the popup is about: ?tabId=N, else the active tab of this window.
async function targetTab() {
  const n = Number(new URLSearchParams(location.search).get('tabId'));
  if (Number.isInteger(n) && n >= 0 && location.search.includes('tabId=')) return n;
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  return tab ? tab.id : null;
}

let tab = null;
async function refresh() {
  const r = await ask({ type: 'popup', tabId: tab });
  if (!r || !r.view) return showError(r && r.error);
  if (typeof r.lang === 'string') document.documentElement.lang = r.lang;
  app.replaceChildren(cgRender.build(r.view)); // eslint-disable-line no-undef
}

function download(name, mime, text) {
  // A blob link with `download`: no `downloads` permission, nothing leaves the computer.
  const url = URL.createObjectURL(new Blob([text], { type: `${mime};charset=utf-8` }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// The host permissions the manifest asks for (Firefox lets the shopper withhold them).
const ORIGINS = chrome.runtime.getManifest().host_permissions;
const ACTIONS = {
  async permission() {
    // Called straight from the click (a user gesture), before any other await.
    await chrome.permissions.request({ origins: ORIGINS }).catch(() => false);
    return refresh();
  },
  async activate() {
    // Without host access nothing could be verified: ask for it first.
    if (app.querySelector('[data-testid="cg-permission-request"]')) return ACTIONS.permission();
    const r = await ask({ type: 'activate', tabId: tab });
    if (r && r.type === 'error') return showError(r.error);
    return refresh();
  },
  async refund(el) {
    const order = el.getAttribute('data-order');
    const input = [...app.querySelectorAll('[data-refund-for]')].find((i) => i.getAttribute('data-refund-for') === order);
    const r = await ask({ type: 'set-refund', order, amount: input ? input.value : '' });
    if (r && r.type === 'error') {
      const out = [...app.querySelectorAll('[data-refund-msg]')].find((m) => m.getAttribute('data-refund-msg') === order);
      if (out) out.textContent = r.error;
      return null;
    }
    return refresh();
  },
  async export(el) {
    const format = el.getAttribute('data-format');
    const r = await ask({ type: 'export-orders', format });
    if (!r || r.type !== 'export') return showError(r && r.error);
    // JSON text is written here: the wasm core carries no JSON writer.
    return download(r.filename, r.mime, r.text !== undefined ? r.text : JSON.stringify(r.data, null, 2));
  },
  async 'unlink-account'() {
    const r = await ask({ type: 'unlink-account' });
    if (r && r.type === 'error') return showError(r.error);
    return refresh();
  },
  async 'open-options'() {
    return chrome.runtime.openOptionsPage();
  },
  async 'copy-diagnostics'() {
    const pre = app.querySelector('[data-testid="cg-diagnostics"]');
    if (pre) await navigator.clipboard.writeText(pre.textContent).catch(() => null);
  },
};

app.addEventListener('click', (ev) => {
  if (!ev.isTrusted) return; // scripts never act for the shopper
  const el = ev.target.closest && ev.target.closest('[data-action]');
  const act = el && ACTIONS[el.getAttribute('data-action')];
  if (act) act(el);
});

chrome.runtime.onMessage.addListener((m) => {
  if (m && m.type === 'changed') refresh();
});

targetTab().then((t) => { tab = t; return refresh(); }).catch((e) => showError(String(e && e.message ? e.message : e)));
