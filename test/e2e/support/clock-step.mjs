// A fault injector for the platform's clock, preloaded into a service process
// (NODE_OPTIONS=--import=<this file>): each SIGUSR2 steps the process's wall clock (Date.now) by the next
// offset of QTLED_TEST_CLOCK_STEPS_MS (comma-separated milliseconds, e.g. `3600000,-7200000`), as an NTP
// step or an operator setting the clock by hand would. Timers and performance.now() are monotonic and do
// not move, as on a real host.
const steps = (process.env.QTLED_TEST_CLOCK_STEPS_MS ?? '')
  .split(',')
  .filter((s) => s.trim() !== '')
  .map(Number);
let offsetMs = 0;
const realNow = Date.now.bind(Date);
Date.now = () => realNow() + offsetMs;
process.on('SIGUSR2', () => {
  const step = steps.shift();
  if (step !== undefined) offsetMs += step;
});
