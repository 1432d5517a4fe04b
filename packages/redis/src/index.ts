export { type RedisDetectionStoreOptions, redisDetectionStore } from './store';
