import { describe, expect, it } from 'vitest';
import { prometheusConfig } from './up-prometheus';

describe('Prometheus config for ballast up', () => {
  const targets = [{ service: 'risk', port: 9104 }];

  it('scrapes and evaluates every 5 s unless told otherwise', () => {
    const text = prometheusConfig(targets, null);
    expect(text).toContain('  scrape_interval: 5s\n  evaluation_interval: 5s\n');
    expect(text).toContain(
      '      - targets: ["127.0.0.1:9104"]\n        labels:\n          service: "risk"\n',
    );
  });

  it('takes the interval given (tests scrape every second)', () => {
    const text = prometheusConfig(targets, '/repo/infra/prometheus/rules', '1s');
    expect(text).toContain('  scrape_interval: 1s\n  evaluation_interval: 1s\n');
    expect(text).toContain('rule_files:\n  - "/repo/infra/prometheus/rules/*.yml"\n');
  });
});
