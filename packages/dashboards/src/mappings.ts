import { MappingType, type ValueMapping } from '@grafana/grafana-foundation-sdk/dashboard';

/** 0/1 gauges shown as words with a colour: 1 is the state that needs attention. */
export function onOff(off: string, on: string): ValueMapping[] {
  return [
    {
      type: MappingType.ValueToText,
      options: { '0': { text: off, color: 'green' }, '1': { text: on, color: 'red' } },
    },
  ];
}

export const BREAKER: ValueMapping[] = [
  {
    type: MappingType.ValueToText,
    options: {
      '0': { text: 'closed', color: 'green' },
      '1': { text: 'half-open', color: 'orange' },
      '2': { text: 'open', color: 'red' },
    },
  },
];

/** A readiness verdict: 1 when every criterion is met. */
export const READY: ValueMapping[] = [
  {
    type: MappingType.ValueToText,
    options: { '0': { text: 'not ready', color: 'orange' }, '1': { text: 'ready', color: 'green' } },
  },
];

/** A strategy switch: 1 while it proposes candidates. */
export const SWITCHED: ValueMapping[] = [
  {
    type: MappingType.ValueToText,
    options: { '0': { text: 'off', color: 'orange' }, '1': { text: 'on', color: 'green' } },
  },
];

/** Whether a process holds a venue's reconciliation lock. */
export const LEADER: ValueMapping[] = [
  {
    type: MappingType.ValueToText,
    options: { '0': { text: 'standing by', color: 'blue' }, '1': { text: 'leading', color: 'green' } },
  },
];
