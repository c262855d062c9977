'use strict';
/**
 * Preloaded (`node -r`) into the CLI by run.js: at exit, writes the process's peak resident set size in KB (the
 * operating system's maxrss) to the file named by CROSSWIRE_BENCH_RSS.
 */
process.on('exit', () => {
  if (process.env.CROSSWIRE_BENCH_RSS) require('node:fs').writeFileSync(process.env.CROSSWIRE_BENCH_RSS, String(process.resourceUsage().maxRSS));
});
