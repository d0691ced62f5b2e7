import { z } from '../../../openapi';
import { Cursor, Limit, Uuid, listOf } from '../common';

export const ConnectQuery = z.object({
  connectionId: Uuid.optional().openapi({ description: 'Re-authorise this connection (e.g. after needs_reauth) instead of adding one' }),
});

/** Exact's redirect: `code` and `state`, or `error` when the user declined. */
export const CallbackQuery = z.object({
  code: z.string().min(1).max(2_000).optional(),
  state: z.string().min(1).max(200).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1_000).optional(),
});

export const ConnectionParams = z.object({ id: Uuid });
export const DivisionParams = z.object({ division: z.coerce.number().int().min(1).max(2_147_483_647).openapi({ type: 'integer', description: "Exact's division number" }) });

export const ListQuery = z.object({ limit: Limit, cursor: Cursor });

export const ConnectionView = z
  .object({
    id: z.string(),
    baseUrl: z.string(),
    status: z.enum(['active', 'needs_reauth']),
    reason: z.string().nullable().openapi({ description: 'Why it needs re-authorising' }),
    exactUserId: z.string().nullable(),
    accessExpiresAt: z.string().nullable(),
    divisions: z.array(z.number().int()).openapi({ description: 'Divisions selected for sync through this connection' }),
    reauthorizeUrl: z.string().openapi({ description: 'Where an operator re-authorises it' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('ExactConnection');
export const ConnectionList = listOf(ConnectionView, 'ExactConnectionList');

export const AvailableDivisionView = z
  .object({
    division: z.number().int(),
    name: z.string().nullable(),
    main: z.boolean(),
    country: z.string().nullable(),
    selected: z.boolean().openapi({ description: 'Synced through this connection' }),
    selectedElsewhere: z.boolean().openapi({ description: 'Synced through another connection' }),
  })
  .openapi('ExactAvailableDivision');
export const AvailableDivisionList = z.object({ items: z.array(AvailableDivisionView) }).openapi('ExactAvailableDivisionList');

export const SelectDivisionsBody = z
  .object({
    divisions: z
      .array(z.number().int().min(1))
      .max(500)
      .refine((list) => new Set(list).size === list.length, 'lists a division twice')
      .openapi({ description: 'The divisions to sync; divisions left out stop syncing (their data stays)' }),
  })
  .strict()
  .openapi('SelectExactDivisions');

const ScheduleView = z
  .object({
    id: z.string(),
    paused: z.boolean().nullable().openapi({ description: 'Null when the schedule does not exist (yet)' }),
    note: z.string().nullable(),
    nextRunAt: z.string().nullable(),
    lastRunAt: z.string().nullable(),
  })
  .openapi('ExactSchedule');

export const BudgetView = z
  .object({
    minuteLimit: z.number().int(),
    dayLimit: z.number().int(),
    minuteRemaining: z.number().int(),
    dayRemaining: z.number().int(),
    blockedUntil: z.string().nullable(),
    dayResetsAt: z.string().nullable(),
    reportedDailyRemaining: z.number().int().nullable(),
  })
  .openapi('ExactBudget');

export const DivisionView = z
  .object({
    division: z.number().int(),
    name: z.string().nullable(),
    connectionId: z.string(),
    enabled: z.boolean(),
    accountsCursor: z.string().openapi({ description: 'Highest Sync API timestamp applied (accounts)' }),
    deletedCursor: z.string().openapi({ description: 'Highest Sync API timestamp seen (deletions)' }),
    importCompletedAt: z.string().nullable(),
    budget: BudgetView,
    schedules: z.object({ incremental: ScheduleView, reconcile: ScheduleView }),
    owner: z.unknown().nullable().openapi({ description: "The division owner's state (running job, pending, recent runs); null when it does not answer" }),
    ownerWorkflowId: z.string(),
    webUiUrl: z.string(),
    createdAt: z.string(),
  })
  .openapi('ExactDivision');
export const DivisionList = listOf(DivisionView, 'ExactDivisionList');

export const WorkRequested = z
  .object({ division: z.number().int(), kind: z.enum(['import', 'incremental', 'reconcile']), workflowId: z.string(), webUiUrl: z.string() })
  .openapi('ExactWorkRequested');

export const ScheduleChange = z.object({ division: z.number().int(), paused: z.boolean(), schedules: z.array(z.string()) }).openapi('ExactScheduleChange');

export const PauseBody = z.object({ note: z.string().max(500).optional() }).strict().openapi('ExactPause');

export const ImportProgressView = z
  .object({
    workflowId: z.string(),
    status: z.string().openapi({ description: "The import workflow's status (RUNNING, COMPLETED, …)" }),
    progress: z.unknown().nullable().openapi({ description: 'Pages, accounts, created/updated/conflicts, cursor, expected total; null when it does not answer' }),
    webUiUrl: z.string(),
  })
  .openapi('ExactImportProgress');
