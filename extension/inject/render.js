// Turns the core's view tree ({t, a, x, c}) into DOM with createElement, whitelisted
// attributes and textContent: nothing a page supplies is ever parsed as markup. Shared by
// the content script (banner) and the popup. A `var` at top level: a page's named
// elements (<img name="cgRender">) cannot shadow it.
var cgRender = (() => { // eslint-disable-line no-unused-vars, no-var
  'use strict';
  const TAGS = new Set(['div', 'span', 'p', 'button', 'strong', 'a', 'main', 'details', 'summary', 'pre',
    'h1', 'h2', 'section', 'ul', 'li', 'input']);
  const PLAIN = new Set(['class', 'role', 'type', 'title', 'lang', 'target', 'rel', 'placeholder', 'inputmode']);

  // Checked with string methods, not regular expressions: a page's first banner is built in a
  // new isolated world, where compiling each regex is a first-use cost (≈ 0.2 ms).
  function nameAllowed(name) {
    if (typeof name !== 'string' || !name) return false;
    for (let i = 0; i < name.length; i++) {
      const c = name.charCodeAt(i);
      if (c !== 45 && (c < 97 || c > 122)) return false; // [a-z-]
    }
    return true;
  }

  function attrAllowed(name, value) {
    if (name === 'href') return value.startsWith('https://');
    return PLAIN.has(name) || name.startsWith('aria-') || name.startsWith('data-');
  }

  function build(node, depth = 0) {
    const el = document.createElement(node && TAGS.has(node.t) ? node.t : 'span');
    if (!node || typeof node !== 'object') return el;
    for (const pair of Array.isArray(node.a) ? node.a : []) {
      if (Array.isArray(pair) && nameAllowed(pair[0]) && typeof pair[1] === 'string' && attrAllowed(pair[0], pair[1])) {
        el.setAttribute(pair[0], pair[1]);
      }
    }
    if (typeof node.x === 'string') el.textContent = node.x;
    if (depth < 32 && Array.isArray(node.c)) for (const c of node.c) el.appendChild(build(c, depth + 1));
    return el;
  }

  return { build };
})();
