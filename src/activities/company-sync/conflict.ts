import { ApplicationFailure } from '@temporalio/common';
import { applyDecision } from '../../db/company-sync/resolutions';
import { RelayError } from '../../errors';
import type { ConflictOutcome, ResolveConflictRequest } from '../../workflows/company-sync/definitions';
import type { AlertRaiser } from './alerts';
import type { CompanySyncDeps } from './deps';

export interface LoadedConflict {
  kind: string;
  status: 'open' | 'resolved';
  escalated: boolean;
  candidateCompanyIds: string[];
  candidateExactGuids: string[];
}

/** The conflict workflow's activities: what it may offer, applying a decision, reminding. */
export function createConflictActivities(deps: CompanySyncDeps, alerts: AlertRaiser) {
  const { prisma } = deps;
  return {
    async loadConflict(input: { conflictId: string }): Promise<LoadedConflict> {
      const row = await prisma.syncConflict.findUnique({ where: { id: input.conflictId } });
      if (!row) throw ApplicationFailure.nonRetryable(`No conflict ${input.conflictId}`, 'ConflictNotFound');
      const candidates = ((row.details as { candidates?: Array<{ companyId?: string; exactGuid?: string; guid?: string }> } | null)?.candidates ?? []);
      return {
        kind: row.kind,
        status: row.status === 'resolved' ? 'resolved' : 'open',
        escalated: row.escalatedAt !== null,
        candidateCompanyIds: [...new Set([row.companyId, ...candidates.map((c) => c.companyId)].filter((id): id is string => Boolean(id)))],
        candidateExactGuids: [...new Set(candidates.map((c) => c.exactGuid ?? c.guid).filter((g): g is string => Boolean(g)))],
      };
    },

    async applyConflictDecision(input: { conflictId: string } & ResolveConflictRequest): Promise<ConflictOutcome> {
      try {
        const applied = await applyDecision(prisma, input.conflictId, input.decision, input.operator, input.note);
        if (applied.pushCompanyId) await deps.requestOutbound(applied.pushCompanyId, `operator:${input.operator}`);
        return applied.outcome;
      } catch (err) {
        // A refused decision goes back to the operator as the update's failure, with the reason.
        if (err instanceof RelayError) throw ApplicationFailure.nonRetryable(err.message, 'ConflictDecisionRefused', { code: err.code, ...err.details });
        throw err;
      }
    },

    async alertConflict(input: { conflictId: string; level: 'reminder' | 'escalation'; waitingMs: number }): Promise<void> {
      if (input.level === 'escalation') await prisma.syncConflict.update({ where: { id: input.conflictId }, data: { escalatedAt: new Date() } });
      const row = await prisma.syncConflict.findUnique({ where: { id: input.conflictId }, select: { kind: true, division: true } });
      await alerts.raise({
        kind: input.level === 'escalation' ? 'conflict_escalated' : 'conflict_waiting',
        key: `${input.conflictId}:${input.level}`,
        subject: { conflictId: input.conflictId, conflictKind: row?.kind, division: row?.division, waitingHours: Math.round(input.waitingMs / 3_600_000) },
      });
    },
  };
}

export type ConflictActivities = ReturnType<typeof createConflictActivities>;
