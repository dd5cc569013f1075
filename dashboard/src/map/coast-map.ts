import type { VesselId } from '../api/types.js';
import type { I18n } from '../i18n/i18n.js';
import { clear, h, s } from '../ui/dom.js';
import { type DisplayStatus, statusColour } from '../ui/status.js';
import land from './quang-tri-land.json';
import { CON_CO, DEFAULT_VIEW, HOME_PORTS, type LatLon } from './places.js';
import { type Bounds, type Projection, createProjection, fitBounds } from './projection.js';

export interface MapMarker {
  vesselId: VesselId;
  label: string;
  status: DisplayStatus;
  position: LatLon;
}

export interface TrackPoint extends LatLon {
  tMs: number;
}

export interface CoastMap {
  readonly element: HTMLElement;
  /** Places or moves the boats; existing markers are updated in place (live updates, no redraw). */
  setMarkers(markers: readonly MapMarker[]): void;
  updateMarker(marker: MapMarker): void;
  /** Draws a vessel's track as separate lines wherever it has gaps. */
  setTrack(parts: readonly (readonly TrackPoint[])[]): void;
}

type LandJson = { bbox: number[]; features: { geometry: { coordinates: number[][][][] } }[] };
const LAND = land as unknown as LandJson;
const [west = 106.5, south = 16.3, east = 108.4, north = 17.8] = LAND.bbox;
const DATA_BOUNDS: Bounds = { west, south, east, north };

/** SVG user units are nautical miles; text and markers are sized from the view so they stay readable. */
export function createCoastMap(
  i18n: I18n,
  options: { onSelect?: (vesselId: VesselId) => void; fitTo?: readonly LatLon[]; markerLabels?: boolean },
): CoastMap {
  const bounds = fitBounds(DEFAULT_VIEW, options.fitTo ?? [], DATA_BOUNDS);
  const projection = createProjection(bounds);
  const unit = Math.max(projection.widthNm, projection.heightNm) / 100;
  const svg = s('svg', {
    viewBox: `0 0 ${fmt(projection.widthNm)} ${fmt(projection.heightNm)}`,
    role: 'img',
    'aria-label': i18n.t('map.title'),
    class: 'coast-map',
    preserveAspectRatio: 'xMidYMid meet',
    // The element box keeps the map's shape (an SVG draws outside its viewBox up to its box), and a tall
    // map narrows instead of growing past three quarters of the screen.
    style: `aspect-ratio:${fmt(projection.widthNm)}/${fmt(projection.heightNm)};max-width:calc(75vh * ${fmt(projection.widthNm / projection.heightNm)})`,
  });
  svg.append(
    s('rect', { x: 0, y: 0, width: fmt(projection.widthNm), height: fmt(projection.heightNm), class: 'sea' }),
    graticule(projection, unit),
    s('path', { d: landPath(projection), class: 'land' }),
    s(
      'text',
      { ...at(projection, { lat: 16.72, lon: 106.92 }), class: 'land-label', 'font-size': fmt(unit * 3.2) },
      i18n.t('map.land'),
    ),
  );
  const conCo = projection.project(CON_CO);
  svg.append(
    s('circle', { cx: fmt(conCo.x), cy: fmt(conCo.y), r: fmt(unit * 0.8), class: 'island' }),
    s(
      'text',
      {
        x: fmt(conCo.x + unit * 1.4),
        y: fmt(conCo.y - unit * 1.2),
        class: 'place-label',
        'font-size': fmt(unit * 2.2),
      },
      i18n.t('map.conCo'),
    ),
  );
  const ports = s('g', { class: 'ports' });
  // Labels go inland (west); Cửa Việt's goes seaward, as Gio Việt lies under a kilometre from it.
  for (const [name, position] of Object.entries(HOME_PORTS)) {
    const p = projection.project(position);
    const seaward = name === 'Cửa Việt';
    ports.append(
      s('rect', {
        x: fmt(p.x - unit * 0.6),
        y: fmt(p.y - unit * 0.6),
        width: fmt(unit * 1.2),
        height: fmt(unit * 1.2),
        class: 'port',
      }),
      s(
        'text',
        {
          x: fmt(p.x + (seaward ? unit * 1.5 : -unit * 1.5)),
          y: fmt(p.y + unit * 0.7),
          class: 'port-label',
          'font-size': fmt(unit * 2),
          'text-anchor': seaward ? 'start' : 'end',
        },
        name,
      ),
    );
  }
  svg.append(ports, scaleBar(projection, unit, i18n));
  const trackLayer = s('g', { class: 'track' });
  const markerLayer = s('g', { class: 'markers' });
  svg.append(trackLayer, markerLayer);

  const markers = new Map<VesselId, SVGGElement>();
  const radius = unit * 1.1;

  function drawMarker(marker: MapMarker): SVGGElement {
    const p = projection.project(marker.position);
    const title = s('title', {}, `${marker.label} · ${i18n.tDynamic(`status.${marker.status}`)}`);
    const group = s(
      'g',
      {
        class: 'marker',
        'data-vessel': marker.vesselId,
        'data-status': marker.status,
        transform: `translate(${fmt(p.x)} ${fmt(p.y)})`,
        tabindex: options.onSelect ? 0 : undefined,
        role: options.onSelect ? 'link' : undefined,
      },
      title,
      s('circle', { r: fmt(radius), fill: statusColour(marker.status), class: 'marker-dot' }),
    );
    if (options.markerLabels === true) {
      group.append(
        s(
          'text',
          { x: fmt(radius * 1.4), y: fmt(radius * 0.5), 'font-size': fmt(unit * 2), class: 'marker-label' },
          marker.label,
        ),
      );
    }
    const select = options.onSelect;
    if (select) {
      group.addEventListener('click', () => select(marker.vesselId));
      group.addEventListener('keydown', (event) => {
        if (event.key === 'Enter') select(marker.vesselId);
      });
    }
    return group;
  }

  function updateMarker(marker: MapMarker): void {
    const next = drawMarker(marker);
    const previous = markers.get(marker.vesselId);
    if (previous) previous.replaceWith(next);
    else markerLayer.append(next);
    markers.set(marker.vesselId, next);
  }

  const element = h(
    'figure',
    { class: 'map' },
    svg,
    h('figcaption', { class: 'attribution' }, i18n.t('map.attribution')),
  );

  return {
    element,
    setMarkers(list) {
      clear(markerLayer);
      markers.clear();
      for (const marker of list) updateMarker(marker);
    },
    updateMarker,
    setTrack(parts) {
      clear(trackLayer);
      for (const part of parts) {
        if (part.length === 0) continue;
        const d = part
          .map((p, i) => {
            const q = projection.project(p);
            return `${i === 0 ? 'M' : 'L'}${fmt(q.x)} ${fmt(q.y)}`;
          })
          .join('');
        trackLayer.append(s('path', { d, class: 'track-line', 'stroke-width': fmt(unit * 0.35) }));
      }
    },
  };
}

const fmt = (n: number): string => n.toFixed(3).replace(/\.?0+$/, '');

function at(projection: Projection, p: LatLon): { x: string; y: string } {
  const q = projection.project(p);
  return { x: fmt(q.x), y: fmt(q.y) };
}

function landPath(projection: Projection): string {
  const parts: string[] = [];
  for (const feature of LAND.features) {
    for (const polygon of feature.geometry.coordinates) {
      for (const ring of polygon) {
        parts.push(
          ring
            .map(([lon = 0, lat = 0], i) => {
              const q = projection.project({ lat, lon });
              return `${i === 0 ? 'M' : 'L'}${fmt(q.x)} ${fmt(q.y)}`;
            })
            .join('') + 'Z',
        );
      }
    }
  }
  return parts.join('');
}

/** Lines every 0.2° with their latitude/longitude, so an officer can read a position off the map. */
function graticule(projection: Projection, unit: number): SVGGElement {
  const g = s('g', { class: 'graticule' });
  const { south, north, west, east } = projection.bounds;
  const step = 0.2;
  for (let lat = Math.ceil(south / step) * step; lat <= north; lat += step) {
    const y = projection.project({ lat, lon: west }).y;
    g.append(
      s('line', { x1: 0, x2: fmt(projection.widthNm), y1: fmt(y), y2: fmt(y) }),
      s(
        'text',
        { x: fmt(unit * 0.5), y: fmt(y - unit * 0.4), 'font-size': fmt(unit * 1.6) },
        `${lat.toFixed(1)}°N`,
      ),
    );
  }
  for (let lon = Math.ceil(west / step) * step; lon <= east; lon += step) {
    const x = projection.project({ lat: north, lon }).x;
    g.append(
      s('line', { x1: fmt(x), x2: fmt(x), y1: 0, y2: fmt(projection.heightNm) }),
      s(
        'text',
        { x: fmt(x + unit * 0.4), y: fmt(projection.heightNm - unit * 0.6), 'font-size': fmt(unit * 1.6) },
        `${lon.toFixed(1)}°E`,
      ),
    );
  }
  return g;
}

function scaleBar(projection: Projection, unit: number, i18n: I18n): SVGGElement {
  const lengthNm = projection.widthNm > 60 ? 20 : 10;
  const x = projection.widthNm - lengthNm - unit * 3;
  const y = unit * 4;
  return s(
    'g',
    { class: 'scale' },
    s('path', {
      d: `M${fmt(x)} ${fmt(y - unit)}V${fmt(y)}H${fmt(x + lengthNm)}V${fmt(y - unit)}`,
      'stroke-width': fmt(unit * 0.3),
    }),
    s(
      'text',
      {
        x: fmt(x + lengthNm / 2),
        y: fmt(y - unit * 1.4),
        'font-size': fmt(unit * 1.8),
        'text-anchor': 'middle',
      },
      i18n.t('map.scale', { distance: lengthNm }),
    ),
  );
}
