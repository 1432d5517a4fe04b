import { describeConsoleAttacks } from './attacks';

describeConsoleAttacks('file store');
