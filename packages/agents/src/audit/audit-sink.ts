import type { AgentCallRecord } from '@ballast/db';

/** Where agent calls are recorded; `AgentCallRepository` is the real one. */
export interface AuditSink {
  record(call: AgentCallRecord): Promise<void>;
}
