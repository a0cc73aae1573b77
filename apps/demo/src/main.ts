// `npm run demo`: the whole stack against the Gemini simulator — a pool registered, a batch submitted,
// live progress, then the results and what each project's quota was used for.
import { randomBytes } from 'node:crypto';
import {
  dropDatabaseAt,
  spawnSimulator,
  startApp,
  stopApp,
  waitReady,
  type RunningProcess,
  type SpawnedSimulator,
} from '@keyfleet/testing';
import { checkServices } from './check-services';
import { DEMO_MODEL, DEMO_PROJECTS, DEMO_RPD, DEMO_TPM, demoRequests, demoSimConfig } from './demo-pool';
import { KeyfleetHttp } from './keyfleet-client';
import { progressLine, quotaTable, type BatchStatus } from './report';

const BATCH_SIZE = Number(process.env['DEMO_BATCH_SIZE'] ?? 75);
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env['DEMO_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/keyfleet_demo';
const PORT = process.env['DEMO_PORT'] ?? '18080';

async function main(): Promise<void> {
  console.log('keyfleet demo\n');
  await checkServices(DATABASE_URL, REDIS_URL);
  await dropDatabaseAt(DATABASE_URL);

  const sim = await spawnSimulator(demoSimConfig());
  console.log(
    `1. Gemini simulator up at ${sim.url}: ${DEMO_PROJECTS.length} projects, RPM ${DEMO_PROJECTS.map((p) => p.rpm).join('/')}`,
  );

  const env = {
    DATABASE_URL,
    REDIS_URL,
    GEMINI_BASE_URL: sim.url,
    KF_ADMIN_TOKEN: `demo-${randomBytes(12).toString('hex')}`,
    KF_MASTER_KEY: randomBytes(32).toString('base64'),
    KF_QUEUE_PREFIX: `kf-demo-${Date.now()}`,
    KF_LOG_LEVEL: 'warn',
    PORT,
    KF_HEALTH_PORT: '0',
  };
  const apps: RunningProcess[] = [];
  try {
    apps.push(startApp('api', env));
    await waitReady(`http://127.0.0.1:${PORT}/readyz`, apps[0]);
    apps.push(
      startApp('worker', { ...env, KF_RUN_MIGRATIONS: 'false' }),
      startApp('rotator', { ...env, KF_RUN_MIGRATIONS: 'false' }),
    );
    console.log(`2. keyfleet api, worker and rotator up (api http://127.0.0.1:${PORT}, migrations applied)`);
    await runScenario(new KeyfleetHttp(`http://127.0.0.1:${PORT}`, env.KF_ADMIN_TOKEN), sim);
  } finally {
    await Promise.all(apps.map(stopApp));
    await sim.stop();
  }
}

async function runScenario(kf: KeyfleetHttp, sim: SpawnedSimulator): Promise<void> {
  for (const project of DEMO_PROJECTS) {
    const created = await kf.admin<{ id: string }>('POST', '/projects', {
      name: project.name,
      tier: 'free',
      limits: { [DEMO_MODEL]: { rpm: project.rpm, tpm: DEMO_TPM, rpd: DEMO_RPD } },
    });
    for (const secret of project.keys) await kf.admin('POST', `/projects/${created.id}/keys`, { secret });
  }
  const { key: clientKey } = await kf.admin<{ key: string }>('POST', '/clients', {
    name: 'demo-team',
    allowedIps: ['127.0.0.0/8', '::1/128'],
  });
  console.log(`3. Registered the pool through the admin API and a client (key …${clientKey.slice(-4)})`);

  const totalRpm = DEMO_PROJECTS.reduce((sum, p) => sum + p.rpm, 0);
  const batch = await kf.client<BatchStatus>(clientKey, 'POST', '/v1/batches', {
    model: DEMO_MODEL,
    displayName: 'demo batch',
    requests: demoRequests(BATCH_SIZE),
  });
  console.log(
    `4. Submitted batch ${batch.id}: ${BATCH_SIZE} requests against ${totalRpm} RPM in all — ` +
      `the pool allows ${totalRpm} in any 60 s, so the rest waits for the window to roll:\n`,
  );

  const started = Date.now();
  let status = batch;
  while (status.status !== 'completed' && status.status !== 'cancelled') {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    status = await kf.client<BatchStatus>(clientKey, 'GET', `/v1/batches/${batch.id}`);
    console.log(progressLine(status, Date.now() - started, await sim.stats()));
  }

  const lines = (await kf.text(clientKey, `/v1/batches/${batch.id}/results`)).trim().split('\n');
  const results = lines.map(
    (line) =>
      JSON.parse(line) as {
        key: string;
        response?: { candidates?: Array<{ content?: { parts?: Array<{ text?: string }> } }> };
        error?: { message: string };
      },
  );
  const ok = results.filter((r) => r.response).length;
  console.log(
    `\n5. Batch ${status.status} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${ok} succeeded, ${results.length - ok} failed. First results:`,
  );
  for (const r of results.slice(0, 3)) {
    console.log(`   ${r.key}: ${r.response?.candidates?.[0]?.content?.parts?.[0]?.text ?? r.error?.message}`);
  }
  const stats = await sim.stats();
  console.log(
    `\n6. Quota use per project (as the upstream saw it; ${stats.totals.refused429} upstream 429s):\n`,
  );
  console.log(quotaTable(stats));
  await printUsage(kf);
}

async function printUsage(kf: KeyfleetHttp): Promise<void> {
  try {
    const { quota } = await kf.admin<{
      quota: Array<{
        projectName?: string;
        projectId: string;
        model: string;
        window: { requests: number };
        today: { requests: number };
      }>;
    }>('GET', '/quota');
    console.log(
      `\n   keyfleet GET /admin/v1/quota for ${DEMO_MODEL} (its own ledger, current 60 s window and Pacific day):`,
    );
    // The projects' tier presets serve other models too; the demo only used one.
    for (const u of quota.filter((row) => row.model === DEMO_MODEL))
      console.log(
        `   ${(u.projectName ?? u.projectId).padEnd(14)} window ${u.window.requests} req, today ${u.today.requests} req`,
      );
    await printAccounting(kf);
  } catch (error) {
    console.log(`   (keyfleet's usage could not be read: ${String(error)})`);
  }
}

/** What each client spent this month, per model (GET /admin/v1/usage). */
async function printAccounting(kf: KeyfleetHttp): Promise<void> {
  const report = await kf.admin<{
    rows: Array<{ clientName: string | null; model: string; requests: number; costMicroUsd: number }>;
    totals: { requests: number; costMicroUsd: number };
  }>('GET', '/usage?groupBy=client,model');
  console.log('\n   keyfleet GET /admin/v1/usage?groupBy=client,model (this month, at list prices):');
  for (const row of report.rows)
    console.log(
      `   ${(row.clientName ?? '?').padEnd(14)} ${row.model.padEnd(22)} ${row.requests} req  $${(row.costMicroUsd / 1e6).toFixed(4)}`,
    );
  console.log(`   total: ${report.totals.requests} req  $${(report.totals.costMicroUsd / 1e6).toFixed(4)}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
