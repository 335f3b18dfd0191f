/**
 * Plain helpers for the journey (journey.svelte.ts) that build throwaway values — dates, URLs, sets —
 * kept out of the reactive module so they are not mistaken for state.
 */

/** The time now, ISO 8601. */
export const nowIso = (): string => new Date().toISOString();

/** The distinct values, sorted. */
export const sortedUnique = (values: Iterable<string>): string[] => [...new Set(values)].sort();

/** A URL (absolute or relative to the page) made absolute. */
export const absoluteUrl = (url: string): string => new URL(url, location.href).href;

/** The origin of a URL (absolute or relative to the page). */
export const originOf = (url: string): string => new URL(url, location.href).origin;

/** A parameter of the page's address (?name=value), or null. */
export const addressParam = (name: string): string | null => new URLSearchParams(location.search).get(name);
