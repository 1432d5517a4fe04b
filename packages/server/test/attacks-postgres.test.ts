import { testDatabase } from '../../postgres/test/helpers';
import { describeConsoleAttacks } from './attacks';

const db = testDatabase();
afterAll(() => db.drop());

describeConsoleAttacks('PostgreSQL store', () => db.store('console_attacks'));
