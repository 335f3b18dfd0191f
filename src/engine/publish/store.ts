/**
 * A small object-store interface and its S3 implementation (SigV4 signing by aws4fetch, path-style
 * URLs, any S3-compatible server). The fetch function is passed in: the engine never reaches the
 * network by itself, and the browser's fetch or Node's can be used alike.
 */
import { AwsClient } from 'aws4fetch';
import { NetworkError } from '../core/errors.js';

export interface StoredObject {
  bytes: Uint8Array;
  etag: string | null;
}

export interface PutOptions {
  contentType: string;
  /** only write if the current ETag is this (optimistic concurrency; some servers ignore it) */
  ifMatch?: string;
  /** '*': only write if the key does not exist yet */
  ifNoneMatch?: '*';
}

export interface ObjectStore {
  get(key: string): Promise<StoredObject | null>;
  /** false when a precondition failed (HTTP 412); throws on other errors */
  put(key: string, bytes: Uint8Array, options: PutOptions): Promise<boolean>;
  /** every key under a prefix, in lexical order */
  list(prefix: string): Promise<string[]>;
}

export interface S3Target {
  /** e.g. https://s3.eu-central-1.amazonaws.com or http://127.0.0.1:4568 */
  endpoint: string;
  bucket: string;
  region?: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** key prefix inside the bucket, e.g. 'catalog/' */
  prefix?: string;
}

const RETRIED_STATUS = new Set([500, 502, 503, 504]);
const RETRIES = 5;

export type RequestFetch = (request: Request) => Promise<Response>;

export function s3Store(target: S3Target, fetchFn: RequestFetch): ObjectStore {
  const client = new AwsClient({ accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey, service: 's3', region: target.region ?? 'us-east-1' });
  const base = `${target.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(target.bucket)}`;
  const prefix = target.prefix ?? '';
  const url = (key: string) => `${base}/${(prefix + key).split('/').map(encodeURIComponent).join('/')}`;
  const send = async (input: string, init: RequestInit): Promise<Response> => {
    let response: Response;
    // S3 answers 500/503 (InternalError, SlowDown) under load and expects clients to retry;
    // s3rver does too when a GET meets a PUT of the same key. Every request here is idempotent.
    for (let attempt = 0; ; attempt++) {
      try {
        response = await fetchFn(await client.sign(input, init));
      } catch (error) {
        throw new NetworkError('UNREACHABLE', `cannot reach the object store at ${target.endpoint}: ${(error as Error).message}`, { url: input });
      }
      if (!RETRIED_STATUS.has(response.status) || attempt === RETRIES) break;
      await response.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt * (0.5 + Math.random())));
    }
    if (response.status === 403 || response.status === 401) {
      throw new NetworkError('ACCESS_DENIED', `the object store refused the request (HTTP ${response.status}): check the bucket, keys and CORS settings`, {
        url: input,
        status: response.status,
      });
    }
    return response;
  };
  return {
    async get(key) {
      const response = await send(url(key), { method: 'GET' });
      if (response.status === 404) return null;
      if (response.status !== 200) throw new NetworkError('HTTP_STATUS', `GET ${key} answered HTTP ${response.status}`, { status: response.status });
      return { bytes: new Uint8Array(await response.arrayBuffer()), etag: response.headers.get('etag') };
    },
    async put(key, bytes, options) {
      const headers: Record<string, string> = { 'content-type': options.contentType };
      if (options.ifMatch) headers['if-match'] = options.ifMatch;
      if (options.ifNoneMatch) headers['if-none-match'] = options.ifNoneMatch;
      const response = await send(url(key), { method: 'PUT', body: bytes as Uint8Array<ArrayBuffer>, headers });
      if (response.status === 412) return false;
      if (response.status !== 200) throw new NetworkError('HTTP_STATUS', `PUT ${key} answered HTTP ${response.status}`, { status: response.status });
      return true;
    },
    async list(listPrefix) {
      const keys: string[] = [];
      let token: string | null = null;
      do {
        const query = new URLSearchParams({ 'list-type': '2', prefix: prefix + listPrefix });
        if (token) query.set('continuation-token', token);
        const response = await send(`${base}?${query}`, { method: 'GET' });
        if (response.status !== 200) throw new NetworkError('HTTP_STATUS', `listing ${listPrefix} answered HTTP ${response.status}`, { status: response.status });
        const xml = await response.text();
        for (const m of xml.matchAll(/<Key>([^<]*)<\/Key>/g)) keys.push(decodeXml(m[1]).slice(prefix.length));
        token = /<IsTruncated>true<\/IsTruncated>/.test(xml) ? (/<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(xml)?.[1] ?? null) : null;
      } while (token);
      return keys.sort();
    },
  };
}

function decodeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
