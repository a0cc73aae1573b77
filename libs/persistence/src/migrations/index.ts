import { Initial1795436515411 } from './1795436515411-initial';
import { KeyRotations1795447934835 } from './1795447934835-key-rotations';
import { FairDispatch1796355133294 } from './1796355133294-fair-dispatch';
import { DispatchLeases1796355735716 } from './1796355735716-dispatch-leases';
import { SpendLimits1796391552152 } from './1796391552152-spend-limits';
import { UsageAccounting1796400650668 } from './1796400650668-usage-accounting';
import { BatchLanes1796400677378 } from './1796400677378-batch-lanes';
import { ClientBudgets1796400678497 } from './1796400678497-client-budgets';
import { BatchModeBudget1796402564150 } from './1796402564150-batch-mode-budget';

// Listed explicitly (no globs), oldest first, so every entrypoint and test sees the same set.
export const MIGRATIONS = [
  Initial1795436515411,
  KeyRotations1795447934835,
  FairDispatch1796355133294,
  DispatchLeases1796355735716,
  SpendLimits1796391552152,
  UsageAccounting1796400650668,
  BatchLanes1796400677378,
  ClientBudgets1796400678497,
  BatchModeBudget1796402564150,
];
