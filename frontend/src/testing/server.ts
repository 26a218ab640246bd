import { setupServer } from 'msw/node';
import { handlers } from './handlers';

/** The mocked backend for every test; override per test with server.use(...). */
export const server = setupServer(...handlers);
