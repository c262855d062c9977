import { releasePrismaValidators } from '../parsers/prisma';
import { collectNow } from './heap';

/**
 * Once an index is built (every schema judged), lets the Prisma validators go and collects now (lsp/heap.ts): their
 * WebAssembly memory and code live outside the JavaScript heap and go only when a full collection finds them
 * unreferenced. Without the collection, 2 of 18 starts at N = 2,000 peaked at 155-158 MB instead of 146-148 (the first
 * rule pass ran with them still resident); with it, 32 of 32 at 147.4-148.1. A schema judged later loads its validator
 * again.
 */
export function releaseValidators(): void {
  releasePrismaValidators();
  collectNow();
}
