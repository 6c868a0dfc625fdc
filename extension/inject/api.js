// Runs at document_start, before the page has any DOM: keeps the extension API where a page
// cannot clobber it (`<form id="chrome">` shadows `chrome` in content scripts later on).
// eslint-disable-next-line no-var
var cgRuntime = chrome.runtime;
