import { startExchangeSim } from './exchange-sim';
import { parseSimArgs } from './sim-cli-args';

// Runs the simulator as its own process and prints its URLs as one JSON line for the parent to read.
const opts = parseSimArgs(process.argv.slice(2), process.env);
const sim = await startExchangeSim(opts);
process.stdout.write(
  `${JSON.stringify({ restUrl: sim.restUrl, wsUrl: sim.wsUrl, adminUrl: `${sim.restUrl}/_sim` })}\n`,
);
const stop = () => void sim.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
