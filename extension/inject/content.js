// Content script: a thin adapter. It reads the page with the selectors the worker sends
// (layout profiles are data), sends typed messages, and renders the view the core
// computed into a shadow root. It decides nothing itself.
(() => {
  'use strict';
  if (window.top !== window || window.__cashbackGuard) return;
  window.__cashbackGuard = true;

  const HOST_ID = 'cashback-guard-root';
  let profile = null;
  let pageKind = null;
  let quickQueued = false;
  let css = '';
  let shadow = null;
  let dismissedFor = null;
  let collapsed = false;
  let lastUrl = location.href;
  let factsTimer = 0;
  // Re-reading the page after mutations backs off while nothing we read changes (busy pages).
  const QUICK_MS = 32; // two frames
  const SLOW_MS = 2000;
  let factsDelay = QUICK_MS;
  let lastFacts = '';
  let lastMsg = null;
  let lastAt = 0;
  let restoredFor = null;
  let shownView = '';

  // `cgRuntime` was kept by inject/api.js at document_start: a page can clobber `chrome`.
  const runtime = typeof cgRuntime !== 'undefined' ? cgRuntime : chrome.runtime; // eslint-disable-line no-undef
  const send = (msg) => runtime.sendMessage(msg).catch(() => null);

  function ensureHost() {
    let host = document.getElementById(HOST_ID);
    if (!host || !host.shadowRoot || host.shadowRoot !== shadow) {
      if (host) host.remove();
      host = document.createElement('div');
      host.id = HOST_ID;
      // Inline !important beats any page stylesheet: the page cannot hide or restyle the host.
      host.setAttribute('style', 'all: initial !important; display: block !important;');
      shadow = host.attachShadow({ mode: 'open' });
      shadow.addEventListener('click', onClick);
      (document.body || document.documentElement).appendChild(host);
    }
    return host;
  }

  function render(msg) {
    if (!msg || !msg.view) return;
    if (typeof msg.at === 'number') {
      if (msg.at < lastAt) return; // a reply computed before a newer broadcast
      lastAt = msg.at;
    }
    lastMsg = msg;
    if (msg.enabled === false || dismissedFor === location.href) {
      const host = document.getElementById(HOST_ID);
      if (host) host.remove();
      shadow = null;
      return;
    }
    const host = ensureHost();
    // The same view as on screen (most replies): keep the DOM, no churn.
    const key = JSON.stringify(msg.view);
    if (host.shadowRoot.childElementCount && key === shownView) {
      flagCart(msg.flags || [], msg.flagLabel || '');
      return;
    }
    shownView = key;
    const style = document.createElement('style');
    style.textContent = css;
    const view = cgRender.build(msg.view); // eslint-disable-line no-undef
    if (collapsed) view.classList.add('cg-collapsed');
    const toggle = view.querySelector('[data-action="collapse"]');
    if (toggle) toggle.setAttribute('aria-expanded', String(!collapsed));
    shadow.replaceChildren(style, view);
    flagCart(msg.flags || [], msg.flagLabel || '');
  }

  function flagCart(ids, label) {
    const shown = Array.from(document.querySelectorAll('[data-testid="cg-cart-flag"]'));
    const want = ids.slice().sort().join(',');
    if (shown.map((f) => f.getAttribute('data-product-id')).sort().join(',') === want &&
        shown.every((f) => f.isConnected && f.previousElementSibling)) return; // already right: no DOM churn
    shown.forEach((f) => f.remove());
    if (!profile || !ids.length) return;
    for (const item of document.querySelectorAll(profile.selectors.cart_item)) {
      const link = item.querySelector(profile.selectors.cart_item_link);
      const m = link && /\/item\/(\d{6,20})\.html/.exec(link.getAttribute('href') || '');
      if (!m || !ids.includes(m[1])) continue;
      const flag = document.createElement('span');
      flag.setAttribute('data-testid', 'cg-cart-flag');
      flag.setAttribute('data-product-id', m[1]);
      flag.setAttribute('role', 'note');
      flag.textContent = '⚠ ' + label;
      flag.style.cssText = 'display:inline-block;margin:4px 0;padding:2px 6px;border-radius:4px;background:#fff8c5;color:#3b2e00;font:12px/1.4 system-ui,sans-serif;border:1px solid #d4a72c';
      link.insertAdjacentElement('afterend', flag);
    }
  }

  function onClick(ev) {
    if (!ev.isTrusted) return; // page scripts can never act for the shopper
    const target = ev.target.closest && ev.target.closest('[data-action]');
    if (!target) return;
    const action = target.getAttribute('data-action');
    if (action === 'activate') {
      target.disabled = true;
      // Whatever the answer, draw the banner afresh (a refused click re-enables the button).
      send({ type: 'activate', url: location.href, facts: profile ? collect(false) : null })
        .then((r) => { shownView = ''; render(r && r.view ? r : lastMsg); });
    } else if (action === 'dismiss') {
      dismissedFor = location.href;
      const host = document.getElementById(HOST_ID);
      if (host) host.remove();
      shadow = null;
    } else if (action === 'collapse') {
      collapsed = !collapsed;
      const banner = shadow.querySelector('.cg-banner');
      if (banner) banner.classList.toggle('cg-collapsed', collapsed);
      target.setAttribute('aria-expanded', String(!collapsed));
    }
  }

  const text = (el) => (el && el.textContent ? el.textContent.trim().slice(0, 200) : null);
  const all = (sel) => { try { return Array.from(document.querySelectorAll(sel)); } catch (e) { return []; } };
  const one = (sel) => { try { return document.querySelector(sel); } catch (e) { return null; } };

  const visible = (el) => el.getClientRects().length > 0;
  // The "price in the app" / QR block is open: a known block, or a dialog with its words.
  function appPaymentOpen(s) {
    if (all(s.app_payment).slice(0, 10).some(visible)) return true;
    const words = s.app_payment_texts || [];
    return all(s.app_payment_scope).slice(0, 10).some((el) => {
      const t = visible(el) ? (el.textContent || '').slice(0, 2000).toLowerCase() : '';
      return words.some((w) => t.includes(w));
    });
  }

  // `quick`: on a product page while it is still loading, only what the expected cashback
  // needs; the scans of the whole page (affiliate links and frames) follow at `load`.
  function collect(quick) {
    const s = profile.selectors;
    const facts = {
      layout: profile.id,
      jsonLd: all(s.json_ld).slice(0, 10).map((e) => e.textContent.slice(0, 200000)),
      embedded: s.embedded.flatMap(all).slice(0, 30).map((e) => e.textContent)
        .filter((t) => t.length < 2000000 && /runParams|__AER_DATA__|_init_data_|_d_c_|^\s*\{/.test(t)).slice(0, 5),
      price: s.price.map((sel) => text(one(sel))).filter(Boolean).slice(0, 5),
      categoryLinks: all(s.category_links).slice(0, 20).map((a) => a.getAttribute('href') || ''),
      quantity: (one(s.quantity) || {}).value || null,
      cartCount: text(one(s.cart_count)),
    };
    if (quick) return facts;
    if (baitHidden) facts.baitHidden = true;
    facts.affiliateLinks = all(s.affiliate_links).slice(0, 50).map((a) => a.getAttribute('href') || '');
    facts.affiliateFrames = all(s.affiliate_frames).slice(0, 20).map((f) => f.getAttribute('src') || '');
    // Checkout and payment-result reads only on those pages (the worker says which page this is).
    if (pageKind === 'checkout' || pageKind === 'payment-result') {
      facts.orderTotal = all(s.checkout_total).slice(0, 3).map(text).filter(Boolean);
    }
    if (pageKind === 'checkout') {
      facts.promoCode = ((one(s.promo_code) || {}).value || '').slice(0, 100) || null;
      facts.appPayment = appPaymentOpen(s);
    }
    if (pageKind === 'payment-result') {
      facts.paySuccess = !!one(s.pay_success);
      facts.orderLinks = all(s.order_links).slice(0, 20).map((a) => a.getAttribute('href') || '');
    }
    const container = one(s.cart_container);
    facts.cartLayoutRecognised = !!container;
    if (container) {
      const items = all(s.cart_item).slice(0, 500).map((item) => {
        const link = item.querySelector(s.cart_item_link);
        const qty = item.querySelector(s.cart_item_quantity);
        return { href: link ? link.getAttribute('href') || '' : '', quantity: qty ? qty.value : null };
      }).filter((l) => l.href);
      // No lines and no "cart is empty" message: still loading, the cart is unknown.
      if (items.length || one(s.cart_empty)) facts.cartItems = items;
    }
    return facts;
  }

  // Once per page, a bait element with the class names cosmetic filters hide. Hidden means
  // an ad blocker runs here: corroboration for network evidence, never a warning alone. No
  // request is made.
  let baitDone = false;
  let baitHidden = false;
  let baitEl = null;
  function bait() {
    const cls = profile && profile.selectors.bait_class;
    if (baitDone || !cls || !document.body) return;
    baitDone = true;
    const el = document.createElement('div');
    baitEl = el;
    el.className = cls;
    el.setAttribute('aria-hidden', 'true');
    el.style.cssText = 'position:absolute;left:-10000px;top:0;width:1px;height:1px;';
    document.body.appendChild(el);
    setTimeout(() => {
      const cs = getComputedStyle(el);
      baitHidden = !el.isConnected || cs.display === 'none' || cs.visibility === 'hidden' || el.offsetHeight === 0;
      el.remove();
      if (baitHidden) scheduleFacts(true);
    }, 100);
  }

  function sendFacts() {
    factsTimer = 0;
    if (!profile) return;
    if (lastMsg) flagCart(lastMsg.flags || [], lastMsg.flagLabel || ''); // the page re-rendered its cart
    const quick = pageKind === 'product' && document.readyState !== 'complete';
    if (quick && !quickQueued) {
      quickQueued = true;
      window.addEventListener('load', () => scheduleFacts(true), { once: true });
    }
    const facts = collect(quick);
    if (!quick) bait();
    const key = JSON.stringify(facts);
    if (key === lastFacts) {
      factsDelay = Math.min(factsDelay * 2, SLOW_MS);
      return;
    }
    factsDelay = QUICK_MS;
    lastFacts = key;
    send({ type: 'facts', url: location.href, facts }).then(render);
  }

  function scheduleFacts(now) {
    if (now) {
      clearTimeout(factsTimer);
      factsTimer = 0;
      sendFacts();
    } else if (!factsTimer) {
      factsTimer = setTimeout(sendFacts, factsDelay);
    }
  }

  function hello() {
    lastFacts = '';
    send({ type: 'hello', url: location.href }).then((msg) => {
      if (!msg || msg.type !== 'page' || !msg.profile) return;
      profile = msg.profile;
      pageKind = msg.kind || null;
      css = msg.css || '';
      render(msg);
      factsDelay = QUICK_MS;
      scheduleFacts(true);
    });
  }

  runtime.onMessage.addListener((msg) => {
    if (msg && msg.type === 'view') render(msg);
  });

  // Trusted "Add to cart" / "Buy now" clicks tell the worker which product was added.
  document.addEventListener('click', (ev) => {
    if (!ev.isTrusted || !profile) return;
    const sel = profile.selectors.add_to_cart.join(',');
    if (ev.target.closest && ev.target.closest(sel)) send({ type: 'cart-intent', url: location.href });
  }, true);

  // Typing a promo code or opening a payment block changes no markup we observe.
  function soon(ev) {
    if (!ev.isTrusted || !profile) return;
    factsDelay = QUICK_MS;
    clearTimeout(factsTimer);
    factsTimer = 0;
    scheduleFacts();
  }
  document.addEventListener('input', soon, true);
  document.addEventListener('click', soon, true);

  // Single-page navigations and late-rendered prices/carts.
  // Our own banner host and bait going in or out are not the page changing.
  const ours = (n) => n.id === HOST_ID || n === baitEl;
  const onlyOurs = (records) => records.every((r) => (r.addedNodes.length || r.removedNodes.length) &&
    Array.prototype.every.call(r.addedNodes, ours) && Array.prototype.every.call(r.removedNodes, ours));
  const watch = new MutationObserver((records) => {
    if (onlyOurs(records) && document.getElementById(HOST_ID)) return;
    if (location.href !== lastUrl) {
      lastUrl = location.href;
      hello();
    } else if (profile) {
      scheduleFacts();
    }
    if (shadow && !document.getElementById(HOST_ID)) {
      // A page removed us: come back once per navigation, never fight it in a loop.
      shadow = null;
      if (restoredFor !== location.href) {
        restoredFor = location.href;
        render(lastMsg);
      }
    }
  });
  watch.observe(document.documentElement, { childList: true, subtree: true, characterData: true });

  hello();
})();
