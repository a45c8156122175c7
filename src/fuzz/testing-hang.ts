// The hanging planted target as a module a fuzz worker can import (watchdog.test.ts).
export { hangTarget as target } from './testing.js';
