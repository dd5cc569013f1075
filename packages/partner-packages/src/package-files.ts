import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import JSZip from 'jszip';

/** A package as zip bytes (the API's download): fixed dates, so the same files give the same zip. */
export async function zipPackage(packageId: string, files: ReadonlyMap<string, Buffer>): Promise<Buffer> {
  const zip = new JSZip();
  const date = new Date(Date.UTC(2000, 0, 1));
  for (const name of [...files.keys()].sort()) {
    zip.file(`${packageId}/${name}`, files.get(name) as Buffer, { date, binary: true });
  }
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', platform: 'UNIX' });
}

/**
 * The files of a package from a directory or a zip (one top-level folder, or files at the root). Only
 * plain files are read; anything else (a sub-directory) is reported by name so that a check can refuse it.
 */
export async function readPackageFiles(
  path: string,
): Promise<{ files: Map<string, Buffer>; unexpected: string[] }> {
  const files = new Map<string, Buffer>();
  const unexpected: string[] = [];
  if ((await stat(path)).isDirectory()) {
    for (const entry of await readdir(path, { withFileTypes: true })) {
      if (entry.isFile()) files.set(entry.name, await readFile(join(path, entry.name)));
      else unexpected.push(entry.name);
    }
    return { files, unexpected };
  }
  const zip = await JSZip.loadAsync(await readFile(path));
  const entries = Object.values(zip.files).filter((e) => !e.dir);
  const prefixes = new Set(entries.map((e) => (e.name.includes('/') ? e.name.split('/')[0] : '')));
  const prefix = prefixes.size === 1 ? [...prefixes][0] : '';
  for (const entry of entries) {
    const name = prefix !== '' && prefix !== undefined ? entry.name.slice(prefix.length + 1) : entry.name;
    if (name.includes('/')) unexpected.push(entry.name);
    else files.set(name, await entry.async('nodebuffer'));
  }
  return { files, unexpected };
}
