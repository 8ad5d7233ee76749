import { waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOWED, type Harness, messageTo, startHarness } from './testing/harness';
import { type PrometheusProcess, startPrometheus } from './testing/prometheus-process';

// A real Prometheus evaluating a rule that fires at once, as BallastServiceDown does once a scrape
// target has been down for its `for:`: a dead process cannot publish its own alert on the bus.
const [CHAT] = ALLOWED;

const rule = (expr: string) =>
  [
    'groups:',
    '  - name: test',
    '    rules:',
    '      - alert: BallastServiceDown',
    `        expr: ${expr}`,
    '        labels: { severity: critical, service: stops }',
    '        annotations: { summary: "stops is not answering its scrape" }',
    '',
  ].join('\n');
const FIRING = rule('vector(1)');
const QUIET = rule('vector(1) < 0');

let prometheus: PrometheusProcess;
let h: Harness;

beforeAll(async () => {
  prometheus = await startPrometheus(FIRING);
  h = await startHarness('tg-prometheus', {
    env: {
      TELEGRAM_ALERT_WINDOW_MS: '200',
      TELEGRAM_ALERTS_PER_MINUTE: '60',
      TELEGRAM_PROMETHEUS_URL: prometheus.url,
      TELEGRAM_PROMETHEUS_INTERVAL_MS: '250',
    },
  });
}, 60_000);

afterAll(async () => {
  await h?.close();
  await prometheus?.stop();
});

const count = (part: string) => h.texts(CHAT).filter((t) => t.includes(part)).length;

/** Asks /status and returns the reply. */
async function status(): Promise<string> {
  const sent = h.api.sent('sendMessage', CHAT).length;
  h.api.sendText(CHAT, '/status', { id: CHAT });
  return waitFor(
    () =>
      h.api
        .sent('sendMessage', CHAT)
        .slice(sent)
        .map((c) => String(c.params.text))
        .find((t) => t.startsWith('Kill switch')),
    'the /status reply',
  );
}

describe('telegram relays Prometheus alerts', () => {
  it('tells an alert once when it fires, shows it in /status, and tells its end', async () => {
    await messageTo(h, CHAT, 'Alert BallastServiceDown: stops is not answering its scrape');

    expect(await status()).toContain('Alerts firing: BallastServiceDown');

    await prometheus.setRules(QUIET);
    await messageTo(h, CHAT, 'Resolved BallastServiceDown: stops is not answering its scrape');
    // Read every 250 ms while it fired (the /status round trip, the reload): told once all the same.
    expect(count('Alert BallastServiceDown')).toBe(1);
  });

  it('tells once that Prometheus cannot be read, with a log line, keeping what fired', async () => {
    await prometheus.setRules(FIRING);
    await waitFor(() => count('Alert BallastServiceDown') === 2, 'the alert firing again');
    await prometheus.stop();
    await messageTo(h, CHAT, 'Prometheus alerts unreadable: unreachable');
    expect(h.logLines.some((l) => l.includes('prometheus alerts unreadable'))).toBe(true);
    // An unreadable Prometheus ends no alert.
    expect(count('Resolved BallastServiceDown')).toBe(1);
    expect(h.telegram.alerts?.current().map((a) => a.name)).toEqual(['BallastServiceDown']);
    // /status does not pass the last reading off as the present.
    expect(await status()).toContain(
      'Alerts: unknown, Prometheus unreadable (unreachable); last read firing: BallastServiceDown',
    );
  });
});
