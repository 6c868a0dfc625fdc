// Content script: a thin adapter. It reads the page with the selectors the worker sends
// (layout profiles are data), sends typed messages, and renders the view the core
// computed into a shadow root. It decides nothing itself.
(() => {
  'use strict';
  if (window.top !== window || window.__cashbackGuard) return;
  window.__cashbackGuard = true;
  // Main-thread time per phase (ms, exclusive), read by `./build.sh bench` from this isolated
  // world (a page cannot see it). Only performance.now() per call: no behaviour depends on it.
  // `message`: the runtime.sendMessage calls themselves (a microtask after the caller's phase);
  // `other`: the callbacks outside the phases (hello's answer, DOMContentLoaded, load, bait check).
  const cost = window.__cgCost = { start: 0, quick: 0, full: 0, send: 0, banner: 0, observer: 0, message: 0, other: 0, runs: {} };
  const began = performance.now();
  let phase = null;
  let phaseAt = 0;
  const timed = (k, f) => function (...args) {
    const prev = phase;
    const t = performance.now();
    if (prev) cost[prev] += t - phaseAt;
    phase = k;
    phaseAt = t;
    cost.runs[k] = (cost.runs[k] || 0) + 1;
    try { return f.apply(this, args); } finally {
      const e = performance.now();
      cost[k] += e - phaseAt;
      phase = prev;
      phaseAt = e;
    }
  };

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
  let sentEarly = false;
  let waitingBody = false;
  let restUntil = 0;

  // Kept now, at document_start, before the page has any DOM: later a page could clobber
  // `chrome` (`<form id="chrome">` shadows it in content scripts).
  const runtime = chrome.runtime;
  let post = (msg) => runtime.sendMessage(msg);
  const send = (msg) => Promise.resolve().then(() => post(msg)).catch(() => null);
  // The worker can be stopped at any moment (MV3): a message it never answered is asked
  // again, a bounded number of times, until a restarted worker answers from storage.
  const ask = (msg, tries) => send(msg).then((r) => (r || tries <= 1 ? r
    : new Promise((ok) => setTimeout(ok, 200)).then(() => ask(msg, tries - 1))));
  // Our own elements and what each does, kept in script memory when we build them: a page
  // can relabel or restyle the open shadow root, never these.
  let actions = new WeakMap();

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
      document.body.appendChild(host);
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
    // Still parsing the head: the banner goes in once <body> exists (see the observer).
    waitingBody = !document.body;
    if (waitingBody) return;
    const host = ensureHost();
    // The same view as on screen (most replies): keep the DOM, no churn.
    const key = JSON.stringify(msg.view);
    if (host.shadowRoot.childElementCount && key === shownView) {
      flagCart(msg.flags || [], msg.flagLabel || '');
      return;
    }
    shownView = key;
    const view = cgRender.build(msg.view); // eslint-disable-line no-undef
    actions = new WeakMap();
    for (const el of view.querySelectorAll('[data-action]')) {
      actions.set(el, { action: el.getAttribute('data-action'), label: el.textContent });
    }
    if (collapsed) view.classList.add('cg-collapsed');
    const toggle = view.querySelector('[data-action="collapse"]');
    if (toggle) toggle.setAttribute('aria-expanded', String(!collapsed));
    shadow.replaceChildren(...styled(), view);
    flagCart(msg.flags || [], msg.flagLabel || '');
  }

  // The banner CSS is parsed once per CSS text into a constructed sheet that every build
  // adopts; where a content script cannot adopt one (older Firefox), a <style> per build.
  let sheet = null;
  let sheetCss = null;
  function styled() {
    try {
      if (sheetCss !== css) {
        sheet = new CSSStyleSheet();
        sheet.replaceSync(css);
        sheetCss = css;
      }
      shadow.adoptedStyleSheets = [sheet];
      return [];
    } catch (e) {
      const style = document.createElement('style');
      style.textContent = css;
      return [style];
    }
  }

  // Cart lines: the first of the profile's candidate selectors that matches any (no outer
  // container), each with its product link (the worker reads the ids from the hrefs).
  let sentLines = [];
  function cartLines() {
    const s = profile.selectors;
    for (const sel of s.cart_item) {
      const items = all(sel).slice(0, 500);
      if (items.length) return items.map((el) => {
        const link = el.querySelector(s.cart_item_link);
        return { el, link, href: link ? link.getAttribute('href') || '' : '' };
      });
    }
    return [];
  }

  // `flags`: [[index, productId], …] into the lines as last sent; a line whose link changed
  // since (the cart re-rendered) waits for the worker's next answer.
  let flagged = false; // until we put a flag on this page there is none to look for
  function flagCart(flags, label) {
    if (!flags.length && !flagged) return;
    const shown = Array.from(document.querySelectorAll('[data-testid="cg-cart-flag"]'));
    const lines = flags.length && profile ? cartLines() : [];
    const want = flags.filter(([i]) => lines[i] && lines[i].link && lines[i].href === sentLines[i]);
    if (shown.map((f) => f.getAttribute('data-product-id')).sort().join(',') === want.map((f) => f[1]).sort().join(',') &&
        shown.every((f) => f.isConnected && f.previousElementSibling)) return; // already right: no DOM churn
    shown.forEach((f) => f.remove());
    for (const [i, id] of want) {
      const link = lines[i].link;
      const flag = document.createElement('span');
      flag.setAttribute('data-testid', 'cg-cart-flag');
      flag.setAttribute('data-product-id', id);
      flag.setAttribute('role', 'note');
      flag.textContent = '⚠ ' + label;
      flag.style.cssText = 'display:inline-block;margin:4px 0;padding:2px 6px;border-radius:4px;background:#fff8c5;color:#3b2e00;font:12px/1.4 system-ui,sans-serif;border:1px solid #d4a72c';
      link.insertAdjacentElement('afterend', flag);
      flagged = true;
    }
  }

  function onClick(ev) {
    if (!ev.isTrusted) return; // page scripts can never act for the shopper
    // The element we built that the click reached, with the action we gave it (attributes
    // a page may have rewritten are never read back).
    const target = ev.composedPath().find((n) => actions.has(n));
    if (!target) return;
    const { action, label } = actions.get(target);
    if (action === 'activate') {
      // Our button as we drew it: shown, and still saying what it does.
      if (target.textContent !== label || (target.checkVisibility && !target.checkVisibility({ opacityProperty: true, visibilityProperty: true }))) return;
      target.disabled = true;
      // Whatever the answer, draw the banner afresh (a refused click re-enables the button).
      // Asked again if the worker stopped before answering: it resumes, never sends twice.
      ask({ type: 'activate', url: location.href, facts: profile ? collect(false) : null }, 10)
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
  // needs; the scans of the whole page (affiliate links and frames) follow at `load`. The
  // product reads (prices, structured data) run on product pages only.
  function collect(quick) {
    const s = profile.selectors;
    const facts = { layout: profile.id };
    if (pageKind === 'product') {
      facts.jsonLd = all(s.json_ld).slice(0, 10).map((e) => e.textContent.slice(0, 200000));
      // Inline scripts holding one of the profile's embedded-data markers, or JSON.
      const marks = profile.markers || [];
      const json = profile.json_prefix;
      facts.embedded = s.embedded.flatMap(all).slice(0, 30).map((e) => e.textContent)
        .filter((t) => t.length < 2000000 && ((json && t.trimStart().startsWith(json)) || marks.some((m) => t.includes(m)))).slice(0, 5);
      facts.price = s.price.map((sel) => text(one(sel))).filter(Boolean).slice(0, 5);
      facts.categoryLinks = all(s.category_links).slice(0, 20).map((a) => a.getAttribute('href') || '');
      facts.quantity = (one(s.quantity) || {}).value || null;
    }
    if (quick) return facts;
    facts.cartCount = text(one(s.cart_count));
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
    if (pageKind !== 'cart') return facts;
    const lines = cartLines();
    if (lines.length || one(s.cart_empty)) {
      facts.cartItems = lines.map((l) => {
        const qty = l.el.querySelector(s.cart_item_quantity);
        return { href: l.href, quantity: qty ? (qty.value ?? qty.textContent) || null : null };
      });
      if (!quick) sentLines = lines.map((l) => l.href);
    } else if (cartWaited) {
      facts.cartWaited = true; // the page had its time: the worker says the cart is unread
    } else if (!cartTimer) {
      // No lines and no "cart is empty" message: still rendering, unless it stays so.
      cartTimer = setTimeout(() => { cartWaited = true; scheduleFacts(true); }, profile.cart_wait_ms || 4000);
    }
    return facts;
  }
  let cartWaited = false;
  let cartTimer = 0;

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
    setTimeout(timed('other', () => {
      const cs = getComputedStyle(el);
      // Computed style only: no forced layout (a frame has been drawn since, style is clean).
      baitHidden = !el.isConnected || cs.display === 'none' || cs.visibility === 'hidden';
      el.remove();
      if (baitHidden) scheduleFacts(true);
    }), 100);
  }

  function sendFacts() {
    factsTimer = 0;
    if (!profile) return;
    const loading = document.readyState === 'loading';
    if (loading && pageKind !== 'product') return; // DOMContentLoaded starts the reads
    const t0 = performance.now();
    if (lastMsg && !loading) flagCart(lastMsg.flags || [], lastMsg.flagLabel || ''); // the page re-rendered its cart
    const quick = pageKind === 'product' && document.readyState !== 'complete';
    if (quick && !quickQueued) {
      quickQueued = true;
      // The whole-page read waits for the first idle moment after `load` (at most 200 ms).
      const idle = (f) => (window.requestIdleCallback ? requestIdleCallback(f, { timeout: 200 }) : setTimeout(f, 0));
      window.addEventListener('load', timed('other', () => idle(() => scheduleFacts(true))), { once: true });
    }
    const facts = collect(quick);
    if (!quick) bait();
    // Re-reads driven by page changes keep to 2% of the main thread at most: on a huge, busy
    // page one read can cost milliseconds.
    restUntil = performance.now() + (performance.now() - t0) * 50;
    if (loading) {
      // The HTML is still arriving: one send, once the price or structured data is in
      // (DOMContentLoaded and load send again if anything changed).
      if (sentEarly || !(facts.price.length || facts.jsonLd.length || facts.embedded.length)) return;
      sentEarly = true;
    }
    const key = JSON.stringify(facts);
    if (key === lastFacts) {
      factsDelay = Math.min(factsDelay * 2, SLOW_MS);
      return;
    }
    factsDelay = QUICK_MS;
    lastFacts = key;
    // No answer (the worker failed): at least the page's state, as `hello` told it.
    send({ type: 'facts', url: location.href, facts }).then((r) => render(r && r.view ? r : lastMsg));
  }

  function scheduleFacts(now) {
    if (now) {
      clearTimeout(factsTimer);
      factsTimer = 0;
      sendFacts();
    } else if (!factsTimer) {
      factsTimer = setTimeout(sendFacts, Math.max(factsDelay, restUntil - performance.now()));
    }
  }

  // A product page while its HTML arrives: look for the price every 50 ms (a MutationObserver
  // would be woken by every chunk the parser adds), so the banner can come before
  // DOMContentLoaded; the observer starts at DOMContentLoaded.
  function early() {
    if (!profile || document.readyState !== 'loading') return;
    if (waitingBody && document.body) render(lastMsg);
    if (!sentEarly) sendFacts();
    if (!sentEarly || waitingBody) setTimeout(early, 50);
  }

  function hello() {
    lastFacts = '';
    sentEarly = false;
    clearTimeout(cartTimer);
    cartTimer = 0;
    cartWaited = false;
    // Until answered: the landing after an activation gets its banner even while the
    // worker restarts.
    ask({ type: 'hello', url: location.href }, 25).then(timed('other', (msg) => {
      if (!msg || msg.type !== 'page' || !msg.profile) return;
      profile = msg.profile;
      pageKind = msg.kind || null;
      if ((msg.css || '') !== css) shownView = ''; // redraw with the new style
      css = msg.css || '';
      factsDelay = QUICK_MS;
      if (pageKind === 'product' && document.readyState === 'loading') {
        lastMsg = msg; // drawn with its price, in one go
        early();
      } else {
        render(msg);
        if (document.readyState !== 'loading') scheduleFacts(true);
      }
    }));
  }

  // Views pushed by the worker: only once `hello` answered (with the profile and the banner
  // CSS); one that came before would be drawn unstyled, and the same view kept so.
  runtime.onMessage.addListener((msg) => {
    if (msg && msg.type === 'view' && profile) render(msg);
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
  const onlyOurs = (records) => records.length > 0 && records.every((r) => r.type === 'childList' && (r.addedNodes.length || r.removedNodes.length) &&
    Array.prototype.every.call(r.addedNodes, ours) && Array.prototype.every.call(r.removedNodes, ours));
  function changed(records) {
    if (onlyOurs(records) && document.getElementById(HOST_ID)) return;
    if (waitingBody && document.body) render(lastMsg); // a view that came before <body>
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
  }
  function watch() {
    // `href` too: a rival plugin may rewrite the page's links at any time (document_idle,
    // after load), changing no markup but the attribute.
    new MutationObserver(changed).observe(document, {
      childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['href'],
    });
    // After the early send, what changes from here on wakes the observer, and load reads all.
    if (!sentEarly) changed([]);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', timed('other', watch), { once: true });
  else watch();

  // Phases for the bench (see `cost` above).
  render = timed('banner', render); // eslint-disable-line no-func-assign
  const collectQuick = timed('quick', collect);
  const collectFull = timed('full', collect);
  collect = (quick) => (quick ? collectQuick : collectFull)(quick); // eslint-disable-line no-func-assign
  sendFacts = timed('send', sendFacts); // eslint-disable-line no-func-assign
  changed = timed('observer', changed); // eslint-disable-line no-func-assign
  post = timed('message', post);

  hello();
  cost.start += performance.now() - began;
})();
