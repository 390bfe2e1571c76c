() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const thai = /[\u0e01-\u0e4e]/;
  const r = document.createRange();
  let n;
  while ((n = walker.nextNode())) {
    const t = n.data;
    if (!thai.test(t) || !n.parentElement.offsetParent) continue;
    let prevTop = null;
    for (let k = 0; k < t.length; k++) {
      r.setStart(n, k); r.setEnd(n, k + 1);
      const rects = r.getClientRects();
      if (!rects.length) continue;
      const top = Math.round(rects[0].top);
      if (prevTop !== null && top > prevTop + 4 && thai.test(t[k]) && thai.test(t[k - 1] || '')) {
        out.push(t.slice(Math.max(0, k - 8), k) + '|' + t.slice(k, k + 8));
      }
      prevTop = top;
    }
  }
  return out;
}
