// Firefox only: the generated Firefox manifest runs this on the operator's account site
// (config `account.site`) and nowhere else. Firefox has no `externally_connectable` (Mozilla
// bug 1319168), so the site posts `{type: 'link-account', account}` to its own window; this
// forwards exactly that, only when it is a real message from this window and origin, and
// posts the worker's reply back as `{type: 'link-account-result', ok, error?}`. The core
// checks the sender's origin and frame again (route::classify_external).
window.addEventListener('message', (e) => {
  if (!e.isTrusted || e.source !== window || e.origin !== location.origin) return;
  const d = e.data;
  if (!d || typeof d !== 'object' || d.type !== 'link-account' || typeof d.account !== 'string') return;
  if (Object.keys(d).length !== 2 || d.account.length > 200) return;
  chrome.runtime.sendMessage({ relay: 'external', msg: { type: 'link-account', account: d.account } })
    .catch((err) => ({ ok: false, error: String((err && err.message) || err) }))
    .then((r) => {
      const reply = { type: 'link-account-result', ok: Boolean(r && r.ok === true) };
      if (r && typeof r.error === 'string') reply.error = r.error;
      window.postMessage(reply, location.origin);
    });
});
