// Options: reads and writes settings through the worker (which validates them).
'use strict';
const form = document.getElementById('form');
const status = document.getElementById('status');
for (const el of document.querySelectorAll('[data-i18n]')) {
  const t = chrome.i18n.getMessage(el.getAttribute('data-i18n'));
  if (t) el.textContent = t;
}
let current = null;
// Disabled until the stored settings are shown, so an early click is not overwritten.
const controls = () => form.querySelectorAll('input, button');
controls().forEach((c) => { c.disabled = true; });
function show(r) {
  if (!r || r.type !== 'settings') {
    status.textContent = (r && r.error) || 'The extension did not answer.';
    return false;
  }
  current = r.settings;
  controls().forEach((c) => { c.disabled = false; });
  form.elements.lang.value = current.lang;
  form.elements.banner.checked = current.banner;
  form.elements.badge.checked = current.badge;
  form.elements.order_check.checked = current.order_check;
  form.elements.orders_max.max = String(r.ordersMaxLimit); // the core's limit, not a copy
  form.elements.orders_max.value = String(current.orders_max);
  document.documentElement.lang = r.lang;
  showAccount(r.account);
  return true;
}

// The shopper's cashback account (only when the operator uses accounts): texts come from
// the worker; the id is checked there against the operator's pattern.
const account = document.getElementById('account');
function showAccount(a) {
  account.hidden = !a;
  if (!a) return;
  const st = document.getElementById('account-status');
  st.setAttribute('data-account', a.id);
  st.textContent = a.status;
  document.getElementById('account-help').textContent = a.help;
  document.getElementById('account-unlink').hidden = !a.id;
}
function accountAnswer(r) {
  const out = document.getElementById('account-msg');
  if (!r || r.type === 'error') {
    out.textContent = (r && r.error) || 'The extension did not answer.';
    return null;
  }
  out.textContent = '';
  status.textContent = r.text || '';
  return chrome.runtime.sendMessage({ type: 'get-settings' }).then(show);
}
document.getElementById('account-save').addEventListener('click', () => {
  const id = document.getElementById('account-id').value;
  chrome.runtime.sendMessage({ type: 'link-account', account: id }).then(accountAnswer);
});
document.getElementById('account-unlink').addEventListener('click', () => {
  chrome.runtime.sendMessage({ type: 'unlink-account' }).then(accountAnswer);
});
chrome.runtime.sendMessage({ type: 'get-settings' }).then(show);
const MANAGEMENT = { permissions: ['management'] };
chrome.permissions.contains(MANAGEMENT).then((has) => { form.elements.extensions.checked = has; });
// Asked only here, on the shopper's click (never at install).
form.elements.extensions.addEventListener('change', (ev) => {
  ev.stopPropagation();
  const want = form.elements.extensions.checked;
  (want ? chrome.permissions.request(MANAGEMENT) : chrome.permissions.remove(MANAGEMENT).then(() => false))
    .then((granted) => {
      form.elements.extensions.checked = granted;
      return granted ? chrome.runtime.sendMessage({ type: 'check-extensions' }) : null;
    })
    .then((r) => {
      if (r && r.type === 'extensions') status.textContent = chrome.i18n.getMessage('settings_check_result', [String(r.found)]);
    });
});
const NOTIFICATIONS = { permissions: ['notifications'] };
form.addEventListener('change', (ev) => {
  if (ev.target === form.elements.extensions) return;
  // The input's own checks (whole number from 1 to the limit the worker sent).
  if (!form.elements.orders_max.checkValidity()) {
    status.textContent = form.elements.orders_max.validationMessage;
    return;
  }
  const max = Number(form.elements.orders_max.value);
  const settings = Object.assign({}, current, {
    lang: form.elements.lang.value, banner: form.elements.banner.checked, badge: form.elements.badge.checked,
    order_check: form.elements.order_check.checked, orders_max: max,
  });
  // The reminder is a notification: ask for that permission on this click (never at install).
  const asked = ev.target === form.elements.order_check && settings.order_check
    ? chrome.permissions.request(NOTIFICATIONS).catch(() => false) : Promise.resolve(true);
  asked.then(() => chrome.runtime.sendMessage({ type: 'set-settings', settings })).then((r) => {
    if (show(r)) status.textContent = chrome.i18n.getMessage('settings_saved') || 'Saved';
  });
});
document.getElementById('clear').addEventListener('click', () => {
  chrome.runtime.sendMessage({ type: 'clear-session' }).then((r) => {
    status.textContent = r && r.type === 'ok' ? (chrome.i18n.getMessage('settings_cleared') || 'Cleared') : ((r && r.error) || '');
  });
});
