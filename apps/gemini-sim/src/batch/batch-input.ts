// Reading a batchGenerateContent body: inline `{request, metadata}` entries or a JSONL file of `{key, request}`.
import { invalidArgumentBody, type GoogleErrorBody } from '../errors/google-error-bodies';
import type { FileStore } from '../files/file-store';
import { parseJsonObject } from '../http/request-io';
import { invalidJsonBody, isErrorBody, validateGenerateRequest } from '../routes/api-call';
import { embedRequestOf } from '../routes/embed-content';
import { countPromptTokens, countTextTokens } from '../tokens';
import type { BatchItem, BatchKind } from './batch-jobs';

export interface BatchInput {
  displayName?: string;
  inputFile?: string;
  items: BatchItem[];
}

type Json = Record<string, unknown>;

const LABEL = 'BatchGenerateContentRequest.batch';

/** A field under its camelCase or snake_case name (proto JSON accepts both). */
function field(object: Json, camel: string): unknown {
  const snake = camel.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
  return object[camel] ?? object[snake];
}

const asObject = (value: unknown): Json | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;

const missing = (path: string): GoogleErrorBody =>
  invalidArgumentBody(`* ${LABEL}.${path}: ${path.split('.').pop()} is not specified\n`);

type Extra = Pick<BatchItem, 'metadata' | 'key'>;

/** One request: invalid ones are kept and answered with an error line, as Google fails them one by one. */
function itemOf(kind: BatchKind, request: unknown, extra: Extra): BatchItem {
  const object = asObject(request);
  if (!object) return { ...extra, invalid: missing('request'), tokens: 0 };
  if (kind === 'embed') {
    const embed = embedRequestOf(object, 'EmbedContentRequest');
    if (isErrorBody(embed)) return { ...extra, invalid: embed, tokens: 0 };
    return { ...extra, embed, tokens: countTextTokens(embed.texts) };
  }
  const checked = validateGenerateRequest(object, 'GenerateContentRequest');
  if (isErrorBody(checked)) return { ...extra, invalid: checked, tokens: 0 };
  return { ...extra, request: checked, tokens: countPromptTokens(checked) };
}

function inlineItems(kind: BatchKind, requests: unknown): BatchItem[] | GoogleErrorBody {
  const list = field(asObject(requests) ?? {}, 'requests');
  if (!Array.isArray(list) || list.length === 0) return missing('input_config.requests.requests');
  return list.map((entry) => {
    const object = asObject(entry) ?? {};
    const metadata = field(object, 'metadata');
    return itemOf(kind, field(object, 'request'), metadata === undefined ? {} : { metadata });
  });
}

function fileItems(
  kind: BatchKind,
  files: FileStore,
  projectId: string,
  fileName: string,
): BatchItem[] | GoogleErrorBody {
  const file = files.find(projectId, fileName.replace(/^files\//, ''));
  if (!file) return invalidArgumentBody(`* ${LABEL}.input_config.file_name: ${fileName} was not found\n`);
  const lines = file.bytes.toString('utf8').split('\n');
  const items: BatchItem[] = [];
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const object = parseJsonObject(line);
    if (!object) return invalidArgumentBody(`Invalid JSON in ${fileName} at line ${index + 1}.`);
    items.push(itemOf(kind, field(object, 'request'), object.key === undefined ? {} : { key: object.key }));
  }
  if (items.length === 0) return invalidArgumentBody(`${fileName} holds no requests.`);
  return items;
}

export function parseBatchInput(
  kind: BatchKind,
  body: string,
  files: FileStore,
  projectId: string,
): BatchInput | GoogleErrorBody {
  const parsed = parseJsonObject(body);
  if (!parsed) return invalidJsonBody();
  const batch = asObject(parsed.batch);
  if (!batch) return invalidArgumentBody(`* BatchGenerateContentRequest.batch: batch is not specified\n`);
  const name = field(batch, 'displayName');
  const displayName = typeof name === 'string' ? { displayName: name } : {};
  const config = asObject(field(batch, 'inputConfig'));
  if (!config) return missing('input_config');
  const fileName = field(config, 'fileName');
  const requests = field(config, 'requests');
  if (typeof fileName === 'string' && requests === undefined) {
    const items = fileItems(kind, files, projectId, fileName);
    if (isErrorBody(items)) return items;
    return { ...displayName, inputFile: fileName, items };
  }
  if (fileName !== undefined)
    return invalidArgumentBody(`* ${LABEL}.input_config: give requests or file_name\n`);
  const items = inlineItems(kind, requests);
  if (isErrorBody(items)) return items;
  return { ...displayName, items };
}
