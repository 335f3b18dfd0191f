/**
 * The handover between the two workers of the user's journey (docs/architecture.md, "Worker
 * protocol"). The spec worker owns the user's file: it is read and parsed there, once. The page
 * creates a MessageChannel and gives one port to each worker; over it the spec worker offers the
 * reuse worker what it holds — the selected columns of a loaded table (a fresh row-major matrix,
 * transferred, not copied) and a search result by id — so the page never carries rows or search
 * results from one worker to the other. Comlink on the port; errors keep their codes (errors.ts).
 */
import * as Comlink from 'comlink';
import type { CatalogSearchIsland } from '../src/engine/search/catalog-search.js';
import type { PackedImages } from './image-preview.js';

/** Which columns of a loaded table reuse takes: the chosen features (never the label), and the label column. */
export interface RowSelection {
  /** the feature columns, as the user ticked them */
  features: string[];
  labelColumn?: string;
  /** fill empty feature cells with the column mean (otherwise an empty cell is an error) */
  fillMissing?: boolean;
}

export interface HandedRows {
  /** row-major rows × columns (transferred) */
  values: Float64Array;
  rows: number;
  columns: string[];
  /** the label column's cells (null = empty); null without a label column */
  labels: (number | string | null)[] | null;
  filledCells: number;
  /** texts: one per row (the rows are their embeddings), and where each came from */
  texts?: string[];
  sources?: string[];
  /** images: their pixels, packed in one transferred buffer (the rows are their features ψ, docs/image.md §5) */
  images?: PackedImages & { channels: 1 | 3; network: string };
}

/** A search the spec worker ran, as it keeps it. */
export interface HeldSearch {
  /** absolute URL of the catalog directory the bundle references are relative to */
  catalogUrl: string;
  islands: CatalogSearchIsland[];
  /** the table it was run for */
  tableId: number;
}

/** What the spec worker answers on the handover port. */
export interface TableHandover {
  rows(tableId: number, selection: RowSelection): HandedRows | Promise<HandedRows>;
  search(searchId: string): HeldSearch;
}

/** Spec worker side: answers on the port. */
export function offerHandover(port: MessagePort, handover: TableHandover): void {
  Comlink.expose(handover, port);
}

/** Reuse worker side: the spec worker's answers. */
export function handoverFrom(port: MessagePort): Comlink.Remote<TableHandover> {
  return Comlink.wrap<TableHandover>(port);
}

/** Marks the rows' matrix for transfer (the spec worker built it for this answer and keeps no reference). */
export function transferRows(rows: HandedRows): HandedRows {
  return Comlink.transfer(rows, [rows.values.buffer]);
}
