/** Moved to src/runtime/history.ts (one file per runtime verb); kept for existing imports. */
export * from '../runtime/history';
