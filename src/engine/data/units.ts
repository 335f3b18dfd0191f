/**
 * Known unit conversions (docs/heterogeneous.md §2), user unit → island unit: island value =
 * factor · user value + offset, with the words that name each side's unit in column names and
 * descriptions. search/units.ts estimates a user's unit maps with them, catalog/links.ts the maps
 * between linked islands. Imports nothing.
 */

export interface UnitConversion {
  factor: number;
  offset: number;
  /** how the page and the CLI name it, user unit → island unit */
  label: string;
  /** words that name the user's unit and the island's in column names and descriptions (unit hints) */
  from?: readonly string[];
  to?: readonly string[];
}

const INCH = 2.54;
const FOOT = 0.3048;
const MILE = 1.609344;
const POUND = 0.45359237;

const SQFT = ['sqft', 'ft2', 'ft²', 'foot', 'feet'];
const SQM = ['sqm', 'm2', 'm²', 'metre', 'meter', 'metres', 'meters'];
const KM = ['km', 'kilometre', 'kilometer', 'kilometres', 'kilometers'];
const MI = ['mi', 'mile', 'miles'];
const YEARS = ['year', 'years', 'yr', 'yrs'];
const MONTHS = ['month', 'months', 'mo', 'mth'];
const THOUSANDS = ['k', 'thousand', 'thousands', 'kusd', 'kdollar', 'kdollars'];
const MILLIONS = ['m', 'million', 'millions', 'musd', 'mm'];
const CENTS = ['cent', 'cents'];

/** Conversions a person's table plausibly differs by (user unit → island unit). */
export const UNIT_CONVERSIONS: readonly UnitConversion[] = [
  { factor: 1, offset: 0, label: 'same unit' },
  { factor: 1000, offset: 0, label: 'thousands → units', from: THOUSANDS },
  { factor: 1 / 1000, offset: 0, label: '÷ 1,000' },
  { factor: 1e6, offset: 0, label: 'millions → units', from: MILLIONS },
  { factor: 1e-6, offset: 0, label: '÷ 1,000,000' },
  { factor: 100, offset: 0, label: '× 100' },
  { factor: 1 / 100, offset: 0, label: 'cents → dollars', from: CENTS, to: ['dollar', 'dollars', 'usd'] },
  { factor: 10, offset: 0, label: 'cm → mm', from: ['cm'], to: ['mm'] },
  { factor: 1 / 10, offset: 0, label: 'mm → cm', from: ['mm'], to: ['cm'] },
  { factor: FOOT * FOOT, offset: 0, label: 'ft² → m²', from: SQFT, to: SQM },
  { factor: 1 / (FOOT * FOOT), offset: 0, label: 'm² → ft²', from: SQM, to: SQFT },
  { factor: FOOT, offset: 0, label: 'ft → m', from: ['ft', 'foot', 'feet'], to: ['m', 'metre', 'meter'] },
  { factor: 1 / FOOT, offset: 0, label: 'm → ft', from: ['m', 'metre', 'meter'], to: ['ft', 'foot', 'feet'] },
  { factor: INCH, offset: 0, label: 'in → cm', from: ['in', 'inch', 'inches'], to: ['cm'] },
  { factor: 1 / INCH, offset: 0, label: 'cm → in', from: ['cm'], to: ['in', 'inch', 'inches'] },
  { factor: MILE, offset: 0, label: 'mi → km', from: MI, to: KM },
  { factor: 1 / MILE, offset: 0, label: 'km → mi', from: KM, to: MI },
  { factor: POUND, offset: 0, label: 'lb → kg', from: ['lb', 'lbs', 'pound', 'pounds'], to: ['kg', 'kilogram', 'kilograms'] },
  { factor: 1 / POUND, offset: 0, label: 'kg → lb', from: ['kg', 'kilogram', 'kilograms'], to: ['lb', 'lbs', 'pound', 'pounds'] },
  { factor: 12, offset: 0, label: 'years → months', from: YEARS, to: MONTHS },
  { factor: 1 / 12, offset: 0, label: 'months → years', from: MONTHS, to: YEARS },
  { factor: 7, offset: 0, label: 'weeks → days', from: ['week', 'weeks', 'wk'], to: ['day', 'days'] },
  { factor: 1 / 7, offset: 0, label: 'days → weeks', from: ['day', 'days'], to: ['week', 'weeks'] },
  { factor: 24, offset: 0, label: 'days → hours', from: ['day', 'days'], to: ['hour', 'hours'] },
  { factor: 1 / 24, offset: 0, label: 'hours → days', from: ['hour', 'hours', 'hr', 'hrs'], to: ['day', 'days'] },
  { factor: 60, offset: 0, label: 'hours → minutes', from: ['hour', 'hours', 'hr', 'hrs'], to: ['minute', 'minutes', 'min', 'mins'] },
  { factor: 1 / 60, offset: 0, label: 'minutes → hours', from: ['minute', 'minutes', 'min', 'mins'], to: ['hour', 'hours', 'hr', 'hrs'] },
  { factor: 1.8, offset: 32, label: '°C → °F', from: ['c', 'celsius', 'degc'], to: ['f', 'fahrenheit', 'degf'] },
  { factor: 5 / 9, offset: -160 / 9, label: '°F → °C', from: ['f', 'fahrenheit', 'degf'], to: ['c', 'celsius', 'degc'] },
];

/** Lower-case tokens of a name or description as written ("distance_km" → distance, km). */
export function unitTokens(text: string): Set<string> {
  return new Set(
    text
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .toLowerCase()
      .split(/[^a-z0-9²°]+/)
      .filter(Boolean),
  );
}

/** Whether the words name this conversion's user unit (and, when it names one, the island's). */
export function hinted(c: UnitConversion, user: Set<string>, island: Set<string>): boolean {
  if (!c.from || !c.from.some((w) => user.has(w))) return false;
  return !c.to || c.to.some((w) => island.has(w));
}
