/** Time for the api to accept (store and enqueue) one NDJSON batch of `count` items. */
export async function runIngest(
  url: string,
  clientKey: string,
  model: string,
  count: number,
): Promise<{ items: number; seconds: number; bytes: number }> {
  const lines: string[] = [];
  for (let i = 0; i < count; i += 1) {
    lines.push(
      JSON.stringify({
        key: `ingest-${i}`,
        request: { contents: [{ role: 'user', parts: [{ text: `ingest item ${i}` }] }] },
      }),
    );
  }
  const body = lines.join('\n');
  const started = performance.now();
  const response = await fetch(`${url}/v1/batches?model=${model}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/x-ndjson' },
    body,
  });
  const seconds = (performance.now() - started) / 1000;
  if (response.status !== 202)
    throw new Error(`ingest answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  const batch = (await response.json()) as { id: string; counts: { total: number } };
  await fetch(`${url}/v1/batches/${batch.id}/cancel`, {
    method: 'POST',
    headers: { authorization: `Bearer ${clientKey}` },
  });
  return { items: batch.counts.total, seconds, bytes: body.length };
}
