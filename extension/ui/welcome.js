// First-run disclosure: opened once by the worker on install (runtime.onInstalled, reason
// `install`). Shown in the UI language of the options page: the stored setting (the
// worker's get-settings reply carries the resolved code), else the browser's language.
// chrome.i18n only speaks the browser's language, so the strings come from the package's
// _locales/<lang>/messages.json (only the `message` strings are used).
'use strict';

const root = document.querySelector('[data-testid="cg-disclosure"]');

function browserLang() {
  const ui = (chrome.i18n.getUILanguage() || 'en').toLowerCase();
  return ui === 'ru' || ui.startsWith('ru-') || ui.startsWith('ru_') ? 'ru' : 'en';
}

// The worker decides (the options' rule); it answers once its core has started, which on
// a busy machine takes seconds right after install: ask again while it does not answer, and
// fall back to this page's own view of the browser language only after 10 s.
function ask(tries) {
  return chrome.runtime.sendMessage({ type: 'get-settings' }).then((r) => r, () => null).then((r) => {
    if (r && (r.lang === 'en' || r.lang === 'ru')) return r.lang;
    if (tries <= 1) return browserLang();
    return new Promise((ok) => setTimeout(ok, 300)).then(() => ask(tries - 1));
  });
}

function uiLang() {
  const late = new Promise((resolve) => setTimeout(() => resolve(browserLang()), 10000));
  return Promise.race([ask(30), late]);
}

function messages(lang) {
  return fetch(chrome.runtime.getURL(`_locales/${lang}/messages.json`)).then((r) => r.json());
}

function show(lang, catalog) {
  const t = (k) => (catalog[k] && catalog[k].message) || chrome.i18n.getMessage(k) || '';
  document.documentElement.lang = lang;
  document.title = t('welcome_title');
  for (const el of root.querySelectorAll('[data-msg]')) el.textContent = t(el.getAttribute('data-msg'));
  root.hidden = false;
}

uiLang()
  .then((lang) => messages(lang).then((c) => show(lang, c)))
  .catch(() => show(browserLang(), {})); // chrome.i18n's own strings, in the browser's language

// Acknowledged: remember when (nothing depends on it; Activate stays one click away either
// way), then close this tab.
root.querySelector('[data-testid="cg-disclosure-ok"]').addEventListener('click', () => {
  chrome.storage.local.get('disclosure')
    .then((got) => chrome.storage.local.set({ disclosure: Object.assign({}, got.disclosure, { read_ms: Date.now() }) }))
    .catch(() => {})
    .then(() => chrome.tabs.getCurrent())
    .then((tab) => (tab ? chrome.tabs.remove(tab.id) : window.close()))
    .catch(() => window.close());
});
