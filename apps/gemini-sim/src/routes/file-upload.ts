// POST /upload/{v}/files: Google's resumable upload, as @google/genai's files.upload speaks it. `start`
// (key, JSON `{file}`, X-Goog-Upload-Header-Content-Length/-Type) answers an X-Goog-Upload-URL; then
// `upload` / `upload, finalize` chunks at X-Goog-Upload-Offset; finalize answers `{file}` with status final.
import { entityNotFoundBody, invalidArgumentBody, type GoogleErrorBody } from '../errors/google-error-bodies';
import { fileResource } from '../files/file-store';
import { headerOf, originOf, parseJsonObject } from '../http/request-io';
import { checkKey } from '../key-auth';
import type { SimContext } from '../sim-context';
import type { ApiCall } from './api-call';

const CHUNK_GRANULARITY = String(8 * 1024 * 1024);
const FILE_ID = /^[a-z0-9-]{1,40}$/;

export function handleFileUpload(ctx: SimContext, call: ApiCall, bytes: Buffer): void {
  const uploadId = call.url.searchParams.get('upload_id');
  const commands = (headerOf(call.req, 'x-goog-upload-command') ?? '').split(',').map((c) => c.trim());
  if (!uploadId) return startUpload(ctx, call, commands, bytes);
  const failure = continueUpload(ctx, call, uploadId, commands, bytes);
  if (failure) call.reply.json(failure.error.code, failure);
}

function startUpload(ctx: SimContext, call: ApiCall, commands: string[], bytes: Buffer): void {
  const auth = checkKey(ctx.state, call.key, call.peerIp, 'FileService.CreateFile');
  if (!auth.ok) return call.reply.json(auth.body.error.code, auth.body);
  const protocol = headerOf(call.req, 'x-goog-upload-protocol');
  if (protocol !== 'resumable' || !commands.includes('start'))
    return call.reply.json(
      400,
      invalidArgumentBody('Only resumable uploads (X-Goog-Upload-Command: start).'),
    );
  const file = parseJsonObject(bytes.toString('utf8') || '{}')?.file as Record<string, unknown> | undefined;
  const size = Number(headerOf(call.req, 'x-goog-upload-header-content-length') ?? file?.sizeBytes);
  const max = ctx.state.config.batchMode.maxFileBytes;
  if (!Number.isInteger(size) || size < 0)
    return call.reply.json(400, invalidArgumentBody('X-Goog-Upload-Header-Content-Length is required.'));
  if (size > max)
    return call.reply.json(400, invalidArgumentBody(`File size exceeds the limit of ${max} bytes.`));
  const id = typeof file?.name === 'string' ? file.name.replace(/^files\//, '') : undefined;
  if (id !== undefined && (!FILE_ID.test(id) || ctx.state.files.exists(id)))
    return call.reply.json(400, invalidArgumentBody(`file.name: files/${id} is invalid or already exists.`));
  const mimeType =
    headerOf(call.req, 'x-goog-upload-header-content-type') ??
    (typeof file?.mimeType === 'string' ? file.mimeType : 'application/octet-stream');
  const uploadId = ctx.state.files.startUpload({
    projectId: auth.entry.project.id,
    ...(id ? { id } : {}),
    ...(typeof file?.displayName === 'string' ? { displayName: file.displayName } : {}),
    mimeType,
    declaredBytes: size,
  });
  const res = call.reply.res;
  const url = `${originOf(call.req)}/upload/${call.apiVersion}/files?upload_id=${uploadId}&upload_protocol=resumable`;
  res.setHeader('x-goog-upload-url', url);
  res.setHeader('x-goog-upload-status', 'active');
  res.setHeader('x-goog-upload-chunk-granularity', CHUNK_GRANULARITY);
  call.reply.bytes(200, 'text/plain; charset=utf-8', Buffer.alloc(0));
}

/** One chunk (and maybe the end); the upload id is the credential, as at Google. */
function continueUpload(
  ctx: SimContext,
  call: ApiCall,
  uploadId: string,
  commands: string[],
  bytes: Buffer,
): GoogleErrorBody | undefined {
  const upload = ctx.state.files.upload(uploadId);
  if (!upload) return entityNotFoundBody();
  const res = call.reply.res;
  if (commands.includes('upload')) {
    const offset = Number(headerOf(call.req, 'x-goog-upload-offset') ?? upload.received);
    if (offset !== upload.received)
      return invalidArgumentBody(
        `X-Goog-Upload-Offset ${offset} does not match the ${upload.received} bytes received.`,
      );
    if (upload.received + bytes.length > upload.declaredBytes)
      return invalidArgumentBody(`The upload exceeds its declared ${upload.declaredBytes} bytes.`);
    upload.chunks.push(bytes);
    upload.received += bytes.length;
  }
  if (!commands.includes('finalize')) {
    res.setHeader('x-goog-upload-status', 'active');
    res.setHeader('x-goog-upload-size-received', String(upload.received));
    call.reply.bytes(200, 'text/plain; charset=utf-8', Buffer.alloc(0));
    return undefined;
  }
  if (upload.received !== upload.declaredBytes)
    return invalidArgumentBody(`Received ${upload.received} of the declared ${upload.declaredBytes} bytes.`);
  const file = ctx.state.files.finishUpload(uploadId, ctx.now());
  if (!file) return entityNotFoundBody();
  res.setHeader('x-goog-upload-status', 'final');
  call.reply.json(200, { file: fileResource(file, originOf(call.req)) });
  return undefined;
}
