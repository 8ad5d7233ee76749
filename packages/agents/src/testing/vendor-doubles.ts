import { afterAll, beforeAll } from 'vitest';
import { type ScriptedServer, startScriptedServer } from './scripted-server';

export interface VendorDoubles {
  readonly claude: ScriptedServer;
  readonly gemini: ScriptedServer;
}

/**
 * A local Messages API and a local generateContent for the enclosing describe: started before its tests,
 * closed after them. Read them inside tests (they exist once the describe's beforeAll has run).
 */
export function vendorDoubles(): VendorDoubles {
  const doubles: { claude?: ScriptedServer; gemini?: ScriptedServer } = {};
  beforeAll(async () => {
    doubles.claude = await startScriptedServer();
    doubles.gemini = await startScriptedServer();
  });
  afterAll(async () => {
    await doubles.claude?.close();
    await doubles.gemini?.close();
  });
  const started = (server: ScriptedServer | undefined): ScriptedServer => {
    if (server === undefined) throw new Error('vendorDoubles are read before their beforeAll ran');
    return server;
  };
  return {
    get claude() {
      return started(doubles.claude);
    },
    get gemini() {
      return started(doubles.gemini);
    },
  };
}
