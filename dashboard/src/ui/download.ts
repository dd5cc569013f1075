import { h } from './dom.js';

/**
 * Hands a file fetched with the bearer token to the browser as a download, through an object URL (a plain
 * link could not carry the token, and the CSP allows no inline script).
 */
export function saveFile(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: fileName, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has taken the file by the next task; keep the URL a little longer for slow phones.
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
