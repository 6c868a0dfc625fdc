// Loads the wasm core and hands the popup to it (src/web/popup.rs).
import init, { popup_main } from '../pkg/cashback_guard.js';

init({ module_or_path: new URL('../pkg/cashback_guard_bg.wasm', import.meta.url) })
  .then(() => popup_main())
  .catch((e) => {
    const p = document.createElement('p');
    p.setAttribute('role', 'alert');
    p.textContent = chrome.i18n.getMessage('error_generic', [String(e && e.message ? e.message : e)]);
    document.getElementById('app').replaceChildren(p);
  });
