import { Module } from '@nestjs/common';

/**
 * The enrollment lifecycle: the rules (enrollment-lifecycle.ts) and the one statement that ends running
 * enrollments (enrollment-lifecycle.repository.ts), under every feature that enrolls, sends or ends. Nothing is
 * provided: the rules are values and the statement runs on the caller's connection or transaction, which is
 * what lets erase, unsubscribe, bounce, archive and conversion compose it into their own transactions.
 */
@Module({})
export class LifecycleModule {}
