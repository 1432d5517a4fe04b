export { type OpenedStore, type OpenStoreOptions, openStore, storeKind } from './open-store';
