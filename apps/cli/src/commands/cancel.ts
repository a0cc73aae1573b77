import { answer, connect, type GlobalOptions } from '../connection';
import { emit } from '../output';

/** Cancels the batch's pending items (running ones finish). */
export async function cancel(batchId: string, options: GlobalOptions): Promise<void> {
  const { api } = connect(options, 'client');
  const batch = await answer(api.POST('/v1/batches/{id}/cancel', { params: { path: { id: batchId } } }));
  const c = batch.counts;
  emit(
    options.json,
    batch,
    () => `batch ${batch.id} ${batch.status}: ${c.cancelled} cancelled, ${c.running} still running`,
  );
}
