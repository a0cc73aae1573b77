import { answer, connect, type GlobalOptions } from '../connection';
import { emit, table } from '../output';

const of = (used: number, limit: number | null) => (limit === null ? `${used}` : `${used}/${limit}`);

/** The pool's quota per project and model: the rolling window and the Pacific day against the limits. */
export async function quota(options: GlobalOptions): Promise<void> {
  const { api } = connect(options, 'admin');
  const { quota: rows } = await answer(api.GET('/admin/v1/quota'));
  emit(options.json, rows, () =>
    table(
      ['project', 'model', 'requests/min', 'tokens/min', 'requests today', 'blocked until'],
      rows.map((r) => [
        r.projectName,
        r.model,
        of(r.window.requests, r.limits.rpm),
        of(r.window.tokens, r.limits.tpm),
        of(r.today.requests, r.limits.rpd),
        r.blockedUntil ?? '',
      ]),
    ),
  );
}
