import type { AgentName, ReviewerFallback } from '@ballast/agents';

/** What each agent does while its model cannot be asked. */
const INSTEAD: Readonly<Record<AgentName, (fallback: ReviewerFallback) => string>> = {
  analyst: () => 'the analyst decides by the rules',
  reviewer: (fallback) =>
    fallback === 'reject'
      ? 'the reviewer rejects every candidate (REVIEWER_FALLBACK=reject: no new entries)'
      : 'the reviewer reviews by the rules',
  reflector: () => 'the reflector writes lessons by the rules',
};

/** What an agent's unreadable replies lead to: a reviewer's reject its candidate whatever the fallback. */
const UNUSABLE: Readonly<Record<AgentName, string>> = {
  analyst: 'the analyst decides by the rules',
  reviewer:
    'every candidate it reviews is rejected (an unreadable review rejects under either REVIEWER_FALLBACK)',
  reflector: 'the reflector writes lessons by the rules',
};

/** What an alert says an agent whose model answers unusably call after call leads to. */
export function unusableText(agent: AgentName): string {
  return UNUSABLE[agent];
}

/**
 * What an alert says the agents do while `provider`'s models cannot be asked (every model's, when
 * undefined: the daily budget is shared), from which provider each agent asks ('rules': none): an outage of the
 * analyst's vendor leaves a reviewer on another vendor reviewing, and only the reviewer's stops entries.
 */
export function outageText(
  providers: Readonly<Record<AgentName, string>>,
  fallback: ReviewerFallback,
  provider?: string,
): string {
  const affected = (Object.keys(INSTEAD) as AgentName[]).filter((agent) => {
    const asks = providers[agent];
    return asks !== 'rules' && (provider === undefined || asks === provider);
  });
  if (affected.length === 0) return 'no agent asks it';
  const said = affected.map((agent) => INSTEAD[agent](fallback));
  return said.length === 1 ? (said[0] as string) : `${said.slice(0, -1).join(', ')} and ${said.at(-1)}`;
}
