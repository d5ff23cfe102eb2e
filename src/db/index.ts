/**
 * The database layer, the bottom of the module graph (docs/architecture.md): what other modules may use of it. It
 * imports no module but paths.
 */
export { createDb, readerOf, isClosing, sharedAddressOf, isPostgres, isRetryable, isUniqueViolation, knexConfig, migrateLatest, refreshPlannerStatistics, type Db, type Executor, type Trx } from './connection';
export { pendingCommitHook, withCommitHook, type CommitHook } from './commit-hook';
export { BatchUnfit, GroupCommit, QueueClosed, SharedSlots, groupCommitLoad, type GroupCommitOptions, type GroupCommitStats, type Outcome } from './group-commit';
export { GENESIS_HASH, canonicalJson, chainHash, chainHashOfJson, inChainOrder, lastHash, linkChain, lockChain } from './hash-chain';
export { batchedReads, type BatchedReadOptions } from './batched-reads';
export { concurrently } from './concurrently';
export { insertRows, jsonRows } from './insert-rows';
export { updateRows } from './update-rows';
export { writeTransaction } from './retry';
export { VersionCounter, VersionedCache, versionCounter, withVersionScope } from './versioned-cache';
export { executorFor, inUnitOfWork, withUnitOfWork } from './unit-of-work';
