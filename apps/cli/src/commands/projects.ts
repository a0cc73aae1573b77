import { answer, connect, type GlobalOptions } from '../connection';
import { CliError, ExitCode } from '../exit-codes';
import type { paths } from '../generated/keyfleet-api';
import { emit, table } from '../output';

type CreateProject = paths['/admin/v1/projects']['post']['requestBody']['content']['application/json'];

export interface AddProjectOptions extends GlobalOptions {
  tier?: 'free' | 'tier1' | 'tier2' | 'tier3';
  issuer?: 'manual' | 'google-api-keys';
  gcpProject?: string;
  serviceAccount?: string;
  limit: string[];
  egressIp: string[];
}

/** `--limit gemini-2.5-flash=rpm:tpm[:rpd]` → the model's limits. */
export function parseLimit(spec: string): [string, { rpm: number; tpm: number; rpd?: number }] {
  const match = /^([a-z0-9][a-z0-9.-]*)=(\d+):(\d+)(?::(\d+))?$/.exec(spec);
  if (!match) throw new CliError(ExitCode.Usage, `--limit "${spec}": expected MODEL=RPM:TPM[:RPD]`);
  const [, model, rpm, tpm, rpd] = match;
  return [model, { rpm: Number(rpm), tpm: Number(tpm), ...(rpd ? { rpd: Number(rpd) } : {}) }];
}

export async function addProject(name: string, options: AddProjectOptions): Promise<void> {
  const { api } = connect(options, 'admin');
  const body: CreateProject = { name };
  if (options.tier) body.tier = options.tier;
  if (options.issuer) body.issuer = options.issuer;
  if (options.gcpProject) body.gcpProjectId = options.gcpProject;
  if (options.serviceAccount) body.serviceAccountEmail = options.serviceAccount;
  if (options.limit.length > 0) body.limits = Object.fromEntries(options.limit.map(parseLimit));
  if (options.egressIp.length > 0) body.egressIps = options.egressIp;
  const project = await answer(api.POST('/admin/v1/projects', { body }));
  emit(options.json, project, () => `project ${project.name} added: ${project.id}`);
}

export async function listProjects(options: GlobalOptions): Promise<void> {
  const { api } = connect(options, 'admin');
  const { projects } = await answer(api.GET('/admin/v1/projects'));
  emit(options.json, projects, () =>
    table(
      ['id', 'name', 'tier', 'issuer', 'models', 'active keys'],
      projects.map((p) => [
        p.id,
        p.name,
        p.tier ?? '—',
        p.issuer,
        Object.keys(p.limits).join(' '),
        p.keyCounts.active,
      ]),
    ),
  );
}
