export * from './budget-periods';
export * from './client-budgets';
