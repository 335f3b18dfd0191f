/**
 * The user's journey ("Find and reuse learnwares") as one object: the catalog, the file and its
 * table, the chosen columns and label, the specification options, the search, the reuse and the
 * evaluation, every job's progress and errors — the page's state, with a method for each step.
 * App.svelte, SearchResults and ReusePanel only read it and call its methods.
 *
 * Who holds what: the spec worker reads and parses the user's file (once) and keeps the table and
 * the search results; the reuse worker gets the selected columns and the search result from it
 * over a MessageChannel (workers/handover.ts); the page keeps ids (tableId, searchId, resultId)
 * and what it shows.
 */
import type {
  CatalogListing,
  CatalogSummary,
  BackendInfo,
  EditedMapping,
  LoadedImages,
  LoadedTable,
  LoadedTexts,
  MappingProposal,
  SearchAnswer,
  SpecResult,
} from '../../workers/spec.worker.js';
import type { CompositeSpec, ErrorCode, NamedFile, ProgressEvent, ReuseMethod, ReuseMethodDescriptor } from '../engine/index.js';
import { ReuseClient, type EvaluationAnswer, type ReuseOutcome, type RunnerInfo } from './reuse-client.js';
import { SpecClient } from './spec-client.js';
import { addRecent, deleteComposite, saveCatalogUrl, saveComposite as storeComposite, savedCatalogUrl, savedComposites, type SavedComposite } from './storage.js';
import { saveFile } from './download.js';
import { absoluteUrl, addressParam, nowIso, originOf, sortedUnique } from './plain.js';
import type { ColumnSuggestion } from '../engine/catalog/coverage.js';
import type { IslandGap } from '../engine/search/catalog-search.js';
import { bestFit } from './best-fit.js';
import { editedPairs, proposedEdit, setTarget, type IslandEdit } from './mapping.js';

export const BACKEND_LABELS: Record<string, string> = { webgpu: 'WebGPU', wasm: 'WASM', cpu: 'CPU', ts: 'plain TypeScript' };

export const PHASE_LABELS: Record<string, string> = {
  impute: 'filling missing cells',
  kmeans: 'summarising your rows (k-means)',
  beta: 'weighting the reduced points',
  'z-step': 'refining the reduced points',
  rank: 'comparing with the learnwares',
  embedder: 'loading the word vectors',
  embed: 'embedding your texts',
  languages: 'finding the languages of your texts',
  features: 'computing the features of your images',
};

/** A table whose longest text column averages this many characters a cell is taken for texts (docs/text.md §1). */
export const LONG_TEXT_CHARS = 40;
/** Below this mean length a table's text columns are categories (city names), not offered as texts. */
export const SHORT_TEXT_CHARS = 16;

export const SEARCH_LABEL = 'Searching the catalog';

/** Tables are parsed whole in the spec worker: beyond this a tab runs out of memory on small devices. */
export const MAX_TABLE_BYTES = 100 * 2 ** 20;
export const megabytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(bytes < 10 * 2 ** 20 ? 1 : 0)} MB`;

type Started<T> = { jobId: string; result: Promise<T> };

/** One cancellable worker job at a time: its label, phase, progress and error. */
export class Job {
  busy = $state(false);
  id = $state<string | null>(null);
  label = $state('');
  phase = $state('');
  fraction = $state(0);
  error = $state<string | null>(null);
  /** the last failure's code and details (e.g. NO_ISLAND's islands), for pages that answer it in words */
  failure = $state.raw<{ code?: ErrorCode; details?: Record<string, unknown> } | null>(null);
  private cancelRequested = false;
  private cancelJob: ((jobId: string) => void) | null = null;
  /** a phase shown once another is done (a search ranks learnwares after the user's spec: no events for that) */
  private after: Record<string, string> = {};

  readonly onProgress = (event: ProgressEvent) => {
    this.phase = event.phase;
    if (event.status === 'start') this.fraction = 0;
    else if (event.status === 'progress') this.fraction = event.total > 0 ? event.done / event.total : 0;
    else this.fraction = 1;
    if (event.status === 'done' && this.after[event.phase]) this.phase = this.after[event.phase];
  };

  /** Runs a job; null when it failed or was cancelled (the error is shown). */
  async run<T>(label: string, start: () => Started<T> | Promise<Started<T>>, cancel: (jobId: string) => void, after: Record<string, string> = {}): Promise<T | null> {
    this.error = null;
    this.failure = null;
    this.busy = true;
    this.label = label;
    this.phase = '';
    this.fraction = 0;
    this.cancelRequested = false;
    this.cancelJob = cancel;
    this.after = after;
    try {
      const job = await start();
      this.id = job.jobId;
      return await job.result;
    } catch (e) {
      const err = e as Error & { code?: ErrorCode; details?: Record<string, unknown> };
      // a cancel can also surface as the abort of a pending fetch (a network error)
      this.error = err.code === 'CANCELLED' || this.cancelRequested ? 'Cancelled.' : err.message;
      this.failure = { code: err.code, details: err.details };
      return null;
    } finally {
      this.busy = false;
      this.id = null;
      this.label = '';
      this.phase = '';
    }
  }

  cancel(): void {
    if (!this.id || !this.cancelJob) return;
    this.cancelRequested = true;
    this.cancelJob(this.id);
  }
}

/** #/ (solve my task), #/publish, #/catalog, #/learnware/<id>, #/storage, #/models (saved models) */
export function route(hash: string): { page: 'spec' | 'publish' | 'catalog' | 'storage' | 'models'; learnware: string | null } {
  if (hash === '#/publish') return { page: 'publish', learnware: null };
  if (hash === '#/models') return { page: 'models', learnware: null };
  if (hash === '#/storage') return { page: 'storage', learnware: null };
  if (hash === '#/catalog') return { page: 'catalog', learnware: null };
  const detail = /^#\/learnware\/(.+)$/.exec(hash);
  if (detail) return { page: 'catalog', learnware: decodeURIComponent(detail[1]) };
  return { page: 'spec', learnware: null };
}

export class Journey {
  readonly spec = new SpecClient();
  private reuseWorker: ReuseClient | null = null;

  // which page is shown (the address's hash)
  page = $state(route(location.hash).page);
  learnwareShown = $state(route(location.hash).learnware);
  /** the demo catalog served with the app (relative to the page), the catalog URL's default */
  readonly defaultCatalog = `${import.meta.env.BASE_URL}catalog/`;

  // the spec worker's compute backend
  backend = $state<BackendInfo | null>(null);
  backendError = $state<string | null>(null);

  // the catalog (a setting: ?catalog=URL, else the one last loaded with the field, else the demo catalog)
  catalogUrl = $state('');
  catalog = $state.raw<CatalogSummary | null>(null);
  catalogError = $state<string | null>(null);
  catalogLoading = $state(false);

  // the user's file and its table (parsed in the spec worker)
  fileName = $state<string | null>(null);
  fileSize = $state<number | null>(null);
  table = $state.raw<LoadedTable | null>(null);
  /** the user's texts (JSON Lines, a zip or folder of .txt files, or a table's text column), held in the spec worker */
  texts = $state.raw<LoadedTexts | null>(null);
  /** a table with text columns: the column whose cells are the texts ('' = use the numeric columns) and the label column of the texts */
  textColumn = $state('');
  textLabelColumn = $state('');
  /** the user's images (a zip, a folder, or PNG/JPEG files; class sub-folders are labels), held in the spec worker (docs/image.md §1) */
  images = $state.raw<LoadedImages | null>(null);
  /** feature columns ticked */
  included = $state<Record<string, boolean>>({});
  /** the label column ('' = none): left out of the features; evaluation and the methods that learn use it */
  labelColumn = $state('');
  /** the default columns for the table: the features of the island it holds, the column the learnwares predict (engine catalog/coverage.ts) */
  suggestion = $state.raw<ColumnSuggestion | null>(null);
  /** the search found no island taking the columns: what the catalog covers and what the nearest islands need (NO_ISLAND's details) */
  noIsland = $state.raw<{ features: string[]; islands: IslandGap[] } | null>(null);

  // the column mapping (docs/heterogeneous.md §1–§3): proposed by the spec worker for the nearest islands, edited here
  /** the proposed mappings of the feature columns for the nearest islands, nearest first (null: not proposed yet) */
  proposals = $state.raw<MappingProposal[] | null>(null);
  /** each proposed island's mapping as the user has it (by island id) */
  mappingEdits = $state<Record<string, IslandEdit>>({});
  /** the table and feature columns the proposals answer */
  private proposedFor = '';
  private proposalRequest = 0;

  // specification options and result
  gamma = $state(0.1);
  K = $state(100);
  seed = $state(0);
  scale = $state<'std' | 'none'>('std');
  result = $state.raw<SpecResult | null>(null);

  /** the spec worker's jobs (build, search) and the file's errors */
  readonly job = new Job();

  // the search: semantic requirements ('' = any) and the answer
  searchText = $state('');
  wantedTask = $state('');
  wantedScenario = $state('');
  search = $state.raw<SearchAnswer | null>(null);
  /** set by "Try it on my data": the search text that restricts the search to that learnware */
  tryingName = $state<string | null>(null);

  // reuse (the reuse worker)
  runner = $state<RunnerInfo | null>(null);
  /** the method the user picked (null: the recommended one) */
  method = $state<ReuseMethod | null>(null);
  fillMissing = $state(true);
  labelled = $state(100);
  readonly reuseJob = new Job();
  outcome = $state.raw<ReuseOutcome | null>(null);
  evaluation = $state.raw<EvaluationAnswer | null>(null);
  saved = $state<SavedComposite[]>([]);
  savedNote = $state<string | null>(null);

  readonly selectedCount = $derived(this.table ? this.table.columns.filter((c) => this.included[c.name]).length : 0);
  /** the id of what the jobs run on: the texts when there are, else the table */
  readonly dataId = $derived(this.images?.tableId ?? this.texts?.tableId ?? this.table?.tableId ?? null);
  /** whether a spec or a search can start: images, texts, or a table with a feature column ticked */
  readonly ready = $derived(this.images !== null || this.texts !== null || this.selectedCount > 0);
  /** the feature columns the workers get (never the label) */
  readonly features = $derived(this.table ? this.table.columns.filter((c) => this.included[c.name] && c.name !== this.labelColumn).map((c) => c.name) : []);
  readonly catalogNames = $derived(this.catalog ? Object.fromEntries(this.catalog.entries.map((e) => [e.id, e.name])) : {});
  readonly catalogTasks = $derived(this.catalog ? sortedUnique(this.catalog.entries.map((e) => e.task)) : []);
  readonly catalogScenarios = $derived(this.catalog ? sortedUnique(this.catalog.entries.flatMap((e) => e.scenario)) : []);
  /** the island the results show for reuse (the engine's choice: reuseOffer) */
  readonly found = $derived(this.search?.reuse ? this.search.islands[this.search.reuse.island] : null);
  /** what the search allows to reuse (the registry's methods and rule, from the spec worker) */
  readonly offer = $derived(this.search?.reuse ?? null);
  readonly methods = $derived<ReuseMethodDescriptor[]>(this.offer?.methods ?? []);
  readonly recommended = $derived(this.offer ? (this.labelColumn ? this.offer.recommended.labelled : this.offer.recommended.unlabelled) : null);
  readonly chosen = $derived(this.method ?? this.recommended);

  constructor() {
    addEventListener('hashchange', () => ({ page: this.page, learnware: this.learnwareShown } = route(location.hash)));
    const addressCatalog = addressParam('catalog');
    this.catalogUrl = addressCatalog ?? this.defaultCatalog;
    if (addressCatalog) void this.loadCatalog();
    else
      void savedCatalogUrl().then((saved) => {
        if (saved) this.catalogUrl = saved;
        return this.loadCatalog();
      });
    // ?backend=webgpu|wasm|cpu|ts forces one backend (and accepts a software WebGPU adapter)
    const forced = addressParam('backend');
    const request = forced && forced in BACKEND_LABELS ? { preference: [forced as BackendInfo['name']], allowSoftwareGpu: true } : {};
    this.spec.init(request).then(
      (info) => (this.backend = info),
      (e: Error) => (this.backendError = e.message),
    );
  }

  get error(): string | null {
    return this.job.error;
  }

  dispose(): void {
    this.spec.dispose();
    this.reuseWorker?.dispose();
  }

  async loadCatalog(remember = false): Promise<void> {
    this.catalogLoading = true;
    this.catalogError = null;
    this.catalog = null;
    try {
      this.catalog = await this.spec.loadCatalog(absoluteUrl(this.catalogUrl));
      // a table read before the catalog (or against another one) gets this catalog's defaults
      const table = this.table;
      if (table && !this.search && !this.texts && !this.images) {
        const suggestion = await this.spec.suggestColumns(table.columns.map((c) => ({ name: c.name, kind: c.kind })));
        if (this.table === table) this.applyDefaults(suggestion);
      }
      if (remember) await saveCatalogUrl(this.catalogUrl);
    } catch (e) {
      const err = e as Error & { code?: ErrorCode };
      const origin = originOf(this.catalogUrl);
      // a browser blocking the origin by CSP looks like any network failure to the code: say it may be that
      this.catalogError =
        err.code === 'UNREACHABLE' && origin !== location.origin
          ? `${err.message}. If ${origin} is up, this deployment's Content-Security-Policy may not list it: catalogs and storage on other origins must be named in LEARNWARE_CONNECT_SRC when the app is built (README, "Deploying").`
          : err.message;
    } finally {
      this.catalogLoading = false;
    }
  }

  /** Back to the demo catalog: loads it and remembers it as the catalog URL. */
  async useDefaultCatalog(): Promise<void> {
    this.catalogUrl = this.defaultCatalog;
    await this.loadCatalog(true);
  }

  /** Forgets the file and every result of it (a new file is a new journey). */
  private startOver(name: string, size: number | null): void {
    this.job.error = null;
    this.result = null;
    if (this.images) this.K = 100; // the table and text specs' default again
    this.table = null;
    this.texts = null;
    this.images = null;
    this.textColumn = '';
    this.textLabelColumn = '';
    this.search = null;
    this.noIsland = null;
    this.resetReuse();
    this.labelColumn = '';
    this.suggestion = null;
    this.proposals = null;
    this.mappingEdits = {};
    this.proposedFor = '';
    this.fileName = name;
    this.fileSize = size;
  }

  /** Reads a dropped folder of images or .txt files, or several dropped files (sub-folders are labels), in the spec worker; the page only reads the files' bytes. */
  async loadFolder(folder: string, files: NamedFile[]): Promise<void> {
    this.startOver(
      folder,
      files.reduce((s, f) => s + f.bytes.length, 0),
    );
    this.job.busy = true;
    try {
      const loaded = await this.spec.loadFolder(files, folder);
      if (loaded.kind === 'image') this.useImages(loaded);
      else this.useTexts(loaded);
    } catch (e) {
      this.job.error = (e as Error).message;
    } finally {
      this.job.busy = false;
    }
  }

  /** The texts become the journey's data: their labels, when they have some, are the label (for the methods that learn and the comparison). */
  private useTexts(texts: LoadedTexts): void {
    this.texts = texts;
    this.result = null;
    this.search = null;
    this.noIsland = null;
    this.resetReuse();
    this.labelColumn = texts.labelName ?? '';
  }

  /** The images become the journey's data: their class folders, when they have some, are the label; an image spec has 50 reduced images by default (docs/image.md §3). */
  private useImages(images: LoadedImages): void {
    this.images = images;
    this.result = null;
    this.search = null;
    this.noIsland = null;
    this.resetReuse();
    this.labelColumn = images.labelName ?? '';
    this.K = 50;
  }

  /** A table's text column (and label column) as the texts. */
  async useTextColumn(): Promise<void> {
    const table = this.table;
    if (!table || !this.textColumn) return;
    this.job.error = null;
    try {
      this.useTexts(await this.spec.textsOfColumn(table.tableId, this.textColumn, this.textLabelColumn || undefined));
    } catch (e) {
      this.job.error = (e as Error).message;
    }
  }

  /** Back from a table's texts to its columns. */
  useTableColumns(): void {
    this.texts = null;
    this.textColumn = '';
    this.result = null;
    this.search = null;
    this.resetReuse();
    this.applyDefaults(this.suggestion);
  }

  /** Reads and parses the user's file, in the spec worker (the only time it is parsed). */
  async loadFile(file: File): Promise<void> {
    this.startOver(file.name, file.size);
    const refusal =
      file.size === 0
        ? `${file.name} is empty.`
        : file.size > MAX_TABLE_BYTES
          ? `${file.name} is ${megabytes(file.size)}; this page reads tables up to ${megabytes(MAX_TABLE_BYTES)}. A random sample of your rows gives the same search results (100,000 rows are plenty for a specification).`
          : null;
    if (refusal) {
      this.job.error = refusal;
      this.fileName = this.fileSize = null;
      return;
    }
    this.job.busy = true;
    try {
      const loaded = await this.spec.loadData(await file.arrayBuffer(), file.name);
      if (loaded.kind === 'text') {
        this.useTexts(loaded);
        return;
      }
      if (loaded.kind === 'image') {
        this.useImages(loaded);
        return;
      }
      const suggestion = await this.spec.suggestColumns(loaded.columns.map((c) => ({ name: c.name, kind: c.kind })));
      this.table = loaded;
      this.applyDefaults(suggestion);
      // a table of long texts (reviews, articles) is texts: its longest text column is proposed
      if (loaded.textColumns.length && loaded.longestMean >= LONG_TEXT_CHARS) {
        this.textColumn = loaded.textColumns[0];
        await this.useTextColumn();
      }
    } catch (e) {
      this.job.error = (e as Error).message;
    } finally {
      this.job.busy = false;
    }
  }

  async loadSample(): Promise<void> {
    const response = await fetch(`${import.meta.env.BASE_URL}samples/txhousing.csv`);
    if (!response.ok) {
      this.job.error = `could not load the sample (HTTP ${response.status})`;
      return;
    }
    await this.loadFile(new File([await response.blob()], 'txhousing.csv'));
  }

  /**
   * Default columns: the features of the catalog island the table holds (by name), else every
   * numeric column — never a column dropped by its name alone; a column naming what the island's
   * learnwares predict is taken as the label, so it is never a feature.
   */
  private applyDefaults(suggestion: ColumnSuggestion | null): void {
    const table = this.table;
    if (!table) return;
    this.suggestion = suggestion;
    const features = new Set(suggestion ? suggestion.features : table.columns.filter((c) => c.kind === 'numeric').map((c) => c.name));
    this.included = Object.fromEntries(table.columns.map((c) => [c.name, c.kind === 'numeric' && features.has(c.name)]));
    this.labelColumn = suggestion?.label?.column ?? '';
  }

  /** The label column is never a feature. */
  chooseLabel(column: string): void {
    this.labelColumn = column;
    if (column) this.included[column] = false;
  }

  async buildSpec(): Promise<void> {
    const id = this.dataId;
    if (id === null) return;
    this.result = null;
    const { gamma, K, seed, scale, features } = this;
    this.result = await this.job.run(
      'Building the specification',
      () => this.spec.buildSpec(id, { gamma, K, seed, scale, features }, this.job.onProgress),
      (id) => this.spec.cancel(id),
    );
    const result = this.result;
    if (result)
      void addRecent({
        id: crypto.randomUUID(),
        kind: 'spec',
        at: nowIso(),
        fileName: this.fileName ?? 'data',
        rows: result.n,
        features: result.featureNames,
        specJson: result.json,
      });
  }

  downloadSpec(): void {
    if (this.result) saveFile(this.result.json, 'application/json', `${this.baseName()}.stat.json`);
  }

  async searchCatalog(): Promise<void> {
    const id = this.dataId;
    if (id === null) return;
    const table = this.images ?? this.texts ?? this.table!;
    this.search = null;
    this.noIsland = null;
    this.resetReuse();
    const request = {
      features: this.features,
      text: this.searchText || undefined,
      task: this.wantedTask || undefined,
      scenario: this.wantedScenario || undefined,
      mappings: this.editedMappings(),
    };
    const answer = await this.job.run(
      SEARCH_LABEL,
      () => this.spec.searchCatalog(id, request, this.job.onProgress),
      (id) => this.spec.cancel(id),
      { 'z-step': 'rank' },
    );
    this.search = answer;
    const failure = this.job.failure;
    if (!answer && !this.texts && !this.images && failure?.code === 'NO_ISLAND' && Array.isArray(failure.details?.islands)) {
      // an answer, not an error: the page says what the catalog covers and what to do
      this.noIsland = { features: (failure.details.features as string[] | undefined) ?? this.features, islands: failure.details.islands as IslandGap[] };
      this.job.error = null;
    }
    if (!answer) return;
    const found = answer.reuse ? answer.islands[answer.reuse.island] : undefined;
    const fit = found ? bestFit(found) : null;
    void addRecent({
      id: crypto.randomUUID(),
      kind: 'search',
      at: nowIso(),
      fileName: this.fileName ?? 'data',
      rows: table.rows,
      features: table.kind === 'text' ? ['texts'] : table.kind === 'image' ? ['images'] : (found?.features ?? table.columns.filter((c) => this.included[c.name]).map((c) => c.name)),
      found: found?.singles.slice(0, 5).map((s) => ({ name: s.name, score: s.score })) ?? [],
      // what the results page shows as the best fit (best-fit.ts): a mixture only when it is the recommended one
      mixture: fit?.kind === 'mixture' ? { names: fit.names, weights: fit.weights, score: fit.score } : null,
    });
  }

  cancel(): void {
    this.job.cancel();
  }

  // ---- the column mapping ----

  /**
   * Asks the spec worker for the proposed mappings of the chosen feature columns (once per table
   * and choice of columns); the panels start from them, and the user's edits of an earlier choice
   * of columns are dropped.
   */
  async proposeMappings(): Promise<void> {
    const table = this.table;
    const features = this.features;
    const key = table && this.catalog ? `${this.catalog.url}\u0000${table.tableId}\u0000${features.join('\u0000')}` : '';
    if (key === this.proposedFor) return;
    this.proposedFor = key;
    const request = ++this.proposalRequest;
    if (!table || !key || features.length === 0) {
      this.proposals = null;
      this.mappingEdits = {};
      return;
    }
    try {
      const proposals = await this.spec.proposeMappings(table.tableId, { features });
      if (request !== this.proposalRequest) return;
      this.mappingEdits = Object.fromEntries(proposals.map((p) => [p.island, proposedEdit(p, features)]));
      this.proposals = proposals;
    } catch (e) {
      // no proposal is no error of the user's: the search still matches the columns itself
      if (request === this.proposalRequest) this.proposals = [];
      console.warn('column mapping proposal failed', e);
    }
  }

  /** The user maps their column `user` to the island's column `target` ('' = not used); a column already taking `target` gets `user`'s old one. */
  mapColumn(island: string, user: string, target: string): void {
    const edit = this.mappingEdits[island];
    if (edit) this.mappingEdits[island] = setTarget(edit, user, target);
  }

  /** The user's unit factor for a pair (null: estimated against the learnwares when searching). */
  setFactor(island: string, user: string, factor: number | null): void {
    const edit = this.mappingEdits[island];
    if (!edit) return;
    this.mappingEdits[island] = { ...edit, factor: { ...edit.factor, [user]: factor }, edited: true };
  }

  /** Back to the proposed mapping for an island. */
  resetMapping(island: string): void {
    const proposal = this.proposals?.find((p) => p.island === island);
    if (proposal) this.mappingEdits[island] = proposedEdit(proposal, this.features);
  }

  /** The islands whose mapping the user changed, with the pairs the search takes for them. */
  private editedMappings(): EditedMapping[] {
    return (this.proposals ?? []).flatMap((p) => {
      const edit = this.mappingEdits[p.island];
      return edit?.edited ? [{ island: p.island, pairs: editedPairs(p, edit) }] : [];
    });
  }

  tryLearnware(listing: CatalogListing): void {
    this.tryingName = listing.name;
    this.searchText = listing.name;
    location.hash = '#/';
  }

  stopTrying(): void {
    this.tryingName = null;
    this.searchText = '';
  }

  // ---- reuse ----

  /** The reuse worker, started on first use and connected to the spec worker by a MessageChannel. */
  private reuseClient(): ReuseClient {
    if (!this.reuseWorker) {
      const channel = new MessageChannel();
      const client = new ReuseClient();
      void this.spec.connectReuse(channel.port1);
      void client.connect(channel.port2);
      this.reuseWorker = client;
    }
    return this.reuseWorker;
  }

  private async readyReuse(): Promise<ReuseClient> {
    const client = this.reuseClient();
    // ?backend=webgpu or ?backend=wasm (as for the spec worker) picks the execution provider
    const forced = addressParam('backend');
    this.runner ??= await client.init(forced === 'webgpu' || forced === 'wasm' ? { prefer: forced } : {});
    return client;
  }

  private resetReuse(): void {
    this.method = null;
    this.outcome = null;
    this.evaluation = null;
    this.savedNote = null;
    this.reuseJob.error = null;
  }

  methodLabel(id: string): string {
    return this.methods.find((m) => m.id === id)?.label ?? id;
  }

  /** The rows the reuse worker reads: the loaded table's chosen features, the label, the fill option. */
  private selection() {
    return { tableId: this.dataId!, features: this.texts || this.images ? [] : this.features, labelColumn: this.labelColumn || undefined, fillMissing: this.fillMissing };
  }

  /**
   * Encodes a categorical text column as numbers in the spec worker (one-hot: a 0/1 column per
   * category; ordinal: one code per category), so it can be used as a feature; the new columns are
   * ticked. Results computed on the old columns (spec, search, reuse) are cleared.
   */
  async encodeColumn(column: string, kind: 'one-hot' | 'ordinal'): Promise<void> {
    const table = this.table;
    if (!table) return;
    this.job.error = null;
    try {
      const encoded = await this.spec.encodeColumn(table.tableId, column, kind);
      const before = new Set(table.columns.map((c) => c.name));
      const included = { ...this.included };
      delete included[column];
      for (const c of encoded.columns) if (!before.has(c.name) || c.name === column) included[c.name] = c.kind === 'numeric';
      this.table = encoded;
      this.included = included;
      this.result = null;
      this.search = null;
      this.resetReuse();
    } catch (e) {
      this.job.error = (e as Error).message;
    }
  }

  async reuse(): Promise<void> {
    const search = this.search;
    const method = this.chosen;
    if (!search || this.dataId === null || !method) return;
    this.outcome = null;
    this.savedNote = null;
    const selection = this.selection();
    this.outcome = await this.reuseJob.run(
      `Predicting with ${this.methodLabel(method).toLowerCase()}`,
      async () => (await this.readyReuse()).reuse({ ...selection, searchId: search.searchId, method }, this.reuseJob.onProgress),
      (id) => this.reuseWorker?.cancel(id),
    );
  }

  async evaluate(): Promise<void> {
    const search = this.search;
    if (!search || this.dataId === null) return;
    this.evaluation = null;
    const request = { ...this.selection(), searchId: search.searchId, labelled: this.labelled };
    this.evaluation = await this.reuseJob.run(
      'Comparing every method with training from scratch',
      async () => (await this.readyReuse()).evaluate(request, this.reuseJob.onProgress),
      (id) => this.reuseWorker?.cancel(id),
    );
  }

  cancelReuse(): void {
    this.reuseJob.cancel();
  }

  private baseName(): string {
    return (this.fileName ?? 'data').replace(/\.[^.]+$/, '');
  }

  async downloadPredictions(): Promise<void> {
    const outcome = this.outcome;
    if (!outcome || !this.reuseWorker) return;
    try {
      saveFile(await this.reuseWorker.predictionsCsv(outcome.resultId), 'text/csv', `${this.baseName()}.predictions.csv`);
    } catch (e) {
      this.reuseJob.error = (e as Error).message;
    }
  }

  async saveModel(): Promise<void> {
    const outcome = this.outcome;
    if (!outcome || !this.reuseWorker) return;
    try {
      const name = `${this.methodLabel(outcome.composite.method)} for ${this.fileName ?? 'data'}`;
      const bytes = await this.reuseWorker.saveComposite(outcome.resultId, name);
      const item: SavedComposite = { id: crypto.randomUUID(), name, method: outcome.composite.method, savedAt: nowIso(), bytes };
      const where = await storeComposite(item);
      this.savedNote = where === 'indexeddb' ? 'Saved in this browser.' : 'Browser storage is unavailable or full: kept for this session only — download it to keep it.';
      this.saved = await savedComposites();
    } catch (e) {
      this.reuseJob.error = (e as Error).message;
    }
  }

  async downloadModel(): Promise<void> {
    const outcome = this.outcome;
    if (!outcome || !this.reuseWorker) return;
    try {
      saveFile(await this.reuseWorker.saveComposite(outcome.resultId), 'application/zip', `${this.baseName()}.composite.zip`);
    } catch (e) {
      this.reuseJob.error = (e as Error).message;
    }
  }

  async refreshSaved(): Promise<void> {
    this.saved = await savedComposites();
  }

  async predictWith(item: SavedComposite): Promise<void> {
    if (this.dataId === null) return;
    this.outcome = null;
    const selection = this.selection();
    this.outcome = await this.reuseJob.run(
      `Predicting with the saved model “${item.name}”`,
      async () => {
        const client = await this.readyReuse();
        const { compositeId } = await client.openComposite(item.bytes.slice());
        return client.predictComposite(compositeId, selection, this.reuseJob.onProgress);
      },
      (id) => this.reuseWorker?.cancel(id),
    );
  }

  /** What a saved model is (its composite.json, read and checked by the reuse worker). */
  async inspectSaved(item: SavedComposite): Promise<CompositeSpec> {
    const client = await this.readyReuse();
    return (await client.openComposite(item.bytes.slice())).spec;
  }

  /**
   * The saved models page: predict a new file with a saved model, no search needed. The file
   * becomes the journey's table; the model's own features are read from it (a missing one is
   * named).
   */
  async predictFileWith(item: SavedComposite, file: File): Promise<void> {
    this.outcome = null;
    await this.loadFile(file);
    const table = this.table;
    if (!table) return;
    this.outcome = await this.reuseJob.run(
      `Predicting ${file.name} with the saved model “${item.name}”`,
      async () => {
        const client = await this.readyReuse();
        const { compositeId, spec, columns } = await client.openComposite(item.bytes.slice());
        // a model saved through a column mapping reads the columns of the file it was made with; one with the model's own names works too
        const has = (names: readonly string[]) => names.filter((f) => !table.columns.some((c) => c.name === f));
        const read = has(columns).length === 0 ? columns : spec.features;
        const missing = has(read);
        if (missing.length) {
          throw new Error(
            `${file.name} lacks ${missing.length === 1 ? 'a column' : 'columns'} the model takes: ${missing.join(', ')} (it has ${table.columns.map((c) => c.name).join(', ')}).`,
          );
        }
        return client.predictComposite(compositeId, { tableId: table.tableId, features: [...read], fillMissing: this.fillMissing }, this.reuseJob.onProgress);
      },
      (id) => this.reuseWorker?.cancel(id),
    );
  }

  async forget(item: SavedComposite): Promise<void> {
    await deleteComposite(item.id);
    this.saved = await savedComposites();
  }
}
