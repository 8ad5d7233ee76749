import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, readConfig } from '@ballast/service-kit';
import { describe, expect, it } from 'vitest';
import { telegramConfigSchema } from './config';

const TOKEN = '7000001:AAH5kTz0-Wq3bVx8nLp2YcR6dFm9sJe4uGt';

describe('telegram configuration', () => {
  it('reads the token from a file, treats it as a secret and parses the chat ids', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tg-config-')), 'token');
    writeFileSync(file, `${TOKEN}\n`);
    const { config, secrets } = readConfig(
      telegramConfigSchema,
      { TELEGRAM_BOT_TOKEN_FILE: file, TELEGRAM_ALLOWED_CHAT_IDS: '111, -100222,111' },
      { secret: ['TELEGRAM_BOT_TOKEN'] },
    );
    expect(config.TELEGRAM_BOT_TOKEN).toBe(TOKEN);
    expect(secrets).toContain(TOKEN);
    expect(config.TELEGRAM_ALLOWED_CHAT_IDS).toEqual([111, -100222]);
    expect(config.TELEGRAM_API_ROOT).toBe('https://api.telegram.org');
    expect(config).toMatchObject({ TELEGRAM_REPORT_WEEKDAY: 0, TELEGRAM_REPORT_HOUR: 18 });
  });

  it('refuses a start without allowed chats or with a malformed list, naming each variable', () => {
    const attempt = (env: Record<string, string>) => () => readConfig(telegramConfigSchema, env);
    expect(attempt({ TELEGRAM_BOT_TOKEN: TOKEN })).toThrow(ConfigError);
    try {
      readConfig(telegramConfigSchema, { TELEGRAM_ALLOWED_CHAT_IDS: '111,abc' });
    } catch (err) {
      const variables = (err as ConfigError).problems.map((p) => p.variable).sort();
      expect(variables).toEqual(['TELEGRAM_ALLOWED_CHAT_IDS', 'TELEGRAM_BOT_TOKEN']);
      return;
    }
    throw new Error('a malformed chat list was accepted');
  });

  it('reads TELEGRAM_OPERATOR_IDS as user ids (none when unset) and names it when one is not', () => {
    const env = { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_ALLOWED_CHAT_IDS: '111,-100222' };
    expect(readConfig(telegramConfigSchema, env).config.TELEGRAM_OPERATOR_IDS).toEqual([]);
    expect(
      readConfig(telegramConfigSchema, { ...env, TELEGRAM_OPERATOR_IDS: '501, 502,501' }).config
        .TELEGRAM_OPERATOR_IDS,
    ).toEqual([501, 502]);
    // A group's id (negative) is no person.
    expect(() => readConfig(telegramConfigSchema, { ...env, TELEGRAM_OPERATOR_IDS: '501,-100222' })).toThrow(
      /TELEGRAM_OPERATOR_IDS/,
    );
  });

  it('reads TELEGRAM_HEALTH_URLS as JSON and names it when the JSON is bad', () => {
    const env = { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_ALLOWED_CHAT_IDS: '111' };
    const urls = { risk: 'http://127.0.0.1:9102/readyz' };
    expect(
      readConfig(telegramConfigSchema, { ...env, TELEGRAM_HEALTH_URLS: JSON.stringify(urls) }).config
        .TELEGRAM_HEALTH_URLS,
    ).toEqual(urls);
    expect(readConfig(telegramConfigSchema, env).config.TELEGRAM_HEALTH_URLS).toEqual({});
    expect(() => readConfig(telegramConfigSchema, { ...env, TELEGRAM_HEALTH_URLS: '{risk:' })).toThrow(
      /TELEGRAM_HEALTH_URLS: invalid \(not valid JSON\)/,
    );
  });
});
