/**
 * The data behind the demo catalog's flight-delay learnwares, and the seeding of every demo split:
 * shared by scripts/build-demo-catalog.ts (which trains the learnwares) and bench/reuse.bench.ts
 * (which needs flights of the same airports that no learnware has seen).
 *  - fnv1a: the 32-bit FNV-1a hash of a city or airport name, the seed of its splits;
 *  - loadFlights: vega-datasets' flights-3m (2001, US DOT on-time data) from node_modules;
 *  - busiestOrigins: the 20 origin airports with the most flights, with their flights' indices;
 *  - flightSample: the 5,000 flights the build draws per airport (the first 4,000 train the
 *    learnware, the last 1,000 are its held-out rows); every other flight of that airport is unseen;
 *  - flightRow: a flight as [hour, weekday, month, distance, delayed].
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { Prng } from '../src/engine/index.js';

export const FLIGHT_FEATURES = ['hour', 'weekday', 'month', 'distance'];
export const FLIGHT_LABEL = 'delayed';
/** flights per airport that train its learnware */
export const FLIGHTS_TRAIN = 4000;
/** flights per airport held out (public/catalog-holdout) */
export const FLIGHTS_HOLDOUT = 1000;
/** airports, busiest first */
export const FLIGHT_AIRPORTS = 20;

/** One learnware's held-out rows in the holdout directory's index.json. */
export interface HoldoutEntry {
  id: string;
  file: string;
  /** held-out rows in the file */
  rows: number;
  /** rows the learnware was trained on (its numPoints) */
  trainingRows: number;
  labelColumn: string;
  /** the island's features */
  features: string[];
}

export interface Flight {
  date: Date;
  delay: bigint;
  distance: bigint;
  origin: string;
}

/** 32-bit FNV-1a of a name: the seed of that city's or airport's splits. */
export function fnv1a(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/** Every flight of flights-3m (date, delay, distance, origin), in file order. */
export async function loadFlights(root: string): Promise<Flight[]> {
  const file = readFileSync(join(root, 'node_modules', 'vega-datasets', 'data', 'flights-3m.parquet'));
  return (await parquetReadObjects({
    file: file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength),
    compressors,
    columns: ['date', 'delay', 'distance', 'origin'],
  })) as Flight[];
}

/** The busiest origins (most flights; ties by name), each with the indices of its flights in file order. */
export function busiestOrigins(flights: readonly Flight[], count = FLIGHT_AIRPORTS): [string, number[]][] {
  const byOrigin = new Map<string, number[]>();
  flights.forEach((f, i) => {
    const list = byOrigin.get(f.origin) ?? [];
    list.push(i);
    byOrigin.set(f.origin, list);
  });
  return [...byOrigin].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1)).slice(0, count);
}

/**
 * Positions (into the airport's `indices`) of the flights the demo catalog uses, in draw order: the
 * first FLIGHTS_TRAIN train the learnware, the next FLIGHTS_HOLDOUT are held out.
 */
export function flightSample(origin: string, flightCount: number): Int32Array {
  return new Prng(fnv1a(origin)).sampleWithoutReplacement(flightCount, FLIGHTS_TRAIN + FLIGHTS_HOLDOUT);
}

/** [hour, weekday, month, distance, delayed (departure more than 15 minutes late)] */
export function flightRow(f: Flight): number[] {
  return [f.date.getUTCHours(), f.date.getUTCDay(), f.date.getUTCMonth() + 1, Number(f.distance), Number(f.delay) > 15 ? 1 : 0];
}
