// Runs one delay line in a process of its own (argv[2]: its options as JSON), so relaying a
// gigabit of delayed chunks neither shares an event loop with the load generator nor counts as the
// system under test. Prints its port as one JSON line; SIGUSR1 turns the stalls on, SIGUSR2 off.
import { DelayLine } from "./delay-line.ts";
import type { DelayLineOptions } from "./delay-line.ts";
import { exitWithParent } from "./exit-with-parent.ts";

/** What the process is started with. */
export type DelayLineProcessOptions = DelayLineOptions & { readonly stall: { readonly everyMs: number; readonly forMs: number } };

const options = JSON.parse(process.argv[2] ?? "{}") as DelayLineProcessOptions;
const line = new DelayLine(options);
const port = await line.listen();
process.on("SIGUSR1", () => line.stallEvery(options.stall));
process.on("SIGUSR2", () => line.stallEvery(undefined));
process.stdout.write(`${JSON.stringify({ port })}\n`);
exitWithParent();
