// Extracts the land around the Quang Tri coast from Natural Earth 1:10m (world-atlas land-10m TopoJSON)
// into the small GeoJSON file the dashboard map draws, so the page needs no internet map tiles.
// Run after changing the bounding box: `node dashboard/scripts/extract-coast.mjs` (writes
// dashboard/src/map/quang-tri-land.json). Natural Earth is in the public domain; world-atlas is ISC.
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { URL, fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { feature } from 'topojson-client';

/** Wider than the officers' default view (16.6–17.3°N, 106.8–107.6°E) so that grounds ~60 nm out fit. */
const BBOX = { west: 106.5, south: 16.3, east: 108.4, north: 17.8 };
/** 4 decimals ≈ 11 m: far finer than the 1:10m source, and keeps the file small. */
const DECIMALS = 4;

const require = createRequire(import.meta.url);
const topology = JSON.parse(await readFile(require.resolve('world-atlas/land-10m.json'), 'utf8'));
const land = feature(topology, topology.objects.land);

/** Sutherland–Hodgman: clips a closed ring to one edge of the box. */
function clipEdge(ring, inside, intersect) {
  const out = [];
  for (let i = 0; i < ring.length; i++) {
    const current = ring[i];
    const previous = ring[(i + ring.length - 1) % ring.length];
    if (inside(current)) {
      if (!inside(previous)) out.push(intersect(previous, current));
      out.push(current);
    } else if (inside(previous)) {
      out.push(intersect(previous, current));
    }
  }
  return out;
}

const atLon = (lon) => (a, b) => [lon, a[1] + ((b[1] - a[1]) * (lon - a[0])) / (b[0] - a[0])];
const atLat = (lat) => (a, b) => [a[0] + ((b[0] - a[0]) * (lat - a[1])) / (b[1] - a[1]), lat];

function clipRing(ring) {
  let r = ring.slice(0, -1); // open the ring
  r = clipEdge(r, (p) => p[0] >= BBOX.west, atLon(BBOX.west));
  r = clipEdge(r, (p) => p[0] <= BBOX.east, atLon(BBOX.east));
  r = clipEdge(r, (p) => p[1] >= BBOX.south, atLat(BBOX.south));
  r = clipEdge(r, (p) => p[1] <= BBOX.north, atLat(BBOX.north));
  const rounded = [];
  for (const [lon, lat] of r) {
    const p = [Number(lon.toFixed(DECIMALS)), Number(lat.toFixed(DECIMALS))];
    const last = rounded[rounded.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) rounded.push(p);
  }
  if (rounded.length < 3) return null;
  rounded.push(rounded[0]);
  return rounded;
}

const polygons = [];
for (const f of land.features) {
  const parts = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
  for (const polygon of parts) {
    const rings = polygon.map(clipRing).filter((r) => r !== null);
    if (rings.length > 0 && polygon[0] && clipRing(polygon[0])) polygons.push(rings);
  }
}

const geojson = {
  type: 'FeatureCollection',
  bbox: [BBOX.west, BBOX.south, BBOX.east, BBOX.north],
  features: [
    {
      type: 'Feature',
      properties: {
        name: 'land',
        source: 'Natural Earth 1:10m land (public domain), via world-atlas 2 land-10m.json (ISC)',
        extractedBy: 'dashboard/scripts/extract-coast.mjs',
      },
      geometry: { type: 'MultiPolygon', coordinates: polygons },
    },
  ],
};
const target = fileURLToPath(new URL('../src/map/quang-tri-land.json', import.meta.url));
// Written as Prettier writes it, so `prettier --check .` stays clean after a re-run.
const options = (await prettier.resolveConfig(target)) ?? {};
await writeFile(target, await prettier.format(JSON.stringify(geojson), { ...options, parser: 'json' }));
const points = polygons.flat(2).length;
console.info(`wrote ${target}: ${polygons.length} polygons, ${points} points`);
