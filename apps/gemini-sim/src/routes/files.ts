// The Files API: GET /files, GET /files/{id}, DELETE /files/{id}, GET /files/{id}:download?alt=media
// (also under /download/{v}/…, Google's download host path). Files belong to the project of the key.
import { entityNotFoundBody } from '../errors/google-error-bodies';
import { fileResource, type StoredFile } from '../files/file-store';
import { originOf } from '../http/request-io';
import { checkKey } from '../key-auth';
import type { SimContext } from '../sim-context';
import type { ApiCall } from './api-call';
import { settleDueJobs } from '../batch/batch-settle';

const FILE_PATH = /^files(?:\/([^/:]+)(?::(download))?)?$/;

/** False if the path is not a Files API path. */
export function routeFiles(ctx: SimContext, call: ApiCall, method: string, rest: string): boolean {
  const match = FILE_PATH.exec(rest);
  if (!match) return false;
  const [, id, download] = match;
  if (!id && method === 'GET')
    withProject(ctx, call, 'ListFiles', (projectId) => listFiles(ctx, call, projectId));
  else if (id && download && method === 'GET')
    onFile(ctx, call, 'DownloadFile', id, (file) => sendBytes(call, file));
  else if (id && !download && method === 'GET')
    onFile(ctx, call, 'GetFile', id, (file) => call.reply.json(200, fileResource(file, originOf(call.req))));
  else if (id && !download && method === 'DELETE')
    onFile(ctx, call, 'DeleteFile', id, (file) => {
      ctx.state.files.delete(file.id);
      call.reply.json(200, {});
    });
  else return false;
  return true;
}

function withProject(ctx: SimContext, call: ApiCall, rpc: string, then: (projectId: string) => void): void {
  const auth = checkKey(ctx.state, call.key, call.peerIp, `FileService.${rpc}`);
  if (!auth.ok) return call.reply.json(auth.body.error.code, auth.body);
  // A batch's result file appears when the job is seen to end.
  settleDueJobs(ctx);
  then(auth.entry.project.id);
}

function onFile(
  ctx: SimContext,
  call: ApiCall,
  rpc: string,
  id: string,
  then: (file: StoredFile) => void,
): void {
  withProject(ctx, call, rpc, (projectId) => {
    const file = ctx.state.files.find(projectId, decodeURIComponent(id));
    if (!file) return call.reply.json(404, entityNotFoundBody());
    then(file);
  });
}

function listFiles(ctx: SimContext, call: ApiCall, projectId: string): void {
  const origin = originOf(call.req);
  const files = ctx.state.files.listFor(projectId).map((file) => fileResource(file, origin));
  call.reply.json(200, files.length > 0 ? { files } : {});
}

function sendBytes(call: ApiCall, file: StoredFile): void {
  call.reply.bytes(200, file.mimeType, file.bytes);
}
