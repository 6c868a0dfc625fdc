// The bench's product page (`./build.sh bench`, tests/e2e/bench-content.js): ~1 MB of HTML,
// ~3 000 elements, 1 000 links and 200 images (served as PNG).
export function bigPage(id) {
  const items = [];
  for (let i = 0; i < 1000; i++) {
    items.push(`<li class="rec-item"><a href="//www.aliexpress.com/item/100500${String(2000000000 + i)}.html"><img src="/static/img-${i % 200}.png" width="40" height="40" alt="">` +
      `<span class="rec-title">Recommended product ${i} ${'lorem ipsum dolor sit amet '.repeat(25)}</span></a></li>`);
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Big product</title>
<script type="application/ld+json">{"@type":"Product","productID":"${id}","offers":{"price":"25.00","priceCurrency":"USD"}}</script></head><body>
<div class="product-price"><span class="price-default--current--F8OlYIo">US $25.00</span></div>
<button class="comet-v2-btn buy-now--buynow--OH44OI8" type="button">Buy now</button>
<ul>${items.join('\n')}</ul></body></html>`;
}
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
