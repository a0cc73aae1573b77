/** Who admin API changes are audited as (one shared admin token, so one actor). */
export const ADMIN_ACTOR = 'admin';
