import { h, time } from '../dom';
import { type Json, section, table } from './ui';

/** The signal table: every candidate the strategies proposed, vetoed ones with their reason. */
export function signalsView(list: Json[]): HTMLElement {
  return section(
    'Signals',
    'signals',
    table(
      ['Time', 'Symbol', 'Strategy', 'Setup', 'Side', 'Conf.', 'Regime', 'Veto'],
      [...list]
        .reverse()
        .slice(0, 200)
        .map((s) => [
          time(s.time),
          s.symbol,
          s.strategy,
          s.setup,
          s.side,
          s.confidence.toFixed(2),
          s.regime ?? '–',
          s.veto
            ? h('span', { class: 'down', title: s.veto.detail }, `${s.veto.reason}: ${s.veto.detail}`)
            : 'passed',
        ]),
      'signals-table',
    ),
  );
}
