/**
 * Unit tests' setup. happy-dom loads no iframe page (as configured) and logs each one it skips as an error
 * with a stack trace, through Node's own console (vitest's replacement comes later); the gate's tests set
 * iframes' `src` on purpose, so those lines are noise. Everything else still reaches the console.
 */
import nodeConsole from 'node:console';

const error = nodeConsole.error.bind(nodeConsole);
nodeConsole.error = (...args: unknown[]) => {
  if (!args.some((arg) => String(arg).includes('Iframe page loading is disabled'))) error(...args);
};
