import { describe, expect, it } from 'vitest';
import { redactSecretsIn, redactUrl } from './redact-url';

describe('redactUrl', () => {
  it('masks the password and keeps everything else', () => {
    expect(redactUrl('postgres://app:hunter2@db.internal:6432/ballast?sslmode=require')).toBe(
      'postgres://app:***@db.internal:6432/ballast?sslmode=require',
    );
  });

  it('masks a password given as a query parameter, as pg and libpq read it', () => {
    expect(redactUrl('postgres://app@db/ballast?password=hunter2&sslpassword=k3y&sslmode=require')).toBe(
      'postgres://app@db/ballast?password=***&sslpassword=***&sslmode=require',
    );
  });

  it('leaves a URL without a password unchanged', () => {
    expect(redactUrl('postgres://postgres@127.0.0.1:5432/test')).toBe(
      'postgres://postgres@127.0.0.1:5432/test',
    );
  });

  it('hides an unparseable URL whole, since it may hold a password', () => {
    expect(redactUrl('postgres://app:hunter2@[nowhere')).toBe('<unparseable database url>');
  });
});

describe('redactSecretsIn', () => {
  it('masks the password in raw and percent-decoded form', () => {
    const url = 'postgres://app:p%40ss%2Fword@db/ballast';
    expect(redactSecretsIn('auth failed for p@ss/word and p%40ss%2Fword', url)).toBe(
      'auth failed for *** and ***',
    );
  });

  it('masks the whole of a ?password= value that holds an = itself', () => {
    const url = 'postgres://app@db/ballast?password=abc=Qm2xVb7w&sslmode=require';
    expect(redactSecretsIn(`auth failed: abc=Qm2xVb7w`, url)).toBe('auth failed: ***');
  });

  it('masks a ?password= parameter in raw, decoded and space-for-plus form', () => {
    const url = 'postgres://app@db/ballast?password=p%40ss+word';
    expect(redactSecretsIn('for p%40ss+word, p@ss+word and p@ss word', url)).toBe('for ***, *** and ***');
  });
});
