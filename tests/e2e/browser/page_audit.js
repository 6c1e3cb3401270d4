// What Lighthouse 13 scores on this site's pages, checked inside the page: every audit with a weight in its
// performance, accessibility, best-practices and SEO categories that applies to a page without ARIA roles,
// frames or media. Each problem names its Lighthouse audit (the accessibility ones are axe-core rules).
// page_audit.py runs it.
const done = arguments[arguments.length - 1];
const problems = [];
const fail = (audit, what) => problems.push(`${audit}: ${what}`);
const describe = (element) => element.outerHTML.replace(/\s+/g, " ").slice(0, 100);
const shown = (element) => {
  const box = element.getBoundingClientRect();
  const style = getComputedStyle(element);
  return box.width > 0 && box.height > 0 && style.visibility !== "hidden" && style.display !== "none";
};
const textOf = (element) =>
  (element.getAttribute("aria-label") || element.innerText || element.value ||
   [...element.querySelectorAll("img[alt]")].map((image) => image.alt).join(" ") || "").trim();

// The document (SEO, accessibility, best practices).
if (!document.title.trim()) fail("document-title", "no <title>");
const description = document.querySelector('meta[name="description"]');
if (!description || !description.content.trim()) fail("meta-description", 'no <meta name="description"> with content');
const lang = document.documentElement.getAttribute("lang") || "";
if (!/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i.test(lang)) fail("html-has-lang, html-lang-valid", `<html lang="${lang}">`);
const viewport = document.querySelector('meta[name="viewport"]');
if (!viewport || !/\bwidth=device-width\b/.test(viewport.content)) fail("viewport", "no width=device-width viewport");
if (viewport && /user-scalable\s*=\s*(no|0)|maximum-scale\s*=\s*([0-4](\.\d*)?)\b/i.test(viewport.content)) {
  fail("meta-viewport", `zooming restricted: ${viewport.content}`);
}
const robots = document.querySelector('meta[name="robots"]');
if (robots && /noindex|none/i.test(robots.content)) fail("is-crawlable", robots.content);
const navigation = performance.getEntriesByType("navigation")[0];
if (navigation.responseStatus >= 400) fail("http-status-code", `the page answered ${navigation.responseStatus}`);
if (!document.doctype || document.doctype.name !== "html" || document.compatMode !== "CSS1Compat") {
  fail("doctype", "not <!doctype html> (quirks mode)");
}
if (document.characterSet !== "UTF-8" || !document.querySelector("meta[charset]")) fail("charset", document.characterSet);
if (!document.querySelector('link[rel~="icon"]')) fail("errors-in-console (favicon)", 'no <link rel="icon">: the browser asks for /favicon.ico');
if (document.body.getAttribute("aria-hidden") === "true") fail("aria-hidden-body", "<body aria-hidden>");
if (document.querySelectorAll("main").length !== 1) fail("landmark-one-main", "not exactly one <main>");

// Images (accessibility, best practices, SEO).
for (const image of document.images) {
  if (!image.hasAttribute("alt")) fail("image-alt", describe(image));
  if (!image.complete || image.naturalWidth === 0) {
    fail("image loaded", describe(image));
    continue;
  }
  const box = image.getBoundingClientRect();
  if (Math.abs(image.naturalWidth / image.naturalHeight - box.width / box.height) > 0.05) {
    fail("image-aspect-ratio", `${describe(image)} natural ${image.naturalWidth}x${image.naturalHeight}, shown ${box.width}x${box.height}`);
  }
  const vector = /\.svg$/.test(new URL(image.currentSrc).pathname) || image.currentSrc.startsWith("data:image/svg+xml");
  if (!vector && image.naturalWidth < box.width * devicePixelRatio) {
    fail("image-size-responsive", `${describe(image)} is ${image.naturalWidth}px wide, shown at ${box.width}px`);
  }
}

// Links and controls (accessibility, SEO).
const GENERIC = ["click here", "click this", "go", "here", "this", "start", "right here", "more", "learn more", "read more", "link"];
for (const link of document.querySelectorAll("a")) {
  const name = textOf(link);
  if (!name) fail("link-name", describe(link));
  if (GENERIC.includes(name.toLowerCase())) fail("link-text", describe(link));
  const href = link.getAttribute("href");
  if (href === null || href === "#" || /^\s*javascript:/i.test(href)) fail("crawlable-anchors", describe(link));
}
for (const button of document.querySelectorAll('button, input[type="submit"], input[type="button"]')) {
  if (!textOf(button)) fail("button-name", describe(button));
}
for (const field of document.querySelectorAll('input:not([type="hidden"], [type="submit"], [type="button"]), textarea, select')) {
  if (field.labels.length === 0 && !field.getAttribute("aria-label") && !field.getAttribute("aria-labelledby")) {
    fail("label", describe(field));
  }
  if (field.hasAttribute("onpaste")) fail("paste-preventing-inputs", describe(field));
}

// Structure (accessibility).
let previousLevel = 0;
for (const heading of document.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
  const level = Number(heading.tagName[1]);
  if (level > previousLevel + 1) fail("heading-order", `${heading.tagName} after h${previousLevel}: ${describe(heading)}`);
  previousLevel = level;
}
for (const list of document.querySelectorAll("ul, ol")) {
  for (const child of list.children) {
    if (!["LI", "SCRIPT", "TEMPLATE"].includes(child.tagName)) fail("list", describe(child));
  }
}
for (const item of document.querySelectorAll("li")) {
  if (!["UL", "OL", "MENU"].includes(item.parentElement.tagName)) fail("listitem", describe(item));
}
const ids = [...document.querySelectorAll("[id]")].map((element) => element.id);
for (const id of new Set(ids.filter((id, index) => ids.indexOf(id) !== index))) fail("duplicate-id", id);

// color-contrast: WCAG AA, 4.5:1 for text, 3:1 for large text, over the first opaque background behind it.
const parseColor = (value) => {
  const match = value.match(/^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)$/);
  return match && { r: +match[1], g: +match[2], b: +match[3], a: match[4] === undefined ? 1 : +match[4] };
};
const over = (top, bottom) => ({
  r: top.r * top.a + bottom.r * (1 - top.a),
  g: top.g * top.a + bottom.g * (1 - top.a),
  b: top.b * top.a + bottom.b * (1 - top.a),
  a: 1,
});
const background = (element) => {
  const layers = [];
  for (let node = element; node; node = node.parentElement) {
    const style = getComputedStyle(node);
    if (style.backgroundImage !== "none") return null;  // axe cannot tell either: "needs review", unscored
    const color = parseColor(style.backgroundColor);
    if (color && color.a > 0) layers.push(color);
    if (color && color.a === 1) break;
  }
  return layers.reduceRight((below, layer) => over(layer, below), { r: 255, g: 255, b: 255, a: 1 });
};
const luminance = ({ r, g, b }) => {
  const linear = (channel) => {
    const value = channel / 255;
    return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
};
for (const element of document.body.querySelectorAll("*")) {
  const ownText = [...element.childNodes].some((node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
  if (!ownText || !shown(element)) continue;
  const style = getComputedStyle(element);
  const behind = background(element);
  const foreground = parseColor(style.color);
  if (!behind) continue;
  if (!foreground) {
    fail("color-contrast", `unreadable color ${style.color} on ${describe(element)}`);
    continue;
  }
  const [light, dark] = [luminance(over(foreground, behind)), luminance(behind)].sort((x, y) => y - x);
  const ratio = (light + 0.05) / (dark + 0.05);
  const size = parseFloat(style.fontSize);
  const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
  if (ratio < (large ? 3 : 4.5)) fail("color-contrast", `${ratio.toFixed(2)}:1 on ${describe(element)}`);
}

// target-size: WCAG 2.2 AA, 24x24 px, or a 24 px circle around a smaller target that touches no other target.
const targets = [...document.querySelectorAll("a[href], button, input:not([type='hidden']), select, textarea")]
  .filter((target) => shown(target))
  .filter((target) => !(getComputedStyle(target).display === "inline" &&
    [...target.parentElement.childNodes].some((node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim())));
const centre = (box) => ({ x: box.left + box.width / 2, y: box.top + box.height / 2 });
const distanceTo = (point, box) => Math.hypot(
  Math.max(box.left - point.x, 0, point.x - box.right), Math.max(box.top - point.y, 0, point.y - box.bottom));
for (const target of targets) {
  const box = target.getBoundingClientRect();
  if (box.width >= 24 && box.height >= 24) continue;
  const point = centre(box);
  for (const other of targets) {
    if (other === target || other.contains(target) || target.contains(other)) continue;
    const otherBox = other.getBoundingClientRect();
    const small = otherBox.width < 24 || otherBox.height < 24;
    if (distanceTo(point, otherBox) < 12 || (small && Math.hypot(point.x - centre(otherBox).x, point.y - centre(otherBox).y) < 24)) {
      fail("target-size", `${describe(target)} is ${box.width}x${box.height} and close to ${describe(other)}`);
    }
  }
}

// Performance: the real metrics on loopback, and the bytes Lighthouse's simulated slow 4G would have to carry.
const metrics = { bytes: navigation.transferSize, layoutShift: 0, blockingTime: 0, largestPaint: null };
for (const resource of performance.getEntriesByType("resource")) metrics.bytes += resource.transferSize;
metrics.firstPaint = performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null;
const record = (entries) => {
  for (const entry of entries) {
    if (entry.entryType === "largest-contentful-paint") metrics.largestPaint = entry.startTime;
    if (entry.entryType === "layout-shift" && !entry.hadRecentInput) metrics.layoutShift += entry.value;
    if (entry.entryType === "longtask") metrics.blockingTime += Math.max(0, entry.duration - 50);
  }
};
const observer = new PerformanceObserver((list) => record(list.getEntries()));
for (const type of ["largest-contentful-paint", "layout-shift", "longtask"]) observer.observe({ type, buffered: true });
// Buffered entries arrive in a task of their own; whatever is still queued is taken at the end.
setTimeout(() => {
  record(observer.takeRecords());
  observer.disconnect();
  done({ problems, metrics });
}, 200);
