/** The app's handle on the publish worker (comlink; buffers transferred). */
import * as Comlink from 'comlink';
import type { ModelShape, NamedFile, OutputKind, Problem, ProgressCallback, PublishResult, S3Target } from '../engine/index.js';
import { registerErrorTransfer } from '../../workers/errors.js';
import type { LabelSummary, PackRequest, PackResult, PublishWorkerApi } from '../../workers/publish.worker.js';
import type { LoadedData, LoadedImages, LoadedTexts } from '../../workers/tables.js';

registerErrorTransfer();

export class PublishClient {
  private readonly worker = new Worker(new URL('../../workers/publish.worker.ts', import.meta.url), { type: 'module', name: 'publish' });
  private readonly api = Comlink.wrap<PublishWorkerApi>(this.worker);

  validateSemantic(semantic: unknown): Promise<Problem[]> {
    return this.api.validateSemantic(semantic);
  }

  /** A CSV, TSV or Parquet file, or texts (JSON Lines, a zip of .txt files); the buffer is transferred: it is unusable by the caller afterwards. */
  loadData(bytes: ArrayBuffer, fileName: string): Promise<LoadedData> {
    return this.api.loadData(Comlink.transfer(bytes, [bytes]), fileName);
  }

  /** A folder of training texts or images, or several image files (the buffers transferred). */
  loadFolder(files: NamedFile[], folder: string): Promise<LoadedTexts | LoadedImages> {
    return this.api.loadFolder(
      Comlink.transfer(
        files,
        files.map((f) => f.bytes.buffer as ArrayBuffer),
      ),
      folder,
    );
  }

  textsOfColumn(tableId: number, column: string, labelColumn?: string): Promise<LoadedTexts> {
    return this.api.textsOfColumn(tableId, column, labelColumn);
  }

  /** The model's declared input and output; the bytes are copied (the page keeps the model for packing). */
  inspectModel(bytes: ArrayBuffer): Promise<ModelShape> {
    const copy = bytes.slice(0);
    return this.api.inspectModel(Comlink.transfer(copy, [copy]));
  }

  modelFit(shape: ModelShape, features: string[], output: { kind: OutputKind; classes: string[] | null; width?: number }): Promise<string[]> {
    return this.api.modelFit(shape, features, output);
  }

  labelSummary(tableId: number, column: string): Promise<LabelSummary> {
    return this.api.labelSummary(tableId, column);
  }

  pack(tableId: number, request: PackRequest, onProgress: ProgressCallback): Promise<PackResult> {
    return this.api.pack(tableId, Comlink.transfer(request, [request.model, ...(request.text ? [request.text.vocab] : [])]), Comlink.proxy(onProgress));
  }

  /** The bundle is copied (the page keeps its own copy for download). */
  publish(bundle: Uint8Array, target: S3Target): Promise<PublishResult> {
    return this.api.publish(bundle.slice().buffer, target);
  }

  dispose(): void {
    this.worker.terminate();
  }
}
