import { agentsConfigSchema } from '@ballast/agents';
import { ConfigError, loadConfig } from '@ballast/service-kit';
import { describe, expect, it } from 'vitest';
import { startSignalsFixture } from './testing/signals-fixture';

describe('signals with agents that cannot run as configured', () => {
  it('refuses to start with a ConfigError naming the variable (exit 78, not a restart loop)', async () => {
    const agents = loadConfig(agentsConfigSchema, { REVIEWER_PROVIDER: 'anthropic' });
    const refused = await startSignalsFixture({ name: 'signals_refused', agents }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).problems).toEqual([
      {
        variable: 'ANTHROPIC_API_KEY',
        reason: 'missing',
        expected:
          'REVIEWER_PROVIDER=anthropic needs ANTHROPIC_API_KEY (or ANTHROPIC_API_KEY_FILE), which is not set: ' +
          'set it, or REVIEWER_PROVIDER=rules to decide by the rules',
      },
    ]);
  });
});
