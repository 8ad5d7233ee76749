import { buildWeb, DEFAULT_WEB_DIST } from './web-assets';

// `pnpm build:web`: the Docker image's build stage runs it, and the runtime serves this dist without vite.
await buildWeb();
console.log(`dashboard built into ${DEFAULT_WEB_DIST}`);
