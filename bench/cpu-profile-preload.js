'use strict';
/**
 * `node --cpu-prof` cannot be passed through NODE_OPTIONS, and the protocol tests' client spawns the server
 * itself; so the bench profiles the server with this preload instead:
 *   NODE_OPTIONS="--require bench/cpu-profile-preload.js" CROSSWIRE_CPU_PROFILE=/path/x.cpuprofile
 * It starts V8's sampling profiler in-process (node:inspector) and writes a .cpuprofile when the process exits.
 */
const out = process.env.CROSSWIRE_CPU_PROFILE;
if (out) {
  const fs = require('node:fs');
  const inspector = require('node:inspector');
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: Number(process.env.CROSSWIRE_CPU_PROFILE_INTERVAL_US || 1000) });
  session.post('Profiler.start');
  let written = false;
  process.on('exit', () => {
    if (written) return;
    written = true;
    // Same-thread inspector sessions answer synchronously, so this works inside an exit handler.
    session.post('Profiler.stop', (err, res) => {
      if (!err && res && res.profile) fs.writeFileSync(out, JSON.stringify(res.profile));
    });
  });
}
