// The Files API's storage: finished files per project, and resumable uploads in progress (in memory).
import { createHash } from 'node:crypto';
import { resourceId } from '../batch/batch-jobs';

export interface StoredFile {
  /** Without the `files/` prefix. */
  id: string;
  projectId: string;
  displayName?: string;
  mimeType: string;
  bytes: Buffer;
  createdAt: number;
  /** UPLOADED by a client, or GENERATED (a batch job's results). */
  source: 'UPLOADED' | 'GENERATED';
}

export interface PendingUpload {
  projectId: string;
  id: string;
  displayName?: string;
  mimeType: string;
  declaredBytes: number;
  chunks: Buffer[];
  received: number;
}

/** Google keeps uploaded files 48 hours. */
export const FILE_LIFETIME_MS = 48 * 3600 * 1000;

export class FileStore {
  private readonly files = new Map<string, StoredFile>();
  private readonly uploads = new Map<string, PendingUpload>();

  startUpload(upload: Omit<PendingUpload, 'chunks' | 'received' | 'id'> & { id?: string }): string {
    const uploadId = resourceId(40);
    this.uploads.set(uploadId, { ...upload, id: upload.id ?? resourceId(12), chunks: [], received: 0 });
    return uploadId;
  }

  upload(uploadId: string): PendingUpload | undefined {
    return this.uploads.get(uploadId);
  }

  /** Ends an upload: its bytes become a file. */
  finishUpload(uploadId: string, now: number): StoredFile | undefined {
    const upload = this.uploads.get(uploadId);
    if (!upload) return undefined;
    this.uploads.delete(uploadId);
    return this.put({
      id: upload.id,
      projectId: upload.projectId,
      displayName: upload.displayName,
      mimeType: upload.mimeType,
      bytes: Buffer.concat(upload.chunks),
      createdAt: now,
      source: 'UPLOADED',
    });
  }

  put(file: StoredFile): StoredFile {
    this.files.set(file.id, file);
    return file;
  }

  exists(id: string): boolean {
    return this.files.has(id) || [...this.uploads.values()].some((upload) => upload.id === id);
  }

  /** A project's file; another project's is not found. */
  find(projectId: string, id: string): StoredFile | undefined {
    const file = this.files.get(id);
    return file?.projectId === projectId ? file : undefined;
  }

  delete(id: string): void {
    this.files.delete(id);
  }

  listFor(projectId: string): StoredFile[] {
    return [...this.files.values()]
      .filter((file) => file.projectId === projectId)
      .sort((a, b) => b.createdAt - a.createdAt);
  }
}

/** The File resource as Google returns it; `origin` is where the client reached the simulator. */
export function fileResource(file: StoredFile, origin: string): Record<string, unknown> {
  const created = new Date(file.createdAt).toISOString();
  const resource: Record<string, unknown> = { name: `files/${file.id}` };
  if (file.displayName) resource.displayName = file.displayName;
  return {
    ...resource,
    mimeType: file.mimeType,
    sizeBytes: String(file.bytes.length),
    createTime: created,
    updateTime: created,
    expirationTime: new Date(file.createdAt + FILE_LIFETIME_MS).toISOString(),
    // Google's sha256Hash is the base64 of the hex digest.
    sha256Hash: Buffer.from(createHash('sha256').update(file.bytes).digest('hex')).toString('base64'),
    uri: `${origin}/v1beta/files/${file.id}`,
    downloadUri: `${origin}/download/v1beta/files/${file.id}:download?alt=media`,
    state: 'ACTIVE',
    source: file.source,
  };
}
