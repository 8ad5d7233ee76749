import type { FastifyInstance, RouteOptions } from 'fastify';

declare module 'fastify' {
  interface FastifySchema {
    /** One line for the OpenAPI document. */
    summary?: string;
    /** Left out of the OpenAPI document. */
    hide?: boolean;
  }
}

interface ObjectSchema {
  properties?: Record<string, unknown>;
  required?: string[];
}

interface RouteSchema {
  summary?: string;
  params?: ObjectSchema;
  querystring?: ObjectSchema;
  body?: unknown;
  response?: Record<string, unknown>;
}

interface Operation {
  summary?: string;
  parameters?: unknown[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
}

/**
 * Collects every /api route's schema as it is registered and serves them as an OpenAPI 3 document:
 * a few lines instead of a plugin, and the document cannot drift from the routes.
 */
export function collectOpenApi(app: FastifyInstance): void {
  const paths: Record<string, Record<string, Operation>> = {};
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!route.url.startsWith('/api/') || route.schema?.hide) return;
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD');
    const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const schema = (route.schema ?? {}) as RouteSchema;
    for (const method of methods) {
      const op: Operation = { summary: schema.summary, responses: {} };
      const params = [
        ...Object.entries(schema.params?.properties ?? {}).map(([name, s]) => ({
          name,
          in: 'path',
          required: true,
          schema: s,
        })),
        ...Object.entries(schema.querystring?.properties ?? {}).map(([name, s]) => ({
          name,
          in: 'query',
          required: (schema.querystring?.required ?? []).includes(name),
          schema: s,
        })),
      ];
      if (params.length) op.parameters = params;
      if (schema.body)
        op.requestBody = { required: true, content: { 'application/json': { schema: schema.body } } };
      for (const [code, s] of Object.entries(schema.response ?? { 200: {} }))
        op.responses[code] = { description: code, content: { 'application/json': { schema: s } } };
      const ops = paths[path] ?? {};
      ops[method.toLowerCase()] = op;
      paths[path] = ops;
    }
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => ({
    openapi: '3.0.3',
    info: { title: 'Ballast gateway', version: '1' },
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'ballast_session' },
        csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token' },
      },
    },
    security: [{ session: [], csrf: [] }],
    paths,
  }));
}
