import type { HomePort } from '@qt-led/contract';

export interface LatLon {
  lat: number;
  lon: number;
}

/**
 * Where each home port's boats moor. These are the mooring points of the simulated fleet
 * (gateway-firmware-sim `mooringOf`: the Cửa Tùng–Cửa Việt coast line, 0.4 km seaward), so in-port boats
 * gather at their port's label; against the Natural Earth coastline they are within about a kilometre.
 */
export const HOME_PORTS: Readonly<Record<HomePort, LatLon>> = {
  'Cửa Tùng': { lat: 17.022, lon: 107.1132 },
  'Trung Giang': { lat: 16.992, lon: 107.1332 },
  'Gio Hải': { lat: 16.962, lon: 107.1532 },
  'Gio Việt': { lat: 16.914, lon: 107.1852 },
  'Cửa Việt': { lat: 16.902, lon: 107.1932 },
  'Triệu An': { lat: 16.866, lon: 107.2172 },
};

/** Cồn Cỏ island (domain.md), too small for the 1:10m coastline: drawn as a marked point. */
export const CON_CO: LatLon = { lat: 17.16, lon: 107.34 };

/** The officers' default view (issue 7): the coast off Quang Tri. */
export const DEFAULT_VIEW = { south: 16.6, north: 17.3, west: 106.8, east: 107.6 } as const;
