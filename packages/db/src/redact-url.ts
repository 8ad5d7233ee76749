const MASK = '***';

/** The URL with its password masked; an unparseable URL is hidden whole, since it may hold one. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = MASK;
    return parsed.toString();
  } catch {
    return '<unparseable database url>';
  }
}

/** Masks the URL's password wherever it appears in `text` (raw or percent-decoded), e.g. a driver message. */
export function redactSecretsIn(text: string, url: string): string {
  let password = '';
  try {
    password = new URL(url).password;
  } catch {
    return text.split(url).join(MASK);
  }
  if (!password) return text;
  const forms = new Set([password, safeDecode(password)]);
  let out = text;
  for (const form of forms) if (form) out = out.split(form).join(MASK);
  return out;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
