export * from './budget-periods';
export * from './budget-spent';
export * from './client-budgets';
export * from './answer-cost';
