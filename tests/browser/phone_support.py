"""Phone-layout checks run in the page (390 x 844): horizontal overflow and tap targets.

Target size follows WCAG 2.2, 2.5.8 (Target Size, Minimum): a target is at least 24 x 24
CSS px, or it is undersized but a 24 px circle centred on it meets no other target nor
another undersized target's circle (the spacing exception), or it is a link inside a
sentence (the inline exception: a link whose block holds other text as well). Elements
that are not drawn (display none, clipped to 1 px like a visually hidden header, zero
size, invisible) are no targets.
"""

PHONE = {"width": 390, "height": 844}

TARGETS_JS = """() => {
  const SELECTOR = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  function clipped(el) {
    for (let node = el; node && node !== document.body; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.visibility === 'hidden' || style.display === 'none') return true;
      const box = node.getBoundingClientRect();
      if (style.overflow !== 'visible' && (box.width <= 1 || box.height <= 1)) return true;
      if (style.clip && style.clip !== 'auto') return true;
    }
    return false;
  }
  function inSentence(el) {
    if (el.tagName !== 'A' || getComputedStyle(el).display !== 'inline') return false;
    const block = el.parentElement.closest('p, li, dd, td, div, span, label');
    if (!block) return false;
    const own = el.textContent.trim().length;
    return block.textContent.trim().length > own + 3;
  }
  function describe(el, box) {
    const text = (el.textContent || el.getAttribute('aria-label') || el.name || '').trim();
    const kind = el.className ? '.' + String(el.className).split(' ')[0] : '';
    const name = el.tagName.toLowerCase() + kind;
    const size = Math.round(box.width) + 'x' + Math.round(box.height);
    return `${name} "${text.replace(/\\s+/g, ' ').slice(0, 30)}" ${size}`;
  }
  const targets = [];
  for (const el of document.querySelectorAll(SELECTOR)) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || clipped(el)) continue;
    targets.push({ el, box, small: box.width < 24 || box.height < 24 });
  }
  function centre(t) { return [t.box.left + t.box.width / 2, t.box.top + t.box.height / 2]; }
  function distanceToBox(point, box) {
    const dx = Math.max(box.left - point[0], 0, point[0] - box.right);
    const dy = Math.max(box.top - point[1], 0, point[1] - box.bottom);
    return Math.hypot(dx, dy);
  }
  const failing = [];
  for (const t of targets) {
    if (!t.small || inSentence(t.el)) continue;
    const c = centre(t);
    const crowded = targets.some((other) => {
      if (other === t || other.el.contains(t.el) || t.el.contains(other.el)) return false;
      if (distanceToBox(c, other.box) < 12) return true;
      if (!other.small) return false;
      const o = centre(other);
      return Math.hypot(c[0] - o[0], c[1] - o[1]) < 24;
    });
    if (crowded) failing.push(describe(t.el, t.box));
  }
  return failing;
}"""

OVERFLOW_JS = "() => document.documentElement.scrollWidth - window.innerWidth"


def too_small_targets(page) -> list[str]:
    """The visible targets that are under 24 x 24 px and not spaced or inline."""
    return page.evaluate(TARGETS_JS)


def overflow_px(page) -> int:
    """How far the page is wider than the window (0 when nothing scrolls sideways)."""
    return page.evaluate(OVERFLOW_JS)
