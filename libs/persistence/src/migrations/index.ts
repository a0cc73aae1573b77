import { Initial1795436515411 } from './1795436515411-initial';

// Listed explicitly (no globs), oldest first, so every entrypoint and test sees the same set.
export const MIGRATIONS = [Initial1795436515411];
