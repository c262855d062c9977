import { appRule } from '../model/rule';
import { collisions } from '../facts/port-collisions';

/**
 * Two server processes of different apps that run at the same time (one script starts both, or the apps form
 * one system: facts/systems.ts) on one machine and want one port.
 * - Neither moves to another port: whichever starts second fails with EADDRINUSE (error).
 * - One moves (`next dev`, Vite without --strictPort): reported only where something names the port (a URL, a
 *   CORS origin), which then reaches the wrong server (warning).
 * Processes that nothing starts together are never compared; ports Crosswire cannot know are never guessed.
 */
export const portCollision = appRule({
  id: 'port-collision',
  docs: {
    description: 'Two apps that run at the same time will listen on the same port.',
    url: 'docs/rules/port-collision.md',
  },
  defaultSeverity: 'error',
  fixable: true,
  facts: ['portCollisions'],
  ownParts: ['portCollisions'],
  check(app, ctx) {
    for (const c of collisions(ctx.index).byApp.get(app) ?? []) ctx.report(c);
  },
});
